"""Move parameters between `lstm_lib`'s dicts and torch modules; the dicts already use torch's names and layout.

G, the number of stacked gate blocks in weight_ih (G*H, D), tells the cell: 1 for torch.nn.RNN (tanh),
4 for torch.nn.LSTM (gate blocks i, f, g, o). Each bias is copied once, into its own torch bias.
"""
import numpy as np
import torch

from .checks import check_params, matrix_shape

_MODULES = {1: torch.nn.RNN, 4: torch.nn.LSTM}
_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def to_torch(params):
    """A one-layer, time-major torch module holding copies of `params` (dtype kept)."""
    GH, H = matrix_shape(params, "weight_hh", "(G*H, H)")
    D = matrix_shape(params, "weight_ih", "(G*H, D)")[1]
    if GH is not None and GH // max(H, 1) not in _MODULES:
        raise ValueError(f"params['weight_hh'] has shape {(GH, H)}: G = {GH / H:g} gate blocks; supported G: {sorted(_MODULES)}")
    shapes = {"weight_ih": (GH, D), "weight_hh": (GH, H), "bias_ih": (GH,), "bias_hh": (GH,)}
    params = check_params(params, shapes)
    dtype = torch.float64 if params["weight_ih"].dtype == np.float64 else torch.float32
    module = _MODULES[GH // H](D, H).to(dtype)
    with torch.no_grad():
        for key in _KEYS:
            getattr(module, key + "_l0").copy_(torch.from_numpy(params[key]))
    return module


def from_torch(module):
    """The parameter dict of layer 0 of a torch RNN-family module, as numpy copies."""
    if not isinstance(module, tuple(_MODULES.values())):
        raise ValueError(f"module must be one of {[m.__name__ for m in _MODULES.values()]}, got {type(module).__name__}")
    extras = {"num_layers": module.num_layers != 1, "bidirectional": module.bidirectional,
              "bias": not module.bias, "proj_size": getattr(module, "proj_size", 0) != 0}
    if any(extras.values()):  # the dicts describe one plain layer; anything more would be silently dropped
        settings = {k: getattr(module, k) for k, bad in extras.items() if bad}
        raise ValueError(f"module must be a single layer, one direction, with biases and no projection; got {settings}")
    return {key: getattr(module, key + "_l0").detach().cpu().numpy().copy() for key in _KEYS}

"""Move parameters between `lstm_lib`'s dicts and torch modules (the one module that
imports torch). The dicts already use torch's names and layout; the bridge adds the
layer suffix.

Chapter "The recurrent cell". G, the number of stacked gate blocks in weight_ih
(G*H, D), tells the cell: 1 for torch.nn.RNN (tanh), 4 for torch.nn.LSTM
(blocks i, f, g, o). Each bias is copied once, into its own torch bias.
"""
import numpy as np
import torch

from .validation import LAYER_KEYS, check_dict, check_layer_params

_MODULES = {1: torch.nn.RNN, 4: torch.nn.LSTM}


def to_torch(params):
    """A one-layer, time-major torch module holding copies of `params` (dtype kept).

    >>> from lstm_lib.lstm import init_lstm_params
    >>> to_torch(init_lstm_params(3, 2, np.random.default_rng(0)))
    LSTM(3, 2)
    """
    check_dict(params, LAYER_KEYS, made_by="init_rnn_params or init_lstm_params")
    shape = np.shape(params["weight_hh"])
    if len(shape) != 2 or shape[1] == 0:
        raise ValueError(f"params['weight_hh'] must have shape (G*H, H), got {shape}")
    if shape[0] / shape[1] not in _MODULES:
        raise ValueError(f"params['weight_hh'] has shape {shape}: "
                         f"G = {shape[0] / shape[1]:g} gate blocks; "
                         "supported: G = 1 (RNN) or 4 (LSTM)")
    G = shape[0] // shape[1]
    params = check_layer_params(params, G,
                                made_by="init_rnn_params or init_lstm_params")
    H, D = shape[1], params["weight_ih"].shape[1]
    dtype = torch.float64 if params["weight_ih"].dtype == np.float64 else torch.float32
    module = _MODULES[G](D, H).to(dtype)
    with torch.no_grad():
        for key in LAYER_KEYS:
            getattr(module, key + "_l0").copy_(torch.from_numpy(params[key]))
    return module


def from_torch(module):
    """The parameter dict of layer 0 of a torch RNN or LSTM, as numpy copies.

    >>> sorted(from_torch(torch.nn.LSTM(3, 2)))
    ['bias_hh', 'bias_ih', 'weight_hh', 'weight_ih']
    """
    if not isinstance(module, tuple(_MODULES.values())):
        names = [m.__name__ for m in _MODULES.values()]
        raise ValueError(f"module must be one of {names}, "
                         f"got {type(module).__name__}")
    extras = {"num_layers": module.num_layers != 1,
              "bidirectional": module.bidirectional,
              "bias": not module.bias,
              "proj_size": getattr(module, "proj_size", 0) != 0}
    # the dicts describe one plain layer: refuse to drop the rest
    if any(extras.values()):
        settings = {k: getattr(module, k) for k, bad in extras.items() if bad}
        raise ValueError("module must be a single layer, one direction, with biases "
                         f"and no projection; got {settings}")
    return {key: getattr(module, key + "_l0").detach().cpu().numpy().copy()
            for key in LAYER_KEYS}

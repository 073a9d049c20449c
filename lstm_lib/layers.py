"""The readout layer and the losses that turn hidden states into predictions and a training signal.

The linear layer uses ``torch.nn.Linear``'s layout: weight (O, H), bias (O,), y = h W^T + b.
Losses return ``(loss, dy)``: the mean loss, as torch computes it by default, and its gradient.
"""
import numpy as np

from .checks import as_float_array, check_params, check_shape, matrix_shape


def init_linear_params(in_features, out_features, rng):
    """Draw weight (O, H) and bias (O,) uniform in [-1/sqrt(H), 1/sqrt(H)], as torch.nn.Linear does."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    bound = 1.0 / np.sqrt(in_features)
    return {"weight": rng.uniform(-bound, bound, size=(out_features, in_features)),
            "bias": rng.uniform(-bound, bound, size=(out_features,))}


def linear_forward(h, params):
    """y = h W^T + b for h (..., H) -> y (..., O), and a cache for `linear_backward`."""
    h = as_float_array("h", h)
    O, H = matrix_shape(params, "weight", "(O, H)")
    params = check_params(params, {"weight": (O, H), "bias": (O,)})
    check_shape("h", h, (None,) * (h.ndim - 1) + (H,), "(..., H)")
    return h @ params["weight"].T + params["bias"], {"h": h, "params": params}


def linear_backward(dy, cache):
    """dy (..., O) -> dh (..., H) and grads {weight (O, H), bias (O,)}, summed over all leading axes."""
    h, weight = cache["h"], cache["params"]["weight"]
    dy = check_shape("dy", as_float_array("dy", dy), h.shape[:-1] + weight.shape[:1], "(..., O)")
    grads = {"weight": dy.reshape(-1, dy.shape[-1]).T @ h.reshape(-1, h.shape[-1]),  # (O, H)
             "bias": dy.reshape(-1, dy.shape[-1]).sum(axis=0)}
    return dy @ weight, grads


def mse_loss(y, target):
    """Mean squared error over every entry (torch.nn.MSELoss()) and its gradient dL/dy."""
    y, target = as_float_array("y", y), as_float_array("target", target)
    check_shape("target", target, y.shape)
    diff = y - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of logits (N, V) against integer targets (N,) (torch.nn.CrossEntropyLoss()).

    Returns (loss, dlogits) with dlogits (N, V) = (softmax(logits) - one_hot(targets)) / N.
    """
    logits = check_shape("logits", as_float_array("logits", logits), (None, None), "(N, V)")
    targets = np.asarray(targets)
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must hold integer class indices, got dtype {targets.dtype}")
    check_shape("targets", targets, logits.shape[:1], "(N,)")
    if targets.size and (targets.min() < 0 or targets.max() >= logits.shape[1]):
        raise ValueError(f"targets must lie in [0, {logits.shape[1] - 1}], got values in [{targets.min()}, {targets.max()}]")
    shifted = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = logits.shape[0]
    loss = -log_probs[np.arange(n), targets].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), targets] -= 1.0
    return float(loss), dlogits / n

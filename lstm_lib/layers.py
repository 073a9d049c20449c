"""The readout layer and the losses that turn hidden states into predictions and a
signal.

Chapter "Backpropagation through time". The linear layer uses ``torch.nn.Linear``'s
layout: weight (O, H), bias (O,), y = h W^T + b. Losses return ``(loss, dy)``: the mean
loss, as torch computes it by default, and its gradient.
"""
import numpy as np

from .validation import (
    as_float_array,
    check_cache,
    check_dict,
    check_int,
    check_ndim,
    check_rng,
    check_same_dtype,
    check_shape,
)


def init_linear_params(in_features, out_features, rng):
    """Draw weight (O, H) and bias (O,) uniform in [-1/sqrt(H), 1/sqrt(H)], as
    torch.nn.Linear.

    >>> params = init_linear_params(4, 1, np.random.default_rng(0))
    >>> params["weight"].shape, params["bias"].shape
    ((1, 4), (1,))
    """
    check_int("in_features", in_features, 1)
    check_int("out_features", out_features, 1)
    check_rng(rng)
    bound = 1.0 / np.sqrt(in_features)
    return {"weight": rng.uniform(-bound, bound, size=(out_features, in_features)),
            "bias": rng.uniform(-bound, bound, size=(out_features,))}


def check_linear_params(params, name="params"):
    """`params` checked as a linear layer's dict, weight (O, H) and bias (O,):
    returns it.

    >>> check_linear_params({"weight": np.zeros((1, 4)), "bias": np.zeros(2)})
    Traceback (most recent call last):
    ...
    ValueError: params['bias'] must have shape (O,) = (1,), got (2,)
    """
    check_dict(params, ("weight", "bias"), name=name, made_by="init_linear_params")
    out = {k: as_float_array(f"{name}['{k}']", params[k]) for k in ("weight", "bias")}
    O = check_ndim(f"{name}['weight']", out["weight"], 2, "(O, H)").shape[0]
    check_shape(f"{name}['bias']", out["bias"], (O,), "(O,)")
    check_same_dtype(weight=out["weight"], bias=out["bias"])
    return out


def linear_forward(h, params):
    """y = h W^T + b for h (..., H) -> y (..., O), and a cache for `linear_backward`.

    >>> params = {"weight": np.ones((1, 2)), "bias": np.zeros(1)}
    >>> linear_forward(np.array([[1.0, 2.0]]), params)[0]
    array([[3.]])
    """
    params = check_linear_params(params)
    H = params["weight"].shape[1]
    h = as_float_array("h", h)
    check_shape("h", h, (None,) * (h.ndim - 1) + (H,), "(..., H)")
    cache = {"made_by": "linear_forward", "h": h, "params": params}
    return h @ params["weight"].T + params["bias"], cache


def linear_backward(dy, cache):
    """dy (..., O) -> dh (..., H) and grads {weight (O, H), bias (O,)}, summed over
    every leading axis.

    >>> params = {"weight": np.ones((1, 2)), "bias": np.zeros(1)}
    >>> y, cache = linear_forward(np.array([[1.0, 2.0]]), params)
    >>> dh, grads = linear_backward(np.ones_like(y), cache)
    >>> dh, grads["weight"]
    (array([[1., 1.]]), array([[1., 2.]]))
    """
    cache = check_cache(cache, "linear_forward", "linear_backward")
    h, weight = cache["h"], cache["params"]["weight"]
    dy = check_shape("dy", as_float_array("dy", dy), h.shape[:-1] + weight.shape[:1],
                     "(..., O)")
    flat_dy = dy.reshape(-1, dy.shape[-1])  # (N, O), N the product of the leading axes
    grads = {"weight": flat_dy.T @ h.reshape(-1, h.shape[-1]),  # (O, H)
             "bias": flat_dy.sum(axis=0)}
    return dy @ weight, grads


def mse_loss(y, target):
    """Mean squared error over every entry (torch.nn.MSELoss()) and its gradient dL/dy.

    >>> mse_loss(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    (5.0, array([1., 3.]))
    """
    y, target = as_float_array("y", y), as_float_array("target", target)
    check_shape("target", target, y.shape)
    diff = y - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of logits (N, V) against integer targets (N,), as
    torch.nn.CrossEntropyLoss(). Returns (loss, dlogits),
    dlogits = (softmax - one_hot) / N.

    >>> loss, dlogits = softmax_cross_entropy(np.zeros((1, 2)), np.array([1]))
    >>> round(loss, 4), dlogits
    (0.6931, array([[ 0.5, -0.5]]))
    """
    logits = check_shape("logits", as_float_array("logits", logits), (None, None),
                         "(N, V)")
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise ValueError("targets must hold integer class indices, "
                         f"got dtype {targets.dtype}")
    check_shape("targets", targets, logits.shape[:1], "(N,)")
    if targets.size and (targets.min() < 0 or targets.max() >= logits.shape[1]):
        raise ValueError(f"targets must lie in [0, {logits.shape[1] - 1}], "
                         f"got values in [{targets.min()}, {targets.max()}]")
    shifted = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = logits.shape[0]
    loss = -log_probs[np.arange(n), targets].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), targets] -= 1.0
    return float(loss), dlogits / n

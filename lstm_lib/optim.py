"""Parameter updates on the plain dicts of `lstm_lib`: every array is changed in place."""
import numpy as np


def sgd_step(params, grads, lr):
    """Plain gradient descent, p <- p - lr * dL/dp, for every key of `params` (torch.optim.SGD, no momentum)."""
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"grads is missing key(s) {missing}; it must have the keys of params")
    for key, p in params.items():
        if np.shape(grads[key]) != p.shape:
            raise ValueError(f"grads['{key}'] must have the shape of params['{key}'] {p.shape}, got {np.shape(grads[key])}")
        p -= lr * grads[key]

"""Parameter updates and gradient clipping on the plain dicts of `lstm_lib`: arrays change in place.

Each function matches its torch counterpart exactly (tests/test_layers_optim.py, tests/test_optim.py).
"""
import numpy as np


def _check_grads(params, grads):
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"grads is missing key(s) {missing}; it must have the keys of params")
    for key, p in params.items():
        if np.shape(grads[key]) != p.shape:
            raise ValueError(f"grads['{key}'] must have the shape of params['{key}'] {p.shape}, got {np.shape(grads[key])}")


def sgd_step(params, grads, lr):
    """Plain gradient descent, p <- p - lr * dL/dp, for every key of `params` (torch.optim.SGD, no momentum)."""
    _check_grads(params, grads)
    for key, p in params.items():
        p -= lr * grads[key]


def clip_grad_norm(grads, max_norm):
    """Scale every gradient in place so that their global norm is at most `max_norm`; return the norm before.

    The global norm is sqrt(sum of the squares of every entry of every array). As in
    ``torch.nn.utils.clip_grad_norm_``, the factor is max_norm / (norm + 1e-6), capped at 1.
    """
    if not isinstance(grads, dict) or not grads:
        raise ValueError(f"grads must be a non-empty dict of arrays, got {type(grads).__name__}")
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    total_norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))
    scale = min(max_norm / (total_norm + 1e-6), 1.0)
    for g in grads.values():
        g *= scale
    return total_norm


class Adam:
    """Adam (Kingma & Ba 2015) over a parameter dict, as ``torch.optim.Adam`` with its defaults.

    Its state, the running averages m and v of each parameter's gradient and its square, lives
    here, so an optimizer is an object: ``opt = Adam(params, lr)``, then ``opt.step(grads)``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {k: np.zeros_like(p) for k, p in params.items()}  # first moment of each gradient
        self.v = {k: np.zeros_like(p) for k, p in params.items()}  # second moment
        self.t = 0

    def step(self, grads):
        """One update of every parameter from `grads` (same keys and shapes as the parameters)."""
        _check_grads(self.params, grads)
        self.t += 1
        beta1, beta2 = self.betas
        correction1, correction2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t  # undo the zero start
        for key, p in self.params.items():
            g = grads[key]
            self.m[key] = beta1 * self.m[key] + (1 - beta1) * g
            self.v[key] = beta2 * self.v[key] + (1 - beta2) * g * g
            p -= (self.lr / correction1) * self.m[key] / (np.sqrt(self.v[key]) / np.sqrt(correction2) + self.eps)

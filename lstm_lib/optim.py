"""Parameter updates and gradient clipping on the plain dicts of `lstm_lib`, in place.

Chapters "Backpropagation through time" (SGD) and "Vanishing and exploding gradients"
(clipping, Adam). Each function matches its torch counterpart exactly (tests/lib).
"""
import numpy as np

from .validation import check_number


def _check_grads(params, grads):
    if not isinstance(grads, dict):
        raise ValueError("grads must be a dict with the keys of params, "
                         f"got {type(grads).__name__}")
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"grads is missing key(s) {missing}; "
                         "it must have the keys of params")
    for key, p in params.items():
        if np.shape(grads[key]) != p.shape:
            raise ValueError(f"grads['{key}'] must have the shape of params['{key}'] "
                             f"{p.shape}, got {np.shape(grads[key])}")


def sgd_step(params, grads, lr):
    """Plain gradient descent, p <- p - lr * dL/dp, for every key of `params`
    (torch.optim.SGD, no momentum).

    >>> params = {"w": np.array([1.0, 2.0])}
    >>> sgd_step(params, {"w": np.array([1.0, -1.0])}, lr=0.5)
    >>> params["w"]
    array([0.5, 2.5])
    """
    check_number("lr", lr, positive=True)
    _check_grads(params, grads)
    for key, p in params.items():
        p -= lr * grads[key]


def clip_grad_norm(grads, max_norm):
    """Scale every gradient in place so that their global norm is at most `max_norm`;
    return the norm before. The global norm is sqrt(sum of the squares of every entry of
    every array); as in ``torch.nn.utils.clip_grad_norm_``, the factor is
    max_norm / (norm + 1e-6), capped at 1.

    >>> grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    >>> clip_grad_norm(grads, 1.0)
    5.0
    >>> grads["a"].round(4), grads["b"].round(4)
    (array([0.6]), array([0.8]))
    """
    if not isinstance(grads, dict) or not grads:
        raise ValueError("grads must be a non-empty dict of arrays, "
                         f"got {type(grads).__name__}")
    max_norm = check_number("max_norm", max_norm, positive=True)
    total_norm = float(np.sqrt(sum(float(np.sum(np.square(g)))
                                   for g in grads.values())))
    scale = min(max_norm / (total_norm + 1e-6), 1.0)
    for g in grads.values():
        g *= scale
    return total_norm


class Adam:
    """Adam (Kingma & Ba 2015) over a parameter dict, as ``torch.optim.Adam`` with its
    defaults.

    Its state, the running averages m and v of each parameter's gradient and its square,
    lives here, so an optimizer is an object: ``opt = Adam(params, lr)``, then
    ``opt.step(grads)``.

    >>> params = {"w": np.array([1.0])}
    >>> opt = Adam(params, lr=0.1)
    >>> opt.step({"w": np.array([2.0])})
    >>> params["w"].round(6)
    array([0.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of arrays, "
                             f"got {type(params).__name__}")
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        check_number("lr", lr, positive=True)
        # first moment of each gradient
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}  # second moment
        self.t = 0

    def step(self, grads):
        """One update of every parameter from `grads` (the keys and shapes of the
        parameters)."""
        _check_grads(self.params, grads)
        self.t += 1
        beta1, beta2 = self.betas
        # undo the zero start
        correction1, correction2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        for key, p in self.params.items():
            g = grads[key]
            self.m[key] = beta1 * self.m[key] + (1 - beta1) * g
            self.v[key] = beta2 * self.v[key] + (1 - beta2) * g * g
            denom = np.sqrt(self.v[key]) / np.sqrt(correction2) + self.eps
            p -= (self.lr / correction1) * self.m[key] / denom

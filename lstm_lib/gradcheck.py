"""Finite-difference gradient checks: the independent referee for every backward pass.

Chapter "Backpropagation through time".
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar ``f()`` with respect to the float64
    array `x`.

    `x` is perturbed in place, one entry at a time, and restored; ``f`` must read it on
    every call. A central difference truncates its Taylor series with an error of order
    eps^2 and suffers rounding of order u/eps (u = 2.2e-16 in float64); the two balance
    near u^(1/3), about 6e-6. The default 1e-6 lies just on the rounding side of that
    optimum, with an error of order 1e-10.

    >>> x = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda: float(np.sum(x ** 2)), x).round(6)
    array([2., 4.])
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError("x must be a float64 numpy array (finite differences need "
                         f"double precision), got {got}")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f()
        x[idx] = old - eps
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 when the arrays agree, 1 for opposite directions.

    >>> relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    0.0
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("a and b must have the same shape, "
                         f"got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradcheck(f, arrays, analytic, eps=1e-6):
    """Compare analytic gradients with central differences, array by array.

    f: a function of no arguments returning the scalar loss computed from the arrays
    in `arrays`.
    arrays: {name: float64 array} perturbed in place;
    analytic: {name: gradient of the same shape}.
    Returns {name: relative error}.

    >>> w = np.array([0.5, -1.0])
    >>> errors = gradcheck(lambda: float(np.sum(w ** 3)), {"w": w}, {"w": 3 * w ** 2})
    >>> errors["w"] < 1e-9
    True
    """
    missing = [k for k in arrays if k not in analytic]
    if missing:
        raise ValueError(f"analytic is missing gradient(s) for {missing}")
    errors = {}
    for name, x in arrays.items():
        numeric = numerical_gradient(f, x, eps)
        if np.shape(analytic[name]) != x.shape:
            raise ValueError(f"analytic['{name}'] must have shape {x.shape}, "
                             f"got {np.shape(analytic[name])}")
        errors[name] = relative_error(analytic[name], numeric)
    return errors

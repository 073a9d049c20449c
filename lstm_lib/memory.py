"""How long the cell state remembers: the belt's product of forget gates, and the
half-life.

Chapters "The cell state" and "The forget gate". Along the belt alone (ignoring the
paths through h and the gates), c_t = f_t * c_{t-1} + i_t * g_t gives::

    dc_T / dc_s = diag(f_{s+1} * f_{s+2} * ... * f_T)  (elementwise, one value per unit)

and with a constant forget value f a stored value shrinks as f^t: it halves after
ln 2 / (-ln f) steps.
"""
import numpy as np

from .validation import (
    as_float_array,
    as_real_array,
    check_int,
    check_ndim,
    check_number,
)


def belt_product(f):
    """The direct path along the belt: f (T, B, H) -> P (T, B, H),
    P[s] = f_{s+1} * ... * f_T.

    f[t-1] holds f_t. P[s] is the diagonal of dc_T / dc_s along the belt for
    s = 0 .. T-1, so P[0] is the product of every forget gate and P[T-1] = f_T. The
    paths through h_t and the gates are not included.

    >>> belt_product(np.array([0.5, 1.0, 0.5]).reshape(3, 1, 1))[:, 0, 0]
    array([0.25, 0.5 , 0.5 ])
    """
    f = check_ndim("f", as_float_array("f", f), 3, "(T, B, H)")
    # a running product from the last step backwards
    return np.cumprod(f[::-1], axis=0)[::-1]


def half_life(f):
    """Steps after which a value multiplied by f at every step has halved:
    ln 2 / (-ln f), inf for f = 1. f: a forget value or an array of them, each in
    (0, 1]; the result has its shape.

    >>> half_life(np.array([0.5, 0.9, 1.0])).round(2)
    array([1.  , 6.58,  inf])
    """
    f = as_real_array("f", f)
    if np.any(~((f > 0) & (f <= 1))):
        bad = f[~((f > 0) & (f <= 1))].ravel()[0]
        raise ValueError(f"f must lie in (0, 1] (a forget value), got {float(bad)} "
                         f"in an array of shape {f.shape}")
    with np.errstate(divide="ignore"):  # f = 1: the value never halves
        # |ln f| = -ln f, but +0.0 at f = 1, so +inf there
        return np.log(2.0) / np.abs(np.log(f))


def forget_bias_for_half_life(steps):
    """The forget bias b_f with half_life(sigmoid(b_f)) = steps: the logit of
    2^(-1/steps).

    steps: a positive number of steps or an array of them; the result has its shape.
    With small weights the forget gate sits near sigmoid(b_f): the bias that starts a
    cell with that half-life.

    >>> float(forget_bias_for_half_life(1))
    0.0
    """
    steps = as_real_array("steps", steps)
    if np.any(~(steps > 0)) or np.any(~np.isfinite(steps)):
        bad = steps[~((steps > 0) & np.isfinite(steps))].ravel()[0]
        raise ValueError(f"steps must be positive and finite, got {float(bad)} "
                         f"in an array of shape {steps.shape}")
    f = 2.0 ** (-1.0 / steps)  # f^steps = 1/2
    return np.log(f) - np.log1p(-f)  # logit(f) = ln(f / (1 - f))


def cell_response(f, i, g, c0, steps):
    """c_0 .. c_steps of one unit whose forget value f, input value i and candidate g
    stay constant: (steps + 1,). f, i in [0, 1], g in [-1, 1] and c0 are single
    numbers.

    The update c_t = f c_{t-1} + i g runs step by step, not by a closed form, so that
    f = 1 and i = 0 carry c0 bit for bit. With f < 1 the cell heads for the level
    i g / (1 - f), where forgetting and writing cancel.

    >>> cell_response(0.5, 1.0, 0.5, 0.0, 3)
    array([0.   , 0.5  , 0.75 , 0.875])
    """
    f, i = check_number("f", f, 0.0, 1.0), check_number("i", i, 0.0, 1.0)
    g, c0 = check_number("g", g, -1.0, 1.0), check_number("c0", c0)
    check_int("steps", steps, 0)
    c = np.empty(steps + 1)
    c[0] = c0
    for t in range(1, steps + 1):
        c[t] = f * c[t - 1] + i * g  # the belt's update, as in gates.cell_update
    return c

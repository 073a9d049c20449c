"""How gradients travel back in time, measured with the library's own backward steps.

Chapter "Vanishing and exploding gradients" (the RNN) and "Backpropagation through an
LSTM". A loss on the last step sends g_T = dL/dh_T into the network; backpropagation
through time carries it back to every earlier state, g_t = dL/dh_t. For the tanh RNN
(row vectors)::

    g_{t-1} = g_t J_t,   J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh   (H, H)

so ||g_t|| <= ||g_T|| * sigma_max(W_hh)^(T - t). The helpers that take plain arrays
(`spectral_radius`, `largest_singular_value`, `rescale_matrix`, `last_step_gradient`,
`norms_by_lag`) serve both cells; ``rnn_*`` and ``lstm_*`` loop over each cell's step
backward.
"""
import numpy as np

from .lstm import lstm_forward, lstm_step_backward
from .rnn import rnn_forward, rnn_step_backward
from .validation import (
    as_float_array,
    check_cache,
    check_ndim,
    check_number,
    check_shape,
)

MEASURES = ("spectral_radius", "largest_singular_value")


def _square(name, W):
    W = check_ndim(name, as_float_array(name, W), 2, "(H, H)")
    return check_shape(name, W, (W.shape[0], W.shape[0]), "(H, H)")


def spectral_radius(W):
    """rho(W): the largest absolute value of the eigenvalues of the square matrix
    W (H, H).

    >>> spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]]))
    1.0
    """
    return float(np.max(np.abs(np.linalg.eigvals(_square("W", W)))))


def largest_singular_value(W):
    """sigma_max(W) = max ||v W|| over unit vectors v: the most W (H, H) can stretch a
    vector.

    >>> largest_singular_value(np.array([[0.0, 2.0], [0.5, 0.0]]))
    2.0
    """
    return float(np.linalg.norm(_square("W", W), 2))


def rescale_matrix(W, value, measure="spectral_radius"):
    """W (H, H) times the factor that makes its `measure` equal `value` (a copy).

    measure: "spectral_radius" (rho) or "largest_singular_value" (sigma_max);
    rho <= sigma_max.

    >>> rescale_matrix(np.array([[0.0, 2.0], [0.5, 0.0]]), 0.5)
    array([[0.  , 1.  ],
           [0.25, 0.  ]])
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    value = check_number("value", value, low=0.0)
    now = (spectral_radius(W) if measure == "spectral_radius"
           else largest_singular_value(W))
    if now == 0:
        raise ValueError(f"W has {measure} 0: no factor can give it {value}")
    return np.asarray(W, dtype=np.float64) * (value / now)


def last_step_gradient(h, dh_T):
    """The upstream gradient of a loss on the last step only: dh (T, B, H), zero but for
    dh[-1] = dh_T (B, H).

    >>> last_step_gradient(np.zeros((3, 1, 2)), np.ones((1, 2)))[:, 0]
    array([[0., 0.],
           [0., 0.],
           [1., 1.]])
    """
    h = check_ndim("h", as_float_array("h", h), 3, "(T, B, H)")
    dh_T = check_shape("dh_T", as_float_array("dh_T", dh_T), h.shape[1:], "(B, H)")
    dh = np.zeros_like(h)
    dh[-1] = dh_T
    return dh


def rnn_state_gradients(dh, cache):
    """g_t = dL/dh_t for every step: the loop of `rnn_backward`, keeping each g_t.

    Inputs:
        dh: (T, B, H) the gradient reaching each h_t from outside the layer, as for
        `rnn_backward`; cache: from `rnn_forward`
    Returns:
        g: (T, B, H) with g[t-1] = g_t; dh0: (B, H) = dL/dh_0

    >>> from lstm_lib.rnn import init_rnn_params
    >>> params = init_rnn_params(1, 2, np.random.default_rng(0))
    >>> h, cache = rnn_forward(np.ones((4, 1, 1)), np.zeros((1, 2)), params)
    >>> g, dh0 = rnn_state_gradients(last_step_gradient(h, np.ones((1, 2))), cache)
    >>> g.shape, g[-1]
    ((4, 1, 2), array([[1., 1.]]))
    """
    steps = check_cache(cache, "rnn_forward", "rnn_state_gradients")["steps"]
    B, H = steps[0]["h_prev"].shape
    dh = check_shape("dh", as_float_array("dh", dh), (len(steps), B, H), "(T, B, H)")
    g = np.empty_like(dh)
    dh_next = np.zeros((B, H), dtype=dh.dtype)  # nothing comes after step T
    for t in reversed(range(len(steps))):
        g[t] = dh[t] + dh_next
        dh_next = rnn_step_backward(g[t], steps[t])[1]  # g_t J_t
    return g, dh_next


def rnn_step_jacobians(h, weight_hh):
    """J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh for every step and sequence:
    h (T, B, H) -> (T, B, H, H). Row i of J[t-1, b] belongs to unit i of h_t; a
    row-vector gradient multiplies it on the left, g_{t-1} = g_t J_t.

    >>> rnn_step_jacobians(np.zeros((1, 1, 2)), 0.5 * np.eye(2))[0, 0]
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    h = check_ndim("h", as_float_array("h", h), 3, "(T, B, H)")
    weight_hh = check_shape("weight_hh", _square("weight_hh", weight_hh),
                            (h.shape[2],) * 2, "(H, H)")
    # (T, B, H, 1) * (H, H): row i scaled
    return (1.0 - h ** 2)[..., :, None] * weight_hh


def norms_by_lag(g, dh0):
    """||g_{T-k}|| / ||g_T|| for the lags k = 0, 1, ..., T, from g (T, B, H) and
    dL/dh_0 (B, H).

    Each norm is over the whole batch (all sequences and units); entry T is h_0's:
    (T + 1,).

    >>> norms_by_lag(np.array([[[4.0]], [[2.0]]]), np.array([[1.0]]))
    array([1. , 2. , 0.5])
    """
    g = check_ndim("g", as_float_array("g", g), 3, "(T, B, H)")
    dh0 = check_shape("dh0", as_float_array("dh0", dh0), g.shape[1:], "(B, H)")
    states = np.concatenate([dh0[None], g])[::-1]  # (T + 1, B, H): states[k] = g_{T-k}
    norms = np.linalg.norm(states.reshape(states.shape[0], -1), axis=1)
    if norms[0] == 0:
        raise ValueError("g[-1] is zero: the ratio to the last step's gradient is "
                         "undefined")
    return norms / norms[0]


def rnn_gradient_by_lag(x, h0, params, dh_T):
    """How much of a last-step gradient dh_T (B, H) reaches each earlier state of the
    RNN.

    Runs `rnn_forward` on x (T, B, D) from h0 (B, H), then the backward loop with a loss
    on step T only. Returns ||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0..T, shape (T + 1,).

    >>> from lstm_lib.rnn import init_rnn_params
    >>> params = init_rnn_params(1, 4, np.random.default_rng(0))
    >>> x, h0, dh_T = np.zeros((5, 1, 1)), np.zeros((1, 4)), np.ones((1, 4))
    >>> ratios = rnn_gradient_by_lag(x, h0, params, dh_T)
    >>> ratios.shape, float(ratios[0])
    ((6,), 1.0)
    """
    h, cache = rnn_forward(x, h0, params)
    g, dh0 = rnn_state_gradients(last_step_gradient(h, dh_T), cache)
    return norms_by_lag(g, dh0)


# --- the LSTM: two states, h_t and the cell state c_t ---------------------------------
# Along the cell state alone one step back is elementwise, dL/dc_{t-1} = dL/dc_t * f_t
# (the "belt"); the paths through h_{t-1} and the gates add to it.
# `lstm_state_gradients` keeps both.

LSTM_STATES = ("c", "h")


def lstm_state_gradients(dh, cache, dc_T=None):
    """dL/dh_t and dL/dc_t for every step: the loop of `lstm_backward`, keeping each of
    them.

    Inputs:
        dh: (T, B, H) the gradient reaching each h_t from outside the layer, as for
        `lstm_backward`; cache: from `lstm_forward`; dc_T: (B, H), optional, on c_T
    Returns:
        dh_total, dc_total: (T, B, H), with [t-1] = dL/dh_t (from outside and from
        step t+1) and dL/dc_t (along the belt and through h_t); dh0, dc0: (B, H)

    >>> from lstm_lib.lstm import init_lstm_params
    >>> params = init_lstm_params(1, 2, np.random.default_rng(0))
    >>> zeros = np.zeros((1, 2))
    >>> h, c, cache = lstm_forward(np.ones((4, 1, 1)), zeros, zeros, params)
    >>> dh_total, dc_total, dh0, dc0 = lstm_state_gradients(np.ones_like(h), cache)
    >>> dc_total.shape
    (4, 1, 2)
    """
    steps = check_cache(cache, "lstm_forward", "lstm_state_gradients")["steps"]
    B, H = steps[0]["h_prev"].shape
    dh = check_shape("dh", as_float_array("dh", dh), (len(steps), B, H), "(T, B, H)")
    dh_total, dc_total = np.empty_like(dh), np.empty_like(dh)
    dh_next = np.zeros((B, H), dtype=dh.dtype)
    dc_next = np.zeros_like(dh_next) if dc_T is None else \
        check_shape("dc_T", as_float_array("dc_T", dc_T), (B, H), "(B, H)")
    for t in reversed(range(len(steps))):
        step = steps[t]
        dh_total[t] = dh[t] + dh_next
        # as in lstm_step_backward: the path through h_t = o_t * tanh(c_t)
        # joins the belt
        dc_total[t] = dc_next + dh_total[t] * step["o"] * (1.0 - step["tanh_c"] ** 2)
        _, dh_next, dc_next, _ = lstm_step_backward(dh_total[t], dc_next, step)
    return dh_total, dc_total, dh_next, dc_next


def lstm_gradient_by_lag(x, h0, c0, params, dh_T, state="c"):
    """How much of a last-step gradient dh_T (B, H) reaches each earlier state of the
    LSTM.

    Runs `lstm_forward` on x (T, B, D) from h0, c0 (B, H), then the backward loop with a
    loss on h_T only. state="c" gives ||dL/dc_{T-k}|| / ||dL/dc_T||, state="h" gives
    ||dL/dh_{T-k}|| / ||dL/dh_T|| (the measure of `rnn_gradient_by_lag`);
    k = 0..T: (T + 1,).

    >>> from lstm_lib.lstm import init_lstm_params
    >>> params = init_lstm_params(1, 2, np.random.default_rng(0), forget_bias=0.0)
    >>> zeros = np.zeros((1, 2))
    >>> x = np.zeros((3, 1, 1))
    >>> lstm_gradient_by_lag(x, zeros, zeros, params, np.ones((1, 2))).round(3)
    array([1.   , 0.607, 0.376, 0.188])
    """
    if state not in LSTM_STATES:
        raise ValueError(f"state must be one of {LSTM_STATES}, got {state!r}")
    h, _, cache = lstm_forward(x, h0, c0, params)
    dh_total, dc_total, dh0, dc0 = lstm_state_gradients(last_step_gradient(h, dh_T),
                                                        cache)
    return norms_by_lag(dc_total, dc0) if state == "c" else norms_by_lag(dh_total, dh0)

"""How gradients travel back in time, measured with the library's own backward pass.

A loss on the last step sends a gradient g_T = dL/dh_T into the network; backpropagation through time
carries it back to every earlier state, g_t = dL/dh_t. For the tanh RNN (row vectors, as in `rnn.py`)

    g_{t-1} = g_t J_t,   J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh   (H, H), row i = unit i of h_t,

so ||g_t|| <= ||g_T|| * sigma_max(W_hh)^(T - t).

The cell-independent helpers take plain arrays: `spectral_radius`, `largest_singular_value`,
`rescale_matrix`, `last_step_gradient`, `norms_by_lag`. The RNN-specific ones are named ``rnn_*``;
a later cell (the LSTM) adds its own ``*_state_gradients`` and reuses the rest.
"""
import numpy as np

from .checks import as_float_array, check_ndim, check_shape
from .rnn import rnn_forward

MEASURES = ("spectral_radius", "largest_singular_value")


def _square(name, W):
    W = as_float_array(name, W)
    check_ndim(name, W, 2, "(H, H)")
    return check_shape(name, W, (W.shape[0], W.shape[0]), "(H, H)")


def spectral_radius(W):
    """rho(W): the largest absolute value of the eigenvalues of the square matrix W (H, H)."""
    return float(np.max(np.abs(np.linalg.eigvals(_square("W", W)))))


def largest_singular_value(W):
    """sigma_max(W) = max ||v W|| over unit vectors v: the most W (H, H) can stretch a vector."""
    return float(np.linalg.norm(_square("W", W), 2))


def rescale_matrix(W, value, measure="spectral_radius"):
    """W (H, H) times the factor that makes its `measure` equal `value` (a copy; W is not changed).

    measure: "spectral_radius" (rho) or "largest_singular_value" (sigma_max); rho <= sigma_max always.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value) or value < 0:
        raise ValueError(f"value must be a finite number >= 0, got {value!r}")
    now = spectral_radius(W) if measure == "spectral_radius" else largest_singular_value(W)
    if now == 0:
        raise ValueError(f"W has {measure} 0: no factor can give it {value}")
    return np.asarray(W, dtype=np.float64) * (value / now)


def last_step_gradient(h, dh_T):
    """The upstream gradient of a loss on the last step only: dh (T, B, H), zero except dh[-1] = dh_T (B, H)."""
    h = as_float_array("h", h)
    check_ndim("h", h, 3, "(T, B, H)")
    dh_T = check_shape("dh_T", as_float_array("dh_T", dh_T), h.shape[1:], "(B, H)")
    dh = np.zeros_like(h)
    dh[-1] = dh_T
    return dh


def rnn_state_gradients(dh, cache):
    """g_t = dL/dh_t for every step, the recursion of `rnn_backward` keeping each g_t.

    dh (T, B, H): the gradient reaching each h_t from outside the layer, as for `rnn_backward`;
    cache: from `rnn_forward`. Returns g (T, B, H), with g[t-1] = g_t, and dL/dh_0 (B, H).
    """
    h, weight_hh = cache["h"], cache["params"]["weight_hh"]
    dh = check_shape("dh", as_float_array("dh", dh), h.shape, "(T, B, H)")
    g = np.empty_like(h)
    dh_next = np.zeros_like(h[0])  # (B, H): nothing comes after step T
    for t in reversed(range(h.shape[0])):
        g[t] = dh[t] + dh_next
        dh_next = (g[t] * (1.0 - h[t] ** 2)) @ weight_hh  # g_t J_t: (B, H) @ (H, H)
    return g, dh_next


def rnn_step_jacobians(h, weight_hh):
    """J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh for every step and sequence: h (T, B, H) -> (T, B, H, H).

    Row i of J[t-1, b] belongs to unit i of h_t; a row-vector gradient multiplies it on the left,
    g_{t-1} = g_t J_t.
    """
    h = as_float_array("h", h)
    check_ndim("h", h, 3, "(T, B, H)")
    weight_hh = check_shape("weight_hh", _square("weight_hh", weight_hh), (h.shape[2],) * 2, "(H, H)")
    return (1.0 - h ** 2)[..., :, None] * weight_hh  # (T, B, H, 1) * (H, H): row i scaled by 1 - h_t[i]^2


def norms_by_lag(g, dh0):
    """||g_{T-k}|| / ||g_T|| for the lags k = 0, 1, ..., T, from g (T, B, H) and dL/dh_0 (B, H).

    Each norm is taken over the whole batch (all sequences and units); entry T is h_0's. Returns (T + 1,).
    """
    g = as_float_array("g", g)
    check_ndim("g", g, 3, "(T, B, H)")
    dh0 = check_shape("dh0", as_float_array("dh0", dh0), g.shape[1:], "(B, H)")
    states = np.concatenate([dh0[None], g])[::-1]  # (T + 1, B, H): states[k] = g_{T-k}
    norms = np.linalg.norm(states.reshape(states.shape[0], -1), axis=1)
    if norms[0] == 0:
        raise ValueError("g[-1] is zero: the ratio to the gradient at the last step is undefined")
    return norms / norms[0]


def rnn_gradient_by_lag(x, h0, params, dh_T):
    """How much of a last-step gradient dh_T (B, H) reaches each earlier state of the RNN.

    Runs `rnn_forward` on x (T, B, D) from h0 (B, H), then the backward recursion with a loss on step T
    only. Returns ||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0..T, shape (T + 1,).
    """
    h, cache = rnn_forward(x, h0, params)
    g, dh0 = rnn_state_gradients(last_step_gradient(h, dh_T), cache)
    return norms_by_lag(g, dh0)


# --- the LSTM: two states, h_t and the cell state c_t ---------------------------------------------------
# Along the cell state alone one step back is elementwise, dL/dc_{t-1} = dL/dc_t * f_t (the "belt");
# the paths through h_{t-1} and the gates add to it. `lstm_state_gradients` keeps both totals.

from .lstm import _backward, lstm_forward  # noqa: E402 - the LSTM helpers build on the layer's own recursion

LSTM_STATES = ("c", "h")


def lstm_state_gradients(dh, cache, dc_T=None):
    """dL/dh_t and dL/dc_t for every step, from the recursion of `lstm_backward` (the same code).

    dh (T, B, H): the gradient reaching each h_t from outside the layer, as for `lstm_backward`;
    cache: from `lstm_forward`; dc_T (B, H), optional: a gradient on the final cell state.
    Returns dh_total (T, B, H) and dc_total (T, B, H), with dh_total[t-1] = dL/dh_t (from outside and
    from step t+1) and dc_total[t-1] = dL/dc_t, then dL/dh_0 and dL/dc_0 (B, H).
    """
    if not isinstance(cache, dict) or not all(k in cache for k in ("h", "c", "acts", "params")):
        raise ValueError("cache must be the dict returned by lstm_forward (keys 'x', 'h0', 'c0', 'h', 'c', ...)")
    h = cache["h"]
    state_grads = {"h": np.empty_like(h), "c": np.empty_like(h)}  # `_backward` checks dh against h
    _, dh0, dc0, _ = _backward(dh, cache, dc_T, state_grads=state_grads)
    return state_grads["h"], state_grads["c"], dh0, dc0


def lstm_gradient_by_lag(x, h0, c0, params, dh_T, state="c"):
    """How much of a last-step gradient dh_T (B, H) reaches each earlier state of the LSTM.

    Runs `lstm_forward` on x (T, B, D) from h0, c0 (B, H), then the backward recursion with a loss on
    h_T only. state="c" (default) gives ||dL/dc_{T-k}|| / ||dL/dc_T||, state="h" gives
    ||dL/dh_{T-k}|| / ||dL/dh_T|| (the measure of `rnn_gradient_by_lag`); k = 0..T, shape (T + 1,).
    """
    if state not in LSTM_STATES:
        raise ValueError(f"state must be one of {LSTM_STATES}, got {state!r}")
    h, _, cache = lstm_forward(x, h0, c0, params)
    dh_total, dc_total, dh0, dc0 = lstm_state_gradients(last_step_gradient(h, dh_T), cache)
    return norms_by_lag(dc_total, dc0) if state == "c" else norms_by_lag(dh_total, dh0)

"""The LSTM cell one gate at a time, in the form of the diagrams: every gate reads the concatenation [h_{t-1}, x_t].

Row vectors, one step of a batch of B sequences (H hidden units, D inputs)::

    hx_t = [h_{t-1}, x_t]                  (B, H + D)   concatenation, h first
    f_t  = sigmoid(hx_t W_f + b_f)          (B, H)       forget gate
    i_t  = sigmoid(hx_t W_i + b_i)          (B, H)       input gate
    g_t  = tanh(hx_t W_g + b_g)             (B, H)       candidate (written C~_t in many diagrams)
    o_t  = sigmoid(hx_t W_o + b_o)          (B, H)       output gate
    c_t  = f_t * c_{t-1} + i_t * g_t        (B, H)       cell state (* is elementwise)
    h_t  = o_t * tanh(c_t)                  (B, H)       hidden state

with W_k of shape (H + D, H) and b_k of shape (H,) for k in i, f, g, o. torch.nn.LSTM stores the same
numbers in four fused arrays (see `lstm.py`); `split_gates` and `fuse_gates` convert between the two.
"""
import numpy as np

from .checks import as_float_array, check_ndim, check_params, check_shape, matrix_shape

GATES = ("i", "f", "g", "o")  # torch's order of the four blocks in weight_ih, weight_hh, bias_ih, bias_hh


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), elementwise, without overflow and accurate in both tails.

    e^-|z| never overflows: 1 / (1 + e^-z) for z >= 0, and e^z / (1 + e^z) for z < 0.
    """
    z = as_float_array("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def concat_hx(h_prev, x_t):
    """[h_prev, x_t]: h_prev (B, H) and x_t (B, D) side by side -> (B, H + D). H and D are independent."""
    h_prev = check_ndim("h_prev", as_float_array("h_prev", h_prev), 2, "(B, H)")
    x_t = check_ndim("x_t", as_float_array("x_t", x_t), 2, "(B, D)")
    check_shape("x_t", x_t, (h_prev.shape[0], None), "(B, D) with B from h_prev")
    return np.concatenate([h_prev, x_t], axis=1)


def _affine(hx, W, b):
    """hx (B, H + D) @ W (H + D, H) + b (H,), with the shapes checked."""
    hx = check_ndim("hx", as_float_array("hx", hx), 2, "(B, H + D)")
    W = check_ndim("W", as_float_array("W", W), 2, "(H + D, H)")
    check_shape("W", W, (hx.shape[1], None), "(H + D, H) with H + D from hx")
    b = check_shape("b", as_float_array("b", b), (W.shape[1],), "(H,) with H from W")
    return hx @ W + b


def gate(hx, W, b):
    """A gate: sigmoid(hx W + b), values in (0, 1). hx (B, H + D), W (H + D, H), b (H,) -> (B, H)."""
    return sigmoid(_affine(hx, W, b))


def candidate(hx, W, b):
    """The candidate values: tanh(hx W + b), values in (-1, 1). Shapes as in `gate`."""
    return np.tanh(_affine(hx, W, b))


def _same_shapes(**arrays):
    arrays = {name: as_float_array(name, a) for name, a in arrays.items()}
    first_name, first = next(iter(arrays.items()))
    for name, a in arrays.items():
        check_shape(name, a, first.shape, f"(the shape of {first_name})")
    return arrays.values()


def cell_update(f, c_prev, i, g):
    """The new cell state c_t = f * c_prev + i * g: keep part of the old memory, write part of the candidate.

    All four arrays share one shape, (B, H) or (H,).
    """
    f, c_prev, i, g = _same_shapes(f=f, c_prev=c_prev, i=i, g=g)
    return f * c_prev + i * g


def hidden_state(o, c):
    """The new hidden state h_t = o * tanh(c): the cell state squashed to (-1, 1), then gated. o, c same shape."""
    o, c = _same_shapes(o=o, c=c)
    return o * np.tanh(c)


def gate_weight_shapes(input_size, hidden_size):
    """The shapes of the per-gate weights: W_k (H + D, H) and b_k (H,) for k in i, f, g, o."""
    D, H = input_size, hidden_size
    shapes = {}
    for k in GATES:
        shapes[f"W_{k}"] = (None if H is None or D is None else H + D, H)
        shapes[f"b_{k}"] = (H,)
    return shapes


def _check_weights(weights):
    HD, H = matrix_shape(weights, "W_f", "(H + D, H)")
    return check_params(weights, gate_weight_shapes(None if HD is None else HD - H, H), name="weights")


def lstm_cell(x_t, h_prev, c_prev, weights):
    """One LSTM step, gate by gate: x_t (B, D), h_prev (B, H), c_prev (B, H) -> (h_t, c_t, acts).

    `weights` holds W_i, W_f, W_g, W_o (H + D, H) and b_i, b_f, b_g, b_o (H,); `acts` is a dict of the
    four activations i, f, g, o, each (B, H), for a reader who wants to look inside.
    """
    weights = _check_weights(weights)
    H = weights["W_f"].shape[1]
    check_shape("h_prev", as_float_array("h_prev", h_prev), (None, H), "(B, H)")
    check_shape("c_prev", as_float_array("c_prev", c_prev), np.shape(h_prev), "(B, H) like h_prev")
    hx = concat_hx(h_prev, x_t)  # (B, H + D)
    acts = {k: (candidate if k == "g" else gate)(hx, weights[f"W_{k}"], weights[f"b_{k}"]) for k in GATES}
    c_t = cell_update(acts["f"], c_prev, acts["i"], acts["g"])
    return hidden_state(acts["o"], c_t), c_t, acts


def split_gates(params):
    """torch's fused layout -> the per-gate form: W_k = [W_hk^T ; W_ik^T] (H + D, H), b_k = b_ik + b_hk.

    `params`: weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,), gate blocks in order
    i, f, g, o. The rows of W_k that meet h come first, because hx = [h_prev, x_t].
    """
    from .lstm import check_lstm_params, gate_rows  # the layer module owns the fused layout

    params = check_lstm_params(params)
    H = params["weight_hh"].shape[1]
    weights = {}
    for k in GATES:
        rows = gate_rows(k, H)
        weights[f"W_{k}"] = np.concatenate([params["weight_hh"][rows].T, params["weight_ih"][rows].T], axis=0)
        weights[f"b_{k}"] = params["bias_ih"][rows] + params["bias_hh"][rows]
    return weights


def fuse_gates(weights):
    """The per-gate form -> torch's fused layout (the inverse of `split_gates` up to the bias split).

    torch keeps two biases where one would do; only their sum matters, so b_k goes to bias_ih and
    bias_hh is zero. Returns weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,).
    """
    weights = _check_weights(weights)
    H = weights["W_f"].shape[1]
    params = {
        "weight_ih": np.concatenate([weights[f"W_{k}"][H:].T for k in GATES]),  # (4H, D)
        "weight_hh": np.concatenate([weights[f"W_{k}"][:H].T for k in GATES]),  # (4H, H)
        "bias_ih": np.concatenate([weights[f"b_{k}"] for k in GATES]),
    }
    params["bias_hh"] = np.zeros_like(params["bias_ih"])
    return params

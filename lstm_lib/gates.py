"""The LSTM cell one gate at a time, in the form of the diagrams: every gate reads
[h_{t-1}, x_t].

Chapters "Gates: the building blocks" to "The output gate". Row vectors, one step of a
batch of B sequences (H hidden units, D inputs)::

    hx_t = [h_{t-1}, x_t]              (B, H + D)   concatenation, h first
    f_t  = sigmoid(hx_t W_f + b_f)     (B, H)       forget gate
    i_t  = sigmoid(hx_t W_i + b_i)     (B, H)       input gate
    g_t  = tanh(hx_t W_g + b_g)        (B, H)       candidate (C~_t in many diagrams)
    o_t  = sigmoid(hx_t W_o + b_o)     (B, H)       output gate
    c_t  = f_t * c_{t-1} + i_t * g_t   (B, H)       cell state (* is elementwise)
    h_t  = o_t * tanh(c_t)             (B, H)       hidden state

with W_k of shape (H + D, H) and b_k of shape (H,) for k in i, f, g, o. torch.nn.LSTM
stores the same numbers in four fused arrays (`lstm`, whose `split_gates` and
`fuse_gates` convert).
"""
import numpy as np

from .validation import (
    as_float_array,
    check_dict,
    check_int,
    check_ndim,
    check_number,
    check_rng,
    check_same_dtype,
    check_same_shapes,
    check_shape,
)

GATES = ("i", "f", "g", "o")  # torch's order of the four blocks of its fused arrays


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), elementwise, without overflow, exact in
    both tails.

    Written as e^min(z, 0) / (1 + e^-|z|): both exponents are <= 0, so nothing
    overflows. For z >= 0 that is 1 / (1 + e^-z); for z < 0 it is e^z / (1 + e^z), the
    same fraction with numerator and denominator multiplied by e^z.

    >>> sigmoid(np.array([-1000.0, 0.0, 2.0]))
    array([0.        , 0.5       , 0.88079708])
    """
    z = as_float_array("z", z)
    return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


def concat_hx(h_prev, x_t):
    """[h_prev, x_t]: h_prev (B, H) and x_t (B, D) side by side -> (B, H + D); H and D
    are free.

    >>> concat_hx(np.zeros((1, 3)), np.ones((1, 4))).shape
    (1, 7)
    """
    h_prev = check_ndim("h_prev", as_float_array("h_prev", h_prev), 2, "(B, H)")
    x_t = check_ndim("x_t", as_float_array("x_t", x_t), 2, "(B, D)")
    check_shape("x_t", x_t, (h_prev.shape[0], None), "(B, D) with B from h_prev")
    return np.concatenate([h_prev, x_t], axis=1)


def affine(hx, W, b):
    """The layer inside every gate: hx (B, H + D) @ W (H + D, H) + b (H,) -> (B, H),
    shapes checked.

    >>> affine(np.ones((1, 7)), np.ones((7, 3)), np.zeros(3))
    array([[7., 7., 7.]])
    """
    hx = check_ndim("hx", as_float_array("hx", hx), 2, "(B, H + D)")
    W = check_ndim("W", as_float_array("W", W), 2, "(H + D, H)")
    check_shape("W", W, (hx.shape[1], None), "(H + D, H) with H + D from hx")
    b = check_shape("b", as_float_array("b", b), (W.shape[1],), "(H,) with H from W")
    return hx @ W + b


def gate(hx, W, b):
    """A gate: sigmoid(hx W + b), values in (0, 1).
    hx (B, H + D), W (H + D, H), b (H,) -> (B, H).

    >>> gate(np.ones((1, 2)), np.zeros((2, 3)), np.zeros(3))
    array([[0.5, 0.5, 0.5]])
    """
    return sigmoid(affine(hx, W, b))


def candidate(hx, W, b):
    """The candidate values: tanh(hx W + b), values in (-1, 1). Shapes as in `gate`.

    >>> candidate(np.ones((1, 2)), np.zeros((2, 3)), np.zeros(3))
    array([[0., 0., 0.]])
    """
    return np.tanh(affine(hx, W, b))


def cell_update(f, c_prev, i, g):
    """The new cell state c_t = f * c_prev + i * g: keep part of the old memory, write
    part of the candidate. All four arrays share one shape, (B, H) or (H,).

    >>> cell_update(np.array([0.5, 1.0, 0.5]), np.array([6.0, 8.0, 9.0]),
    ...             np.zeros(3), np.zeros(3))
    array([3. , 8. , 4.5])
    """
    f, c_prev, i, g = check_same_shapes(f=f, c_prev=c_prev, i=i, g=g)
    return f * c_prev + i * g


def hidden_state(o, c):
    """The new hidden state h_t = o * tanh(c): the cell state squashed to (-1, 1), then
    gated.

    o and c share one shape.

    >>> hidden_state(np.array([1.0, 0.5]), np.array([0.0, 100.0]))
    array([0. , 0.5])
    """
    o, c = check_same_shapes(o=o, c=c)
    return o * np.tanh(c)


def gate_weight_shapes(input_size, hidden_size):
    """The shapes of the per-gate weights: W_k (H + D, H) and b_k (H,) for k in
    i, f, g, o.

    >>> gate_weight_shapes(4, 3)["W_f"]
    (7, 3)
    """
    D, H = input_size, hidden_size
    shapes = {}
    for k in GATES:
        shapes[f"W_{k}"] = (None if H is None or D is None else H + D, H)
        shapes[f"b_{k}"] = (H,)
    return shapes


def check_gate_weights(weights):
    """`weights` checked as the per-gate form: W_i .. W_o (H + D, H), b_i .. b_o (H,),
    one dtype.

    >>> check_gate_weights({"W_f": np.zeros((7, 3))})
    Traceback (most recent call last):
    ...
    ValueError: weights is missing key(s) \
['W_i', 'W_g', 'W_o', 'b_i', 'b_f', 'b_g', 'b_o']; expected the keys \
W_i, W_f, W_g, W_o, b_i, b_f, b_g, b_o
    """
    keys = [f"W_{k}" for k in GATES] + [f"b_{k}" for k in GATES]
    check_dict(weights, keys, name="weights", made_by="split_gates")
    out = {k: as_float_array(f"weights['{k}']", weights[k]) for k in keys}
    HD, H = check_ndim("weights['W_f']", out["W_f"], 2, "(H + D, H)").shape
    if HD <= H:
        raise ValueError(f"weights['W_f'] must have shape (H + D, H), more rows than "
                         f"columns, got {(HD, H)}")
    for key, shape in gate_weight_shapes(HD - H, H).items():
        letters = "(H + D, H)" if key[0] == "W" else "(H,)"
        check_shape(f"weights['{key}']", out[key], shape, f"{letters} with H = {H}")
    check_same_dtype(**out)
    return out


def init_gate_weights(input_size, hidden_size, rng, forget_bias=None):
    """Per-gate weights drawn as torch draws a fresh `nn.LSTM`: every entry of W_k
    (H + D, H) uniform in [-1/sqrt(H), 1/sqrt(H)], and b_k (H,) the sum of two such
    draws, because torch keeps two bias vectors and adds them. forget_bias, if given,
    sets b_f to that value (e.g. 1.0, Jozefowicz et al. 2015).

    The same distribution as `lstm.split_gates(lstm.init_lstm_params(...))`, not the
    same numbers (the draws come in another order).

    >>> w = init_gate_weights(4, 3, np.random.default_rng(0), forget_bias=1.0)
    >>> w["W_f"].shape, w["b_f"]
    ((7, 3), array([1., 1., 1.]))
    """
    check_int("input_size", input_size, 1)
    check_int("hidden_size", hidden_size, 1)
    check_rng(rng)
    D, H = input_size, hidden_size
    bound = 1.0 / np.sqrt(H)
    weights = {}
    for k in GATES:
        weights[f"W_{k}"] = rng.uniform(-bound, bound, size=(H + D, H))
        weights[f"b_{k}"] = rng.uniform(-bound, bound, size=(2, H)).sum(axis=0)
    if forget_bias is not None:
        weights["b_f"] = np.full(H, check_number("forget_bias", forget_bias))
    return weights


def lstm_cell(x_t, h_prev, c_prev, weights):
    """One LSTM step, gate by gate:
    x_t (B, D), h_prev (B, H), c_prev (B, H) -> (h_t, c_t, acts).

    `weights` holds W_i, W_f, W_g, W_o (H + D, H) and b_i, b_f, b_g, b_o (H,); `acts` is
    a dict of the four activations i, f, g, o, each (B, H), for a reader who wants to
    look inside.

    >>> weights = ({f"W_{k}": np.zeros((5, 2)) for k in GATES}
    ...            | {f"b_{k}": np.zeros(2) for k in GATES})
    >>> h_t, c_t, acts = lstm_cell(np.ones((1, 3)), np.zeros((1, 2)), np.ones((1, 2)),
    ...                            weights)
    >>> c_t, acts["f"]
    (array([[0.5, 0.5]]), array([[0.5, 0.5]]))
    """
    weights = check_gate_weights(weights)
    H = weights["W_f"].shape[1]
    check_shape("h_prev", as_float_array("h_prev", h_prev), (None, H), "(B, H)")
    check_shape("c_prev", as_float_array("c_prev", c_prev), np.shape(h_prev),
                "(B, H) like h_prev")
    hx = concat_hx(h_prev, x_t)  # (B, H + D)
    acts = {k: (candidate if k == "g" else gate)(hx, weights[f"W_{k}"],
                                                 weights[f"b_{k}"])
            for k in GATES}
    c_t = cell_update(acts["f"], c_prev, acts["i"], acts["g"])
    return hidden_state(acts["o"], c_t), c_t, acts

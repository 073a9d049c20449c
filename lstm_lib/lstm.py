"""The LSTM in torch's layout: one step and its backward pass, and the loops over a
sequence.

Chapters "The complete LSTM" (forward, the fused layout) and "Backpropagation through an
LSTM". Same equations, names and parameter layout as ``torch.nn.LSTM`` (one layer,
time-major)::

    i_t = sigmoid(x_t W_ii^T + b_ii + h_{t-1} W_hi^T + b_hi)     input gate
    f_t = sigmoid(x_t W_if^T + b_if + h_{t-1} W_hf^T + b_hf)     forget gate
    g_t = tanh(   x_t W_ig^T + b_ig + h_{t-1} W_hg^T + b_hg)     candidate
    o_t = sigmoid(x_t W_io^T + b_io + h_{t-1} W_ho^T + b_ho)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

weight_ih (4H, D) stacks W_ii, W_if, W_ig, W_io in the gate order i, f, g, o; weight_hh
(4H, H), bias_ih (4H,) and bias_hh (4H,) likewise. Shapes: x (T, B, D); h0, c0 (B, H);
h, c (T, B, H). The per-gate form of the diagrams, W_k (H + D, H) on [h, x], is in
`gates`; `split_gates` and `fuse_gates` convert between the two.
"""
import numpy as np

from .gates import GATES, check_gate_weights, sigmoid
from .lengths import check_lengths, step_mask
from .validation import (
    as_float_array,
    check_cache,
    check_cell_inputs,
    check_flag,
    check_int,
    check_layer_params,
    check_number,
    check_rng,
    check_shape,
)


def lstm_param_shapes(input_size, hidden_size):
    """The shape of each parameter, under torch's names: four gate blocks of H rows
    each.

    >>> lstm_param_shapes(3, 2)
    {'weight_ih': (8, 3), 'weight_hh': (8, 2), 'bias_ih': (8,), 'bias_hh': (8,)}
    """
    D, H = input_size, hidden_size
    return {"weight_ih": (4 * H, D), "weight_hh": (4 * H, H), "bias_ih": (4 * H,),
            "bias_hh": (4 * H,)}


def gate_rows(gate, hidden_size):
    """The rows of gate `gate` ("i", "f", "g" or "o") in the fused arrays: a slice of
    H rows.

    >>> gate_rows("g", 3)
    slice(6, 9, None)
    """
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    n = GATES.index(gate)
    return slice(n * hidden_size, (n + 1) * hidden_size)


def init_lstm_params(input_size, hidden_size, rng, forget_bias=None, input_bias=None):
    """Draw parameters as torch does: every entry uniform in [-1/sqrt(H), 1/sqrt(H)],
    float64.

    forget_bias: if given, the forget gate's total bias starts at this value
    (bias_ih's f block set to it, bias_hh's to 0), e.g. 1.0 (Jozefowicz et al. 2015);
    input_bias: the same for the input gate, e.g. -3.0 (Hochreiter & Schmidhuber
    1997). None keeps torch's draw.

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0), forget_bias=1.0)
    >>> params["weight_ih"].shape, params["bias_ih"][2:4] + params["bias_hh"][2:4]
    ((8, 3), array([1., 1.]))
    """
    check_int("input_size", input_size, 1)
    check_int("hidden_size", hidden_size, 1)
    check_rng(rng)
    bound = 1.0 / np.sqrt(hidden_size)
    shapes = lstm_param_shapes(input_size, hidden_size)
    params = {k: rng.uniform(-bound, bound, size=shape) for k, shape in shapes.items()}
    for gate, name, bias in (("f", "forget_bias", forget_bias),
                             ("i", "input_bias", input_bias)):
        if bias is not None:
            rows = gate_rows(gate, hidden_size)
            params["bias_ih"][rows] = check_number(name, bias)
            params["bias_hh"][rows] = 0.0
    return params


def check_lstm_params(params):
    """`params` checked as an LSTM's dict (keys, float dtype, fused shapes): returns it.

    >>> check_lstm_params([np.zeros((8, 3))])
    Traceback (most recent call last):
    ...
    ValueError: params must be a dict with the keys weight_ih, weight_hh, bias_ih, \
bias_hh (as init_lstm_params returns), got a list of 1 items
    """
    return check_layer_params(params, 4, made_by="init_lstm_params")


def check_lstm_inputs(x, h, c, params, step=False):
    """The inputs of `lstm_forward` (step=False: x (T, B, D), h0, c0) or of `lstm_step`
    (step=True: x_t (B, D), h_prev, c_prev), checked against params and each other.

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0))
    >>> check_lstm_inputs(np.ones((4, 3)), np.zeros((2, 4)), np.zeros((2, 4)), params)
    Traceback (most recent call last):
    ...
    ValueError: x must have 3 dimensions (T, B, D), got 2 with shape (4, 3)
    """
    params = check_lstm_params(params)
    states = {"h_prev": h, "c_prev": c} if step else {"h0": h, "c0": c}
    H = params["weight_hh"].shape[1]
    x, h, c = check_cell_inputs(x, states, params["weight_ih"], H, step)
    return x, h, c, params


def lstm_step(x_t, h_prev, c_prev, params, forget_gate=True):
    """One LSTM step, written as the equations read (torch.nn.LSTMCell)::

        z_t = x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh     (B, 4H), blocks i, f, g, o
        i_t, f_t, o_t = sigmoid of their blocks;  g_t = tanh of its block
        c_t = f_t * c_prev + i_t * g_t
        h_t = o_t * tanh(c_t)

    Inputs:
        x_t: (B, D); h_prev: (B, H); c_prev: (B, H);
        params: weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,);
        forget_gate: False fixes f_t = 1, the cell of Hochreiter & Schmidhuber (1997),
            which had no forget gate; the f rows of params are then unused (and
            `lstm_step_backward` gives them zero gradient, since f (1 - f) = 0)
    Returns:
        h_t: (B, H); c_t: (B, H); cache: what `lstm_step_backward` needs

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0))
    >>> zeros = np.zeros((1, 2))
    >>> h_t, c_t, cache = lstm_step(np.ones((1, 3)), zeros, zeros, params)
    >>> h_t.shape, cache["f"].shape
    ((1, 2), (1, 2))
    """
    x_t, h_prev, c_prev, params = check_lstm_inputs(x_t, h_prev, c_prev, params,
                                                    step=True)
    check_flag("forget_gate", forget_gate)
    z = x_t @ params["weight_ih"].T + params["bias_ih"] \
        + h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, 4H)
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)  # (B, H) each, torch's order i, f, g, o
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
    if not forget_gate:
        f = np.ones_like(z_f)  # the 1997 cell: c_t = c_prev + i_t * g_t
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    cache = {"made_by": "lstm_step", "x_t": x_t, "h_prev": h_prev, "c_prev": c_prev,
             "i": i, "f": f, "g": g, "o": o, "tanh_c": tanh_c, "params": params}
    return h_t, c_t, cache


def lstm_step_backward(dh_t, dc_t, cache):
    """One step back through the cell: the chain rule on each equation of `lstm_step`::

        dc   = dc_t + dh_t * o * (1 - tanh(c_t)^2)      all of dL/dc_t: the belt and h_t
        do   = dh_t * tanh(c_t)
        di   = dc * g,   dg = dc * i,   df = dc * c_prev,   dc_prev = dc * f
        dz   = [di * i(1-i), df * f(1-f), dg * (1-g^2), do * o(1-o)]     (B, 4H)
        dx_t = dz W_ih,  dh_prev = dz W_hh,  dW_ih = dz^T x_t,  dW_hh = dz^T h_prev

    Inputs:
        dh_t: (B, H) the whole gradient at h_t (from the output and from step t+1);
        dc_t: (B, H) the gradient at c_t from step t+1 (zero at the last step);
        cache: from `lstm_step`
    Returns:
        dx_t: (B, D); dh_prev: (B, H); dc_prev: (B, H);
        grads: this step's, keyed like params

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0))
    >>> zeros = np.zeros((1, 2))
    >>> h_t, c_t, cache = lstm_step(np.ones((1, 3)), zeros, zeros, params)
    >>> dh_t = np.ones((1, 2))
    >>> dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh_t, zeros, cache)
    >>> dx_t.shape, grads["weight_hh"].shape
    ((1, 3), (8, 2))
    """
    cache = check_cache(cache, "lstm_step", "lstm_step_backward")
    x_t, h_prev, c_prev, i, f, g, o, tanh_c, params = (cache[k] for k in (
        "x_t", "h_prev", "c_prev", "i", "f", "g", "o", "tanh_c", "params"))
    dh_t = check_shape("dh_t", as_float_array("dh_t", dh_t), i.shape, "(B, H)")
    dc_t = check_shape("dc_t", as_float_array("dc_t", dc_t), i.shape, "(B, H)")
    dc = dc_t + dh_t * o * (1.0 - tanh_c ** 2)  # h_t = o * tanh(c_t) joins the belt
    do = dh_t * tanh_c
    di, dg, df = dc * g, dc * i, dc * c_prev
    dz = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f),  # sigmoid' = s(1 - s)
                         dg * (1.0 - g ** 2),  # tanh' = 1 - g^2
                         do * o * (1.0 - o)], axis=1)
    grads = {"weight_ih": dz.T @ x_t,  # (4H, B) @ (B, D), summed over the batch
             "weight_hh": dz.T @ h_prev,  # (4H, H)
             "bias_ih": dz.sum(axis=0),
             "bias_hh": dz.sum(axis=0)}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc * f, grads


def lstm_forward(x, h0, c0, params, forget_gate=True, lengths=None):
    """Run the LSTM over a sequence, one `lstm_step` per time step.

    Inputs:
        x: (T, B, D) time-major; h0, c0: (B, H) the initial states;
        params, forget_gate: as `lstm_step`;
        lengths: optional (B,) ints in [1, T]: sequence b is read for its first
            lengths[b] steps only (x padded after them); its state then stays as it was
            and h, c are zero at the later steps (torch's packed sequences)
    Returns:
        h, c: (T, B, H) the states h_1 .. h_T and c_1 .. c_T
        (h[-1], c[-1] are the last; with lengths, `lengths.last_step(h, lengths)`);
        cache: for `lstm_backward`. It refers to params: do not change them before the
        backward pass.

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0))
    >>> zeros = np.zeros((1, 2))
    >>> h, c, cache = lstm_forward(np.ones((5, 1, 3)), zeros, zeros, params)
    >>> h.shape, c.shape
    ((5, 1, 2), (5, 1, 2))
    """
    x, h0, c0, params = check_lstm_inputs(x, h0, c0, params)
    check_int("the number of steps T of x", x.shape[0], 1)
    T, B = x.shape[:2]
    mask = np.ones((T, B, 1), bool) if lengths is None else \
        step_mask(check_lengths(lengths, B, T), T)  # (T, B, 1): step t of b is real
    h, c = (np.zeros(x.shape[:2] + h0.shape[1:], dtype=x.dtype) for _ in range(2))
    steps = []
    h_t, c_t = h0, c0
    for t in range(T):
        x_t = np.where(mask[t], x[t], 0.0)  # padding never read, not even a NaN in it
        h_new, c_new, step_cache = lstm_step(x_t, h_t, c_t, params, forget_gate)
        h_t, c_t = np.where(mask[t], h_new, h_t), np.where(mask[t], c_new, c_t)
        h[t], c[t] = h_t * mask[t], c_t * mask[t]  # zero after a sequence's end
        steps.append(step_cache)
    return h, c, {"made_by": "lstm_forward", "steps": steps, "mask": mask}


def lstm_backward(dh, cache, dc_T=None):
    """Backpropagation through time: `lstm_step_backward` from the last step to the
    first.

    dh[t] is the gradient of the loss at h_t through what the user did with it; the
    paths through later steps (dh_next, dc_next) are added here, and the step gradients
    summed. With `lengths` in the forward pass, a sequence's padded steps pass dh_next
    and dc_next through unchanged and ignore dh there.

    Inputs:
        dh: (T, B, H); cache: from `lstm_forward`;
        dc_T: (B, H), optional, a gradient on c_T
    Returns:
        dx: (T, B, D); dh0, dc0: (B, H);
        grads: keyed like params, summed over time and batch

    >>> params = init_lstm_params(3, 2, np.random.default_rng(0))
    >>> zeros = np.zeros((1, 2))
    >>> h, c, cache = lstm_forward(np.ones((5, 1, 3)), zeros, zeros, params)
    >>> dx, dh0, dc0, grads = lstm_backward(np.ones_like(h), cache)
    >>> dx.shape, dc0.shape, grads["bias_hh"].shape
    ((5, 1, 3), (1, 2), (8,))
    """
    cache = check_cache(cache, "lstm_forward", "lstm_backward")
    steps = cache["steps"]
    first = steps[0]
    T, (B, H), D = len(steps), first["h_prev"].shape, first["x_t"].shape[1]
    dh = check_shape("dh", as_float_array("dh", dh), (T, B, H), "(T, B, H)")
    mask = cache.get("mask", np.ones((T, B, 1), bool))  # (T, B, 1), from lengths
    dtype = first["x_t"].dtype
    dh_next = np.zeros((B, H), dtype=dtype)  # the gradient reaching h_t from step t+1
    dc_next = np.zeros((B, H), dtype=dtype) if dc_T is None else \
        check_shape("dc_T", as_float_array("dc_T", dc_T), (B, H), "(B, H)")
    grads = {k: np.zeros_like(v) for k, v in first["params"].items()}
    dx = np.empty((T, B, D), dtype=dtype)
    for t in reversed(range(T)):
        m = mask[t]  # padded rows: a zero gradient into the step, the carry passes by
        dx[t], dh_prev, dc_prev, step_grads = lstm_step_backward(
            np.where(m, dh[t] + dh_next, 0.0), np.where(m, dc_next, 0.0), steps[t])
        dh_next, dc_next = np.where(m, dh_prev, dh_next), np.where(m, dc_prev, dc_next)
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, dc_next, grads


def split_gates(params):
    """torch's fused layout -> the per-gate form of `gates`:
    W_k = [W_hk^T ; W_ik^T] (H + D, H) and b_k = b_ik + b_hk, for k in i, f, g, o. The
    rows of W_k that meet h come first, because the gates read [h_prev, x_t].

    >>> weights = split_gates(init_lstm_params(3, 2, np.random.default_rng(0)))
    >>> weights["W_f"].shape, weights["b_f"].shape
    ((5, 2), (2,))
    """
    params = check_lstm_params(params)
    H = params["weight_hh"].shape[1]
    weights = {}
    for k in GATES:
        rows = gate_rows(k, H)
        weights[f"W_{k}"] = np.concatenate([params["weight_hh"][rows].T,
                                            params["weight_ih"][rows].T], axis=0)
        weights[f"b_{k}"] = params["bias_ih"][rows] + params["bias_hh"][rows]
    return weights


def fuse_gates(weights):
    """The per-gate form -> torch's fused layout (the inverse of `split_gates` up to the
    bias split). Only the sum of torch's two biases matters: b_k goes to bias_ih,
    bias_hh is zero.

    >>> weights = split_gates(init_lstm_params(3, 2, np.random.default_rng(0)))
    >>> params = fuse_gates(weights)
    >>> params["weight_ih"].shape, float(abs(params["bias_hh"]).max())
    ((8, 3), 0.0)
    """
    weights = check_gate_weights(weights)
    H = weights["W_f"].shape[1]
    params = {
        # (4H, D)
        "weight_ih": np.concatenate([weights[f"W_{k}"][H:].T for k in GATES]),
        # (4H, H)
        "weight_hh": np.concatenate([weights[f"W_{k}"][:H].T for k in GATES]),
        "bias_ih": np.concatenate([weights[f"b_{k}"] for k in GATES]),
    }
    params["bias_hh"] = np.zeros_like(params["bias_ih"])
    return params

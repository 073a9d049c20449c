"""The LSTM layer in numpy: forward over a sequence and backpropagation through time, in torch's layout.

Same equations, names and parameter layout as ``torch.nn.LSTM`` (one layer, time-major)::

    i_t = sigmoid(x_t W_ii^T + b_ii + h_{t-1} W_hi^T + b_hi)     input gate
    f_t = sigmoid(x_t W_if^T + b_if + h_{t-1} W_hf^T + b_hf)     forget gate
    g_t = tanh(   x_t W_ig^T + b_ig + h_{t-1} W_hg^T + b_hg)     candidate
    o_t = sigmoid(x_t W_io^T + b_io + h_{t-1} W_ho^T + b_ho)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

weight_ih (4H, D) stacks W_ii, W_if, W_ig, W_io in the gate order i, f, g, o; weight_hh (4H, H),
bias_ih (4H,) and bias_hh (4H,) likewise. Shapes: x (T, B, D); h0, c0 (B, H); h, c (T, B, H).
The per-gate form of the diagrams is in `gates.py`.
"""
import numpy as np

from .checks import (as_float_array, check_ndim, check_params, check_same_dtype, check_shape, check_sizes_and_rng,
                     matrix_shape)
from .gates import GATES, sigmoid  # GATES: torch's gate order i, f, g, o


def lstm_param_shapes(input_size, hidden_size):
    """The shape of each parameter, under torch's names: four gate blocks of H rows each."""
    D, H = input_size, hidden_size
    return {"weight_ih": (4 * H, D), "weight_hh": (4 * H, H), "bias_ih": (4 * H,), "bias_hh": (4 * H,)}


def gate_rows(gate, hidden_size):
    """The rows of gate `gate` ("i", "f", "g" or "o") in the fused arrays: a slice of length H."""
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    n = GATES.index(gate)
    return slice(n * hidden_size, (n + 1) * hidden_size)


def init_lstm_params(input_size, hidden_size, rng, forget_bias=None):
    """Draw parameters as torch does: every entry uniform in [-1/sqrt(H), 1/sqrt(H)], float64.

    forget_bias: if given, the forget gate's total bias starts at this value (bias_ih's f block set to it,
    bias_hh's f block to 0), e.g. 1.0 as Jozefowicz et al. (2015) recommend; None keeps torch's draw.
    """
    check_sizes_and_rng(rng, input_size=input_size, hidden_size=hidden_size)
    bound = 1.0 / np.sqrt(hidden_size)
    params = {k: rng.uniform(-bound, bound, size=s) for k, s in lstm_param_shapes(input_size, hidden_size).items()}
    if forget_bias is not None:
        if isinstance(forget_bias, bool) or not np.isscalar(forget_bias) or not np.isfinite(forget_bias):
            raise ValueError(f"forget_bias must be a finite number or None, got {forget_bias!r}")
        f = gate_rows("f", hidden_size)
        params["bias_ih"][f] = forget_bias
        params["bias_hh"][f] = 0.0
    return params


def check_lstm_params(params):
    """Check an LSTM parameter dict (keys, float dtype, the fused shapes above); return it with arrays."""
    GH, H = matrix_shape(params, "weight_hh", "(4H, H)")
    if GH is not None and GH != 4 * H:
        raise ValueError(f"params['weight_hh'] must have shape (4H, H) = {(4 * H, H)} for H = {H}, got {(GH, H)}")
    params = check_params(params, lstm_param_shapes(None, H))
    return check_params(params, lstm_param_shapes(params["weight_ih"].shape[1], H))


def _check_state(name, arr, B, H, x_name, x_shape):
    arr = as_float_array(name, arr)
    try:
        return check_shape(name, arr, (B, H), "(B, H)")
    except ValueError as err:  # B comes from x: say so, since a batch-first x is the usual cause
        raise ValueError(f"{err} (B = {B} is read from {x_name} of shape {x_shape}; "
                         f"lstm_lib is time-major: is {x_name} batch-first?)") from None


def _check_inputs(x, h_prev, c_prev, params, names=("x", "h0", "c0"), x_letters="(T, B, D)"):
    params = check_lstm_params(params)
    H, D = params["weight_hh"].shape[1], params["weight_ih"].shape[1]
    x = as_float_array(names[0], x)
    check_ndim(names[0], x, len(x_letters.split(",")), x_letters)
    check_shape(names[0], x, (None,) * (x.ndim - 1) + (D,), x_letters)
    h_prev = _check_state(names[1], h_prev, x.shape[-2], H, names[0], x.shape)
    c_prev = _check_state(names[2], c_prev, x.shape[-2], H, names[0], x.shape)
    check_same_dtype(**{names[0]: x, names[1]: h_prev, names[2]: c_prev, "params": params["weight_ih"]})
    return x, h_prev, c_prev, params


def lstm_step(x_t, h_prev, c_prev, params):
    """One step, written as the equations read: x_t (B, D), h_prev (B, H), c_prev (B, H) -> (h_t, c_t)."""
    x_t, h_prev, c_prev, params = _check_inputs(x_t, h_prev, c_prev, params, ("x_t", "h_prev", "c_prev"), "(B, D)")
    z = x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, 4H)
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)  # gate order i, f, g, o
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    h_t = sigmoid(z_o) * np.tanh(c_t)
    return h_t, c_t


def _activation_scale(H, dtype):
    """(4H,) factors s with act = s * tanh(s * z) + (1 - s) for all four gate blocks at once.

    sigmoid(z) = tanh(z/2)/2 + 1/2 (s = 1/2 on i, f, o) and tanh(z) = 1 * tanh(1 * z) + 0 (s = 1 on g):
    one tanh call over the whole (B, 4H) block gives every activation.
    """
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[gate_rows("g", H)] = 1.0
    return scale


def _gate_views(a, H):
    """The four gate blocks i, f, g, o of a (..., 4H) array, as views (..., H)."""
    return tuple(a[..., n * H:(n + 1) * H] for n in range(4))


def lstm_forward(x, h0, c0, params):
    """Run the LSTM over a sequence: x (T, B, D), h0 (B, H), c0 (B, H) -> (h, c, cache).

    h and c (T, B, H) hold h_t and c_t of every step t = 1..T (h[-1], c[-1] are the final states).
    The cache keeps what `lstm_backward` needs; it refers to `params`, so do not update them in between.
    """
    x, h0, c0, params = _check_inputs(x, h0, c0, params)
    T, B, D = x.shape
    H = h0.shape[1]
    scale = _activation_scale(H, x.dtype)
    offset = 1.0 - scale
    # The input part of every step in one product, the biases as the weights of a constant input 1:
    # [x_t, 1] (T*B, D+1) @ [W_ih^T; b_ih + b_hh] (D+1, 4H), pre-scaled by s for the single tanh below.
    x1 = np.ones((T * B, D + 1), dtype=x.dtype)
    x1[:, :D] = x.reshape(T * B, D)
    w_in = np.vstack([params["weight_ih"].T, params["bias_ih"] + params["bias_hh"]]) * scale
    acts = (x1 @ w_in).reshape(T, B, 4 * H)  # pre-activations, then activations in place
    w_hh = np.ascontiguousarray(params["weight_hh"].T * scale)  # (H, 4H)
    i, f, g, o = _gate_views(acts, H)  # each (T, B, H)
    h, c, tanh_c = (np.empty((T, B, H), dtype=x.dtype) for _ in range(3))
    recur, ig = np.empty((B, 4 * H), dtype=x.dtype), np.empty((B, H), dtype=x.dtype)  # reused every step
    h_prev, c_prev = h0, c0
    for t in range(T):
        z = acts[t]  # (B, 4H)
        np.matmul(h_prev, w_hh, out=recur)
        z += recur
        np.tanh(z, out=z)
        z *= scale
        z += offset  # now z holds i_t, f_t, g_t, o_t
        np.multiply(f[t], c_prev, out=c[t])
        np.multiply(i[t], g[t], out=ig)
        c[t] += ig  # c_t = f_t * c_{t-1} + i_t * g_t
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(o[t], tanh_c[t], out=h[t])  # h_t = o_t * tanh(c_t)
        h_prev, c_prev = h[t], c[t]
    cache = {"x": x, "h0": h0, "c0": c0, "h": h, "c": c, "tanh_c": tanh_c, "acts": acts, "params": params}
    return h, c, cache


def lstm_backward(dh, cache, dc_T=None):
    """Backpropagation through time: dh (T, B, H) -> (dx, dh0, dc0, grads).

    dh[t] is the gradient of the loss with respect to the output h_t, through what the layer's user did
    with it; the paths through later steps (dh_next, dc_next) are added here. dc_T (B, H), optional, is a
    gradient on the final cell state c_T. dx has the shape of x, dh0 and dc0 of h0, grads the keys and
    shapes of params.
    """
    return _backward(dh, cache, dc_T)


def _local_factors(n, acts, c_prev, tanh_c, H, out):
    """The factors of one chunk of steps that do not depend on the incoming gradient, written into `out`.

    With dh = dL/dh_t and dc = dL/dc_t, the pre-activation gradients of step t are
        dz_i = dc * g * i(1-i),  dz_f = dc * c_{t-1} * f(1-f),  dz_g = dc * i * (1-g^2)   -> out["ifg"]
        dz_o = dh * tanh(c_t) * o(1-o)                                                    -> out["o"]
    and dL/dc_t = dc_next + dh * o * (1 - tanh(c_t)^2)                                     -> out["dc_dh"]
    """
    i, f, g, o = _gate_views(acts, H)  # (n, B, H) each
    ifg, tmp = out["ifg"][:n], out["tmp"][:n]  # (n, B, 3, H), (n, B, H)
    for k, (gate, other) in enumerate([(i, g), (f, c_prev)]):
        np.subtract(1.0, gate, out=tmp)
        tmp *= gate  # sigmoid'(z) = s(1 - s)
        np.multiply(other, tmp, out=ifg[:, :, k])
    np.multiply(g, g, out=tmp)
    np.subtract(1.0, tmp, out=tmp)  # tanh'(z) = 1 - tanh(z)^2
    np.multiply(i, tmp, out=ifg[:, :, 2])
    np.subtract(1.0, o, out=tmp)
    tmp *= o
    np.multiply(tanh_c, tmp, out=out["o"][:n])
    np.multiply(tanh_c, tanh_c, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    np.multiply(o, tmp, out=out["dc_dh"][:n])


def _backward(dh, cache, dc_T=None, state_grads=None):
    """The recursion of `lstm_backward`. If `state_grads` is a dict of two (T, B, H) arrays "h" and "c",
    they are filled with dL/dh_t and dL/dc_t of every step (for `gradflow`).

    Steps are taken in chunks: the gradient-free factors of a chunk are computed in a few array
    operations (`_local_factors`), then the steps of the chunk run with six operations each.
    """
    x, h0, c0, h, c, tanh_c, acts, params = (cache[k] for k in ("x", "h0", "c0", "h", "c", "tanh_c", "acts", "params"))
    T, B, H = h.shape
    dh = check_shape("dh", as_float_array("dh", dh), h.shape, "(T, B, H)")
    dc_next = np.zeros_like(c0) if dc_T is None else check_shape("dc_T", as_float_array("dc_T", dc_T), c0.shape, "(B, H)").copy()
    dh_next = np.zeros_like(h0)  # (B, H): gradient reaching h_t from step t+1
    c_prev = np.concatenate([c0[None], c[:-1]])  # (T, B, H): the cell state each step read
    dz = np.empty_like(acts)  # (T, B, 4H): dL/d(pre-activation), gate order i, f, g, o
    dz_ifg, dz_o = dz.reshape(T, B, 4, H)[:, :, :3], dz[:, :, 3 * H:]
    f = _gate_views(acts, H)[1]
    n = max(1, min(T, 2 ** 16 // (B * 4 * H)))  # steps per chunk: a chunk's factors stay in cache
    factors = {"ifg": np.empty((n, B, 3, H), h.dtype), "o": np.empty((n, B, H), h.dtype),
               "dc_dh": np.empty((n, B, H), h.dtype), "tmp": np.empty((n, B, H), h.dtype)}
    dh_t, dc = np.empty_like(h0), np.empty_like(c0)
    dc_row, weight_hh = dc[:, None, :], params["weight_hh"]  # (B, 1, H) view of dc, to scale three gates at once
    for end in range(T, 0, -n):
        start = max(0, end - n)
        chunk = slice(start, end)
        _local_factors(end - start, acts[chunk], c_prev[chunk], tanh_c[chunk], H, factors)
        for t in reversed(range(start, end)):
            j = t - start
            np.add(dh[t], dh_next, out=dh_t)  # dL/dh_t: from outside and from step t+1
            np.multiply(dh_t, factors["o"][j], out=dz_o[t])
            np.multiply(dh_t, factors["dc_dh"][j], out=dc)
            dc += dc_next  # dL/dc_t
            np.multiply(dc_row, factors["ifg"][j], out=dz_ifg[t])
            np.multiply(dc, f[t], out=dc_next)  # along the belt: dL/dc_{t-1} = dL/dc_t * f_t
            np.matmul(dz[t], weight_hh, out=dh_next)  # (B, 4H) @ (4H, H)
            if state_grads is not None:
                state_grads["h"][t], state_grads["c"][t] = dh_t, dc
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, B, H): the hidden state each step read
    dz2 = dz.reshape(T * B, 4 * H)
    grads = {
        "weight_ih": dz2.T @ x.reshape(T * B, -1),  # (4H, D), summed over time and batch
        "weight_hh": dz2.T @ h_prev.reshape(T * B, H),  # (4H, H)
        "bias_ih": dz2.sum(axis=0),
    }
    grads["bias_hh"] = grads["bias_ih"].copy()  # both biases enter the same sum
    dx = (dz2 @ params["weight_ih"]).reshape(x.shape)  # (T*B, 4H) @ (4H, D)
    return dx, dh_next, dc_next, grads

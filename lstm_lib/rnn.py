"""The vanilla (Elman) RNN layer in numpy: forward over a sequence and backpropagation through time.

Same equation, names and parameter layout as ``torch.nn.RNN(nonlinearity="tanh")``::

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

Shapes: x (T, B, D), h0 (B, H), h (T, B, H); weight_ih (H, D), weight_hh (H, H), bias_ih (H,), bias_hh (H,).
"""
import numpy as np

from .checks import (as_float_array, check_ndim, check_params, check_same_dtype, check_shape, check_sizes_and_rng,
                     matrix_shape)


def rnn_param_shapes(input_size, hidden_size):
    """The shape of each parameter, under torch's names."""
    D, H = input_size, hidden_size
    return {"weight_ih": (H, D), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}


def init_rnn_params(input_size, hidden_size, rng):
    """Draw parameters as torch does: every entry uniform in [-1/sqrt(H), 1/sqrt(H)], float64.

    `rng` is a ``numpy.random.Generator``; the four arrays are drawn in the order of `rnn_param_shapes`.
    """
    check_sizes_and_rng(rng, input_size=input_size, hidden_size=hidden_size)
    bound = 1.0 / np.sqrt(hidden_size)
    shapes = rnn_param_shapes(input_size, hidden_size)
    return {key: rng.uniform(-bound, bound, size=shape) for key, shape in shapes.items()}


def _check_params(params):
    H = matrix_shape(params, "weight_hh", "(H, H)")[0]  # the square matrix fixes H; D is then weight_ih's
    params = check_params(params, rnn_param_shapes(None, H))
    return check_params(params, rnn_param_shapes(params["weight_ih"].shape[1], H))


def _check_inputs(x, h_prev, params, names=("x", "h0"), x_letters="(T, B, D)"):
    params = _check_params(params)
    H, D = params["weight_ih"].shape
    x = as_float_array(names[0], x)
    check_ndim(names[0], x, len(x_letters.split(",")), x_letters)
    check_shape(names[0], x, (None,) * (x.ndim - 1) + (D,), x_letters)
    h_prev = as_float_array(names[1], h_prev)
    try:
        check_shape(names[1], h_prev, (x.shape[-2], H), "(B, H)")
    except ValueError as err:  # B comes from x: say so, since a batch-first x is the usual cause
        raise ValueError(f"{err} (B = {x.shape[-2]} is read from {names[0]} of shape {x_letters} = {x.shape}; "
                         f"lstm_lib is time-major: is {names[0]} batch-first?)") from None
    check_same_dtype(**{names[0]: x, names[1]: h_prev, "params": params["weight_ih"]})
    return x, h_prev, params


def rnn_step(x_t, h_prev, params):
    """One step of the cell: x_t (B, D), h_prev (B, H) -> h_t (B, H)."""
    x_t, h_prev, params = _check_inputs(x_t, h_prev, params, names=("x_t", "h_prev"), x_letters="(B, D)")
    return np.tanh(x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"])


def rnn_forward(x, h0, params):
    """Run the RNN over a sequence: x (T, B, D), h0 (B, H) -> h (T, B, H) holding every h_t, and a cache.

    The cache keeps what `rnn_backward` needs; it refers to `params`, so do not update them in between.
    """
    x, h0, params = _check_inputs(x, h0, params)
    x_proj = x @ params["weight_ih"].T + params["bias_ih"]  # (T, B, H): the input part of every step at once
    h = np.empty(x.shape[:2] + h0.shape[-1:], dtype=x.dtype)
    h_prev = h0
    for t in range(x.shape[0]):
        h[t] = np.tanh(x_proj[t] + h_prev @ params["weight_hh"].T + params["bias_hh"])
        h_prev = h[t]
    return h, {"x": x, "h0": h0, "h": h, "params": params}


def rnn_backward(dh, cache):
    """Backpropagation through time: dh (T, B, H) -> (dx, dh0, grads).

    dh[t] is the gradient of the loss with respect to the output h_t, taken through what the layer's
    user did with h_t (a readout, a loss); the path through later steps is added here, as dh_next.
    dx has the shape of x, dh0 of h0, and grads the keys and shapes of params.
    """
    x, h0, h, params = cache["x"], cache["h0"], cache["h"], cache["params"]
    dh = check_shape("dh", as_float_array("dh", dh), h.shape, "(T, B, H)")
    da = np.empty_like(h)  # (T, B, H): dL/da_t, a_t the pre-activation of step t
    dh_next = np.zeros_like(h0)  # (B, H): gradient reaching h_t from step t+1
    for t in reversed(range(h.shape[0])):
        da[t] = (dh[t] + dh_next) * (1.0 - h[t] ** 2)  # tanh'(a) = 1 - tanh(a)^2
        dh_next = da[t] @ params["weight_hh"]  # (B, H) @ (H, H)
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, B, H): the state each step read
    grads = {
        "weight_ih": np.tensordot(da, x, axes=([0, 1], [0, 1])),  # (H, D), summed over time and batch
        "weight_hh": np.tensordot(da, h_prev, axes=([0, 1], [0, 1])),  # (H, H)
        "bias_ih": da.sum(axis=(0, 1)),
        "bias_hh": da.sum(axis=(0, 1)),
    }
    dx = da @ params["weight_ih"]  # (T, B, H) @ (H, D)
    return dx, dh_next, grads

"""The vanilla (Elman) RNN: one step and its backward pass, and the loops over a
sequence.

Forward in the chapter "The recurrent cell", backward in "Backpropagation through time".
Same equation, names and layout as ``torch.nn.RNN(nonlinearity="tanh")``, time-major::

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

Shapes: x (T, B, D), h0 (B, H), h (T, B, H); weight_ih (H, D), weight_hh (H, H),
bias_ih (H,), bias_hh (H,). Gradients come back in dicts with the keys of params.
"""
import numpy as np

from .validation import (
    as_float_array,
    check_cache,
    check_cell_inputs,
    check_int,
    check_layer_params,
    check_rng,
    check_shape,
)


def rnn_param_shapes(input_size, hidden_size):
    """The shape of each parameter, under torch's names.

    >>> rnn_param_shapes(3, 2)
    {'weight_ih': (2, 3), 'weight_hh': (2, 2), 'bias_ih': (2,), 'bias_hh': (2,)}
    """
    D, H = input_size, hidden_size
    return {"weight_ih": (H, D), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}


def init_rnn_params(input_size, hidden_size, rng):
    """Draw parameters as torch does: every entry uniform in [-1/sqrt(H), 1/sqrt(H)],
    float64.

    The arrays are drawn from `rng` (a numpy Generator) in the order of
    `rnn_param_shapes`.

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> params["weight_hh"].shape, bool(abs(params["weight_hh"]).max() <= 2 ** -0.5)
    ((2, 2), True)
    """
    check_int("input_size", input_size, 1)
    check_int("hidden_size", hidden_size, 1)
    check_rng(rng)
    bound = 1.0 / np.sqrt(hidden_size)
    shapes = rnn_param_shapes(input_size, hidden_size)
    return {key: rng.uniform(-bound, bound, size=shape)
            for key, shape in shapes.items()}


def check_rnn_params(params):
    """`params` checked as an RNN's dict (keys, float dtype, shapes): returns it with
    arrays.

    >>> check_rnn_params({"weight_ih": np.zeros((2, 3))})
    Traceback (most recent call last):
    ...
    ValueError: params is missing key(s) ['weight_hh', 'bias_ih', 'bias_hh']; \
expected the keys weight_ih, weight_hh, bias_ih, bias_hh
    """
    return check_layer_params(params, 1, made_by="init_rnn_params")


def check_rnn_inputs(x, h, params, step=False):
    """The inputs of `rnn_forward` (step=False: x (T, B, D), h0) or of `rnn_step`
    (step=True: x_t (B, D), h_prev), checked against params and each other.

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> check_rnn_inputs(np.ones((4, 3)), np.zeros((2, 4)), params, step=True)
    Traceback (most recent call last):
    ...
    ValueError: h_prev must have shape (B, H) = (4, 2), got (2, 4) (B = 4 is read from \
x_t of shape (4, 3); lstm_lib is time-major: is x_t batch-first?)
    """
    params = check_rnn_params(params)
    state = "h_prev" if step else "h0"
    H = params["weight_hh"].shape[0]
    x, h = check_cell_inputs(x, {state: h}, params["weight_ih"], H, step)
    return x, h, params


def rnn_step(x_t, h_prev, params):
    """One step of the cell::

        h_t = tanh(x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh)

    Inputs:
        x_t: (B, D) the inputs of this step; h_prev: (B, H) the previous state;
        params: weight_ih (H, D), weight_hh (H, H), bias_ih (H,), bias_hh (H,)
    Returns:
        h_t: (B, H) the new state; cache: what `rnn_step_backward` needs

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> h_t, cache = rnn_step(np.ones((1, 3)), np.zeros((1, 2)), params)
    >>> h_t.shape
    (1, 2)
    """
    x_t, h_prev, params = check_rnn_inputs(x_t, h_prev, params, step=True)
    a_t = x_t @ params["weight_ih"].T + params["bias_ih"] \
        + h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, H)
    h_t = np.tanh(a_t)
    cache = {"made_by": "rnn_step", "x_t": x_t, "h_prev": h_prev, "h_t": h_t,
             "params": params}
    return h_t, cache


def rnn_step_backward(dh_t, cache):
    """One step back: the gradient at h_t, through the tanh, to the inputs and the
    weights::

        da_t = dh_t * (1 - h_t^2)                   (tanh' from its output)
        dx_t = da_t W_ih,   dh_prev = da_t W_hh
        dW_ih = da_t^T x_t, dW_hh = da_t^T h_prev,
        db_ih = db_hh = sum over the batch of da_t

    Inputs:
        dh_t: (B, H) the whole gradient of the loss at h_t (from the output and from
        step t+1);
        cache: from `rnn_step`
    Returns:
        dx_t: (B, D); dh_prev: (B, H);
        grads: the gradients of this step, keyed like params

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> h_t, cache = rnn_step(np.ones((1, 3)), np.zeros((1, 2)), params)
    >>> dx_t, dh_prev, grads = rnn_step_backward(np.ones((1, 2)), cache)
    >>> dx_t.shape, grads["weight_ih"].shape
    ((1, 3), (2, 3))
    """
    cache = check_cache(cache, "rnn_step", "rnn_step_backward")
    x_t, h_prev, h_t, params = (cache[k] for k in ("x_t", "h_prev", "h_t", "params"))
    dh_t = check_shape("dh_t", as_float_array("dh_t", dh_t), h_t.shape, "(B, H)")
    da_t = dh_t * (1.0 - h_t ** 2)  # (B, H): tanh'(a) = 1 - tanh(a)^2
    grads = {"weight_ih": da_t.T @ x_t,  # (H, B) @ (B, D), summed over the batch
             "weight_hh": da_t.T @ h_prev,  # (H, H)
             "bias_ih": da_t.sum(axis=0),
             "bias_hh": da_t.sum(axis=0)}
    return da_t @ params["weight_ih"], da_t @ params["weight_hh"], grads


def rnn_forward(x, h0, params):
    """Run the cell over a sequence, one `rnn_step` per time step.

    Inputs:
        x: (T, B, D) the inputs, time-major; h0: (B, H) the initial state;
        params: as `rnn_step`
    Returns:
        h: (T, B, H) every state h_1 .. h_T (h[-1] is the last);
        cache: for `rnn_backward`. The cache refers to params: do not change them before
        the backward pass.

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> h, cache = rnn_forward(np.ones((5, 1, 3)), np.zeros((1, 2)), params)
    >>> h.shape
    (5, 1, 2)
    """
    x, h0, params = check_rnn_inputs(x, h0, params)
    check_int("the number of steps T of x", x.shape[0], 1)
    h = np.empty(x.shape[:2] + h0.shape[1:], dtype=x.dtype)
    steps = []
    h_t = h0
    for t in range(x.shape[0]):
        h_t, step_cache = rnn_step(x[t], h_t, params)
        h[t] = h_t
        steps.append(step_cache)
    return h, {"made_by": "rnn_forward", "steps": steps}


def rnn_backward(dh, cache):
    """Backpropagation through time: `rnn_step_backward` from the last step to the
    first.

    dh[t] is the gradient of the loss at h_t through what the user did with it (a
    readout, a loss); the path through later steps, dh_next, is added here. The step
    gradients are summed: the same weights act at every step.

    Inputs:
        dh: (T, B, H); cache: from `rnn_forward`
    Returns:
        dx: (T, B, D); dh0: (B, H); grads: keyed like params, summed over time and batch

    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> h, cache = rnn_forward(np.ones((5, 1, 3)), np.zeros((1, 2)), params)
    >>> dx, dh0, grads = rnn_backward(np.ones_like(h), cache)
    >>> dx.shape, dh0.shape, sorted(grads)
    ((5, 1, 3), (1, 2), ['bias_hh', 'bias_ih', 'weight_hh', 'weight_ih'])
    """
    steps = check_cache(cache, "rnn_forward", "rnn_backward")["steps"]
    first = steps[0]
    T, (B, H), D = len(steps), first["h_prev"].shape, first["x_t"].shape[1]
    dh = check_shape("dh", as_float_array("dh", dh), (T, B, H), "(T, B, H)")
    grads = {k: np.zeros_like(v) for k, v in first["params"].items()}
    dx = np.empty((T, B, D), dtype=first["x_t"].dtype)
    # (B, H): the gradient reaching h_t from step t+1
    dh_next = np.zeros((B, H), dtype=dx.dtype)
    for t in reversed(range(T)):
        dx[t], dh_next, step_grads = rnn_step_backward(dh[t] + dh_next, steps[t])
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, grads

"""A small training loop: a recurrent layer (RNN or LSTM) and a linear readout, on a
task scored at the last step.

Chapters "Why RNNs forget" (the RNN) and "Training an LSTM". One update reads a fresh
batch, runs the layer from zero states, reads the prediction from the last state h_T
with ``linear_forward``, takes the loss, backpropagates (``linear_backward``, then
``rnn_backward`` or ``lstm_backward``), clips the global gradient norm
(``clip_grad_norm``) and lets ``Adam`` step. Which layer runs is read from the shape of
``weight_hh``: (H, H) for the RNN, (4H, H) for the LSTM. Everything random comes from
the ``rng`` passed in, so the same call gives the same network.
"""
import numpy as np

from .layers import check_linear_params, linear_backward, linear_forward, mse_loss
from .lstm import check_lstm_params, lstm_backward, lstm_forward
from .optim import Adam, clip_grad_norm
from .rnn import check_rnn_params, rnn_backward, rnn_forward
from .validation import (
    as_float_array,
    check_flag,
    check_int,
    check_ndim,
    check_number,
    check_rng,
)


def layer_kind(params):
    """"rnn" or "lstm": which recurrent layer `params` belong to, from weight_hh's
    shape, (H, H) or (4H, H). The params are checked as that layer's.

    >>> from lstm_lib.lstm import init_lstm_params
    >>> layer_kind(init_lstm_params(2, 3, np.random.default_rng(0)))
    'lstm'
    """
    shape = np.shape(params.get("weight_hh")) if isinstance(params, dict) else ()
    if len(shape) == 2 and shape[0] == 4 * shape[1]:
        check_lstm_params(params)
        return "lstm"
    check_rnn_params(params)  # explains what an RNN's params look like if they are not
    return "rnn"


def last_state(x, params, forget_gate=True):
    """Run the layer over x (T, B, D) from zero states -> h_T (B, H), cache.

    forget_gate: for an LSTM, False fixes f_t = 1 (the 1997 cell); an RNN has none.

    >>> from lstm_lib.rnn import init_rnn_params
    >>> h_T, cache = last_state(np.ones((5, 3, 2)), init_rnn_params(2, 4,
    ...                         np.random.default_rng(0)))
    >>> h_T.shape, cache["made_by"]
    ((3, 4), 'rnn_forward')
    """
    x = check_ndim("x", as_float_array("x", x), 3, "(T, B, D)")
    kind = layer_kind(params)
    if not check_flag("forget_gate", forget_gate) and kind == "rnn":
        raise ValueError("forget_gate=False is for an LSTM's params; "
                         "these are an RNN's, which has no forget gate")
    H = params["weight_hh"].shape[1]
    zeros = np.zeros((x.shape[1], H), dtype=x.dtype)  # h_0 (and c_0) = 0
    if kind == "lstm":
        h, _, cache = lstm_forward(x, zeros, zeros, params, forget_gate)
    else:
        h, cache = rnn_forward(x, zeros, params)
    return h[-1], cache


def last_state_backward(dh_T, cache):
    """The gradients of the layer's parameters when only h_T carries a loss:
    dh_T (B, H), the cache of `last_state` -> grads keyed like params.

    >>> from lstm_lib.lstm import init_lstm_params
    >>> h_T, cache = last_state(np.ones((5, 3, 2)), init_lstm_params(2, 4,
    ...                         np.random.default_rng(0)))
    >>> last_state_backward(np.ones((3, 4)), cache)["weight_hh"].shape
    (16, 4)
    """
    if not isinstance(cache, dict) or cache.get("made_by") not in ("rnn_forward",
                                                                   "lstm_forward"):
        raise ValueError("last_state_backward needs the cache that last_state returns")
    h_T = cache["steps"][-1]["h_prev"]  # (B, H), the same shape as h_T
    dh_T = as_float_array("dh_T", dh_T)
    if dh_T.shape != h_T.shape:
        raise ValueError(f"dh_T must have the shape of h_T (B, H) = {h_T.shape}, "
                         f"got {dh_T.shape}")
    dh = np.zeros((len(cache["steps"]),) + dh_T.shape, dtype=dh_T.dtype)
    dh[-1] = dh_T  # the other steps have no loss of their own
    if cache["made_by"] == "lstm_forward":
        return lstm_backward(dh, cache)[3]
    return rnn_backward(dh, cache)[2]


def predict_last(x, params, readout, forget_gate=True):
    """The readout of the last state: x (T, B, D) -> y_hat (B, O), starting from
    zero states; params of an RNN or an LSTM.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(2, 4, rng), init_linear_params(4, 1, rng)
    >>> predict_last(np.zeros((10, 3, 2)), params, readout).shape
    (3, 1)
    """
    h_T, _ = last_state(x, params, forget_gate)
    return linear_forward(h_T, readout)[0]


def check_batch(x, y):
    """A batch from `make_batch`, checked: x (T, B, D) floats, y one row per sequence.

    >>> check_batch(np.zeros((5, 3, 2)), np.zeros((2, 1)))
    Traceback (most recent call last):
    ...
    ValueError: y from make_batch must have B = 3 rows, one per sequence of x (T, B, \
D) = (5, 3, 2), got shape (2, 1) (lstm_lib is time-major: is x batch-first?)
    """
    x = check_ndim("x from make_batch", as_float_array("x from make_batch", x), 3,
                   "(T, B, D)")
    if np.shape(y)[:1] != x.shape[1:2]:  # one target per sequence of the batch
        raise ValueError(f"y from make_batch must have B = {x.shape[1]} rows, "
                         f"one per sequence of x (T, B, D) = {x.shape}, "
                         f"got shape {np.shape(y)} "
                         "(lstm_lib is time-major: is x batch-first?)")
    return x, y


def train_last_step(make_batch, params, readout, n_updates, rng, lr=1e-3, max_norm=1.0,
                    loss_fn=mse_loss, forget_gate=True, callback=None):
    """Train an RNN or an LSTM and its readout on the loss at the last step
    -> (params, readout, losses).

    make_batch(rng) -> (x (T, B, D), y): a fresh batch for each update; y is what
        `loss_fn` compares with the prediction y_hat (B, O): targets (B, O) for
        `mse_loss`, or class indices (B,) for `softmax_cross_entropy`.
    params: RNN or LSTM parameters (D -> H); readout: linear layer
        {weight (O, H), bias (O,)}. Both are copied, never changed; the trained copies
        are returned.
    forget_gate: for an LSTM, False trains the 1997 cell (f_t = 1).
    callback(n, loss, params, readout, grad_norm): called after update n (1, 2, ...)
        with that batch's loss, the current weights (do not change them) and the
        global gradient norm before clipping; if it returns True, training stops.
    losses (n,): the loss of each batch, before its update; n = n_updates unless the
        callback stopped training early.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.lstm import init_lstm_params
    >>> from lstm_lib.tasks import adding_problem
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_lstm_params(2, 8, rng), init_linear_params(8, 1, rng)
    >>> _, _, losses = train_last_step(lambda r: adding_problem(16, 10, r), params,
    ...                                readout, 200, rng, lr=1e-2)
    >>> bool(losses[-20:].mean() < losses[:20].mean())
    True
    """
    for name, fn, what in (("make_batch", make_batch, "rng -> (x, y)"),
                           ("loss_fn", loss_fn, "(y_hat, y) -> (loss, dy_hat)")):
        if not callable(fn):
            raise ValueError(f"{name} must be a function {what}, "
                             f"got {type(fn).__name__}")
    if callback is not None and not callable(callback):
        raise ValueError("callback must be None or a function (n, loss, params, "
                         f"readout, grad_norm) -> stop?, got {type(callback).__name__}")
    check_int("n_updates", n_updates, 1)
    check_rng(rng)
    check_number("lr", lr, positive=True)
    check_number("max_norm", max_norm, positive=True)
    layer_kind(params)  # an RNN's or an LSTM's, checked
    params = {k: np.array(v) for k, v in params.items()}  # copies
    readout = {k: np.array(v)
               for k, v in check_linear_params(readout, "readout").items()}
    # one dict of the same arrays (keys differ)
    optimizer = Adam({**params, **readout}, lr=lr)
    losses = np.empty(n_updates)
    for n in range(n_updates):
        x, y = check_batch(*make_batch(rng))
        h_T, cache = last_state(x, params, forget_gate)  # (B, H)
        y_hat, readout_cache = linear_forward(h_T, readout)  # (B, O): h_T is scored
        losses[n], dy_hat = loss_fn(y_hat, y)
        dh_T, readout_grads = linear_backward(dy_hat, readout_cache)  # (B, H)
        grads = {**last_state_backward(dh_T, cache), **readout_grads}
        grad_norm = clip_grad_norm(grads, max_norm)  # one norm over all six arrays
        optimizer.step(grads)
        if callback is not None and callback(n + 1, losses[n], params, readout,
                                             grad_norm):
            return params, readout, losses[: n + 1]
    return params, readout, losses

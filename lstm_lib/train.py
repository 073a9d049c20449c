"""A small training loop: a vanilla RNN and a linear readout, on a task scored at the
last step.

Chapter "Why RNNs forget". One update reads a fresh batch, runs ``rnn_forward``, reads
the prediction from the last state h_T with ``linear_forward``, takes the loss,
backpropagates (``linear_backward``, ``rnn_backward``), clips the global gradient norm
(``clip_grad_norm``) and lets ``Adam`` step. Everything random comes from the ``rng``
passed in, so the same call gives the same network.
"""
import numpy as np

from .layers import check_linear_params, linear_backward, linear_forward, mse_loss
from .optim import Adam, clip_grad_norm
from .rnn import check_rnn_params, rnn_backward, rnn_forward
from .validation import as_float_array, check_int, check_ndim, check_number, check_rng


def predict_last(x, params, readout):
    """The readout of the last state: x (T, B, D) -> y_hat (B, O), starting from
    h_0 = 0.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(2, 4, rng), init_linear_params(4, 1, rng)
    >>> predict_last(np.zeros((10, 3, 2)), params, readout).shape
    (3, 1)
    """
    x = check_ndim("x", as_float_array("x", x), 3, "(T, B, D)")
    H = check_rnn_params(params)["weight_hh"].shape[0]
    h, _ = rnn_forward(x, np.zeros((x.shape[1], H), dtype=x.dtype), params)
    return linear_forward(h[-1], readout)[0]


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
                    loss_fn=mse_loss):
    """Train an RNN and its readout on the loss at the last step
    -> (params, readout, losses).

    make_batch(rng) -> (x (T, B, D), y): a fresh batch for each update; y is what
        `loss_fn` compares with the prediction y_hat (B, O): targets (B, O) for
        `mse_loss`, or class indices (B,) for `softmax_cross_entropy`.
    params: RNN parameters (D -> H); readout: linear layer {weight (O, H), bias (O,)}.
        Both are copied, never changed; the trained copies are returned.
    losses (n_updates,): the loss of each batch, before its update.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> from lstm_lib.tasks import adding_problem
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(2, 8, rng), init_linear_params(8, 1, rng)
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
    check_int("n_updates", n_updates, 1)
    check_rng(rng)
    check_number("lr", lr, positive=True)
    check_number("max_norm", max_norm, positive=True)
    params = {k: np.array(v) for k, v in check_rnn_params(params).items()}  # copies
    readout = {k: np.array(v)
               for k, v in check_linear_params(readout, "readout").items()}
    H = params["weight_hh"].shape[0]
    # one dict of the same arrays (keys differ)
    optimizer = Adam({**params, **readout}, lr=lr)
    losses = np.empty(n_updates)
    for n in range(n_updates):
        x, y = check_batch(*make_batch(rng))
        # (T, B, H)
        h, cache = rnn_forward(x, np.zeros((x.shape[1], H), dtype=x.dtype), params)
        # (B, O): only h_T is scored
        y_hat, readout_cache = linear_forward(h[-1], readout)
        losses[n], dy_hat = loss_fn(y_hat, y)
        dh_T, readout_grads = linear_backward(dy_hat, readout_cache)  # (B, H)
        dh = np.zeros_like(h)
        dh[-1] = dh_T  # the other steps have no loss of their own
        _, _, rnn_grads = rnn_backward(dh, cache)
        grads = {**rnn_grads, **readout_grads}
        clip_grad_norm(grads, max_norm)  # one global norm over all six arrays
        optimizer.step(grads)
    return params, readout, losses

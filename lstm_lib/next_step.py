"""Next-step prediction over a sequence: a recurrent layer (RNN or LSTM), a linear
readout at every step, the cross-entropy of the next symbol, and truncated
backpropagation through time.

Chapter "The RNN learns". The loss of a chunk x (T, B, D) with targets (T, B) is the
mean cross-entropy over its T * B positions (``torch.nn.CrossEntropyLoss`` on the
logits reshaped to (T * B, V)). A *state* is the tuple the layer carries from step to
step: ``(h,)`` for an RNN, ``(h, c)`` for an LSTM, each (B, H); which layer runs is
read from ``weight_hh`` (``lstm_lib.train.layer_kind``). Truncated BPTT cuts a long
sequence into chunks of k steps, carries the last state of one chunk into the next, and
treats it there as a constant: no gradient crosses a chunk boundary (in torch, the
state is ``detach()``-ed). A trained model writes: `sample` draws one symbol at a time
from the `softmax` of its logits at a temperature and feeds it back as the next input.
"""
import numpy as np

from .data import encode, one_hot
from .layers import (
    check_linear_params,
    linear_backward,
    linear_forward,
    softmax_cross_entropy,
)
from .lstm import lstm_backward, lstm_forward
from .optim import Adam, clip_grad_norm
from .rnn import rnn_backward, rnn_forward
from .train import layer_kind
from .validation import (
    as_float_array,
    check_flag,
    check_int,
    check_ndim,
    check_number,
    check_rng,
    check_shape,
    check_text,
)


def zero_state(params, batch_size, dtype=np.float64):
    """The all-zero state of the layer of `params` for `batch_size` sequences:
    ``(h0,)`` for an RNN, ``(h0, c0)`` for an LSTM, each (B, H).

    >>> from lstm_lib.rnn import init_rnn_params
    >>> params = init_rnn_params(3, 2, np.random.default_rng(0))
    >>> [s.shape for s in zero_state(params, 5)]
    [(5, 2)]
    """
    n_states = 2 if layer_kind(params) == "lstm" else 1
    check_int("batch_size", batch_size, 1)
    H = params["weight_hh"].shape[1]
    return tuple(np.zeros((batch_size, H), dtype=dtype) for _ in range(n_states))


def check_layer_state(state, params, B):
    """`state` checked for the layer of `params` and a batch of B sequences: a tuple
    of (B, H) float arrays, one for an RNN (h,), two for an LSTM (h, c).

    >>> from lstm_lib.lstm import init_lstm_params
    >>> check_layer_state((np.zeros((4, 2)),), init_lstm_params(3, 2,
    ...             np.random.default_rng(0)), 4)
    Traceback (most recent call last):
    ...
    ValueError: state must be a tuple (h, c) of 2 arrays for an LSTM, got a tuple of 1
    """
    kind = layer_kind(params)
    names = ("h", "c") if kind == "lstm" else ("h",)
    what = f"a tuple ({', '.join(names)}{',' if len(names) == 1 else ''}) of " \
           f"{len(names)} array{'s' if len(names) > 1 else ''} for an {kind.upper()}"
    if not isinstance(state, (tuple, list)):
        raise ValueError(f"state must be {what}, got {type(state).__name__} "
                         "(zero_state(params, B) makes one)")
    if len(state) != len(names):
        raise ValueError(f"state must be {what}, got a tuple of {len(state)}")
    H = params["weight_hh"].shape[1]
    return tuple(check_shape(f"state {n}", as_float_array(f"state {n}", s), (B, H),
                             "(B, H)")
                 for n, s in zip(names, state))


def check_sequence(x, targets, readout):
    """x (T, B, D) floats and targets (T, B) integer indices in [0, V), V the rows of
    the readout's weight: returns x, targets.

    >>> check_sequence(np.zeros((5, 2, 3)), np.zeros((2, 5), dtype=int),
    ...                {"weight": np.zeros((4, 6)), "bias": np.zeros(4)})
    Traceback (most recent call last):
    ...
    ValueError: targets must have shape (T, B) = (5, 2), got (2, 5)
    """
    x = check_ndim("x", as_float_array("x", x), 3, "(T, B, D)")
    check_int("the number of steps T of x", x.shape[0], 1)
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise ValueError("targets must hold integer indices (the next symbol at each "
                         f"step), got dtype {targets.dtype}")
    check_shape("targets", targets, x.shape[:2], "(T, B)")
    V = check_linear_params(readout, "readout")["weight"].shape[0]
    if targets.min() < 0 or targets.max() >= V:
        raise ValueError(f"targets must lie in [0, {V - 1}] (V = {V} outputs of the "
                         f"readout), got values in [{targets.min()}, {targets.max()}]")
    return x, targets


def _layer_forward(x, state, params):
    """h (T, B, H), the last state (copies) and the cache, for either layer."""
    if layer_kind(params) == "lstm":
        h, c, cache = lstm_forward(x, state[0], state[1], params)
        return h, (h[-1].copy(), c[-1].copy()), cache
    h, cache = rnn_forward(x, state[0], params)
    return h, (h[-1].copy(),), cache


def next_step_logits(x, state, params, readout):
    """Run the layer over x (T, B, D) from `state` and read out every step
    -> logits (T, B, V), the last state.

    state: ``(h0,)`` (RNN) or ``(h0, c0)`` (LSTM), each (B, H); `zero_state` makes one.
    The returned state is the state after the last step, ready for the next chunk.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(3, 4, rng), init_linear_params(4, 3, rng)
    >>> logits, state = next_step_logits(np.ones((5, 2, 3)), zero_state(params, 2),
    ...                                  params, readout)
    >>> logits.shape, state[0].shape
    ((5, 2, 3), (2, 4))
    """
    x = check_ndim("x", as_float_array("x", x), 3, "(T, B, D)")
    state = check_layer_state(state, params, x.shape[1])
    readout = check_linear_params(readout, "readout")
    h, last, _ = _layer_forward(x, state, params)
    return linear_forward(h, readout)[0], last


def next_step_nll(x, targets, state, params, readout):
    """The negative log-likelihood of each next symbol, in nats, with no gradient
    -> (nll (T, B), last_state): held-out text is scored with it.

    nll[t, b] = -log p(targets[t, b]), p the softmax of the readout at step t of
    stream b; its mean is `next_step_loss`'s loss, and nll.sum() / log(2) counts bits.
    Carry last_state into the next call to score a long text chunk by chunk.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(3, 4, rng), init_linear_params(4, 3, rng)
    >>> readout = {"weight": 0 * readout["weight"], "bias": np.zeros(3)}
    >>> nll, _ = next_step_nll(np.ones((2, 1, 3)), np.zeros((2, 1), dtype=int),
    ...                        zero_state(params, 1), params, readout)
    >>> bool(np.allclose(nll, np.log(3)))  # a uniform guess over 3 symbols
    True
    """
    x, targets = check_sequence(x, targets, readout)
    logits, last = next_step_logits(x, state, params, readout)  # (T, B, V)
    shifted = logits - logits.max(axis=-1, keepdims=True)  # no overflow in exp
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0], last


def next_step_loss(x, targets, state, params, readout):
    """The mean cross-entropy of the next symbol over a chunk, and its gradients
    -> (loss, grads, last_state).

    Inputs:
        x: (T, B, D) the inputs; targets: (T, B) integer indices, targets[t, b] the
        symbol that follows x[t, b]; state: the state before x[0], ``(h0,)`` or
        ``(h0, c0)``; params: an RNN's or an LSTM's; readout: {weight (V, H), bias (V,)}
    Returns:
        loss: the mean over the T * B positions; grads: the layer's keys and the
        readout's ("weight", "bias"); last_state: the state after x[-1], as copies.
        The gradient stops at `state`: it is treated as a constant, which is what
        truncated BPTT does at a chunk boundary.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(3, 4, rng), init_linear_params(4, 3, rng)
    >>> loss, grads, state = next_step_loss(np.ones((5, 2, 3)),
    ...     np.zeros((5, 2), dtype=int), zero_state(params, 2), params, readout)
    >>> sorted(grads)
    ['bias', 'bias_hh', 'bias_ih', 'weight', 'weight_hh', 'weight_ih']
    """
    x, targets = check_sequence(x, targets, readout)
    state = check_layer_state(state, params, x.shape[1])
    readout = check_linear_params(readout, "readout")
    T, B = targets.shape
    h, last, cache = _layer_forward(x, state, params)  # h (T, B, H)
    logits, readout_cache = linear_forward(h, readout)  # (T, B, V)
    V = logits.shape[-1]
    loss, dlogits = softmax_cross_entropy(logits.reshape(T * B, V), targets.reshape(-1))
    dh, readout_grads = linear_backward(dlogits.reshape(T, B, V), readout_cache)
    if cache["made_by"] == "lstm_forward":
        layer_grads = lstm_backward(dh, cache)[3]
    else:
        layer_grads = rnn_backward(dh, cache)[2]
    return loss, {**layer_grads, **readout_grads}, last


def chunk_bounds(n_steps, k):
    """The chunks of truncated BPTT: [(start, stop), ...] covering range(n_steps) in
    pieces of k steps (the last may be shorter); k=None gives one chunk, full BPTT.

    >>> chunk_bounds(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    check_int("n_steps", n_steps, 1)
    if k is None:
        return [(0, n_steps)]
    check_int("k", k, 1)
    return [(s, min(s + k, n_steps)) for s in range(0, n_steps, k)]


def train_truncated(x, targets, params, readout, k, n_epochs, lr=1e-2, max_norm=1.0,
                    carry_state=True, callback=None):
    """Train a layer and its readout on next-step prediction with truncated BPTT
    -> (params, readout, losses).

    Each epoch reads x (T, B, D) from the zero state, chunk after chunk
    (`chunk_bounds(T, k)`; k=None: the whole sequence, full BPTT), and makes one
    update per chunk: `next_step_loss`, `clip_grad_norm` to `max_norm`, an `Adam`
    step with rate `lr`. carry_state=True starts each chunk from the last state of the
    previous one (the gradient still stops there); False starts every chunk from zeros.
    params (RNN or LSTM) and readout are copied, never changed; the trained copies are
    returned. callback(n, loss, params, readout, grad_norm), as in
    `lstm_lib.train.train_last_step`, is called after update n (1, 2, ...); if it
    returns True, training stops. losses: the loss of each chunk, before its update.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> x = np.eye(2)[np.arange(20) % 2][:, None]  # 0101..., one sequence (20, 1, 2)
    >>> y = (np.arange(20)[:, None] + 1) % 2  # the next symbol (20, 1)
    >>> params, readout = init_rnn_params(2, 4, rng), init_linear_params(4, 2, rng)
    >>> _, _, losses = train_truncated(x, y, params, readout, k=5, n_epochs=10)
    >>> len(losses), bool(losses[-1] < losses[0])
    (40, True)
    """
    x, targets = check_sequence(x, targets, readout)
    check_int("n_epochs", n_epochs, 1)
    check_number("lr", lr, positive=True)
    check_number("max_norm", max_norm, positive=True)
    carry_state = check_flag("carry_state", carry_state)
    if callback is not None and not callable(callback):
        raise ValueError("callback must be None or a function (n, loss, params, "
                         f"readout, grad_norm) -> stop?, got {type(callback).__name__}")
    bounds = chunk_bounds(x.shape[0], k)
    layer_kind(params)  # an RNN's or an LSTM's, checked
    params = {key: np.array(v) for key, v in params.items()}  # copies
    readout = {key: np.array(v)
               for key, v in check_linear_params(readout, "readout").items()}
    optimizer = Adam({**params, **readout}, lr=lr)  # the same arrays, updated in place
    losses = np.empty(n_epochs * len(bounds))
    n = 0
    for _ in range(n_epochs):
        state = zero_state(params, x.shape[1], x.dtype)
        for start, stop in bounds:
            if not carry_state:
                state = zero_state(params, x.shape[1], x.dtype)
            losses[n], grads, state = next_step_loss(x[start:stop],
                                                     targets[start:stop], state,
                                                     params, readout)
            grad_norm = clip_grad_norm(grads, max_norm)
            optimizer.step(grads)
            n += 1
            if callback is not None and callback(n, losses[n - 1], params, readout,
                                                 grad_norm):
                return params, readout, losses[:n]
    return params, readout, losses


def softmax(logits, temperature=1.0):
    """Probabilities p_i = exp(z_i / tau) / sum_j exp(z_j / tau) over the last axis, at
    the temperature tau > 0 (tau = 1: the model's own softmax).

    >>> softmax(np.array([0.0, np.log(3.0)])).round(2)
    array([0.25, 0.75])
    """
    tau = check_number("temperature", temperature, positive=True)
    z = np.asarray(as_float_array("logits", logits), dtype=np.float64) / tau
    z = z - z.max(axis=-1, keepdims=True)  # no overflow in exp
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample(params, readout, prime, n_chars, temperature, rng, vocab):
    """Read the text `prime` from the zero state, then draw `n_chars` characters one at
    a time from the softmax of the logits at `temperature`, each fed back as the next
    input -> the drawn text. `vocab`: the characters, index i <-> one-hot entry i.

    >>> from lstm_lib.layers import init_linear_params
    >>> from lstm_lib.rnn import init_rnn_params
    >>> rng = np.random.default_rng(0)
    >>> params, readout = init_rnn_params(2, 3, rng), init_linear_params(3, 2, rng)
    >>> text = sample(params, readout, "ab", 5, 1.0, rng, "ab")
    >>> len(text), set(text) <= {"a", "b"}
    (5, True)
    """
    check_text("prime", prime)
    check_int("n_chars", n_chars, 1)
    check_rng(rng)
    V = len(vocab)
    x = one_hot(np.array(encode(prime, vocab)), V)[:, None]  # (len(prime), 1, V)
    logits, state = next_step_logits(x, zero_state(params, 1), params, readout)
    out = []
    for _ in range(n_chars):
        i = int(rng.choice(V, p=softmax(logits[-1, 0], temperature)))
        out.append(vocab[i])
        logits, state = next_step_logits(one_hot(np.array([[i]]), V), state, params,
                                         readout)
    return "".join(out)

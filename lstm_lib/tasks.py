"""Seeded synthetic sequence tasks: data made in code, so every run of the book sees the
same numbers. Chapters "Vanishing and exploding gradients" and "Why RNNs forget".

Every generator takes an explicit ``numpy.random.Generator`` and returns time-major
inputs (T, B, D). The long-lag tasks follow Hochreiter & Schmidhuber (1997),
"Long Short-Term Memory", Section 5, at a fixed sequence length T (the paper draws
lengths between T and T + T/10).
"""
import numpy as np

from .validation import check_int, check_rng

# Symbols of the temporal-order task (1997, Experiment 6a), one-hot in this order.
TEMPORAL_ORDER_SYMBOLS = ("a", "b", "c", "d", "X", "Y", "E", "B")
TEMPORAL_ORDER_CLASSES = ("XX", "XY", "YX", "YY")  # the paper's classes Q, R, S, U


def delayed_echo(batch_size, T, lag, rng):
    """Repeat the input `lag` steps later: a task that needs memory of exactly `lag`
    steps.

    x (T, B, 1) is uniform in [-1, 1]; y (T - lag, B, 1) with y[k] = x[k], the target of
    step k + lag, so the prediction made from h[lag:] is compared with y. Steps before
    `lag` have no target.

    >>> x, y = delayed_echo(2, 5, 3, np.random.default_rng(0))
    >>> x.shape, y.shape, bool((y == x[:2]).all())
    ((5, 2, 1), (2, 2, 1), True)
    """
    check_rng(rng)
    check_int("batch_size", batch_size, 1)
    check_int("T", T, 1)
    check_int("lag", lag, 0)
    if lag >= T:
        raise ValueError(f"lag must lie in [0, T) = [0, {T}), got {lag}")
    x = rng.uniform(-1.0, 1.0, size=(T, batch_size, 1))
    return x, x[: T - lag].copy()


def adding_problem(batch_size, T, rng):
    """The adding problem (1997, Experiment 4) at fixed length T: x (T, B, 2), y (B, 1).

    Channel 0 holds values uniform in [-1, 1]. Channel 1 marks exactly two steps with
    1.0: one of the first ten (value X1), then one of the first T//2 - 1 steps not yet
    marked (value X2); it is -1.0 at the first and the last step unless marked, and 0
    elsewhere. The target, read at the last step, is 0.5 + (X1 + X2) / 4, in [0, 1]. As
    in the paper, a marked first step counts as X1 = 0 (its value is set to 0, so the
    target is still the sum of the marked values). The paper counts a sequence as right
    when the absolute error is below 0.04.

    >>> x, y = adding_problem(3, 20, np.random.default_rng(0))
    >>> x.shape, y.shape, (x[:, :, 1] == 1).sum(axis=0)
    ((20, 3, 2), (3, 1), array([2, 2, 2]))
    """
    check_rng(rng)
    check_int("batch_size", batch_size, 1)
    check_int("T", T, 10)  # the first mark lies in the first ten steps
    B = batch_size
    x = np.zeros((T, B, 2))
    x[:, :, 0] = rng.uniform(-1.0, 1.0, size=(T, B))
    x[0, :, 1] = x[-1, :, 1] = -1.0
    first = rng.integers(0, 10, size=B)
    # the second mark is one of the first n steps, other than the first mark:
    n = T // 2 - 1
    excluded = first < n  # draw among the n - 1 others and step over the first mark
    second = rng.integers(0, n - excluded)
    second += excluded & (second >= first)
    batch = np.arange(B)
    x[first, batch, 1] = 1.0
    x[second, batch, 1] = 1.0
    x[0, x[0, :, 1] == 1.0, 0] = 0.0  # a marked first step counts as 0
    marked_sum = x[first, batch, 0] + x[second, batch, 0]
    return x, (0.5 + marked_sum / 4.0)[:, None]


def temporal_order(batch_size, T, rng):
    """The temporal-order task (1997, Experiment 6a) at fixed length T:
    x (T, B, 8) one-hot, y (B,) the class.

    A sequence starts with E and ends with the trigger B; between them the symbols
    a, b, c, d are drawn at random, except at two steps t1 in [T/10, T/5] and t2 in
    [T/2, 6T/10] (1-based, as in the paper, where T = 100 gives [10, 20] and [50, 60]),
    which hold X or Y. The class is the order of those two: XX -> 0, XY -> 1, YX -> 2,
    YY -> 3 (`TEMPORAL_ORDER_CLASSES`); the symbols are in `TEMPORAL_ORDER_SYMBOLS`.

    >>> x, y = temporal_order(2, 20, np.random.default_rng(0))
    >>> x.shape, y.shape, x[0, 0].argmax(), x[-1, 0].argmax()
    ((20, 2, 8), (2,), np.int64(6), np.int64(7))
    """
    check_rng(rng)
    check_int("batch_size", batch_size, 1)
    # room for the two windows between the first and the last step
    check_int("T", T, 20)
    B = batch_size
    symbols = rng.integers(0, 4, size=(T, B))  # a, b, c, d
    symbols[0], symbols[-1] = 6, 7  # E ... B
    # 1-based -> 0-based
    t1 = rng.integers(int(np.ceil(T / 10)), T // 5 + 1, size=B) - 1
    t2 = rng.integers(int(np.ceil(T / 2)), (6 * T) // 10 + 1, size=B) - 1
    # 0 = X, 1 = Y
    first, second = rng.integers(0, 2, size=B), rng.integers(0, 2, size=B)
    batch = np.arange(B)
    symbols[t1, batch] = 4 + first
    symbols[t2, batch] = 4 + second
    x = np.eye(len(TEMPORAL_ORDER_SYMBOLS))[symbols]  # (T, B, 8)
    return x, 2 * first + second


def recall_first(batch_size, lag, n_symbols, rng):
    """Remember the first symbol for `lag` steps: x (lag + 1, B, n_symbols) one-hot,
    y (B,) its index.

    Step 0 shows the symbol to remember; the `lag` steps after it show random
    distractors from the same alphabet, so only a memory of step 0 beats chance
    (1 / n_symbols) at the last step.

    >>> x, y = recall_first(2, 5, 3, np.random.default_rng(0))
    >>> x.shape, bool((x[0].argmax(axis=1) == y).all())
    ((6, 2, 3), True)
    """
    check_rng(rng)
    check_int("batch_size", batch_size, 1)
    check_int("lag", lag, 0)
    check_int("n_symbols", n_symbols, 2)
    symbols = rng.integers(0, n_symbols, size=(lag + 1, batch_size))
    return np.eye(n_symbols)[symbols], symbols[0].copy()

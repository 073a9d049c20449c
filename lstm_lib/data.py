"""Sequences as arrays: characters to indices to one-hot vectors, and series to time-major windows.

Convention of the whole library: time-major, x (T, B, D): T steps, B sequences in a batch, D features.

The second half measures what a fixed window of context can do: `next_char_windows` cuts a text into
(context, next character) pairs, and `accuracy_bound` gives the best accuracy that any predictor seeing
only the context can reach on them.
"""
from collections import Counter

import numpy as np

from .checks import as_float_array


def _check_text(name, text):
    if not isinstance(text, str) or not text:
        raise ValueError(f"{name} must be a non-empty str, got {text!r}")


def _check_int(name, value, low, high=None):
    """Raise unless `value` is an int in [low, high] (high=None: no upper bound)."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bounds}, got {value!r}")


def make_vocab(text):
    """The sorted list of distinct characters of `text`: position i is the character with index i."""
    _check_text("text", text)
    return sorted(set(text))


def encode(text, vocab):
    """Characters -> integer indices (len(text),), each the position of the character in `vocab`."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(f"text has characters {unknown} that are not in vocab {vocab}")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def decode(indices, vocab):
    """Integer indices -> the string they stand for."""
    return "".join(vocab[int(i)] for i in np.ravel(indices))


def one_hot(indices, vocab_size, dtype=np.float64):
    """Integer array of any shape S -> float array of shape S + (V,), with a single 1 per vector."""
    _check_int("vocab_size", vocab_size, 1)
    indices = np.asarray(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError(f"indices must lie in [0, {vocab_size - 1}] for vocab_size={vocab_size}, "
                         f"got values in [{indices.min()}, {indices.max()}]")
    return np.eye(vocab_size, dtype=dtype)[indices]  # row i of the identity is the one-hot vector of i


def sliding_windows(series, T, stride=1):
    """Cut a series (N,) or (N, D) into every window of T consecutive steps: -> (T, B, D), time-major.

    Window b starts at step b * stride; B = (N - T) // stride + 1.
    """
    series = as_float_array("series", series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(f"series must have shape (N,) or (N, D), got {series.shape}")
    _check_int("T", T, 1, series.shape[0])
    _check_int("stride", stride, 1)
    starts = np.arange(0, series.shape[0] - T + 1, stride)  # (B,)
    return series[starts[None, :] + np.arange(T)[:, None]]  # (T, B) index grid -> (T, B, D)


# --- What a fixed window of context can predict ------------------------------------------------------

def next_char_windows(text, k, loop=True):
    """Every (context, next character) pair of `text`: the k characters before position t, and text[t].

    loop=True reads the text as repeating forever, so an early position takes its context from the end:
    N pairs for N characters. loop=False keeps the positions t >= k only: N - k pairs.
    Returns (contexts, targets): a list of str, each of length k, and a str of the same length.
    """
    _check_text("text", text)
    n = len(text)
    if loop:
        _check_int("k", k, 0)
        reps = k // n + 1
        ext = text * (reps + 1)  # reps copies before the text, so every context fits
        return [ext[reps * n + t - k: reps * n + t] for t in range(n)], text
    _check_int("k", k, 0, n - 1)
    return [text[t - k: t] for t in range(k, n)], text[k:]


def _check_pairs(contexts, targets):
    if len(contexts) != len(targets) or len(targets) == 0:
        raise ValueError(f"contexts and targets must be non-empty and of equal length, "
                         f"got {len(contexts)} and {len(targets)}")


def context_table(contexts, targets):
    """Count how often each context is followed by each target: {context: {target: count}}.

    Contexts may be any hashable values (strings, tuples); both dicts keep the order of first appearance.
    """
    _check_pairs(contexts, targets)
    table = {}
    for c, a in zip(contexts, targets):
        table.setdefault(c, Counter())[a] += 1
    return {c: dict(counts) for c, counts in table.items()}


def lookup_predictor(contexts, targets):
    """The lookup table {context: most frequent target}; a tie goes to the target seen first."""
    return {c: max(counts, key=counts.get) for c, counts in context_table(contexts, targets).items()}


def accuracy_bound(contexts, targets):
    """The best accuracy of any predictor that sees only the context: sum over c of max_a n(c, a), over N.

    A predictor gives one answer per context, so it is right on at most max_a n(c, a) of the n(c) cases
    of context c; the lookup table of `lookup_predictor` reaches that maximum for every context.
    """
    table = context_table(contexts, targets)
    return sum(max(counts.values()) for counts in table.values()) / len(targets)

"""Sequences as arrays: characters to indices to one-hot vectors, series to time-major
windows.

Chapter "Sequences as arrays". The convention of the whole library is time-major:
x (T, B, D), T steps, B sequences in a batch, D features.

The second half measures what a fixed window of context can do: `next_char_windows`
cuts a text into (context, next character) pairs, and `accuracy_bound` gives the best
accuracy that any predictor seeing only the context can reach on them.
"""
from collections import Counter

import numpy as np

from .validation import as_float_array, check_int, check_text


def make_vocab(text):
    """The sorted list of distinct characters of `text`: position i holds the character
    of index i.

    >>> make_vocab("hello")
    ['e', 'h', 'l', 'o']
    """
    check_text("text", text)
    return sorted(set(text))


def encode(text, vocab):
    """Characters -> integer indices (len(text),), each the position of its character
    in `vocab`.

    >>> encode("hell", make_vocab("hello"))
    array([1, 0, 2, 2])
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(f"text has characters {unknown} that are not in vocab {vocab}")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def decode(indices, vocab):
    """Integer indices -> the string they stand for.

    >>> decode([1, 0, 2, 2, 3], make_vocab("hello"))
    'hello'
    """
    return "".join(vocab[int(i)] for i in np.ravel(indices))


def one_hot(indices, vocab_size, dtype=np.float64):
    """Integer array of any shape S -> float array of shape S + (V,), a single 1 per
    vector.

    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    check_int("vocab_size", vocab_size, 1)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise ValueError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError(f"indices must lie in [0, {vocab_size - 1}] for vocab_size="
                         f"{vocab_size}, got values in "
                         f"[{indices.min()}, {indices.max()}]")
    # row i of the identity is i's vector
    return np.eye(vocab_size, dtype=dtype)[indices]


def sliding_windows(series, T, stride=1):
    """Every window of T consecutive steps of a series (N,) or (N, D): -> (T, B, D),
    time-major.

    Window b starts at step b * stride; B = (N - T) // stride + 1.

    >>> sliding_windows(np.arange(5.0), 3)[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    """
    series = as_float_array("series", series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(f"series must have shape (N,) or (N, D), got {series.shape}")
    check_int("T", T, 1, series.shape[0])
    check_int("stride", stride, 1)
    starts = np.arange(0, series.shape[0] - T + 1, stride)  # (B,)
    # (T, B) index grid -> (T, B, D)
    return series[starts[None, :] + np.arange(T)[:, None]]


# --- What a fixed window of context can predict ---------------------------------------

def next_char_windows(text, k, loop=True):
    """Every (context, next character) pair of `text`: the k characters before t, and
    text[t].

    loop=True reads the text as repeating forever, so an early position takes its
    context from the end: N pairs for N characters. loop=False keeps the positions
    t >= k: N - k pairs. Returns (contexts, targets): a list of str of length k, and a
    str of the same length.

    >>> next_char_windows("abc", 1)
    (['c', 'a', 'b'], 'abc')
    """
    check_text("text", text)
    n = len(text)
    if loop:
        check_int("k", k, 0)
        reps = k // n + 1
        ext = text * (reps + 1)  # reps copies before the text, so every context fits
        return [ext[reps * n + t - k: reps * n + t] for t in range(n)], text
    check_int("k", k, 0, n - 1)
    return [text[t - k: t] for t in range(k, n)], text[k:]


def _check_pairs(contexts, targets):
    if len(contexts) != len(targets) or len(targets) == 0:
        raise ValueError("contexts and targets must be non-empty and of equal "
                         f"length, got {len(contexts)} and {len(targets)}")


def context_table(contexts, targets):
    """How often each context is followed by each target: {context: {target: count}}.

    Contexts may be any hashable values; both dicts keep the order of first appearance.

    >>> context_table(["a", "a", "b"], "xyx")
    {'a': {'x': 1, 'y': 1}, 'b': {'x': 1}}
    """
    _check_pairs(contexts, targets)
    table = {}
    for c, a in zip(contexts, targets):
        table.setdefault(c, Counter())[a] += 1
    return {c: dict(counts) for c, counts in table.items()}


def lookup_predictor(contexts, targets):
    """The lookup table {context: most frequent target}; a tie goes to the target seen
    first.

    >>> lookup_predictor(["a", "a", "b"], "xyx")
    {'a': 'x', 'b': 'x'}
    """
    return {c: max(counts, key=counts.get)
            for c, counts in context_table(contexts, targets).items()}


def accuracy_bound(contexts, targets):
    """The best accuracy of any predictor that sees only the context:
    sum_c max_a n(c, a) / N.

    A predictor gives one answer per context, so it is right on at most max_a n(c, a) of
    the n(c) cases of context c; `lookup_predictor` reaches that maximum for every
    context.

    >>> accuracy_bound(["a", "a", "b"], "xyx")
    0.6666666666666666
    """
    table = context_table(contexts, targets)
    return sum(max(counts.values()) for counts in table.values()) / len(targets)

"""Sequences as arrays: characters to indices to one-hot vectors, and series to time-major windows.

Convention of the whole library: time-major, x (T, B, D): T steps, B sequences in a batch, D features.
"""
import numpy as np

from .checks import as_float_array


def make_vocab(text):
    """The sorted list of distinct characters of `text`: position i is the character with index i."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty str, got {text!r}")
    return sorted(set(text))


def encode(text, vocab):
    """Characters -> integer indices (len(text),), each the position of the character in `vocab`."""
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
    indices = np.asarray(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError(f"indices must lie in [0, {vocab_size - 1}] for vocab_size={vocab_size}, "
                         f"got values in [{indices.min()}, {indices.max()}]")
    return np.eye(vocab_size, dtype=dtype)[indices]


def sliding_windows(series, T, stride=1):
    """Cut a series (N,) or (N, D) into every window of T consecutive steps: -> (T, B, D), time-major.

    Window b starts at step b * stride; B = (N - T) // stride + 1.
    """
    series = as_float_array("series", series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(f"series must have shape (N,) or (N, D), got {series.shape}")
    if not 1 <= T <= series.shape[0]:
        raise ValueError(f"T must lie in [1, N] = [1, {series.shape[0]}], got {T}")
    starts = np.arange(0, series.shape[0] - T + 1, stride)
    return series[starts[None, :] + np.arange(T)[:, None]]  # (T, B, D)

"""Batches of sequences of different lengths: which steps of a padded (T, B, ...) array
are real, and where each sequence ends.

Chapter "Batches of different lengths". Sequence b of a padded batch is read for its
first lengths[b] steps; the steps after it are padding. `lstm_forward(..., lengths=)`
uses `step_mask` to keep each sequence's state once its input has ended, as torch's
packed sequences do.
"""
import numbers

import numpy as np

from .validation import as_float_array, check_ndim


def check_lengths(lengths, B, T):
    """`lengths` as an int array (B,), or a ValueError unless it holds B whole numbers,
    each in [1, T] (T = the padded length of x).

    >>> check_lengths([3, 1], 2, 4)
    array([3, 1])
    >>> check_lengths([3, 5], 2, 4)
    Traceback (most recent call last):
    ...
    ValueError: lengths must lie in [1, T] = [1, 4] (T = the steps of x), got [3, 5]
    """
    arr = np.asarray(lengths)
    if arr.ndim != 1 or arr.shape[0] != B:
        raise ValueError(f"lengths must have shape (B,) = ({B},), one length per "
                         f"sequence of the batch, got shape {arr.shape}")
    ok = arr.dtype != bool and all(isinstance(v, numbers.Integral)
                                   for v in arr.tolist())
    if not ok:
        raise ValueError("lengths must hold whole numbers (int), "
                         f"got dtype {arr.dtype}: {arr.tolist()}")
    if arr.min() < 1 or arr.max() > T:
        raise ValueError(f"lengths must lie in [1, T] = [1, {T}] (T = the steps of x), "
                         f"got {arr.tolist()}")
    return arr.astype(np.int64)


def step_mask(lengths, T):
    """mask (T, B, 1): True where step t of sequence b is real (t < lengths[b]); the
    trailing 1 broadcasts over the features.

    >>> step_mask(np.array([3, 1]), 3)[:, :, 0]
    array([[ True,  True],
           [ True, False],
           [ True, False]])
    """
    return (np.arange(T)[:, None] < np.asarray(lengths)[None, :])[:, :, None]


def last_step(h, lengths):
    """The state at each sequence's last real step: h[lengths[b] - 1, b], (B, H); what
    torch's packed LSTM returns as h_n (and c_n from c).

    >>> h = np.arange(6.0).reshape(3, 2, 1)  # (T, B, H) = (3, 2, 1)
    >>> last_step(h, [3, 1])[:, 0]
    array([4., 1.])
    """
    h = check_ndim("h", as_float_array("h", h), 3, "(T, B, H)")
    T, B = h.shape[:2]
    lengths = check_lengths(lengths, B, T)
    return h[lengths - 1, np.arange(B)]

"""Losses over a padded batch that count the real steps only: the mean over the steps
each sequence has, never over the padding.

Chapter "Batches of different lengths". With `lengths` (B,), step t of sequence b is
real when t < lengths[b] (`lengths.step_mask`); there are N = sum(lengths) real steps
in a (T, B) batch, and every mean here divides by N, not by T * B. The gradient at a
padded step is zero, whatever value (even NaN) the padding holds.
"""
import numpy as np

from .layers import softmax_cross_entropy
from .lengths import check_lengths, step_mask
from .validation import as_float_array, check_ndim, check_shape


def masked_mean(values, lengths):
    """The mean of per-step values (T, B) over the real steps only, and its gradient:
    (mean, dvalues), dvalues (T, B) = 1/N at real steps and 0 at padded ones, N the
    number of real steps, sum(lengths).

    >>> values = np.array([[1.0, 5.0], [3.0, 99.0]])  # (T, B) = (2, 2); 99 is padding
    >>> mean, dvalues = masked_mean(values, [2, 1])
    >>> mean, 3 * dvalues  # N = 3 real steps
    (3.0, array([[1., 1.],
           [1., 0.]]))
    """
    values = check_ndim("values", as_float_array("values", values), 2, "(T, B)")
    T, B = values.shape
    mask = step_mask(check_lengths(lengths, B, T), T)[:, :, 0]  # (T, B), True = real
    n_real = int(mask.sum())
    mean = float(values[mask].sum() / n_real)  # padded entries never enter the sum
    return mean, mask.astype(values.dtype) / n_real


def masked_cross_entropy(logits, targets, lengths):
    """Softmax cross-entropy at every real step of a padded batch, averaged over the N =
    sum(lengths) real steps, and its gradient (torch's ``cross_entropy`` with the padded
    targets set to ``ignore_index``).

    Inputs:
        logits: (T, B, V) one row of V class scores per step;
        targets: (T, B) integer classes in [0, V - 1] at the real steps (any integer,
            e.g. a padding symbol, at the padded ones);
        lengths: (B,) ints in [1, T]
    Returns:
        loss: a float; dlogits: (T, B, V), zero at the padded steps

    >>> logits = np.zeros((2, 2, 3))  # (T, B, V)
    >>> targets = np.array([[0, 1], [2, -1]])  # -1: padding
    >>> loss, dlogits = masked_cross_entropy(logits, targets, [2, 1])
    >>> round(loss, 4), dlogits[1, 1]  # ln 3, and nothing at the padded step
    (1.0986, array([0., 0., 0.]))
    """
    logits = check_ndim("logits", as_float_array("logits", logits), 3, "(T, B, V)")
    T, B, V = logits.shape
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise ValueError("targets must hold integer class indices, "
                         f"got dtype {targets.dtype}")
    check_shape("targets", targets, (T, B), "(T, B)")
    mask = step_mask(check_lengths(lengths, B, T), T)[:, :, 0]  # (T, B), True = real
    real = targets[mask]  # (N,): the targets of the real steps, in (t, b) order
    if real.min() < 0 or real.max() >= V:
        raise ValueError(f"targets must lie in [0, {V - 1}] (V = {V} classes) at the "
                         f"real steps, got values in [{real.min()}, {real.max()}]")
    loss, d_real = softmax_cross_entropy(logits[mask], real)  # (N, V): mean over N
    dlogits = np.zeros_like(logits)
    dlogits[mask] = d_real  # padded steps: no gradient
    return loss, dlogits

"""Seeded synthetic sequence tasks: data made in code, so every run of the book sees the same numbers."""
import numpy as np


def delayed_echo(batch_size, T, lag, rng):
    """Repeat the input `lag` steps later: a task that needs memory of exactly `lag` steps.

    x (T, B, 1) is uniform in [-1, 1]; y (T - lag, B, 1) with y[k] = x[k], the target of step k + lag,
    so the prediction made from h[lag:] is compared with y. Steps before `lag` have no target.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if not 0 <= lag < T:
        raise ValueError(f"lag must lie in [0, T) = [0, {T}), got {lag}")
    x = rng.uniform(-1.0, 1.0, size=(T, batch_size, 1))
    return x, x[: T - lag].copy()

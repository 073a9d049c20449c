"""The experiments of the chapter "What training did to the gates".

An LSTM trained on the adding problem (`lstm_book.experiments.training.train_adding`) is
run on test sequences, and its gates are read out of `lstm_forward`'s cache
(`gate_traces`). The rest measures them against the task: where the two marked steps
are (`marked_steps`), the regions of a sequence around them (`regions`), the mean of a
gate per unit in each region (`region_means`), how closely each unit's last cell state
follows the marked sum (`sum_correlations`), what silencing one unit does to the answer
(`silence_unit`, `relative_mse`), and how much of a cell's content its forget gates keep
over the lag (`kept_fraction`).
"""
import numpy as np

from lstm_lib.lstm import lstm_forward
from lstm_lib.train import predict_last

GATE_NAMES = ("i", "f", "g", "o")


def gate_traces(x, params):
    """Run the LSTM over x (T, B, D) from zero states and collect its gates from the
    cache -> {"i", "f", "g", "o", "c", "h"}, each (T, B, H): entry [t - 1] is step t."""
    zeros = np.zeros((x.shape[1], params["weight_hh"].shape[1]))  # h_0 = c_0 = 0
    h, c, cache = lstm_forward(x, zeros, zeros, params)
    traces = {k: np.stack([step[k] for step in cache["steps"]]) for k in GATE_NAMES}
    traces["c"], traces["h"] = c, h
    return traces


def marked_steps(x):
    """The 0-based steps of the two marks of each sequence of x (T, B, 2) -> (B, 2),
    earlier first."""
    return np.argwhere(x[..., 1].T == 1.0)[:, 1].reshape(-1, 2)


def marked_values(x):
    """X1 and X2 of each sequence: (B, 2), the values at the earlier and later mark."""
    marks = marked_steps(x)
    return x[marks, np.arange(x.shape[1])[:, None], 0]


def running_sum(x):
    """The sum of the marked values seen so far, at every step: (T, B)."""
    return np.cumsum(x[..., 0] * (x[..., 1] == 1.0), axis=0)


def regions(x):
    """Masks (T, B) of the parts of each sequence: "before" the first mark, "at the
    marks", "between" them, "after" the second mark (up to the last step)."""
    marks = marked_steps(x)
    t = np.arange(x.shape[0])[:, None]  # (T, 1) against (B,)
    first, second = marks[:, 0], marks[:, 1]
    return {"before": t < first, "at the marks": (t == first) | (t == second),
            "between": (t > first) & (t < second), "after": t > second}


def region_means(trace, masks):
    """The mean of a trace (T, B, H) over the steps of each mask (T, B): {name: (H,)}."""
    return {name: trace[mask].mean(axis=0) for name, mask in masks.items()}


def sum_correlations(c_T, x):
    """The correlation, across sequences, of each unit's last cell state c_T (B, H) with
    the marked sum X1 + X2 of x (T, B, 2) -> (H,), each in [-1, 1]."""
    s = marked_values(x).sum(axis=1)  # (B,)
    c_centred, s_centred = c_T - c_T.mean(axis=0), s - s.mean()
    return (s_centred @ c_centred) / (np.linalg.norm(s_centred)
                                      * np.linalg.norm(c_centred, axis=0))


def silence_unit(params, readout, unit):
    """Copies of params and readout in which unit `unit`'s hidden state reaches nothing:
    its column of weight_hh (every gate's input from h_{t-1}) and of the readout's
    weight set to 0. Its own cell still runs, unseen."""
    params = {k: np.array(v) for k, v in params.items()}
    readout = {k: np.array(v) for k, v in readout.items()}
    params["weight_hh"][:, unit] = 0.0
    readout["weight"][:, unit] = 0.0
    return params, readout


def relative_mse(params, readout, x, y):
    """The test MSE of the readout of h_T, divided by the variance of y (1 = no better
    than predicting the mean)."""
    return float(np.mean((predict_last(x, params, readout) - y) ** 2) / np.var(y))


def kept_fraction(f, x, unit):
    """How much of what unit `unit` held after the first mark is still in its cell at
    the last step, if nothing else were written: the product of its forget gates from
    the step after the first mark to the end. f (T, B, H) -> (B,)."""
    first = marked_steps(x)[:, 0]
    t = np.arange(f.shape[0])[:, None]
    return np.prod(np.where(t > first, f[:, :, unit], 1.0), axis=0)

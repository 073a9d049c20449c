"""Part III's memory cell, built by hand and grown one gate per chapter.

One unit (H = 1) reads x_t = [value, write, read] (D = 3); no gate reads h_{t-1}. The
candidate proposes g = tanh(2 value) at every step; the write weight w opens the input
gate and closes the forget gate on a write; the forget bias b_f keeps the cell between
writes; a read opens the output gate. Distractor values arrive at every step without a
write.

"The input gate" writes and keeps with it, one sharpness k setting both knobs
(`sharp_weights`: b_f = k, w = 2k, so that f = 1 - i); "The output gate" adds the read;
"The complete LSTM" separates the knobs, traces every gate, runs the cell in torch's
layout on many sequences at once, and asks in a slider exercise
(`lstm_book.exercises.complete_lstm`) for a setting of (b_f, w) that stores, keeps and
overwrites.
"""
import numpy as np

from lstm_lib.gates import GATES, lstm_cell
from lstm_lib.lstm import fuse_gates, lstm_forward

MEMORY_T = 24
MEMORY_WRITES = {2: 0.8, 16: -0.5}  # step -> value written
MEMORY_READS = (12, 22)
MEMORY_TARGET = {"store_step": 2, "hold_steps": 10, "overwrite_step": 16,
                 "write_tol": 0.1, "hold_tol": 0.2}
CANDIDATE_GAIN = 2.0  # g = tanh(2 value)
READ_GAIN = 16.0  # o = sigmoid(16 (read - 1/2)) unless a chapter sets its own


def memory_input():
    """The exercise's sequence x (24, 1, 3): x[t - 1] = [value, write, read] at step t.

    Distractor values uniform in [-1, 1] (seeded) at every step without a write; the
    written values at the write steps; the read signal at the read steps.
    """
    x = np.zeros((MEMORY_T, 1, 3))
    x[:, 0, 0] = np.random.default_rng(24).uniform(-1.0, 1.0, size=MEMORY_T)
    for step, value in MEMORY_WRITES.items():
        x[step - 1, 0, :2] = value, 1.0
    for step in MEMORY_READS:
        x[step - 1, 0, 2] = 1.0
    return x


def memory_weights(b_f, w, read_gain=READ_GAIN):
    """The memory cell in the per-gate form: W_k (4, 1), b_k (1,) for k in i, f, g, o.

    The four rows of each W_k meet [h_prev, value, write, read]; the h_prev row stays 0.
    """
    weights = {f"W_{k}": np.zeros((4, 1)) for k in GATES}
    weights |= {f"b_{k}": np.zeros(1) for k in GATES}
    # i = sigmoid(w (write - 1/2)): open only on a write
    weights["W_i"][2], weights["b_i"][:] = w, -w / 2
    # f = sigmoid(b_f - w write): keep, except on a write
    weights["W_f"][2], weights["b_f"][:] = -w, b_f
    # g = tanh(2 value)
    weights["W_g"][1] = CANDIDATE_GAIN
    # o = sigmoid(read_gain (read - 1/2)): open only on a read
    weights["W_o"][3], weights["b_o"][:] = read_gain, -read_gain / 2
    return weights


def sharp_weights(k):
    """The memory cell with one sharpness k > 0 for every gate: b_f = k, w = 2k and a
    read gain 2k, so that i = sigmoid(k (2 write - 1)), f = sigmoid(k (1 - 2 write)) =
    1 - i and o = sigmoid(k (2 read - 1)).

    >>> weights = sharp_weights(8.0)
    >>> weights["W_i"].ravel().tolist(), weights["b_i"].tolist()
    ([0.0, 0.0, 16.0, 0.0], [-8.0])
    """
    return memory_weights(k, 2.0 * k, read_gain=2.0 * k)


def memory_params(b_f, w):
    """The memory cell in torch's layout.

    weight_ih (4, 3), weight_hh (4, 1), bias_ih and bias_hh (4,), float64.
    """
    return fuse_gates(memory_weights(b_f, w))


def trace_cell(weights, x):
    """The cell with per-gate `weights` run step by step with `lstm_cell` on x (T, 1, 3),
    from h_0 = c_0 = 0.

    Returns {"i", "f", "g", "o", "c", "h"}, each (T,): every quantity at every step.
    """
    T = len(x)
    h, c = np.zeros((1, 1)), np.zeros((1, 1))
    trace = {k: np.empty(T) for k in ("i", "f", "g", "o", "c", "h")}
    for t, x_t in enumerate(x):
        h, c, acts = lstm_cell(x_t, h, c, weights)
        for k in GATES:
            trace[k][t] = acts[k][0, 0]
        trace["c"][t], trace["h"][t] = c[0, 0], h[0, 0]
    return trace


def memory_trace(b_f, w):
    """The memory cell (b_f, w) run step by step on `memory_input`: `trace_cell`'s dict."""
    return trace_cell(memory_weights(b_f, w), memory_input())


def memory_inputs(n, seed):
    """n sequences like `memory_input`: x (T, n, 3).

    The same writes and reads, fresh distractors drawn with `seed`.
    """
    x = np.repeat(memory_input(), n, axis=1)
    x[:, :, 0] = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(MEMORY_T, n))
    for step, value in MEMORY_WRITES.items():
        x[step - 1, :, 0] = value
    return x


def memory_conditions(b_f, w, x):
    """The three tests of the memory exercise on each sequence of x (T, n, 3) at once.

    Returns {"store", "keep", "replace"}, each (n,) bool: |c_2 - g_2| <= 0.1,
    |c_12 - c_2| <= 0.2 |c_2| and |c_16 - g_16| <= 0.1 (steps and tolerances from
    MEMORY_TARGET).
    """
    n, tgt = x.shape[1], MEMORY_TARGET
    _, c, _ = lstm_forward(x, np.zeros((n, 1)), np.zeros((n, 1)), memory_params(b_f, w))
    c = c[:, :, 0]  # (T, n): c[t - 1] is c_t
    g = np.tanh(CANDIDATE_GAIN * x[:, :, 0])  # (T, n): the candidate at every step
    s, o = tgt["store_step"] - 1, tgt["overwrite_step"] - 1
    k = s + tgt["hold_steps"]
    return {"store": np.abs(c[s] - g[s]) <= tgt["write_tol"],
            "keep": np.abs(c[k] - c[s]) <= tgt["hold_tol"] * np.abs(c[s]),
            "replace": np.abs(c[o] - g[o]) <= tgt["write_tol"]}

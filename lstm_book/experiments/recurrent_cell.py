"""The experiments of the chapter "The recurrent cell": the one-unit latch of its slider exercise.

A one-unit RNN without biases, h_t = tanh(w_hh h_{t-1} + w_ih x_t) with h_0 = 0, reads a +1 pulse at
step 1 and a -1 pulse at step 16, zeros elsewhere, for T = 30 steps. As a latch it should hold the
sign of the latest pulse; the checker `lstm_book.exercises.recurrent_cell` judges how well it does.
"""
import numpy as np

from lstm_lib.rnn import rnn_forward
from lstm_lib.validation import check_number

LATCH_T = 30
LATCH_PULSES = {1: 1.0, 16: -1.0}  # step -> input value


def latch_input():
    """The input sequence of the latch, x (T, B, D) = (30, 1, 1); x[t - 1] is x_t."""
    x = np.zeros((LATCH_T, 1, 1))
    for step, value in LATCH_PULSES.items():
        x[step - 1] = value
    return x


def latch_response(w_hh, w_ih):
    """h_0 ... h_T of the one-unit latch as a (T + 1,) array, computed with `lstm_lib.rnn.rnn_forward`."""
    w_hh, w_ih = check_number("w_hh", w_hh), check_number("w_ih", w_ih)
    params = {"weight_ih": np.array([[w_ih]]), "weight_hh": np.array([[w_hh]]),
              "bias_ih": np.zeros(1), "bias_hh": np.zeros(1)}
    h, _ = rnn_forward(latch_input(), np.zeros((1, 1)), params)  # h (T, 1, 1)
    return np.concatenate([[0.0], h[:, 0, 0]])


def resting_point(w_hh):
    """The positive resting point h* = tanh(w_hh h*) of the input-free unit, or 0.0 when w_hh <= 1."""
    w_hh = check_number("w_hh", w_hh)
    if w_hh <= 1:
        return 0.0
    lo, hi = 0.0, 1.0  # tanh(w_hh h) - h is > 0 just above 0 and < 0 at h = 1: bisect
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.tanh(w_hh * mid) > mid else (lo, mid)
    return lo

"""Checkers for the chapter "The recurrent cell"."""
import numpy as np

from ..rnn import init_rnn_params, rnn_step
from .feedback import compare_to_reference, report


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _pre(x, h, p, b_ih=1.0, b_hh=1.0):
    return x @ p["weight_ih"].T + b_ih * p["bias_ih"] + h @ p["weight_hh"].T + b_hh * p["bias_hh"]


# (wrong version of the step, what that slip looks like in words)
RNN_STEP_MISTAKES = [
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_ih=0)), "It looks like bias_ih is missing: torch adds two biases, bias_ih and bias_hh."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_hh=0)), "It looks like bias_hh is missing: torch adds two biases, bias_ih and bias_hh."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, 0, 0)), "It looks like both biases are missing."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, 2, 0)), "It looks like bias_ih is added twice and bias_hh not at all."),
    (lambda x, h, p: _sigmoid(_pre(x, h, p)), "This is sigmoid(...): the vanilla RNN squashes with tanh, whose range is (-1, 1)."),
    (lambda x, h, p: np.maximum(_pre(x, h, p), 0), "This is relu(...): the RNN of this chapter uses tanh."),
    (lambda x, h, p: _pre(x, h, p), "The nonlinearity is missing: apply np.tanh to the sum."),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"] + p["bias_ih"] + p["bias_hh"]),
     "weight_hh is used without its transpose: h_prev (B, H) multiplies weight_hh.T."),
    (lambda x, h, p: np.tanh(h @ p["weight_ih"].T + x @ p["weight_hh"].T + p["bias_ih"] + p["bias_hh"]),
     "The weights are swapped: weight_ih multiplies the input x_t, weight_hh the previous state h_prev."),
]


def _cases():
    rng = np.random.default_rng(1234)
    cases = []
    for B, D, H in [(2, 3, 4), (1, 4, 4), (3, 2, 5)]:  # (1, 4, 4) is square, so order slips show in the values
        params = init_rnn_params(D, H, rng)
        params = {k: v * 2.0 for k, v in params.items()}  # larger weights, so biases and tanh matter
        cases.append((rng.normal(size=(B, D)), rng.normal(size=(B, H)), params))
    return cases


def check_rnn_step(fn):
    """Check a reader's ``rnn_step(x_t, h_prev, params) -> h_t`` against `lstm_lib.rnn.rnn_step`."""
    passed, messages = compare_to_reference(fn, rnn_step, _cases(), RNN_STEP_MISTAKES,
                                            what="your rnn_step", expected_letters="(B, H)",
                                            arg_names=("x_t", "h_prev", "params"))
    return report("rnn_step: " + ("correct" if passed else "not yet"), messages, passed)

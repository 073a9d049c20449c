"""The experiments of the chapter "Backpropagation through an LSTM".

An LSTM of H = 32 units reads the inputs of Part II's lag network (`gradients.lag_network`) and
receives its last-step gradient, so that the RNN and the LSTM are measured on the same data. Every
weight and bias is torch's initial draw times `weight_scale` (the recurrent weights times
`recurrent_scale` instead, if given), and the forget gate's total bias is set to b_f. The chapter's
lag profiles, its figures, the Explore widget and the slider exercise on the forget bias use it.
"""
import functools

import numpy as np

from lstm_lib.gradflow import last_step_gradient, lstm_gradient_by_lag, lstm_state_gradients
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_forward
from lstm_lib.validation import check_int, check_number

from .gradients import lag_network

LSTM_LAG = {"H": 32, "seed": 5}
FORGET = {"lag": 100, "level": 0.01, "T": 120, "weight_scale": 0.1, "step": 0.25}


def lstm_lag_network(forget_bias, weight_scale=0.1, T=200, recurrent_scale=None):
    """The chapter's LSTM test network: (x (T, B, 1), h0, c0 (B, H), params, dh_T (B, H)).

    B = 8, H = 32. x and dh_T are those of Part II's `lag_network`: the RNN and the LSTM
    see the same inputs and the same last-step gradient. The parameters are torch's
    initial draw (the same for every setting) times `weight_scale`, weight_hh times
    `recurrent_scale` instead if given, and the forget gate's total bias is b_f =
    `forget_bias` (bias_hh's forget block is 0).
    """
    forget_bias = check_number("forget_bias", forget_bias)
    weight_scale = check_number("weight_scale", weight_scale)
    check_int("T", T, 1)
    if recurrent_scale is not None:
        recurrent_scale = check_number("recurrent_scale", recurrent_scale)
    x, _, _, dh_T = lag_network(1.0, T=T)  # Part II's network: only x and dh_T are used
    H = LSTM_LAG["H"]
    params = init_lstm_params(1, H, np.random.default_rng(LSTM_LAG["seed"]))
    scales = {k: weight_scale for k in params}
    if recurrent_scale is not None:
        scales["weight_hh"] = recurrent_scale
    params = {k: scales[k] * v for k, v in params.items()}
    params["bias_ih"][gate_rows("f", H)] = forget_bias
    params["bias_hh"][gate_rows("f", H)] = 0.0
    zeros = np.zeros((x.shape[1], H))
    return x, zeros, zeros.copy(), params, dh_T


def forget_gates(cache):
    """f_t of every step, (T, B, H), read from the step caches of `lstm_forward`'s cache."""
    return np.stack([step["f"] for step in cache["steps"]])


def belt_by_lag(x, h0, c0, params, dh_T):
    """The belt's term alone: ||dL/dc_T * f_T * ... * f_{T-k+1}|| / ||dL/dc_T||, k = 0..T.

    The arguments of `lstm_lib.gradflow.lstm_gradient_by_lag`, and the same loss on h_T
    and dL/dc_T, carried back by the network's own forget gates and nothing else; the gap
    between the two measures is what the paths through h_{t-1} add. Shape (T + 1,).
    """
    h, _, cache = lstm_forward(x, h0, c0, params)
    dc_T = lstm_state_gradients(last_step_gradient(h, dh_T), cache)[1][-1]  # (B, H)
    f = forget_gates(cache)  # (T, B, H)
    kept = np.cumprod(f[::-1], axis=0)  # kept[k-1] = f_T * ... * f_{T-k+1}
    belt = np.concatenate([dc_T[None], dc_T * kept])  # (T + 1, B, H): lag 0, 1, ..., T
    norms = np.linalg.norm(belt.reshape(len(belt), -1), axis=1)
    return norms / norms[0]


def _key(forget_bias, weight_scale, T, recurrent_scale):
    """The arguments of `lstm_lag_network`, checked as it checks them, as a cache key."""
    check_int("T", T, 1)
    scale = None if recurrent_scale is None else check_number("recurrent_scale", recurrent_scale)
    return (check_number("forget_bias", forget_bias), check_number("weight_scale", weight_scale),
            int(T), scale)


@functools.lru_cache(maxsize=None)
def _profile(kind, forget_bias, weight_scale, T, recurrent_scale):
    """The ratios by lag of `kind` ("c", "h" or "belt"), read-only: the public functions copy them."""
    net = lstm_lag_network(forget_bias, weight_scale, T, recurrent_scale)
    ratios = belt_by_lag(*net) if kind == "belt" else lstm_gradient_by_lag(*net, state=kind)
    ratios.flags.writeable = False
    return ratios


def lstm_lag_profile(forget_bias, weight_scale=0.1, T=200, state="c", recurrent_scale=None):
    """||dL/dc_{T-k}|| / ||dL/dc_T|| (state="c") or the same for h, k = 0..T, in `lstm_lag_network`.

    The measure of `lstm_lib.gradflow.lstm_gradient_by_lag`, every path included; shape (T + 1,).
    """
    if state not in ("c", "h"):
        raise ValueError(f"state must be 'c' or 'h', got {state!r}")
    return _profile(state, *_key(forget_bias, weight_scale, T, recurrent_scale)).copy()


def lstm_belt_profile(forget_bias, weight_scale=0.1, T=200, recurrent_scale=None):
    """`belt_by_lag` in `lstm_lag_network`: the belt's share of `lstm_lag_profile`, (T + 1,)."""
    return _profile("belt", *_key(forget_bias, weight_scale, T, recurrent_scale)).copy()


def forget_bias_ratio(forget_bias):
    """The slider exercise's measure: ||dL/dc_{T-100}|| / ||dL/dc_T|| in the small-weight network, T = 120."""
    return float(lstm_lag_profile(forget_bias, FORGET["weight_scale"], FORGET["T"])[FORGET["lag"]])

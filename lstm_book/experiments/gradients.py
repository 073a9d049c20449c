"""The experiments of the chapter "Vanishing and exploding gradients".

A 32-unit tanh RNN whose recurrent matrix is W_hh = scale * W0, with W0 a Gaussian matrix
rescaled to spectral radius 1 (so rho(W_hh) = scale); inputs x (T, B, 1) standard normal, times
`amplitude` through W_ih. The chapter's lag profiles, its Explore section, its slider exercise
(`SURVIVAL`, the stops `SURVIVAL_SCALES`, the measure `survival_ratio`) and, with the same
inputs, the network of the chapter "Backpropagation through an LSTM" are built on it.
"""
import numpy as np

from lstm_lib.gradflow import rescale_matrix, rnn_gradient_by_lag
from lstm_lib.validation import check_int, check_number

LAG_NETWORK = {"H": 32, "B": 8, "seed": 0}
SURVIVAL = {"lag": 50, "level": 1e-3, "amplitude": 0.5, "T": 60, "step": 0.05}
SURVIVAL_SCALES = [round(0.8 + 0.05 * i, 2) for i in range(17)]  # the slider: 0.8, 0.85, ..., 1.6


def lag_network(scale, amplitude=0.5, T=60):
    """The chapter's test network: (x (T, B, 1), h0 (B, H), params, dh_T (B, H)), B = 8, H = 32.

    W_hh has spectral radius `scale`; the input weights are `amplitude` times fixed Gaussian
    weights. The same seed gives the same W0, input weights and gradient dh_T for every scale,
    amplitude and T.
    """
    scale, amplitude = check_number("scale", scale), check_number("amplitude", amplitude)
    check_int("T", T, 1)
    H, B = LAG_NETWORK["H"], LAG_NETWORK["B"]
    rng = np.random.default_rng(LAG_NETWORK["seed"])
    W0 = rescale_matrix(rng.normal(size=(H, H)), 1.0)  # rho(W0) = 1
    w_in = rng.normal(size=(H, 1))
    dh_T = rng.normal(size=(B, H))
    x = np.random.default_rng(LAG_NETWORK["seed"] + 1).normal(size=(T, B, 1))
    params = {"weight_ih": amplitude * w_in, "weight_hh": scale * W0,
              "bias_ih": np.zeros(H), "bias_hh": np.zeros(H)}
    return x, np.zeros((B, H)), params, dh_T


def lag_profile(scale, amplitude=0.5, T=60):
    """||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0..T in `lag_network`, shape (T + 1,)."""
    return rnn_gradient_by_lag(*lag_network(scale, amplitude, T))


def survival_ratio(scale):
    """The slider exercise's measure: ||dL/dh_{T-50}|| / ||dL/dh_T|| at input amplitude 0.5."""
    return float(lag_profile(scale, SURVIVAL["amplitude"], SURVIVAL["T"])[SURVIVAL["lag"]])

"""The experiments of "Backpropagation through an LSTM": the test network, its lag profiles and the belt's term."""
import numpy as np
import pytest

from lstm_book.experiments.lstm_backprop import (
    FORGET,
    belt_by_lag,
    forget_bias_ratio,
    forget_gates,
    lstm_belt_profile,
    lstm_lag_network,
    lstm_lag_profile,
)
from lstm_lib.gradflow import last_step_gradient, lstm_gradient_by_lag, lstm_state_gradients
from lstm_lib.lstm import lstm_forward, lstm_step


def test_profile_is_the_library_measure_and_is_cached():
    direct = lstm_gradient_by_lag(*lstm_lag_network(2.0, 0.1, 30))
    np.testing.assert_array_equal(lstm_lag_profile(2.0, 0.1, 30), direct)
    first = lstm_lag_profile(2.0, 0.1, 30)
    first[:] = 0  # a copy: the cache is not changed by the caller
    np.testing.assert_array_equal(lstm_lag_profile(2.0, 0.1, 30), direct)


def test_profile_of_h_and_bad_state():
    direct = lstm_gradient_by_lag(*lstm_lag_network(1.0, 0.1, 20), state="h")
    np.testing.assert_array_equal(lstm_lag_profile(1, 0.1, 20, state="h"), direct)  # 1 and 1.0: the same key
    with pytest.raises(ValueError, match="state must be 'c' or 'h'"):
        lstm_lag_profile(1.0, 0.1, 20, state="x")


def test_forget_bias_ratio_is_the_profile_at_the_lag():
    r = lstm_lag_profile(3.0, FORGET["weight_scale"], FORGET["T"])
    assert forget_bias_ratio(3.0) == r[FORGET["lag"]]


def test_lag_network_shapes_and_forget_bias():
    x, h0, c0, params, dh_T = lstm_lag_network(3.0, 0.1, T=7)
    assert x.shape == (7, 8, 1) and h0.shape == c0.shape == dh_T.shape == (8, 32)
    assert np.all(params["bias_ih"][32:64] == 3.0) and np.all(params["bias_hh"][32:64] == 0.0)
    assert np.abs(params["weight_hh"]).max() <= 0.1 / np.sqrt(32)


@pytest.mark.parametrize("args, message", [((None,), "forget_bias must be a single real number"),
                                           ((1.0, float("inf")), "weight_scale must be a finite number"),
                                           ((1.0, 0.1, 0), "T must be a positive integer")])
def test_lag_network_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        lstm_lag_network(*args)
    with pytest.raises(ValueError, match=message):  # the cached profiles check alike
        lstm_lag_profile(*args)


def test_recurrent_scale_changes_only_weight_hh():
    small = lstm_lag_network(1.0, 0.1, T=3)[3]
    large = lstm_lag_network(1.0, 0.1, T=3, recurrent_scale=8.0)[3]
    np.testing.assert_allclose(large["weight_hh"], 80.0 * small["weight_hh"])
    for k in ("weight_ih", "bias_ih", "bias_hh"):
        np.testing.assert_array_equal(large[k], small[k])
    with pytest.raises(ValueError, match="recurrent_scale must be a single real number"):
        lstm_lag_network(1.0, 0.1, 3, recurrent_scale="8")


# --- the belt's term alone ------------------------------------------------------------------------------

def test_forget_gates_are_those_of_each_step():
    x, h0, c0, params, _ = lstm_lag_network(2.0, 0.1, T=5, recurrent_scale=8.0)
    h, c, cache = lstm_forward(x, h0, c0, params)
    f = forget_gates(cache)
    assert f.shape == (5, 8, 32)
    h_prev, c_prev = h0, c0
    for t in range(5):
        np.testing.assert_allclose(f[t], lstm_step(x[t], h_prev, c_prev, params)[2]["f"], rtol=1e-12)
        h_prev, c_prev = h[t], c[t]


def test_belt_profile_is_the_backward_pass_without_recurrent_weights():
    for b in (0.0, 3.0):
        np.testing.assert_allclose(lstm_belt_profile(b, 0.1, 40, recurrent_scale=0.0),
                                   lstm_lag_profile(b, 0.1, 40, recurrent_scale=0.0), rtol=1e-10, atol=0)


def test_belt_profile_only_shrinks_and_the_paths_through_h_add():
    belt = lstm_belt_profile(1.0, 0.1, 40, recurrent_scale=8.0)
    full = lstm_lag_profile(1.0, 0.1, 40, recurrent_scale=8.0)
    assert belt.shape == (41,) and belt[0] == 1.0 and np.all(np.diff(belt) <= 0)
    assert full[40] > 10 * belt[40]
    first = lstm_belt_profile(1.0, 0.1, 40, recurrent_scale=8.0)
    first[:] = 0  # a copy: the cache is not changed by the caller
    np.testing.assert_array_equal(lstm_belt_profile(1.0, 0.1, 40, recurrent_scale=8.0), belt)


def test_belt_by_lag_is_the_product_of_the_forget_gates():
    x, h0, c0, params, dh_T = lstm_lag_network(2.0, 0.1, T=4)
    r = belt_by_lag(x, h0, c0, params, dh_T)
    np.testing.assert_array_equal(r, lstm_belt_profile(2.0, 0.1, 4))
    h, _, cache = lstm_forward(x, h0, c0, params)
    dc_T = lstm_state_gradients(last_step_gradient(h, dh_T), cache)[1][-1]
    f = forget_gates(cache)  # (T, B, H)
    assert r.shape == (5,) and r[0] == 1.0 and np.all(np.diff(r) < 0)
    for k in range(1, 5):  # lag k: dc_T * f_T * ... * f_{T-k+1}
        want = np.linalg.norm(dc_T * f[4 - k:].prod(axis=0)) / np.linalg.norm(dc_T)
        assert abs(r[k] - want) < 1e-12 * want

"""The checkers of "Backpropagation through an LSTM" accept right answers and name the usual slips."""
import numpy as np
import pytest

from lstm_book.exercises import lstm_backprop
from lstm_book.exercises.lstm_backprop import (FORGET, FORGET_BIASES, STEP_SLIPS, check_forget_bias,
                                              check_lstm_step_backward, forget_bias_feedback, forget_bias_ratio,
                                              forget_bias_verdict, forget_gates, lstm_belt_profile,
                                              lstm_lag_network, lstm_lag_profile, lstm_step_cache,
                                              reference_step_backward)
from lstm_lib.gradflow import lstm_gradient_by_lag
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward


def run(capsys, answer):
    verdict = check_lstm_step_backward(answer)
    return verdict, capsys.readouterr().out


# --- the reference is one step of the library's backward pass ------------------------------------------

def test_reference_is_one_step_of_lstm_backward(rng):
    B, D, H = 3, 2, 4
    params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
    x, h0, c0 = rng.normal(size=(1, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dh, dc_T = rng.normal(size=(1, B, H)), rng.normal(size=(B, H))
    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache, dc_T)
    dz, dc_prev = reference_step_backward(dh[0], dc_T, lstm_step_cache(x[0], h0, c0, params))
    np.testing.assert_allclose(dc_prev, dc0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dz @ params["weight_hh"], dh0, rtol=1e-12, atol=1e-14)  # dh_{t-1} = dz W_hh
    np.testing.assert_allclose(dz @ params["weight_ih"], dx[0], rtol=1e-12, atol=1e-14)  # dx_t = dz W_ih
    np.testing.assert_allclose(dz.sum(axis=0), grads["bias_ih"], rtol=1e-12, atol=1e-14)


# --- exercise 1: lstm_step_backward ---------------------------------------------------------------------

def written_out(dh_t, dc_next, cache):  # the chapter's solution, one equation per line
    i, f, g, o, c_prev, c = (cache[k] for k in ("i", "f", "g", "o", "c_prev", "c"))
    tanh_c = np.tanh(c)
    do = dh_t * tanh_c
    dc = dc_next + dh_t * o * (1 - tanh_c ** 2)
    df, di, dg = dc * c_prev, dc * g, dc * i
    dz = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)], axis=1)
    return dz, dc * f


def via_stacked_slopes(dh_t, dc_next, cache):  # activations side by side, one slope array, a list
    a = np.hstack([cache["i"], cache["f"], cache["g"], cache["o"]])
    H = cache["i"].shape[1]
    slope = a * (1 - a)
    slope[:, 2 * H:3 * H] = 1 - cache["g"] ** 2
    tanh_c = np.tanh(cache["c"])
    dc = dc_next + dh_t * cache["o"] * (1 - tanh_c ** 2)
    d_act = np.hstack([dc * cache["g"], dc * cache["c_prev"], dc * cache["i"], dh_t * tanh_c])
    return [(d_act * slope).astype(np.float32), (dc * cache["f"]).tolist()]


def in_place(dh_t, dc_next, cache):  # correct, but writes into its inputs (the checker passes copies)
    tanh_c = np.tanh(cache["c"])
    dc_next += dh_t * cache["o"] * (1 - tanh_c ** 2)  # now dL/dc_t
    dz = np.hstack([dc_next * cache["g"] * cache["i"] * (1 - cache["i"]),
                    dc_next * cache["c_prev"] * cache["f"] * (1 - cache["f"]),
                    dc_next * cache["i"] * (1 - cache["g"] ** 2),
                    dh_t * tanh_c * cache["o"] * (1 - cache["o"])])
    cache["f"] *= dc_next  # dc_prev, computed in the cache's own array
    return dz, cache["f"]


@pytest.mark.parametrize("answer", [reference_step_backward, written_out, via_stacked_slopes, in_place])
def test_accepts_correct_answers(capsys, answer):
    verdict, out = run(capsys, answer)
    assert verdict and "lstm_step_backward: correct" in out and "All 3 cases" in out


def slip(name):
    return lambda *args: lstm_backprop._step_backward(*args, slip=name)


def missing_forget(dh_t, dc_next, cache):  # written by hand: the belt passes the gradient unscaled
    dz, dc_prev = written_out(dh_t, dc_next, cache)
    return dz, dc_prev / cache["f"]


def sigma_as_slope(dh_t, dc_next, cache):
    dz, dc_prev = written_out(dh_t, dc_next, cache)
    H = cache["i"].shape[1]
    for k, s in ((0, cache["i"]), (1, cache["f"]), (3, cache["o"])):
        dz[:, k * H:(k + 1) * H] /= 1 - s  # leaves s where s * (1 - s) belongs
    return dz, dc_prev


@pytest.mark.parametrize("answer, hint, blocks", [
    (missing_forget, "the forget term is missing", "dc_prev is not right"),
    (sigma_as_slope, "you used s itself", "gate i, f, o"),
    (slip("tanh_prime_on_gates"), "1 - s^2 is the derivative of tanh", "gate i, f, o"),
    (slip("no_h_path"), "misses the path through h_t", "gate i, f, g"),
    (slip("swap_ig"), "di and dg are swapped", "gate i, g\n"),
    (slip("no_belt_in"), "misses dc_next", "dc_prev is not right"),
    (slip("order_ifog"), "i, f, o, g", "gate g, o\n"),
    (slip("sigmoid_prime_on_g"), "The candidate g_t is a tanh", "gate g\n"),
    (slip("df_with_c"), "the previous cell state", "gate f\n"),
])
def test_rejects_typical_slips_with_their_hint(capsys, answer, hint, blocks):
    verdict, out = run(capsys, answer)
    assert not verdict and "not yet" in out
    assert hint in out and blocks in out


def test_every_slip_differs_from_the_reference_and_is_named():
    for args in lstm_backprop._step_cases():
        dz, dc_prev = reference_step_backward(*args)
        for name, _ in STEP_SLIPS:
            wrong_dz, wrong_dc = lstm_backprop._step_backward(*args, slip=name)
            assert not (np.allclose(wrong_dz, dz) and np.allclose(wrong_dc, dc_prev)), name


def test_unknown_mistake_gets_the_generic_hint(capsys):
    verdict, out = run(capsys, lambda dh, dc, cache: (2 * reference_step_backward(dh, dc, cache)[0],
                                                      reference_step_backward(dh, dc, cache)[1]))
    assert not verdict and "No common slip matches" in out and "dc_prev is right" in out


def test_raising_answer(capsys):
    def stub(dh_t, dc_next, cache):
        raise NotImplementedError("write the backward pass of one step")

    verdict, out = run(capsys, stub)
    assert not verdict and "raised NotImplementedError: write the backward pass of one step" in out


def test_wrong_key_gets_a_hint(capsys):
    verdict, out = run(capsys, lambda dh, dc, cache: cache["c_t"])
    assert not verdict and "KeyError" in out and "The cache holds the keys" in out


def test_broadcast_error_gets_a_hint(capsys):
    verdict, out = run(capsys, lambda dh, dc, cache: (np.ones((2, 3)) * np.ones((2, 4)), dc))
    assert not verdict and "could not be broadcast" in out and "np.concatenate" in out


def test_none_answer(capsys):
    verdict, out = run(capsys, lambda *args: None)
    assert not verdict and "returned None" in out


def test_not_callable(capsys):
    verdict, out = run(capsys, reference_step_backward(*lstm_backprop._step_cases()[0]))
    assert not verdict and "Expected a function" in out


def test_five_arrays_get_the_concatenate_hint(capsys):
    def five(dh, dc, cache):
        dz, dc_prev = reference_step_backward(dh, dc, cache)
        return (*np.split(dz, 4, axis=1), dc_prev)

    verdict, out = run(capsys, five)
    assert not verdict and "returned 5 item(s)" in out and "np.concatenate" in out


def test_only_dz_returned(capsys):
    verdict, out = run(capsys, lambda *args: reference_step_backward(*args)[0])
    assert not verdict and "return two: dz (B, 4H) and dc_prev (B, H)" in out


def test_wrong_shape_and_nan(capsys):
    verdict, out = run(capsys, lambda *args: (reference_step_backward(*args)[0][:, :4], reference_step_backward(*args)[1]))
    assert not verdict and "dz has shape" in out and "expected (B, 4H)" in out
    verdict, out = run(capsys, lambda *args: (reference_step_backward(*args)[0] * np.nan, reference_step_backward(*args)[1]))
    assert not verdict and "NaN" in out


def test_non_numeric_item(capsys):
    verdict, out = run(capsys, lambda *args: ("dz", reference_step_backward(*args)[1]))
    assert not verdict and "not an array of numbers" in out


# --- exercise 2: the forget bias ------------------------------------------------------------------------

def answer():
    return next(b for b in FORGET_BIASES if forget_bias_ratio(b) >= FORGET["level"])


def test_the_slider_has_exactly_one_answer_with_a_margin():
    b = answer()
    passing = [x for x in FORGET_BIASES if forget_bias_verdict(x)[0]]
    assert passing == [b]
    assert 0 < b < FORGET_BIASES[-1]
    # not a knife edge: both neighbours are clearly on their side of the 1 % line
    assert forget_bias_ratio(b) > 1.3 * FORGET["level"] and forget_bias_ratio(b - FORGET["step"]) < FORGET["level"] / 1.3


def test_ratio_rises_with_the_forget_bias():
    ratios = [forget_bias_ratio(b) for b in FORGET_BIASES]
    assert all(a < b for a, b in zip(ratios, ratios[1:]))


def test_check_forget_bias_messages(capsys):
    b = answer()
    assert check_forget_bias(b)
    assert "target reached" in capsys.readouterr().out
    assert not check_forget_bias(b - 1.0)
    assert "raise b_f" in capsys.readouterr().out
    assert not check_forget_bias(b + 1.0)
    assert "Look for the smallest b_f" in capsys.readouterr().out
    for bad in (None, "3", float("nan"), 50.0, True):
        assert not check_forget_bias(bad)
        assert "b_f should" in capsys.readouterr().out


def test_feedback_is_html():
    assert forget_bias_feedback(answer()).startswith('<p style="color:#1a7f37')
    assert forget_bias_feedback(0.0).startswith('<p style="color:#b35900')


def test_profile_is_the_library_measure_and_is_cached():
    direct = lstm_gradient_by_lag(*lstm_lag_network(2.0, 0.1, 30))
    np.testing.assert_array_equal(lstm_lag_profile(2.0, 0.1, 30), direct)
    first = lstm_lag_profile(2.0, 0.1, 30)
    first[:] = 0  # a copy: the cache is not changed by the caller
    np.testing.assert_array_equal(lstm_lag_profile(2.0, 0.1, 30), direct)


def test_lag_network_shapes_and_forget_bias():
    x, h0, c0, params, dh_T = lstm_lag_network(3.0, 0.1, T=7)
    assert x.shape == (7, 8, 1) and h0.shape == c0.shape == dh_T.shape == (8, 32)
    assert np.all(params["bias_ih"][32:64] == 3.0) and np.all(params["bias_hh"][32:64] == 0.0)
    assert np.abs(params["weight_hh"]).max() <= 0.1 / np.sqrt(32)


@pytest.mark.parametrize("args, message", [((None,), "forget_bias must be a finite number"),
                                           ((1.0, float("inf")), "weight_scale must be a finite number"),
                                           ((1.0, 0.1, 0), "T must be a positive integer")])
def test_lag_network_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        lstm_lag_network(*args)


def test_recurrent_scale_changes_only_weight_hh():
    small = lstm_lag_network(1.0, 0.1, T=3)[3]
    large = lstm_lag_network(1.0, 0.1, T=3, recurrent_scale=8.0)[3]
    np.testing.assert_allclose(large["weight_hh"], 80.0 * small["weight_hh"])
    for k in ("weight_ih", "bias_ih", "bias_hh"):
        np.testing.assert_array_equal(large[k], small[k])
    with pytest.raises(ValueError, match="recurrent_scale must be a finite number or None"):
        lstm_lag_network(1.0, 0.1, 3, recurrent_scale="8")


# --- the belt's term alone ------------------------------------------------------------------------------

def test_forget_gates_are_those_of_each_step(rng):
    x, h0, c0, params, _ = lstm_lag_network(2.0, 0.1, T=5, recurrent_scale=8.0)
    h, c, _ = lstm_forward(x, h0, c0, params)
    f = forget_gates(x, h0, h, params)
    h_prev, c_prev = h0, c0
    for t in range(5):
        np.testing.assert_allclose(f[t], lstm_step_cache(x[t], h_prev, c_prev, params)["f"], rtol=1e-12)
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

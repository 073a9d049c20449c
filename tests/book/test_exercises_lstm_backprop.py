"""The checkers of "Backpropagation through an LSTM" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none

from lstm_book.exercises import lstm_backprop
from lstm_book.exercises.feedback import flatten_with_grads
from lstm_book.exercises.lstm_backprop import (
    FORGET_BIASES,
    SEQUENCE_SLIPS,
    STEP_SLIPS,
    check_forget_bias,
    check_lstm_backward,
    check_lstm_step_backward,
    forget_bias_feedback,
    forget_bias_verdict,
)
from lstm_book.experiments.lstm_backprop import FORGET, forget_bias_ratio
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward, lstm_step, lstm_step_backward


def run(capsys, answer, checker=check_lstm_step_backward):
    verdict = checker(answer)
    return verdict, capsys.readouterr().out


# --- the slip models, without a slip, are the library's functions -------------------------------------------

def test_step_model_is_lstm_step_backward():
    for args in lstm_backprop.step_cases():
        dx_t, dh_prev, dc_prev, grads = lstm_backprop.step_backward_with_slip(*args)
        want = lstm_step_backward(*args)
        np.testing.assert_allclose(dx_t, want[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dh_prev, want[1], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dc_prev, want[2], rtol=1e-12, atol=1e-14)
        for k in grads:
            np.testing.assert_allclose(grads[k], want[3][k], rtol=1e-12, atol=1e-14)


def test_sequence_model_is_lstm_backward():
    for dh, cache, dc_T in lstm_backprop.sequence_cases():
        got = lstm_backprop.sequence_backward_with_slip(dh, cache["steps"], lstm_step_backward, dc_T)
        want = lstm_backward(dh, cache, dc_T)
        for a, b in zip(got[:3], want[:3]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        for k in want[3]:
            np.testing.assert_allclose(got[3][k], want[3][k], rtol=1e-12, atol=1e-14)


def test_one_step_of_lstm_backward_is_lstm_step_backward(rng):
    B, D, H = 3, 2, 4
    params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
    x, h0, c0 = rng.normal(size=(1, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dh, dc_T = rng.normal(size=(1, B, H)), rng.normal(size=(B, H))
    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache, dc_T)
    dx_t, dh_prev, dc_prev, step_grads = lstm_step_backward(dh[0], dc_T, lstm_step(x[0], h0, c0, params)[2])
    np.testing.assert_allclose(dc_prev, dc0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dh_prev, dh0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx_t, dx[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(step_grads["bias_ih"], grads["bias_ih"], rtol=1e-12, atol=1e-14)


# --- exercise 1: lstm_step_backward ---------------------------------------------------------------------

def written_out(dh_t, dc_t, cache):  # the chapter's solution, one equation per line
    x_t, h_prev, c_prev, i, f, g, o, tanh_c, params = (cache[k] for k in lstm_backprop.CACHE_KEYS)
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)
    do = dh_t * tanh_c
    di, dg, df = dc * g, dc * i, dc * c_prev
    dz = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)], axis=1)
    grads = {"weight_ih": dz.T @ x_t, "weight_hh": dz.T @ h_prev, "bias_ih": dz.sum(0), "bias_hh": dz.sum(0)}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc * f, grads


def via_stacked_slopes(dh_t, dc_t, cache):  # activations side by side, one slope array, lists and float32
    a = np.hstack([cache["i"], cache["f"], cache["g"], cache["o"]])
    H = cache["i"].shape[1]
    slope = a * (1 - a)
    slope[:, 2 * H:3 * H] = 1 - cache["g"] ** 2
    dc = dc_t + dh_t * cache["o"] * (1 - cache["tanh_c"] ** 2)
    dz = np.hstack([dc * cache["g"], dc * cache["c_prev"], dc * cache["i"], dh_t * cache["tanh_c"]]) * slope
    p = cache["params"]
    grads = {"weight_ih": (dz.T @ cache["x_t"]).tolist(), "weight_hh": dz.T @ cache["h_prev"],
             "bias_ih": dz.sum(0).astype(np.float32), "bias_hh": list(dz.sum(0))}
    return [(dz @ p["weight_ih"]).astype(np.float32), dz @ p["weight_hh"], (dc * cache["f"]).tolist(), grads]


def in_place(dh_t, dc_t, cache):  # correct, but writes into its inputs (the checker passes copies)
    dx_t, dh_prev, dc_prev, grads = written_out(dh_t, dc_t, cache)
    dc_t += 1.0
    cache["f"] *= 0.0
    cache["params"]["weight_ih"] *= 0.0
    return dx_t, dh_prev, dc_prev, grads


@pytest.mark.parametrize("answer", [lstm_step_backward, written_out, via_stacked_slopes, in_place])
def test_accepts_correct_answers(capsys, answer):
    verdict, out = run(capsys, answer)
    assert verdict and "lstm_step_backward: correct" in out and "All 3 cases" in out


def slip(name):
    return lambda *args: lstm_backprop.step_backward_with_slip(*args, slip=name)


def missing_forget(dh_t, dc_t, cache):  # written by hand: the belt passes the gradient unscaled
    dx_t, dh_prev, dc_prev, grads = written_out(dh_t, dc_t, cache)
    return dx_t, dh_prev, dc_prev / cache["f"], grads


def sigma_as_slope(dh_t, dc_t, cache):  # written by hand: s where s * (1 - s) belongs
    i, f, g, o = (cache[k] for k in "ifgo")
    dc = dc_t + dh_t * o * (1 - cache["tanh_c"] ** 2)
    dz = np.concatenate([dc * g * i, dc * cache["c_prev"] * f, dc * i * (1 - g ** 2), dh_t * cache["tanh_c"] * o],
                        axis=1)
    p = cache["params"]
    grads = {"weight_ih": dz.T @ cache["x_t"], "weight_hh": dz.T @ cache["h_prev"], "bias_ih": dz.sum(0),
             "bias_hh": dz.sum(0)}
    return dz @ p["weight_ih"], dz @ p["weight_hh"], dc * f, grads


def dc_prev_from_dc_t(dh_t, dc_t, cache):  # written by hand: the belt's incoming gradient, not the total dc
    dx_t, dh_prev, dc_prev, grads = written_out(dh_t, dc_t, cache)
    return dx_t, dh_prev, dc_t * cache["f"], grads


def slope_at_c_prev(dh_t, dc_t, cache):  # written by hand: tanh's slope at c_(t-1) instead of c_t
    x_t, h_prev, c_prev, i, f, g, o, tanh_c, params = (cache[k] for k in lstm_backprop.CACHE_KEYS)
    dc = dc_t + dh_t * o * (1 - np.tanh(c_prev) ** 2)
    do = dh_t * tanh_c
    di, dg, df = dc * g, dc * i, dc * c_prev
    dz = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)], axis=1)
    grads = {"weight_ih": dz.T @ x_t, "weight_hh": dz.T @ h_prev, "bias_ih": dz.sum(0), "bias_hh": dz.sum(0)}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc * f, grads


@pytest.mark.parametrize("answer, hint, where", [
    (missing_forget, "the forget term is missing", "Not right: dc_prev."),
    (sigma_as_slope, "you used s itself", "gate(s) i, f, o\n"),
    (slip("tanh_prime_on_gates"), "1 - s^2 is the derivative of tanh", "gate(s) i, f, o\n"),
    (slip("no_h_path"), "misses the path through h_t", "gate(s) i, f, g\n"),
    (slip("swap_ig"), "di and dg are swapped", "gate(s) i, g\n"),
    (slip("no_belt_in"), "misses dc_t", "Not right: dx_t, dh_prev, dc_prev, grads (all four arrays)."),
    (slip("order_ifog"), "i, f, o, g", "gate(s) g, o\n"),
    (slip("sigmoid_prime_on_g"), "The candidate g_t is a tanh", "gate(s) g\n"),
    (slip("df_with_c"), "the previous cell state", "gate(s) f\n"),
    (slip("bias_hh_zero"), "both get dz.sum(axis=0)", "Not right: grads['bias_hh']."),
    # issue 11: each of these had only "No common slip matches"
    (dc_prev_from_dc_t, "dc_prev = dc_t * f passes back only what arrived along the belt", "Not right: dc_prev."),
    (slope_at_c_prev, "1 - tanh(c_prev)**2 takes tanh's slope at the previous cell state", "gate(s) i, f, g\n"),
])
def test_rejects_typical_slips_with_their_hint(capsys, answer, hint, where):
    verdict, out = run(capsys, answer)
    assert not verdict and "not yet" in out
    assert hint in out and where in out


@pytest.mark.parametrize("name, hint", STEP_SLIPS)
def test_every_step_slip_is_named(capsys, name, hint):
    verdict, out = run(capsys, slip(name))
    assert not verdict and hint.split("\n")[0] in out


def test_every_slip_differs_from_the_reference_and_is_named():
    for args in lstm_backprop.step_cases():
        want = flatten_with_grads(lstm_backprop.STEP_NAMES, lstm_step_backward(*args))
        for name, _ in STEP_SLIPS:
            if name == "bias_mean" and args[0].shape[0] == 1:
                continue  # with B = 1 the mean is the sum; the other two cases show it
            got = flatten_with_grads(lstm_backprop.STEP_NAMES, lstm_backprop.step_backward_with_slip(*args, slip=name))
            assert not all(np.allclose(got[k], want[k]) for k in want), name


def test_unknown_mistake_gets_the_generic_hint(capsys):
    def doubled(dh, dc, cache):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
        return 2 * dx_t, dh_prev, dc_prev, grads

    verdict, out = run(capsys, doubled)
    assert not verdict and "No common slip matches" in out and "Right: dh_prev, dc_prev" in out


def test_raising_answer(capsys):
    def stub(dh_t, dc_t, cache):
        raise NotImplementedError("write the backward pass of one step")

    verdict, out = run(capsys, stub)
    assert not verdict and "still raises NotImplementedError: write the backward pass of one step" in out
    verdict, out = run(capsys, raising)
    assert not verdict and "The inputs had shapes" in out


def test_wrong_key_gets_a_hint(capsys):
    verdict, out = run(capsys, lambda dh, dc, cache: cache["c_t"])
    assert not verdict and "KeyError" in out and "The cache holds the keys" in out and "tanh_c" in out


def test_broadcast_error_gets_a_hint(capsys):
    verdict, out = run(capsys, lambda dh, dc, cache: (np.ones((2, 3)) * np.ones((2, 4)), dc))
    assert not verdict and "could not be broadcast" in out and "np.concatenate" in out


def test_matmul_error_gets_a_hint(capsys):
    def transposed(dh, dc, cache):
        dz = np.ones((dh.shape[0], 4 * dh.shape[1]))
        return dz @ cache["params"]["weight_ih"].T, dh, dc, {}

    verdict, out = run(capsys, transposed)
    assert not verdict and "matmul" in out and "dz @ W_ih is (B, 4H) @ (4H, D)" in out


def test_none_answer(capsys):
    verdict, out = run(capsys, returns_none)
    assert not verdict and "returned None" in out and "return dx_t, dh_prev, dc_prev, grads" in out


def test_not_callable(capsys):
    verdict, out = run(capsys, lstm_step_backward(*lstm_backprop.step_cases()[0]))
    assert not verdict and "Expected a function" in out


def test_old_pair_dz_and_dc_prev_gets_a_hint(capsys):
    def dz_and_dc_prev(dh, dc, cache):  # the step stopped at dz
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
        return np.zeros((dh.shape[0], 4 * dh.shape[1])), dc_prev

    verdict, out = run(capsys, dz_and_dc_prev)
    assert not verdict and "returned 2 item(s)" in out and "If the first item is dz (B, 4H)" in out


def test_loose_parameter_gradients_get_a_hint(capsys):
    def seven(dh, dc, cache):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
        return (dx_t, dh_prev, dc_prev, *grads.values())

    verdict, out = run(capsys, seven)
    assert not verdict and "returned 7 item(s)" in out and "one dict, grads" in out


def test_wrong_shape_and_nan(capsys):
    def short_dx(*args):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(*args)
        return dx_t[:, :1], dh_prev, dc_prev, grads

    def nan_dc(*args):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(*args)
        return dx_t, dh_prev, dc_prev * np.nan, grads

    verdict, out = run(capsys, short_dx)
    assert not verdict and "dx_t has shape" in out and "expected (B, D)" in out
    verdict, out = run(capsys, nan_dc)
    assert not verdict and "NaN" in out


def test_transposed_weight_gradient_is_named(capsys):
    def transposed(*args):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(*args)
        return dx_t, dh_prev, dc_prev, {**grads, "weight_ih": grads["weight_ih"].T}

    verdict, out = run(capsys, transposed)
    assert not verdict and "grads['weight_ih'] has shape" in out and "It is transposed" in out


def test_grads_must_be_a_dict_with_every_key(capsys):
    verdict, out = run(capsys, lambda *args: (*lstm_step_backward(*args)[:3], [1, 2]))
    assert not verdict and "must be a dict keyed like params" in out
    verdict, out = run(capsys, lambda *args: (*lstm_step_backward(*args)[:3], {"weight_ih": 0}))
    assert not verdict and "grads is missing the key(s) ['weight_hh', 'bias_ih', 'bias_hh']" in out


def test_non_numeric_item(capsys):
    verdict, out = run(capsys, lambda *args: ("dx", *lstm_step_backward(*args)[1:]))
    assert not verdict and "not an array of numbers" in out
    verdict, out = run(capsys, lambda *args: (None, *lstm_step_backward(*args)[1:]))
    assert not verdict and "the dx_t you returned is None" in out


# --- exercise 2: my_lstm_backward ------------------------------------------------------------------------

def loop(dh, step_caches, step_backward, dc_T=None):  # the chapter's solution
    T, B, H = dh.shape
    dh_next = np.zeros((B, H))
    dc_next = np.zeros((B, H)) if dc_T is None else dc_T
    grads = {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}
    dx = [None] * T
    for t in reversed(range(T)):
        dx[t], dh_next, dc_next, step_grads = step_backward(dh[t] + dh_next, dc_next, step_caches[t])
        for k in grads:
            grads[k] += step_grads[k]
    return np.stack(dx), dh_next, dc_next, grads


def appended(dh, step_caches, step_backward, dc_T=None):  # a list built on the way back, then reversed
    dc_next = np.zeros_like(dh[0]) if dc_T is None else dc_T
    dh_next, dxs, grads = np.zeros_like(dh[0]), [], None
    for t in range(len(dh) - 1, -1, -1):
        dx_t, dh_next, dc_next, g = step_backward(dh[t] + dh_next, dc_next, step_caches[t])
        dxs.append(dx_t.tolist())
        grads = g if grads is None else {k: grads[k] + g[k] for k in g}
    return dxs[::-1], dh_next, dc_next, grads


def the_library(dh, step_caches, step_backward, dc_T=None):
    return lstm_backward(dh, {"made_by": "lstm_forward", "steps": step_caches}, dc_T)


def run_loop(capsys, answer):
    return run(capsys, answer, check_lstm_backward)


@pytest.mark.parametrize("answer", [loop, appended, the_library])
def test_loop_accepts_correct_answers(capsys, answer):
    verdict, out = run_loop(capsys, answer)
    assert verdict and "my_lstm_backward: correct" in out and "All 3 cases" in out


def in_place(dh, step_caches, step_backward, dc_T=None):  # right values, but the caller's dh changes
    dc_next = np.zeros_like(dh[0]) if dc_T is None else dc_T
    dh_next, dxs, grads = np.zeros_like(dh[0]), [], None
    for t in range(len(dh) - 1, -1, -1):
        dh[t] += dh_next
        dx_t, dh_next, dc_next, g = step_backward(dh[t], dc_next, step_caches[t])
        dxs.append(dx_t)
        grads = g if grads is None else {k: grads[k] + g[k] for k in g}
    return np.stack(dxs[::-1]), dh_next, dc_next, grads


def test_loop_that_writes_into_dh_is_told(capsys):
    verdict, out = run_loop(capsys, in_place)
    assert not verdict and "the values are right, but your my_lstm_backward wrote into dh" in out


def sequence_slip(name):
    return lambda *args: lstm_backprop.sequence_backward_with_slip(*args, slip=name)


@pytest.mark.parametrize("name, hint", SEQUENCE_SLIPS)
def test_every_loop_slip_is_named(capsys, name, hint):
    verdict, out = run_loop(capsys, sequence_slip(name))
    assert not verdict and "not yet" in out and hint.split("\n")[0] in out


@pytest.mark.parametrize("name, where", [
    ("forward_in_time", "Not right: dx, dh0, dc0, grads (all four arrays)."),
    ("grads_last_visited", "Right: dx, dh0, dc0.\nNot right: grads (all four arrays)."),
    ("dx_reversed", "Not right: dx."),
    ("dh0_of_step_T", "Not right: dh0, dc0."),
    ("dc_T_ignored", "with a dc_T"),
])
def test_loop_says_which_outputs_are_wrong(capsys, name, where):
    verdict, out = run_loop(capsys, sequence_slip(name))
    assert not verdict and where.replace("\n", "\n   ") in out


def test_every_loop_slip_differs_from_the_reference():
    dh, cache, dc_T = lstm_backprop.sequence_cases()[0]  # T = 4, with a dc_T: every slip shows
    want = flatten_with_grads(lstm_backprop.SEQUENCE_NAMES, lstm_backward(dh, cache, dc_T))
    for name, _ in SEQUENCE_SLIPS:
        got = flatten_with_grads(lstm_backprop.SEQUENCE_NAMES, lstm_backprop.sequence_backward_with_slip(
            dh, cache["steps"], lstm_step_backward, dc_T, slip=name))
        assert not all(np.allclose(got[k], want[k]) for k in want), name


def test_loop_that_never_calls_the_step_is_told(capsys):
    def no_calls(dh, step_caches, step_backward, dc_T=None):
        T, B, H = dh.shape
        D = step_caches[0]["x_t"].shape[1]
        return np.zeros((T, B, D)), dh[0], dh[0], {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}

    verdict, out = run_loop(capsys, no_calls)
    assert not verdict and "step_backward was called 0 times for T = 4 steps" in out
    assert "No common slip matches" in out


def test_loop_without_dc_T_argument_gets_a_hint(capsys):
    verdict, out = run_loop(capsys, lambda dh, step_caches, step_backward: None)
    assert not verdict and "positional argument" in out and "dc_T=None" in out


def test_loop_errors_inside_the_step_or_the_caches_get_a_hint(capsys):
    def int_zeros(dh, step_caches, step_backward, dc_T=None):
        dh_next, dc_next = 0, 0
        for t in reversed(range(len(step_caches))):
            _, dh_next, dc_next, _ = step_backward(dh[t] + dh_next, dc_next, step_caches[t])

    verdict, out = run_loop(capsys, int_zeros)
    assert not verdict and "dc_t must" in out and "np.zeros((B, H)), not 0" in out
    verdict, out = run_loop(capsys, lambda dh, step_caches, step_backward, dc_T=None: step_caches["steps"])
    assert not verdict and "list indices" in out and "step_caches is a list of T step caches" in out


@pytest.mark.parametrize("answer, message", [
    (raising, "still raises NotImplementedError"),
    (returns_none, "my_lstm_backward returned None"),
    (lambda *args: the_library(*args)[:3], "returned 3 item(s); return 4: (dx, dh0, dc0, grads)"),
    (lambda *args: (the_library(*args)[0][:-1], *the_library(*args)[1:]), "dx has shape"),
    (lambda *args: (the_library(*args)[0], *the_library(*args)[1:3], "grads"), "must be a dict"),
    (lambda *args: np.zeros(3), "returned a ndarray"),
    (42, "Expected a function"),
])
def test_loop_never_crashes_on_a_broken_answer(capsys, answer, message):
    verdict, out = run_loop(capsys, answer)
    assert not verdict and message in out


# --- exercise 3: the forget bias ------------------------------------------------------------------------

def answer():
    return next(b for b in FORGET_BIASES if forget_bias_ratio(b) >= FORGET["level"])


def test_the_slider_has_exactly_one_answer_with_a_margin():
    b = answer()
    passing = [x for x in FORGET_BIASES if forget_bias_verdict(x)[0]]
    assert passing == [b]
    assert 0 < b < FORGET_BIASES[-1]
    # not a knife edge: both neighbours are clearly on their side of the 1 % line
    level = FORGET["level"]
    assert forget_bias_ratio(b) > 1.3 * level and forget_bias_ratio(b - FORGET["step"]) < level / 1.3


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


def test_swapped_dc_prev_and_dz_are_named_as_a_swap(capsys):
    """issue 11: dz where dc_prev belongs was reported as a wrong shape, not as a swap."""
    def dz_in_third_place(dh, dc, cache):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
        return dx_t, dh_prev, np.zeros((dh.shape[0], 4 * dh.shape[1])), grads

    def dc_prev_and_dz(dh, dc, cache):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
        return dc_prev, np.zeros((dh.shape[0], 4 * dh.shape[1]))

    verdict, out = run(capsys, dz_in_third_place)
    assert not verdict and "dz and dc_prev are swapped" in out and "dc_prev has shape" not in out, out
    verdict, out = run(capsys, dc_prev_and_dz)
    assert not verdict and "The two items are swapped" in out and "If the first item is dz" not in out, out

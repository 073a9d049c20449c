"""The checkers of the chapter "Backpropagation through time" accept right answers and name the usual slips.

The reader's step backward takes the cache of lstm_lib.rnn.rnn_step: {"made_by", "x_t", "h_prev", "h_t", "params"}.
"""
import numpy as np
import pytest
import torch
from answers import raising, returns_none

from lstm_book.exercises import bptt
from lstm_book.exercises.bptt import (
    EPS_TOLERANCE,
    check_eps,
    check_rnn_backward,
    check_rnn_step_backward,
    eps_feedback,
)
from lstm_book.exercises.feedback import flatten_with_grads
from lstm_book.experiments.bptt import rnn_gradcheck_error
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_step, rnn_step_backward
from lstm_lib.torch_bridge import to_torch


def unpack(cache):
    return cache["x_t"], cache["h_prev"], cache["h_t"], cache["params"]


def good(dh_t, cache):
    x_t, h_prev, h_t, params = unpack(cache)
    da = dh_t * (1.0 - h_t ** 2)
    grads = {"weight_ih": da.T @ x_t, "weight_hh": da.T @ h_prev, "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}
    return da @ params["weight_ih"], da @ params["weight_hh"], grads


def with_h_t(h_t_of):
    """An answer that is right except that it reads h_t_of(cache) where it should read h_t."""
    def answer(dh_t, cache):
        return good(dh_t, {**cache, "h_t": h_t_of(cache)})
    return answer


def with_grad(key, fn):
    """An answer that is right except for grads[key] = fn(da, x_t, h_prev)."""
    def answer(dh_t, cache):
        dx_t, dh_prev, grads = good(dh_t, cache)
        x_t, h_prev, h_t, _ = unpack(cache)
        grads[key] = fn(dh_t * (1.0 - h_t ** 2), x_t, h_prev)
        return dx_t, dh_prev, grads
    return answer


def plus_sign(dh_t, cache):  # da = dh_t * (1 + h_t**2)
    x_t, h_prev, h_t, params = unpack(cache)
    da = dh_t * (1.0 + h_t ** 2)
    grads = {"weight_ih": da.T @ x_t, "weight_hh": da.T @ h_prev, "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}
    return da @ params["weight_ih"], da @ params["weight_hh"], grads


def run(capsys, answer):
    verdict = check_rnn_step_backward(answer)
    return verdict, capsys.readouterr().out


def test_the_reference_step_backward_matches_torch_autograd():
    """The checker's reference is lstm_lib.rnn.rnn_step_backward: torch's autograd agrees with it."""
    rng = np.random.default_rng(0)
    params = init_rnn_params(3, 4, rng)
    x_t, h_prev, dh_t = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    _, cache = rnn_step(x_t, h_prev, params)
    dx_t, dh_prev, grads = rnn_step_backward(dh_t, cache)
    module = to_torch(params)
    xt, hp = torch.tensor(x_t[None], requires_grad=True), torch.tensor(h_prev[None], requires_grad=True)
    (module(xt, hp)[0][0] * torch.from_numpy(dh_t)).sum().backward()
    np.testing.assert_allclose(dx_t, xt.grad[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(dh_prev, hp.grad[0].numpy(), atol=1e-12)
    for key, g in grads.items():
        np.testing.assert_allclose(g, getattr(module, key + "_l0").grad.numpy(), atol=1e-12)


def test_accepts_a_correct_answer(capsys):
    verdict, out = run(capsys, good)
    assert verdict and "correct" in out


def test_accepts_a_correct_answer_written_differently(capsys):
    def other(dh_t, cache):
        p = cache["params"]
        da = dh_t / np.cosh(np.arctanh(cache["h_t"])) ** 2  # tanh'(a) = 1 / cosh(a)^2, a recovered from h_t
        bias = np.einsum("bh->h", da)
        grads = {"weight_ih": np.einsum("bh,bd->hd", da, cache["x_t"]), "weight_hh": (cache["h_prev"].T @ da).T,
                 "bias_ih": bias, "bias_hh": bias}
        return np.dot(da, p["weight_ih"]), (p["weight_hh"].T @ da.T).T, grads
    verdict, out = run(capsys, other)
    assert verdict and "correct" in out


def test_accepts_the_library(capsys):
    verdict, out = run(capsys, rnn_step_backward)
    assert verdict and "All 3 cases match lstm_lib.rnn.rnn_step_backward" in out


def test_accepts_lists_and_a_tuple_of_plain_lists(capsys):
    def as_lists(*args):
        dx_t, dh_prev, grads = good(*args)
        return [dx_t.tolist(), dh_prev.tolist(), {k: v.tolist() for k, v in grads.items()}]
    verdict, _ = run(capsys, as_lists)
    assert verdict


@pytest.mark.parametrize("answer, hint", [
    (with_h_t(lambda c: np.zeros_like(c["h_t"])), "tanh derivative is missing"),
    (with_h_t(lambda c: c["h_prev"]), "uses h_prev"),
    (with_h_t(lambda c: np.tanh(c["h_t"])), "applies tanh twice"),
    (plus_sign, "The tanh derivative has a plus sign"),  # issue 11: had only "No common slip matches"
    (with_grad("weight_hh", lambda da, x, hp: hp.T @ da), "grads['weight_hh'] is transposed"),
    (with_grad("weight_ih", lambda da, x, hp: x.T @ da), "It is transposed"),
    (with_grad("bias_ih", lambda da, x, hp: da), "Sum da_t over the batch axis"),
    (with_grad("bias_hh", lambda da, x, hp: da.sum(axis=0, keepdims=True)), "Drop the batch axis"),
    (with_grad("bias_hh", lambda da, x, hp: da.mean(axis=0)), "averaged over the batch"),
])
def test_names_the_slip(capsys, answer, hint):
    verdict, out = run(capsys, answer)
    assert not verdict
    assert hint in out


def test_weight_hh_gradient_from_h_t(capsys):
    def answer(dh_t, cache):
        dx_t, dh_prev, grads = good(dh_t, cache)
        h_t = cache["h_t"]
        grads["weight_hh"] = (dh_t * (1.0 - h_t ** 2)).T @ h_t
        return dx_t, dh_prev, grads
    verdict, out = run(capsys, answer)
    assert not verdict
    assert "grads['weight_hh'] uses h_t" in out and "transposed" not in out


def test_an_unknown_slip_gets_the_generic_hint(capsys):
    verdict, out = run(capsys, lambda *a: (-good(*a)[0], *good(*a)[1:]))
    assert not verdict
    assert "wrong values in dx_t" in out and "No common slip matches" in out


def test_dh_prev_through_the_transpose(capsys):
    def answer(dh_t, cache):
        dx_t, _, grads = good(dh_t, cache)
        return dx_t, (dh_t * (1.0 - cache["h_t"] ** 2)) @ cache["params"]["weight_hh"].T, grads
    verdict, out = run(capsys, answer)
    assert not verdict
    assert "dh_prev uses weight_hh.T" in out and "right: dx_t" in out


def test_dx_through_the_transpose_raises_and_is_reported(capsys):
    def answer(dh_t, cache):
        _, dh_prev, grads = good(dh_t, cache)
        # (B, H) @ (D, H) fails
        return (dh_t * (1.0 - cache["h_t"] ** 2)) @ cache["params"]["weight_ih"].T, dh_prev, grads
    verdict, out = run(capsys, answer)
    assert not verdict
    assert "raised ValueError" in out and "params['weight_ih'] (4, 2)" in out


def test_the_old_keys_of_the_sequence_cache_get_a_hint(capsys):
    def answer(dh_t, cache):
        return good(dh_t, {**cache, "h_t": cache["h"]})  # the sequence cache of an older lstm_lib had "h"
    verdict, out = run(capsys, answer)
    assert not verdict
    assert "raised KeyError" in out and "the keys 'x_t', 'h_prev', 'h_t' and 'params'" in out


def test_raising_answer(capsys):
    def stub(dh_t, cache):
        raise NotImplementedError("write me")
    verdict, out = run(capsys, stub)
    assert not verdict
    assert "still raises NotImplementedError: write me" in out and "The inputs had shapes" in out
    assert "KeyError" not in out and "'x_t', 'h_prev'" not in out  # the cache hint only for a KeyError


def test_none_answer(capsys):
    verdict, out = run(capsys, lambda *args: None)
    assert not verdict and "returned None" in out


def test_not_callable(capsys):
    _, cache = rnn_step(np.zeros((1, 1)), np.zeros((1, 1)), init_rnn_params(1, 1, np.random.default_rng(0)))
    verdict, out = run(capsys, good(np.zeros((1, 1)), cache))
    assert not verdict and "Expected a function, got a tuple" in out


@pytest.mark.parametrize("answer, message", [
    (lambda *a: good(*a)[:2], "returned 2 item(s); return 3"),
    (lambda *a: good(*a)[0], "returned a ndarray"),
    (lambda *a: (*good(*a)[:2], [1, 2]), "must be a dict"),
    (lambda *a: (*good(*a)[:2], {"weight_ih": 0}), "grads is missing the key(s)"),
    (lambda *a: (good(*a)[0], None, good(*a)[2]), "the dh_prev you returned is None"),
    (lambda *a: ("dx", *good(*a)[1:]), "the dx_t you returned is a str"),
    (lambda *a: (good(*a)[0] * np.nan, *good(*a)[1:]), "NaN"),
    (lambda *a: (good(*a)[0].T, *good(*a)[1:]), "dx_t has shape (2, 3); expected (B, D) = (3, 2)"),
])
def test_malformed_results(capsys, answer, message):
    verdict, out = run(capsys, answer)
    assert not verdict
    assert message in out


def test_does_not_let_the_answer_change_the_cases(capsys):
    def vandal(dh_t, cache):
        result = good(dh_t, cache)
        x_t, h_prev, h_t, params = unpack(cache)
        for a in (dh_t, x_t, h_prev, h_t, *params.values()):
            a[...] = 0.0
        cache["params"] = None
        return result
    verdict, _ = run(capsys, vandal)
    assert verdict


# --- the eps exercise ---------------------------------------------------------------------------

@pytest.mark.parametrize("eps", [1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 3e-6])
def test_eps_that_pass(capsys, eps):
    assert check_eps(eps)
    assert "passes" in capsys.readouterr().out
    assert "✓" in eps_feedback(eps)


@pytest.mark.parametrize("eps, why", [(1e-1, "Truncation"), (1e-2, "Truncation"),
                                      (1e-10, "Rounding"), (1e-12, "Rounding")])
def test_eps_that_fail(capsys, eps, why):
    assert not check_eps(eps)
    assert why in capsys.readouterr().out
    assert "✗" in eps_feedback(eps)


@pytest.mark.parametrize("eps", [0, -1e-5, 2.0, float("nan"), float("inf"), "1e-5", None, True, [1e-5]])
def test_eps_checker_never_raises(capsys, eps):
    assert not check_eps(eps)
    assert "eps must be" in capsys.readouterr().out
    assert "eps must be" in eps_feedback(eps)


def test_slider_verdict_agrees_with_check(capsys):
    for k in range(1, 13):
        eps = 10.0 ** -k
        assert bool(check_eps(eps)) == ("✓" in eps_feedback(eps)) == (rnn_gradcheck_error(eps) < EPS_TOLERANCE)
    capsys.readouterr()


# --- the backward pass through a sequence -------------------------------------------------------

def loop(dh, step_caches, step_backward):  # the chapter's solution
    T, B, H = dh.shape
    dh_next = np.zeros((B, H))
    grads = {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}
    dx = [None] * T
    for t in reversed(range(T)):
        dx[t], dh_next, step_grads = step_backward(dh[t] + dh_next, step_caches[t])
        for k in grads:
            grads[k] += step_grads[k]
    return np.stack(dx), dh_next, grads


def appended(dh, step_caches, step_backward):  # a list built on the way back, then reversed; int start
    dh_next, dxs, grads = 0, [], None
    for t in range(len(dh) - 1, -1, -1):
        dx_t, dh_next, g = step_backward(dh[t] + dh_next, step_caches[t])
        dxs.append(dx_t.tolist())
        grads = g if grads is None else {k: grads[k] + g[k] for k in g}
    return dxs[::-1], dh_next, grads


def the_library(dh, step_caches, step_backward):
    return rnn_backward(dh, {"made_by": "rnn_forward", "steps": step_caches})


def run_loop(capsys, answer):
    """The verdict and the printed feedback, with its line breaks and indents made single spaces."""
    verdict = check_rnn_backward(answer)
    return verdict, " ".join(capsys.readouterr().out.split())


def test_the_sequence_slip_model_is_rnn_backward():
    for dh, cache, *_ in bptt.sequence_cases():
        got = bptt.sequence_backward_with_slip(dh, cache["steps"], rnn_step_backward)
        want = rnn_backward(dh, cache)
        for a, b in zip(got[:2], want[:2]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        for k in want[2]:
            np.testing.assert_allclose(got[2][k], want[2][k], rtol=1e-12, atol=1e-14)


def test_the_sequence_references_agree_with_torch_autograd():
    """Both references of check_rnn_backward: lstm_lib's rnn_backward and torch's autograd agree."""
    for dh, cache, x, h0, params in bptt.sequence_cases():
        dx, dh0, grads = rnn_backward(dh, cache)
        dx_torch, dh0_torch, grads_torch = bptt.torch_reference(dh, x, h0, params)
        np.testing.assert_allclose(dx, dx_torch, atol=1e-12)
        np.testing.assert_allclose(dh0, dh0_torch, atol=1e-12)
        for k in grads:
            np.testing.assert_allclose(grads[k], grads_torch[k], atol=1e-12)


@pytest.mark.parametrize("answer", [loop, appended, the_library])
def test_loop_accepts_correct_answers(capsys, answer):
    verdict, out = run_loop(capsys, answer)
    assert verdict and "my_rnn_backward: correct" in out
    assert "All 3 cases match lstm_lib.rnn.rnn_backward and torch's autograd" in out


def test_loop_with_the_readers_own_step(capsys):
    """The chapter chains the reader's step; the checker passes the library's: both give the same loop."""
    verdict, _ = run_loop(capsys, lambda dh, caches, step: loop(dh, caches, good))
    assert verdict


def sequence_slip(name):
    return lambda *args: bptt.sequence_backward_with_slip(*args, slip=name)


@pytest.mark.parametrize("name, hint", bptt.SEQUENCE_SLIPS)
def test_every_loop_slip_is_named(capsys, name, hint):
    verdict, out = run_loop(capsys, sequence_slip(name))
    assert not verdict and "my_rnn_backward: not yet" in out
    assert hint in out


@pytest.mark.parametrize("name, where", [
    ("forward_in_time", "wrong values in dx, dh0"),
    ("grads_last_visited", "(right: dx, dh0)"),
    ("dx_reversed", "wrong values in dx (right:"),
    ("dh0_of_step_T", "wrong values in dh0 (right:"),
    ("dh0_is_g1", "wrong values in dh0 (right:"),
    ("skips_step_1", "step_backward was called 3 times for T = 4 steps"),
])
def test_loop_says_which_outputs_are_wrong(capsys, name, where):
    verdict, out = run_loop(capsys, sequence_slip(name))
    assert not verdict and where in out


def test_every_loop_slip_differs_from_the_reference_and_gets_only_its_own_hint(capsys):
    dh, cache, *_ = bptt.sequence_cases()[0]
    want = flatten_with_grads(bptt.SEQUENCE_NAMES, rnn_backward(dh, cache))
    for name, _ in bptt.SEQUENCE_SLIPS:
        got = flatten_with_grads(bptt.SEQUENCE_NAMES, bptt.sequence_backward_with_slip(
            dh, cache["steps"], rnn_step_backward, slip=name))
        assert not all(np.allclose(got[k], want[k]) for k in want), name
        _, out = run_loop(capsys, sequence_slip(name))
        others = [h for n, h in bptt.SEQUENCE_SLIPS if n != name]
        assert not any(h in out for h in others), name


def test_the_issue_s_slips_written_by_hand(capsys):
    """Issue 11's four slips, written as a reader would write them."""
    def no_dh_t(dh, step_caches, step_backward):  # forgets to add dh[t] to the carried gradient
        T, B, H = dh.shape
        dh_next, grads, dx = dh[-1], {k: 0 for k in step_caches[0]["params"]}, np.zeros((T, B, 3))
        for t in reversed(range(T)):
            dx[t], dh_next, g = step_backward(dh_next, step_caches[t])
            grads = {k: grads[k] + g[k] for k in g}
        return dx, dh_next, grads

    def overwritten(dh, step_caches, step_backward):  # grads = step_grads at every step
        T, B, H = dh.shape
        dh_next, dx = np.zeros((B, H)), np.zeros((T, B, 3))
        for t in reversed(range(T)):
            dx[t], dh_next, grads = step_backward(dh[t] + dh_next, step_caches[t])
        return dx, dh_next, grads

    def forward(dh, step_caches, step_backward):  # for t in range(T)
        T, B, H = dh.shape
        dh_next, grads, dx = np.zeros((B, H)), {k: 0 for k in step_caches[0]["params"]}, np.zeros((T, B, 3))
        for t in range(T):
            dx[t], dh_next, g = step_backward(dh[t] + dh_next, step_caches[t])
            grads = {k: grads[k] + g[k] for k in g}
        return dx, dh_next, grads

    def first_dh_prev(dh, step_caches, step_backward):  # returns the dh_prev of step T
        dx, _, grads = loop(dh, step_caches, step_backward)
        T, B, H = dh.shape
        return dx, step_backward(dh[-1], step_caches[-1])[1], grads

    for answer, hint in [(no_dh_t, "Every h_t also receives dh[t]"), (overwritten, "overwritten at each step"),
                         (forward, "The loop runs forward in time"), (first_dh_prev, "dh0 comes from the wrong step")]:
        verdict, out = run_loop(capsys, answer)
        assert not verdict and hint in out, (answer.__name__, out)


def test_loop_that_writes_into_dh_is_told(capsys):
    def in_place(dh, step_caches, step_backward):
        T, B, H = dh.shape
        dh_next, dx = np.zeros((B, H)), []
        grads = {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}
        for t in reversed(range(T)):
            dh[t] += dh_next  # the caller's dh changes
            dx_t, dh_next, g = step_backward(dh[t], step_caches[t])
            dx.insert(0, dx_t)
            for k in grads:
                grads[k] += g[k]
        return np.stack(dx), dh_next, grads

    verdict, out = run_loop(capsys, in_place)
    assert not verdict and "the values are right, but your my_rnn_backward wrote into dh" in out


def test_loop_that_never_calls_the_step_is_told(capsys):
    def no_calls(dh, step_caches, step_backward):
        T, B, H = dh.shape
        D = step_caches[0]["x_t"].shape[1]
        return np.zeros((T, B, D)), dh[0], {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}

    verdict, out = run_loop(capsys, no_calls)
    assert not verdict and "step_backward was called 0 times for T = 4 steps" in out
    assert "No common slip matches" in out


def test_loop_errors_get_a_hint(capsys):
    verdict, out = run_loop(capsys, lambda dh, step_caches: None)
    assert not verdict and "positional argument" in out and "def my_rnn_backward(dh, step_caches, step_backward)" in out
    verdict, out = run_loop(capsys, lambda dh, step_caches, step_backward: step_caches["steps"])
    assert not verdict and "list indices" in out and "step_caches is a list of T step caches" in out
    verdict, out = run_loop(capsys, lambda dh, step_caches, step_backward: step_backward(0, step_caches[-1]))
    assert not verdict and "dh_t must" in out and "np.zeros((B, H)), not 0" in out
    verdict, out = run_loop(capsys, lambda dh, step_caches, step_backward: step_backward(dh[-1], step_caches))
    assert not verdict and "rnn_step_backward needs" in out and "step_caches[t]" in out


@pytest.mark.parametrize("answer, message", [
    (raising, "waiting for your code"),
    (returns_none, "my_rnn_backward returned None"),
    (lambda *args: the_library(*args)[:2], "returned 2 item(s); return 3: (dx, dh0, grads)"),
    (lambda *args: (the_library(*args)[0][:-1], *the_library(*args)[1:]), "dx has shape"),
    (lambda *args: (*the_library(*args)[:2], "grads"), "must be a dict"),
    (lambda *args: (the_library(*args)[0] * np.nan, *the_library(*args)[1:]), "NaN"),
    (lambda *args: np.zeros(3), "returned a ndarray"),
    (42, "Expected a function"),
])
def test_loop_never_crashes_on_a_broken_answer(capsys, answer, message):
    verdict, out = run_loop(capsys, answer)
    assert not verdict and message in out

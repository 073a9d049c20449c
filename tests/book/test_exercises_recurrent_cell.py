"""The checkers of "The recurrent cell" accept right answers, and explain the usual wrong ones without raising.

The reader's rnn_step returns h_t alone and the reader's rnn_forward h alone; the library's rnn_step returns
(h_t, cache), hence the [0] below.
"""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.recurrent_cell import (
    LATCH_SLIDERS,
    check_latch,
    check_rnn_forward,
    check_rnn_step,
    latch_feedback,
    latch_verdict,
)
from lstm_lib.rnn import rnn_step


def correct_step(x_t, h_prev, params):
    return np.tanh(x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"])


def correct_forward(x, h0, params):
    h, h_prev = [], h0
    for x_t in x:
        h_prev, _ = rnn_step(x_t, h_prev, params)
        h.append(h_prev)
    return np.stack(h)


# --- rnn_step --------------------------------------------------------------------------------------------

def test_rnn_step_accepts_a_correct_answer(capsys):
    verdict, out = run(check_rnn_step, correct_step, capsys)
    assert verdict and "rnn_step: correct" in out and "All 3 cases" in out


def concat_step(x_t, h_prev, params):  # the one-matrix form of the chapter
    W_cat = np.concatenate([params["weight_hh"], params["weight_ih"]], axis=1)
    return np.tanh(np.concatenate([h_prev, x_t], axis=1) @ W_cat.T + params["bias_ih"] + params["bias_hh"])


def column_step(x_t, h_prev, params):  # the papers' column-vector form, transposed back
    b = (params["bias_ih"] + params["bias_hh"])[:, None]
    return np.tanh(params["weight_ih"] @ x_t.T + params["weight_hh"] @ h_prev.T + b).T


@pytest.mark.parametrize("answer", [
    concat_step,
    column_step,
    lambda x, h, p: np.tanh(np.einsum("bd,hd->bh", x, p["weight_ih"]) + np.einsum("bk,hk->bh", h, p["weight_hh"])
                            + p["bias_ih"] + p["bias_hh"]),
    lambda x, h, p: correct_step(x, h, p).astype(np.float32),  # float32 is close enough
    lambda x, h, p: correct_step(x, h, p).tolist(),  # nested lists are arrays too
])
def test_rnn_step_accepts_correct_answers_written_differently(answer, capsys):
    verdict, out = run(check_rnn_step, answer, capsys)
    assert verdict, out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T + p["bias_hh"]), "bias_ih is missing"),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T), "both biases are missing"),
    (lambda x, h, p: 1 / (1 + np.exp(-(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]))),
     "sigmoid"),
    (lambda x, h, p: x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"],
     "nonlinearity is missing"),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"] + p["bias_hh"]),
     "without its transpose"),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + p["bias_ih"]) + np.tanh(h @ p["weight_hh"].T + p["bias_hh"]),
     "each part separately"),
    (lambda x, h, p: np.tanh(np.concatenate([x, h], axis=1) @ np.concatenate([p["weight_hh"], p["weight_ih"]], axis=1).T
                             + p["bias_ih"] + p["bias_hh"]), "concatenations do not match"),
    # numpy's shape errors get a hint in the chapter's terms, after numpy's own message
    (lambda x, h, p: np.tanh(x @ p["weight_ih"] + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]),
     "check the transposes"),
    (lambda x, h, p: np.tanh(np.dot(x, p["weight_ih"]) + h @ p["weight_hh"].T), "check the transposes"),
    (lambda x, h, p: np.tanh(p["weight_ih"] @ x.T + p["weight_hh"] @ h.T + p["bias_ih"] + p["bias_hh"]).T,
     "the biases (H,) then add to every row"),
])
def test_rnn_step_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_rnn_step, wrong, capsys)
    assert not verdict and "rnn_step: not yet" in out and hint in out


def test_rnn_step_wrong_shape_lists_the_input_shapes(capsys):
    verdict, out = run(check_rnn_step, lambda x, h, p: correct_step(x, h, p).T, capsys)
    assert not verdict and "expected (B, H)" in out and "x_t (2, 3)" in out


@pytest.mark.parametrize("answer, hint", [
    (raising, "NotImplementedError: write this function"),
    (returns_none, "forget the `return`"),
    (lambda x, h, p: (correct_step(x, h, p), {}), "returned a tuple of 2 items"),  # h_t and a cache, like the library
    (correct_step(np.zeros((1, 1)), np.zeros((1, 1)), {"weight_ih": np.eye(1), "weight_hh": np.eye(1),
                                                      "bias_ih": np.zeros(1), "bias_hh": np.zeros(1)}),
     "Expected a function"),
])
def test_rnn_step_survives_broken_answers(answer, hint, capsys):
    verdict, out = run(check_rnn_step, answer, capsys)
    assert not verdict and hint in out


# --- rnn_forward -----------------------------------------------------------------------------------------

def test_rnn_forward_accepts_a_correct_answer(capsys):
    verdict, out = run(check_rnn_forward, correct_forward, capsys)
    assert verdict and "All 3 cases" in out


def test_rnn_forward_accepts_the_library(capsys):
    from lstm_lib.rnn import rnn_forward
    verdict, _ = run(check_rnn_forward, lambda x, h0, p: rnn_forward(x, h0, p)[0], capsys)
    assert verdict


def never_updates(x, h0, params):
    return np.stack([rnn_step(x_t, h0, params)[0] for x_t in x])


def stores_prev(x, h0, params):
    h, h_prev = [], h0
    for x_t in x:
        h.append(h_prev)
        h_prev, _ = rnn_step(x_t, h_prev, params)
    return np.stack(h)


def ignores_h0(x, h0, params):
    return correct_forward(x, np.zeros_like(h0), params)


def backward_in_time(x, h0, params):
    return correct_forward(x[::-1], h0, params)


def last_state_only(x, h0, params):
    return correct_forward(x, h0, params)[-1]


def with_h0(x, h0, params):
    return np.concatenate([h0[None], correct_forward(x, h0, params)])


def with_cache(x, h0, params):
    return correct_forward(x, h0, params), {}


def skips_a_step(x, h0, params):
    return correct_forward(x[1:], h0, params)


def forgets_to_unpack(x, h0, params):
    h, h_prev = [], h0
    for x_t in x:
        h_prev = rnn_step(x_t, h_prev, params)  # the library's step returns (h_t, cache)
        h.append(h_prev)
    return np.stack(h)


def allocated_like_x(x, h0, params):
    h, h_prev = np.zeros_like(x), h0
    for t, x_t in enumerate(x):
        h_prev, _ = rnn_step(x_t, h_prev, params)
        h[t] = h_prev
    return h


def allocated_right(x, h0, params):
    h, h_prev = np.empty((len(x),) + h0.shape), h0
    for t in range(len(x)):
        h[t] = h_prev = rnn_step(x[t], h_prev, params)[0]
    return h


def test_rnn_forward_accepts_a_preallocated_answer(capsys):
    verdict, out = run(check_rnn_forward, allocated_right, capsys)
    assert verdict, out


@pytest.mark.parametrize("wrong, hint", [
    (never_updates, "Every step read h0"),
    (stores_prev, "starts with h0"),
    (ignores_h0, "h0 is ignored"),
    (backward_in_time, "backward in time"),
    (last_state_only, "returned one state of shape (B, H)"),
    (with_h0, "T + 1 = 6 states"),
    (with_cache, "returned a tuple of 2 items"),
    (skips_a_step, "T - 1 = 4 states"),
    (allocated_like_x, "not like x (T, B, D)"),
    (forgets_to_unpack, "returns a pair (h_t, cache)"),
    (raising, "NotImplementedError"),
    (returns_none, "forget the `return`"),
    ("rnn_forward", "Expected a function"),
])
def test_rnn_forward_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_rnn_forward, wrong, capsys)
    assert not verdict and hint in out
    assert "rnn_forward: " + ("waiting for your code" if wrong is raising else "not yet") in out


# --- the latch (slider exercise) -------------------------------------------------------------------------

@pytest.mark.parametrize("w_hh, w_ih", [(1.2, 1.0), (1.5, 1.5), (2.0, 2.0)])
def test_latch_accepts_a_working_latch(w_hh, w_ih, capsys):
    verdict = check_latch(w_hh, w_ih)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "A latch" in out


@pytest.mark.parametrize("w_hh, w_ih, hint", [
    (0.8, 1.0, "Forgets"),          # contracting: the memory fades
    (1.0, 1.0, "Forgets"),          # the border case fades too, only slowly
    (0.0, 1.0, "Forgets"),          # no recurrence: h_2 is already 0
    (1.05, 2.0, "settles at ±h* = ±0.371"),  # w_hh > 1, but its resting point is below 0.5
    (1.5, 1.0, "Does not flip"),    # remembers, but the -1 pulse is too weak
    (1.1, 1.0, "Flips, but weakly"),  # crosses zero, but has not reached -0.5 by step 30
    (3.0, 1.0, "Lower w_hh"),       # remembers by saturating: h* itself is beyond 0.99
    (1.5, 3.0, "Lower w_ih"),       # the input alone saturates tanh
    (-1.2, 1.5, "negative w_hh"),   # an oscillator passes both levels at steps 15 and 30, but is no latch
    (1.2, -1.0, "w_ih must be positive"),
])
def test_latch_names_the_failure(w_hh, w_ih, hint, capsys):
    verdict = check_latch(w_hh, w_ih)
    out = capsys.readouterr().out
    assert not verdict and hint in out


@pytest.mark.parametrize("w_hh, w_ih", [(None, 1.0), ("1.5", 2.0), (1.5, float("nan")), (True, 1.0), ([1.5], 2.0)])
def test_latch_never_raises_on_bad_values(w_hh, w_ih, capsys):
    verdict = check_latch(w_hh, w_ih)
    assert not verdict and "should be a" in capsys.readouterr().out


def test_latch_feedback_is_html_with_a_mark():
    assert latch_feedback(1.5, 2.0).startswith("<p") and "✓" in latch_feedback(1.5, 2.0)
    assert "✗" in latch_feedback(0.5, 1.0) and "Forgets" in latch_feedback(0.5, 1.0)


def test_latch_grid_has_few_but_several_solutions():
    passed = [(a, b) for a in LATCH_SLIDERS["w_hh"] for b in LATCH_SLIDERS["w_ih"] if latch_verdict(a, b)[0]]
    assert 3 <= len(passed) <= 10


def test_latch_slider_frames_show_each_main_failure():
    firsts = {latch_verdict(a, b)[1][0].split(":")[0] for a in LATCH_SLIDERS["w_hh"] for b in LATCH_SLIDERS["w_ih"]}
    assert {"Forgets", "Does not flip", "Saturated", "A latch"} <= firsts


# --- issue 11: answers that write into the caller's arrays, and slips with their own hint ---------------

def overwrites_h_prev(x_t, h_prev, params):  # right values, but the caller's h_prev is gone
    h_prev[:] = correct_step(x_t, h_prev, params)
    return h_prev


def tanh_into_h_prev(x_t, h_prev, params):
    return np.tanh(x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T
                   + params["bias_hh"], out=h_prev)


def test_rnn_step_rejects_an_answer_that_overwrites_h_prev(capsys):
    for answer in (overwrites_h_prev, tanh_into_h_prev):
        verdict, out = run(check_rnn_step, answer, capsys)
        assert not verdict and "rnn_step: not yet" in out and "wrote into h_prev" in out, out


def test_rnn_step_bias_hh_added_twice_written_plainly(capsys):
    def twice(x, h, p):
        return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"] + p["bias_hh"])

    verdict, out = run(check_rnn_step, twice, capsys)
    assert not verdict and "bias_hh is added twice" in out and "No common slip" not in out, out


def overwrites_h0(x, h0, params):  # right values, but h0 is the last state afterwards
    h, h_prev = np.empty((len(x),) + h0.shape), h0
    for t in range(len(x)):
        h_prev[:] = rnn_step(x[t], h_prev, params)[0]
        h[t] = h_prev
    return h


def aliasing(x, h0, params):  # one array, appended T times and overwritten at every step
    h, h_prev = [], h0
    for x_t in x:
        h_prev[:] = rnn_step(x_t, h_prev, params)[0]
        h.append(h_prev)
    return np.stack(h)


def reads_x_t_minus_1(x, h0, params):
    h, h_prev = [], h0
    for t in range(len(x)):
        h_prev, _ = rnn_step(x[t - 1], h_prev, params)
        h.append(h_prev)
    return np.stack(h)


def test_rnn_forward_rejects_an_answer_that_overwrites_h0(capsys):
    verdict, out = run(check_rnn_forward, overwrites_h0, capsys)
    assert not verdict and "rnn_forward: not yet" in out and "wrote into h0" in out, out


@pytest.mark.parametrize("wrong, hint", [
    (aliasing, "(aliasing)"),
    (reads_x_t_minus_1, "Step t read x[t-1]"),
])
def test_rnn_forward_names_issue11_slips(wrong, hint, capsys):
    verdict, out = run(check_rnn_forward, wrong, capsys)
    assert not verdict and hint in out and "No common slip" not in out, out


def test_checkers_leave_a_right_answer_with_copies_alone(capsys):
    def copies_first(x, h0, params):
        return correct_forward(x.copy(), h0.copy(), params)

    verdict, out = run(check_rnn_forward, copies_first, capsys)
    assert verdict, out

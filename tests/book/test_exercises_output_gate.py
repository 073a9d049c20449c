"""The checkers of "The output gate and the hidden state" accept right answers and name the usual slips."""
import numpy as np
import pytest
import torch
from answers import raising, returns_none, run

from lstm_book.exercises.output_gate import (
    OUTPUT_STEP_MISTAKES,
    READING_SLIDERS,
    check_output_step,
    check_reading,
    reading_feedback,
    reading_verdict,
)
from lstm_book.experiments.output_gate import new_cell
from lstm_lib import gates, lstm


def sig(z):
    return 1 / (1 + np.exp(-z))


def out_gate(x_t, h_prev, w):
    return sig(np.concatenate([h_prev, x_t], axis=1) @ w["W_o"] + w["b_o"])


def correct(x_t, h_prev, c_prev, w):
    c_t = new_cell(x_t, h_prev, c_prev, w)
    return out_gate(x_t, h_prev, w) * np.tanh(c_t)


def with_the_library(x_t, h_prev, c_prev, w):
    h_t, c_t, acts = gates.lstm_cell(x_t, h_prev, c_prev, w)
    return h_t


def with_torch_layout(x_t, h_prev, c_prev, w):
    h_t, c_t, cache = lstm.lstm_step(x_t, h_prev, c_prev, lstm.fuse_gates(w))
    return h_t


def in_torch(x_t, h_prev, c_prev, w):
    hx = torch.cat([torch.from_numpy(h_prev), torch.from_numpy(x_t)], dim=1)
    o_t = torch.sigmoid(hx @ torch.from_numpy(w["W_o"]) + torch.from_numpy(w["b_o"]))
    return o_t * torch.tanh(torch.from_numpy(new_cell(x_t, h_prev, c_prev, w)))  # a tensor, not an array


def old_order(h_prev, x_t, c_prev, w):
    """The first edition's order, (h_prev, x_t, ...), with the body of a right answer."""
    c_t = new_cell(x_t, h_prev, c_prev, w)
    o_t = sig(np.concatenate([h_prev, x_t], axis=1) @ w["W_o"] + w["b_o"])
    return o_t * np.tanh(c_t)


def old_order_split(h_prev, x_t, c_prev, w):
    """The old order, each product split into its h rows and its x rows."""
    H = h_prev.shape[1]
    c_t = new_cell(x_t, h_prev, c_prev, w)
    o_t = sig(h_prev @ w["W_o"][:H] + x_t @ w["W_o"][H:] + w["b_o"])
    return o_t * np.tanh(c_t)


def old_order_raising(h_prev, x_t, c_prev, w):
    """The old order, H taken from c_prev: called as (x_t, h_prev, ...), x_t @ W_o[:H] raises when D != H."""
    H = c_prev.shape[1]
    o_t = sig(h_prev @ w["W_o"][:H] + x_t @ w["W_o"][H:] + w["b_o"])
    return o_t * np.tanh(new_cell(x_t, h_prev, c_prev, w))


def old_order_old_call(h_prev, x_t, c_prev, w):
    """The old order, and new_cell called in the old order too: only the output gate is off."""
    c_t = new_cell(h_prev, x_t, c_prev, w)
    o_t = sig(np.concatenate([h_prev, x_t], axis=1) @ w["W_o"] + w["b_o"])
    return o_t * np.tanh(c_t)


@pytest.mark.parametrize("answer", [correct, with_the_library, with_torch_layout, in_torch,
                                    lambda x, h, c, w: gates.hidden_state(out_gate(x, h, w), new_cell(x, h, c, w)),
                                    lambda x, h, c, w: correct(x, h, c, w).astype(np.float32)])
def test_output_step_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_output_step, answer, capsys)
    assert verdict and "output_step: correct" in out and "All 3 cases" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, c, w: out_gate(x, h, w) * new_cell(x, h, c, w), "tanh is missing"),           # o * c
    (lambda x, h, c, w: np.tanh(out_gate(x, h, w) * new_cell(x, h, c, w)), "This is tanh(o_t * c_t)"),
    (lambda x, h, c, w: out_gate(x, h, w) * sig(new_cell(x, h, c, w)), "sigmoid(c_t) where tanh belongs"),
    (lambda x, h, c, w: out_gate(x, h, w) + np.tanh(new_cell(x, h, c, w)), "o_t + tanh(c_t)"),
    (lambda x, h, c, w: out_gate(x, h, w) * np.tanh(c), "reads c_prev"),                        # c_{t-1} for c_t
    (lambda x, h, c, w: np.tanh(new_cell(x, h, c, w)), "output gate is missing"),
    (lambda x, h, c, w: np.tanh(np.concatenate([h, x], axis=1) @ w["W_o"] + w["b_o"]) * np.tanh(new_cell(x, h, c, w)),
     "o_t is computed with tanh"),
    (lambda x, h, c, w: sig(np.concatenate([h, x], axis=1) @ w["W_i"] + w["b_i"]) * np.tanh(new_cell(x, h, c, w)),
     "computed with W_i"),
    (lambda x, h, c, w: new_cell(x, h, c, w), "This is c_t"),
    (lambda x, h, c, w: out_gate(x, h, w) * np.tanh(new_cell(h, x, c, w)), "new_cell got h_prev and x_t swapped"),
    (lambda x, h, c, w: out_gate(h, x, w) * np.tanh(new_cell(x, h, c, w)), "The output gate reads [x_t, h_prev]"),
    (old_order, "The arguments are in the order (h_prev, x_t, ...)"),
    (old_order_split, "The arguments are in the order (h_prev, x_t, ...)"),
    (old_order_raising, "The arguments are in the order (h_prev, x_t, ...)"),
    (lambda *args: old_order(*args), "The values are right when x_t and h_prev trade places"),  # no names
    (lambda x_t, h_prev, c, w: out_gate(h_prev, x_t, w) * np.tanh(new_cell(h_prev, x_t, c, w)),
     "Every layer reads [x_t, h_prev]"),
    (old_order_old_call, "If your function takes (h_prev, x_t, ...)"),
])
def test_output_step_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_output_step, wrong, capsys)
    assert not verdict and "output_step: not yet" in out and hint in out


def test_each_slip_gets_exactly_one_hint(capsys):
    """The cases tell every listed slip apart: no wrong answer matches two hints."""
    firsts = [hint.split("\n")[0] for _, hint in OUTPUT_STEP_MISTAKES]  # report() indents the later lines
    for (wrong, _), first in zip(OUTPUT_STEP_MISTAKES, firsts):
        verdict, out = run(check_output_step, wrong, capsys)
        assert not verdict and first in out
        assert sum(other in out for other in firsts) == 1, first


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, c, w: (correct(x, h, c, w), new_cell(x, h, c, w)), "tuple of 2 items"),
    (lambda x, h, c, w: correct(x, h, c, w)[0], "expected (B, H)"),
    (lambda x, h, c, w: out_gate(x, h, w) @ np.tanh(new_cell(x, h, c, w)), "elementwise (*), not @"),
    (lambda x, h, c, w: 0.5 * correct(x, h, c, w), "No common slip"),
    (raising, "NotImplementedError: write this function"),
    (returns_none, "forget the `return`"),
    ([1.0, 2.0], "Expected a function"),
])
def test_output_step_survives_broken_answers(wrong, hint, capsys):
    verdict, out = run(check_output_step, wrong, capsys)
    assert not verdict and hint in out


# --- the reading (slider exercise) ---------------------------------------------------------------------

@pytest.mark.parametrize("o, c", [(0.7, 3.0), (0.7, 10.0), (0.9, 1.0), (1.0, 0.87), (0.75, 2.0), (1, 0.87),
                                  (np.float32(0.9), np.float64(1.0)), (np.array(0.9), np.array([1.0])),
                                  (torch.tensor(0.9), torch.tensor(1.0, requires_grad=True))])
def test_reading_accepts_a_good_setting(o, c, capsys):
    verdict = check_reading(o, c)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "Shown" in out


@pytest.mark.parametrize("o, c, hint", [
    (0.0, 3.0, "the gate is closed"),
    (0.9, 0.0, "an empty cell shows 0"),
    (0.9, -1.0, "Make c positive"),
    (0.5, 10.0, "Open the gate wider"),      # saturated cell, half-open gate: capped at 0.5
    (1.0, 0.5, "Too little"),
    (1.0, 1.0, "Too much"),
    (0.9, 10.0, "only o sets h"),
])
def test_reading_names_the_failure(o, c, hint, capsys):
    verdict = check_reading(o, c)
    out = capsys.readouterr().out
    assert not verdict and "not yet" in out and hint in out


@pytest.mark.parametrize("o, c, hint", [(None, 1.0, "should be a number"), (0.5, "1", "should be a number"),
                                        (0.5, float("inf"), "finite"), (1.5, 1.0, "o = 1.5 is impossible"),
                                        (False, 1.0, "should be a number"),
                                        (np.array([0.9, 0.5]), 1.0, "should be a number")])
def test_reading_never_raises_on_bad_values(o, c, hint, capsys):
    verdict = check_reading(o, c)
    assert not verdict and hint in capsys.readouterr().out


def test_reading_grid_has_three_solutions():
    passed = [(o, c) for o in READING_SLIDERS["o"] for c in READING_SLIDERS["c"] if reading_verdict(o, c)[0]]
    assert passed == [(0.7, 3.0), (0.7, 10.0), (0.9, 1.0)]


def test_reading_feedback_is_html_with_a_mark():
    assert "✓" in reading_feedback(0.7, 3.0) and reading_feedback(0.7, 3.0).startswith("<p")
    assert "✗" in reading_feedback(0.1, 3.0) and "Capped" in reading_feedback(0.1, 3.0)

"""The checkers of "Building blocks and notation" accept right answers and explain the usual wrong ones
without raising."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.building_blocks import (
    BIAS_SLIDER,
    BIAS_TARGET,
    bias_feedback,
    bias_verdict,
    check_gate,
    check_gate_bias,
)


def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def correct_gate(hx, W, b):
    return 0.5 * (1.0 + np.tanh(0.5 * (hx @ W + b)))


# --- the gate --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    correct_gate,
    lambda hx, W, b: naive_sigmoid(np.dot(hx, W) + b),
    lambda hx, W, b: naive_sigmoid(W.T @ hx.T + b[:, None]).T,  # the column-vector form, transposed back
    lambda hx, W, b: (np.exp(hx @ W + b) / (1 + np.exp(hx @ W + b)) if np.abs(hx @ W + b).max() < 500
                      else correct_gate(hx, W, b)),
    lambda hx, W, b: correct_gate(hx, W, b).astype(np.float32),
])
def test_gate_accepts_correct_answers(answer, capsys):
    with np.errstate(all="ignore"):
        verdict, out = run(check_gate, answer, capsys)
    assert verdict, out
    assert "gate: correct" in out and "All 4 cases" in out


def test_gate_notes_an_overflowing_sigmoid_but_accepts_it(capsys):
    verdict, out = run(check_gate, lambda hx, W, b: naive_sigmoid(hx @ W + b), capsys)
    assert verdict and "overflowed" in out
    assert "exp(min(z, 0)) / (1 + exp(-|z|))" in out  # the library's form, as the chapter shows it
    verdict, out = run(check_gate, correct_gate, capsys)
    assert verdict and "overflowed" not in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda hx, W, b: np.tanh(hx @ W + b), "tanh(hx W + b)"),
    (lambda hx, W, b: naive_sigmoid(hx @ W), "bias is missing"),
    (lambda hx, W, b: hx @ W + b, "pre-activation"),
    (lambda hx, W, b: np.maximum(hx @ W + b, 0), "relu"),
    (lambda hx, W, b: 1 / (1 + np.exp(hx @ W + b)), "sign is flipped"),
    (lambda hx, W, b: naive_sigmoid(hx @ W) + b, "added after the sigmoid"),
    (lambda hx, W, b: (hx @ W + b > 0) * 1.0, "step function"),
    (lambda hx, W, b: 1 + np.exp(-(hx @ W + b)), "denominator"),
    # W used in torch's orientation: numpy raises, the checker explains in the chapter's terms
    (lambda hx, W, b: naive_sigmoid(hx @ W.T + b), "no transpose"),
    (lambda hx, W, b: naive_sigmoid(W @ hx + b), "mismatched shapes"),
    # the transpose of the answer, (H, B)
    (lambda hx, W, b: naive_sigmoid(W.T @ hx.T + b[:, None]), "transpose of the answer"),
    (lambda hx, W, b: naive_sigmoid(hx @ W + b)[0], "shape"),
])
def test_gate_rejects_slips_with_a_hint(wrong, hint, capsys):
    with np.errstate(all="ignore"):
        verdict, out = run(check_gate, wrong, capsys)
    assert not verdict and "gate: not yet" in out
    assert hint in out, out


@pytest.mark.parametrize("answer, words", [
    (raising, "NotImplementedError"),
    (returns_none, "returned None"),
    ("sigmoid", "Expected a function"),
    (None, "Expected a function"),
    (lambda hx, W, b: (hx @ W + b, b), "tuple"),
    (lambda hx, W, b: "open", "not an array of numbers"),
    (lambda hx, W, b: np.full((hx.shape[0], W.shape[1]), np.nan), "NaN"),
])
def test_gate_never_raises(answer, words, capsys):
    verdict, out = run(check_gate, answer, capsys)
    assert not verdict and words in out, out


# --- the bias slider --------------------------------------------------------------------------------------

def test_bias_exact_answer_passes(capsys):
    verdict = check_gate_bias(float(np.log(BIAS_TARGET / (1 - BIAS_TARGET))))
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "90.0 %" in out


@pytest.mark.parametrize("b", [np.log(9.0), np.array(np.log(9.0)), 2.2, np.float32(2.2), 2.3])
def test_bias_accepts_numbers_in_any_form(b, capsys):
    verdict = check_gate_bias(b)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out, out


def test_bias_slider_has_exactly_one_passing_stop():
    passing = [b for b in BIAS_SLIDER if bias_verdict(b)[0]]
    assert passing == [2.25]


@pytest.mark.parametrize("b, words", [
    (2.0, "Raise b"),
    (2.5, "lower b"),
    (0.0, "passes 50.0 %. With b <= 0"),
    (-2.0, "the target needs b > 0"),
    (np.int64(2), "Raise b"),
])
def test_bias_wrong_values_get_a_direction(b, words, capsys):
    verdict = check_gate_bias(b)
    out = capsys.readouterr().out
    assert not verdict and words in out, out


@pytest.mark.parametrize("b", [None, "2.2", [2.2], np.inf, np.nan, True, np.array(True), np.array([2.2, 2.3])])
def test_bias_bad_inputs_never_raise(b, capsys):
    verdict = check_gate_bias(b)
    out = capsys.readouterr().out
    assert not verdict and "should be" in out


def test_bias_feedback_is_html():
    assert bias_feedback(2.25).startswith("<p") and "✓" in bias_feedback(2.25)
    assert "✗" in bias_feedback(1.0)

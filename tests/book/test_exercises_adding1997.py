"""The checkers of "The 1997 experiments, reproduced" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.adding1997 import (
    FORGET_CHOICES,
    INPUT_CHOICES,
    IS_SOLVED_MISTAKES,
    check_is_solved,
    check_protected,
    is_solved_cases,
    protected_feedback,
    protected_verdict,
    reference_is_solved,
)


def good(y_hat, y, allowed_wrong):
    return np.sum(np.abs(y_hat - y) >= 0.04) <= allowed_wrong


def test_reference_counts_an_error_of_exactly_tol_as_wrong():
    y = np.zeros((3, 1))
    assert reference_is_solved(np.array([[0.04], [0.0], [0.0]]), y, 0) is False
    assert reference_is_solved(np.array([[0.0399], [-0.0399], [0.0]]), y, 0) is True
    assert reference_is_solved(np.array([[-0.5], [0.04], [0.0]]), y, 2) is True
    assert reference_is_solved(np.array([[-0.5], [0.04], [0.0]]), y, 1) is False


def test_the_cases_put_ties_exactly_on_tol():
    ties = [np.abs(y_hat - y)[np.isclose(np.abs(y_hat - y), 0.04)] for y_hat, y, _ in is_solved_cases()]
    assert any(t.size for t in ties) and all(np.all(t == 0.04) for t in ties)


def test_every_slip_is_wrong_somewhere_and_each_is_told_apart():
    cases = is_solved_cases()
    expected = tuple(reference_is_solved(*c) for c in cases)
    answers = [tuple(bool(wrong(*c)) for c in cases) for wrong, _ in IS_SOLVED_MISTAKES]
    assert all(a != expected for a in answers)
    assert len(set(answers)) == len(answers)


def test_accepts_a_correct_answer(capsys):
    verdict, out = run(check_is_solved, good, capsys)
    assert verdict and "correct" in out and "exactly 0.04" in out


@pytest.mark.parametrize("answer", [
    lambda p, t, k: bool(np.count_nonzero(np.abs(p - t) >= 0.04) <= k),
    lambda p, t, k: not np.sum(np.abs(p - t) >= 0.04) > k,
    lambda p, t, k: np.sum(~(np.abs(p - t) < 0.04)) <= k,
    lambda p, t, k: sum(abs(a - b) >= 0.04 for a, b in zip(p.ravel(), t.ravel())) <= k,
    lambda p, t, k: np.array(np.sum(np.abs(p - t) >= 0.04) <= k),
])
def test_accepts_answers_written_differently(capsys, answer):
    verdict, _ = run(check_is_solved, answer, capsys)
    assert verdict


@pytest.mark.parametrize("answer, hint", [
    (lambda p, t, k: np.sum(np.abs(p - t) > 0.04) <= k, "exactly 0.04 is counted as right"),
    (lambda p, t, k: np.sum(p - t >= 0.04) <= k, "absolute value is missing"),
    (lambda p, t, k: np.sum((p - t) ** 2 >= 0.04) <= k, "squared error"),
    (lambda p, t, k: np.sum(np.abs(p - t) >= 0.04) < k, "not <"),
    (lambda p, t, k: np.sum(np.abs(p - t) >= 0.04) <= 1, "always allows 1"),
    (lambda p, t, k: np.sum(np.abs(p - t) >= 0.04) == 0, "allows no wrong sequence"),
    (lambda p, t, k: np.sum(np.abs(p - t) < 0.04) <= k, "counts the *right* sequences"),
    (lambda p, t, k: np.sum(np.abs(p - t) >= 0.04) > k, "reversed"),
    (lambda p, t, k: np.mean(np.abs(p - t)) < 0.04, "*mean* error"),
    (lambda p, t, k: np.mean(np.abs(p - t) >= 0.04) <= k, "*fraction*"),
])
def test_rejects_typical_slips_with_the_right_hint(capsys, answer, hint):
    verdict, out = run(check_is_solved, answer, capsys)
    assert not verdict and "not yet" in out and hint in out


@pytest.mark.parametrize("answer, hint", [
    (lambda p, t, k: np.abs(p - t) >= 0.04, "one per sequence"),
    (lambda p, t, k: int(np.sum(np.abs(p - t) >= 0.04)), "returned the number"),
    (lambda p, t, k: "yes", "returned a str"),
    (lambda p, t: True, "three arguments"),
    (returns_none, "returned None"),
    (raising, "NotImplementedError: write this function"),
])
def test_never_crashes_on_a_bad_answer(capsys, answer, hint):
    verdict, out = run(check_is_solved, answer, capsys)
    assert not verdict and hint in out


def test_rejects_a_non_callable(capsys):
    verdict, out = run(check_is_solved, True, capsys)
    assert not verdict and "Expected a function, got a bool" in out


def test_does_not_let_the_answer_change_the_cases(capsys):
    def vandal(y_hat, y, allowed_wrong):
        y_hat[:] = y  # every error becomes 0
        return True
    check_is_solved(vandal)
    verdict, _ = run(check_is_solved, good, capsys)
    assert verdict


# --- the slider exercise ------------------------------------------------------------------

PROTECTED = {(3.0, -3.0), (3.0, -6.0), ("none", -6.0)}


@pytest.mark.slow
def test_exactly_the_expected_pairs_pass():
    passing = {(fb, ib) for fb in FORGET_CHOICES for ib in INPUT_CHOICES if protected_verdict(fb, ib)[0]}
    assert passing == PROTECTED


@pytest.mark.parametrize("forget_bias, input_bias, hint", [
    ("draw", -3.0, "raise the forget bias"),
    (1.0, "draw", "raise the forget bias"),
    (3.0, "draw", "lower the input bias"),
    ("none", -3.0, "lower the input bias"),
    (3.0, -3.0, "Protected"),
])
def test_the_verdict_names_the_knob(forget_bias, input_bias, hint, capsys):
    verdict = check_protected(forget_bias, input_bias)
    out = capsys.readouterr().out
    assert bool(verdict) == (hint == "Protected") and hint in out


@pytest.mark.parametrize("forget_bias, input_bias, hint", [
    (2.0, -3.0, "forget_bias should be one of"),
    ("3", -3.0, "forget_bias should be one of"),
    (True, -3.0, "forget_bias should be one of"),
    (None, -3.0, "forget_bias should be one of"),
    (3.0, "none", "input_bias should be one of"),
    (3.0, -4.5, "input_bias should be one of"),
])
def test_the_verdict_never_raises_on_a_bad_setting(forget_bias, input_bias, hint, capsys):
    verdict = check_protected(forget_bias, input_bias)
    assert not verdict and hint in capsys.readouterr().out


def test_words_are_read_in_any_case():
    assert protected_verdict(" None ", -6.0)[0] and not protected_verdict("DRAW", -6.0)[0]


def test_the_feedback_is_html_with_a_mark():
    assert protected_feedback(forget_bias=3.0, input_bias=-3.0).startswith("<p")
    assert "✓" in protected_feedback(3.0, -3.0)
    assert "✗" in protected_feedback("draw", "draw")

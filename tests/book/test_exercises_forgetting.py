"""The checkers of the chapter "When RNNs forget" accept right answers and name the usual slips."""
import numpy as np
import pytest

from lstm_book.exercises.forgetting import (
    check_longest_T,
    check_recall_setup,
    check_success_rate,
    longest_beating,
    longest_T_feedback,
    longest_T_verdict,
    reference_success_rate,
)
from lstm_lib.layers import mse_loss, softmax_cross_entropy


def good(predictions, targets, tol=0.04):
    return np.mean(np.abs(predictions - targets) < tol)


def run(capsys, answer):
    verdict = check_success_rate(answer)
    return verdict, capsys.readouterr().out


def test_reference_counts_strictly_below_tol():
    p, t = np.array([[0.04], [-0.04], [0.0399], [0.5]]), np.zeros((4, 1))
    assert reference_success_rate(p, t) == 0.25
    assert reference_success_rate(p, t, tol=0.5) == 0.75


def test_accepts_a_correct_answer(capsys):
    verdict, out = run(capsys, good)
    assert verdict and "correct" in out and "exactly tol" in out


@pytest.mark.parametrize("answer", [
    lambda p, t, tol=0.04: float(np.count_nonzero(np.abs(p - t) < tol)) / p.size,
    lambda p, t, tol=0.04: sum(abs(a - b) < tol for a, b in zip(p.ravel(), t.ravel())) / len(p),
    lambda p, t, tol=0.04: np.mean(np.abs(p - t) < tol, axis=None).item(),
])
def test_accepts_answers_written_differently(capsys, answer):
    verdict, _ = run(capsys, answer)
    assert verdict


@pytest.mark.parametrize("answer, hint", [
    (lambda p, t, tol=0.04: np.mean((p - t) ** 2 < tol), "squared error"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t) <= tol), "use < instead of <="),
    (lambda p, t, tol=0.04: np.mean((p - t) < tol), "absolute value is missing"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t) < 0.04), "ignores the argument tol"),
    (lambda p, t, tol=0.04: 100 * np.mean(np.abs(p - t) < tol), "percentage"),
    (lambda p, t, tol=0.04: np.sum(np.abs(p - t) < tol), "counts the successes"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t) >= tol), "fraction of *failures*"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t)) < tol, "the *mean* error"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t) < tol, axis=1), "wrong axis"),
    (lambda p, t, tol=0.04: np.mean(np.abs(p - t) < tol, axis=0), "return a single number"),
    (lambda p, t: np.mean(np.abs(p - t) < 0.04), "third parameter"),
])
def test_rejects_typical_slips_with_the_right_hint(capsys, answer, hint):
    verdict, out = run(capsys, answer)
    assert not verdict and "not yet" in out
    assert hint in out


def test_rejects_a_raising_answer(capsys):
    def stub(p, t, tol=0.04):
        raise NotImplementedError("count the errors below tol")
    verdict, out = run(capsys, stub)
    assert not verdict and "NotImplementedError: count the errors below tol" in out


def test_rejects_none(capsys):
    verdict, out = run(capsys, lambda p, t, tol=0.04: None)
    assert not verdict and "returned None" in out


def test_rejects_a_non_callable(capsys):
    verdict, out = run(capsys, 0.5)
    assert not verdict and "Expected a function, got a float" in out


def test_does_not_let_the_answer_change_the_cases(capsys):
    def vandal(p, t, tol=0.04):
        p[:] = t  # every error becomes 0
        return 1.0
    check_success_rate(vandal)
    verdict, _ = run(capsys, good)
    assert verdict


# --- the slider exercise ----------------------------------------------------------------------------

Ts = [10, 12, 14, 16, 18, 20]
SUCCESS = [0.66, 0.51, 0.42, 0.25, 0.16, 0.15]
BASELINE = 0.154


def test_longest_beating():
    assert longest_beating(Ts, SUCCESS, BASELINE) == 14  # 0.42 >= 0.354, 0.25 < 0.354
    assert longest_beating(Ts, SUCCESS, BASELINE, margin=0.05) == 16
    assert longest_beating(Ts, [0.15] * 6, BASELINE) is None


def test_longest_T_accepts_the_answer(capsys):
    verdict = check_longest_T(14, Ts, SUCCESS, BASELINE)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "+27 points" in out


@pytest.mark.parametrize("T, hint", [(10, "go further"), (12, "go further"), (16, "go back"), (20, "go back"),
                                     (15, "one of the sweep's lengths"), ("14", "one of the sweep's lengths"),
                                     (None, "one of the sweep's lengths"), (True, "one of the sweep's lengths")])
def test_longest_T_names_the_direction(T, hint, capsys):
    verdict = check_longest_T(T, Ts, SUCCESS, BASELINE)
    assert not verdict and hint in capsys.readouterr().out


def test_longest_T_reads_the_sweep_it_is_given(capsys):
    other = [0.9, 0.8, 0.7, 0.6, 0.5, 0.16]
    assert check_longest_T(18, Ts, other, BASELINE)
    assert not check_longest_T(14, Ts, other, BASELINE)
    assert not check_longest_T(14, Ts, [0.15] * 6, BASELINE)
    assert "no such T" in capsys.readouterr().out


def test_longest_T_never_raises_on_a_malformed_sweep(capsys):
    verdict = check_longest_T(14, Ts, None, BASELINE)
    assert not verdict and "could not read" in capsys.readouterr().out


def test_longest_T_feedback_is_html_with_a_mark():
    assert longest_T_feedback(T=14, Ts=Ts, success=SUCCESS, baseline=BASELINE).startswith("<p")
    assert "✓" in longest_T_feedback(14, Ts, SUCCESS, BASELINE)
    assert "✗" in longest_T_feedback(10, Ts, SUCCESS, BASELINE)
    assert longest_T_verdict(14.0, Ts, SUCCESS, BASELINE)[0]


# --- exercise 3: the recall_first set-up ---------------------------------------------------------

def test_recall_setup_accepts_the_right_set_up(capsys):
    verdict = check_recall_setup(softmax_cross_entropy, 4, 0.25, V=4)
    out = capsys.readouterr().out
    assert verdict and out.startswith("✓ recall_first set-up: target reached")
    assert check_recall_setup(softmax_cross_entropy, np.int64(6), 1 / 6, V=6)


def test_recall_setup_starting_values_wait_for_an_answer(capsys):
    verdict = check_recall_setup(None, None, None, V=4)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("○ recall_first set-up: waiting for your answer")


@pytest.mark.parametrize("answer, hint", [
    ((mse_loss, 4, 0.25), "mse_loss treats the symbol's index as a number"),
    (("softmax", 4, 0.25), "expected one of lstm_lib.layers' losses"),
    ((softmax_cross_entropy, 1, 0.25), "one output can hold a number"),
    ((softmax_cross_entropy, 16, 0.25), "one logit per symbol, V = 4"),
    ((softmax_cross_entropy, 4.0, 0.25), "one logit per symbol, V = 4"),
    ((softmax_cross_entropy, True, 0.25), "one logit per symbol, V = 4"),
    ((softmax_cross_entropy, 4, 25), "looks like a percentage"),
    ((softmax_cross_entropy, 4, 0.5), "right one time in V"),
    ((softmax_cross_entropy, 4, "1/4"), "right one time in V"),
])
def test_recall_setup_names_the_slip(capsys, answer, hint):
    verdict = check_recall_setup(*answer, V=4)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("✗ recall_first set-up: not yet") and hint in out

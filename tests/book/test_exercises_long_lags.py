"""The checkers of "The RNN's tasks, again" accept right answers and name the usual slips."""
import numpy as np
import pytest
import torch
from answers import raising, returns_none, run

from lstm_book.exercises.long_lags import (
    ACCURACY_MISTAKES,
    MARGIN,
    accuracy_cases,
    check_accuracy,
    check_longest,
    longest_beating,
    longest_feedback,
    longest_verdict,
    reference_accuracy,
)


def good(logits, labels):
    return np.mean(np.argmax(logits, axis=1) == labels)


# --- accuracy ------------------------------------------------------------------------------

def test_reference_is_torchs_argmax_accuracy():
    for logits, labels in accuracy_cases():
        z = torch.from_numpy(logits)
        want = (z.argmax(dim=1) == torch.from_numpy(labels)).double().mean().item()
        assert reference_accuracy(logits, labels) == pytest.approx(want)


def test_the_cases_tell_the_slips_apart():
    cases = accuracy_cases()
    for n, (wrong, _) in enumerate(ACCURACY_MISTAKES[1:], 1):
        for other, _ in ACCURACY_MISTAKES[n + 1:]:
            assert any(not np.isclose(wrong(*c), other(*c)) for c in cases)
        assert all(not np.isclose(wrong(*c), reference_accuracy(*c)) for c in cases)


def test_accepts_a_correct_answer(capsys):
    verdict, out = run(check_accuracy, good, capsys)
    assert verdict and "correct" in out


@pytest.mark.parametrize("answer", [
    lambda z, y: float((z.argmax(-1) == y).sum()) / len(y),
    lambda z, y: sum(int(np.argmax(row) == label) for row, label in zip(z, y)) / len(y),
    lambda z, y: (torch.from_numpy(z).argmax(dim=1) == torch.from_numpy(y)).float().mean(),
    lambda z, y: np.mean(np.argmax(np.exp(z) / np.exp(z).sum(1, keepdims=True), axis=1) == y),
    lambda z, y: [np.mean(z.argmax(1) == y)],
])
def test_accepts_answers_written_differently(capsys, answer):
    verdict, _ = run(check_accuracy, answer, capsys)
    assert verdict


@pytest.mark.parametrize("answer, hint", [
    (lambda z, y: np.mean(np.argmax(z, axis=0) == y), "axis=0 would give (V,)"),
    (lambda z, y: np.mean(np.argmax(z) == y), "flattened array"),
    (lambda z, y: np.mean(np.max(z, axis=1) == y), "*value*"),
    (lambda z, y: np.mean(np.argmin(z, axis=1) == y), "least likely"),
    (lambda z, y: 100 * np.mean(np.argmax(z, axis=1) == y), "percentage"),
    (lambda z, y: np.sum(np.argmax(z, axis=1) == y), "counts the right predictions"),
    (lambda z, y: np.mean(np.argmax(z, axis=1) != y), "error rate"),
    (lambda z, y: np.mean(np.exp(z)[np.arange(len(y)), y] / np.exp(z).sum(1)), "mean probability"),
    (lambda z, y: np.mean(np.argmax(z, axis=1) + 1 == y), "shifted by one"),
    (lambda z, y: np.argmax(z, axis=1) == y, "one per sequence"),
    (lambda z, y: np.mean(np.argmax(z, axis=1)[:, None] == y[:, None], axis=1), "one per sequence"),
    (lambda z, y: (np.mean(z.argmax(1) == y), 1.0), "tuple"),
    (lambda z, y: "abc", "not an array of numbers"),
    (lambda z, y: np.nan, "nan"),
    (lambda z: 0.5, "positional argument"),
])
def test_rejects_typical_slips_with_the_right_hint(capsys, answer, hint):
    verdict, out = run(check_accuracy, answer, capsys)
    assert not verdict and "not yet" in out
    assert hint in out


def test_the_axis_0_slip_is_named_when_it_does_not_raise(capsys):
    def axis_0(z, y):  # works for N != V by cutting: the values are still wrong
        pred = np.resize(np.argmax(z, axis=0), len(y))
        return np.mean(pred == y)
    verdict, out = run(check_accuracy, axis_0, capsys)
    assert not verdict and "No common slip" in out


def test_rejects_raising_none_and_non_callables(capsys):
    verdict, out = run(check_accuracy, raising, capsys)
    assert not verdict and "NotImplementedError: write this function" in out
    verdict, out = run(check_accuracy, returns_none, capsys)
    assert not verdict and "returned None" in out
    verdict, out = run(check_accuracy, 0.75, capsys)
    assert not verdict and "Expected a function, got a float" in out


def test_does_not_let_the_answer_change_the_cases(capsys):
    def vandal(z, y):
        z[:] = 0.0
        y[:] = 0
        return 1.0
    run(check_accuracy, vandal, capsys)
    verdict, _ = run(check_accuracy, good, capsys)
    assert verdict


# --- the slider exercise --------------------------------------------------------------------

Ts = [20, 30, 50, 70, 100]
SUCCESS = [1.0, 0.9, 0.7, 0.42, 0.26]


def test_longest_beating_with_one_baseline_or_one_per_length():
    assert longest_beating(Ts, SUCCESS, 0.25) == 50  # 0.42 < 0.45
    assert longest_beating(Ts, SUCCESS, 0.25, margin=0.1) == 70
    assert longest_beating(Ts, SUCCESS, [0.25, 0.25, 0.25, 0.1, 0.25]) == 70
    assert longest_beating(Ts, [0.3] * 5, 0.25) is None
    assert MARGIN == 0.2


def test_check_longest_accepts_the_answer(capsys):
    verdict = check_longest(50, Ts, SUCCESS, 0.25)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "+45 points" in out


@pytest.mark.parametrize("T, hint", [(20, "go further"), (30, "go further"), (70, "go back"), (100, "go back"),
                                     (40, "one of the sweep's lengths"), ("50", "one of the sweep's lengths"),
                                     (None, "one of the sweep's lengths"), (True, "one of the sweep's lengths")])
def test_check_longest_names_the_direction(T, hint, capsys):
    verdict = check_longest(T, Ts, SUCCESS, 0.25)
    assert not verdict and hint in capsys.readouterr().out


def test_check_longest_reads_the_sweep_it_is_given(capsys):
    assert check_longest(100, Ts, [1.0] * 5, 0.25)
    assert not check_longest(50, Ts, [0.3] * 5, 0.25)
    assert "no such T" in capsys.readouterr().out


@pytest.mark.parametrize("success", [None, [0.5, 0.5], "abc"])
def test_check_longest_never_raises_on_a_malformed_sweep(capsys, success):
    verdict = check_longest(50, Ts, success, 0.25)
    assert not verdict and "could not read" in capsys.readouterr().out


def test_longest_feedback_is_html_with_a_mark():
    assert longest_feedback(T=50, Ts=Ts, success=SUCCESS, baseline=0.25).startswith("<p")
    assert "✓" in longest_feedback(T=50, Ts=Ts, success=SUCCESS, baseline=0.25)
    assert "✗" in longest_feedback(T=20, Ts=Ts, success=SUCCESS, baseline=0.25)
    assert longest_verdict(50.0, Ts, SUCCESS, 0.25)[0]
    assert longest_verdict(np.int64(50), Ts, SUCCESS, 0.25)[0]

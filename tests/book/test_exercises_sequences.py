"""The checkers of the chapter "Sequences and state" accept right answers and name the usual slips."""
import numpy as np
import pytest
import torch

from lstm_book.exercises.sequences import (
    EXERCISE_TEXT,
    WINDOW_SIZES,
    check_to_time_major_one_hot,
    check_window_size,
    smallest_perfect_window,
    window_size_feedback,
)
from lstm_lib.data import encode, one_hot


def _indices(texts, vocab):
    return np.stack([encode(s, vocab) for s in texts], axis=1)  # (T, B)


def correct(texts, vocab):
    return one_hot(_indices(texts, vocab), len(vocab))


def correct_by_loops(texts, vocab):
    x = np.zeros((len(texts[0]), len(texts), len(vocab)))
    for b, s in enumerate(texts):
        for t, ch in enumerate(s):
            x[t, b, vocab.index(ch)] = 1.0
    return x


def one_slip(x):
    x[1, 0] = np.roll(x[1, 0], 1)  # one vector wrong, no pattern
    return x


def run(capsys, fn):
    verdict = check_to_time_major_one_hot(fn)
    return bool(verdict), capsys.readouterr().out


def correct_in_torch(texts, vocab):
    return torch.nn.functional.one_hot(torch.from_numpy(_indices(texts, vocab)), len(vocab)).double()


@pytest.mark.parametrize("fn", [correct, correct_by_loops, correct_in_torch])
def test_accepts_correct(capsys, fn):
    passed, out = run(capsys, fn)
    assert passed, out
    assert "✓" in out


WRONG = [
    (lambda texts, vocab: correct(texts, vocab).transpose(1, 0, 2), "batch-major"),
    (lambda texts, vocab: _indices(texts, vocab).astype(float), "indices"),
    (lambda texts, vocab: _indices(texts, vocab).T.astype(float), "indices, and batch-major"),
    (lambda texts, vocab: correct(texts, vocab).T, "x.T reverses"),
    (lambda texts, vocab: correct(texts, vocab).transpose(0, 2, 1), "(T, V, B)"),
    (lambda texts, vocab: correct(texts, vocab).astype(np.int64), "dtype is int64"),
    (lambda texts, vocab: correct(texts, vocab).astype(np.float32), "dtype is float32"),
    (lambda texts, vocab: np.eye(len(vocab) + 1)[_indices(texts, vocab) + 1], "V + 1 entries"),
    (lambda texts, vocab: one_hot((_indices(texts, vocab) + 1) % len(vocab), len(vocab)), "one position too far"),
    (lambda texts, vocab: np.eye(len(vocab))[_indices(texts, vocab) - 1], "one position too far"),
    (lambda texts, vocab: correct(texts, sorted(set("".join(texts)))), "use the vocab you are given"),
    (lambda texts, vocab: correct(texts, vocab[::-1]), "column i must stand for vocab[i]"),
    (lambda texts, vocab: correct(texts, vocab).transpose(1, 0, 2).reshape(len(texts[0]), len(texts), len(vocab)),
     "reshape keeps the memory order"),
    (lambda texts, vocab: 2 * correct(texts, vocab), "single 1"),
    (lambda texts, vocab: correct(texts, vocab)[::-1], "backwards in time"),
    (lambda texts, vocab: correct(texts[::-1], vocab), "keep the texts in the order"),
    (lambda texts, vocab: one_slip(correct(texts, vocab)), "x[1, 0] must be the one-hot vector"),
    # issue 11: both passed while every test vocab was sorted
    (lambda texts, vocab: np.eye(len(vocab))[np.searchsorted(np.array(vocab), np.array([list(s) for s in texts]).T)],
     "np.searchsorted looks a character up by bisection"),
    (lambda texts, vocab: correct(texts, sorted(vocab)), "Your columns follow the vocab sorted"),
]


@pytest.mark.parametrize("fn, hint", WRONG)
def test_rejects_usual_slips_with_hint(capsys, fn, hint):
    passed, out = run(capsys, fn)
    assert not passed
    assert "✗" in out and hint in out, out


def test_raising_answer(capsys):
    def stub(texts, vocab):
        raise NotImplementedError("your code here")

    passed, out = run(capsys, stub)
    assert not passed and "NotImplementedError: your code here" in out and "texts=" in out


def test_none_answer(capsys):
    def forgot_return(texts, vocab):
        correct(texts, vocab)

    passed, out = run(capsys, forgot_return)
    assert not passed and "returned None" in out


def test_not_callable(capsys):
    passed, out = run(capsys, correct(["ab"], ["a", "b"]))
    assert not passed and "Pass the function itself" in out


def test_non_numeric_answer(capsys):
    passed, out = run(capsys, lambda texts, vocab: "not an array")
    assert not passed and "not an array of numbers" in out


def test_window_size_target():
    assert smallest_perfect_window(EXERCISE_TEXT) == 5
    assert 5 in WINDOW_SIZES


def test_check_window_size(capsys):
    assert check_window_size(5)
    out = capsys.readouterr().out
    assert "✓" in out and "smallest" in out
    assert not check_window_size(3)
    out = capsys.readouterr().out
    assert "✗" in out and "can be" in out
    assert not check_window_size(7)
    assert "smaller window is perfect too" in capsys.readouterr().out
    for bad in (4.5, "5", None, -1, True):
        assert not check_window_size(bad)  # never raises
        assert "✗" in capsys.readouterr().out


def test_window_size_feedback_is_html_for_every_slider_value():
    for k in WINDOW_SIZES:
        snippet = window_size_feedback(k)
        assert snippet.startswith("<p") and ("✓" in snippet) == (k == 5)
    assert "&#x27;" in window_size_feedback(2)  # the quoted context is escaped

"""The checkers of "Sentiment and negation" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.sentiment import (
    GRAD_MISTAKES,
    check_embedding_grad,
    check_turning_word,
    grad_cases,
    reference_embedding_grad,
    turning_verdict,
    turning_word,
    turning_word_feedback,
)

# --- embedding_grad -----------------------------------------------------------------------


def grad_by_loop(ids, dx, V):
    out = np.zeros((V, dx.shape[-1]))
    for t, b in np.ndindex(ids.shape):
        out[ids[t, b]] += dx[t, b]
    return out


def grad_by_one_hot(ids, dx, V):
    one_hot = np.eye(V)[ids.ravel()]  # (N, V)
    return one_hot.T @ dx.reshape(-1, dx.shape[-1])


@pytest.mark.parametrize("answer", [reference_embedding_grad, grad_by_loop, grad_by_one_hot])
def test_embedding_grad_accepts_right_answers(capsys, answer):
    verdict, out = run(check_embedding_grad, answer, capsys)
    assert verdict and "correct" in out, out


@pytest.mark.parametrize("wrong, hint", GRAD_MISTAKES)
def test_embedding_grad_names_each_slip(capsys, wrong, hint):
    verdict, out = run(check_embedding_grad, wrong, capsys)
    assert not verdict and hint.split(".")[0] in out, out


def test_slips_differ_from_the_answer_and_each_other():
    for args in grad_cases():
        outs = [reference_embedding_grad(*args)] + [np.asarray(w(*args)) for w, _ in
                                                    GRAD_MISTAKES]
        for a in range(len(outs)):
            for b in range(a + 1, len(outs)):
                assert not np.allclose(outs[a], outs[b]), (a, b)


def test_embedding_grad_stub_none_and_errors(capsys):
    verdict, out = run(check_embedding_grad, raising, capsys)
    assert not verdict and "waiting for your code" in out, out
    verdict, out = run(check_embedding_grad, returns_none, capsys)
    assert not verdict and "returned None" in out, out
    verdict, out = run(check_embedding_grad, lambda ids, dx, V: np.zeros((V, 2)) + dx,
                       capsys)
    assert not verdict and "flatten both" in out, out
    verdict, out = run(check_embedding_grad, 3, capsys)
    assert not verdict and "Expected a function" in out, out


def test_embedding_grad_that_writes_into_dx(capsys):
    def vandal(ids, dx, V):
        out = grad_by_loop(ids, dx, V)
        dx *= 0
        return out

    verdict, out = run(check_embedding_grad, vandal, capsys)
    assert not verdict and "wrote into dx" in out, out


# --- the turning-word slider ----------------------------------------------------------------

WORDS = ["the", "movie", "was", "not", "at", "all", "boring", "and", "fine", "."]
PROBS = [0.6, 0.7, 0.4, 0.2, 0.6, 0.3, 0.9, 0.8, 0.95, 0.99]


def test_turning_word():
    assert turning_word(PROBS) == 6
    assert turning_word([0.7, 0.8]) == 0
    assert turning_word([0.7, 0.4]) is None


@pytest.mark.parametrize("t, passed, words", [
    (6, True, "above 0.5 from here to the end"),
    (np.int64(6), True, "above 0.5 from here to the end"),
    (3, False, "not above 0.5 yet. Go further"),
    (4, False, "falls to 0.30 again after word 5, 'all': go further"),
    (8, False, "from an earlier word on: go back"),
    (10, False, "an integer in [0, 9]"),
    (6.0, False, "got 6.0"),
    (True, False, "got True"),
    (None, False, "got None"),
])
def test_turning_verdicts(capsys, t, passed, words):
    verdict = check_turning_word(t, WORDS, PROBS)
    out = capsys.readouterr().out
    assert bool(verdict) == passed and words in out, out
    html = turning_word_feedback(t=t, words=WORDS, probs=PROBS)
    assert html.startswith("<p") and ("✓" in html) == passed


def test_turning_without_a_target_and_with_bad_arguments():
    passed, messages = turning_verdict(1, ["a", "b"], [0.7, 0.2])
    assert not passed and "never turns positive for good" in messages[0]
    passed, messages = turning_verdict(1, ["a", "b"], [0.7])
    assert not passed and "could not read its arguments" in messages[0]

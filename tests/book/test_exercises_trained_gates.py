"""The checkers of "What training did to the gates" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.trained_gates import (
    SUM_UNIT_MISTAKES,
    check_silenced_unit,
    check_sum_unit,
    most_harmful_other,
    reference_sum_unit,
    silenced_unit_feedback,
    silenced_unit_verdict,
    sum_unit_cases,
)

# --- sum_unit ---------------------------------------------------------------------------------


def with_corrcoef(c, x):
    s = np.sum(x[..., 0] * (x[..., 1] == 1.0), axis=0)
    return int(np.argmax([abs(np.corrcoef(c[-1, :, j], s)[0, 1]) for j in range(c.shape[2])]))


def with_loops(c, x):  # the marked steps found one sequence at a time, a numpy integer returned
    T, B, H = c.shape
    s = np.array([sum(x[t, b, 0] for t in range(T) if x[t, b, 1] == 1.0) for b in range(B)])
    z = (c[-1] - c[-1].mean(axis=0)) / c[-1].std(axis=0)
    return np.argmax(np.abs(z.T @ (s - s.mean()) / s.std()))


@pytest.mark.parametrize("answer", [reference_sum_unit, with_corrcoef, with_loops])
def test_accepts_right_answers(capsys, answer):
    verdict, out = run(check_sum_unit, answer, capsys)
    assert verdict and "correct" in out


@pytest.mark.parametrize("wrong, hint", SUM_UNIT_MISTAKES)
def test_rejects_each_slip_with_its_hint(capsys, wrong, hint):
    verdict, out = run(check_sum_unit, wrong, capsys)
    assert not verdict and "not yet" in out
    assert hint.split("\n")[0] in out


def test_every_slip_fails_somewhere_and_is_told_apart():
    cases = sum_unit_cases()
    for n, (wrong, _) in enumerate(SUM_UNIT_MISTAKES):
        failing = [k for k, (c, x) in enumerate(cases) if wrong(c, x) != reference_sum_unit(c, x)]
        assert failing, n
        c, x = cases[failing[0]]
        earlier = [w(c, x) for w, _ in SUM_UNIT_MISTAKES[:n]]
        assert wrong(c, x) not in earlier, n  # the first matching hint is this slip's


@pytest.mark.parametrize("answer, hint", [
    (raising, "still raises NotImplementedError"),
    (returns_none, "returned None"),
    (lambda c, x: 0.97, "looks like a correlation"),
    (lambda c, x: np.ones(c.shape[2]), "of shape (10,)"),
    (lambda c, x: c.shape[2], "numbered 0 to 9"),
    (lambda c, x: True, "return the index"),
    (lambda c, x: "3", "return a unit's index"),
    (lambda c, x: (3, 0.9), "of shape (2,)"),
    (5, "Expected a function, got a int"),
])
def test_explains_answers_of_the_wrong_kind(capsys, answer, hint):
    verdict, out = run(check_sum_unit, answer, capsys)
    assert not verdict and hint in out


def test_accepts_an_integer_valued_float_and_a_0d_array(capsys):
    assert run(check_sum_unit, lambda c, x: float(reference_sum_unit(c, x)), capsys)[0]
    assert run(check_sum_unit, lambda c, x: np.array(reference_sum_unit(c, x)), capsys)[0]


def test_does_not_let_the_answer_change_the_cases(capsys):
    def vandal(c, x):
        c[:] = 0.0
        x[:] = 0.0
        return 0

    run(check_sum_unit, vandal, capsys)
    assert run(check_sum_unit, reference_sum_unit, capsys)[0]


# --- the slider exercise: the second unit -------------------------------------------------------

RELATIVE = np.array([1.4, 0.003, 0.004, 0.48, 0.004, 0.006, 0.68, 0.02])
WRITER, BASE = 0, 0.0023


def test_most_harmful_other_skips_the_writer():
    assert most_harmful_other(RELATIVE, WRITER) == 6
    assert most_harmful_other(RELATIVE, 6) == 0


@pytest.mark.parametrize("unit, passed, words", [
    (6, True, "target reached"), (0, False, "the writer"), (3, False, "hurts more"),
    (1, False, "hurts more"), (8, False, "units 0 to 7"), (-1, False, "units 0 to 7"),
    (2.0, False, "units 0 to 7"), (True, False, "units 0 to 7"), (None, False, "units 0 to 7"),
])
def test_silenced_unit_verdict(capsys, unit, passed, words):
    verdict = check_silenced_unit(unit, RELATIVE, WRITER, BASE)
    out = capsys.readouterr().out
    assert bool(verdict) is passed and words in out


def test_silenced_unit_quotes_the_measurements(capsys):
    check_silenced_unit(3, RELATIVE, WRITER, BASE)
    assert "from 0.0023 to 0.4800" in capsys.readouterr().out


def test_silenced_unit_never_raises_on_malformed_measurements(capsys):
    verdict = check_silenced_unit(1, None, WRITER, BASE)
    assert not verdict and "could not read" in capsys.readouterr().out


def test_silenced_unit_feedback_is_html_with_a_mark():
    assert silenced_unit_feedback(unit=6, relative=RELATIVE, writer=WRITER, base=BASE).startswith("<p")
    assert "✓" in silenced_unit_feedback(6, RELATIVE, WRITER, BASE)
    assert "✗" in silenced_unit_feedback(0, RELATIVE, WRITER, BASE)
    assert silenced_unit_verdict(np.int64(6), RELATIVE, WRITER, BASE)[0]

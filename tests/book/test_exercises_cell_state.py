"""The checkers of "The cell state" accept right answers, and explain the usual wrong ones without raising."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.cell_state import (
    LEVEL_BAND,
    LEVEL_FROM,
    LEVEL_SLIDERS,
    check_cell_update,
    check_level,
    level_feedback,
    level_verdict,
)
from lstm_book.experiments.cell_state import level_response


def correct(f, c_prev, i, g):
    return f * c_prev + i * g


# --- cell_update ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    correct,
    lambda f, c, i, g: np.multiply(f, c) + np.multiply(i, g),
    lambda f, c, i, g: i * g + c * f,
    lambda f, c, i, g: (f * c + i * g).astype(np.float32),
    lambda f, c, i, g: (f * c + i * g).tolist(),
])
def test_cell_update_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_cell_update, answer, capsys)
    assert verdict and "cell_update: correct" in out and "All 3 cases" in out


@pytest.mark.parametrize("wrong, hint", [
    # a missing forget term, in its two forms
    (lambda f, c, i, g: c + i * g, "The forget term is missing"),
    (lambda f, c, i, g: i * g, "the old memory f * c_prev is missing"),
    # + where the elementwise product belongs
    (lambda f, c, i, g: f + c + i * g, "f + c_prev adds the gate to the memory"),
    (lambda f, c, i, g: f * c + i + g, "i + g adds the gate to the candidate"),
    (lambda f, c, i, g: f + c + i + g, "Both products became sums"),
    # swapped roles
    (lambda f, c, i, g: i * c + f * g, "The gates have swapped roles"),
    (lambda f, c, i, g: f * g + i * c, "The gates have swapped roles"),
    # other slips
    (lambda f, c, i, g: f * c, "The write term i * g is missing"),
    (lambda f, c, i, g: np.tanh(f * c + i * g), "There is no tanh on the belt"),
    (lambda f, c, i, g: f * c + (1 - f) * g, "coupled gates"),
    (lambda f, c, i, g: f * c - i * g, "The write is subtracted"),
    # issue 11: each of these had only "No common slip matches"
    (lambda f, c, i, g: (1 - f) * c + i * g, "(1 - f) * c_prev: the forget gate is the fraction KEPT"),
    (lambda f, c, i, g: f * c + i * np.tanh(g), "tanh(g): the candidate g is given already squashed"),
    (lambda f, c, i, g: f * (c + i * g), "f scales the new write too"),
    (lambda f, c, i, g: f @ c + i @ g, "A matrix product was attempted"),  # raises on the first, non-square case
    (lambda f, c, i, g: np.dot(f, c.T)[:, :1] + i * g, "Case 1:"),
])
def test_cell_update_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_cell_update, wrong, capsys)
    assert not verdict and "cell_update: not yet" in out and hint in out


def test_cell_update_matrix_product_on_a_square_case_is_named(capsys):
    """@ runs when B = H; the third case is square, and the slip list names it there."""
    def square_only(f, c, i, g):
        return f @ c + i @ g if f.shape[0] == f.shape[1] else correct(f, c, i, g)
    verdict, out = run(check_cell_update, square_only, capsys)
    assert not verdict and "Case 3" in out and "@ is the matrix product" in out


def test_cell_update_wrong_shape_lists_the_input_shapes(capsys):
    verdict, out = run(check_cell_update, lambda f, c, i, g: correct(f, c, i, g).sum(axis=0), capsys)
    assert not verdict and "expected (B, H)" in out and "c_prev (2, 3)" in out


@pytest.mark.parametrize("answer, hint", [
    (raising, "NotImplementedError: write this function"),
    (returns_none, "forget the `return`"),
    ("f * c_prev + i * g", "Expected a function"),
    (np.zeros(3), "Expected a function"),
])
def test_cell_update_survives_broken_answers(answer, hint, capsys):
    verdict, out = run(check_cell_update, answer, capsys)
    assert not verdict and hint in out


# --- holding a level (slider exercise) ------------------------------------------------------------------

@pytest.mark.parametrize("f, i", [(0.9, 0.2), (0.95, 0.1), (0.5, 1.0), (0.8, 0.4)])
def test_level_accepts_a_balance_in_the_band(f, i, capsys):
    verdict = check_level(f, i)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "Holds the level" in out


@pytest.mark.parametrize("f, i, hint", [
    (0.9, 0.0, "Nothing is written"),
    (1.0, 0.02, "With f = 1 nothing is forgotten"),  # passes 1.0 at step 100, but only by climbing
    (1.0, 0.5, "never settles"),
    (0.9, 0.5, "above 1.1"),
    (0.9, 0.1, "below 0.9"),
    (0.99, 0.02, "approaches it slowly"),
])
def test_level_names_the_failure(f, i, hint, capsys):
    verdict = check_level(f, i)
    out = capsys.readouterr().out
    assert not verdict and "not yet" in out and hint in out


@pytest.mark.parametrize("f, i, hint", [
    (None, 0.1, "should be a number"), ("0.9", 0.1, "should be a number"), (0.9, float("nan"), "should be a number"),
    (True, 0.1, "should be a number"), (1.5, 0.1, "it lies between 0 and 1"), (0.9, -0.1, "it lies between 0 and 1"),
])
def test_level_never_raises_on_bad_values(f, i, hint, capsys):
    verdict = check_level(f, i)
    assert not verdict and hint in capsys.readouterr().out


def test_level_feedback_is_html_with_a_mark():
    assert level_feedback(0.9, 0.2).startswith("<p") and "✓" in level_feedback(0.9, 0.2)
    assert "✗" in level_feedback(1.0, 0.02)


def test_level_grid_has_few_solutions_and_shows_each_failure():
    verdicts = {(f, i): level_verdict(f, i) for f in LEVEL_SLIDERS["f"] for i in LEVEL_SLIDERS["i"]}
    passed = [k for k, (ok, _) in verdicts.items() if ok]
    assert 2 <= len(passed) <= 6
    text = " ".join(m for _, msgs in verdicts.values() for m in msgs)
    for phrase in ["Nothing is written", "never settles", "above 1.1", "below 0.9", "approaches it slowly"]:
        assert phrase in text


def test_level_band_is_checked_at_every_step_of_the_window():
    lo, hi = LEVEL_BAND
    for f, i in [(0.9, 0.2), (0.95, 0.1)]:
        window = level_response(f, i)[LEVEL_FROM:]
        assert np.all((window >= lo) & (window <= hi))

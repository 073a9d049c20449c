"""The experiment of "The cell state": one unit with constant gates, run from c_0 = 0 towards its level."""
import numpy as np
import pytest

from lstm_book.experiments.cell_state import LEVEL_G, LEVEL_T, balance_level, level_response
from lstm_lib.memory import cell_response


def test_level_response_follows_the_closed_form():
    f, i = 0.9, 0.2
    c = level_response(f, i)
    t = np.arange(LEVEL_T + 1)
    assert c.shape == (LEVEL_T + 1,) and c[0] == 0.0
    np.testing.assert_allclose(c, balance_level(f, i) * (1 - f ** t), rtol=1e-12, atol=1e-15)


def test_level_response_carries_a_value_unchanged_when_f_is_1_and_i_is_0():
    assert np.all(level_response(1.0, 0.0, c0=0.7) == 0.7)


def test_balance_level():
    assert balance_level(0.9, 0.2) == pytest.approx(1.0) and balance_level(1.0, 0.1) == np.inf


def test_level_response_is_the_library_response_with_the_exercise_defaults():
    np.testing.assert_array_equal(level_response(0.95, 0.1), cell_response(0.95, 0.1, LEVEL_G, 0.0, LEVEL_T))

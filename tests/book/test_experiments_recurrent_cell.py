"""The latch experiment of "The recurrent cell": its input, its response and the resting point of the unit."""
import numpy as np
import pytest

from lstm_book.experiments.recurrent_cell import LATCH_PULSES, LATCH_T, latch_input, latch_response, resting_point


def test_latch_input_holds_the_two_pulses_and_zeros_elsewhere():
    x = latch_input()
    assert x.shape == (LATCH_T, 1, 1) and x[0, 0, 0] == 1.0 and x[15, 0, 0] == -1.0
    assert np.count_nonzero(x) == len(LATCH_PULSES)


def test_latch_response_starts_at_zero_and_has_t_plus_one_states():
    h = latch_response(1.5, 2.0)
    assert h.shape == (31,) and h[0] == 0.0 and h[1] == pytest.approx(np.tanh(2.0))


def test_latch_response_follows_the_one_unit_recurrence():
    w_hh, w_ih = 1.2, 1.5
    h, x = latch_response(w_hh, w_ih), latch_input()[:, 0, 0]
    assert np.allclose(h[1:], np.tanh(w_hh * h[:-1] + w_ih * x), rtol=0, atol=1e-15)


@pytest.mark.parametrize("w_hh", [1.01, 1.2, 1.5, 2.0, 3.0])
def test_resting_point_solves_its_equation(w_hh):
    h_star = resting_point(w_hh)
    assert 0 < h_star < 1 and h_star == pytest.approx(np.tanh(w_hh * h_star), abs=1e-12)


def test_resting_point_is_zero_without_memory():
    assert resting_point(1.0) == 0.0 and resting_point(0.3) == 0.0


@pytest.mark.parametrize("bad", [None, "1.5", float("nan"), True, [1.5]])
def test_the_experiments_refuse_what_is_not_a_weight(bad):
    with pytest.raises(ValueError, match="must be a"):
        latch_response(bad, 1.0)
    with pytest.raises(ValueError, match="must be a"):
        resting_point(bad)

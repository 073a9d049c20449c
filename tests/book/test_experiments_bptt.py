"""The experiment of "Backpropagation through time": the error of a gradient check against its step."""
import numpy as np
import pytest

from lstm_book.experiments.bptt import rnn_gradcheck_error


def test_gradcheck_error_is_a_v():
    errors = [rnn_gradcheck_error(10.0 ** -k) for k in range(1, 13)]
    best = int(np.argmin(errors))
    assert 3 <= best <= 6  # the minimum lies near u**(1/3) ~ 6e-6
    assert all(a > b for a, b in zip(errors[:best], errors[1:best + 1]))  # falls on the right arm
    assert errors[0] > 1e4 * errors[2]  # truncation: eps**2


def test_gradcheck_error_is_the_same_for_every_call():
    assert rnn_gradcheck_error(1e-6) == rnn_gradcheck_error(1e-6) == rnn_gradcheck_error(np.float64(1e-6))


@pytest.mark.parametrize("eps", [0.0, -1e-3, float("nan"), "small", 2.0, True])
def test_gradcheck_error_rejects_a_bad_step(eps):
    with pytest.raises(ValueError, match="eps must be"):
        rnn_gradcheck_error(eps)

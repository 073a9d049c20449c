"""`lstm_book.notebook.progress`: a bar with the loss for a learner, nothing in stored or tested outputs."""
import numpy as np

from lstm_book.notebook import QUIET_VARIABLE, progress
from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import init_lstm_params
from lstm_lib.tasks import adding_problem
from lstm_lib.train import train_last_step


def train(callback):
    rng = np.random.default_rng(0)
    params, readout = init_lstm_params(2, 3, rng), init_linear_params(3, 1, rng)
    return train_last_step(lambda g: adding_problem(4, 10, g), params, readout, 20, rng, callback=callback)


def test_quiet_when_the_variable_is_set(monkeypatch, capfd):
    monkeypatch.setenv(QUIET_VARIABLE, "1")
    quiet = train(progress(20))
    out, err = capfd.readouterr()
    assert out == err == ""
    np.testing.assert_array_equal(quiet[2], train(None)[2])  # the bar changes nothing in training


def test_a_bar_with_the_loss_otherwise(monkeypatch, capfd):
    monkeypatch.delenv(QUIET_VARIABLE, raising=False)
    losses = train(progress(20, "adding"))[2]
    err = capfd.readouterr().err
    assert "adding" in err and "20/20" in err and f"loss={losses[-1]:.4f}" in err

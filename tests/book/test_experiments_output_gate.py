"""The experiments of "The output gate and the hidden state": the given cell update `new_cell`."""
import numpy as np
import pytest
import torch

from lstm_book.experiments.output_gate import new_cell
from lstm_lib import gates, lstm


def per_gate_weights(D, H, seed):
    return lstm.split_gates(lstm.init_lstm_params(D, H, np.random.default_rng(seed)))


@pytest.mark.parametrize("B, D, H", [(1, 4, 3), (3, 2, 2), (2, 1, 5)])
def test_new_cell_is_the_cell_state_of_the_library_cell(B, D, H):
    rng = np.random.default_rng(B + D + H)
    w = per_gate_weights(D, H, seed=H)
    h_prev, x_t, c_prev = rng.normal(size=(B, H)), rng.normal(size=(B, D)), rng.normal(size=(B, H))
    _, c_t, acts = gates.lstm_cell(x_t, h_prev, c_prev, w)
    assert np.array_equal(new_cell(x_t, h_prev, c_prev, w), c_t)
    assert np.allclose(new_cell(x_t, h_prev, c_prev, w), acts["f"] * c_prev + acts["i"] * acts["g"], rtol=0,
                       atol=1e-15)


def test_new_cell_agrees_with_torch_lstm_cell():
    rng = np.random.default_rng(7)
    params = lstm.init_lstm_params(4, 3, rng)
    h_prev, x_t, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    cell = torch.nn.LSTMCell(4, 3, dtype=torch.float64)
    with torch.no_grad():
        for key, value in params.items():
            getattr(cell, key).copy_(torch.from_numpy(value))
        _, c_torch = cell(torch.from_numpy(x_t), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    assert np.abs(new_cell(x_t, h_prev, c_prev, lstm.split_gates(params)) - c_torch.numpy()).max() < 1e-14


def test_new_cell_ignores_the_output_gate():
    rng = np.random.default_rng(8)
    w = per_gate_weights(2, 3, seed=8)
    h_prev, x_t, c_prev = rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(1, 3))
    other = dict(w, W_o=5.0 * w["W_o"] + 1.0, b_o=w["b_o"] - 3.0)
    assert np.array_equal(new_cell(x_t, h_prev, c_prev, w), new_cell(x_t, h_prev, c_prev, other))


def test_new_cell_names_a_shape_error():
    w = per_gate_weights(2, 3, seed=9)
    with pytest.raises(ValueError, match="x_t"):
        new_cell(np.zeros((1, 2)), np.zeros((2, 3)), np.zeros((2, 3)), w)  # B = 2 against B = 1
    with pytest.raises(ValueError, match="c_prev"):
        new_cell(np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 2)), w)  # c_prev (1, 2), not (1, 3)

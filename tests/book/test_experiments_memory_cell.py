"""The experiments of "The complete LSTM": the hand-built memory cell, its sequences and its tests."""
import numpy as np
import torch

from lstm_book.experiments.memory_cell import (
    MEMORY_READS,
    MEMORY_T,
    MEMORY_TARGET,
    MEMORY_WRITES,
    memory_conditions,
    memory_input,
    memory_inputs,
    memory_params,
    memory_trace,
    memory_weights,
    sharp_weights,
    trace_cell,
)
from lstm_lib.gates import GATES, sigmoid
from lstm_lib.lstm import check_lstm_params, lstm_forward
from lstm_lib.torch_bridge import to_torch


def test_memory_cell_in_torch_layout_matches_the_trace():
    for b_f, w in [(5.0, 12.0), (0.0, 0.0), (8.0, 8.0)]:
        tr = memory_trace(b_f, w)
        x = memory_input()
        h, c, _ = lstm_forward(x, np.zeros((1, 1)), np.zeros((1, 1)), memory_params(b_f, w))
        assert np.allclose(h[:, 0, 0], tr["h"], atol=1e-14) and np.allclose(c[:, 0, 0], tr["c"], atol=1e-14)
        with torch.no_grad():
            out, _ = to_torch(memory_params(b_f, w))(torch.from_numpy(x))
        assert np.allclose(out.numpy()[:, 0, 0], tr["h"], atol=1e-12)


def test_memory_inputs_keep_the_writes_and_reads_and_draw_new_distractors():
    x, one = memory_inputs(50, seed=3), memory_input()
    assert x.shape == (one.shape[0], 50, 3)
    assert np.array_equal(x[:, :, 1:], np.repeat(one[:, :, 1:], 50, axis=1))  # write and read channels
    writes = one[:, 0, 1] == 1.0
    assert np.array_equal(x[writes, :, 0], np.repeat(one[writes, :, :1], 50, axis=1)[:, :, 0])
    assert not np.allclose(x[~writes, 0, 0], one[~writes, 0, 0]) and np.abs(x[:, :, 0]).max() <= 1.0
    assert np.array_equal(x, memory_inputs(50, seed=3))


def test_memory_input_has_the_writes_and_reads_at_their_steps():
    x = memory_input()
    assert x.shape == (MEMORY_T, 1, 3)
    assert [t + 1 for t in np.flatnonzero(x[:, 0, 1])] == sorted(MEMORY_WRITES)
    assert [t + 1 for t in np.flatnonzero(x[:, 0, 2])] == list(MEMORY_READS)
    assert all(x[step - 1, 0, 0] == value for step, value in MEMORY_WRITES.items())
    assert np.array_equal(x, memory_input())  # one fixed draw of distractors


def test_memory_weights_read_only_the_input_and_do_what_the_chapter_says():
    b_f, w = 5.0, 12.0
    weights = memory_weights(b_f, w)
    assert all(weights[f"W_{k}"].shape == (4, 1) and weights[f"b_{k}"].shape == (1,) for k in GATES)
    assert all(weights[f"W_{k}"][0, 0] == 0.0 for k in GATES)  # no gate reads h_prev
    params = check_lstm_params(memory_params(b_f, w))
    assert params["weight_ih"].shape == (4, 3) and not params["weight_hh"].any()
    tr = memory_trace(b_f, w)
    write, other = MEMORY_TARGET["store_step"] - 1, MEMORY_TARGET["store_step"]  # step 2 writes, step 3 does not
    assert np.isclose(tr["i"][write], sigmoid(w / 2)) and np.isclose(tr["f"][write], sigmoid(b_f - w))
    assert np.isclose(tr["i"][other], sigmoid(-w / 2)) and np.isclose(tr["f"][other], sigmoid(b_f))
    assert np.allclose(tr["g"], np.tanh(2.0 * memory_input()[:, 0, 0]), rtol=0, atol=1e-15)
    reads = np.array(MEMORY_READS) - 1
    assert np.allclose(tr["o"][reads], sigmoid(8.0)) and np.delete(tr["o"], reads).max() < 1e-3


def test_memory_conditions_of_the_demo_setting_hold_on_the_exercise_sequence():
    tests = memory_conditions(5.0, 12.0, memory_input())
    assert set(tests) == {"store", "keep", "replace"} and all(v.tolist() == [True] for v in tests.values())
    assert not memory_conditions(0.0, 0.0, memory_input())["store"][0]  # w = 0 never stores


def test_one_sharpness_couples_the_write_gates_and_sets_the_read():
    """sharp_weights(k) is the cell of "The input gate" and "The output gate": f = 1 - i
    at every step, o = sigmoid(k (2 read - 1)), and memory_weights(k, 2k, 2k) exactly."""
    x = memory_input()
    for k in (0.5, 2.0, 8.0):
        tr = trace_cell(sharp_weights(k), x)
        np.testing.assert_allclose(tr["f"], 1 - tr["i"], rtol=0, atol=1e-15)
        np.testing.assert_allclose(tr["o"], sigmoid(k * (2 * x[:, 0, 2] - 1)), rtol=0, atol=1e-15)
        np.testing.assert_allclose(tr["i"], sigmoid(k * (2 * x[:, 0, 1] - 1)), rtol=0, atol=1e-15)
        np.testing.assert_allclose(tr["g"], np.tanh(2 * x[:, 0, 0]), rtol=0, atol=1e-15)
    w8 = sharp_weights(8.0)
    assert all(np.array_equal(w8[key], memory_weights(8.0, 16.0)[key]) for key in w8)  # read gain 16


def test_trace_cell_is_memory_trace_on_the_memory_input():
    tr, ref = trace_cell(memory_weights(5.0, 12.0), memory_input()), memory_trace(5.0, 12.0)
    assert all(np.array_equal(tr[k], ref[k]) for k in ref)
    x = memory_input()
    x[1, 0, 0] = -0.8  # another written value: a different cell from step 2 on
    other = trace_cell(memory_weights(5.0, 12.0), x)
    assert np.array_equal(other["c"][:1], ref["c"][:1]) and other["c"][1] < 0 < ref["c"][1]

"""The experiments of "The RNN learns": the song's streams, the window predictor position by position, the
gradient reach (against torch autograd) and the stored sweep."""
import numpy as np
import pytest
import torch

from lstm_book.experiments.rnn_learns import (
    PERIOD,
    RECIPE,
    SWEEP_KS,
    SWEEP_LRS,
    SWEEP_SEEDS,
    VOCAB,
    gradient_reach,
    load,
    loop_stream,
    new_network,
    objects,
    position_correct,
    sweep_run,
    train_song,
    window_correct,
)
from lstm_lib.data import accuracy_bound, next_char_windows
from lstm_lib.torch_bridge import to_torch


def test_streams_read_every_position_equally_often_and_target_the_next_character():
    x, y = loop_stream(PERIOD, 8, 144)
    read = x.argmax(axis=2)  # (T, B)
    assert x.shape == (144, 8, len(VOCAB)) and y.shape == (144, 8)
    np.testing.assert_array_equal(read[1:], y[:-1])  # the target of step t is read at step t + 1
    idx = np.array([VOCAB.index(ch) for ch in PERIOD])
    for b in range(8):  # each stream is the loop from its own offset
        start = b * 9
        np.testing.assert_array_equal(read[:, b], idx[(start + np.arange(144)) % 72])
    with pytest.raises(ValueError, match="n_streams must be"):
        loop_stream(PERIOD, 0, 144)


def test_objects_are_the_letters_a_short_window_cannot_tell_apart():
    assert [PERIOD[i] for i in objects()] == ["m", "l", "b"]
    assert not window_correct(PERIOD, 12)[objects()].all()


@pytest.mark.parametrize("k", [0, 1, 3, 7, 12, 13])
def test_window_correct_counts_the_bound(k):
    assert window_correct(PERIOD, k).sum() == round(accuracy_bound(*next_char_windows(PERIOD, k)) * 72)


@pytest.mark.parametrize("start", [0, 5, 9])
def test_gradient_reach_matches_torch_with_the_state_detached(start):
    params, readout = new_network(1, hidden=6)
    x, y = loop_stream(PERIOD, 2, 20)
    t, b = 12, 1
    reach = gradient_reach(params, readout, x, y, t, b=b, start=start)
    rnn = to_torch(params)
    linear = torch.nn.Linear(6, len(VOCAB)).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(readout["weight"]))
        linear.bias.copy_(torch.from_numpy(readout["bias"]))
    xt = torch.tensor(x[: t + 1, b : b + 1], requires_grad=True)
    _, h_start = rnn(xt[:start]) if start else (None, torch.zeros(1, 1, 6, dtype=torch.float64))
    h, _ = rnn(xt[start:], h_start.detach())  # the chunk starts from a constant state
    loss = torch.nn.functional.cross_entropy(linear(h[-1]), torch.tensor(y[t, b : b + 1]))
    loss.backward()
    np.testing.assert_allclose(reach, xt.grad[:, 0].norm(dim=1).numpy(), rtol=1e-10, atol=1e-15)
    assert (reach[:start] == 0).all() and (reach[start:] > 0).all()


def test_training_is_reproducible_and_scored_per_position():
    small = {"n_epochs": 3, "hidden": 8}
    first = train_song(0, k=24, **small)
    again = train_song(0, k=24, **small)
    np.testing.assert_array_equal(first[2], again[2])
    assert len(first[2]) == 3 * 144 // 24
    correct = position_correct(*first[:2])
    assert correct.shape == (72,) and correct.dtype == bool


def test_the_stored_sweep_has_every_run_and_one_re_runs_exactly():
    stored = load()
    assert stored["recipe"] == RECIPE
    keys = {(r["k"], r["carry_state"], r["seed"], r["lr"]) for r in stored["runs"]}
    expected = {(k, carry, seed, lr) for lr in SWEEP_LRS for k in SWEEP_KS for carry in (True, False)
                for seed in SWEEP_SEEDS if k is not None or carry}
    assert keys == expected and len(stored["runs"]) == len(expected)
    run = next(r for r in stored["runs"] if (r["k"], r["carry_state"], r["seed"], r["lr"]) == (48, True, 1, 0.01))
    assert sweep_run(48, True, 1, lr=0.01) == run

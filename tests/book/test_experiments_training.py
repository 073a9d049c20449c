"""The experiments of "Training an LSTM": the recipe's network, the run until solved, the loop that
records the gradient norm, and the stored learning-rate and clipping sweep."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book.diagrams import labels
from lstm_book.experiments import adding1997
from lstm_book.experiments.adding1997 import RECIPE, score
from lstm_book.experiments.training import (
    BLOCK,
    NO_CLIP,
    SWEEP_CLIPS,
    SWEEP_LRS,
    SWEEP_SEEDS,
    SWEEP_T,
    SWEEP_UPDATES,
    draw_training,
    load,
    recipe_network,
    sweep_run,
    train_adding,
    train_recording,
)
from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import gate_rows, init_lstm_params
from lstm_lib.optim import clip_grad_norm
from lstm_lib.tasks import adding_problem
from lstm_lib.train import last_state, last_state_backward, train_last_step


def adding(T, B=8):
    return lambda g: adding_problem(B, T, g)


def test_recipe_network_draws_the_recipe_in_order():
    rng, params, readout = recipe_network(5)
    ref_rng = np.random.default_rng(5)
    ref = init_lstm_params(2, RECIPE["hidden_size"], ref_rng, RECIPE["forget_bias"], RECIPE["input_bias"])
    ref_readout = init_linear_params(RECIPE["hidden_size"], 1, ref_rng)
    for key in ref:
        np.testing.assert_array_equal(params[key], ref[key])
    np.testing.assert_array_equal(readout["weight"], ref_readout["weight"])
    assert rng.random() == ref_rng.random()  # the same generator state afterwards
    f = gate_rows("f", RECIPE["hidden_size"])
    assert np.all(params["bias_ih"][f] + params["bias_hh"][f] == 3.0)


@pytest.mark.parametrize("max_norm", [0.01, 1.0])
def test_train_recording_is_train_last_step(max_norm):
    _, params, readout = recipe_network(1, hidden_size=5)
    ours = train_recording(adding(12), params, readout, 30, np.random.default_rng(2), 0.01, max_norm)
    ref = train_last_step(adding(12), params, readout, 30, np.random.default_rng(2), lr=0.01,
                          max_norm=max_norm)
    np.testing.assert_array_equal(ours[2], ref[2])
    for mine, theirs in zip(ours[:2], ref[:2]):
        for key in theirs:
            np.testing.assert_array_equal(mine[key], theirs[key])
    norms = ours[3]
    assert norms.shape == (30,) and np.all(norms > 0)
    if max_norm == 0.01:
        assert np.all(norms > max_norm)  # every update clipped


def test_train_recording_records_the_norm_before_clipping():
    _, params, readout = recipe_network(1, hidden_size=4)
    g = np.random.default_rng(3)
    x, y = adding(12)(g)
    h_T, cache = last_state(x, params)
    y_hat = h_T @ readout["weight"].T + readout["bias"]
    dy_hat = 2.0 * (y_hat - y) / y.size
    grads = {**last_state_backward(dy_hat @ readout["weight"], cache),
             "weight": dy_hat.T @ h_T, "bias": dy_hat.sum(axis=0)}
    expected = clip_grad_norm(grads, 1.0)
    _, _, _, norms = train_recording(adding(12), params, readout, 1, np.random.default_rng(3), 0.01, 1.0)
    assert norms[0] == pytest.approx(expected, rel=1e-12)


def test_train_recording_stops_when_the_callback_says_so():
    _, params, readout = recipe_network(0, hidden_size=4)
    seen = []
    out = train_recording(adding(10), params, readout, 20, np.random.default_rng(0), 0.01, 1.0,
                          callback=lambda n, loss, p, r, norm: seen.append(n) or n == 5)
    assert seen == [1, 2, 3, 4, 5] and out[2].shape == (5,) and out[3].shape == (5,)


def test_train_adding_checks_on_the_test_set_and_uses_the_library_loop():
    calls = []
    params, readout, losses, history = train_adding(12, 0, 30, callback=lambda *a: calls.append(a[0]),
                                                    check_every=10, hidden_size=4)
    assert calls == list(range(1, 31)) and losses.shape == (30,)
    assert history.shape == (3, 3) and list(history[:, 0]) == [10, 20, 30]
    wrong, relative = score(params, readout, *adding1997.test_set(12))
    assert history[-1, 1] == wrong and history[-1, 2] == pytest.approx(relative)
    rng, p0, r0 = recipe_network(0, hidden_size=4)
    ref = train_last_step(adding(12, RECIPE["batch_size"]), p0, r0, 30, rng, lr=RECIPE["lr"],
                          max_norm=RECIPE["max_norm"])
    np.testing.assert_array_equal(losses, ref[2])


def test_train_adding_stops_when_solved(monkeypatch):
    monkeypatch.setattr(adding1997, "allowed_wrong", lambda T: 10_000)  # every check passes
    _, _, losses, history = train_adding(12, 0, 30, check_every=10, hidden_size=4)
    assert losses.shape == (10,) and history.shape == (1, 3)


def test_draw_training_names_the_steps_of_an_update():
    fig, ax = plt.subplots()
    texts = [t.get_text() for t in draw_training(ax)]
    plt.close(fig)
    assert texts.count("LSTM") == 3
    assert any("lstm_backward" in t for t in texts) and any("Adam" in t for t in texts)
    assert any("h_T" in t for t in texts) and labels({"texts": []}) == []


# --- the stored sweep -------------------------------------------------------------------------------

def test_the_stored_sweep_has_every_run():
    sweep = load()
    assert sweep["T"] == SWEEP_T and sweep["block"] == BLOCK
    runs = {(r["lr"], r["clip"], r["seed"]): r for r in sweep["runs"]}
    assert set(runs) == {(lr, clip, seed) for lr in SWEEP_LRS for clip in SWEEP_CLIPS for seed in SWEEP_SEEDS}
    for run in runs.values():
        assert len(run["losses"]) == len(run["norms"]) == SWEEP_UPDATES // BLOCK
        assert [c[0] for c in run["checks"]] == list(range(50, SWEEP_UPDATES + 1, 50))
        if run["clip"] is None:
            assert run["clipped"] == 0
        solved = [n for n, wrong, _ in run["checks"] if wrong <= 1]
        assert run["solved_at"] == (solved[0] if solved else None)


@pytest.mark.slow
def test_a_prefix_of_a_stored_run_is_reproduced_exactly():
    stored = next(r for r in load()["runs"] if (r["lr"], r["clip"], r["seed"]) == (0.01, 1.0, 0))
    again = sweep_run(0.01, 1.0, 0, n_updates=100)
    n = 100 // BLOCK
    assert again["losses"] == stored["losses"][:n]
    assert again["norms"] == stored["norms"][:n]
    assert again["checks"] == stored["checks"][:2]


def test_no_clip_is_larger_than_any_norm():
    assert NO_CLIP > 1e6

"""The experiments of "The 1997 experiments, reproduced": the stored sweeps re-run, the command line,
and the measurements of what the distractors do to a cell."""
import math
import subprocess
import sys

import numpy as np
import pytest

from lstm_book.experiments.adding1997 import (
    PAPER,
    RECIPE,
    SEEDS,
    SWEEPS,
    cell_measures,
    init_network,
    load,
    main,
    marked_steps,
    run,
    runs_of,
    value_tangent,
)
from lstm_book.experiments.adding1997 import test_set as adding_test_set  # not a test
from lstm_lib.gates import sigmoid
from lstm_lib.layers import init_linear_params, mse_loss
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.tasks import adding_problem
from lstm_lib.train import predict_last

# --- the stored sweeps: one configuration of each, re-run --------------------------------


def test_the_stored_sweeps_hold_every_configuration_and_seed():
    for name, configs in SWEEPS.items():
        sweep = load(name)
        assert sweep["recipe"]["hidden_size"] == RECIPE["hidden_size"]
        for config in configs:
            runs = runs_of(sweep, config["forget_bias"], config["input_bias"], config["forget_gate"], config["T"])
            assert [r["seed"] for r in runs] == list(SEEDS)
            assert all(r["T"] == config["T"] and r["budget"] == PAPER[config["T"]]["sequences"] for r in runs)
            for r in runs:  # a solved run stopped at its first check within the paper's count
                assert r["solved"] == (r["history"][-1][1] <= PAPER[r["T"]]["wrong"])
                assert r["sequences"] == (r["history"][-1][0] if r["solved"] else None)
                assert all(h[1] > PAPER[r["T"]]["wrong"] for h in r["history"][:-1])


@pytest.mark.slow
def test_the_grid_recipe_cell_re_runs_to_the_stored_numbers():
    stored = runs_of(load("grid"), 3.0, -3.0, True)[0]
    again = run(100, 0, 3.0, -3.0, True, budget=PAPER[100]["sequences"])
    assert again["solved"] == stored["solved"] and again["sequences"] == stored["sequences"]
    assert again["history"] == stored["history"]


@pytest.mark.slow
def test_the_long_sweep_starts_as_stored():
    stored = runs_of(load("long"), 3.0, -3.0, True, T=500)[0]
    again = run(500, 0, 3.0, -3.0, True, budget=4800)  # 150 updates: three checks
    assert len(again["history"]) == 3 and again["history"] == stored["history"][:3]


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["--T", "5"], "T must be at least 10"),
    (["--T", "ten"], "T must be an integer"),
    (["--seeds", "0"], "must be at least 1"),
    (["--budget", "-3"], "must be at least 1"),
    (["--forget-bias", "large"], "must be a number or 'draw'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_bad_arguments_give_a_clear_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def command_line(*args):
    """Run the module as `python -m` does; return its stdout lines and whether torch got imported."""
    code = ("import runpy, sys\n"
            f"sys.argv = ['adding1997', *{list(args)!r}]\n"
            "try:\n"
            "    runpy.run_module('lstm_book.experiments.adding1997', run_name='__main__')\n"
            "except SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "print('torch imported:', 'torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    lines = out.strip().splitlines()
    return lines[:-1], lines[-1] == "torch imported: True"


def test_a_run_out_of_budget_says_so_without_torch():
    lines, torch_imported = command_line("--T", "10", "--seeds", "2", "--budget", "64")
    assert lines[0].startswith("adding problem, T = 10: LSTM H = 16")
    assert [line.split(":")[0] for line in lines[1:3]] == ["seed 0", "seed 1"]
    assert all("not solved within 64 sequences" in line for line in lines[1:3])
    assert lines[-1] == "not solved within 64 sequences" and not torch_imported


def test_a_quick_run_prints_the_median():
    lines, torch_imported = command_line("--T", "10", "--seeds", "1", "--budget", "20000")
    solved = lines[1]
    assert solved.startswith("seed 0: solved after ") and not torch_imported
    sequences = int(solved.split("solved after ")[1].split(" sequences")[0].replace(",", ""))
    assert lines[-1] == f"median sequences to solve: {sequences}"


# --- the measurements --------------------------------------------------------------------


def test_init_network_gives_the_weights_run_starts_from():
    losses = []
    run(10, 0, 3.0, -3.0, budget=32, callback=lambda n, loss, p, r, norm: losses.append(loss))
    params, readout = init_network(0, 3.0, -3.0)
    rng = np.random.default_rng(0)  # the same draws as run: weights, readout, then the batch
    init_lstm_params(2, 16, rng, 3.0, -3.0)
    init_linear_params(16, 1, rng)
    x, y = adding_problem(32, 10, rng)
    assert mse_loss(predict_last(x, params, readout), y)[0] == losses[0]


def test_marked_steps_find_x1_and_x2():
    x, y = adding_problem(200, 30, np.random.default_rng(5))
    first, second = marked_steps(x)
    batch = np.arange(200)
    assert np.all(first < second) and np.all(first < 10) and np.all(second < 30 // 2 - 1)
    assert np.allclose(0.5 + (x[first, batch, 0] + x[second, batch, 0]) / 4, y[:, 0])


@pytest.mark.parametrize("forget_bias, input_bias, forget_gate", [
    (3.0, -3.0, True), (None, None, True), (None, -3.0, False), (1.0, None, False)])
def test_value_tangent_matches_finite_differences(forget_bias, input_bias, forget_gate):
    params, _ = init_network(1, forget_bias, input_bias, hidden_size=5)
    params = {k: 3 * v for k, v in params.items()}  # larger weights: nonlinear, every term counts
    x = adding_test_set(20)[0][:, :6]
    steps = np.array([0, 3, 7, 2, 19, 5])
    dc, dh = value_tangent(x, params, steps, forget_gate)
    zeros, eps = np.zeros((6, 5)), 1e-6
    plus, minus = x.copy(), x.copy()
    plus[steps, np.arange(6), 0] += eps
    minus[steps, np.arange(6), 0] -= eps
    h_p, c_p, _ = lstm_forward(plus, zeros, zeros, params, forget_gate)
    h_m, c_m, _ = lstm_forward(minus, zeros, zeros, params, forget_gate)
    assert np.allclose(dc, (c_p - c_m) / (2 * eps), rtol=1e-6, atol=1e-8)
    assert np.allclose(dh, (h_p - h_m) / (2 * eps), rtol=1e-6, atol=1e-8)
    for b, s in enumerate(steps):  # nothing before the varied step
        assert not dc[:s, b].any() and not dh[:s, b].any()


def test_forward_and_backward_mode_give_the_same_gradient_at_x1():
    params, readout = init_network(2, 3.0, None)
    x = adding_test_set(40)[0][:, :50]
    first, _ = marked_steps(x)
    zeros = np.zeros((50, 16))
    h, _, cache = lstm_forward(x, zeros, zeros, params)
    _, dh = value_tangent(x, params, first, cache=cache)
    d_out = np.zeros_like(h)
    d_out[-1] = readout["weight"]
    dx = lstm_backward(d_out, cache)[0]
    forward = dh[-1] @ readout["weight"][0]  # d y_hat / d X1, forward mode
    assert np.allclose(forward, dx[first, np.arange(50), 0], rtol=1e-10, atol=1e-14)


def test_cell_measures_read_what_the_biases_set():
    x = adding_test_set(100)[0][:, :128]
    recipe = cell_measures(x, *init_network(0, 3.0, -3.0))
    assert set(recipe) == {"c_rms", "x1_trace", "i_marked", "i_other", "f", "drift", "spread", "saturated",
                           "slope", "x1_share", "x2_share", "grad_x1", "grad_last"}
    assert recipe["c_rms"].shape == (100,) and recipe["x1_trace"].shape == (91,)
    assert math.isclose(recipe["drift"] ** 2 + recipe["spread"] ** 2, recipe["c_rms"][-1] ** 2, rel_tol=1e-12)
    assert abs(recipe["f"] - sigmoid(3.0)) < 0.01 and abs(recipe["i_other"] - sigmoid(-3.0)) < 0.01
    assert recipe["saturated"] == 0.0 and 0 < recipe["slope"] <= 1
    old = cell_measures(x, *init_network(0, None, None), forget_gate=False)
    assert old["f"] == 1.0 and old["saturated"] > 0.5  # the open 1997 cell drifts into saturation
    forgets = cell_measures(x, *init_network(0, None, -3.0))
    assert forgets["x1_trace"][-1] < 1e-20 * forgets["x1_trace"][0] and forgets["x1_share"] < 1e-20
    assert forgets["grad_x1"] < 1e-20 * forgets["grad_last"]

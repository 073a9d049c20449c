"""The sweep of "The RNN's tasks, again": its helpers, and stored runs that re-run to the
same numbers."""
import numpy as np
import pytest

from lstm_book.experiments import long_lags as ll
from lstm_lib.gates import sigmoid
from lstm_lib.lstm import gate_rows, init_lstm_params
from lstm_lib.tasks import TEMPORAL_ORDER_CLASSES


@pytest.fixture(scope="module")
def sweep():
    return ll.load()


# --- the stored sweep ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("config", [("adding", "rnn", 10, 0), ("recall", "lstm_fb1", 10, 1)])
def test_a_stored_run_reproduces_exactly(sweep, config):
    stored = ll.find(sweep["runs"], *config)
    assert ll.run(*config) == stored


def test_the_stored_sweep_is_complete_and_follows_the_protocol(sweep):
    assert sweep["protocol"] == ll.PROTOCOL and sweep["success_tol"] == ll.SUCCESS_TOL
    assert {k: tuple(v) for k, v in sweep["lengths"].items()} == ll.LENGTHS
    keys = sorted((r["task"], r["net"], r["T"], r["seed"]) for r in sweep["runs"])
    assert keys == sorted(ll.configurations())
    for r in sweep["runs"]:
        assert 0.0 <= r["success"] <= 1.0 and r["error"] >= 0.0
        assert len(r["losses"]) == ll.PROTOCOL["n_updates"] // ll.BLOCK
        assert ("forget_mean" in r) == (r["net"] != "rnn")
    for task in ll.TASKS:
        for T in ll.LENGTHS[task]:
            assert sweep["baselines"][task][str(T)] == ll.baseline(task, ll.held_out_set(task, T)[1])


def test_success_table_puts_each_run_in_its_row_and_column(sweep):
    Ts, table = ll.success_table(sweep["runs"], "order", "lstm")
    assert Ts == list(ll.LENGTHS["order"]) and table.shape == (len(Ts), len(ll.SEEDS))
    assert table[Ts.index(50), 2] == ll.find(sweep["runs"], "order", "lstm", 50, 2)["success"]
    _, errors = ll.success_table(sweep["runs"], "adding", "rnn", key="error")
    assert errors[0, 1] == ll.find(sweep["runs"], "adding", "rnn", 10, 1)["error"]


def test_success_table_leaves_missing_runs_empty():
    runs = [{"task": "adding", "net": "rnn", "T": 10, "seed": 0, "success": 0.5},
            {"task": "adding", "net": "rnn", "T": 20, "seed": 1, "success": 0.2},
            {"task": "adding", "net": "lstm", "T": 30, "seed": 0, "success": 0.9}]
    Ts, table = ll.success_table(runs, "adding", "rnn")
    assert Ts == [10, 20] and table[0, 0] == 0.5 and table[1, 1] == 0.2
    assert np.isnan(table[0, 1]) and np.isnan(table[1, 0])


def test_find_says_which_run_is_missing(sweep):
    with pytest.raises(ValueError, match="no run adding, rnn, T = 11"):
        ll.find(sweep["runs"], "adding", "rnn", 11, 0)


# --- the helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("task, T, x_shape, y_shape", [("adding", 12, (12, 5, 2), (5, 1)),
                                                       ("recall", 12, (12, 5, 4), (5,)),
                                                       ("order", 20, (20, 5, 8), (5,))])
def test_make_batch_gives_every_task_at_length_T(task, T, x_shape, y_shape):
    x, y = ll.make_batch(task, 5, T, np.random.default_rng(0))
    assert x.shape == x_shape and y.shape == y_shape
    assert ll.sizes(task)[0] == x_shape[-1]
    if task == "recall":  # the first of T symbols, so the lag is T - 1
        assert np.array_equal(x[0].argmax(axis=1), y)


def test_test_sets_are_fixed_per_length_and_differ_between_lengths():
    x1, y1 = ll.held_out_set("recall", 20)
    x2, y2 = ll.held_out_set("recall", 20)
    assert x1.shape == (20, ll.PROTOCOL["n_test"], 4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(ll.held_out_set("recall", 30)[1], y1)


@pytest.mark.parametrize("call, match", [
    (lambda: ll.make_batch("add", 2, 10, np.random.default_rng(0)), "task must be one of"),
    (lambda: ll.make_batch("order", 2, 10, np.random.default_rng(0)), r"T must be an integer >= 20"),
    (lambda: ll.make_batch("adding", 2, 9, np.random.default_rng(0)), r"T must be an integer >= 10"),
    (lambda: ll.make_batch("adding", 2, 10.0, np.random.default_rng(0)), "T must be an integer"),
    (lambda: ll.run("adding", "gru", 10, 0), "net must be one of"),
])
def test_bad_configurations_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_init_net_draws_torchs_weights_and_sets_the_forget_bias():
    H = 5
    rnn = ll.init_net("rnn", 3, H, np.random.default_rng(0))
    lstm = ll.init_net("lstm", 3, H, np.random.default_rng(0))
    fb1 = ll.init_net("lstm_fb1", 3, H, np.random.default_rng(0))
    assert rnn["weight_hh"].shape == (H, H) and lstm["weight_hh"].shape == (4 * H, H)
    f = gate_rows("f", H)
    assert np.allclose(fb1["bias_ih"][f] + fb1["bias_hh"][f], 1.0)
    assert np.array_equal(fb1["weight_hh"], lstm["weight_hh"])  # only the bias differs


def test_baseline_is_the_constant_half_or_chance():
    y = np.array([[0.5], [0.53], [0.47], [0.9], [0.1]])
    assert ll.baseline("adding", y) == pytest.approx(0.6)
    assert ll.baseline("order", np.zeros(3)) == 1 / len(TEMPORAL_ORDER_CLASSES)
    assert ll.baseline("recall", np.zeros(3)) == 1 / ll.N_SYMBOLS


def test_score_counts_strictly_below_tol_and_reads_the_largest_logit():
    y = np.array([[0.0], [0.0], [0.5], [0.8]])
    y_hat = np.array([[0.0], [0.04], [0.461], [1.0]])  # errors 0, 0.04 exactly, 0.039, 0.2
    s = ll.score("adding", y_hat, y)
    assert s["success"] == 0.5
    assert s["error"] == pytest.approx(np.mean((y_hat - y) ** 2) / np.var(y))
    logits = np.array([[2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    s = ll.score("order", logits, np.array([0, 1, 1]))
    assert s["success"] == pytest.approx(2 / 3)
    assert ll.score("order", np.zeros((3, 4)), np.array([0, 1, 2]))["error"] == pytest.approx(np.log(4))


def test_forget_gates_measure_the_mean_and_the_best_units_memory():
    H, T = 3, 6
    params = init_lstm_params(2, H, np.random.default_rng(0))
    for key in params:
        params[key][:] = 0.0
    f = gate_rows("f", H)
    params["bias_ih"][f] = [0.0, 2.0, 4.0]  # f = sigmoid(bias) at every step
    mean, keep = ll.forget_gates(params, np.zeros((T, 4, 2)))
    assert mean == pytest.approx(np.mean(sigmoid(np.array([0.0, 2.0, 4.0]))))
    assert keep == pytest.approx(sigmoid(4.0) ** (T - 1))


def test_block_means_average_each_block_and_the_rest():
    assert ll.block_means([1, 3, 5, 7, 9], block=2) == [2.0, 6.0, 9.0]


def test_a_short_run_has_every_field():
    r = ll.run("order", "lstm", 20, 0, n_updates=60)
    assert set(r) == {"task", "net", "T", "seed", "success", "error", "losses", "forget_mean",
                      "forget_keep", "forget_mean_init"}
    assert len(r["losses"]) == 2 and 0.0 < r["forget_mean"] < 1.0
    calls = []
    ll.run("adding", "rnn", 10, 0, n_updates=5, callback=lambda n, *rest: calls.append(n))
    assert calls == [1, 2, 3, 4, 5]


def test_describe_names_the_score():
    r = {"task": "recall", "net": "lstm", "T": 20, "seed": 1, "success": 0.5, "error": 1.2,
         "forget_mean_init": 0.5, "forget_mean": 0.4, "forget_keep": 1e-5}
    assert "accuracy 0.500" in ll.describe(r) and "keep 1.0e-05" in ll.describe(r, 3.0)


def test_the_command_line_runs_one_configuration(capsys, sweep):
    assert ll.main(["--task", "adding", "--net", "rnn", "--T", "10", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(ll.describe(ll.find(sweep["runs"], "adding", "rnn", 10, 0)))
    with pytest.raises(SystemExit):
        ll.main(["--task", "order", "--T", "10"])
    assert "T must be an integer >= 20" in capsys.readouterr().err

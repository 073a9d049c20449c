"""The temporal-order sweep of "When RNNs forget": its helpers, and stored runs that re-run to the
same numbers."""
import numpy as np
import pytest

from lstm_book.experiments import forgetting as fg
from lstm_book.experiments import long_lags as ll


@pytest.fixture(scope="module")
def sweep():
    return fg.load()


@pytest.mark.slow
def test_a_stored_run_reproduces_exactly(sweep):
    stored = next(r for r in sweep["runs"] if (r["T"], r["seed"]) == (40, 3))
    assert fg.run(40, 3) == stored


def test_the_stored_sweep_is_complete_and_follows_the_protocol(sweep):
    assert sweep["protocol"] == fg.PROTOCOL and sweep["chance"] == fg.CHANCE == 0.25
    assert tuple(sweep["lengths"]) == fg.LENGTHS and tuple(sweep["seeds"]) == fg.SEEDS
    assert sorted((r["T"], r["seed"]) for r in sweep["runs"]) == [(T, s) for T in fg.LENGTHS for s in fg.SEEDS]
    for r in sweep["runs"]:
        assert set(r) == {"T", "seed", "accuracy", "first", "second"}
        assert all(0.0 <= r[k] <= 1.0 for k in ("accuracy", "first", "second"))
        assert r["accuracy"] <= min(r["first"], r["second"])  # a right class names both symbols right


def test_the_protocol_is_the_one_of_the_long_lags_sweep(sweep):
    """Part IV trains the RNN on the same task with the same protocol: the runs both sweeps hold agree."""
    assert fg.PROTOCOL == ll.PROTOCOL
    long_lags = ll.load()["runs"]
    shared = [(r, ll.find(long_lags, "order", "rnn", r["T"], r["seed"])) for r in sweep["runs"]
              if r["T"] in ll.LENGTHS["order"] and r["seed"] in ll.SEEDS]
    assert len(shared) == 9  # T = 20, 30 and 50, seeds 0, 1, 2
    for ours, theirs in shared:
        assert ours["accuracy"] == theirs["success"]


def test_the_held_out_set_is_fixed_by_T():
    x, y = fg.held_out_set(20)
    x_ll, y_ll = ll.held_out_set("order", 20)
    assert x.shape == (20, 1000, 8) and np.array_equal(x, x_ll) and np.array_equal(y, y_ll)


def test_order_scores_name_each_symbol():
    logits = np.eye(4)[[0, 1, 2, 3]]  # predicts XX, XY, YX, YY
    scores = fg.order_scores(logits, np.array([0, 0, 0, 0]))  # all XX
    # right: row 0; first symbol right (X): rows 0, 1; second right (X): rows 0, 2
    assert scores == {"accuracy": 0.25, "first": 0.5, "second": 0.5}


def test_a_short_run_is_deterministic():
    a, b = fg.run(20, 5, n_updates=3), fg.run(20, 5, n_updates=3)
    assert a == b and a["T"] == 20 and a["seed"] == 5


def test_table_puts_each_run_in_its_row_and_column(sweep):
    Ts, seeds, acc = fg.table(sweep["runs"])
    assert Ts == list(fg.LENGTHS) and seeds == list(fg.SEEDS) and acc.shape == (len(Ts), len(seeds))
    stored = next(r for r in sweep["runs"] if (r["T"], r["seed"]) == (60, 7))
    assert acc[Ts.index(60), 7] == stored["accuracy"]
    _, _, second = fg.table(sweep["runs"], "second")
    assert second[Ts.index(60), 7] == stored["second"]
    _, _, sparse = fg.table([{"T": 20, "seed": 0, "accuracy": 0.5}, {"T": 30, "seed": 1, "accuracy": 0.2}])
    assert sparse[0, 0] == 0.5 and sparse[1, 1] == 0.2 and np.isnan(sparse[0, 1])


@pytest.mark.parametrize("T", [19, 20.0, "40", True, None])
def test_a_bad_length_is_refused(T):
    with pytest.raises(ValueError, match="T must be an integer >= 20"):
        fg.run(T, 0)


def test_the_command_line_refuses_a_bad_length(capsys):
    with pytest.raises(SystemExit):
        fg.main(["--T", "10"])
    assert "T must be an integer >= 20" in capsys.readouterr().err

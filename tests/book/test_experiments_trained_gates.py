"""The experiments of "What training did to the gates": reading the gates out of the cache, and the
measurements made on them."""
import numpy as np
import pytest

from lstm_book.experiments.trained_gates import (
    gate_traces,
    kept_fraction,
    marked_steps,
    marked_values,
    region_means,
    regions,
    relative_mse,
    running_sum,
    silence_unit,
    sum_correlations,
)
from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import init_lstm_params, lstm_forward, lstm_step
from lstm_lib.tasks import adding_problem
from lstm_lib.train import predict_last


@pytest.fixture
def net():
    rng = np.random.default_rng(3)
    return init_lstm_params(2, 5, rng, forget_bias=3.0, input_bias=-3.0), init_linear_params(5, 1, rng)


@pytest.fixture
def batch():
    return adding_problem(40, 20, np.random.default_rng(4))


def test_gate_traces_are_the_steps_of_lstm_step(net, batch):
    params, _ = net
    x, _ = batch
    traces = gate_traces(x, params)
    assert set(traces) == {"i", "f", "g", "o", "c", "h"}
    assert all(v.shape == (20, 40, 5) for v in traces.values())
    h, c = np.zeros((40, 5)), np.zeros((40, 5))
    for t in range(20):
        h, c, cache = lstm_step(x[t], h, c, params)
        for k in "ifgo":
            np.testing.assert_array_equal(traces[k][t], cache[k])
        np.testing.assert_array_equal(traces["h"][t], h)
        np.testing.assert_array_equal(traces["c"][t], c)
    h_all, c_all, _ = lstm_forward(x, np.zeros((40, 5)), np.zeros((40, 5)), params)
    np.testing.assert_array_equal(traces["c"], c_all)


def test_marked_steps_values_and_running_sum_give_the_target(batch):
    x, y = batch
    marks = marked_steps(x)
    assert marks.shape == (40, 2) and np.all(marks[:, 0] < marks[:, 1]) and np.all(marks[:, 0] < 10)
    assert np.all(x[marks, np.arange(40)[:, None], 1] == 1.0)
    np.testing.assert_allclose(0.5 + marked_values(x).sum(axis=1) / 4, y[:, 0], atol=1e-15)
    S = running_sum(x)
    assert S.shape == (20, 40)
    np.testing.assert_allclose(0.5 + S[-1] / 4, y[:, 0], atol=1e-15)
    b = 0
    assert np.all(S[: marks[b, 0], b] == 0.0)  # nothing before the first mark
    assert S[marks[b, 0], b] == x[marks[b, 0], b, 0]


def test_regions_cover_every_step_once(batch):
    x, _ = batch
    masks = regions(x)
    assert list(masks) == ["before", "at the marks", "between", "after"]
    total = sum(m.astype(int) for m in masks.values())
    np.testing.assert_array_equal(total, np.ones((20, 40), dtype=int))
    assert np.all(masks["at the marks"].sum(axis=0) == 2)
    np.testing.assert_array_equal(masks["at the marks"], x[..., 1] == 1.0)


def test_region_means_average_over_the_masked_steps():
    rng = np.random.default_rng(0)
    trace = rng.normal(size=(6, 3, 2))
    mask = rng.random((6, 3)) < 0.5
    means = region_means(trace, {"some": mask})
    np.testing.assert_allclose(means["some"], trace[mask].mean(axis=0))
    assert means["some"].shape == (2,)


def test_sum_correlations_are_pearson_correlations(batch):
    x, _ = batch
    rng = np.random.default_rng(1)
    s = marked_values(x).sum(axis=1)
    c_T = np.stack([-2.0 * s + 1.0, rng.normal(size=40), s + 0.3 * rng.normal(size=40)], axis=1)
    corr = sum_correlations(c_T, x)
    expected = [np.corrcoef(c_T[:, j], s)[0, 1] for j in range(3)]
    np.testing.assert_allclose(corr, expected, atol=1e-12)
    assert corr[0] == pytest.approx(-1.0)


def test_silence_unit_cuts_the_units_hidden_state_and_copies(net, batch):
    params, readout = net
    x, _ = batch
    quiet, quiet_readout = silence_unit(params, readout, 2)
    assert not quiet["weight_hh"][:, 2].any() and quiet_readout["weight"][0, 2] == 0.0
    assert params["weight_hh"][:, 2].any() and readout["weight"][0, 2] != 0.0  # originals kept
    np.testing.assert_array_equal(np.delete(quiet["weight_hh"], 2, axis=1),
                                  np.delete(params["weight_hh"], 2, axis=1))
    # whatever unit 2 computes now reaches nothing: changing its input weights changes no prediction
    changed = {k: v.copy() for k, v in quiet.items()}
    changed["weight_ih"][2::5] += 3.0  # unit 2's row in each gate block
    np.testing.assert_allclose(predict_last(x, changed, quiet_readout), predict_last(x, quiet, quiet_readout),
                               atol=1e-14)


def test_relative_mse_is_one_for_the_mean(net, batch):
    params, readout = net
    x, y = batch
    mean_only = {"weight": np.zeros_like(readout["weight"]), "bias": np.array([y.mean()])}
    assert relative_mse(params, mean_only, x, y) == pytest.approx(1.0)
    assert relative_mse(params, readout, x, y) > 0.0


def test_kept_fraction_multiplies_the_forget_gates_after_the_first_mark(batch):
    x, _ = batch
    f = np.full((20, 40, 3), 0.9)
    first = marked_steps(x)[:, 0]
    np.testing.assert_allclose(kept_fraction(f, x, 1), 0.9 ** (20 - 1 - first))
    f[:, :, 0] = 1.0
    np.testing.assert_array_equal(kept_fraction(f, x, 0), np.ones(40))

"""The task generators follow their specifications (Hochreiter & Schmidhuber 1997, Section 5)."""
import numpy as np
import pytest

from lstm_lib.tasks import TEMPORAL_ORDER_SYMBOLS, adding_problem, delayed_echo, recall_first, temporal_order


@pytest.mark.parametrize("T", [10, 11, 30, 101])
def test_adding_problem_follows_the_paper(T):
    x, y = adding_problem(2000, T, np.random.default_rng(T))
    assert x.shape == (T, 2000, 2) and y.shape == (2000, 1)
    values, marks = x[..., 0], x[..., 1]
    assert np.all(np.abs(values) <= 1.0)
    assert np.all((marks == 1.0).sum(axis=0) == 2)  # exactly two marked steps
    marked = [np.flatnonzero(marks[:, b] == 1.0) for b in range(2000)]  # two sorted steps each
    for m in marked:  # one of the first ten, and one of the first T//2 - 1
        assert any(step < 10 for step in m) and any(step < T // 2 - 1 for step in m)
        assert (m[0] < 10 and m[1] < T // 2 - 1) or (m[1] < 10 and m[0] < T // 2 - 1)
    for b in range(2000):  # -1 at the first and last step unless marked, 0 elsewhere
        for step in (0, T - 1):
            assert marks[step, b] == (1.0 if step in marked[b] else -1.0)
    inner = marks[1:-1]
    assert np.all(inner[inner != 1.0] == 0.0)
    sums = np.array([values[m, b].sum() for b, m in enumerate(marked)])
    np.testing.assert_allclose(y[:, 0], 0.5 + sums / 4)
    assert np.all((0 <= y) & (y <= 1))


def test_adding_problem_marked_first_step_counts_as_zero():
    x, y = adding_problem(4000, 20, np.random.default_rng(1))
    first_marked = x[0, :, 1] == 1.0
    assert first_marked.sum() > 100  # about one sequence in ten
    assert np.all(x[0, first_marked, 0] == 0.0)
    second = np.array([np.flatnonzero(x[1:, b, 1] == 1.0)[0] + 1 for b in np.flatnonzero(first_marked)])
    np.testing.assert_allclose(y[first_marked, 0], 0.5 + x[second, np.flatnonzero(first_marked), 0] / 4)


def test_adding_problem_positions_cover_their_ranges():
    T = 40
    x, _ = adding_problem(20000, T, np.random.default_rng(2))
    marked = np.argwhere(x[..., 1].T == 1.0)[:, 1].reshape(-1, 2)  # (B, 2) sorted step indices
    assert set(np.unique(marked)) == set(range(T // 2 - 1))  # every step of the first T/2 - 1 occurs
    assert marked.min() == 0 and marked.max() == T // 2 - 2


def test_adding_problem_constant_baseline():
    """Predicting the mean 0.5 is right (error < 0.04) on about 15 % of sequences: P(|X1 + X2| < 0.16)."""
    _, y = adding_problem(100000, 50, np.random.default_rng(3))
    rate = np.mean(np.abs(y - 0.5) < 0.04)
    assert abs(rate - (0.16 - 0.16 ** 2 / 4)) < 0.01


def test_temporal_order_follows_the_paper():
    T, B = 100, 3000
    x, y = temporal_order(B, T, np.random.default_rng(4))
    assert x.shape == (T, B, 8) and y.shape == (B,)
    assert np.all(x.sum(axis=-1) == 1)
    symbols = x.argmax(axis=-1)  # (T, B)
    assert np.all(symbols[0] == TEMPORAL_ORDER_SYMBOLS.index("E"))
    assert np.all(symbols[-1] == TEMPORAL_ORDER_SYMBOLS.index("B"))
    for b in range(B):
        xy = np.flatnonzero(symbols[:, b] >= 4)
        xy = xy[(xy > 0) & (xy < T - 1)]
        assert len(xy) == 2 and 10 <= xy[0] + 1 <= 20 and 50 <= xy[1] + 1 <= 60  # 1-based, as in the paper
        order = "".join(TEMPORAL_ORDER_SYMBOLS[s] for s in symbols[xy, b])
        assert y[b] == ["XX", "XY", "YX", "YY"].index(order)
    assert set(np.bincount(y)) and np.all(np.abs(np.bincount(y) / B - 0.25) < 0.03)


def test_recall_first():
    x, y = recall_first(500, 7, 4, np.random.default_rng(5))
    assert x.shape == (8, 500, 4) and y.shape == (500,)
    np.testing.assert_array_equal(x[0].argmax(axis=-1), y)


def test_delayed_echo():
    x, y = delayed_echo(3, 6, 2, np.random.default_rng(6))
    assert x.shape == (6, 3, 1) and y.shape == (4, 3, 1)
    np.testing.assert_array_equal(y, x[:4])


def test_seeded():
    a = adding_problem(5, 12, np.random.default_rng(9))
    b = adding_problem(5, 12, np.random.default_rng(9))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("call,needle", [
    (lambda: adding_problem(2, 9, np.random.default_rng(0)), "T must be an integer >= 10"),
    (lambda: adding_problem(0, 20, np.random.default_rng(0)), "batch_size must be a positive integer"),
    (lambda: adding_problem(2, 20, 0), "rng must be a numpy.random.Generator"),
    (lambda: temporal_order(2, 10, np.random.default_rng(0)), "T must be an integer >= 20"),
    (lambda: recall_first(2, 3, 1, np.random.default_rng(0)), "n_symbols must be an integer >= 2"),
    (lambda: delayed_echo(2, 5, 5, np.random.default_rng(0)), r"lag must lie in \[0, T\)"),
])
def test_bad_arguments(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()

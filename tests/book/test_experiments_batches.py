"""The measurements of "Batches of different lengths": batching, step-row counts, timings."""
import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_book.experiments.batches import (
    BATCH_SIZE,
    N_SEQUENCES,
    STRATEGIES,
    T_MAX,
    TORCH_SIZES,
    batch_rows,
    benchmark,
    chapter_data,
    describe,
    draw_lengths,
    load,
    make_batches,
    numpy_table,
    padded_length,
    padding_fraction,
    step_rows,
    time_torch_pass,
    torch_benchmark,
)
from lstm_lib.lstm import init_lstm_params
from lstm_lib.torch_bridge import to_torch


def test_lengths_are_seeded_and_in_range():
    a = draw_lengths(N_SEQUENCES, np.random.default_rng(0))
    assert np.array_equal(a, draw_lengths(N_SEQUENCES, np.random.default_rng(0)))
    assert a.min() >= 1 and a.max() <= T_MAX and 15 < a.mean() < 25


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_batches_cover_every_sequence_once(strategy):
    rng = np.random.default_rng(1)
    lengths = draw_lengths(100, rng)
    batches = make_batches(lengths, BATCH_SIZE, rng, strategy)
    assert sorted(np.concatenate(batches).tolist()) == list(range(100))
    assert [len(b) for b in batches].count(BATCH_SIZE) == 3
    computed, real = step_rows(lengths, batches, strategy)
    assert real == lengths.sum() <= computed
    rows = batch_rows(lengths, batches, strategy)
    assert rows[:, 0].sum() == real and rows.sum() == computed and (rows >= 0).all()


def test_buckets_hold_neighbouring_lengths():
    rng = np.random.default_rng(2)
    lengths = draw_lengths(256, rng)
    batches = make_batches(lengths, BATCH_SIZE, rng, "buckets")
    ranges = sorted((lengths[b].min(), lengths[b].max()) for b in batches)
    assert all(hi <= lo_next for (_, hi), (lo_next, _) in zip(ranges, ranges[1:]))
    for strategy in ("global", "random"):
        other = make_batches(lengths, BATCH_SIZE, rng, strategy)
        assert step_rows(lengths, batches, "buckets")[0] < step_rows(lengths, other, strategy)[0]


def test_padding_counts_by_hand():
    lengths = np.array([3, 1, 4, 2])
    batches = [np.array([0, 1]), np.array([2, 3])]
    assert step_rows(lengths, batches, "random") == (2 * 3 + 2 * 4, 10)
    assert step_rows(lengths, batches, "global") == (4 * 4, 10)
    assert padded_length(lengths, batches[0], "global") == 4
    assert batch_rows(lengths, batches, "random").tolist() == [[4, 2], [6, 2]]


def test_packed_rows_are_the_real_steps():
    """torch's PackedSequence computes sum(batch_sizes) = sum(lengths) step-rows."""
    lengths = np.array([5, 2, 7, 1])
    packed = pack_padded_sequence(torch.zeros(7, 4, 3), torch.tensor(lengths), enforce_sorted=False)
    assert packed.batch_sizes.tolist() == [4, 3, 2, 2, 2, 1, 1]
    assert packed.data.shape == (lengths.sum(), 3)


def test_packed_and_padded_passes_compute_the_same_outputs():
    """The torch timing compares like with like: on the real steps both runs agree."""
    lengths = np.array([5, 2, 7, 1])
    module = to_torch(init_lstm_params(3, 4, np.random.default_rng(0)))
    x = torch.randn(7, 4, 3, dtype=torch.float64)
    out_padded, _ = module(x)
    out_packed, _ = module(pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False))
    out_unpacked, _ = pad_packed_sequence(out_packed, total_length=7)
    for b, n in enumerate(lengths):  # a padded run reads padding only after a sequence's end
        assert torch.allclose(out_padded[:n, b], out_unpacked[:n, b], rtol=0, atol=1e-12)
    assert time_torch_pass(lengths, [np.arange(4)], module, True, repeats=1) > 0


def test_benchmarks_return_times_and_counts():
    rng = np.random.default_rng(3)
    lengths = draw_lengths(64, rng)
    batches = {s: make_batches(lengths, BATCH_SIZE, rng, s) for s in STRATEGIES}
    out = benchmark(lengths, batches, D=2, H=3, repeats=1)
    assert set(out) == set(STRATEGIES)
    assert all(s > 0 and computed >= real for s, computed, real in out.values())
    assert out["global"][1] >= out["random"][1] >= out["buckets"][1] >= out["buckets"][2]
    times = torch_benchmark(4, n=40, repeats=1)
    assert set(times) == {"random, padded", "random, packed", "buckets, padded"}
    assert min(times.values()) > 0


def test_padding_fraction_grows_with_the_batch_size():
    lengths = draw_lengths(N_SEQUENCES, np.random.default_rng(12))
    assert padding_fraction(lengths, 1, "random") == 0.0
    for strategy in ("random", "buckets"):
        fractions = [padding_fraction(lengths, B, strategy) for B in (2, 8, 32, 128)]
        assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] < 1
    assert padding_fraction(lengths, 32, "buckets") < padding_fraction(lengths, 32, "random")


def test_stored_timing_is_of_the_chapters_batches():
    """The stored wall times cannot be re-run exactly; what they were measured on can."""
    stored = load()
    lengths, batches = chapter_data()
    for strategy in STRATEGIES:
        computed, real = step_rows(lengths, batches[strategy], strategy)
        assert stored["numpy"][strategy]["computed"] == computed
        assert stored["numpy"][strategy]["real"] == real == lengths.sum()
    assert set(stored["torch"]) == {str(H) for H in TORCH_SIZES}
    assert stored["machine"]["threads"] == "1" and stored["repeats"] >= 5


def test_describe_prints_every_ratio_narrowly():
    result = {
        "numpy": {s: {"seconds": 2.0 * k, "computed": 100 * k, "real": 90}
                  for s, k in zip(STRATEGIES, (3, 2, 1))},
        "torch": {"32": {"random, padded": 1.0, "random, packed": 0.5, "buckets, padded": 0.25}},
    }
    lines = describe(result).split("\n")
    assert max(map(len, lines)) <= 72 and describe(result).startswith(numpy_table(result))
    assert "3.0" in lines[1] and lines[3].split()[-2:] == ["1.0", "1.0"]
    assert lines[-1].split()[-1] == "0.25" and lines[-2].split()[-1] == "0.50"

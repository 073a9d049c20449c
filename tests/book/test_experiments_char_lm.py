"""The experiments of "A character-level language model": the corpus and its split, the n-gram against a plain
counting implementation, the training loop against lstm_lib's train_truncated, held-out scoring, the features
and correlations, and the stored runs re-run exactly (a short slice always, a whole run when slow tests run)."""
import math
from collections import Counter

import numpy as np
import pytest

from lstm_book.experiments.char_lm import (
    LONG,
    RECIPE,
    cell_states,
    compare_run,
    correlations,
    features,
    load,
    load_corpus,
    load_long_model,
    lstm_bits,
    new_model,
    ngram_bits,
    ngram_log2probs,
    split_indices,
    streams,
    train_lm,
    unseen_fraction,
)
from lstm_lib.data import one_hot
from lstm_lib.lstm import lstm_forward
from lstm_lib.next_step import next_step_logits, train_truncated, zero_state


def test_corpus_is_fixed_and_split_in_order():
    text, vocab, idx, parts = load_corpus()
    assert len(text) == 464_970 and len(vocab) == 103 and text.startswith('The "assert" statement')
    assert parts == {"train": (0, 371_976), "valid": (371_976, 418_473), "test": (418_473, 464_970)}
    assert "".join(vocab[i] for i in idx[:22]) == text[:22]
    assert split_indices(10) == [(0, 8), (8, 9), (9, 10)]


def plain_ngram(seq, train_stop, t, order, V):
    """The interpolated absolute-discounting n-gram written with Counters, one position at a time."""
    p = 1.0 / V
    for n in range(1, order + 1):
        grams = Counter(tuple(seq[i - n + 1 : i + 1]) for i in range(n - 1, train_stop))
        n1 = sum(1 for c in grams.values() if c == 1)
        n2 = sum(1 for c in grams.values() if c == 2)
        D = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
        w = tuple(seq[t - n + 1 : t])
        after = {g[-1]: c for g, c in grams.items() if g[:-1] == w}
        n_w = sum(after.values())
        if n_w:
            p = (max(after.get(seq[t], 0) - D, 0) + D * len(after) * p) / n_w
    return math.log2(p)


def test_ngram_matches_plain_counting_and_sums_to_one():
    rng = np.random.default_rng(0)
    V = 5
    seq = rng.choice(V, size=600, p=[0.4, 0.3, 0.15, 0.1, 0.05])
    positions = np.arange(500, 600, 10)  # apart: changing one leaves the others' contexts
    for order in (1, 2, 3, 4):
        got = ngram_log2probs(seq, (0, 500), positions, order, V)
        want = [plain_ngram(list(seq), 500, t, order, V) for t in positions]
        np.testing.assert_allclose(got, want, rtol=1e-12)
        total = np.zeros(len(positions))
        for a in range(V):  # every possible next character at each position
            s = seq.copy()
            s[positions] = a
            total += 2 ** ngram_log2probs(s, (0, 500), positions, order, V)
        np.testing.assert_allclose(total, 1.0, rtol=1e-12)
    assert abs(ngram_bits(seq, (0, 500), (500, 600), 1, V)
               + np.mean(ngram_log2probs(seq, (0, 500), np.arange(500, 600), 1, V))) < 1e-12
    with pytest.raises(ValueError, match="positions must be >= order - 1"):
        ngram_log2probs(seq, (0, 500), np.array([1]), 3, V)


def test_unseen_fraction_counts_contexts_missing_from_training():
    seq = np.array([0, 1, 0, 1, 0, 1, 1, 1])  # train: 0 1 0 1 0 1; then the context (1, 1) appears
    assert unseen_fraction(seq, (0, 6), (6, 8), 3, 2) == 0.5  # (0, 1) seen before 1 at t=6, (1, 1) not at t=7


@pytest.mark.parametrize("carry_state", [True, False])
def test_train_lm_is_train_truncated_on_one_hot_streams(carry_state):
    _, vocab, idx, _ = load_corpus()
    part, V, B, k = (1000, 1000 + 8 * 41), len(vocab), 8, 10
    cols = streams(idx, part, B)  # (41, 8): 4 chunks of 10
    params, readout, losses = train_lm(idx, part, V, seed=3, hidden=6, n_streams=B, k=k, n_updates=4,
                                       carry_state=carry_state, dtype=np.float64)
    p0, r0 = new_model(V, 6, 3, np.float64)
    want_p, want_r, want_losses = train_truncated(one_hot(cols[:-1], V), cols[1:], p0, r0, k, 1, lr=RECIPE["lr"],
                                                  carry_state=carry_state)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12)
    for key in params:
        np.testing.assert_allclose(params[key], want_p[key], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(readout["weight"], want_r["weight"], rtol=1e-10, atol=1e-13)


def test_lstm_bits_carried_and_reset():
    _, vocab, idx, _ = load_corpus()
    V, part = len(vocab), (5000, 5000 + 4 * 30)
    params, readout = new_model(V, 5, 1, np.float64)
    params = {key: 3 * v for key, v in params.items()}  # a state that matters
    readout = {key: 3 * v for key, v in readout.items()}
    cols = streams(idx, part, 4)  # (30, 4)
    logits, _ = next_step_logits(one_hot(cols[:-1], V), zero_state(params, 4), params, readout)
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    want = -np.take_along_axis(logp, cols[1:, :, None], axis=-1).mean() / np.log(2)
    assert abs(lstm_bits(idx, part, params, readout, n_streams=4, chunk=7) - want) < 1e-12
    # reset every m characters: each window of m read from the zero state, one after the other
    seg = idx[part[0] : part[1]]
    for m in (1, 7, 30):
        nlls = []
        for a in range(0, len(seg) - 1, m):
            x = one_hot(seg[a : min(a + m, len(seg) - 1), None], V)
            lg, _ = next_step_logits(x, zero_state(params, 1), params, readout)
            lp = lg[:, 0] - np.log(np.exp(lg[:, 0]).sum(axis=-1, keepdims=True))
            nlls += list(-lp[np.arange(len(x)), seg[a + 1 : a + 1 + len(x)]])
        assert len(nlls) == len(seg) - 1
        assert abs(lstm_bits(idx, part, params, readout, reset_every=m) - np.mean(nlls) / np.log(2)) < 1e-12
    assert abs(lstm_bits(idx, part, params, readout, reset_every=1) - want) > 1e-3
    with pytest.raises(ValueError, match="reset_every"):
        lstm_bits(idx, part, params, readout, reset_every=0)


def test_features_cell_states_and_correlations():
    f = features('x = "a(b)"\n   f([1], 2)\n')
    assert f["in_quotes"].tolist()[:11] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]
    assert f["bracket_depth"][7] == 1 and f["bracket_depth"][16] == 2 and f["bracket_depth"][-1] == 0
    assert f["line_position"][10] == 0 and f["line_position"][13] == 3
    assert f["indentation"][14] == 3 and f["indentation"][12] == 2
    _, vocab, idx, _ = load_corpus()
    params, _ = new_model(len(vocab), 4, 0, np.float64)
    c, h = cell_states(idx[:50], params)
    hh, cc, _ = lstm_forward(one_hot(idx[:50, None], len(vocab)), np.zeros((1, 4)), np.zeros((1, 4)), params)
    np.testing.assert_allclose(c, cc[:, 0], rtol=1e-13)
    np.testing.assert_allclose(h, hh[:, 0], rtol=1e-13)
    rng = np.random.default_rng(0)
    acts, feat = rng.normal(size=(200, 3)), rng.normal(size=200)
    acts[:, 2] = 0  # a constant unit
    r = correlations(acts, {"f": feat})["f"]
    np.testing.assert_allclose(r[:2], [np.corrcoef(acts[:, j], feat)[0, 1] for j in range(2)], rtol=1e-12)
    assert r[2] == 0


def test_stored_runs_have_their_shape_and_the_long_run_beats_the_ngram():
    stored = load()
    assert stored["recipe"] == RECIPE and stored["long"] == LONG
    assert len(stored["compare"]) == 12 and len(stored["long_runs"]) == 2
    _, vocab, idx, parts = load_corpus()
    from lstm_book.experiments.char_lm import ngram_table

    table = ngram_table(idx, parts, len(vocab))
    ngram = table[min(table, key=lambda n: table[n][0])][1]
    assert all(r["test_bits"] < ngram for r in stored["long_runs"])


def test_the_first_slice_of_the_stored_long_run_is_reproduced_exactly():
    """The first 1 % of the stored long run (60 updates, H = 128): its mean training loss, as stored."""
    _, vocab, idx, parts = load_corpus()
    r = LONG
    n = r["n_updates"] // 100
    _, _, losses = train_lm(idx, parts["train"], len(vocab), 0, hidden=r["hidden"], n_streams=r["streams"],
                            k=r["k"], n_updates=n, lr=r["lr"], max_norm=r["max_norm"])
    assert round(float(losses.mean() / np.log(2)), 4) == load()["long_runs"][0]["curve"][0]


def test_the_shipped_weights_are_the_first_long_run():
    """results/char_lm_long_seed0.npz scores the stored run's held-out bits and holds its cells."""
    _, vocab, idx, parts = load_corpus()
    params, readout = load_long_model()
    assert params["weight_hh"].shape == (4 * LONG["hidden"], LONG["hidden"]) and params["weight_hh"].dtype == np.float32
    assert readout["weight"].shape == (len(vocab), LONG["hidden"])
    stored = load()["long_runs"][0]
    assert stored["seed"] == 0
    for part in ("valid", "test"):
        assert abs(lstm_bits(idx, parts[part], params, readout) - stored[f"{part}_bits"]) < 1e-9


@pytest.mark.slow
def test_one_comparison_run_is_reproduced_exactly():
    stored = [r for r in load()["compare"] if r["k"] == 64 and r["carry_state"] and r["seed"] == 0][0]
    result = compare_run(64, True, 0)
    for key in ("curve", "valid_bits", "test_bits", "test_bits_reset_k"):
        assert result[key] == stored[key]


def test_ngram_table_is_ngram_bits_of_each_order():
    from lstm_book.experiments.char_lm import ngram_table

    rng = np.random.default_rng(1)
    seq = rng.choice(4, size=900, p=[0.4, 0.3, 0.2, 0.1])
    parts = {"train": (0, 700), "valid": (700, 800), "test": (800, 900)}
    table = ngram_table(seq, parts, 4, max_order=5)
    for n in range(1, 6):
        assert abs(table[n][0] - ngram_bits(seq, (0, 700), (700, 800), n, 4)) < 1e-12
        assert abs(table[n][1] - ngram_bits(seq, (0, 700), (800, 900), n, 4)) < 1e-12

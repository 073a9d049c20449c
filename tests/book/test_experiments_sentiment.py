"""The measurements of "Sentiment and negation": the grammar and its label rule, the data
split, the bag-of-words ceiling, the model's gradients, and the stored seed sweep re-run
for seed 0 exactly."""
import json

import numpy as np
import pytest

from lstm_book.experiments.sentiment import (
    KINDS,
    N_TEST,
    N_TRAIN,
    RESULTS,
    TRACE,
    all_sentences,
    bag_ceiling,
    bag_of_words,
    baseline,
    encode,
    flat,
    init_model,
    make_data,
    model_loss_and_grads,
    run_seed,
    run_with_cell_set,
    tokenize,
    trace,
    vocabulary,
)
from lstm_lib.gradcheck import gradcheck


def label_of(words):
    """The label rule, written again from the docstring, independently of the grammar."""
    words = words[3:-1] if words[0] == "the" else words
    words = words[words.index("was") + 1:] if "was" in words else words
    polarity = {"good": 1, "great": 1, "enjoyable": 1, "fun": 1, "funny": 1, "moving": 1,
                "clever": 1, "bad": -1, "boring": -1, "dull": -1, "awful": -1, "slow": -1,
                "bland": -1, "silly": -1}

    def clause(ws):
        adj = [w for w in ws if w in polarity][0]
        return -polarity[adj] if ("not" in ws or "never" in ws) else polarity[adj]

    for conj in ("and", "but"):
        if conj in words:
            k = words.index(conj)
            a, b = clause(words[:k]), clause(words[k + 1:])
            return int(a > 0 and b > 0) if conj == "and" else int(b > 0)
    return int(clause(words) > 0)


def test_labels_follow_the_rule():
    pool = all_sentences()
    assert len(pool) == 302_848
    rng = np.random.default_rng(0)
    for i in rng.choice(len(pool), 3000, replace=False):
        words, label, kind, negated = pool[i]
        w = words[2:] if words[2] in ("was", "is") else words
        w = ["was"] + w[1:] if w[0] == "is" else w
        assert label == label_of(["was"] + w[1:-1]), words
        assert negated == any(x in ("not", "never") for x in words)
    traced = tokenize(TRACE)
    assert [s for s in pool if s[0] == traced][0][1] == 1


def test_data_split_is_seeded_disjoint_and_mixed():
    train, test = make_data(N_TRAIN, N_TEST, np.random.default_rng(0))
    again, _ = make_data(N_TRAIN, N_TEST, np.random.default_rng(0))
    assert train["words"] == again["words"]
    assert not {" ".join(w) for w in train["words"]} & {" ".join(w) for w in test["words"]}
    assert tokenize(TRACE) not in train["words"]
    kinds = np.concatenate([train["kind"], test["kind"]])
    assert [int((kinds == k).sum()) for k in KINDS] == [1126, 1687, 1687]


def test_the_same_bag_with_both_labels():
    vocab = vocabulary()
    a, b = tokenize("the movie was good and not boring."), tokenize(
        "the movie was not good and boring.")
    X = bag_of_words([a, b], vocab)
    assert np.array_equal(X[0], X[1]) and label_of(a[2:]) != label_of(b[2:])
    assert bag_ceiling(X, np.array([1, 0])) == (0.5, 1)


def test_model_gradients_by_finite_differences():
    rng = np.random.default_rng(3)
    vocab = vocabulary()
    model = init_model(len(vocab), 3, 4, rng)
    words = [tokenize("the movie was not at all boring."), tokenize("the plot is fun.")]
    ids, lengths = encode(words, vocab)
    labels = np.array([1, 1])
    _, grads = model_loss_and_grads(model, ids, lengths, labels)
    errors = gradcheck(lambda: model_loss_and_grads(model, ids, lengths, labels)[0],
                       flat(model), flat(grads))
    assert max(errors.values()) < 1e-6, errors


def test_stored_sweep_reruns_exactly():
    stored = json.loads(RESULTS.read_text())
    assert len(stored["runs"]) == 10
    assert run_seed(0) == stored["runs"][0]
    train, test = make_data(N_TRAIN, N_TEST, np.random.default_rng(0))
    assert baseline(train, test, vocabulary())[0] == pytest.approx(stored["baseline"],
                                                                   abs=0)


def test_setting_a_cell_to_its_own_value_changes_nothing():
    rng = np.random.default_rng(4)
    vocab = vocabulary()
    model = init_model(len(vocab), 3, 4, rng)
    words = tokenize(TRACE)
    tr = trace(model, words, vocab)
    same = run_with_cell_set(model, words, vocab, 6, 2, tr["c"][6, 2])
    np.testing.assert_allclose(same, tr["p"], rtol=0, atol=1e-14)
    moved = run_with_cell_set(model, words, vocab, 6, 2, tr["c"][6, 2] + 1.0)
    assert np.array_equal(moved[:7][:-1], tr["p"][:6]) and moved[6] != tr["p"][6]

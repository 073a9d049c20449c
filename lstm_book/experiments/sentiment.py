"""The measurements of "Sentiment and negation": a synthetic review grammar with negation
scopes, a bag-of-words baseline, and a word-level LSTM (embedding -> LSTM with lengths ->
readout at each sentence's last step) trained with numpy.

The grammar. A sentence is ``SUBJECT VERB CLAUSE .`` or ``SUBJECT VERB CLAUSE CONJ
CLAUSE .``. A clause is an adjective with a polarity (+1 positive, -1 negative), either
plain, optionally after an intensifier ("quite enjoyable"), or negated ("not good", "not
at all boring", "not bad at all", "never dull"). The label rule:

- a plain clause has its adjective's polarity; a negated clause the opposite one (the
  negation's scope is its own clause: it ends at "and", "but" or ".");
- "A and B": positive if both A and B are positive, negative otherwise (a review that
  says one bad thing is not a positive review);
- "A but B": A and B have opposite polarities (the grammar makes no others); the label is
  B's, the clause after "but".

Run ``python -m lstm_book.experiments.sentiment --store`` for the seed sweep stored in
results/sentiment_seeds.json.
"""
import argparse
import functools
import itertools
import json
import pathlib

import numpy as np

from lstm_lib.embedding import embedding_backward, embedding_forward, init_embedding
from lstm_lib.layers import (
    init_linear_params,
    linear_backward,
    linear_forward,
    softmax_cross_entropy,
)
from lstm_lib.lengths import last_step
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward, lstm_step
from lstm_lib.optim import Adam, clip_grad_norm

RESULTS = pathlib.Path(__file__).parent / "results" / "sentiment_seeds.json"

SUBJECTS = ["the movie", "the film", "the plot", "the acting", "the ending", "the story",
            "the music", "the script"]
VERBS = ["was", "is"]
POSITIVE = ["good", "great", "enjoyable", "fun", "funny", "moving", "clever"]
NEGATIVE = ["bad", "boring", "dull", "awful", "slow", "bland", "silly"]
INTENSIFIERS = ["", "quite", "very", "really"]
NEGATIONS = ["not {}", "not at all {}", "not {} at all", "never {}"]
NEGATION_WORDS = ("not", "never")
POLARITY = {**{w: 1 for w in POSITIVE}, **{w: -1 for w in NEGATIVE}}
KINDS = ("one clause", "and", "but")
TRACE = "The movie was not at all boring and quite enjoyable."
PAD = "<pad>"


def clauses():
    """Every clause of the grammar: [(words, polarity, negated)], plain ones first."""
    out = []
    for adj, pol in POLARITY.items():
        for inten in INTENSIFIERS:
            out.append(((inten + " " + adj).split(), pol, False))
        for form in NEGATIONS:
            out.append((form.format(adj).split(), -pol, True))
    return out


@functools.lru_cache(maxsize=1)
def all_sentences():
    """Every sentence of the grammar, as (words, label, kind, negated): label 1 positive,
    0 negative; kind one of KINDS; negated: a negation word occurs. 302,848 of them, built
    once per process (do not change the list)."""
    cl = clauses()
    out = []
    for subj, verb in itertools.product(SUBJECTS, VERBS):
        head = subj.split() + [verb]
        for words, pol, neg in cl:
            out.append((head + words + ["."], int(pol > 0), "one clause", neg))
        for (w1, p1, n1), (w2, p2, n2) in itertools.product(cl, cl):
            both = int(p1 > 0 and p2 > 0)  # "and": positive only if both clauses are
            out.append((head + w1 + ["and"] + w2 + ["."], both, "and", n1 or n2))
            if p1 != p2:  # "but" joins clauses of opposite polarity; the second counts
                out.append((head + w1 + ["but"] + w2 + ["."], int(p2 > 0), "but",
                            n1 or n2))
    return out


def tokenize(sentence):
    """'The movie was not good.' -> ['the', 'movie', 'was', 'not', 'good', '.']"""
    return sentence.lower().replace(".", " .").split()


def vocabulary():
    """The words of the grammar, id 0 the padding: {word: id}."""
    words = sorted({w for s in SUBJECTS for w in s.split()} | set(VERBS) | set(POLARITY)
                   | {w for i in INTENSIFIERS for w in i.split()}
                   | {w for f in NEGATIONS for w in f.format("").split()} | {"and", "but",
                                                                          "."})
    return {w: i for i, w in enumerate([PAD] + words)}


def make_data(n_train, n_test, rng):
    """Disjoint train and test sets drawn from the grammar: a third of each with one
    clause, 3/8 "and", 3/8 "but", the traced sentence kept out of training.
    Returns two dicts with "words" (list of lists), "label" (N,), "kind", "negated" (N,)."""
    pool = all_sentences()
    trace = tokenize(TRACE)
    by_kind = {k: [s for s in pool if s[2] == k and s[0] != trace] for k in KINDS}
    n = n_train + n_test
    n_each = [n - 2 * (3 * n // 8), 3 * n // 8, 3 * n // 8]
    chosen = []
    for k, n in zip(KINDS, n_each):
        idx = rng.choice(len(by_kind[k]), size=n, replace=False)
        chosen += [by_kind[k][i] for i in idx]
    order = rng.permutation(len(chosen))
    chosen = [chosen[i] for i in order]

    def pack(items):
        return {"words": [s[0] for s in items],
                "label": np.array([s[1] for s in items]),
                "kind": np.array([s[2] for s in items]),
                "negated": np.array([s[3] for s in items])}

    return pack(chosen[:n_train]), pack(chosen[n_train:])


def encode(words_list, vocab):
    """Word lists -> ids (T, B) padded with 0, and lengths (B,)."""
    lengths = np.array([len(w) for w in words_list])
    ids = np.zeros((lengths.max(), len(words_list)), dtype=np.int64)
    for b, words in enumerate(words_list):
        ids[: len(words), b] = [vocab[w] for w in words]
    return ids, lengths


# --- the baseline: bag-of-words logistic regression -------------------------------------


def bag_of_words(words_list, vocab):
    """Counts (N, V): how often each word occurs in each sentence (order discarded)."""
    X = np.zeros((len(words_list), len(vocab)))
    for n, words in enumerate(words_list):
        for w in words:
            X[n, vocab[w]] += 1
    return X


def train_logistic(X, y, n_steps=2000, lr=0.5, l2=1e-4):
    """Logistic regression by full-batch gradient descent on the mean cross-entropy plus
    l2/2 |w|^2: returns (w (V,), b)."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        g = p - y
        w -= lr * (X.T @ g / len(y) + l2 * w)
        b -= lr * g.mean()
    return w, b


def bag_ceiling(X, y):
    """The best accuracy any function of the bag of words can reach on (X, y): each
    distinct bag predicts its majority label. Returns (accuracy, number of bags that
    occur with both labels)."""
    groups = {}
    for row, label in zip(map(bytes, X.astype(np.int8)), y):
        groups.setdefault(row, []).append(label)
    right = sum(max(sum(v), len(v) - sum(v)) for v in groups.values())
    mixed = sum(0 < sum(v) < len(v) for v in groups.values())
    return right / len(y), mixed


# --- the model: embedding -> LSTM -> readout at the last step ---------------------------


def init_model(V, E, H, rng, forget_bias=1.0):
    """{"emb": (V, E), "lstm": params, "out": linear params (2, H)}."""
    return {"emb": init_embedding(V, E, rng),
            "lstm": init_lstm_params(E, H, rng, forget_bias=forget_bias),
            "out": init_linear_params(H, 2, rng)}


def model_forward(model, ids, lengths):
    """logits (B, 2) read at each sentence's last step, and the caches."""
    B, H = ids.shape[1], model["lstm"]["weight_hh"].shape[1]
    x, emb_cache = embedding_forward(ids, model["emb"])
    zeros = np.zeros((B, H))
    h, c, lstm_cache = lstm_forward(x, zeros, zeros, model["lstm"], lengths=lengths)
    h_last = last_step(h, lengths)
    logits, out_cache = linear_forward(h_last, model["out"])
    return logits, (emb_cache, lstm_cache, out_cache, h.shape, lengths)


def model_loss_and_grads(model, ids, lengths, labels):
    """Mean cross-entropy and the gradient of every parameter, keyed like model."""
    logits, (emb_cache, lstm_cache, out_cache, shape, lengths) = model_forward(
        model, ids, lengths)
    loss, dlogits = softmax_cross_entropy(logits, labels)
    dh_last, g_out = linear_backward(dlogits, out_cache)
    dh = np.zeros(shape)
    dh[np.asarray(lengths) - 1, np.arange(shape[1])] = dh_last  # h_n is h at L_b - 1
    dx, _, _, g_lstm = lstm_backward(dh, lstm_cache)
    return loss, {"emb": embedding_backward(dx, emb_cache), "lstm": g_lstm,
                  "out": g_out}


def flat(tree):
    """{"emb": W, "lstm": {...}, "out": {...}} -> {"emb": W, "lstm.weight_ih": ...}"""
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out


def predict(model, words_list, vocab, batch=500):
    """P(positive) (N,) for each sentence."""
    probs = []
    for s in range(0, len(words_list), batch):
        ids, lengths = encode(words_list[s: s + batch], vocab)
        logits, _ = model_forward(model, ids, lengths)
        z = logits[:, 1] - logits[:, 0]
        probs.append(1.0 / (1.0 + np.exp(-z)))
    return np.concatenate(probs)


def train_model(train, vocab, seed, E=8, H=8, n_updates=1500, batch_size=32, lr=1e-2,
                clip=1.0, callback=None):
    """Adam on mini-batches drawn at random from `train`; returns (model, losses)."""
    rng = np.random.default_rng(seed)
    model = init_model(len(vocab), E, H, rng)
    params = flat(model)  # views of the same arrays: updates reach model
    opt = Adam(params, lr=lr)
    losses = []
    N = len(train["label"])
    for n in range(1, n_updates + 1):
        idx = rng.choice(N, size=batch_size, replace=False)
        ids, lengths = encode([train["words"][i] for i in idx], vocab)
        loss, grads = model_loss_and_grads(model, ids, lengths, train["label"][idx])
        grads = flat(grads)
        clip_grad_norm(grads, clip)
        opt.step(grads)
        losses.append(loss)
        if callback is not None:
            callback(n, loss)
    return model, np.array(losses)


def accuracies(pred, data):
    """Accuracy overall, on negated sentences, and per kind: {name: fraction}."""
    right = (pred == data["label"])
    out = {"all": right.mean(), "negated": right[data["negated"]].mean(),
           "not negated": right[~data["negated"]].mean()}
    out |= {k: right[data["kind"] == k].mean() for k in KINDS}
    return {k: float(v) for k, v in out.items()}


# --- the trace: one sentence word by word ------------------------------------------------


def trace(model, words, vocab):
    """Run the trained model on one sentence, keeping every step: P(positive) read from
    h_t after each word (T,), and the gates i, f, g, o, the cell c and h, each (T, H)."""
    ids = np.array([[vocab[w]] for w in words])  # (T, 1)
    x, _ = embedding_forward(ids, model["emb"])
    H = model["lstm"]["weight_hh"].shape[1]
    zeros = np.zeros((1, H))
    h, c, cache = lstm_forward(x, zeros, zeros, model["lstm"])
    logits, _ = linear_forward(h[:, 0], model["out"])
    z = logits[:, 1] - logits[:, 0]
    gates = {k: np.stack([st[k][0] for st in cache["steps"]]) for k in ("i", "f", "g",
                                                                        "o")}
    return {"p": 1.0 / (1.0 + np.exp(-z)), "h": h[:, 0], "c": c[:, 0], **gates}


def run_with_cell_set(model, words, vocab, t_set, j, value):
    """P(positive) after each word (T,), with cell j's state replaced after word t_set:
    c_j <- value and h_j <- o_j tanh(value), the rest of the sentence run on from there.
    With value = the cell's own c at t_set this is `trace`'s p."""
    H = model["lstm"]["weight_hh"].shape[1]
    h, c, probs = np.zeros((1, H)), np.zeros((1, H)), []
    for t, w in enumerate(words):
        h, c, cache = lstm_step(model["emb"][[vocab[w]]], h, c, model["lstm"])
        if t == t_set:
            c, h = c.copy(), h.copy()
            c[0, j] = value
            h[0, j] = cache["o"][0, j] * np.tanh(value)  # h = o * tanh(c)
        logits, _ = linear_forward(h, model["out"])
        probs.append(1.0 / (1.0 + np.exp(logits[0, 0] - logits[0, 1])))
    return np.array(probs)


def unit_contributions(model, h_last):
    """Each unit's share of the final logit difference z = logit(pos) - logit(neg):
    (w_pos - w_neg)_j * h_j, (H,)."""
    w = model["out"]["weight"]
    return (w[1] - w[0]) * h_last


N_TRAIN, N_TEST = 3000, 1500


def baseline(train, test, vocab):
    """The bag-of-words logistic regression: its test accuracies and (w, b)."""
    w, b = train_logistic(bag_of_words(train["words"], vocab), train["label"])
    pred = (bag_of_words(test["words"], vocab) @ w + b > 0).astype(int)
    return accuracies(pred, test), (w, b)


def run_seed(seed, n_train=N_TRAIN, n_test=N_TEST, data_seed=0, **kw):
    """Train one model (seed) on the data of data_seed and measure: returns a dict of
    its test accuracies."""
    train, test = make_data(n_train, n_test, np.random.default_rng(data_seed))
    vocab = vocabulary()
    model, losses = train_model(train, vocab, seed, **kw)
    pred = (predict(model, test["words"], vocab) > 0.5).astype(int)
    return {"seed": seed, "lstm": accuracies(pred, test),
            "final_loss": float(losses[-100:].mean())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", action="store_true")
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args(argv)
    train, test = make_data(N_TRAIN, N_TEST, np.random.default_rng(0))
    base, _ = baseline(train, test, vocabulary())
    print("bag of words", {k: round(v, 4) for k, v in base.items()})
    rows = [run_seed(s) for s in range(args.seeds)]
    for r in rows:
        print(r["seed"], {k: round(v, 4) for k, v in r["lstm"].items()})
    if args.store:
        out = {"config": "run_seed defaults: E = H = 8, 1500 updates of 32, Adam 1e-2",
               "baseline": base, "runs": rows}
        RESULTS.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Checker for the chapter "A character-level language model": an add-alpha bigram
scored in bits per character.

The reader writes ``bigram_bits(train, test, V, alpha) -> float``: train and test are
integer arrays of character indices in [0, V); the model is

    p(b | a) = (N(a b) + alpha) / (N(a) + alpha V),

N(a b) the number of times b follows a in train and N(a) = sum_b N(a b) the number of
times a is followed by anything; the answer is the mean of -log2 p(test[t] | test[t-1])
over t = 1 .. len(test) - 1. `check_bigram_bits` compares with the right function on
three small problems and names the usual slips (natural log, a denominator without
alpha V, N(a) counting the last character, the first character scored, no context).
"""
import numpy as np

from .feedback import call_safely, is_number, not_callable, report


def _counts(train, V, count_last=False):
    pair = np.zeros((V, V))
    np.add.at(pair, (train[:-1], train[1:]), 1)
    ctx = pair.sum(axis=1)
    if count_last:
        ctx = np.bincount(train, minlength=V).astype(float)
    return pair, ctx


def _bits(train, test, V, alpha, slip=None):
    """The right answer, or one with a slip: "nats", "denominator", "count_last",
    "first", "unigram"."""
    pair, ctx = _counts(train, V, slip == "count_last")
    if slip == "unigram":
        uni = np.bincount(train, minlength=V)
        p = (uni[test[1:]] + alpha) / (len(train) + alpha * V)
        return float(-np.log2(p).mean())
    denom = ctx + (alpha if slip == "denominator" else alpha * V)
    p = (pair[test[:-1], test[1:]] + alpha) / denom[test[:-1]]
    if slip == "first":
        p = np.concatenate([[1.0 / V], p])
    logs = np.log(p) if slip == "nats" else np.log2(p)
    return float(-logs.mean())


def bigram_bits_solution(train, test, V, alpha):
    """The model answer: add-alpha bigram bits per character."""
    train, test = np.asarray(train), np.asarray(test)
    pair = np.zeros((V, V))
    np.add.at(pair, (train[:-1], train[1:]), 1)  # pair[a, b] = N(a b)
    p = (pair[test[:-1], test[1:]] + alpha) / (pair.sum(axis=1)[test[:-1]] + alpha * V)
    return float(-np.log2(p).mean())


MISTAKES = [
    ("nats", "The number is ln 2 = 0.693 times the right one: np.log counts nats. Bits "
             "per character need np.log2 (or divide by np.log(2))."),
    ("denominator", "The probabilities do not add up to 1: the denominator needs "
                    "alpha * V besides N(a), one alpha for each of the V characters "
                    "that could follow a."),
    ("count_last", "N(a) counts every a of train, also the last character, which "
                   "nothing follows: count N(a) as the sum of N(a b) over b."),
    ("first", "The first character of test has no character before it: score "
              "t = 1 .. len(test) - 1 only."),
    ("unigram", "This is the unigram: the probability of test[t] must depend on "
                "test[t - 1], the character before it (count pairs, not characters)."),
]


def _cases():
    rng = np.random.default_rng(12)
    cases = []
    for V, n_train, n_test, alpha in [(4, 60, 20, 1.0), (6, 200, 50, 0.5),
                                      (5, 80, 30, 0.1)]:
        train = rng.integers(0, V, size=n_train)
        train[train == V - 1] = 0  # character V - 1: only at the end of train, so
        train[-1] = V - 1  # nothing follows it there (N(a) = 0)
        cases.append((train, rng.integers(0, V, size=n_test), V, alpha))
    return cases


def check_bigram_bits(fn):
    """Check a reader's ``bigram_bits(train, test, V, alpha) -> bits per character``."""
    title = "bigram_bits"
    problem = not_callable(fn)
    if problem:
        return report(f"{title}: not yet", [problem], False)
    for n, (train, test, V, alpha) in enumerate(_cases(), 1):
        where = f"Case {n} (V = {V}, alpha = {alpha}):"
        expected = _bits(train, test, V, alpha)
        result, error = call_safely(fn, train.copy(), test.copy(), V, alpha)
        if error:
            return report(f"{title}: not yet", [f"{where} bigram_bits raised {error}"],
                          False)
        if result is None:
            return report(f"{title}: not yet", [f"{where} bigram_bits returned None. "
                                                "Did you forget the `return`?"], False)
        if isinstance(result, np.ndarray) and result.size == 1:
            result = result.item()
        if not is_number(result):
            return report(f"{title}: not yet", [f"{where} bigram_bits returned a "
                                                f"{type(result).__name__}; return one "
                                                "number, the mean bits per character."],
                          False)
        if not np.isfinite(result):
            return report(f"{title}: not yet", [f"{where} the result is {result}. A "
                                                "pair never seen in train still needs "
                                                "a probability above 0: add alpha."],
                          False)
        if abs(result - expected) <= 1e-9 * max(1.0, abs(expected)):
            continue
        hints = [hint for slip, hint in MISTAKES
                 if abs(result - _bits(train, test, V, alpha, slip)) <= 1e-9]
        return report(f"{title}: not yet", [
            f"{where} got {result:.4f} bits per character, expected {expected:.4f}.",
            *(hints or ["No common slip matches; compare your code with the formula "
                        "term by term."])], False)
    return report(f"{title}: right", ["All 3 cases match: add-alpha bigram bits per "
                                      "character."], True)

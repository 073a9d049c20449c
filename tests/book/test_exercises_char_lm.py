"""The checker of "A character-level language model" accepts a right bigram_bits and names each usual slip."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.char_lm import MISTAKES, bigram_bits_solution, check_bigram_bits

HINTS = dict(MISTAKES)


def good_loop(train, test, V, alpha):
    pair = [[0] * V for _ in range(V)]
    for a, b in zip(train[:-1], train[1:]):
        pair[a][b] += 1
    bits = [-np.log2((pair[a][b] + alpha) / (sum(pair[a]) + alpha * V)) for a, b in zip(test[:-1], test[1:])]
    return sum(bits) / len(bits)


def nats(train, test, V, alpha):
    return bigram_bits_solution(train, test, V, alpha) * np.log(2)


def denominator(train, test, V, alpha):
    pair = np.zeros((V, V))
    np.add.at(pair, (train[:-1], train[1:]), 1)
    p = (pair[test[:-1], test[1:]] + alpha) / (pair.sum(axis=1)[test[:-1]] + alpha)  # the slip: alpha, not alpha V
    return float(-np.log2(p).mean())


def count_last(train, test, V, alpha):
    pair = np.zeros((V, V))
    np.add.at(pair, (train[:-1], train[1:]), 1)
    n_a = np.bincount(train, minlength=V)  # the slip: the last character counted too
    p = (pair[test[:-1], test[1:]] + alpha) / (n_a[test[:-1]] + alpha * V)
    return float(-np.log2(p).mean())


def first(train, test, V, alpha):
    n = len(test) - 1
    return (bigram_bits_solution(train, test, V, alpha) * n + np.log2(V)) / (n + 1)  # test[0] scored 1/V


def unigram(train, test, V, alpha):
    uni = np.bincount(train, minlength=V)
    return float(-np.log2((uni[test[1:]] + alpha) / (len(train) + alpha * V)).mean())


def no_smoothing(train, test, V, alpha):
    return bigram_bits_solution(train, test, V, 0.0)


@pytest.mark.parametrize("answer", [bigram_bits_solution, good_loop, lambda *a: np.array(bigram_bits_solution(*a))])
def test_right_answers_pass(answer, capsys):
    verdict, out = run(check_bigram_bits, answer, capsys)
    assert verdict and "✓ bigram_bits: right" in out


@pytest.mark.parametrize("answer,slip", [
    (nats, "nats"), (denominator, "denominator"), (count_last, "count_last"), (first, "first"), (unigram, "unigram"),
])
def test_each_slip_gets_its_hint(answer, slip, capsys):
    verdict, out = run(check_bigram_bits, answer, capsys)
    assert not verdict
    flat = out.replace("\n     ", " ")
    assert HINTS[slip].split(":")[0][:40] in flat
    others = [h for s, h in MISTAKES if s != slip]
    assert not any(h.split(":")[0][:40] in flat for h in others)


def test_no_smoothing_wrong_values_none_and_errors_are_explained(capsys):
    with np.errstate(divide="ignore", invalid="ignore"):
        verdict, out = run(check_bigram_bits, no_smoothing, capsys)
    assert not verdict and "add alpha" in out
    verdict, out = run(check_bigram_bits, lambda *a: bigram_bits_solution(*a) + 0.1, capsys)
    assert not verdict and "No common slip matches" in out
    verdict, out = run(check_bigram_bits, raising, capsys)
    assert not verdict and "○ bigram_bits: waiting for your code" in out
    verdict, out = run(check_bigram_bits, returns_none, capsys)
    assert not verdict and "returned None" in out
    verdict, out = run(check_bigram_bits, lambda *a: 1 / 0, capsys)
    assert not verdict and "ZeroDivisionError" in out
    verdict, out = run(check_bigram_bits, lambda *a: "bits", capsys)
    assert not verdict and "return one number" in out
    verdict, out = run(check_bigram_bits, 3.0, capsys)
    assert not verdict and "Expected a function" in out

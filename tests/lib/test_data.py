"""Tests of lstm_lib.data: text and series to arrays, and the accuracy bound of a fixed window."""
import numpy as np
import pytest
import torch

from lstm_lib.data import (
    accuracy_bound,
    context_table,
    decode,
    encode,
    lookup_predictor,
    make_vocab,
    next_char_windows,
    one_hot,
    sliding_windows,
)


def test_vocab_encode_decode_round_trip():
    text = "hello world"
    vocab = make_vocab(text)
    assert vocab == sorted(set(text))
    idx = encode(text, vocab)
    assert idx.dtype == np.int64 and idx.shape == (len(text),)
    assert decode(idx, vocab) == text


def test_encode_rejects_unknown_characters():
    with pytest.raises(ValueError, match="not in vocab"):
        encode("hex", make_vocab("hello"))


@pytest.mark.parametrize("bad", ["", None, 3])
def test_make_vocab_rejects_non_text(bad):
    with pytest.raises(ValueError, match="text"):
        make_vocab(bad)


def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 1], [4, 4]])  # (T, B) = (3, 2)
    x = one_hot(idx, 5)
    assert x.shape == (3, 2, 5) and x.dtype == np.float64
    ref = torch.nn.functional.one_hot(torch.from_numpy(idx), 5).double().numpy()
    np.testing.assert_array_equal(x, ref)


@pytest.mark.parametrize("idx, size, match", [
    (np.array([0.0, 1.0]), 3, "integers"),
    (np.array([0, 3]), 3, r"\[0, 2\]"),
    (np.array([-1, 0]), 3, r"\[0, 2\]"),
    (np.array([0, 1]), 0, "vocab_size"),
])
def test_one_hot_rejects_bad_input(idx, size, match):
    with pytest.raises(ValueError, match=match):
        one_hot(idx, size)


def test_sliding_windows_time_major():
    x = sliding_windows(np.arange(7.0), T=3, stride=2)
    assert x.shape == (3, 3, 1)
    np.testing.assert_array_equal(x[:, :, 0], [[0, 2, 4], [1, 3, 5], [2, 4, 6]])  # column b is window b


def test_sliding_windows_keeps_features():
    rng = np.random.default_rng(0)
    series = rng.normal(size=(10, 3))
    x = sliding_windows(series, T=4)
    assert x.shape == (4, 7, 3)
    for b in range(7):
        np.testing.assert_array_equal(x[:, b], series[b:b + 4])


@pytest.mark.parametrize("series, T, stride, match", [
    (np.arange(5), 2, 1, "series"),  # integers
    (np.zeros((2, 2, 2)), 1, 1, "series"),
    (np.zeros(5), 6, 1, "T"),
    (np.zeros(5), 0, 1, "T"),
    (np.zeros(5), 2, 0, "stride"),
    (np.zeros(5), 2.0, 1, "T"),
])
def test_sliding_windows_rejects_bad_input(series, T, stride, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(series, T, stride)


def test_next_char_windows_loop_and_plain():
    contexts, targets = next_char_windows("abcd", 2)
    assert contexts == ["cd", "da", "ab", "bc"] and targets == "abcd"
    contexts, targets = next_char_windows("abcd", 2, loop=False)
    assert contexts == ["ab", "bc"] and targets == "cd"
    contexts, _ = next_char_windows("ab", 5)  # longer than the text: wraps several times
    assert contexts == ["babab", "ababa"]
    assert next_char_windows("abc", 0)[0] == ["", "", ""]


@pytest.mark.parametrize("k, loop", [(-1, True), (1.5, True), (4, False), (True, True)])
def test_next_char_windows_rejects_bad_k(k, loop):
    with pytest.raises(ValueError, match="k must be"):
        next_char_windows("abcd", k, loop=loop)


def test_context_table_and_lookup():
    contexts, targets = ["a", "b", "a", "a"], "xyzx"
    assert context_table(contexts, targets) == {"a": {"x": 2, "z": 1}, "b": {"y": 1}}
    assert lookup_predictor(contexts, targets) == {"a": "x", "b": "y"}
    assert lookup_predictor(["a", "a"], "zx") == {"a": "z"}  # a tie goes to the target seen first
    with pytest.raises(ValueError, match="equal length"):
        context_table(["a"], "xy")


def test_accuracy_bound_is_the_lookup_accuracy_and_an_upper_bound():
    text = "the cat sat on the mat. the dog sat on the log. "
    rng = np.random.default_rng(0)
    for k in range(6):
        contexts, targets = next_char_windows(text, k)
        bound = accuracy_bound(contexts, targets)
        table = lookup_predictor(contexts, targets)
        assert bound == np.mean([table[c] == a for c, a in zip(contexts, targets)])
        for _ in range(20):  # no other function of the context does better
            guess = {c: rng.choice(list(text)) for c in table}
            assert np.mean([guess[c] == a for c, a in zip(contexts, targets)]) <= bound


def test_accuracy_bound_rises_to_one():
    bounds = [accuracy_bound(*next_char_windows("mississippi ", k)) for k in range(7)]
    assert bounds[0] == pytest.approx(4 / 12)  # no context: always guess the commonest character
    assert all(a <= b for a, b in zip(bounds, bounds[1:]))  # a longer window never hurts on a loop
    assert bounds[4] < 1.0 and bounds[5] == 1.0

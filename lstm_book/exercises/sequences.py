"""Checkers for the chapter "Sequences and state".

Two exercises: turn a batch of strings into a time-major one-hot array (`check_to_time_major_one_hot`),
and find with a slider the smallest window for which a lookup predictor is perfect (`check_window_size`,
with `window_size_feedback` as the slider's verdict; `smallest_perfect_window` is the verdict's ground truth).
"""
import itertools

import numpy as np

from lstm_lib.data import accuracy_bound, context_table, encode, make_vocab, next_char_windows, one_hot

from .feedback import as_result_array, call_safely, is_count, not_callable, report, verdict_html

# --- Exercise: a batch of strings as a time-major one-hot array -------------------------------------


def _reference(texts, vocab):
    indices = np.stack([encode(s, vocab) for s in texts], axis=1)  # (T, B)
    return one_hot(indices, len(vocab))  # (T, B, V)


def _cases():
    # T, B and V differ in the first two cases, so a shape alone tells which axes were swapped; the
    # vocabularies hold characters the texts do not use, so a vocabulary built from the texts shows.
    return [
        (["cat", "sat", "mat", "hat"], make_vocab("the cat sat on the mat.")),  # T=3, B=4, V=11
        (["mississippi"], make_vocab("mississippi ")),  # T=11, B=1, V=5
        (["abba", "baab"], ["b", "d", "a", "c"]),  # T=4, B=2, V=4; not sorted, so sorting it shows
    ]


def _letters(shape, T, B, V):
    """Name each axis of a permutation of (T, B, V) by its letter, e.g. (4, 3, 11) -> '(B, T, V)'."""
    names = {T: "T", B: "B", V: "V"}
    return "(" + ", ".join(names[s] for s in shape) + ")"


def _shape_hint(shape, texts, vocab, T, B, V):
    """A sentence naming the slip that gives this wrong shape (None if none matches)."""
    if shape == (B, T, V):
        return ("Your array is batch-major (B, T, V): axis 0 runs over the texts. Time must come first: "
                "stack the index rows with np.stack(..., axis=1), or swap axes with x.transpose(1, 0, 2).")
    if shape == (T, B):
        return ("Your array holds the character indices (T, B), not one-hot vectors: "
                "turn each index i into a vector of V zeros with a 1 at position i (lstm_lib.data.one_hot).")
    if shape == (B, T):
        return ("Your array holds the character indices, and batch-major (B, T): "
                "make the time axis first, then turn each index into a one-hot vector of size V.")
    if len({T, B, V}) == 3 and sorted(shape) == sorted((T, B, V)):
        order = _letters(shape, T, B, V)
        extra = " (x.T reverses all three axes)" if order == "(V, B, T)" else ""
        return f"Your axes are in the order {order}{extra}; the book's convention is (T, B, V)."
    if len(shape) == 3 and shape[:2] == (T, B):
        own = len(make_vocab("".join(texts)))
        if shape[2] == own and own != V:
            return (f"The last axis has {own} entries, the number of distinct characters in texts, but vocab has "
                    f"V = {V}: use the vocab you are given (it may hold characters these texts do not use).")
        if shape[2] == V + 1:
            return ("The last axis has V + 1 entries: one too many. Indices run from 0 to V - 1, "
                    "so np.eye(len(vocab)) is the right identity (not len(vocab) + 1).")
        if shape[2] == V - 1:
            return "The last axis has V - 1 entries: one too few. It needs one position per character of vocab."
    return None


def _column_map(arr, texts):
    """{character: set of columns holding its 1}, or None if arr is not made of one-hot vectors."""
    if not (np.all((arr == 0) | (arr == 1)) and np.all(arr.sum(axis=-1) == 1)):
        return None
    columns = {}
    for b, s in enumerate(texts):
        for t, ch in enumerate(s):
            columns.setdefault(ch, set()).add(int(np.argmax(arr[t, b])))
    return columns


def _value_hint(arr, texts, vocab):
    """A sentence naming the slip behind right-shaped but wrong values."""
    T, B, V = arr.shape
    ref = _reference(texts, vocab)
    if np.array_equal(arr, ref.transpose(1, 0, 2).reshape(T, B, V)):
        return ("It looks like a batch-major (B, T, V) array reshaped to (T, B, V). reshape keeps the memory order "
                "and does not swap axes: use x.transpose(1, 0, 2) or np.stack(..., axis=1).")
    idx = np.stack([encode(s, vocab) for s in texts], axis=1)  # (T, B)
    for shift, where in ((1, "right"), (-1, "left")):
        if np.array_equal(arr, np.eye(V + 2)[idx + 1 + shift][..., 1:V + 1]) or \
                np.array_equal(arr, one_hot((idx + shift) % V, V)):
            return (f"Every 1 sits one position too far to the {where}: the index of vocab[i] is i, "
                    "counted from 0 (an off-by-one in the index).")
    columns = _column_map(arr, texts)
    if columns is None:
        sums = arr.sum(axis=-1)
        t, b = np.argwhere(sums != 1)[0] if np.any(sums != 1) else np.argwhere(~np.isin(arr, (0, 1)))[0][:2]
        return (f"Each vector x[t, b] must hold V - 1 zeros and a single 1; x[{t}, {b}] = {np.round(arr[t, b], 4)} "
                "does not.")
    if np.array_equal(arr, ref[::-1]):
        return ("Your steps run backwards in time: x[0] must hold the first character of every text, "
                "x[T - 1] the last.")
    order = [b if np.array_equal(arr[:, b], ref[:, b]) else
             next((c for c in range(B) if np.array_equal(arr[:, b], ref[:, c])), None) for b in range(B)]
    if None not in order:  # every sequence is one of the texts, some in the wrong place
        b = next(b for b in range(B) if order[b] != b)
        return (f"x[:, {b}] holds texts[{order[b]}] = {texts[order[b]]!r}, but sequence b must be texts[b] = "
                f"{texts[b]!r}: keep the texts in the order they are given.")
    chars = np.array([list(s) for s in texts]).T  # (T, B)
    found = np.searchsorted(np.array(vocab), chars)
    if list(vocab) != sorted(vocab) and np.all(found < V) and np.array_equal(arr, np.eye(V)[found]):
        return ("np.searchsorted looks a character up by bisection, which assumes a sorted array, and this "
                "vocab is not sorted: column i must stand for vocab[i], in the order given. "
                "Use vocab.index(ch), or a dict {ch: i for i, ch in enumerate(vocab)}.")
    if list(vocab) != sorted(vocab) and np.array_equal(arr, _reference(texts, sorted(vocab))):
        return ("Your columns follow the vocab sorted (sorted(vocab), np.unique or np.searchsorted, which "
                "assumes a sorted array), but this vocab is not sorted: column i must stand for vocab[i], "
                "in the order given. Use vocab.index(ch), or a dict {ch: i for i, ch in enumerate(vocab)}.")
    if all(len(cols) == 1 for cols in columns.values()):  # one column per character, but the wrong one
        ch, col = next((ch, cols.pop()) for ch, cols in columns.items() if cols != {vocab.index(ch)})
        return (f"The character {ch!r} has its 1 in column {col}, but vocab puts it at index {vocab.index(ch)}: "
                "column i must stand for vocab[i], in the order of the vocab you are given.")
    t, b = np.argwhere(np.any(arr != ref, axis=-1))[0]
    ch = texts[b][t]
    return (f"x[{t}, {b}] must be the one-hot vector of texts[{b}][{t}] = {ch!r}, with its 1 at index "
            f"{vocab.index(ch)}; yours has it at index {int(np.argmax(arr[t, b]))}.")


def check_to_time_major_one_hot(fn):
    """Check a reader's ``to_time_major_one_hot(texts, vocab) -> x (T, B, V)``; print feedback, return a Verdict."""
    passed, messages = _check_one_hot(fn)
    return report("to_time_major_one_hot: " + ("correct" if passed else "not yet"), messages, passed)


def _check_one_hot(fn):
    what = "your to_time_major_one_hot"
    if not callable(fn):
        return False, [not_callable(fn)]
    cases = _cases()
    for n, (texts, vocab) in enumerate(cases, 1):
        expected = _reference(texts, vocab)
        T, B, V = expected.shape
        inputs = f"The inputs were texts={texts!r} (B = {B}, T = {T}) and a vocab of V = {V} characters."
        result, error = call_safely(fn, list(texts), list(vocab))
        if error:
            return False, [f"Case {n}: {what} raised {error}", inputs]
        arr, problem = as_result_array(result, what)
        if problem:
            return False, [f"Case {n}: {problem}"]
        if arr.shape != expected.shape:
            hint = _shape_hint(arr.shape, texts, vocab, T, B, V)
            return False, [f"Case {n}: {what} returned shape {arr.shape}; expected (T, B, V) = {expected.shape}.",
                           hint or inputs]
        if not np.array_equal(arr, expected):
            hint = _value_hint(arr, texts, vocab)
            return False, [f"Case {n}: the shape (T, B, V) is right but some vectors are not.",
                           hint or "No common slip matches: x[t, b] must be the one-hot vector of texts[b][t]."]
        dtype = np.asarray(result).dtype
        if dtype != np.float64:
            return False, [f"Case {n}: the values are right but the dtype is {dtype}. Return float64 "
                           "(np.eye(V) is float64 already; or call .astype(np.float64)): the network multiplies "
                           "these vectors by float weights, and the book's checks use float64."]
    return True, [f"All {len(cases)} cases match: x[t, b] is the one-hot vector of texts[b][t], in float64."]


# --- Slider exercise: the smallest window a lookup predictor needs -----------------------------------

EXERCISE_TEXT = "mississippi "
WINDOW_SIZES = list(range(0, 9))  # the slider's values


def smallest_perfect_window(text):
    """The smallest k for which a k-character lookup predictor is right everywhere on `text` read as a loop."""
    for k in itertools.count():
        if accuracy_bound(*next_char_windows(text, k)) == 1.0:
            return k
        if k > len(text):  # a periodic text of period len(text) is determined by len(text) characters
            raise ValueError(f"text {text!r} never becomes predictable")


def _ambiguous(text, k):
    """The first context of length k followed by more than one character, and those characters."""
    for ctx, counts in context_table(*next_char_windows(text, k)).items():
        if len(counts) > 1:
            return ctx, list(counts)
    return None, []


def _either(chars):
    """'a' -> "'a'"; 'a', 'b', 'c' -> "'a', 'b' or 'c'"."""
    quoted = [repr(c) for c in chars]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _window_verdict(k, text=EXERCISE_TEXT):
    """(passed, message) for the answer k."""
    if not is_count(k):
        return False, f"k is a number of characters, a whole number such as 3; got {k!r}."
    if k < 0:
        return False, f"A window holds zero or more characters; got k = {k}."
    best = smallest_perfect_window(text)
    n = len(text)
    right = round(accuracy_bound(*next_char_windows(text, k)) * n)
    if k < best:
        ctx, nxt = _ambiguous(text, k)
        sees = "no context at all" if k == 0 else f"only the context {ctx!r}"
        return False, (f"Not yet: with k = {k} the best lookup table is right on {right} of {n} positions. "
                       f"The next character can be {_either(nxt)}, and a predictor that sees {sees} "
                       "must give the same answer every time.")
    if k > best:
        return False, (f"A window of k = {k} is perfect ({right} of {n}), but a smaller window is perfect too. "
                       "Find the smallest.")
    ctx, nxt = _ambiguous(text, k - 1)
    return True, (f"Right: k = {k} is the smallest perfect window. Every context of {k} characters has a single "
                  f"continuation, while with {k - 1} the context {ctx!r} is still followed by {_either(nxt)}.")


def check_window_size(k):
    """Check the answer k to "the smallest window for which a lookup predictor is perfect"; print feedback."""
    passed, message = _window_verdict(k)
    return report(f"window size k = {k!r}: " + ("correct" if passed else "not yet"), [message], passed)


def window_size_feedback(k):
    """The verdict on k as an HTML snippet, shown under the slider's figure in the page."""
    passed, message = _window_verdict(k)
    return verdict_html(passed, [message])

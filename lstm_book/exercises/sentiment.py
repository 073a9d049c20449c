"""Checkers for the chapter "Sentiment and negation".

A code exercise: ``embedding_grad(ids, dx, V) -> (V, E)``, the gradient of an embedding
table, a scatter-add (`check_embedding_grad`, reference
`lstm_lib.embedding.embedding_backward`); every test case repeats some word, so that an
answer which counts a repeated word once cannot pass. A slider exercise on the trace of
the trained model: the word from which on the predicted sentiment stays positive to the
end of the sentence (`check_turning_word`, with `turning_word_feedback` as the slider's
verdict), read from the probabilities passed in.
"""
import numpy as np

from lstm_lib.embedding import embedding_backward, embedding_forward

from .feedback import compare_to_reference, error_hints, leaves_inputs_alone, report, slider_checkers

# --- exercise 1: the gradient of the embedding table --------------------------------------


def reference_embedding_grad(ids, dx, V):
    """dW (V, E): dx[t, b] added into row ids[t, b], for every position."""
    _, cache = embedding_forward(ids, np.zeros((V, dx.shape[-1])))
    return embedding_backward(dx, cache)


def _buffered(ids, dx, V):  # dW[ids] += dx: numpy writes each repeated row once
    out = np.zeros((V, dx.shape[-1]))
    out[ids] += dx
    return out


def _mean_per_word(ids, dx, V):
    out = reference_embedding_grad(ids, dx, V)
    counts = np.bincount(np.asarray(ids).ravel(), minlength=V)
    return out / np.maximum(counts, 1)[:, None]


# (wrong version, what that slip looks like in words); each takes (ids, dx, V)
GRAD_MISTAKES = [
    (_buffered,
     "A word that occurs more than once got the gradient of one occurrence only. "
     "dW[ids] += dx (or dW[ids] = dx) writes each repeated row once: numpy buffers the "
     "fancy-indexed update. Use np.add.at(dW, ids.ravel(), dx.reshape(-1, E)), or a loop "
     "over the positions."),
    (lambda ids, dx, V: np.broadcast_to(dx.sum(axis=(0, 1)), (V, dx.shape[-1])),
     "Every row got the sum over all positions: row v must collect only the positions "
     "where the word v stands (ids[t, b] == v)."),
    (_mean_per_word,
     "A repeated word got the mean of its gradients; the forward pass used the row at "
     "each of its positions, so its gradient is their sum."),
    (lambda ids, dx, V: np.zeros((V, dx.shape[-1])),
     "All zeros: nothing was added into dW."),
]

GRAD_ERROR_HINTS = [
    (("could not be broadcast", "shape mismatch"),
     "ids is (T, B) and dx (T, B, E): flatten both to the N = T * B positions, "
     "ids.ravel() (N,) and dx.reshape(-1, E) (N, E), before adding."),
    (("out of bounds",),
     "An index is out of range: dW has V rows, one per word; index it with the word ids."),
]


def grad_cases():
    """(ids (T, B), dx (T, B, E), V): small batches, each with repeated words and words
    that do not occur."""
    rng = np.random.default_rng(1313)
    cases = []
    for T, B, E, V in [(3, 2, 2, 5), (4, 3, 3, 6), (5, 1, 2, 4)]:
        ids = rng.integers(0, V - 1, size=(T, B))  # word V - 1 never occurs
        ids[0, 0] = ids[-1, -1] = 1  # word 1 at least twice
        cases.append((ids, rng.normal(size=(T, B, E)), V))
    return cases


def check_embedding_grad(fn):
    """Check a reader's ``embedding_grad(ids, dx, V) -> (V, E)`` against
    `lstm_lib.embedding.embedding_backward`."""
    cases = grad_cases()
    passed, messages = compare_to_reference(
        fn, reference_embedding_grad, cases, GRAD_MISTAKES, what="your embedding_grad",
        expected_letters="(V, E)", arg_names=("ids", "dx", "V"), atol=1e-12)
    messages += error_hints(messages, GRAD_ERROR_HINTS)
    passed, messages = leaves_inputs_alone(fn, passed, messages, grad_cases(), ("ids", "dx", "V"),
                                           "embedding_grad")
    return report("embedding_grad: " + ("correct" if passed else "not yet"), messages,
                  passed)


# --- exercise 2 (slider): where the prediction turns positive for good -------------------


def turning_word(probs):
    """The first position t from which P(positive) stays above 0.5 to the end of the
    sentence (None if it ends at or below 0.5)."""
    probs = np.asarray(probs)
    if probs[-1] <= 0.5:
        return None
    below = np.flatnonzero(probs <= 0.5)
    return int(below[-1] + 1) if below.size else 0


def _turning_verdict(t, words, probs):
    words, probs = list(words), np.asarray(probs, dtype=float)
    if len(words) != len(probs):
        raise ValueError(f"words ({len(words)}) and probs ({len(probs)}) differ in length")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) \
            or not 0 <= t < len(words):
        return False, [f"t should be a word's position, an integer in [0, {len(words) - 1}] "
                       f"(the slider's value), got {t!r}."]
    here = f"After word {t}, {words[t]!r}, P(positive) = {probs[t]:.2f}"
    target = turning_word(probs)
    if target is None:
        return False, [here + "; the sentence ends at or below 0.5, so it never turns "
                       "positive for good."]
    if t == target:
        return True, [here + ": above 0.5 from here to the end, and not after the word "
                      "before."]
    if probs[t] <= 0.5:
        return False, [here + ": not above 0.5 yet. Go further."]
    if t > target:
        return False, [here + ", but it was above 0.5 from an earlier word on: go back."]
    dip = int(np.flatnonzero(probs[t:] <= 0.5)[0]) + t
    return False, [here + f", but it falls to {probs[dip]:.2f} again after word {dip}, "
                   f"{words[dip]!r}: go further."]


def turning_verdict(t, words, probs):
    """(passed, messages): is t the first position from which P(positive) stays above
    0.5 to the end? words: the sentence's words; probs: P(positive) after each."""
    try:
        return _turning_verdict(t, words, probs)
    except Exception as exc:  # malformed arguments become feedback, not a crash
        return False, [f"The check could not read its arguments: {type(exc).__name__}: "
                       f"{exc}"]


check_turning_word, turning_word_feedback = slider_checkers(
    "turning word", turning_verdict,
    "Print whether t is the first position from which the predicted sentiment stays "
    "positive (above 0.5) to the end of the sentence.")

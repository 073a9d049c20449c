"""Checkers for the chapter "The RNN's tasks, again".

Two exercises: write the score of the class tasks, ``accuracy(logits, labels)``
(`check_accuracy`), and find, with a slider over the stored sweep, the longest sequence
length at which a network still beats the no-memory baseline by 20 points
(`check_longest`, with `longest_feedback` as the slider's verdict). The second reads the
sweep passed in as arguments, so the check follows whatever numbers the sweep holds.
"""
import numpy as np

from .feedback import (
    as_result_array,
    call_safely,
    error_hints,
    is_number,
    longest_length_verdict,
    not_callable,
    report,
    slider_checkers,
)

MARGIN = 0.20  # the slider exercise: beat the baseline by 20 percentage points

# --- exercise 1: the accuracy of class predictions ----------------------------------------


def reference_accuracy(logits, labels):
    """The fraction, in [0, 1], of rows of logits (N, V) whose largest entry is at the
    index labels (N,) names."""
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(labels)))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# (wrong version, what that slip looks like in words); each takes (logits, labels)
ACCURACY_MISTAKES = [
    (lambda z, y: np.mean(np.argmax(z, axis=0) == y),
     "np.argmax(logits, axis=0) picks, for each class, the sequence with the largest\n"
     "logit. The prediction of a sequence is the class with its largest logit: take\n"
     "argmax over axis 1, the classes."),
    (lambda z, y: np.mean(np.argmax(z) == y),
     "np.argmax(logits) without an axis returns one index into the flattened array, not\n"
     "one class per sequence: use np.argmax(logits, axis=1)."),
    (lambda z, y: np.mean(np.max(z, axis=1) == y),
     "This compares the largest logit's *value* with the label. The prediction is its\n"
     "*position*, the class index: np.argmax(logits, axis=1)."),
    (lambda z, y: np.mean(np.argmin(z, axis=1) == y),
     "argmin picks the least likely class: the prediction is the class with the largest\n"
     "logit, np.argmax."),
    (lambda z, y: 100 * np.mean(np.argmax(z, axis=1) == y),
     "This is a percentage: return the fraction, a number between 0 and 1."),
    (lambda z, y: np.sum(np.argmax(z, axis=1) == y),
     "This counts the right predictions: divide by the number of sequences (np.mean)."),
    (lambda z, y: 1 - np.mean(np.argmax(z, axis=1) == y),
     "This is the error rate, the fraction of *wrong* predictions."),
    (lambda z, y: np.mean(_softmax(z)[np.arange(len(y)), y]),
     "This is the mean probability the softmax gives the right class, not the accuracy:\n"
     "a prediction counts as right when the right class has the *largest* logit."),
    (lambda z, y: np.mean(np.argmax(z, axis=1) + 1 == y),
     "The predicted classes are shifted by one: argmax already counts from 0, like the\n"
     "labels."),
]

ACCURACY_ERROR_HINTS = [
    (("broadcast", "shape mismatch"),
     "Two arrays of different lengths were compared. np.argmax(logits, axis=1) gives one\n"
     "class per sequence, shape (N,), the shape of labels; axis=0 would give (V,)."),
    (("axis 1 is out of bounds",),
     "logits has two axes, (N, V); the labels have one. Take argmax of the logits."),
]


def accuracy_cases():
    """(logits (N, V), labels (N,)): N != V, and N == V (where axis 0 gives the right
    shape); in each, two rows whose largest logit's value equals the label."""
    rng = np.random.default_rng(2015)
    cases = []
    for N, V in [(40, 4), (4, 4), (30, 3), (50, 8)]:
        logits = rng.normal(scale=2.0, size=(N, V))
        labels = rng.integers(0, V, size=N)
        right = rng.random(N) < 0.6  # about 60 % right: no slip lands on the answer
        top = logits[right].max(axis=1) + rng.uniform(0.1, 1.0, right.sum())
        logits[right, labels[right]] = top
        logits[0, labels[0]] = 10.0  # the largest of all: the flat argmax is labels[0]
        for k in (1, 2):  # rows whose largest logit, at the label, equals the label
            logits[k] = rng.uniform(-3.0, labels[k] - 0.5, size=V)
            logits[k, labels[k]] = labels[k]
        cases.append((logits, labels))
    return cases


def _as_fraction(result, N):
    """The reader's result as a float, or (None, message)."""
    arr, problem = as_result_array(result, "your accuracy")
    if problem:
        return None, problem
    if arr.shape in ((N,), (N, 1)):
        return None, (f"your accuracy returned {N} values, one per sequence (shape "
                      f"{arr.shape}): average them into one number (np.mean).")
    if arr.ndim > 0 and arr.size != 1:
        return None, (f"your accuracy returned an array of shape {arr.shape}; return a "
                      "single number, the fraction of sequences predicted right.")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        return None, f"your accuracy returned {value}."
    return value, None


def _close(a, b):
    try:
        return bool(np.isclose(float(a), b, rtol=0, atol=1e-6))  # float32 is fine
    except (TypeError, ValueError):  # a slip that gives an array for these inputs
        return False


def _slip_hints(fn, cases):
    """The hints of the slips that give the reader's numbers on every case (one case
    alone can match two slips by chance)."""
    values = [_as_fraction(call_safely(fn, z.copy(), y.copy())[0], len(y))[0]
              for z, y in cases]
    return [hint for wrong, hint in ACCURACY_MISTAKES
            if all(v is None or _close(call_safely(wrong, z, y)[0], v)
                   for v, (z, y) in zip(values, cases))]


def check_accuracy(fn):
    """Check a reader's ``accuracy(logits, labels) -> fraction in [0, 1]``."""
    title = "accuracy: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = accuracy_cases()
    for n, (logits, labels) in enumerate(cases, 1):
        N, V = logits.shape
        what = f"Case {n} (N = {N} sequences, V = {V} classes)"
        expected = reference_accuracy(logits, labels)
        result, error = call_safely(fn, logits.copy(), labels.copy())
        if error:
            messages = [f"{what}: your accuracy raised {error}"]
            return report(title + "not yet",
                          messages + error_hints(messages, ACCURACY_ERROR_HINTS), False)
        value, problem = _as_fraction(result, N)
        if problem:
            return report(title + "not yet", [f"{what}: {problem}"], False)
        if not _close(value, expected):
            hints = _slip_hints(fn, cases)
            return report(title + "not yet", [
                f"{what}: got {value:.4g}, expected {expected:.4g}.",
                *(hints[:1] or ["No common slip matches: predict the class with the "
                                "largest logit of each row, compare with the labels, "
                                "and average."])], False)
    return report(title + "correct",
                  [f"All {len(cases)} cases match, one of them with N = V."], True)


# --- exercise 2 (slider): the longest T that still beats the baseline --------------------


def _per_length(name, values, n):
    """values as a float array (n,): a list of n numbers, or one number for every T."""
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers, got {values!r}")
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must hold one number per length ({n}), got shape "
                         f"{arr.shape}")
    return arr


def longest_beating(Ts, success, baseline, margin=MARGIN):
    """The longest T whose success is at least `margin` above the baseline, or None.

    Ts (n,); success (n,) fractions (the mean over the seeds); baseline a fraction, or
    (n,) fractions, one per T.
    """
    success = _per_length("success", success, len(Ts))
    baseline = _per_length("baseline", baseline, len(Ts))
    beating = [int(T) for T, s, b in zip(Ts, success, baseline) if s >= b + margin]
    return max(beating) if beating else None


def longest_verdict(T, Ts, success, baseline, margin=MARGIN):
    """(passed, messages): is T the longest length of the sweep at which the mean success
    is at least `margin` above the baseline? Never raises."""
    try:
        Ts = [int(t) for t in Ts]
        target = longest_beating(Ts, success, baseline, margin)
        success = _per_length("success", success, len(Ts))
        baseline = _per_length("baseline", baseline, len(Ts))
    except Exception as exc:  # a malformed sweep becomes feedback, not a crash
        return False, [f"The check could not read the sweep: {type(exc).__name__}: {exc}"]
    if not is_number(T) or T not in Ts:
        return False, [f"T should be one of the sweep's lengths {Ts}, got {T!r}."]
    k = Ts.index(int(T))
    points = round(100 * (success[k] - baseline[k]))
    here = (f"At T = {int(T)}: {100 * success[k]:.0f} % on average, {points:+d} points "
            f"against the baseline's {100 * baseline[k]:.0f} %")
    return longest_length_verdict(T, target, here, margin)


check_longest, longest_feedback = slider_checkers(
    "longest T", longest_verdict,
    "Print whether T is the longest length of the sweep whose mean success is at least "
    "`margin` above the baseline.")

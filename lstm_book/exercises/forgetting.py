"""Checkers for the chapter "When RNNs forget".

Three exercises: write the adding problem's score, `success_rate` (`check_success_rate`); find the
longest sequence length at which the trained RNN still clearly beats a memoryless guess
(`check_longest_T`, with `longest_T_feedback` as the slider's verdict), which reads the chapter's own
sweep, passed in as arguments, so the check follows whatever numbers the sweep produced; and set up
training on `recall_first` (`check_recall_setup`: the loss, the readout's size, the chance level).
"""
import numbers

import numpy as np

from lstm_lib.layers import mse_loss, softmax_cross_entropy

from .feedback import (
    as_result_array,
    call_safely,
    is_count,
    is_number,
    longest_length_verdict,
    not_callable,
    report,
    verdict_html,
    waiting,
)

SUCCESS_TOL = 0.04  # Hochreiter & Schmidhuber (1997): a sequence counts as right when |error| < 0.04
MARGIN = 0.20  # the slider exercise: beat the baseline's success rate by 20 percentage points


# --- exercise 1: the success rate -------------------------------------------------------------------

def reference_success_rate(predictions, targets, tol=SUCCESS_TOL):
    """The fraction, in [0, 1], of sequences whose absolute error is strictly below `tol`."""
    return float(np.mean(np.abs(np.asarray(predictions) - np.asarray(targets)) < tol))


def _err(p, t):
    return np.asarray(p) - np.asarray(t)


# (wrong version, what that slip looks like in words); each takes (predictions, targets, tol)
SUCCESS_MISTAKES = [
    (lambda p, t, tol: np.mean(_err(p, t) ** 2 < tol),
     "This compares the squared error with tol. The criterion is on the absolute error:\n"
     "np.abs(predictions - targets) < tol (a squared error below 0.04 allows errors up to 0.2)."),
    (lambda p, t, tol: np.mean(np.abs(_err(p, t)) <= tol),
     "An error of exactly tol counts as a success here: the criterion is strict, use < instead of <=."),
    (lambda p, t, tol: np.mean(_err(p, t) < tol),
     "The absolute value is missing: a prediction far *below* its target has a large negative\n"
     "error, which is < tol but is not a success. Compare np.abs(predictions - targets) with tol."),
    (lambda p, t, tol: np.mean(np.abs(_err(p, t)) < SUCCESS_TOL),
     "The result ignores the argument tol (it always uses 0.04): compare with tol itself."),
    (lambda p, t, tol: 100 * np.mean(np.abs(_err(p, t)) < tol),
     "This is a percentage: return the fraction, a number between 0 and 1 (drop the factor 100)."),
    (lambda p, t, tol: np.sum(np.abs(_err(p, t)) < tol),
     "This counts the successes: divide by the number of sequences (np.mean instead of np.sum)."),
    (lambda p, t, tol: 1.0 - np.mean(np.abs(_err(p, t)) < tol),
     "This is the fraction of *failures*: count the sequences whose error is below tol."),
    (lambda p, t, tol: float(np.mean(np.abs(_err(p, t))) < tol),
     "This asks whether the *mean* error is below tol (a single yes or no).\n"
     "Decide for each sequence first, then average the yes/no answers."),
]


def _success_cases():
    """(predictions, targets[, tol]) with ties, large negative errors and errors between tol and sqrt(tol)."""
    rng = np.random.default_rng(2024)
    cases = []
    for B, tol in [(40, None), (25, 0.1), (60, None)]:
        targets = rng.uniform(0, 1, size=(B, 1))
        errors = rng.choice([-0.3, -0.15, -0.07, -0.02, 0.0, 0.01, 0.03, 0.06, 0.12, 0.25], size=(B, 1))
        predictions = targets + errors * rng.uniform(0.9, 1.1, size=(B, 1))
        step = SUCCESS_TOL if tol is None else tol
        targets[:3], predictions[:3] = 0.0, [[step], [-step], [0.0]]  # errors of exactly tol: not successes
        cases.append((predictions, targets) if tol is None else (predictions, targets, tol))
    return cases


def _as_number(result, B):
    """The reader's result as a float, or (None, message)."""
    arr, problem = as_result_array(result, "your success_rate")
    if problem:
        return None, problem
    if arr.shape == (B,) or arr.shape == (B, 1):
        return None, (f"your success_rate returned {B} numbers, one per sequence (shape {arr.shape}): "
                      "the average ran over the wrong axis.\nAverage over every sequence "
                      "(np.mean without an axis) to get one number.")
    if arr.size != 1 or arr.ndim > 0:
        return None, (f"your success_rate returned an array of shape {arr.shape}; return a single number "
                      "(np.mean(...) with no axis, or float(...)).")
    return float(arr), None


def check_success_rate(fn):
    """Check a reader's ``success_rate(predictions, targets, tol=0.04) -> fraction in [0, 1]``."""
    title = "success_rate: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = _success_cases()
    for n, args in enumerate(cases, 1):
        expected = reference_success_rate(*args)
        result, error = call_safely(fn, *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        how = "with the default tol" if len(args) == 2 else f"with tol = {args[2]}"
        if error:
            messages = [f"Case {n} ({how}): your success_rate raised {error}"]
            if "positional argument" in error:
                messages.append("Give success_rate a third parameter with a default: "
                                "def success_rate(predictions, targets, tol=0.04).")
            return report(title + "not yet", messages, False)
        value, problem = _as_number(result, len(args[0]))
        if problem:
            return report(title + "not yet", [f"Case {n} ({how}): {problem}"], False)
        if not np.isclose(value, expected, rtol=0, atol=1e-12):
            tol = args[2] if len(args) == 3 else SUCCESS_TOL
            hints = [hint for wrong, hint in SUCCESS_MISTAKES
                     if np.isclose(float(wrong(args[0], args[1], tol)), value, rtol=0, atol=1e-12)]
            return report(title + "not yet", [f"Case {n} ({how}): got {value:.4g}, expected {expected:.4g}.",
                                              *(hints[:1] or ["No common slip matches: count the sequences with "
                                                              "|prediction - target| < tol, divide by their number."])],
                          False)
    return report(title + "correct", [f"All {len(cases)} cases match, including errors of exactly tol."], True)


# --- exercise 2 (sliders): the longest T that still beats the baseline --------------------------------

def longest_beating(Ts, success, baseline, margin=MARGIN):
    """The longest T whose success rate is at least `margin` above `baseline`, or None if there is none."""
    beating = [T for T, s in zip(Ts, success) if s >= baseline + margin]
    return max(beating) if beating else None


def longest_T_verdict(T, Ts, success, baseline, margin=MARGIN):
    """(passed, messages): is T the longest sequence length of the sweep at which the mean success rate
    is at least `margin` above the baseline's? Ts (n,), success (n,) fractions, baseline a fraction."""
    Ts = [int(t) for t in Ts]
    if isinstance(T, bool) or not isinstance(T, numbers.Real) or T not in Ts:
        return False, [f"T should be one of the sweep's lengths {Ts}, got {T!r}."]
    T = int(T)
    target = longest_beating(Ts, success, baseline, margin)
    rate = dict(zip(Ts, success))[T]
    above = round(100 * (rate - baseline))
    here = (f"At T = {T} the RNN is right on {100 * rate:.0f} % of the test sequences, "
            f"{above:+d} points against the baseline's {100 * baseline:.0f} %")
    return longest_length_verdict(T, target, here, margin)


def check_longest_T(T, Ts, success, baseline, margin=MARGIN):
    """Print whether T is the longest length of the sweep that still beats the baseline by `margin`."""
    try:
        passed, messages = longest_T_verdict(T, Ts, success, baseline, margin)
    except Exception as exc:  # malformed sweep arguments become feedback, not a crash
        passed, messages = False, [f"The check could not read its arguments: {type(exc).__name__}: {exc}"]
    return report("longest T: " + ("target reached" if passed else "not yet"), messages, passed)


def longest_T_feedback(T, Ts, success, baseline, margin=MARGIN):
    """The verdict as a short HTML line, for ``slider_frames(..., feedback=...)``."""
    return verdict_html(*longest_T_verdict(T, Ts, success, baseline, margin))


# --- exercise 3: what training on recall_first needs -----------------------------------------------

def recall_setup_verdict(loss_fn, n_outputs, chance, V):
    """(passed, messages) for the set-up of `recall_first` with V symbols: the loss function, the
    number of readout outputs and the accuracy of guessing (a fraction)."""
    messages = []
    if loss_fn is softmax_cross_entropy:
        messages.append("loss: softmax_cross_entropy, right: the target is one of V classes.")
    elif loss_fn is mse_loss:
        messages.append("loss: mse_loss treats the symbol's index as a number to approach, so symbol 3 "
                        "would be 'closer' to 2 than to 0. The answer is a class: use "
                        "softmax_cross_entropy, which takes the integer targets as they come.")
    else:
        messages.append(f"loss: expected one of lstm_lib.layers' losses, got {loss_fn!r}. Which one "
                        "compares V scores with an integer class?")
    right_size = is_count(n_outputs) and int(n_outputs) == V
    if right_size:
        messages.append(f"readout: {V} outputs, right: one logit per symbol.")
    elif is_count(n_outputs) and int(n_outputs) == 1:
        messages.append("readout: one output can hold a number, not a score for each of the V symbols.")
    else:
        messages.append(f"readout: {n_outputs!r} outputs; the softmax needs one logit per symbol, V = {V}.")
    right_chance = is_number(chance) and abs(float(chance) - 1 / V) < 1e-9
    if right_chance:
        messages.append(f"chance: 1/V = {1 / V:g}, right: the first symbol is drawn uniformly.")
    elif is_number(chance) and abs(float(chance) - 100 / V) < 1e-9:
        messages.append(f"chance: {chance} looks like a percentage; give it as a fraction, {1 / V:g}.")
    else:
        messages.append(f"chance: {chance!r}; a guess is right one time in V.")
    return loss_fn is softmax_cross_entropy and right_size and right_chance, messages


def check_recall_setup(loss_fn, n_outputs, chance, V):
    """Print whether the set-up for training on recall_first with V symbols is right."""
    if loss_fn is None and n_outputs is None and chance is None:
        return waiting("recall_first set-up", "answer", [
            "Set the loss, the readout's number of outputs and the chance level, then run this cell again."])
    passed, messages = recall_setup_verdict(loss_fn, n_outputs, chance, V)
    return report("recall_first set-up: " + ("target reached" if passed else "not yet"), messages, passed)

"""Checkers for the chapter "The 1997 experiments, reproduced".

Two exercises: write the paper's criterion for a solved test set, ``is_solved(y_hat, y,
allowed_wrong)`` (`check_is_solved`), and find, with the sliders, a pair of gate biases
whose cell at initialisation keeps the first marked value and stays in tanh's linear
range (`check_protected`, with `protected_feedback` as the slider's verdict; the
measurements come from `lstm_book.experiments.adding1997.cell_measures`).
"""
import functools

import numpy as np

from lstm_book.experiments.adding1997 import (
    N_PROBE,
    TOL,
    cell_measures,
    init_network,
)
from lstm_book.experiments.adding1997 import test_set as adding_test_set  # not a test

from .feedback import call_safely, is_number, not_callable, report, slider_checkers

# --- exercise 1: the paper's criterion -------------------------------------------------


def reference_is_solved(y_hat, y, allowed_wrong):
    """True when at most `allowed_wrong` sequences have |y_hat - y| >= 0.04."""
    wrong = np.sum(np.abs(np.asarray(y_hat) - np.asarray(y)) >= TOL)
    return bool(wrong <= allowed_wrong)


def _error(p, t):
    return np.asarray(p) - np.asarray(t)


# (wrong version of the answer, what that slip looks like in words); each takes
# (y_hat, y, allowed_wrong) and returns a bool
IS_SOLVED_MISTAKES = [
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) > TOL) <= k,
     "An error of exactly 0.04 is counted as right here. In the paper a sequence is right\n"
     "only when its error is *below* 0.04: count np.abs(y_hat - y) >= 0.04 as wrong."),
    (lambda p, t, k: np.sum(_error(p, t) >= TOL) <= k,
     "The absolute value is missing: a prediction far *below* its target has a negative\n"
     "error and is not counted as wrong. Use np.abs(y_hat - y) >= 0.04."),
    (lambda p, t, k: np.sum(_error(p, t) ** 2 >= TOL) <= k,
     "This compares the squared error with 0.04, which lets errors up to 0.2 pass.\n"
     "The criterion is on the absolute error: np.abs(y_hat - y) >= 0.04."),
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) >= TOL) < k,
     "With exactly allowed_wrong wrong sequences the test set counts as solved: the paper's\n"
     "count is the most it allows. Use <= allowed_wrong, not <."),
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) >= TOL) <= 1,
     "The result ignores allowed_wrong (it always allows 1): compare with allowed_wrong,\n"
     "which is 0 at T = 500 in the paper's table."),
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) >= TOL) == 0,
     "The result ignores allowed_wrong (it allows no wrong sequence at all): compare the\n"
     "count of wrong sequences with allowed_wrong."),
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) < TOL) <= k,
     "This counts the *right* sequences (error below 0.04). Count the wrong ones, whose\n"
     "error is 0.04 or more, and compare that count with allowed_wrong."),
    (lambda p, t, k: np.sum(np.abs(_error(p, t)) >= TOL) > k,
     "The answer is reversed: it says True when more than allowed_wrong sequences are wrong."),
    (lambda p, t, k: np.mean(np.abs(_error(p, t))) < TOL,
     "This asks whether the *mean* error is below 0.04. Decide for each sequence first,\n"
     "then count the wrong ones: a few large errors hide in a small mean."),
    (lambda p, t, k: np.mean(np.abs(_error(p, t)) >= TOL) <= k,
     "np.mean gives the *fraction* of wrong sequences, which is never above 1: count them\n"
     "with np.sum (allowed_wrong is a number of sequences, not a fraction)."),
]


def _case(errors, allowed, rng):
    """(y_hat (N, 1), y (N, 1), allowed): targets in [0, 1] plus the given errors; an
    error of exactly +-0.04 sits on y = 0, where the subtraction is exact."""
    errors = np.asarray(errors, dtype=float)
    y = rng.uniform(0.1, 0.9, size=(errors.size, 1))
    y[np.abs(errors) == TOL] = 0.0
    return y + errors[:, None], y, allowed


def is_solved_cases():
    """The checker's cases: ties at 0.04, large negative errors, errors between 0.04 and
    0.2, wrong counts equal to, below and above allowed_wrong (0, 1 and 3)."""
    rng = np.random.default_rng(1997)
    small = [0.0, 0.01, -0.02, 0.039, -0.039, 0.03, -0.01, 0.0]
    return [
        _case(small, 0, rng),                                    # none wrong
        _case(small, 1, rng),                                    # none wrong, one allowed
        _case(small + [0.04], 0, rng),                           # a tie: wrong
        _case(small + [-0.3], 0, rng),                           # a large negative error
        _case(small + [0.1, -0.15], 1, rng),                     # two wrong, one allowed
        _case(small + [0.05], 1, rng),                           # as many as allowed
        _case(small + [-0.04, 0.2, 0.06], 3, rng),               # three of three
        _case(small + [0.5, -0.5, 0.3, -0.3], 3, rng),           # four of three
        _case([0.0, 0.002, -0.001, 0.0, 0.06] * 20, 0, rng),     # 20 wrong, small mean
    ]


def _describe(case):
    y_hat, y, allowed = case
    errors = np.abs(y_hat - y)
    wrong = int(np.sum(errors >= TOL))
    return (f"{len(y)} sequences, {wrong} with |error| >= 0.04 (largest {errors.max():.3g}), "
            f"allowed_wrong = {allowed}")


def _as_bool(result):
    """The reader's result as a bool, or (None, message) saying why it is not one."""
    if result is None:
        return None, "your is_solved returned None. Did you forget the `return` statement?"
    if isinstance(result, (bool, np.bool_)):
        return bool(result), None
    if isinstance(result, np.ndarray) and result.dtype == bool:
        if result.size == 1:
            return bool(result.reshape(())), None
        return None, (f"your is_solved returned {result.size} answers (shape {result.shape}), "
                      "one per sequence.\nCount the wrong sequences (np.sum) and compare that "
                      "count with allowed_wrong.")
    if is_number(result):
        return None, (f"your is_solved returned the number {result!r}; return True or False "
                      "(a comparison such as wrong <= allowed_wrong).")
    return None, f"your is_solved returned a {type(result).__name__}; return True or False."


def _copies(case):
    y_hat, y, allowed = case
    return y_hat.copy(), y.copy(), allowed


def check_is_solved(fn):
    """Check a reader's ``is_solved(y_hat, y, allowed_wrong) -> bool``."""
    title = "is_solved: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = is_solved_cases()
    answers = []
    for n, case in enumerate(cases, 1):
        result, error = call_safely(fn, *_copies(case))
        if error:
            messages = [f"Case {n} ({_describe(case)}): your is_solved raised {error}"]
            if "positional argument" in error:
                messages.append("is_solved takes three arguments: "
                                "def is_solved(y_hat, y, allowed_wrong).")
            return report(title + "not yet", messages, False)
        value, problem = _as_bool(result)
        if problem:
            return report(title + "not yet", [f"Case {n}: {problem}"], False)
        answers.append(value)
    expected = [reference_is_solved(*case) for case in cases]
    if answers == expected:
        return report(title + "correct",
                      [f"All {len(cases)} cases right, including errors of exactly 0.04 "
                       "and wrong counts equal to allowed_wrong."], True)
    n = next(k for k, (a, e) in enumerate(zip(answers, expected)) if a != e)
    messages = [f"Case {n + 1} ({_describe(cases[n])}): you said {answers[n]}, "
                f"the answer is {expected[n]}."]
    slips = [hint for wrong, hint in IS_SOLVED_MISTAKES
             if [bool(wrong(*case)) for case in cases] == answers]
    messages += slips[:1] or ["No common slip matches: count the sequences with "
                              "|y_hat - y| >= 0.04, then compare the count with "
                              "allowed_wrong (<=)."]
    return report(title + "not yet", messages, False)


# --- exercise 2 (sliders): a cell protected from the distractors ------------------------

FORGET_CHOICES = ("draw", 1.0, 3.0, "none")  # "none": no forget gate, the 1997 cell
INPUT_CHOICES = ("draw", -3.0, -6.0)
KEEP = 0.01  # the cell must keep at least 1 % of X1's trace from the mark to step T
PROTECT_T = 100


def _setting(name, value, choices):
    """A slider value as (bias, forget_gate), or (None, message) when it is not one of
    `choices`: "draw" (torch's draw), "none" (no forget gate) or a number."""
    if isinstance(value, str) and value.strip().lower() in choices:
        return (None, value.strip().lower() != "none"), None  # "none": f = 1
    if is_number(value) and float(value) in choices:
        return (float(value), True), None
    shown = ", ".join(repr(c) if isinstance(c, str) else f"{c:g}" for c in choices)
    return None, f"{name} should be one of {shown}, got {value!r}."


@functools.lru_cache(maxsize=None)
def protected_measures(forget_bias, input_bias):
    """cell_measures of seed 0's initial cell with these biases ("draw", "none" or a
    number), on the first N_PROBE test sequences at T = 100 (computed once per pair:
    do not change the arrays)."""
    (fb, forget_gate), problem = _setting("forget_bias", forget_bias, FORGET_CHOICES)
    (ib, _), problem_i = _setting("input_bias", input_bias, INPUT_CHOICES)
    if problem or problem_i:
        raise ValueError(problem or problem_i)
    params, readout = init_network(0, fb, ib)
    x = adding_test_set(PROTECT_T)[0][:, :N_PROBE]
    return cell_measures(x, params, readout, forget_gate)


def protected_verdict(forget_bias, input_bias):
    """(passed, messages): does seed 0's cell at initialisation keep at least 1 % of
    X1's trace to the last step, with no cell saturated (|tanh(c_T)| > 0.9)?"""
    for name, value, choices in (("forget_bias", forget_bias, FORGET_CHOICES),
                                 ("input_bias", input_bias, INPUT_CHOICES)):
        problem = _setting(name, value, choices)[1]
        if problem:
            return False, [problem]
    m = protected_measures(forget_bias, input_bias)
    kept = m["x1_trace"][-1] / m["x1_trace"][0]
    numbers = (f"{100 * m['saturated']:.0f} % of the cells saturated, X1's trace at "
               f"step T = {kept:.2g} x its size at the mark")
    if kept < KEEP:
        return False, [f"Forgets: {numbers}. The forget gate, about {m['f']:.2f} per "
                       "step, wipes X1 out before the end:\nraise the forget bias."]
    if m["saturated"] > 0:
        return False, [f"Saturates: {numbers}. Every step writes i g with i about "
                       f"{m['i_other']:.2f},\nand the writes pile up in c: lower the "
                       "input bias."]
    return True, [f"Protected: {numbers}."]


check_protected, protected_feedback = slider_checkers(
    "protected cell", protected_verdict,
    "Print whether the cell at initialisation, with this forget bias and input bias, "
    "keeps X1 and stays linear.")

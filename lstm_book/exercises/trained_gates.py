"""Checkers for the chapter "What training did to the gates".

A code exercise: find the unit that carries the sum, ``sum_unit(c, x) -> int``
(`check_sum_unit`): the unit whose last cell state c_T correlates most strongly, in
absolute value, with X1 + X2 across the sequences of a batch. The checker builds cell
states in which each usual slip (the sign, the first step instead of the last, all the
values instead of the marked ones, a covariance instead of a correlation, ...) picks a
different unit. A slider exercise on the chapter's own measurements
(`check_silenced_unit`, with `silenced_unit_feedback` as the slider's verdict): the unit,
other than the one that writes, whose silencing hurts the answer most.
"""
import numbers

import numpy as np

from lstm_lib.tasks import adding_problem

from .feedback import call_safely, not_callable, report, slider_checkers

# --- exercise 1: the unit that carries the sum ----------------------------------------------


def _marked_sum(x, marker=lambda m: m == 1.0):
    return np.sum(x[..., 0] * marker(x[..., 1]), axis=0)  # (B,)


def _corr(c_T, s):
    c = c_T - c_T.mean(axis=0)
    s = s - s.mean()
    return (s @ c) / (np.linalg.norm(s) * np.linalg.norm(c, axis=0))


def reference_sum_unit(c, x):
    """The unit whose c_T (c[-1], (B, H)) correlates most strongly with X1 + X2,
    in absolute value."""
    return _pick(c[-1], _marked_sum(x))


def _values(x, which):
    """X1 or X2 of every sequence, (B,)."""
    marks = np.argwhere(x[..., 1].T == 1.0)[:, 1].reshape(-1, 2)
    return x[marks[:, which], np.arange(x.shape[1]), 0]


def _pick(c_T, s):
    """The unit whose column of c_T (B, H) correlates most strongly with s (B,)."""
    return int(np.argmax(np.abs(_corr(c_T, s))))


# (wrong version of sum_unit, what that slip looks like in words)
SUM_UNIT_MISTAKES = [
    (lambda c, x: int(np.argmax(_corr(c[-1], _marked_sum(x)))),
     "This is the unit with the largest *positive* correlation. A unit can carry the sum "
     "with\nthe opposite sign (the readout's weight flips it back): compare "
     "np.abs(correlations)."),
    (lambda c, x: int(np.argmin(_corr(c[-1], _marked_sum(x)))),
     "This is the unit with the most negative correlation: compare the absolute values,\n"
     "a unit can carry the sum with either sign."),
    (lambda c, x: _pick(c[0], _marked_sum(x)),
     "This reads c[0], the cell state after the first step. The sum is complete only at "
     "the\nlast step: c_T is c[-1]."),
    (lambda c, x: _pick(c[-1], x[..., 0].sum(axis=0)),
     "This correlates with the sum of *all* values of the sequence. Only the two marked "
     "values\ncount: multiply the values by (x[..., 1] == 1) before summing over time."),
    (lambda c, x: _pick(c[-1], _marked_sum(x, lambda m: m != 0)),
     "This counts the steps whose marker is -1 (the first and the last) as marked too. "
     "Only\nthe markers equal to 1 count: x[..., 1] == 1."),
    (lambda c, x: _pick(c[-1], _values(x, 0)),
     "This correlates with X1 alone. The target is 0.5 + (X1 + X2) / 4: correlate with "
     "the sum."),
    (lambda c, x: _pick(c[-1], _values(x, 1)),
     "This correlates with X2 alone. The target is 0.5 + (X1 + X2) / 4: correlate with "
     "the sum."),
    (lambda c, x: int(np.argmax(np.abs((_marked_sum(x) - _marked_sum(x).mean())
                                       @ (c[-1] - c[-1].mean(axis=0))))),
     "This compares covariances, which grow with a unit's scale: a unit with large "
     "values wins\nthough it follows the sum loosely. Divide by both standard deviations "
     "(a correlation)."),
    (lambda c, x: reference_sum_unit(c, x) + 1,
     "The answer is one too large: numpy counts units from 0, so the unit of column j is "
     "j."),
]


# The role of each unit in the two cases: the right one (its sign alternates), the one
# with the strongest correlation of the other sign, and one for each slip.
_ROLES = [dict(T=30, B=200, H=10, sign=-1.0, right=3, other_sign=7, c0=0, all=9, ends=5,
               x1=1, x2=8, big=6),
          dict(T=24, B=150, H=12, sign=1.0, right=6, other_sign=2, c0=10, all=0, ends=11,
               x1=4, x2=9, big=1)]


def sum_unit_cases():
    """[(c (T, B, H), x (T, B, 2))]: cell states built so that the right answer and the
    slips of SUM_UNIT_MISTAKES pick different units (each slip fails in some case)."""
    cases = []
    for n, r in enumerate(_ROLES):
        rng = np.random.default_rng(24 + n)
        x, _ = adding_problem(r["B"], r["T"], rng)
        s = _marked_sum(x)  # (B,) X1 + X2
        ends = s + sum(x[t, :, 0] * (x[t, :, 1] == -1.0) for t in (0, -1))
        noise = rng.normal(size=(r["B"], r["H"]))
        c_T = 0.3 * noise  # units that follow nothing
        c_T[:, r["right"]] = r["sign"] * 0.1 * s + 0.004 * noise[:, r["right"]]
        c_T[:, r["other_sign"]] = -r["sign"] * 0.2 * s + 0.06 * noise[:, r["other_sign"]]
        c_T[:, r["all"]] = 0.05 * x[..., 0].sum(axis=0)
        c_T[:, r["ends"]] = 0.2 * ends
        c_T[:, r["x1"]] = 0.3 * _values(x, 0)
        c_T[:, r["x2"]] = 0.3 * _values(x, 1) + 0.02 * noise[:, r["x2"]]
        c_T[:, r["big"]] = 4.0 * s + 6.0 * noise[:, r["big"]]  # wins a covariance
        c = np.cumsum(rng.normal(scale=0.1, size=(r["T"], r["B"], r["H"])), axis=0)
        c[-1] = c_T
        c[0, :, r["c0"]] = s  # a first step that knew the sum, for the c[0] slip
        cases.append((c, x))
    return cases


def _as_unit(result, H):
    """The reader's answer as a unit index, or (None, message)."""
    if result is None:
        return None, "your sum_unit returned None. Did you forget the `return` statement?"
    if isinstance(result, (bool, np.bool_)):
        return None, f"your sum_unit returned {result}; return the index of a unit."
    if isinstance(result, (numbers.Integral, np.integer)):
        unit = int(result)
    elif isinstance(result, np.ndarray) and result.size == 1 and \
            np.issubdtype(result.dtype, np.integer):
        unit = int(result.reshape(()))
    elif isinstance(result, (numbers.Real, np.floating)) or \
            (isinstance(result, np.ndarray) and result.size == 1):
        value = float(np.asarray(result).reshape(()))
        if -1.0 <= value <= 1.0 and not float(value).is_integer():
            return None, (f"your sum_unit returned {value:.3f}, which looks like a "
                          "correlation.\nReturn the index of the unit that has it: "
                          "np.argmax(...), as an int.")
        if not float(value).is_integer():
            return None, f"your sum_unit returned {value!r}; return a unit's index, an int."
        unit = int(value)
    elif isinstance(result, np.ndarray) or isinstance(result, (list, tuple)):
        shape = np.shape(result)
        return None, (f"your sum_unit returned a {type(result).__name__} of shape "
                      f"{shape}.\nReturn one unit's index: np.argmax of the absolute "
                      "correlations, as an int.")
    else:
        return None, (f"your sum_unit returned a {type(result).__name__}; return a unit's "
                      "index, an int.")
    if not 0 <= unit < H:
        return None, f"your sum_unit returned {unit}; the units are numbered 0 to {H - 1}."
    return unit, None


def check_sum_unit(fn):
    """Check a reader's ``sum_unit(c, x) -> int`` against `reference_sum_unit`."""
    title = "sum_unit: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = sum_unit_cases()
    for n, (c, x) in enumerate(cases, 1):
        expected = reference_sum_unit(c, x)
        result, error = call_safely(fn, c.copy(), x.copy())
        where = f"Case {n} (c {c.shape}, x {x.shape})"
        if error:
            return report(title + "not yet", [f"{where}: your sum_unit raised {error}"],
                          False)
        unit, problem = _as_unit(result, c.shape[2])
        if problem:
            return report(title + "not yet", [f"{where}: {problem}"], False)
        if unit == expected:
            continue
        hints = [hint for wrong, hint in SUM_UNIT_MISTAKES
                 if call_safely(wrong, c, x)[0] == unit]
        return report(title + "not yet", [
            f"{where}: you chose unit {unit};\nthe one whose c_T follows X1 + X2 most "
            f"closely is unit {expected}.",
            *(hints[:1] or ["No common slip matches. Take X1 + X2 from the two steps "
                            "whose marker is 1, correlate it with each\ncolumn of c[-1] "
                            "across the sequences, and return the argmax of the absolute "
                            "values."])], False)
    return report(title + "correct", [
        f"All {len(cases)} cases match, whatever the sign of the correlation."], True)


# --- exercise 2 (sliders): silence one unit ---------------------------------------------------

def most_harmful_other(relative, writer):
    """The unit other than `writer` whose silencing gives the largest relative MSE.

    relative: (H,), the relative MSE with each unit silenced."""
    relative = np.asarray(relative, dtype=float)
    order = [u for u in np.argsort(relative)[::-1] if u != writer]
    return int(order[0])


def _silenced_verdict(unit, relative, writer, base):
    relative = np.asarray(relative, dtype=float)
    H = len(relative)
    if isinstance(unit, (bool, np.bool_)) or not isinstance(unit, (numbers.Integral,
                                                                   np.integer)) \
            or not 0 <= unit < H:
        return False, [f"unit should be one of the units 0 to {H - 1}, got {unit!r}."]
    unit, writer = int(unit), int(writer)
    here = (f"Silencing unit {unit} takes the relative MSE from {base:.4f} to "
            f"{relative[unit]:.4f}")
    if unit == writer:
        return False, [here + ". This is the unit whose input gate opens at the marks, "
                       "the writer: find the\nmost important of the others."]
    target = most_harmful_other(relative, writer)
    if unit == target:
        return True, [here + ": no other unit but the writer matters as much."]
    return False, [here + ". Silencing another unit (not the writer) hurts more."]


def silenced_unit_verdict(unit, relative, writer, base):
    """(passed, messages): is `unit` the unit other than `writer` whose silencing gives
    the largest relative MSE? relative (H,), base: the intact network's relative MSE."""
    try:
        return _silenced_verdict(unit, relative, writer, base)
    except Exception as exc:  # malformed measurements become feedback, not a crash
        return False, [f"The check could not read its arguments: {type(exc).__name__}: "
                       f"{exc}"]


check_silenced_unit, silenced_unit_feedback = slider_checkers(
    "the second unit", silenced_unit_verdict,
    "Print whether `unit` is the unit, other than the writer, whose silencing hurts the "
    "answer most.")

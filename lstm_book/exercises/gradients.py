"""Checkers for the chapter "Vanishing and exploding gradients".

Two exercises: write gradient clipping by the global norm (`check_clip_by_global_norm`), and find with a
slider the smallest recurrent weight scale at which a gradient survives 50 steps (`check_survival`,
with `survival_feedback` as the slider's verdict). The reference of the first is the library's
`clip_grad_norm`; the network and measure of the second live in `lstm_book.experiments.gradients`.
"""
import copy

import numpy as np

from lstm_book.experiments.gradients import SURVIVAL, survival_ratio
from lstm_lib.optim import clip_grad_norm

from .feedback import call_safely, is_number, not_callable, report, slider_checkers

# --- exercise 1: clipping by the global norm ------------------------------------------------------


def _global_norm(grads):
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))


def _clip(grads, max_norm, norm_of=_global_norm, when="above", scale_of=lambda n, m: m / n):
    """Clip `grads` in place with a slip in the norm, the condition or the factor (the defaults make
    none); return the norm it used. The slips of ARRAY_SLIPS are built on it."""
    norm = norm_of(grads)
    if when == "always" or norm > max_norm:
        for g in grads.values():
            g *= scale_of(norm, max_norm)
    return norm


def _per_array(grads, max_norm):
    for g in grads.values():
        n = float(np.linalg.norm(g))
        if n > max_norm:
            g *= max_norm / n
    return _global_norm(grads)


def _by_value(grads, max_norm):
    norm = _global_norm(grads)
    for g in grads.values():
        np.clip(g, -max_norm, max_norm, out=g)
    return norm


def _sum_of_norms(grads):
    return float(sum(np.linalg.norm(g) for g in grads.values()))


# (what the arrays look like after a slip, what that slip is in words)
ARRAY_SLIPS = [
    (_per_array, "Each array was clipped by its own norm. Clip by the global norm: one norm over all arrays "
                 "together, and one factor max_norm / norm for every array, so the direction is kept."),
    (lambda g, m: _clip(g, m, norm_of=lambda d: _global_norm(d) ** 2),
     "The square root is missing: norm = sqrt(sum of the squares of every entry), not the sum of squares."),
    (lambda g, m: _clip(g, m, when="always"),
     "The arrays were rescaled although norm <= max_norm: clip only when norm > max_norm, "
     "otherwise leave the gradients as they are (clipping never enlarges a gradient)."),
    (lambda g, m: _global_norm(g),
     "The arrays in grads did not change. `g = g * s` (or a new dict) makes new arrays that the caller "
     "never sees: scale in place, `g *= s`, or assign back with `grads[key] = ...`."),
    (_by_value, "Each entry was clipped to [-max_norm, max_norm] (clipping by value). That changes the "
                "direction of the gradient; scale all arrays by one factor instead."),
    (lambda g, m: _clip(g, m, norm_of=_sum_of_norms),
     "The norm is the sum of the norms of the arrays. The global norm is sqrt(sum over arrays of their "
     "squared norms): the norm of all entries laid end to end."),
    (lambda g, m: _clip(g, m, scale_of=lambda n, mx: n / mx),
     "The factor is upside down: multiply by max_norm / norm (below 1), not norm / max_norm."),
]

# (the value returned after a slip, from the norm, max_norm and the arrays; what that slip is in words)
RETURN_SLIPS = [
    (lambda n, m, g: min(n, m), "You returned the norm after clipping. Return the norm before: "
                                "it is what a training loop logs to see explosions."),
    (lambda n, m, g: n ** 2, "You returned the sum of squares: take its square root."),
    (lambda n, m, g: min(m / n, 1.0), "You returned the scaling factor; return the norm before clipping."),
    (lambda n, m, g: _sum_of_norms(g), "You returned the sum of the arrays' norms; return the global norm."),
]


def clip_cases():
    """The checker's cases, [(grads, max_norm)], built afresh at every call (an answer may change them)."""
    rng = np.random.default_rng(2024)
    big = {"weight_ih": 2.0 * rng.normal(size=(3, 2)), "weight_hh": 0.3 * rng.normal(size=(3, 3)),
           "bias_ih": 0.2 * rng.normal(size=3), "bias_hh": 0.2 * rng.normal(size=3)}
    small = {k: v * 3.0 / _global_norm(big) for k, v in big.items()}  # norm 3, between sqrt(5) and 5
    small["bias_ih"][0] = -4.0 * small["bias_ih"][0]  # not every array is a copy of another
    small = {k: v * 3.0 / _global_norm(small) for k, v in small.items()}
    one = {"weight": rng.normal(size=(4, 4)) * 3.0}
    # (grads, max_norm): clipped, with one array above and one below max_norm; not clipped (norm 3 < 5,
    # though its square 9 > 5); a single array, clipped
    return [(big, 1.0), (small, 5.0), (one, 2.5)]  # fresh arrays at every call


def _close(a, b):
    return np.allclose(a, b, rtol=1e-5, atol=1e-9)


def _as_number(result):
    """The reader's return value as a float, or (None, message)."""
    if result is None:
        return None, ("clip_by_global_norm returned None. Did you forget `return norm`? "
                      "Return the global norm before clipping.")
    if isinstance(result, dict):
        return None, ("clip_by_global_norm returned a dict. Scale the arrays of grads in place and "
                      "return the norm before clipping, a number.")
    try:
        value = float(np.asarray(result, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return None, f"clip_by_global_norm returned a {type(result).__name__}; return one number, the norm."
    return value, None


def _arrays_after(grads, shapes):
    """The reader's dict after the call as float arrays, or (None, message)."""
    if not isinstance(grads, dict) or set(grads) != set(shapes):
        return None, "grads no longer has its keys: change the arrays, not the dict's keys."
    out = {}
    for key, shape in shapes.items():
        arr = np.asarray(grads[key], dtype=np.float64)
        if arr.shape != shape:
            return None, f"grads['{key}'] has shape {arr.shape} after the call; it must keep its shape {shape}."
        out[key] = arr
    return out, None


def check_clip_by_global_norm(fn):
    """Check a reader's ``clip_by_global_norm(grads, max_norm) -> norm`` (grads scaled in place)."""
    title = "clip_by_global_norm: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    for n, (grads, max_norm) in enumerate(clip_cases(), 1):
        norm = _global_norm(grads)
        want = copy.deepcopy(grads)
        clip_grad_norm(want, max_norm)  # the reference: lstm_lib's, as torch clips
        situation = (f"Case {n}: the global norm is {norm:.4g} and max_norm = {max_norm:g}, so the gradients "
                     + ("must be scaled down." if norm > max_norm else "must stay as they are."))
        mine = copy.deepcopy(grads)
        result, error = call_safely(fn, mine, max_norm)
        if error:
            return report(title + "not yet", [f"Case {n}: your clip_by_global_norm raised {error}"], False)
        got, problem = _arrays_after(mine, {k: v.shape for k, v in grads.items()})
        value, problem_value = _as_number(result)
        problem = problem or problem_value
        if problem:
            return report(title + "not yet", [situation, problem], False)
        arrays_ok = all(_close(got[k], want[k]) for k in want)
        value_ok = _close(value, norm)
        if arrays_ok and value_ok:
            continue
        messages = [situation]
        if not arrays_ok:
            messages.append("The arrays after the call are not right.")
            messages += _array_hints(grads, max_norm, got) or ["No common slip matches; compare with the "
                                                               "definition step by step."]
        if not value_ok:
            messages.append(f"The returned value {value:.4g} is not the global norm before clipping, {norm:.4g}.")
            messages += [hint for wrong, hint in RETURN_SLIPS if _close(value, wrong(norm, max_norm, grads))]
        return report(title + "not yet", messages, False)
    return report(title + "correct", [f"All {len(clip_cases())} cases match: the arrays are scaled in place, "
                                      "and the norm before clipping is returned."], True)


def _array_hints(grads, max_norm, got):
    hints = []
    for slip, hint in ARRAY_SLIPS:
        theirs = copy.deepcopy(grads)
        slip(theirs, max_norm)
        if all(_close(got[k], theirs[k]) for k in theirs):
            hints.append(hint)
    return hints


# --- exercise 2 (slider): how large must the recurrent weights be for a gradient to survive? ------
# The network, its measure and the slider's stops live in lstm_book.experiments.gradients.


def _scale_problem(scale):
    if not is_number(scale):
        return f"scale should be a number such as 1.0, got {scale!r}."
    if not np.isfinite(scale) or not 0 < scale <= 3:
        return f"scale should lie in (0, 3], got {scale!r}."
    return None


def survival_verdict(scale):
    """(passed, messages): does the gradient survive 50 steps at `scale`, and not 0.05 lower?"""
    problem = _scale_problem(scale)
    if problem:
        return False, [problem]
    lag, level, step = SURVIVAL["lag"], SURVIVAL["level"], SURVIVAL["step"]
    ratio = survival_ratio(float(scale))
    if ratio < level:
        return False, [f"scale {scale:g}: after {lag} steps the gradient is {ratio:.1e} of its size, "
                       f"below {level:g}. It vanishes: raise the scale."]
    lower = float(scale) - step
    if lower > 0 and survival_ratio(lower) >= level:
        return False, [f"scale {scale:g}: the gradient survives ({ratio:.1e} of its size after {lag} steps), "
                       f"but it also does at {lower:g}. Look for the smallest scale."]
    return True, [f"scale {scale:g}: the gradient keeps {ratio:.1e} of its size after {lag} steps, "
                  f"and at {lower:g} it would not. The smallest scale, within {step:g}."]


check_survival, survival_feedback = slider_checkers(
    "survival", survival_verdict,
    "Print whether `scale` is the smallest (within 0.05) at which the gradient survives 50 steps.")

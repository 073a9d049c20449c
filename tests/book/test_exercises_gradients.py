"""The checkers of "Vanishing and exploding gradients" accept right answers and name the usual slips."""
import numpy as np
import pytest

from lstm_book.exercises.gradients import (
    check_clip_by_global_norm,
    check_survival,
    clip_cases,
    survival_feedback,
    survival_verdict,
)
from lstm_book.experiments.gradients import SURVIVAL, SURVIVAL_SCALES, survival_ratio
from lstm_lib.optim import clip_grad_norm


def run(capsys, answer):
    verdict = check_clip_by_global_norm(answer)
    return verdict, capsys.readouterr().out


def global_norm(grads):
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))


def reference_clip(grads, max_norm):  # the chapter's solution: no 1e-6 added to the norm
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def rebinding_entries(grads, max_norm):  # assigning back into the dict is fine too
    norm = global_norm(grads)
    if norm > max_norm:
        for key in grads:
            grads[key] = grads[key] * (max_norm / norm)
    return np.float64(norm)


def flat_norm(grads, max_norm):  # the norm of all entries laid end to end, returned as a 0-d array
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()]))
    scale = min(1.0, max_norm / norm)
    for g in grads.values():
        g *= scale
    return np.array(norm)


@pytest.mark.parametrize("answer", [reference_clip, clip_grad_norm, rebinding_entries, flat_norm])
def test_accepts_correct_answers(capsys, answer):
    verdict, out = run(capsys, answer)
    assert verdict and "clip_by_global_norm: correct" in out


def per_array(grads, max_norm):
    total = global_norm(grads)
    for g in grads.values():
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return total


def no_sqrt(grads, max_norm):
    norm = sum(np.sum(g ** 2) for g in grads.values())
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def always(grads, max_norm):
    norm = global_norm(grads)
    for g in grads.values():
        g *= max_norm / norm
    return norm


def not_in_place(grads, max_norm):
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g.copy()[...] = g * (max_norm / norm)  # the slip: the scaled values land in a new array
    return norm


def by_value(grads, max_norm):
    norm = global_norm(grads)
    for g in grads.values():
        np.clip(g, -max_norm, max_norm, out=g)
    return norm


def sum_of_norms(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def inverted(grads, max_norm):
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= norm / max_norm
    return norm


def norm_after(grads, max_norm):
    reference_clip(grads, max_norm)
    return global_norm(grads)


def returns_factor(grads, max_norm):
    norm = reference_clip(grads, max_norm)
    return min(1.0, max_norm / norm)


@pytest.mark.parametrize("answer, hints", [
    (per_array, ["clipped by its own norm"]),
    (no_sqrt, ["square root is missing", "You returned the sum of squares"]),
    (always, ["rescaled although norm <= max_norm"]),
    (not_in_place, ["did not change", "g *= s"]),
    (by_value, ["clipping by value"]),
    (sum_of_norms, ["sum of the norms of the arrays", "You returned the sum of the arrays' norms"]),
    (inverted, ["upside down"]),
    (norm_after, ["norm after clipping"]),
    (returns_factor, ["scaling factor"]),
])
def test_names_the_slip(capsys, answer, hints):
    verdict, out = run(capsys, answer)
    assert not verdict and "not yet" in out
    for hint in hints:
        assert hint in out


def test_always_rescaling_is_caught_in_the_case_that_must_not_clip(capsys):
    verdict, out = run(capsys, always)
    assert "Case 2" in out and "must stay as they are" in out


def test_returning_the_dict(capsys):
    def answer(grads, max_norm):
        reference_clip(grads, max_norm)
        return grads
    verdict, out = run(capsys, answer)
    assert not verdict and "returned a dict" in out


def test_changing_a_shape(capsys):
    def answer(grads, max_norm):
        norm = reference_clip(grads, max_norm)
        for key in grads:
            grads[key] = grads[key].ravel()
        return norm
    verdict, out = run(capsys, answer)
    assert not verdict and "must keep its shape" in out


def test_unknown_slip_gets_the_generic_hint(capsys):
    def answer(grads, max_norm):
        norm = reference_clip(grads, max_norm)
        for g in grads.values():
            g += 1.0
        return norm
    verdict, out = run(capsys, answer)
    assert not verdict and "No common slip matches" in out


def test_raising_answer(capsys):
    def stub(grads, max_norm):
        raise NotImplementedError("write me")
    verdict, out = run(capsys, stub)
    assert not verdict and "still raises NotImplementedError: write me" in out


def test_none_answer(capsys):
    def answer(grads, max_norm):
        reference_clip(grads, max_norm)  # right arrays, forgotten return
    verdict, out = run(capsys, answer)
    assert not verdict and "returned None" in out and "return norm" in out


def test_not_callable(capsys):
    verdict, out = run(capsys, 3.0)
    assert not verdict and "Expected a function, got a float" in out


def test_a_string_result(capsys):
    verdict, out = run(capsys, lambda grads, max_norm: "norm")
    assert not verdict and "return one number" in out


def test_the_checker_does_not_touch_the_cases(capsys):
    before = [{k: v.copy() for k, v in g.items()} for g, _ in clip_cases()]
    run(capsys, always)
    after = [g for g, _ in clip_cases()]
    assert all(np.array_equal(b[k], a[k]) for b, a in zip(before, after) for k in b)


# --- the slider exercise --------------------------------------------------------------------------

def test_exactly_one_slider_stop_passes():
    # the exercise is well posed: the ratio grows with the scale over the stops, and one stop is the answer
    ratios = [survival_ratio(s) for s in SURVIVAL_SCALES]
    assert all(b > a for a, b in zip(ratios, ratios[1:]))
    passing = [s for s in SURVIVAL_SCALES if survival_verdict(s)[0]]
    assert len(passing) == 1
    answer = passing[0]
    # margins: rounding cannot move the threshold to another stop
    assert survival_ratio(answer) > 1.2 * SURVIVAL["level"]
    assert survival_ratio(answer - SURVIVAL["step"]) < 0.8 * SURVIVAL["level"]


def test_survival_verdicts(capsys):
    answer = next(s for s in SURVIVAL_SCALES if survival_verdict(s)[0])
    assert check_survival(answer) and "target reached" in capsys.readouterr().out
    assert not check_survival(1.0) and "It vanishes: raise the scale" in capsys.readouterr().out
    assert not check_survival(1.6) and "Look for the smallest scale" in capsys.readouterr().out


@pytest.mark.parametrize("bad, message", [("1.2", "should be a number"), (None, "should be a number"),
                                          (True, "should be a number"), (0.0, "should lie in (0, 3]"),
                                          (float("inf"), "should lie in (0, 3]"), (5.0, "should lie in (0, 3]")])
def test_survival_rejects_bad_scales(capsys, bad, message):
    assert not check_survival(bad)
    assert message in capsys.readouterr().out


def test_survival_feedback_is_html():
    answer = next(s for s in SURVIVAL_SCALES if survival_verdict(s)[0])
    assert survival_feedback(answer).startswith("<p") and "✓" in survival_feedback(answer)
    assert "✗" in survival_feedback(0.8)

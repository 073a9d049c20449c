"""Checkers for the chapter "Building blocks and notation": a gate in code, and a gate's bias set by slider."""
import warnings

import numpy as np

from lstm_lib.gates import affine, gate, sigmoid

from .feedback import call_safely, compare_to_reference, error_hints, is_number, report, slider_checkers

# (wrong version of the gate, what that slip looks like in words)
GATE_MISTAKES = [
    (lambda hx, W, b: np.tanh(affine(hx, W, b)),
     "This is tanh(hx W + b): a gate squashes with the sigmoid, whose values lie in (0, 1).\n"
     "tanh gives values in (-1, 1); that is the candidate's job, not a gate's."),
    (lambda hx, W, b: sigmoid(hx @ W),
     "The bias is missing: a gate is sigmoid(hx W + b)."),
    (lambda hx, W, b: affine(hx, W, b),
     "This is the pre-activation hx W + b: apply the sigmoid to it."),
    (lambda hx, W, b: np.maximum(affine(hx, W, b), 0.0),
     "This is relu(hx W + b): a gate needs values between 0 and 1, so use the sigmoid."),
    (lambda hx, W, b: sigmoid(-affine(hx, W, b)),
     "The sign is flipped: the sigmoid is 1 / (1 + exp(-z)), with a minus sign in the exponent."),
    (lambda hx, W, b: sigmoid(hx @ W) + b,
     "The bias is added after the sigmoid: add it to hx W first, then squash the sum."),
    (lambda hx, W, b: sigmoid(hx @ W - b),
     "The bias is subtracted: a gate is sigmoid(hx W + b)."),
    (lambda hx, W, b: (affine(hx, W, b) > 0).astype(float),
     "This is a step function (0 or 1): the sigmoid is the smooth version, 1 / (1 + exp(-z)),\n"
     "and its slope is what gradient descent needs."),
    (lambda hx, W, b: np.exp(-affine(hx, W, b)),
     "This is exp(-z): the sigmoid is 1 / (1 + exp(-z))."),
    (lambda hx, W, b: 1.0 + np.exp(-affine(hx, W, b)),
     "This is 1 + exp(-z), the denominator: the sigmoid is 1 / (1 + exp(-z))."),
]

# (words in numpy's error message, what that usually means here)
GATE_ERROR_HINTS = [
    (("matmul", "not aligned", "shapes"),
     "A matrix product has mismatched shapes. Rows are examples: hx (B, H + D) @ W (H + D, H) is (B, H),\n"
     "with no transpose. (torch stores its weights as (H, D) and needs W.T; the W of this chapter does not.)"),
    (("could not be broadcast", "operands could not"),
     "Arrays of different shapes were combined element-wise. Use @ for the product hx @ W;\n"
     "the bias b (H,) then adds to every row."),
]


def _cases():
    """(hx, W, b) triples with B != H, so that a transposed result shows in its shape; the last is large.

    The last case has pre-activations from about -2400 to 250, so a naive exp(-z) overflows (z < -709).
    """
    rng = np.random.default_rng(2024)
    cases = []
    for B, H, D, scale in [(2, 3, 4, 1.0), (4, 5, 2, 1.0), (1, 2, 3, 1.0), (3, 2, 2, 400.0)]:
        hx = rng.normal(size=(B, H + D))
        W = rng.normal(size=(H + D, H)) * scale  # the last case saturates: pre-activations in the thousands
        b = rng.normal(size=H) * scale
        cases.append((hx, W, b))
    return cases


def _transposed_hint(fn, case):
    """A hint when the answer returns the transpose of the gate, (H, B) instead of (B, H); None otherwise."""
    result, error = call_safely(fn, *case)
    if error or result is None or isinstance(result, tuple):
        return None
    hx, W, _ = case
    B, H = hx.shape[0], W.shape[1]
    if np.shape(result) == (H, B):
        return (f"Your gate returned shape (H, B) = {(H, B)}: the transpose of the answer.\n"
                f"Rows are examples: hx (B, H + D) @ W (H + D, H) gives (B, H) = {(B, H)}.")
    return None


def check_gate(fn):
    """Check a reader's ``my_gate(hx, W, b) -> (B, H)`` against `lstm_lib.gates.gate`; print feedback."""
    cases = _cases()
    hint = _transposed_hint(fn, cases[0]) if callable(fn) else None
    if hint:
        return report("gate: not yet", ["Case 1: " + hint], False)
    errstate = np.errstate(over="warn", invalid="warn", divide="warn")
    with warnings.catch_warnings(record=True) as caught, errstate:
        warnings.simplefilter("always")
        passed, messages = compare_to_reference(fn, gate, cases, GATE_MISTAKES, what="your gate",
                                                expected_letters="(B, H)", arg_names=("hx", "W", "b"))
    messages += error_hints(messages, GATE_ERROR_HINTS)
    overflow = any("overflow" in str(w.message) for w in caught)
    if passed and overflow:
        messages.append("Note: np.exp overflowed on the large pre-activations of the last case (numpy warns),\n"
                        "although the values came out right. To avoid it, never exponentiate a large positive\n"
                        "number: use sigmoid(z) = (1 + tanh(z / 2)) / 2, or exp(min(z, 0)) / (1 + exp(-|z|))\n"
                        "as `lstm_lib.gates.sigmoid` does.")
    return report("gate: " + ("correct" if passed else "not yet"), messages, passed)


# --- Slider exercise: the bias that opens a gate to 90 % ------------------------------------------------
# A gate with one unit, f = sigmoid(w u + b), reads u = 0: only the bias decides how much passes.

BIAS_TARGET = 0.90  # the fraction of the signal the gate should pass at u = 0
BIAS_TOL = 0.01  # accepted: 0.89 <= sigmoid(b) <= 0.91
BIAS_SLIDER = [round(v, 2) for v in np.arange(0.0, 3.0001, 0.25)]  # the stops of the chapter's slider


def bias_verdict(b):
    """(passed, messages): does a gate with bias b pass BIAS_TARGET of the signal at zero input, within BIAS_TOL?"""
    if isinstance(b, np.ndarray) and b.ndim == 0 and b.dtype.kind in "iuf":
        b = b.item()  # a 0-d array, e.g. from np.log(np.array(9.0)), is a number too
    if not is_number(b):
        return False, [f"b should be a number, got {b!r}."]
    if not np.isfinite(b):
        return False, [f"b should be a finite number, got {b!r}."]
    passed_fraction = float(sigmoid(float(b)))
    share = (f"At u = 0 the gate is sigmoid({float(b):g}) = {passed_fraction:.3f}: "
             f"it passes {100 * passed_fraction:.1f} %.")
    if abs(passed_fraction - BIAS_TARGET) <= BIAS_TOL:
        return True, [share + f" Within {100 * BIAS_TOL:g} percentage point of {100 * BIAS_TARGET:g} %."]
    if passed_fraction < BIAS_TARGET:
        why = " Raise b." if b > 0 else " With b <= 0 the gate passes at most 50 % at u = 0; the target needs b > 0."
        return False, [share + why]
    return False, [share + " Too open: lower b."]


check_gate_bias, bias_feedback = slider_checkers(
    "gate bias", bias_verdict,
    "Print whether bias b opens the 1-unit gate to 90 % (+-1 point) at zero input; return the Verdict.")

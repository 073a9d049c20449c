"""Checkers for the chapter "The output gate and the hidden state".

Two exercises: write the output step `output_step(x_t, h_prev, c_prev, weights) -> h_t`
(`check_output_step`; the cell update `new_cell` of `lstm_book.experiments.output_gate` is given to
the reader), and choose the output gate o and the cell state c so that the unit shows a target value
(`check_reading`, with `reading_feedback` as the slider's verdict).
"""
import numpy as np

from lstm_lib.gates import GATES, candidate, cell_update, concat_hx, gate, hidden_state, sigmoid

from .feedback import compare_to_reference, is_number, report, slider_checkers, with_order_hint

# --- exercise 1: the output step ---------------------------------------------------------------------


def reference_output_step(x_t, h_prev, c_prev, weights):
    """h_t = o_t * tanh(c_t), with o_t = sigmoid([h_prev, x_t] W_o + b_o) and c_t = f_t * c_prev + i_t * g_t: (B, H)."""
    hx = concat_hx(h_prev, x_t)  # (B, H + D)
    f, i, o = (gate(hx, weights[f"W_{k}"], weights[f"b_{k}"]) for k in "fio")
    g = candidate(hx, weights["W_g"], weights["b_g"])
    return hidden_state(o, cell_update(f, c_prev, i, g))


def _z(x, h, w, k, hx=None):
    hx = np.concatenate([h, x], axis=1) if hx is None else hx
    return hx @ w[f"W_{k}"] + w[f"b_{k}"]


def _o(x, h, w):
    return sigmoid(_z(x, h, w, "o"))


def _c(x, h, c, w):
    """The right c_t, which the reader gets from new_cell(x_t, h_prev, c_prev, weights)."""
    return sigmoid(_z(x, h, w, "f")) * c + sigmoid(_z(x, h, w, "i")) * np.tanh(_z(x, h, w, "g"))


def _c_no_forget(x, h, c, w):
    return sigmoid(_z(x, h, w, "i")) * np.tanh(_z(x, h, w, "g"))


def _xh(x, h):
    """[x_t, h_prev], x first: what every layer reads when h_prev and x_t trade places."""
    return np.concatenate([x, h], axis=1)


# (wrong version of output_step(x_t, h_prev, c_prev, weights), what that slip looks like in words)
OUTPUT_STEP_MISTAKES = [
    (lambda x, h, c, w: _o(x, h, w) * _c(x, h, c, w),
     "tanh is missing: h_t = o_t * tanh(c_t). The cell state is not bounded (it can grow past 1),\n"
     "and tanh squashes it into (-1, 1) before the gate scales it."),
    (lambda x, h, c, w: np.tanh(_o(x, h, w) * _c(x, h, c, w)),
     "This is tanh(o_t * c_t): squash first, then gate, h_t = o_t * tanh(c_t).\n"
     "With tanh outside, a half-open gate on a large cell still shows almost 1."),
    (lambda x, h, c, w: _o(x, h, w) * sigmoid(_c(x, h, c, w)),
     "sigmoid(c_t) where tanh belongs: the cell state is squashed with tanh, which keeps its sign\n"
     "(an empty cell, c_t = 0, shows 0, not 0.5)."),
    (lambda x, h, c, w: _o(x, h, w) + np.tanh(_c(x, h, c, w)),
     "o_t + tanh(c_t): the output gate multiplies, h_t = o_t * tanh(c_t) (elementwise)."),
    (lambda x, h, c, w: _o(x, h, w) * np.tanh(c),
     "This reads c_prev, the old cell state: h_t shows the new one, c_t.\n"
     "Compute c_t = new_cell(x_t, h_prev, c_prev, weights) first, then h_t = o_t * tanh(c_t)."),
    (lambda x, h, c, w: np.tanh(_c(x, h, c, w)),
     "The output gate is missing: h_t = o_t * tanh(c_t), with o_t = sigmoid(hx W_o + b_o)."),
    (lambda x, h, c, w: np.tanh(_z(x, h, w, "o")) * np.tanh(_c(x, h, c, w)),
     "o_t is computed with tanh: the output gate is a sigmoid, a valve between 0 and 1."),
    (lambda x, h, c, w: sigmoid(_z(x, h, w, "o") - w["b_o"]) * np.tanh(_c(x, h, c, w)),
     "The bias b_o is missing from the output gate: o_t = sigmoid(hx W_o + b_o)."),
    (lambda x, h, c, w: sigmoid(_z(x, h, w, "i")) * np.tanh(_c(x, h, c, w)),
     "o_t is computed with W_i and b_i: the output gate has its own weights, W_o and b_o."),
    (lambda x, h, c, w: sigmoid(_z(x, h, w, "f")) * np.tanh(_c(x, h, c, w)),
     "o_t is computed with W_f and b_f: the output gate has its own weights, W_o and b_o."),
    (lambda x, h, c, w: _o(x, h, w) * np.tanh(_c_no_forget(x, h, c, w)),
     "The c_t you squash misses the forget term: c_t = f_t * c_prev + i_t * g_t (new_cell computes it)."),
    (lambda x, h, c, w: _c(x, h, c, w),
     "This is c_t, the cell state; return the hidden state h_t = o_t * tanh(c_t)."),
    (lambda x, h, c, w: sigmoid(_z(x, h, w, "o", hx=_xh(x, h))) * np.tanh(_c(x, h, c, w)),
     "The output gate reads [x_t, h_prev]: the weights expect [h_prev, x_t], h first.\n"
     "(If your function takes (h_prev, x_t, ...), the book's order is (x_t, h_prev, c_prev, weights).)"),
    (lambda x, h, c, w: _o(x, h, w) * np.tanh(_c(h, x, c, w)),
     "new_cell got h_prev and x_t swapped: it takes (x_t, h_prev, c_prev, weights), x first,\n"
     "like output_step itself and every step function of lstm_lib."),
    (lambda x, h, c, w: sigmoid(_z(x, h, w, "o", hx=_xh(x, h))) * np.tanh(_c(h, x, c, w)),
     "Every layer reads [x_t, h_prev]: x_t and h_prev trade places throughout, in new_cell and\n"
     "in the output gate. The book's order is (x_t, h_prev, c_prev, weights), x_t first."),
]  # an answer whose parameters are (h_prev, x_t, ...) gets feedback.old_order_message instead

OUTPUT_STEP_ERROR_HINTS = [
    (("matmul", "not aligned"),
     "A matrix product has mismatched shapes. hx = [h_prev, x_t] is (B, H + D) and W_o is (H + D, H):\n"
     "hx @ W_o is (B, H). The product in h_t = o_t * tanh(c_t) is elementwise (*), not @."),
    (("could not be broadcast",),
     "Arrays of different shapes were combined elementwise. Concatenate along the features,\n"
     "np.concatenate([h_prev, x_t], axis=1), which gives (B, H + D)."),
]


def _cases():
    rng = np.random.default_rng(2718)
    cases = []
    # (3, 2, 2): D = H, so a reversed concatenation shows in the values
    for B, H, D in [(2, 3, 4), (3, 2, 2), (1, 4, 3)]:
        w = {}
        for k in GATES:
            w[f"W_{k}"] = 1.5 * rng.normal(size=(H + D, H)) / np.sqrt(H + D)
            w[f"b_{k}"] = rng.normal(size=H)
        h, x = rng.normal(size=(B, H)), rng.normal(size=(B, D))
        cases.append((x, h, 1.5 * rng.normal(size=(B, H)), w))
    return cases


def check_output_step(fn):
    """Check a reader's ``output_step(x_t, h_prev, c_prev, weights) -> h_t`` against the library's gates."""
    cases = _cases()
    passed, messages = compare_to_reference(fn, reference_output_step, cases, OUTPUT_STEP_MISTAKES,
                                            what="your output_step", expected_letters="(B, H)",
                                            arg_names=("x_t", "h_prev", "c_prev", "weights"))
    messages = with_order_hint(fn, reference_output_step, cases, "your output_step",
                               "x_t, h_prev, c_prev, weights", passed, messages, OUTPUT_STEP_ERROR_HINTS)
    return report("output_step: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2 (sliders): show a target value ----------------------------------------------------------
# One unit: h = o tanh(c). Choose the output gate o and the cell state c so that h is within ±0.03 of 0.7.

READING = {"target": 0.7, "tol": 0.03}
# The stops of the chapter's two sliders: 3 of the 35 settings pass (o = 0.7 with c = 3 or 10, o = 0.9 with c = 1).
READING_SLIDERS = {"o": [0.1, 0.5, 0.7, 0.9, 1.0], "c": [-1.0, 0.0, 0.5, 1.0, 1.5, 3.0, 10.0]}


def _as_value(name, value, lo=None, hi=None, why=""):
    if callable(getattr(value, "item", None)):  # a one-element array or tensor counts as its number
        try:
            value = value.item()
        except Exception:  # larger arrays fall through to the message below
            pass
    if not is_number(value):
        return None, f"{name} should be a number, got {value!r}."
    if not np.isfinite(value):
        return None, f"{name} should be a finite number, got {value!r}."
    if lo is not None and not lo <= value <= hi:
        return None, f"{name} = {value:g} is impossible: {why}, so {name} lies between {lo:g} and {hi:g}."
    return float(value), None


def reading_verdict(o, c):
    """(passed, messages): is h = o * tanh(c) within 0.03 of 0.7?"""
    o, problem = _as_value("o", o, 0.0, 1.0, "a gate is a sigmoid's output")
    if problem:
        return False, [problem]
    c, problem = _as_value("c", c)
    if problem:
        return False, [problem]
    h = o * np.tanh(c)
    target, tol = READING["target"], READING["tol"]
    head = f"h = o tanh(c) = {o:g} × {np.tanh(c):+.3f} = {h:+.3f}; the target is {target:g} ± {tol:g}."
    if abs(h - target) <= tol + 1e-12:
        return True, [f"Shown: {head}"]
    if o == 0:
        return False, [f"Hidden: {head}\nWith o = 0 the gate is closed and nothing is shown; open it."]
    if c == 0:
        return False, [f"Empty: {head}\ntanh(0) = 0: an empty cell shows 0 whatever the gate. Store something in c."]
    if c < 0:
        return False, [f"Wrong sign: {head}\ntanh keeps the sign of c and o is positive, so h has the sign of c.\n"
                       "Make c positive."]
    if o < target - tol:
        return False, [f"Capped: {head}\n|h| < o whatever c, since |tanh(c)| < 1: the gate caps what is shown.\n"
                       "Open the gate wider (raise o)."]
    if h < target:
        return False, [f"Too little: {head}\nRaise c (or o)."]
    return False, [f"Too much: {head}\nLower c (or o). Once tanh(c) is near 1, only o sets h."]


check_reading, reading_feedback = slider_checkers(
    "reading", reading_verdict,
    "Print whether the output gate o and the cell state c show 0.7 ± 0.03 in h; return the Verdict.")

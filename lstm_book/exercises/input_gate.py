"""Checkers for the chapter "The input gate, the candidate and the cell update".

Two exercises: write the cell update `new_cell(x_t, h_prev, c_prev, weights) -> c_t` (`check_new_cell`),
and overwrite a cell's old value with a target in one step by choosing f, i and g (`check_overwrite`,
with `overwrite_feedback` as the slider's verdict).
"""
import numpy as np

from lstm_book.experiments.input_gate import OVERWRITE, overwrite_cell
from lstm_lib.gates import GATES, candidate, cell_update, concat_hx, gate, sigmoid

from .feedback import compare_to_reference, is_number, report, slider_checkers, with_order_hint

# --- exercise 1: the cell update ---------------------------------------------------------------------

def reference_new_cell(x_t, h_prev, c_prev, weights):
    """c_t = f_t * c_prev + i_t * g_t, every gate read from [h_prev, x_t], with the library's gates.

    h_prev, c_prev (B, H) and x_t (B, D) -> (B, H).
    """
    hx = concat_hx(h_prev, x_t)  # (B, H + D)
    f = gate(hx, weights["W_f"], weights["b_f"])
    i = gate(hx, weights["W_i"], weights["b_i"])
    g = candidate(hx, weights["W_g"], weights["b_g"])
    return cell_update(f, c_prev, i, g)


def _parts(h, x, w, hx=None):
    """(f, i, g, pre-activations z_i, z_g) of the right cell, for building the slips below."""
    hx = np.concatenate([h, x], axis=1) if hx is None else hx
    z = {k: hx @ w[f"W_{k}"] + w[f"b_{k}"] for k in ("f", "i", "g")}
    return sigmoid(z["f"]), sigmoid(z["i"]), np.tanh(z["g"]), z


def _slip(h, x, c, w, f=None, i=None, g=None, combine=None, hx=None):
    """The cell update with one piece replaced: f, i, g given as functions of z, or another combination."""
    f0, i0, g0, z = _parts(h, x, w, hx)
    f_, i_, g_ = (f(z) if f else f0), (i(z) if i else i0), (g(z) if g else g0)
    return combine(f_, c, i_, g_) if combine else f_ * c + i_ * g_


# (wrong version of new_cell(x_t, h_prev, c_prev, weights), what that slip looks like in words)
NEW_CELL_MISTAKES = [
    (lambda x, h, c, w: _slip(h, x, c, w, g=lambda z: sigmoid(z["g"])),
     "The candidate g_t is computed with a sigmoid: it belongs to tanh. A sigmoid's values lie in (0, 1),\n"
     "so every write i_t * g_t would be positive and the cell could only be pushed up; tanh proposes\n"
     "signed values in (-1, 1)."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: i * g),
     "The forget term is missing: c_t = f_t * c_prev + i_t * g_t keeps part of the old cell state;\n"
     "i_t * g_t alone throws c_prev away at every step."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: c + i * g),
     "The forget gate is missing: c_prev is kept whole, as if f_t = 1 (the LSTM of 1997).\n"
     "The old cell state is scaled by the forget gate first: f_t * c_prev + i_t * g_t."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: (1 - f) * c + i * g),
     "(1 - f_t) * c_prev: the forget gate is the fraction KEPT (1 keeps everything, 0 erases),\n"
     "despite its name; the kept part is f_t * c_prev."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: np.tanh(z["i"])),
     "The input gate i_t is computed with tanh: a gate is a sigmoid, a valve between 0 (write nothing)\n"
     "and 1 (write the whole candidate). With tanh it could be negative and flip the candidate's sign."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: sigmoid(z["g"]), g=lambda z: np.tanh(z["i"])),
     "The input gate and the candidate swapped their weights: i_t = sigmoid(hx W_i + b_i) is the valve,\n"
     "g_t = tanh(hx W_g + b_g) the proposed values."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f * c + (i + g)),
     "i_t + g_t: the input gate multiplies the candidate elementwise (i_t * g_t in numpy), it is not added."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: (f + c) + i * g),
     "f_t + c_prev: the forget gate multiplies the old cell state elementwise (f_t * c_prev), it is not added."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f + c + i + g),
     "Both products are sums here: c_t = f_t * c_prev + i_t * g_t, with * elementwise."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f + i * g),
     "c_prev is missing: the forget gate f_t scales the old cell state, f_t * c_prev;\n"
     "it is not a value to add."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f * (c + i * g)),
     "The forget gate scales the new write too: f_t acts on c_prev only, c_t = f_t * c_prev + i_t * g_t."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f * c + g),
     "The input gate is missing: the candidate is written through the valve, i_t * g_t."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: f * c + i),
     "The candidate is missing: i_t says how much to write, g_t what to write; the write is i_t * g_t."),
    (lambda x, h, c, w: _slip(h, x, c, w, f=lambda z: sigmoid(z["i"])),
     "f_t is computed with W_i: the forget gate has its own weights, f_t = sigmoid(hx W_f + b_f)."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: sigmoid(z["i"] - w["b_i"]),
                              g=lambda z: np.tanh(z["g"] - w["b_g"])),
     "The biases b_i and b_g are missing: each gate adds its bias after the product, hx W_k + b_k."),
    (lambda x, h, c, w: _slip(h, x, c, w, combine=lambda f, c, i, g: np.tanh(f * c + i * g)),
     "tanh(f_t * c_prev + i_t * g_t): there is no tanh on the belt,\n"
     "c_t = f_t * c_prev + i_t * g_t as it is. tanh comes only when the cell\n"
     "is read out, h_t = o_t * tanh(c_t)."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: sigmoid(z["i"] - w["b_i"] + w["b_f"])),
     "The input gate uses b_f, the forget gate's bias: each gate has its own bias,\n"
     "i_t = sigmoid(hx W_i + b_i)."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: sigmoid(z["i"] - w["b_i"])),
     "The bias b_i is missing from the input gate: i_t = sigmoid(hx W_i + b_i)."),
    (lambda x, h, c, w: _slip(h, x, c, w, g=lambda z: np.tanh(z["g"] - w["b_g"])),
     "The bias b_g is missing from the candidate: g_t = tanh(hx W_g + b_g)."),
    (lambda x, h, c, w: _slip(h, x, c, w, i=lambda z: z["i"], g=lambda z: z["g"]),
     "The activations are missing: i_t = sigmoid(...) and g_t = tanh(...)."),
    (lambda x, h, c, w: _slip(h, x, c, w, hx=np.concatenate([x, h], axis=1)),
     "The concatenation is in the wrong order: the weights expect [h_prev, x_t], h first\n"
     "(the first H rows of every W_k meet h_prev)."),
]

# (words in numpy's error message, what that usually means here)
NEW_CELL_ERROR_HINTS = [
    (("matmul", "not aligned"),
     "A matrix product has mismatched shapes. hx = [h_prev, x_t] is (B, H + D) and W_k is (H + D, H):\n"
     "hx @ W_k is (B, H). The products of the cell update, f_t * c_prev and i_t * g_t, are elementwise (*), not @."),
    (("could not be broadcast",),
     "Arrays of different shapes were combined elementwise. Concatenate along the features,\n"
     "np.concatenate([h_prev, x_t], axis=1), which gives (B, H + D)."),
    (("KeyError: 'W_c'", "KeyError: 'b_c'", "KeyError: 'W_C'", "KeyError: 'b_C'"),
     "The candidate's weights are weights[\"W_g\"] and weights[\"b_g\"] (torch's letter g; many tutorials\n"
     "write W_c or W_C, for the candidate cell values C~_t)."),
]


def _weights(D, H, rng, scale=1.5):
    """Per-gate weights large enough that sigmoid, tanh and the biases all visibly matter."""
    w = {}
    for k in GATES:
        w[f"W_{k}"] = scale * rng.normal(size=(H + D, H)) / np.sqrt(H + D)
        w[f"b_{k}"] = rng.normal(size=H)
    return w


def _cases():
    rng = np.random.default_rng(3141)
    cases = []
    # (3, 2, 2): D = H, so a reversed concatenation shows in the values, not only in the shapes
    for B, H, D in [(2, 3, 4), (3, 2, 2), (1, 4, 3)]:
        w = _weights(D, H, rng)
        h_prev, x_t = rng.normal(size=(B, H)), rng.normal(size=(B, D))
        cases.append((x_t, h_prev, 2.0 * rng.normal(size=(B, H)), w))
    return cases


def check_new_cell(fn):
    """Check a reader's ``new_cell(x_t, h_prev, c_prev, weights) -> c_t`` against the library's gates."""
    cases = _cases()
    passed, messages = compare_to_reference(fn, reference_new_cell, cases, NEW_CELL_MISTAKES,
                                            what="your new_cell", expected_letters="(B, H)",
                                            arg_names=("x_t", "h_prev", "c_prev", "weights"))
    messages = with_order_hint(fn, reference_new_cell, cases, "your new_cell", "x_t, h_prev, c_prev, weights",
                               passed, messages, NEW_CELL_ERROR_HINTS)
    return report("new_cell: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2 (sliders): overwrite the cell in one step ---------------------------------------------
# One unit holds c_{t-1} = 0.6 from earlier steps. In one step, c_t = f c_{t-1} + i g must land within
# ±0.05 of -0.3: the old value has to go (forget) and a negative value has to come in (write). The numbers
# and the update, `OVERWRITE` and `overwrite_cell`, are in lstm_book.experiments.input_gate.

# The stops of the chapter's three sliders: 2 of the 36 settings pass (f = 0, i = 0.5, g = -0.6 and
# f = 0.5, i = 1, g = -0.6); g = 0.6 is there to show that a positive candidate cannot do it.
OVERWRITE_SLIDERS = {"f": [0.0, 0.5, 1.0], "i": [0.0, 0.5, 1.0], "g": [-1.0, -0.6, -0.2, 0.6]}


def _as_value(name, value, lo, hi, why):
    if not is_number(value):
        return None, f"{name} should be a number, got {value!r}."
    if not np.isfinite(value):
        return None, f"{name} should be a finite number, got {value!r}."
    if not lo <= value <= hi:
        return None, f"{name} = {value:g} is impossible: {why}, so {name} lies between {lo:g} and {hi:g}."
    return float(value), None


def overwrite_verdict(f, i, g):
    """(passed, messages): is c_t = f * 0.6 + i * g within 0.05 of -0.3?"""
    values = {}
    ranges = (("f", f, 0.0, "a gate is a sigmoid's output"), ("i", i, 0.0, "a gate is a sigmoid's output"),
              ("g", g, -1.0, "the candidate is a tanh's output"))
    for name, value, lo, why in ranges:
        values[name], problem = _as_value(name, value, lo, 1.0, why)
        if problem:
            return False, [problem]
    f, i, g = values["f"], values["i"], values["g"]
    kept, written, c_t = overwrite_cell(f, i, g)
    target, tol = OVERWRITE["target"], OVERWRITE["tol"]
    sign = "+" if written >= 0 else "-"
    head = (f"c_t = f c_(t-1) + i g = {kept:+.2f} {sign} {abs(written):.2f} = {c_t:+.3f}; "
            f"the target is {target:+.2f} ± {tol:g}.")
    if abs(c_t - target) <= tol + 1e-12:
        return True, [f"Overwritten: {head}"]
    need = target - kept  # what the write would have to add, given what is kept
    if i == 0:
        return False, [f"Nothing is written: {head}\nWith i = 0 the input gate is closed; open it to write."]
    if need < -1 or need > 1:
        return False, [f"Keeps too much: {head}\nKeeping {kept:+.2f} leaves a write of {need:+.2f} to do, "
                       "but |i g| < 1. Forget more: lower f."]
    if written * need <= 0:
        return False, [f"Writes the wrong way: {head}\nThe write has to be {need:+.2f}; i g = {written:+.2f} "
                       f"pushes the cell {'up' if written > 0 else 'nowhere'}. A negative candidate g pushes it down."]
    if abs(written) < abs(need):
        return False, [f"Writes too little: {head}\nThe write has to be {need:+.2f}. Raise i or |g| "
                       "(or forget more, so that less has to be written)."]
    return False, [f"Writes too much: {head}\nThe write has to be {need:+.2f}. Lower i or |g| "
                   "(or keep more of the old value)."]


check_overwrite, overwrite_feedback = slider_checkers(
    "overwrite", overwrite_verdict,
    "Print whether f, i and g overwrite the cell's 0.6 with -0.3 ± 0.05 in one step; return the Verdict.")

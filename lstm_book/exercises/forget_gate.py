"""Checkers for the chapter "The forget gate".

Two code exercises, the forget gate on the concatenation, ``forget_gate(x_t, h_prev, W_f, b_f)``
(`check_forget_gate`), and in torch's fused layout, ``forget_gate_torch(x_t, h_prev, params)``
(`check_forget_gate_torch`); and a slider exercise on the memory half-life (`check_half_life`, with
`half_life_feedback` as the slider's verdict). Every exercise function takes x_t first, then h_prev, as
lstm_lib's steps do; `feedback.old_order_message` recognises an answer written for the order (h_prev, x_t, ...).
"""
import numpy as np

from lstm_lib.gates import concat_hx, gate, sigmoid
from lstm_lib.lstm import gate_rows, init_lstm_params, split_gates
from lstm_lib.memory import half_life

from .feedback import (
    compare_to_reference,
    is_number,
    report,
    slider_checkers,
    with_order_hint,
)

# --- exercise 1: the forget gate on the concatenation ---------------------------------------------------


def _reference(x_t, h_prev, W_f, b_f):
    return gate(concat_hx(h_prev, x_t), W_f, b_f)


def _hx(h, x):
    return np.concatenate([h, x], axis=1)  # (B, H + D)


# (wrong version, what that slip looks like in words); each takes (x_t, h_prev, W_f, b_f)
FORGET_GATE_MISTAKES = [
    (lambda x, h, W, b: sigmoid(np.concatenate([x, h], axis=1) @ W + b),
     "The concatenation is in the wrong order: it is [h_prev, x_t], h first,\n"
     "because the first H rows of W_f are the weights that meet h_prev."),
    (lambda x, h, W, b: np.tanh(_hx(h, x) @ W + b),
     "This is tanh(...): a gate squashes with the sigmoid, whose values lie in (0, 1).\n"
     "tanh gives values in (-1, 1), which would flip the sign of what the cell remembers."),
    (lambda x, h, W, b: sigmoid(_hx(h, x) @ W),
     "The bias b_f is missing: add it before the sigmoid."),
    (lambda x, h, W, b: sigmoid(_hx(h, x) @ W) + b,
     "The bias is added after the sigmoid: it belongs inside, sigmoid([h_prev, x_t] @ W_f + b_f)."),
    (lambda x, h, W, b: _hx(h, x) @ W + b,
     "The sigmoid is missing: the gate is sigmoid([h_prev, x_t] @ W_f + b_f), a value in (0, 1) per unit."),
    (lambda x, h, W, b: sigmoid(-(_hx(h, x) @ W + b)),
     "The sign is flipped: this is sigmoid(-z) = 1 - sigmoid(z). Use 1 / (1 + exp(-z))."),
    (lambda x, h, W, b: sigmoid(_hx(h, x) @ W + 2 * b),
     "The bias b_f is added twice: add it once."),
]

FORGET_GATE_ERROR_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "A matrix product has mismatched shapes. Rows are examples: [h_prev, x_t] (B, H + D) @ W_f (H + D, H)\n"
     "gives (B, H); W_f needs no transpose in this form."),
    (("concatenation axis",),
     "np.concatenate stacked the arrays on top of each other. Put them side by side:\n"
     "np.concatenate([h_prev, x_t], axis=1), of shape (B, H + D)."),
]


def _gate_cases():
    """(x_t, h_prev, W_f, b_f) for (B, H, D): H != D mostly, one square case, one with D = 1."""
    rng = np.random.default_rng(31)
    cases = []
    for B, H, D in [(2, 3, 4), (1, 5, 2), (3, 4, 4), (2, 3, 1)]:
        h_prev, x_t = rng.normal(size=(B, H)), rng.normal(size=(B, D))
        cases.append((x_t, h_prev, rng.normal(size=(H + D, H)), rng.normal(size=H)))
    return cases


def check_forget_gate(fn):
    """Check a reader's ``forget_gate(x_t, h_prev, W_f, b_f) -> f_t`` (B, H) against `lstm_lib.gates.gate`."""
    cases = _gate_cases()
    passed, messages = compare_to_reference(fn, _reference, cases, FORGET_GATE_MISTAKES,
                                            what="your forget_gate", expected_letters="(B, H)",
                                            arg_names=("x_t", "h_prev", "W_f", "b_f"))
    messages = with_order_hint(fn, _reference, cases, "your forget_gate", "x_t, h_prev, W_f, b_f",
                               passed, messages, FORGET_GATE_ERROR_HINTS)
    return report("forget_gate: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2: the forget gate in torch's fused layout ---------------------------------------------


def _f_torch(x, h, p, gate_name="f", b_ih=1.0, b_hh=1.0, act=sigmoid, transpose_hh=True):
    """The pre-activation of one gate block in torch's layout, with the usual slips as switches."""
    H = p["weight_hh"].shape[1]
    F = gate_rows(gate_name, H)
    W_hh = p["weight_hh"][F].T if transpose_hh else p["weight_hh"][F]
    z = x @ p["weight_ih"][F].T + b_ih * p["bias_ih"][F] + h @ W_hh + b_hh * p["bias_hh"][F]
    return act(z)


def _torch_reference(x_t, h_prev, params):
    weights = split_gates(params)  # W_f = [W_hf^T; W_if^T] (H + D, H), b_f = b_if + b_hf (H,)
    return gate(concat_hx(h_prev, x_t), weights["W_f"], weights["b_f"])


def _both_biases_in_each_sum(x, h, p):
    F = gate_rows("f", p["weight_hh"].shape[1])
    b = p["bias_ih"][F] + p["bias_hh"][F]
    return sigmoid((x @ p["weight_ih"][F].T + b) + (h @ p["weight_hh"][F].T + b))


FORGET_GATE_TORCH_MISTAKES = [
    (lambda x, h, p: _f_torch(x, h, p, b_ih=2.0),
     "bias_ih is counted twice: torch adds bias_ih once and bias_hh once."),
    (lambda x, h, p: _f_torch(x, h, p, b_ih=2.0, b_hh=0.0),
     "bias_ih is added twice and bias_hh not at all: add each of the two biases once."),
    (lambda x, h, p: _f_torch(x, h, p, b_hh=2.0),
     "bias_hh is counted twice: torch adds bias_ih once and bias_hh once."),
    (_both_biases_in_each_sum,
     "The bias is counted twice: bias_ih + bias_hh is added to each of the two partial sums\n"
     "(the x part and the h part). Together they need the two biases once:\n"
     "x_t W_if^T + b_if + h_prev W_hf^T + b_hf."),
    (lambda x, h, p: _f_torch(x, h, p, b_hh=0.0),
     "bias_hh is missing: torch adds two biases, bias_ih and bias_hh (only their sum matters)."),
    (lambda x, h, p: _f_torch(x, h, p, b_ih=0.0),
     "bias_ih is missing: torch adds two biases, bias_ih and bias_hh (only their sum matters)."),
    (lambda x, h, p: _f_torch(x, h, p, b_ih=0.0, b_hh=0.0),
     "Both biases are missing."),
    (lambda x, h, p: _f_torch(x, h, p, gate_name="i"),
     "These are the rows of the input gate i. torch stacks the blocks in the order i, f, g, o,\n"
     "so the forget gate is the second block: rows H to 2H, gate_rows('f', H)."),
    (lambda x, h, p: _f_torch(x, h, p, gate_name="g"),
     "These are the rows of the candidate g (the third block). torch's order is i, f, g, o:\n"
     "the forget gate is the second block, rows H to 2H."),
    (lambda x, h, p: _f_torch(x, h, p, gate_name="o"),
     "These are the rows of the output gate o (the last block). torch's order is i, f, g, o:\n"
     "the forget gate is the second block, rows H to 2H."),
    (lambda x, h, p: _f_torch(x, h, p, act=np.tanh),
     "This is tanh(...): a gate squashes with the sigmoid, whose values lie in (0, 1)."),
    (lambda x, h, p: _f_torch(x, h, p, transpose_hh=False),
     "The f block of weight_hh is used without its transpose: h_prev (B, H) @ weight_hh[rows].T."),
]

FORGET_GATE_TORCH_ERROR_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "A matrix product has mismatched shapes. The f block of weight_ih is (H, D) and of weight_hh (H, H):\n"
     "x_t (B, D) @ weight_ih[rows].T and h_prev (B, H) @ weight_hh[rows].T are both (B, H)."),
    (("could not be broadcast",),
     "Arrays of different shapes were added: did you take the f rows of every array?\n"
     "The bias blocks bias_ih[rows], bias_hh[rows] have H entries, like each product's rows."),
]


def _torch_cases():
    """(x_t, h_prev, params) for (B, D, H), weights doubled so that both biases and every slip show."""
    rng = np.random.default_rng(57)
    cases = []
    for B, D, H in [(2, 4, 3), (1, 2, 5), (3, 3, 3)]:
        params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
        cases.append((rng.normal(size=(B, D)), rng.normal(size=(B, H)), params))
    return cases


def check_forget_gate_torch(fn):
    """Check a reader's ``forget_gate_torch(x_t, h_prev, params) -> f_t`` (B, H), params in torch's layout."""
    cases = _torch_cases()
    passed, messages = compare_to_reference(fn, _torch_reference, cases, FORGET_GATE_TORCH_MISTAKES,
                                            what="your forget_gate_torch", expected_letters="(B, H)",
                                            arg_names=("x_t", "h_prev", "params"))
    messages = with_order_hint(fn, _torch_reference, cases, "your forget_gate_torch", "x_t, h_prev, params",
                               passed, messages, FORGET_GATE_TORCH_ERROR_HINTS)
    return report("forget_gate_torch: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 3 (slider): a memory half-life between 20 and 60 steps -------------------------------------

HALF_LIFE_BAND = (20.0, 60.0)  # steps
HALF_LIFE_SLIDERS = {"b_f": [-2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0]}


def half_life_verdict(b_f):
    """(passed, messages): with small weights, f = sigmoid(b_f); does a stored value halve after 20 to 60 steps?"""
    if getattr(b_f, "ndim", None) == 0 and hasattr(b_f, "item"):  # a 0-d numpy array or torch tensor
        b_f = b_f.item()
    if not is_number(b_f) or not np.isfinite(b_f):
        return False, [f"b_f should be a finite number, got {b_f!r}."]
    f = float(sigmoid(float(b_f)))
    n = float(half_life(np.float64(f))) if f > 0 else 0.0  # f = 0 for b_f below about -37: erased at once
    lo, hi = HALF_LIFE_BAND
    head = f"b_f = {float(b_f):g}: f = sigmoid(b_f) = {f:.4f}, so a stored value halves after {n:.1f} steps"
    if lo <= n <= hi:
        return True, [head + f", within [{lo:g}, {hi:g}]."]
    if n < lo:
        return False, [head + f", fewer than {lo:g}: raise b_f.\n"
                       "Once b_f is above about 2, each +1 multiplies the half-life by about e = 2.7."]
    return False, [head + f", more than {hi:g}:\n"
                       f"the target asks for a memory that still fades within {hi:g} steps. Lower b_f."]


check_half_life, half_life_feedback = slider_checkers(
    "half-life", half_life_verdict,
    "Print whether the forget bias b_f gives a memory half-life between 20 and 60 steps; return the Verdict.")

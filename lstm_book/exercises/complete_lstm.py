"""Checkers for the chapter "The complete LSTM".

Two code exercises: one LSTM step in torch's fused layout, ``my_lstm_step(x_t, h_prev, c_prev, params) ->
(h_t, c_t)`` (`check_lstm_step`; the reference is the (h_t, c_t) of `lstm_lib.lstm.lstm_step`, which also
returns its cache), and the parameter count of ``torch.nn.LSTM(D, H)``, ``lstm_param_count(D, H)``
(`check_param_count`); and a slider exercise on the hand-built memory cell of
`lstm_book.experiments.memory_cell`, which must store, keep and overwrite a value (`check_memory`, with
`memory_feedback` as the slider's verdict).
"""
import itertools

import numpy as np

from lstm_book.experiments.memory_cell import MEMORY_TARGET, memory_trace
from lstm_lib.gates import sigmoid
from lstm_lib.lstm import init_lstm_params, lstm_step

from .feedback import call_safely, is_number, matching_hints, not_callable, report, slider_checkers

# --- exercise 1: one step in torch's fused layout ---------------------------------------------------------


def _step(x, h, c, p, order="ifgo", b_ih=1.0, b_hh=1.0, both_in_each=False, gate_act=sigmoid, g_act=np.tanh,
          h_act=np.tanh, forget=True, write="ig", c_in=None, h_from="c_t", transpose_ih=True):
    """One LSTM step with the usual slips as switches -> (h_t, c_t); the defaults give torch's step.

    order: the names the reader gave the four row blocks of z, top to bottom (torch: "ifgo").
    """
    W_ih = p["weight_ih"].T if transpose_ih else p["weight_ih"]
    if both_in_each:  # b_ih + b_hh added to each partial sum
        b = p["bias_ih"] + p["bias_hh"]
        z = (x @ W_ih + b) + (h @ p["weight_hh"].T + b)
    else:
        z = x @ W_ih + b_ih * p["bias_ih"] + h @ p["weight_hh"].T + b_hh * p["bias_hh"]  # (B, 4H)
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    i, f, o = (gate_act(blocks[k]) for k in "ifo")
    g = g_act(blocks["g"])
    c_prev = c if c_in is None else c_in
    new = {"ig": i * g, "g": g, "i": i}[write]
    c_t = f * c_prev + new if forget else new
    c_out = c_t if h_from == "c_t" else c
    h_t = o * h_act(c_out) if h_act is not None else o * c_out
    return h_t, c_t


def _named_order(order):
    return ", ".join(order)


def _order_slips():
    """Every other reading of the four blocks; cs231n's and Karpathy's i, f, o, g gets its own words."""
    slips = [(lambda x, h, c, p: _step(x, h, c, p, order="ifog"),
              "The gate blocks are read in the order i, f, o, g (as in cs231n and Karpathy's code).\n"
              "torch stacks them as i, f, g, o: the candidate g is the third block (rows 2H to 3H),\n"
              "the output gate o the fourth (rows 3H to 4H).")]
    for perm in itertools.permutations("ifgo"):
        order = "".join(perm)
        if order in ("ifgo", "ifog"):
            continue
        slips.append((lambda x, h, c, p, order=order: _step(x, h, c, p, order=order),
                      f"The gate blocks are read in the order {_named_order(order)}. torch stacks them as\n"
                      "i, f, g, o: rows 0 to H are i, H to 2H f, 2H to 3H g, 3H to 4H o."))
    return slips


# (wrong version of the step -> (h_t, c_t), what that slip looks like in words)
LSTM_STEP_MISTAKES = _order_slips()[:1] + [
    (lambda x, h, c, p: _step(x, h, c, p, b_ih=2.0, b_hh=0.0),
     "bias_ih is added twice and bias_hh not at all: add each of the two biases once."),
    (lambda x, h, c, p: _step(x, h, c, p, b_ih=0.0, b_hh=2.0),
     "bias_hh is added twice and bias_ih not at all: add each of the two biases once."),
    (lambda x, h, c, p: _step(x, h, c, p, both_in_each=True),
     "The bias is counted twice: bias_ih + bias_hh is added to each of the two partial sums\n"
     "(the x part and the h part). Together they need each bias once:\n"
     "x_t @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh."),
    (lambda x, h, c, p: _step(x, h, c, p, b_ih=2.0),
     "bias_ih is counted twice: torch adds bias_ih once and bias_hh once."),
    (lambda x, h, c, p: _step(x, h, c, p, b_hh=2.0),
     "bias_hh is counted twice: torch adds bias_ih once and bias_hh once."),
    (lambda x, h, c, p: _step(x, h, c, p, b_hh=0.0),
     "bias_hh is missing: torch adds two biases, bias_ih and bias_hh (only their sum matters)."),
    (lambda x, h, c, p: _step(x, h, c, p, b_ih=0.0),
     "bias_ih is missing: torch adds two biases, bias_ih and bias_hh (only their sum matters)."),
    (lambda x, h, c, p: _step(x, h, c, p, b_ih=0.0, b_hh=0.0),
     "Both biases are missing."),
    (lambda x, h, c, p: _step(x, h, c, p, g_act=sigmoid),
     "The candidate g goes through a sigmoid: it is tanh(z_g), values in (-1, 1),\n"
     "so that the cell can be pushed down as well as up. Only i, f and o are sigmoids."),
    (lambda x, h, c, p: _step(x, h, c, p, h_act=sigmoid),
     "h_t = o * sigmoid(c_t): the cell state is squashed with tanh, h_t = o * tanh(c_t),\n"
     "so that h_t keeps the sign of c_t."),
    (lambda x, h, c, p: _step(x, h, c, p, g_act=sigmoid, h_act=sigmoid),
     "sigmoid is used where tanh belongs, twice: the candidate is g = tanh(z_g),\n"
     "and the output is h_t = o * tanh(c_t)."),
    (lambda x, h, c, p: _step(x, h, c, p, gate_act=np.tanh),
     "The gates i, f, o go through tanh: a gate is a sigmoid, a valve between 0 and 1."),
    (lambda x, h, c, p: _step(x, h, c, p, gate_act=np.tanh, g_act=sigmoid),
     "sigmoid and tanh are swapped: i, f, o are sigmoids, the candidate g is a tanh."),
    (lambda x, h, c, p: _step(x, h, c, p, h_act=None),
     "h_t = o * c_t: the tanh is missing, h_t = o * tanh(c_t)."),
    (lambda x, h, c, p: _step(x, h, c, p, forget=False),
     "The forget term is missing: c_t = f * c_prev + i * g. Without f * c_prev the cell\n"
     "forgets everything at every step."),
    (lambda x, h, c, p: _step(x, h, c, p, write="g"),
     "The input gate is missing from the write: c_t = f * c_prev + i * g."),
    (lambda x, h, c, p: _step(x, h, c, p, write="i"),
     "The candidate is missing from the write: c_t = f * c_prev + i * g."),
    (lambda x, h, c, p: _step(x, h, c, p, c_in=h),
     "The forget gate multiplies h_prev: it acts on the previous *cell* state, f * c_prev."),
    (lambda x, h, c, p: _step(x, h, c, p, h_from="c_prev"),
     "h_t is computed from c_prev: compute the new cell state c_t first, then h_t = o * tanh(c_t)."),
    (lambda x, h, c, p: _step(x, h, c, p, transpose_ih=False),
     "weight_ih is used without its transpose: x_t (B, D) @ weight_ih.T (D, 4H)."),
] + _order_slips()[1:]

LSTM_STEP_ERROR_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "A matrix product has mismatched shapes. Rows are examples: x_t (B, D) @ weight_ih.T (D, 4H)\n"
     "and h_prev (B, H) @ weight_hh.T (H, 4H) are both (B, 4H); check the transposes."),
    (("equal division",),
     "np.split(z, 4) splits along axis 0, the batch. The gates lie side by side along axis 1:\n"
     "np.split(z, 4, axis=1), or slices z[:, :H], z[:, H:2*H], ..."),
    (("could not be broadcast",),
     "Arrays of different shapes were combined. z = ... has shape (B, 4H); split it into four (B, H)\n"
     "blocks along axis 1 before combining the gates with c_prev (B, H)."),
]

_TRANSPOSE_PROBES = [
    ({"weight_hh"}, "weight_hh is used without its transpose: h_prev (B, H) @ weight_hh.T (H, 4H).\n"
                    "weight_hh is stored as (4H, H), one row per gate unit, as in torch."),
    ({"weight_ih"}, "weight_ih is used without its transpose: x_t (B, D) @ weight_ih.T (D, 4H).\n"
                    "weight_ih is stored as (4H, D), one row per gate unit, as in torch."),
    ({"weight_ih", "weight_hh"}, "Both weights are used without their transposes: x_t @ weight_ih.T and\n"
                                 "h_prev @ weight_hh.T; torch stores them as (4H, D) and (4H, H)."),
]


def step_cases():
    """(x_t, h_prev, c_prev, params) for (B, D, H); (3, 4, 1) has D = 4H, so weight_ih is square."""
    rng = np.random.default_rng(2000)
    cases = []
    for B, D, H in [(2, 3, 2), (3, 4, 1), (1, 5, 3)]:
        params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}  # larger: every slip shows
        cases.append((rng.normal(size=(B, D)), rng.uniform(-0.9, 0.9, size=(B, H)), rng.normal(size=(B, H)),
                      params))
    return cases


def _copies(args):
    x, h, c, p = args
    return x.copy(), h.copy(), c.copy(), {k: v.copy() for k, v in p.items()}


def _unpack_pair(result, shape):
    """The reader's (h_t, c_t) as float arrays, or (None, message) saying what is wrong."""
    if result is None:
        return None, "your my_lstm_step returned None. Did you forget the `return` statement?"
    if not isinstance(result, (tuple, list)):
        kind = (f"one array of shape {np.shape(result)}" if isinstance(result, np.ndarray)
                else f"a {type(result).__name__}")
        return None, f"your my_lstm_step returned {kind}; return the tuple (h_t, c_t)."
    if len(result) != 2:
        return None, f"your my_lstm_step returned {len(result)} items; return exactly two: (h_t, c_t)."
    out = []
    for n, (name, value) in enumerate(zip(("h_t", "c_t"), result), 1):
        if value is None:
            return None, f"{name} (item {n} of the tuple) is None."
        arr, problem = _as_float_array(name, value)
        if problem:
            return None, problem
        if arr.shape != shape:
            return None, f"{name} has shape {arr.shape}; it must have shape (B, H) = {shape}."
        out.append(arr)
    return out, None


def _as_float_array(name, value):
    """One of the reader's results as a float64 array (numpy, list, float32, torch tensor), or (None, message)."""
    try:
        if getattr(value, "requires_grad", False):  # a torch tensor in a graph: np.asarray would raise
            value = value.detach()
        arr = np.asarray(value)
    except Exception:  # whatever the reader returned, the checker explains instead of raising
        arr = None
    if arr is not None and np.iscomplexobj(arr):
        return None, f"{name} has complex entries; h_t and c_t are real."
    try:
        return arr.astype(np.float64), None
    except Exception:  # strings, objects, None inside a list
        return None, f"{name} is a {type(value).__name__}, not an array of numbers."


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8)


def _slip_hints(args, h_got, c_got):
    hints = []
    for slip, hint in LSTM_STEP_MISTAKES:
        try:
            h_s, c_s = slip(*args)
        except Exception:  # a slip that does not apply to these shapes
            continue
        if _close(h_got, np.asarray(h_s)) and _close(c_got, np.asarray(c_s)) and hint not in hints:
            hints.append(hint)
    return hints


def _probe_transposes(fn, args, expected):
    """When the reader's step raised: does it work, and give the right numbers, with a weight transposed?"""
    x, h, c, p = _copies(args)
    for keys, hint in _TRANSPOSE_PROBES:
        probe = {k: (v.T.copy() if k in keys else v) for k, v in p.items()}
        result, error = call_safely(fn, x, h, c, probe)
        if error or not isinstance(result, (tuple, list)) or len(result) != 2:
            continue
        pair = [_as_float_array("", r)[0] for r in result]
        if any(a is None for a in pair):
            continue
        if all(_close(a, b) for a, b in zip(pair, expected)):
            return [hint]
    return []



def _check_one_case(fn, n, args):
    """(passed, messages) for one case."""
    x, h, c, p = args
    expected = lstm_step(x, h, c, p)[:2]  # (h_t, c_t); lstm_step also returns its cache
    result, error = call_safely(fn, *_copies(args))
    if error:
        shapes = (f"The inputs had shapes: x_t {x.shape}, h_prev {h.shape}, c_prev {c.shape}, weight_ih "
                  f"{p['weight_ih'].shape}, weight_hh {p['weight_hh'].shape}, bias_ih {p['bias_ih'].shape}.")
        hints = _probe_transposes(fn, args, expected) or matching_hints(error, LSTM_STEP_ERROR_HINTS)
        return False, [f"Case {n}: your my_lstm_step raised {error}", shapes, *hints]
    pair, problem = _unpack_pair(result, h.shape)
    if problem:
        return False, [f"Case {n}: {problem}"]
    h_got, c_got = pair
    if not (np.all(np.isfinite(h_got)) and np.all(np.isfinite(c_got))):
        return False, [f"Case {n}: the result contains NaN or infinity."]
    h_ok, c_ok = _close(h_got, expected[0]), _close(c_got, expected[1])
    if h_ok and c_ok:
        return True, []
    if _close(h_got, expected[1]) and _close(c_got, expected[0]):
        return False, [f"Case {n}: the two results are swapped: return (h_t, c_t), the hidden state first,\n"
                       "as torch.nn.LSTMCell does (lstm_lib.lstm.lstm_step too, before its cache)."]
    which = ("c_t is right, h_t is not" if c_ok else "h_t is right, c_t is not" if h_ok
             else "both h_t and c_t differ from the reference")
    worst = max(float(np.max(np.abs(h_got - expected[0]))), float(np.max(np.abs(c_got - expected[1]))))
    hints = _slip_hints(args, h_got, c_got)
    if not hints and _slip_hints(args, c_got, h_got):
        hints = ["The two results are swapped (return (h_t, c_t)), and there is one more slip:"] + \
            _slip_hints(args, c_got, h_got)
    return False, [f"Case {n}: the shapes are right but {which} (largest difference {worst:.3g}).",
                   *(hints or ["No common slip matches; compare your code with the six equations term by term."])]


def check_lstm_step(fn):
    """Check a reader's ``my_lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)`` against `lstm_step`."""
    title = "my_lstm_step: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = step_cases()
    for n, args in enumerate(cases, 1):
        passed, messages = _check_one_case(fn, n, args)
        if not passed:
            return report(title + "not yet", messages, False)
    return report(title + "correct",
                  [f"All {len(cases)} cases match the (h_t, c_t) of lstm_lib.lstm.lstm_step\n"
                   "(and so torch.nn.LSTMCell)."], True)


# --- exercise 2: the parameter count ------------------------------------------------------------------------

COUNT_CASES = [(4, 3), (1, 1), (10, 20), (3, 7), (300, 128)]  # (D, H): D != H mostly, so a swap shows


def torch_param_count(D, H):
    """sum(p.numel() for p in torch.nn.LSTM(D, H).parameters()), on the meta device (no memory, no RNG)."""
    import torch

    return sum(p.numel() for p in torch.nn.LSTM(D, H, device="meta").parameters())


PARAM_COUNT_MISTAKES = [
    (lambda D, H: 4 * (H * (D + H) + H),
     "This is 4(H(D + H) + H), the count with one bias per gate. torch stores two, bias_ih and\n"
     "bias_hh, each of 4H numbers: 4H(D + H) + 8H."),
    (lambda D, H: 4 * H * (D + H),
     "The biases are missing: bias_ih and bias_hh hold 4H numbers each."),
    (lambda D, H: 4 * H * (D + H) + 2 * H,
     "The biases hold 4H numbers each, one per row of the fused weights (four gates times H)."),
    (lambda D, H: H * (D + H) + 2 * H,
     "This is the vanilla RNN's count. The LSTM has four blocks (i, f, g, o), each the size of the RNN's\n"
     "weights and biases: multiply by 4."),
    (lambda D, H: H * (D + H) + H,
     "This is one gate's weights and bias. The LSTM has four gate blocks, and torch two biases per block."),
    (lambda D, H: 4 * H * D + 8 * H,
     "weight_hh is missing: it holds 4H x H numbers."),
    (lambda D, H: 4 * H * H + 8 * H,
     "weight_ih is missing: it holds 4H x D numbers."),
    (lambda D, H: 4 * D * (D + H) + 8 * D,
     "D and H are swapped: the function takes (D, H), input size first."),
    (lambda D, H: 4 * (D + H) ** 2 + 8 * H,
     "The weights are not square: weight_ih is (4H, D) and weight_hh (4H, H)."),
]


def check_param_count(fn):
    """Check a reader's ``lstm_param_count(D, H)`` against the parameters of ``torch.nn.LSTM(D, H)``."""
    title = "lstm_param_count: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    for D, H in COUNT_CASES:
        want = torch_param_count(D, H)
        got, error = call_safely(fn, D, H)
        if error:
            return report(title + "not yet", [f"lstm_param_count({D}, {H}) raised {error}"], False)
        if got is None:
            return report(title + "not yet",
                          [f"lstm_param_count({D}, {H}) returned None. Did you forget the `return` statement?"], False)
        if not is_number(got) or not np.isfinite(got):
            return report(title + "not yet",
                          [f"lstm_param_count({D}, {H}) returned {got!r}; return a whole number."], False)
        if got != want:
            hints = [hint for wrong, hint in PARAM_COUNT_MISTAKES if wrong(D, H) == got]
            return report(title + "not yet",
                          [f"lstm_param_count({D}, {H}) returned {got:g}; torch.nn.LSTM({D}, {H}) has {want}.",
                           *(hints or ["Count each of the four arrays: weight_ih (4H, D), weight_hh (4H, H), "
                                       "bias_ih (4H,), bias_hh (4H,)."])], False)
    sizes = ", ".join(f"({D}, {H})" for D, H in COUNT_CASES)
    return report(title + "correct", [f"Matches torch.nn.LSTM(D, H) for (D, H) = {sizes}."], True)


# --- exercise 3 (slider): a memory that stores, keeps and overwrites ----------------------------------------
# The cell, its sequence and its three tests live in lstm_book.experiments.memory_cell: one unit, a write
# weight w that opens the input gate and closes the forget gate on a write, and a forget bias b_f that keeps
# the cell between writes.

MEMORY_SLIDERS = {"b_f": [0.0, 2.0, 4.0, 5.0, 6.0, 8.0], "w": [0.0, 4.0, 8.0, 12.0, 16.0]}  # 10 of 30 pass


def _as_setting(name, value):
    if not is_number(value):
        return None, f"{name} should be a number, got {value!r}."
    if not np.isfinite(value):
        return None, f"{name} should be a finite number, got {value!r}."
    return float(value), None


def memory_verdict(b_f, w):
    """(passed, messages): does the cell store the value written at step 2, keep it, and replace it at step 16?

    Passed means |c_2 - g_2| <= 0.1 (the write stores the candidate), |c_12 - c_2| <= 0.2 |c_2| (kept through
    10 steps of distractors) and |c_16 - g_16| <= 0.1 (the second write replaces the old value).
    """
    values = {}
    for name, value in (("b_f", b_f), ("w", w)):
        values[name], problem = _as_setting(name, value)
        if problem:
            return False, [problem]
    b_f, w = values["b_f"], values["w"]
    tr = memory_trace(b_f, w)
    tgt = MEMORY_TARGET
    s, k, o = tgt["store_step"], tgt["store_step"] + tgt["hold_steps"], tgt["overwrite_step"]
    c_s, g_s, c_k = tr["c"][s - 1], tr["g"][s - 1], tr["c"][k - 1]
    if abs(c_s - g_s) > tgt["write_tol"]:
        return False, [f"Does not store: the write at step {s} proposes g = {g_s:.3f} but the cell holds "
                       f"c_{s} = {c_s:.3f}.\nOn a write the input gate is i = sigmoid(w/2) = {tr['i'][s - 1]:.3f}:"
                       " raise the write weight w."]
    f_keep, i_leak = float(sigmoid(b_f)), float(sigmoid(-w / 2))
    if abs(c_k - c_s) > tgt["hold_tol"] * abs(c_s):
        kept = f_keep ** tgt["hold_steps"]
        if abs(kept - 1) > tgt["hold_tol"]:
            return False, [f"Forgets: c_{k} = {c_k:.3f} after {tgt['hold_steps']} steps, from c_{s} = {c_s:.3f}.\n"
                           f"Between writes f = sigmoid(b_f) = {f_keep:.3f}, and {f_keep:.3f}^{tgt['hold_steps']}"
                           f" = {kept:.3f}.\nRaise the forget bias b_f."]
        return False, [f"Distractors leak in: c_{k} = {c_k:.3f}, from c_{s} = {c_s:.3f}.\n"
                       f"Between writes the input gate is i = sigmoid(-w/2) = {i_leak:.3f}, so every distractor"
                       " writes a little.\nRaise the write weight w."]
    c_o, g_o = tr["c"][o - 1], tr["g"][o - 1]
    if abs(c_o - g_o) > tgt["write_tol"]:
        return False, [f"Does not overwrite: the write at step {o} proposes g = {g_o:.3f}, the cell holds "
                       f"c_{o} = {c_o:.3f}.\nOn a write f = sigmoid(b_f - w) = {tr['f'][o - 1]:.3f} keeps part of "
                       "the old value:\nraise w (or lower b_f) so that the write erases it."]
    return True, [f"A memory: c_{s} = {c_s:+.3f} stored, c_{k} = {c_k:+.3f} kept, "
                  f"c_{o} = {c_o:+.3f} after the overwrite (g = {g_o:+.3f})."]


check_memory, memory_feedback = slider_checkers(
    "memory", memory_verdict,
    "Print whether the hand-built cell with forget bias b_f and write weight w works as a memory.")


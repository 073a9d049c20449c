"""Checkers for the chapter "The recurrent cell".

Three exercises: write one step (`check_rnn_step`) and the loop over time (`check_rnn_forward`), and
set the two weights of a one-unit latch with sliders (`check_latch`, with `latch_feedback` as the
slider's verdict). The reader's step returns h_t alone and the reader's loop h alone; the references
are the library's `rnn_step` and `rnn_forward` with their caches set aside.
"""
import copy

import numpy as np

from lstm_book.experiments.recurrent_cell import latch_response, resting_point
from lstm_lib.gates import sigmoid
from lstm_lib.rnn import init_rnn_params, rnn_forward, rnn_step

from .feedback import (
    call_safely,
    compare_to_reference,
    error_hints,
    is_number,
    leaves_inputs_alone,
    report,
    slider_checkers,
)

# --- Exercise: one step ------------------------------------------------------------------------------


def _step_h(x_t, h_prev, params):
    """The reference: h_t of `lstm_lib.rnn.rnn_step`, without its cache."""
    return rnn_step(x_t, h_prev, params)[0]


def _pre(x, h, p, b_ih=1.0, b_hh=1.0):
    return x @ p["weight_ih"].T + b_ih * p["bias_ih"] + h @ p["weight_hh"].T + b_hh * p["bias_hh"]


def _one_matrix(x, h, p):
    """[x_t, h_prev] against [weight_hh, weight_ih]: the blocks of the two concatenations do not meet."""
    W_cat = np.concatenate([p["weight_hh"], p["weight_ih"]], axis=1)
    return np.tanh(np.concatenate([x, h], axis=1) @ W_cat.T + p["bias_ih"] + p["bias_hh"])


# (wrong version of the step, what that slip looks like in words)
RNN_STEP_MISTAKES = [
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_ih=0)),
     "It looks like bias_ih is missing: torch adds two biases, bias_ih and bias_hh."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_hh=0)),
     "It looks like bias_hh is missing: torch adds two biases, bias_ih and bias_hh."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, 0, 0)), "It looks like both biases are missing."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, 2, 0)), "It looks like bias_ih is added twice and bias_hh not at all."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_hh=2)),
     "It looks like bias_hh is added twice: torch adds each of its two biases once,\n"
     "x_t @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh."),
    (lambda x, h, p: np.tanh(_pre(x, h, p, b_ih=2)),
     "It looks like bias_ih is added twice: torch adds each of its two biases once,\n"
     "x_t @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh."),
    (lambda x, h, p: sigmoid(_pre(x, h, p)),
     "This is sigmoid(...): the vanilla RNN squashes with tanh, whose range is (-1, 1)."),
    (lambda x, h, p: np.maximum(_pre(x, h, p), 0), "This is relu(...): the RNN of this chapter uses tanh."),
    (lambda x, h, p: _pre(x, h, p), "The nonlinearity is missing: apply np.tanh to the sum."),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"] + p["bias_ih"] + p["bias_hh"]),
     "weight_hh is used without its transpose: h_prev (B, H) multiplies weight_hh.T."),
    (lambda x, h, p: np.tanh(h @ p["weight_ih"].T + x @ p["weight_hh"].T + p["bias_ih"] + p["bias_hh"]),
     "The weights are swapped: weight_ih multiplies the input x_t, weight_hh the previous state h_prev."),
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + p["bias_ih"]) + np.tanh(h @ p["weight_hh"].T + p["bias_hh"]),
     "tanh is applied to each part separately: add the two parts first, then apply tanh once to the sum."),
    (_one_matrix,
     "The concatenations do not match: [h_prev, x_t] goes with [weight_hh, weight_ih],\n"
     "in the same order (or [x_t, h_prev] with [weight_ih, weight_hh])."),
]

# (words in numpy's error message, what that usually means here)
RNN_STEP_ERROR_HINTS = [
    (("matmul", "not aligned"),
     "A matrix product has mismatched shapes. Rows are examples: x_t (B, D) @ weight_ih.T (D, H)\n"
     "and h_prev (B, H) @ weight_hh.T (H, H) are both (B, H); check the transposes."),
    (("could not be broadcast",),
     "Arrays of different shapes were added or multiplied element-wise. Use @ for the matrix products:\n"
     "each gives (B, H), and the biases (H,) then add to every row."),
]


def _cases():
    rng = np.random.default_rng(1234)
    cases = []
    for B, D, H in [(2, 3, 4), (1, 4, 4), (3, 2, 5)]:  # (1, 4, 4) is square, so order slips show in the values
        params = init_rnn_params(D, H, rng)
        params = {k: v * 2.0 for k, v in params.items()}  # larger weights, so biases and tanh matter
        cases.append((rng.normal(size=(B, D)), rng.normal(size=(B, H)), params))
    return cases


def _on_copies(fn):
    """fn called on copies of its arguments, so that an answer writing into them cannot change a case."""
    if not callable(fn):
        return fn  # compare_to_reference explains
    return lambda *args: fn(*copy.deepcopy(args))


def check_rnn_step(fn):
    """Check a reader's ``rnn_step(x_t, h_prev, params) -> h_t`` against h_t of `lstm_lib.rnn.rnn_step`;
    the caller's arrays must be left unchanged."""
    names = ("x_t", "h_prev", "params")
    passed, messages = compare_to_reference(_on_copies(fn), _step_h, _cases(), RNN_STEP_MISTAKES,
                                            what="your rnn_step", expected_letters="(B, H)", arg_names=names)
    passed, messages = leaves_inputs_alone(fn, passed, messages, _cases(), names, "your rnn_step")
    messages += error_hints(messages, RNN_STEP_ERROR_HINTS)
    return report("rnn_step: " + ("correct" if passed else "not yet"), messages, passed)


# --- Exercise: the loop over time ----------------------------------------------------------------------

def _forward_h(x, h0, params):
    """The reference: h of `lstm_lib.rnn.rnn_forward`, without its cache."""
    return rnn_forward(x, h0, params)[0]


def _loop(x, h0, params, keep_state=True, store_prev=False):
    """The usual slips of the loop: never updating h_prev, or storing h_{t-1} instead of h_t."""
    h, h_prev = [], h0
    for x_t in x:
        h_t, _ = rnn_step(x_t, h_prev if keep_state else h0, params)
        h.append(h_prev if store_prev else h_t)
        h_prev = h_t
    return np.stack(h)


RNN_FORWARD_MISTAKES = [
    (lambda x, h0, p: _loop(x, h0, p, keep_state=False),
     "Every step read h0: inside the loop, set h_prev = h_t,\nso that the next step reads the new state."),
    (lambda x, h0, p: _loop(x, h0, p, store_prev=True),
     "Your array starts with h0 and stops before h_T:\n"
     "each entry is the state *before* its step. Store the new state h_t, not h_prev."),
    (lambda x, h0, p: _forward_h(x, np.zeros_like(h0), p),
     "h0 is ignored: the first step must read the given h0, not zeros."),
    (lambda x, h0, p: _forward_h(x[::-1], h0, p)[::-1],
     "The loop runs backward in time: x[0], step 1, comes first."),
    (lambda x, h0, p: _forward_h(x[::-1], h0, p),
     "The loop runs backward in time: x[0], step 1, comes first."),
    (lambda x, h0, p: np.broadcast_to(_forward_h(x, h0, p)[-1], (len(x),) + h0.shape),
     "Every entry is the last state h_T: your list holds the same array T times (aliasing).\n"
     "Writing into it, h_prev[:] = ... (or +=, out=), changes every entry that refers to it;\n"
     "make a new array at each step, h_prev = ..., or store h_prev.copy()."),
    (lambda x, h0, p: _forward_h(np.roll(x, 1, axis=0), h0, p),
     "Step t read x[t-1]: the first step read x[-1], which Python takes from the end (the last input).\n"
     "With for t in range(T), step t reads x[t]."),
]


def _forward_cases():
    rng = np.random.default_rng(4321)
    cases = []
    for T, B, D, H in [(5, 2, 3, 4), (1, 1, 2, 3), (7, 3, 4, 4)]:  # T = 1 catches an off-by-one of the loop
        params = {k: v * 2.0 for k, v in init_rnn_params(D, H, rng).items()}
        cases.append((rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), params))
    return cases


def _forward_shape_hint(fn, case):
    """A specific hint when the first case returns the shape of a known slip; None otherwise."""
    result, error = call_safely(fn, *case)
    if error or result is None or isinstance(result, tuple):
        return None  # compare_to_reference explains these
    x, h0 = case[0], case[1]
    T, (B, H) = x.shape[0], h0.shape
    shape = np.shape(result)
    if shape == (B, H):
        return (f"Your rnn_forward returned one state of shape (B, H) = {shape}:\nkeep every h_t in a list "
                f"and return np.stack(...), of shape (T, B, H) = {(T, B, H)}.")
    if shape == (T + 1, B, H):
        return (f"Your rnn_forward returned T + 1 = {T + 1} states:\nh0 is the starting point, not an output; "
                f"return h_1 ... h_T, shape (T, B, H) = {(T, B, H)}.")
    if shape == (T - 1, B, H):
        return (f"Your rnn_forward returned T - 1 = {T - 1} states: the loop skips a step.\n"
                f"Run it over every x_t (for x_t in x, or range(T)) to get (T, B, H) = {(T, B, H)}.")
    return None


RNN_FORWARD_ERROR_HINTS = [
    (("could not broadcast input array",),
     "A state h_t (B, H) did not fit the array you store it in. Shape that array (T, B, H),\n"
     "e.g. np.empty((len(x),) + h0.shape), not like x (T, B, D): the state has H features, the input D."),
    (("inhomogeneous", "got a tuple of 2 items"),
     "The library's rnn.rnn_step returns a pair (h_t, cache), not h_t alone: unpack it,\n"
     "h_t, _ = rnn.rnn_step(x_t, h_prev, params), and pass h_t on to the next step."),
]


def check_rnn_forward(fn):
    """Check a reader's ``rnn_forward(x, h0, params) -> h`` (T, B, H) against h of `lstm_lib.rnn.rnn_forward`;
    the caller's arrays must be left unchanged."""
    cases = _forward_cases()
    hint = _forward_shape_hint(_on_copies(fn), cases[0]) if callable(fn) else None
    if hint:
        return report("rnn_forward: not yet", ["Case 1: " + hint], False)
    names = ("x", "h0", "params")
    passed, messages = compare_to_reference(_on_copies(fn), _forward_h, cases, RNN_FORWARD_MISTAKES,
                                            what="your rnn_forward", expected_letters="(T, B, H)", arg_names=names)
    passed, messages = leaves_inputs_alone(fn, passed, messages, _forward_cases(), names, "your rnn_forward")
    messages += error_hints(messages, RNN_FORWARD_ERROR_HINTS)
    return report("rnn_forward: " + ("correct" if passed else "not yet"), messages, passed)


# --- Slider exercise: a one-unit latch ----------------------------------------------------------------
# The unit, its input and its resting point are in lstm_book.experiments.recurrent_cell. As a latch it
# should hold the sign of the latest pulse, firmly (|h| >= 0.5 at steps 15 and 30) and without saturating
# (|h| < 0.99).

LATCH_TARGET = {"hold_step": 15, "flip_step": 30, "level": 0.5, "saturation": 0.99}
# The stops of the chapter's two sliders: forgetting, not flipping and saturating all show up; 6 of 35 pass.
LATCH_SLIDERS = {"w_hh": [0.5, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0], "w_ih": [0.5, 1.0, 1.5, 2.0, 3.0]}


def _as_weight(name, value):
    if not is_number(value):
        return None, f"{name} should be a number, got {value!r}."
    if not np.isfinite(value):
        return None, f"{name} should be a finite number, got {value!r}."
    return float(value), None


def _too_weak(w_hh, what, step, value):
    """Why |h_step| stays below the target level, when the sign is right."""
    level = LATCH_TARGET["level"]
    head = f"{what}: h_{step} = {value:+.3f}, so |h_{step}| < {level}.\n"
    if w_hh <= 1:
        return head + "Without input, a 1-unit tanh RNN keeps a nonzero state only if w_hh > 1.\nRaise w_hh."
    h_star = resting_point(w_hh)
    if h_star < level:
        return head + (f"Without input the state settles at ±h* = ±{h_star:.3f}, where h* = tanh(w_hh h*).\n"
                       "Raise w_hh: h* grows with it.")
    return head + (f"The state is still on its way to its resting point ±{h_star:.3f}.\n"
                   "Raise w_ih, so that the pulse pushes it further.")


def latch_verdict(w_hh, w_ih):
    """(passed, messages): does the unit hold the sign of the latest pulse, firmly, without saturating?

    Passed means h_t > 0 for 1 <= t <= 15 with h_15 >= 0.5, h_t < 0 for 16 <= t <= 30 with h_30 <= -0.5,
    and |h_t| < 0.99 throughout.
    """
    values = {}
    for name, value in (("w_hh", w_hh), ("w_ih", w_ih)):
        values[name], problem = _as_weight(name, value)
        if problem:
            return False, [problem]
    w_hh = values["w_hh"]
    h = latch_response(w_hh, values["w_ih"])
    tgt = LATCH_TARGET
    hold_at, flip_at, flip_step = tgt["hold_step"], tgt["flip_step"], tgt["hold_step"] + 1
    hold, flip, peak = h[hold_at], h[flip_at], np.abs(h).max()
    if peak >= tgt["saturation"]:  # the first thing to fix: the advice below assumes a responsive unit
        first = int(np.argmax(np.abs(h) >= tgt["saturation"]))
        h_star, h_1 = resting_point(w_hh), np.tanh(values["w_ih"])
        if h_star >= tgt["saturation"]:
            fix = f"Lower w_hh: the state's own resting point h* = {h_star:.3f} is saturated."
        elif abs(h_1) >= tgt["saturation"]:
            fix = f"Lower w_ih: the pulse alone gives h_1 = tanh(w_ih) = {h_1:+.3f}."
        else:
            fix = "Lower w_ih (or w_hh)."
        return False, [f"Saturated: |h_t| reached {peak:.3f} >= {tgt['saturation']}, first at step {first}.\n"
                       f"There tanh is almost flat, so the unit barely responds.\n{fix}"]
    before = np.flatnonzero(h[1:flip_step] < 0) + 1  # steps 1..15 where the sign of the +1 pulse is lost
    after = np.flatnonzero(h[flip_step:] >= 0) + flip_step  # steps 16..30 that are not negative
    if before.size:
        t = int(before[0])
        cause = ("A negative w_hh flips the sign of the state at every step:\na latch needs w_hh > 1." if w_hh < 0
                 else "The +1 pulse must drive h_t up: w_ih must be positive.")
        return False, [f"Loses the sign of the +1 pulse: h_{t} = {h[t]:+.3f}.\n{cause}"]
    if hold < tgt["level"]:
        return False, [_too_weak(w_hh, "Forgets", hold_at, hold)]
    if after.size:
        t = int(after[0])
        return False, [f"Does not flip: h_{t} = {h[t]:+.3f} after the -1 pulse.\n"
                       "The -1 pulse cannot push the state across zero.\nRaise w_ih (or lower w_hh)."]
    if flip > -tgt["level"]:
        return False, [_too_weak(w_hh, "Flips, but weakly", flip_at, flip)]
    return True, [f"A latch: h_{hold_at} = {hold:+.3f}, h_{flip_at} = {flip:+.3f},\n"
                  f"and max |h_t| = {peak:.3f} < {tgt['saturation']}."]


check_latch, latch_feedback = slider_checkers(
    "latch", latch_verdict, "Print whether the 1-unit RNN with these weights works as a latch; return the Verdict.")

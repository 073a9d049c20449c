"""Checkers for the chapter "Backpropagation through an LSTM".

Three exercises: write the backward pass of one step, `lstm_step_backward(dh_t, dc_t, cache) ->
(dx_t, dh_prev, dc_prev, grads)` (`check_lstm_step_backward`); assemble the backward pass through a
sequence from a step backward, `my_lstm_backward(dh, step_caches, step_backward, dc_T=None) -> (dx,
dh0, dc0, grads)` (`check_lstm_backward`); and find with a slider the smallest forget-gate bias at
which 1 % of a gradient reaches the cell state 100 steps back (`check_forget_bias`, with
`forget_bias_feedback` as the slider's verdict). The references are `lstm_lib.lstm`'s own
`lstm_step_backward` and `lstm_backward`; the network of the slider is in
`lstm_book.experiments.lstm_backprop`.
"""
import copy

import numpy as np

from lstm_book.experiments.lstm_backprop import FORGET, forget_bias_ratio
from lstm_lib.gates import GATES, sigmoid
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_backward, lstm_forward, lstm_step, lstm_step_backward

from .feedback import (
    PARAM_KEYS,
    call_safely,
    changed_input,
    flatten_with_grads,
    is_number,
    matching_hints,
    not_callable,
    report,
    slider_checkers,
    unpack_with_grads,
)

CACHE_KEYS = ("x_t", "h_prev", "c_prev", "i", "f", "g", "o", "tanh_c", "params")
BLOCKS = "(rows: i 0..H-1, f H..2H-1, g 2H..3H-1, o 3H..4H-1)"


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8)


def _grad_letters(H, D):
    return {"weight_ih": ("(4H, D)", (4 * H, D)), "weight_hh": ("(4H, H)", (4 * H, H)),
            "bias_ih": ("(4H,)", (4 * H,)), "bias_hh": ("(4H,)", (4 * H,))}


def _listed(keys):
    """The output names, with the four arrays of grads said once when all four are listed."""
    grads = [k for k in keys if k.startswith("grads")]
    return ", ".join([k for k in keys if k not in grads]
                     + (["grads (all four arrays)"] if len(grads) == len(PARAM_KEYS) else grads))


def _where(got, want, H, gate_blocks=True):
    """Which outputs are right and which are not; with gate_blocks, which gate rows of weight_ih and bias_ih."""
    wrong = [k for k in want if not _close(got[k], want[k])]
    right = [k for k in want if k not in wrong]
    lines = [("Right: " + _listed(right) + ".\n" if right else "") + "Not right: " + _listed(wrong) + "."]
    keys = [k for k in ("grads['weight_ih']", "grads['bias_ih']") if k in wrong]
    blocks = {k: [g for g in GATES if not _close(got[k][gate_rows(g, H)], want[k][gate_rows(g, H)])] for k in keys}
    if gate_blocks and keys:
        gates = ", ".join(sorted(set().union(*blocks.values()), key=GATES.index))
        lines.append(f"{' and '.join(keys)} {'are' if len(keys) > 1 else 'is'} wrong in the rows of "
                     f"gate(s) {gates}\n{BLOCKS}.")
    return wrong, lines


def _slip_hints(slips, model, args, names, got, wrong):
    """The hint of every slip whose output equals at least one of the reader's wrong outputs."""
    hints, whole = [], []  # whole: the slips that reproduce every wrong output and every right one
    for slip, hint in slips:
        out = flatten_with_grads(names, model(*args, slip=slip))
        if any(_close(got[k], out[k]) for k in wrong):
            hints.append(hint)
            if all(_close(got[k], out[k]) for k in out):
                whole.append(hint)
    return whole or hints


# --- exercise 1: the backward pass of one step ------------------------------------------------------------

STEP_NAMES = ("dx_t", "dh_prev", "dc_prev")


def step_backward_with_slip(dh_t, dc_t, cache, slip=None):
    """One step back in the chapter's order and names; `slip` names one typical mistake to make on purpose."""
    x_t, h_prev, c_prev, i, f, g, o, tanh_c, params = (cache[k] for k in CACHE_KEYS)
    c = f * c_prev + i * g  # c_t, for the slips that use it where tanh(c_t) or c_(t-1) belongs
    slope_c = 1.0 - {"tanh_prime_of_c": c ** 2, "tanh_prime_of_c_prev": np.tanh(c_prev) ** 2}.get(slip, tanh_c ** 2)
    from_h = {"no_h_path": 0.0, "no_o_in_h_path": dh_t * slope_c}.get(slip, dh_t * o * slope_c)
    dc = (0.0 if slip == "no_belt_in" else dc_t) + from_h  # dL/dc_t: the belt and the path through h_t
    d_o = dh_t * (c if slip == "do_with_c" else tanh_c)
    d_i, d_g = (dc * i, dc * g) if slip == "swap_ig" else (dc * g, dc * i)
    d_f = dc * (c if slip == "df_with_c" else c_prev)
    dc_prev = {"no_forget": dc, "no_belt_out": np.zeros_like(dc), "dc_prev_of_dc_t": dc_t * f}.get(slip, dc * f)
    slope = {"sigmoid_as_s": lambda s: s, "tanh_prime_on_gates": lambda s: 1.0 - s ** 2}.get(
        slip, lambda s: s * (1.0 - s))  # sigma'(z) from the gate's value s = sigma(z)
    slope_g = {"sigmoid_prime_on_g": g * (1.0 - g), "tanh_twice": 1.0 - np.tanh(g) ** 2}.get(slip, 1.0 - g ** 2)
    blocks = {"i": d_i * slope(i), "f": d_f * slope(f), "g": d_g * slope_g, "o": d_o * slope(o)}
    if slip == "no_slopes":
        blocks = {"i": d_i, "f": d_f, "g": d_g, "o": d_o}
    order = ("i", "f", "o", "g") if slip == "order_ifog" else GATES
    dz = np.concatenate([blocks[k] for k in order], axis=1)  # (B, 4H)
    db = dz.mean(axis=0) if slip == "bias_mean" else dz.sum(axis=0)
    grads = {"weight_ih": dz.T @ x_t, "weight_hh": dz.T @ h_prev, "bias_ih": db,
             "bias_hh": np.zeros_like(db) if slip == "bias_hh_zero" else db.copy()}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc_prev, grads


# (slip name, what that slip is in words)
STEP_SLIPS = [
    ("no_forget", "dc_prev = dL/dc_t unchanged: the forget term is missing. On the way forward c_(t-1) enters\n"
                  "c_t multiplied by f_t, so on the way back dc_prev = dc * f (the belt scales by f_t)."),
    ("no_belt_out", "dc_prev is zero: the belt carries dc * f back to c_(t-1); that term is missing."),
    ("dc_prev_of_dc_t", "dc_prev = dc_t * f passes back only what arrived along the belt.\n"
                        "c_t also reaches the loss through h_t, so dc_prev = dc * f, with the total\n"
                        "dc = dc_t + dh_t * o * (1 - tanh_c**2)."),
    ("no_belt_in", "dL/dc_t misses dc_t, the gradient arriving along the belt from step t+1:\n"
                   "dc = dc_t + dh_t * o * (1 - tanh_c**2)."),
    ("no_h_path", "dL/dc_t misses the path through h_t: h_t = o_t * tanh(c_t) depends on c_t, so\n"
                  "dc = dc_t + dh_t * o * (1 - tanh_c**2), not dc_t alone."),
    ("no_o_in_h_path", "The factor o is missing in dc = dc_t + dh_t * o * (1 - tanh_c**2):\n"
                       "h_t = o_t * tanh(c_t), so dh_t/dc_t carries o_t."),
    ("tanh_prime_of_c", "1 - c_t^2 is not the slope here: c_t is not a tanh output, tanh(c_t) is.\n"
                        "Use 1 - tanh_c**2 (the cache holds tanh_c = tanh(c_t))."),
    ("tanh_prime_of_c_prev", "1 - tanh(c_prev)**2 takes tanh's slope at the previous cell state.\n"
                             "h_t = o_t * tanh(c_t) reads this step's c_t, so the slope is 1 - tanh_c**2\n"
                             "(the cache holds tanh_c = tanh(c_t))."),
    ("sigmoid_as_s", "The sigmoid's derivative is s * (1 - s), with s = sigma(z) the gate's value; you used s itself."),
    ("tanh_prime_on_gates", "1 - s^2 is the derivative of tanh; the gates i, f, o are sigmoids, whose slope\n"
                            "is s * (1 - s). Only the candidate g is a tanh."),
    ("sigmoid_prime_on_g", "The candidate g_t is a tanh, not a sigmoid: its slope is 1 - g^2, not g * (1 - g)."),
    ("tanh_twice", "g is already tanh(z_g): its slope is 1 - g^2, not 1 - tanh(g)^2."),
    ("swap_ig", "di and dg are swapped: c_t = f c_(t-1) + i g, so dL/di = dc * g and dL/dg = dc * i\n"
                "(each factor's gradient is the other factor)."),
    ("df_with_c", "dL/df = dc * c_prev, the previous cell state (the one f_t multiplies), not c_t."),
    ("do_with_c", "dL/do = dh_t * tanh_c: h_t = o_t * tanh(c_t); you used c_t without the tanh."),
    ("no_slopes", "dz is the gradient of the pre-activations: multiply each gate's gradient by its activation's\n"
                  "slope, s * (1 - s) for i, f, o and 1 - g^2 for g, before dz meets the weights."),
    ("order_ifog", "The blocks of dz are in the order i, f, o, g (the order of cs231n and Karpathy's code);\n"
                   "torch's layout, and lstm_lib's, is i, f, g, o."),
    ("bias_mean", "The bias gradients are averaged over the batch: sum dz over axis 0, as dz.T @ x_t sums\n"
                  "over the rows (any 1/B is already in the loss)."),
    ("bias_hh_zero", "grads['bias_hh'] is zero: both biases enter z_t as a plain sum, so both get dz.sum(axis=0)."),
]

STEP_ERROR_HINTS = [
    (("could not be broadcast",),
     "Arrays of different shapes were combined elementwise. Every quantity of one step is (B, H);\n"
     "only dz is (B, 4H): np.concatenate([dz_i, dz_f, dz_g, dz_o], axis=1)."),
    (("matmul",),
     "A matrix product has mismatched shapes: dx_t = dz @ W_ih is (B, 4H) @ (4H, D), dh_prev = dz @ W_hh,\n"
     "and grads['weight_ih'] = dz.T @ x_t is (4H, B) @ (B, D)."),
    (("KeyError",), f"The cache holds the keys {CACHE_KEYS}, with the weights in cache['params'];\n"
                    "c_t itself is not stored, tanh_c = tanh(c_t) is."),
]


def step_cases():
    """(dh_t, dc_t, cache) with gates well away from 1/2 and a cell state beyond tanh's linear range."""
    rng = np.random.default_rng(1997)
    cases = []
    for B, D, H in [(2, 3, 4), (1, 2, 3), (3, 4, 2)]:
        params = {k: 3.0 * v for k, v in init_lstm_params(D, H, rng).items()}
        _, _, cache = lstm_step(rng.normal(size=(B, D)), rng.normal(size=(B, H)), 2.0 * rng.normal(size=(B, H)),
                                params)
        cases.append((rng.normal(size=(B, H)), rng.normal(size=(B, H)), cache))
    return cases


def _step_count_hint(result):
    try:
        first = np.shape(result[0]) if len(result) else ()
    except ValueError:  # a ragged list
        first = ()
    try:
        second = np.shape(result[1]) if len(result) == 2 else ()
    except ValueError:
        second = ()
    if len(first) == 2 and len(second) == 2 and first[0] == second[0] and second[1] == 4 * first[1]:
        return ("The two items are swapped: the second has the shape of dz (B, 4H),\n"
                "the first that of dc_prev (B, H). And the step is not finished: from dz,\n"
                "dx_t = dz @ W_ih, dh_prev = dz @ W_hh and grads;\n"
                "return (dx_t, dh_prev, dc_prev, grads).")
    if len(result) == 2 and len(first) == 2 and first[1] % 4 == 0 and second[-1:] != first[-1:]:
        return ("If the first item is dz (B, 4H), finish the step: dx_t = dz @ W_ih, dh_prev = dz @ W_hh,\n"
                "and grads = {'weight_ih': dz.T @ x_t, 'weight_hh': dz.T @ h_prev, 'bias_ih': ..., 'bias_hh': ...}.")
    if len(result) > 4:
        return "Return the four parameter gradients as one dict, grads, keyed like params."
    return ""


def _swap_hint(result, B, H):
    """The feedback when the reader returned dz (B, 4H) where dc_prev (B, H) belongs; None otherwise."""
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        return None
    try:
        shapes = [np.shape(item) if not isinstance(item, dict) else None for item in result]
    except ValueError:  # a ragged list
        return None
    if shapes[2] != (B, 4 * H):
        return None
    return (f"the third item has shape (B, 4H) = {(B, 4 * H)}, the shape of dz:\n"
            "dz and dc_prev are swapped. dz stays inside the step (it gives dx_t, dh_prev\n"
            "and grads); return (dx_t, dh_prev, dc_prev, grads), with dc_prev = dc * f (B, H).")


def _step_verdict(fn):
    if not callable(fn):
        return False, [not_callable(fn)]
    cases = step_cases()
    for n, args in enumerate(cases, 1):
        dh_t, dc_t, cache = args
        (B, H), D = dh_t.shape, cache["x_t"].shape[1]
        result, error = call_safely(fn, dh_t.copy(), dc_t.copy(), copy.deepcopy(cache))  # copies: it may write
        if error:
            return False, [f"Case {n}: your lstm_step_backward raised {error}",
                           f"The inputs had shapes: dh_t {(B, H)}, dc_t {(B, H)}, cache['x_t'] {(B, D)},\n"
                           f"cache['params']['weight_ih'] {(4 * H, D)}, and every other cache entry {(B, H)}.",
                           *matching_hints(error, STEP_ERROR_HINTS)]
        shapes = {"dx_t": ("(B, D)", (B, D)), "dh_prev": ("(B, H)", (B, H)), "dc_prev": ("(B, H)", (B, H))}
        swap = _swap_hint(result, B, H)
        if swap:
            return False, [f"Case {n}: {swap}"]
        got, problem = unpack_with_grads(result, "lstm_step_backward", STEP_NAMES, shapes, _grad_letters(H, D),
                                         _step_count_hint, delta="dz")
        if problem:
            return False, [f"Case {n}: {problem}"]
        want = flatten_with_grads(STEP_NAMES, lstm_step_backward(*args))
        wrong, where = _where(got, want, H)
        if wrong:
            hints = (_slip_hints(STEP_SLIPS, step_backward_with_slip, args, STEP_NAMES, got, wrong)
                     or ["No common slip matches; go through the chapter's equations one by one."])
            return False, [f"Case {n}: the shapes are right but some values are not.", *where, *hints]
    return True, [f"All {len(cases)} cases match lstm_lib's lstm_step_backward: dx_t, dh_prev, dc_prev and grads."]


def check_lstm_step_backward(fn):
    """Check a reader's ``lstm_step_backward(dh_t, dc_t, cache) -> (dx_t, dh_prev, dc_prev, grads)``."""
    passed, messages = _step_verdict(fn)
    return report("lstm_step_backward: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2: the backward pass through a sequence ----------------------------------------------------

SEQUENCE_NAMES = ("dx", "dh0", "dc0")


def sequence_backward_with_slip(dh, step_caches, step_backward, dc_T=None, slip=None):
    """lstm_backward as a loop over `step_backward`; `slip` names one typical mistake to make on purpose."""
    T, (B, H) = len(step_caches), dh.shape[1:]
    order = range(T) if slip == "forward_in_time" else reversed(range(T))
    dh_next = dh[-1] if slip == "only_dh_next" else np.zeros((B, H))
    start = None if slip in ("dc_T_ignored", "dc_always_zero") else dc_T
    dc_next = np.zeros((B, H)) if start is None else start
    grads = {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}
    dx, first, entering = [None] * T, None, None
    for t in order:
        dh_t = {"only_dh_t": dh[t], "only_dh_next": dh_next}.get(slip, dh[t] + dh_next)
        if slip in ("no_dc_carry", "dc_always_zero") and t != T - 1:
            dc_next = np.zeros((B, H))
        entering = dh_t, dc_next  # what reaches h_t and c_t (belt) of the step just visited
        dx_t, dh_next, dc_next, step_grads = step_backward(dh_t, dc_next, step_caches[t])
        first = first or (dh_next, dc_next)
        dx[T - 1 - t if slip == "dx_reversed" else t] = dx_t
        for k in grads:
            if slip == "grads_last_visited" or (slip == "grads_first_visited" and t == T - 1):
                grads[k] = step_grads[k]
            elif slip != "grads_first_visited":
                grads[k] = grads[k] + step_grads[k]
    if slip == "grads_mean":
        grads = {k: v / T for k, v in grads.items()}
    dh0, dc0 = {"dh0_of_step_T": first, "dh0_is_dh1": entering}.get(slip, (dh_next, dc_next))
    return np.stack(dx), dh0, dc0, grads


SEQUENCE_SLIPS = [
    ("forward_in_time", "The loop runs forward in time. Step t needs the gradients that step t+1 sends back,\n"
                        "so go from the last step to the first: for t in reversed(range(T))."),
    ("only_dh_t", "Each step got dh[t] alone. h_t is used twice, as an output and by step t+1, so the\n"
                  "step's dh_t is dh[t] + dh_next, the dh_prev that step t+1 returned."),
    ("only_dh_next", "Each step got only the gradient from step t+1 (dh[t] entered at the last step only).\n"
                     "Every h_t also receives dh[t] from outside: pass dh[t] + dh_next."),
    ("no_dc_carry", "dc_next is not carried: the dc_prev that step t+1 returns is the belt's gradient at c_t,\n"
                    "the dc_t of the next call. Pass it on, instead of zeros."),
    ("dc_always_zero", "Every step got zero as its dc_t: pass the dc_prev of step t+1 (and dc_T, if given,\n"
                       "to the last step)."),
    ("grads_last_visited", "grads holds only the gradients of step 1, the last one the loop visited: they were\n"
                           "overwritten at each step. Every step uses the same parameters, so add the step\n"
                           "gradients: grads[k] += step_grads[k]."),
    ("grads_first_visited", "grads holds only the gradients of step T, the first one the loop visited. Every step\n"
                            "uses the same parameters, so add all the step gradients: grads[k] += step_grads[k]."),
    ("grads_mean", "grads is the mean of the step gradients: sum them instead (no division by T); the loss\n"
                   "adds up what every step contributes."),
    ("dx_reversed", "dx is in reverse order: dx[t] must be the gradient of x[t], the input of the step whose\n"
                    "cache is step_caches[t]. (A list appended on the way back must be reversed.)"),
    ("dh0_of_step_T", "dh0 and dc0 come from the wrong step: the first call, at step T. They are the dh_prev\n"
                      "and dc_prev of the last call, the step t = 1 (step_caches[0])."),
    ("dh0_is_dh1", "dh0 and dc0 are the gradients that entered step 1, at h_1 and c_1. Return what step 1\n"
                   "sends back, its dh_prev and dc_prev: the gradients at h_0 and c_0."),
    ("dc_T_ignored", "dc_T was ignored: when it is given, it is the gradient at c_T, so the last step gets\n"
                     "dc_T as its dc_t (zeros only when dc_T is None)."),
]

SEQUENCE_ERROR_HINTS = [
    (("positional argument",), "my_lstm_backward takes four arguments, dc_T last with the default None:\n"
                               "def my_lstm_backward(dh, step_caches, step_backward, dc_T=None)."),
    (("dh_t must", "dc_t must", "lstm_step_backward needs"),
     "step_backward(dh_t, dc_t, cache) checks its arguments: dh_t and dc_t must be float arrays (B, H)\n"
     "(start from np.zeros((B, H)), not 0), and cache one step's cache, step_caches[t]."),
    (("not subscriptable", "KeyError", "list indices"),
     "step_caches is a list of T step caches, cache['steps'] of lstm_forward;\n"
     "step t's is step_caches[t], and its weights are step_caches[t]['params']."),
]


def sequence_cases():
    """(dh, forward cache, dc_T): a gradient on c_T in the first and third case, none in the second."""
    rng = np.random.default_rng(2000)
    cases = []
    for T, B, D, H, with_dc_T in [(4, 2, 3, 4, True), (3, 1, 2, 3, False), (5, 3, 4, 2, True)]:
        params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
        x, h0, c0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        _, _, cache = lstm_forward(x, h0, c0, params)
        cases.append((rng.normal(size=(T, B, H)), cache, rng.normal(size=(B, H)) if with_dc_T else None))
    return cases


class _CountedStep:
    """lstm_step_backward, counting the calls and noting which step caches they were given."""

    def __init__(self, step_caches):
        self.ids, self.visited = {id(c): t for t, c in enumerate(step_caches)}, []

    def __call__(self, dh_t, dc_t, cache):
        self.visited.append(self.ids.get(id(cache)))
        return lstm_step_backward(dh_t, dc_t, cache)


def _sequence_verdict(fn):
    if not callable(fn):
        return False, [not_callable(fn)]
    cases = sequence_cases()
    for n, (dh, cache, dc_T) in enumerate(cases, 1):
        (T, B, H), D = dh.shape, cache["steps"][0]["x_t"].shape[1]
        steps = copy.deepcopy(cache["steps"])  # copies: an answer may write into them
        step = _CountedStep(steps)
        args = (dh.copy(), steps, step) + (() if dc_T is None else (dc_T.copy(),))
        result, error = call_safely(fn, *args)
        shapes_seen = (f"The inputs had shapes: dh {(T, B, H)}, step_caches a list of {T} step caches"
                       + (f", dc_T {(B, H)}." if dc_T is not None else " (no dc_T)."))
        if error:
            return False, [f"Case {n}: your my_lstm_backward raised {error}", shapes_seen,
                           *matching_hints(error, SEQUENCE_ERROR_HINTS)]
        shapes = {"dx": ("(T, B, D)", (T, B, D)), "dh0": ("(B, H)", (B, H)), "dc0": ("(B, H)", (B, H))}
        got, problem = unpack_with_grads(result, "my_lstm_backward", SEQUENCE_NAMES, shapes, _grad_letters(H, D),
                                         delta="dz")
        if problem:
            return False, [f"Case {n}: {problem}"]
        want = flatten_with_grads(SEQUENCE_NAMES, lstm_backward(dh, cache, dc_T))
        wrong, where = _where(got, want, H, gate_blocks=False)
        if wrong:
            messages = [f"Case {n}: the shapes are right but some values are not"
                        f" (T = {T}" + (", with a dc_T)." if dc_T is not None else ", no dc_T)."), *where]
            if len(step.visited) != T:
                messages.append(f"step_backward was called {len(step.visited)} times for T = {T} steps: "
                                "call it once per step.")
            slip_args = (dh, cache["steps"], lstm_step_backward, dc_T)
            hints = _slip_hints(SEQUENCE_SLIPS, sequence_backward_with_slip, slip_args, SEQUENCE_NAMES, got, wrong)
            return False, messages + (hints or ["No common slip matches; compare your loop with the chapter's "
                                                "lstm_backward, line by line."])
        given = (dh, copy.deepcopy(cache["steps"]), lstm_step_backward) + (() if dc_T is None else (dc_T,))
        problem = changed_input(fn, given, ("dh", "step_caches", "step_backward", "dc_T"),
                                "your my_lstm_backward")
        if problem:
            return False, [f"Case {n}: {problem}"]
    return True, [f"All {len(cases)} cases match lstm_lib's lstm_backward: dx, dh0, dc0 and the summed grads."]


def check_lstm_backward(fn):
    """Check a reader's ``my_lstm_backward(dh, step_caches, step_backward, dc_T=None) -> (dx, dh0, dc0, grads)``.

    The checker passes lstm_lib's own lstm_step_backward as `step_backward`, so only the loop is judged.
    """
    passed, messages = _sequence_verdict(fn)
    return report("my_lstm_backward: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 3 (slider): how large a forget bias keeps a gradient alive? --------------------------------

FORGET_BIASES = [1.0 + FORGET["step"] * k for k in range(17)]  # the slider: 1, 1.25, ..., 5


def _bias_problem(forget_bias):
    if not is_number(forget_bias):
        return f"b_f should be a number such as 1.0, got {forget_bias!r}."
    if not np.isfinite(forget_bias) or not -10 <= forget_bias <= 10:
        return f"b_f should lie between -10 and 10, got {forget_bias!r}."
    return None


def forget_bias_verdict(b_f):
    """(passed, messages): does 1 % of the gradient reach c_{T-100} at forget bias b_f, and not 0.25 lower?"""
    problem = _bias_problem(b_f)
    if problem:
        return False, [problem]
    lag, level, step = FORGET["lag"], FORGET["level"], FORGET["step"]
    ratio = forget_bias_ratio(float(b_f))
    f = float(sigmoid(np.float64(b_f)))
    if ratio < level:
        return False, [f"b_f = {b_f:g} (f about {f:.3f}): after {lag} steps {ratio:.1e} of the gradient is left,\n"
                       f"below {level:g}. The belt leaks too much: raise b_f."]
    lower = float(b_f) - step
    if forget_bias_ratio(lower) >= level:
        return False, [f"b_f = {b_f:g}: {ratio:.1e} of the gradient survives {lag} steps,\n"
                       f"but at b_f = {lower:g} enough would survive too. Look for the smallest b_f."]
    return True, [f"b_f = {b_f:g} (f about {f:.3f}): {ratio:.1e} of the gradient survives {lag} steps,\n"
                  f"and at {lower:g} it would not. The smallest forget bias, within {step:g}."]


check_forget_bias, forget_bias_feedback = slider_checkers(
    "forget bias", forget_bias_verdict,
    "Print whether b_f is the smallest forget bias (within 0.25) that keeps 1 % of the gradient over 100 steps.")

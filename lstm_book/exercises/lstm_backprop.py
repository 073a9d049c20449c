"""Checkers for the chapter "Backpropagation through an LSTM".

Two exercises: write the backward pass of one step, `lstm_step_backward(dh_t, dc_next, cache) ->
(dz, dc_prev)` (`check_lstm_step_backward`), and find with a slider the smallest forget-gate bias at
which 1 % of a gradient reaches the cell state 100 steps back (`check_forget_bias`, with
`forget_bias_feedback` as the slider's verdict). The network of the second exercise, `lstm_lag_network`,
is also the one the chapter's experiment and Explore section use; `lstm_belt_profile` gives the belt's
share of its gradient (the product of its own forget gates).
"""
import numpy as np

from lstm_lib.gates import sigmoid
from lstm_lib.gradflow import last_step_gradient, lstm_gradient_by_lag, lstm_state_gradients
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_forward
from .feedback import (as_result_array, call_safely, is_number, matching_hints, not_callable, report,
                       slider_checkers)
from .gradients import lag_network

# --- exercise 1: the backward pass of one step ---------------------------------------------------------

STEP_KEYS = ("i", "f", "g", "o", "c_prev", "c")


def lstm_step_cache(x_t, h_prev, c_prev, params):
    """What one step's backward pass needs: {"i", "f", "g", "o", "c_prev", "c"}, each (B, H).

    x_t (B, D), h_prev (B, H), c_prev (B, H); params in torch's fused layout (gate order i, f, g, o).
    """
    z = x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"]
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)  # (B, H) each
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
    return {"i": i, "f": f, "g": g, "o": o, "c_prev": c_prev, "c": f * c_prev + i * g}


def _step_backward(dh_t, dc_next, cache, slip=None):
    """One step back, in the order of the chapter; `slip` names one typical mistake to make on purpose."""
    i, f, g, o, c_prev, c = (cache[k] for k in STEP_KEYS)
    tanh_c = np.tanh(c)
    d_o = dh_t * (c if slip == "do_with_c" else tanh_c)
    slope_c = 1.0 - (c ** 2 if slip == "tanh_prime_of_c" else tanh_c ** 2)
    from_h = {"no_h_path": 0.0, "no_o_in_h_path": dh_t * slope_c}.get(slip, dh_t * o * slope_c)
    dc = (0.0 if slip == "no_belt_in" else dc_next) + from_h  # dL/dc_t
    d_f = dc * (c if slip == "df_with_c" else c_prev)
    d_i, d_g = (dc * i, dc * g) if slip == "swap_ig" else (dc * g, dc * i)
    dc_prev = {"no_forget": dc, "no_belt_out": np.zeros_like(dc)}.get(slip, dc * f)
    slope = {"sigmoid_as_s": lambda s: s, "tanh_prime_on_gates": lambda s: 1.0 - s ** 2}.get(
        slip, lambda s: s * (1.0 - s))  # sigma'(z) from the gate's value s = sigma(z)
    slope_g = {"sigmoid_prime_on_g": g * (1.0 - g), "tanh_twice": 1.0 - np.tanh(g) ** 2}.get(slip, 1.0 - g ** 2)
    blocks = {"i": d_i * slope(i), "f": d_f * slope(f), "g": d_g * slope_g, "o": d_o * slope(o)}
    if slip == "no_slopes":
        blocks = {"i": d_i, "f": d_f, "g": d_g, "o": d_o}
    order = ("i", "f", "o", "g") if slip == "order_ifog" else ("i", "f", "g", "o")
    return np.concatenate([blocks[k] for k in order], axis=1), dc_prev


def reference_step_backward(dh_t, dc_next, cache):
    """One step of LSTM backpropagation: dh_t, dc_next (B, H) and the step's cache -> (dz (B, 4H), dc_prev (B, H)).

    dh_t is the total gradient at h_t (from outside and from step t+1), dc_next the gradient reaching c_t
    along the belt from step t+1; dz holds dL/dz of the four pre-activations in torch's order i, f, g, o.
    """
    return _step_backward(dh_t, dc_next, cache)


# (slip name, what that slip is in words)
STEP_SLIPS = [
    ("no_forget", "dc_prev = dL/dc_t unchanged: the forget term is missing. On the way forward c_(t-1) enters\n"
                  "c_t multiplied by f_t, so on the way back dc_prev = dc * f (the belt scales by f_t)."),
    ("no_belt_out", "dc_prev is zero: the belt carries dc * f back to c_(t-1); that term is missing."),
    ("no_belt_in", "dL/dc_t misses dc_next, the gradient arriving along the belt from step t+1:\n"
                   "dc = dc_next + dh_t * o * (1 - tanh(c_t)^2)."),
    ("no_h_path", "dL/dc_t misses the path through h_t: h_t = o_t * tanh(c_t) depends on c_t, so\n"
                  "dc = dc_next + dh_t * o * (1 - tanh(c_t)^2), not dc_next alone."),
    ("no_o_in_h_path", "The factor o_t is missing in dc = dc_next + dh_t * o * (1 - tanh(c_t)^2):\n"
                       "h_t = o_t * tanh(c_t), so dh_t/dc_t carries o_t."),
    ("tanh_prime_of_c", "1 - c_t^2 is not the slope here: c_t is not a tanh output, tanh(c_t) is.\n"
                        "Use 1 - tanh(c_t)^2."),
    ("sigmoid_as_s", "The sigmoid's derivative is s * (1 - s), with s = sigma(z) the gate's value; you used s itself."),
    ("tanh_prime_on_gates", "1 - s^2 is the derivative of tanh; the gates i, f, o are sigmoids, whose slope\n"
                            "is s * (1 - s). Only the candidate g is a tanh."),
    ("sigmoid_prime_on_g", "The candidate g_t is a tanh, not a sigmoid: its slope is 1 - g^2, not g * (1 - g)."),
    ("tanh_twice", "g is already tanh(z_g): its slope is 1 - g^2, not 1 - tanh(g)^2."),
    ("swap_ig", "di and dg are swapped: c_t = f c_(t-1) + i g, so dL/di = dc * g and dL/dg = dc * i\n"
                "(each factor's gradient is the other factor)."),
    ("df_with_c", "dL/df = dc * c_(t-1), the previous cell state (the one f_t multiplies), not c_t."),
    ("do_with_c", "dL/do = dh_t * tanh(c_t): h_t = o_t * tanh(c_t); you used c_t without the tanh."),
    ("no_slopes", "dz is the gradient of the pre-activations: multiply each block by its activation's slope,\n"
                  "s * (1 - s) for i, f, o and 1 - g^2 for g."),
    ("order_ifog", "The blocks of dz are in the order i, f, o, g (the order of cs231n and Karpathy's code);\n"
                   "torch's layout, and lstm_lib's, is i, f, g, o."),
]

STEP_ERROR_HINTS = [
    (("could not be broadcast",),
     "Arrays of different shapes were combined elementwise. Every quantity of one step is (B, H);\n"
     "only dz is (B, 4H): np.concatenate([d_i, d_f, d_g, d_o], axis=1)."),
    (("KeyError",), f"The cache holds the keys {STEP_KEYS}: the activations i, f, g, o and the cell states."),
]



def _step_cases():
    """(dh_t, dc_next, cache) with gates well away from 1/2 and a cell state beyond tanh's linear range."""
    rng = np.random.default_rng(1997)
    cases = []
    for B, D, H in [(2, 3, 4), (1, 2, 3), (3, 4, 2)]:
        params = {k: 3.0 * v for k, v in init_lstm_params(D, H, rng).items()}
        cache = lstm_step_cache(rng.normal(size=(B, D)), rng.normal(size=(B, H)), 2.0 * rng.normal(size=(B, H)), params)
        cases.append((rng.normal(size=(B, H)), rng.normal(size=(B, H)), cache))
    return cases


def _as_pair(result):
    """The reader's (dz, dc_prev) as float arrays, or (None, message)."""
    if result is None:
        return None, "lstm_step_backward returned None. Did you forget `return dz, dc_prev`?"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        n = len(result) if isinstance(result, (tuple, list)) else 1
        hint = (" If these are d_i, d_f, d_g, d_o and dc_prev, put the four gate gradients side by side:\n"
                "dz = np.concatenate([d_i, d_f, d_g, d_o], axis=1)." if n == 5 else "")
        return None, f"lstm_step_backward returned {n} item(s); return two: dz (B, 4H) and dc_prev (B, H).{hint}"
    arrays = []
    for name, item in zip(("dz", "dc_prev"), result):
        arr, problem = as_result_array(item, name)
        if problem:
            return None, problem.replace(f"{name} returned", f"the {name} you returned is")
        arrays.append(arr)
    return arrays, None


def _wrong_blocks(dz, want, H):
    return [k for k in ("i", "f", "g", "o") if not np.allclose(dz[:, gate_rows(k, H)], want[:, gate_rows(k, H)],
                                                               rtol=1e-6, atol=1e-8)]


def _slip_hints(args, dz, dc_prev):
    hints = []
    for slip, hint in STEP_SLIPS:
        wrong_dz, wrong_dc = _step_backward(*args, slip=slip)
        if np.allclose(dz, wrong_dz, rtol=1e-6, atol=1e-8) and np.allclose(dc_prev, wrong_dc, rtol=1e-6, atol=1e-8):
            hints.append(hint)
    return hints


def _step_verdict(fn):
    if not callable(fn):
        return False, [not_callable(fn)]
    for n, args in enumerate(_step_cases(), 1):
        dz_want, dc_want = reference_step_backward(*args)
        B, H = dc_want.shape
        copies = (args[0].copy(), args[1].copy(), {k: v.copy() for k, v in args[2].items()})
        result, error = call_safely(fn, *copies)  # copies: an answer that writes into its inputs is fine
        if error:
            return False, [f"Case {n}: your lstm_step_backward raised {error}",
                           f"The inputs had shapes: dh_t {(B, H)}, dc_next {(B, H)},\nand every cache entry {(B, H)}.",
                           *matching_hints(error, STEP_ERROR_HINTS)]
        pair, problem = _as_pair(result)
        if problem:
            return False, [f"Case {n}: {problem}"]
        dz, dc_prev = pair
        for name, arr, want in (("dz", dz, dz_want), ("dc_prev", dc_prev, dc_want)):
            if arr.shape != want.shape:
                letters = "(B, 4H)" if name == "dz" else "(B, H)"
                return False, [f"Case {n}: {name} has shape {arr.shape}; expected {letters} = {want.shape}."]
            if not np.all(np.isfinite(arr)):
                return False, [f"Case {n}: {name} contains NaN or infinity."]
        dz_ok = np.allclose(dz, dz_want, rtol=1e-6, atol=1e-8)
        dc_ok = np.allclose(dc_prev, dc_want, rtol=1e-6, atol=1e-8)
        if dz_ok and dc_ok:
            continue
        where = []
        if not dz_ok:
            where.append("dz is not right in the block(s) of gate " + ", ".join(_wrong_blocks(dz, dz_want, H))
                         + "\n(columns: i 0..H-1, f H..2H-1, g 2H..3H-1, o 3H..4H-1).")
        where.append("dc_prev is " + ("right." if dc_ok else "not right."))
        hints = _slip_hints(args, dz, dc_prev) or ["No common slip matches; go through the chapter's equations one by one."]
        return False, [f"Case {n}: the shapes are right but the values are not.", *where, *hints]
    return True, [f"All {len(_step_cases())} cases match: dz in the order i, f, g, o, and dc_prev = dc * f."]


def check_lstm_step_backward(fn):
    """Check a reader's ``lstm_step_backward(dh_t, dc_next, cache) -> (dz, dc_prev)``."""
    passed, messages = _step_verdict(fn)
    return report("lstm_step_backward: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2 (slider): how large a forget bias keeps a gradient alive? ------------------------------
# The LSTM of the chapter's experiment: H = 32, B = 8, D = 1, the inputs and last-step gradient of
# Part II's lag network, every weight and bias torch's draw times `weight_scale`, then the forget
# gate's total bias set to b_f.

LSTM_LAG = {"H": 32, "seed": 5}
FORGET = {"lag": 100, "level": 0.01, "T": 120, "weight_scale": 0.1, "step": 0.25}
FORGET_BIASES = [1.0 + 0.25 * k for k in range(17)]  # the slider: 1, 1.25, ..., 5
_PROFILES = {}  # (b_f, weight_scale, T, state, recurrent_scale) -> ratios; the frames and the verdicts reuse them
_INPUTS = {}  # T -> (x, dh_T) of Part II's lag network


def _check_lag_args(forget_bias, weight_scale, T, recurrent_scale):
    for name, value in (("forget_bias", forget_bias), ("weight_scale", weight_scale)):
        if not is_number(value) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if recurrent_scale is not None and (not is_number(recurrent_scale) or not np.isfinite(recurrent_scale)):
        raise ValueError(f"recurrent_scale must be a finite number or None, got {recurrent_scale!r}")
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")


def lstm_lag_network(forget_bias, weight_scale=0.1, T=200, recurrent_scale=None):
    """The chapter's LSTM test network: (x (T, B, 1), h0, c0 (B, H), params, dh_T (B, H)).

    B = 8, H = 32. x and dh_T are those of Part II's `lag_network`: the RNN and the LSTM see the
    same inputs and the same last-step gradient. The parameters are torch's initial draw (the same
    for every setting) times `weight_scale`, weight_hh times `recurrent_scale` instead if given,
    and the forget gate's total bias is b_f = `forget_bias` (bias_hh's forget block is 0).
    """
    _check_lag_args(forget_bias, weight_scale, T, recurrent_scale)
    if int(T) not in _INPUTS:  # Part II's network, drawn once per T: only x and dh_T are used
        _INPUTS[int(T)] = lag_network(1.0, T=T)[::3]
    x, dh_T = (a.copy() for a in _INPUTS[int(T)])
    H = LSTM_LAG["H"]
    params = init_lstm_params(1, H, np.random.default_rng(LSTM_LAG["seed"]))
    scales = {k: weight_scale for k in params}
    if recurrent_scale is not None:
        scales["weight_hh"] = recurrent_scale
    params = {k: scales[k] * v for k, v in params.items()}
    params["bias_ih"][gate_rows("f", H)] = forget_bias
    params["bias_hh"][gate_rows("f", H)] = 0.0
    zeros = np.zeros((x.shape[1], H))
    return x, zeros, zeros.copy(), params, dh_T


def lstm_lag_profile(forget_bias, weight_scale=0.1, T=200, state="c", recurrent_scale=None):
    """||dL/dc_{T-k}|| / ||dL/dc_T|| (state="c") or the same for h, k = 0..T, in `lstm_lag_network`."""
    key = (float(forget_bias), float(weight_scale), int(T), state, recurrent_scale)
    if key not in _PROFILES:
        net = lstm_lag_network(forget_bias, weight_scale, T, recurrent_scale)
        _PROFILES[key] = lstm_gradient_by_lag(*net, state=state)
    return _PROFILES[key].copy()


def forget_gates(x, h0, h, params):
    """f_t of every step, (T, B, H), recomputed from x (T, B, D), h0 (B, H) and the outputs h (T, B, H)."""
    rows = gate_rows("f", h0.shape[1])
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, B, H): the state each step read
    return sigmoid(x @ params["weight_ih"][rows].T + h_prev @ params["weight_hh"][rows].T
                   + params["bias_ih"][rows] + params["bias_hh"][rows])


def lstm_belt_profile(forget_bias, weight_scale=0.1, T=200, recurrent_scale=None):
    """The belt's term alone: ||dL/dc_T * f_T * ... * f_{T-k+1}|| / ||dL/dc_T||, k = 0..T, shape (T + 1,).

    Same network, loss and dL/dc_T as `lstm_lag_profile`; the forget gates are the network's own, so the
    gap between the two profiles is what the paths through h_{t-1} add.
    """
    key = (float(forget_bias), float(weight_scale), int(T), "belt", recurrent_scale)
    if key not in _PROFILES:
        x, h0, c0, params, dh_T = lstm_lag_network(forget_bias, weight_scale, T, recurrent_scale)
        h, _, cache = lstm_forward(x, h0, c0, params)
        dc_T = lstm_state_gradients(last_step_gradient(h, dh_T), cache)[1][-1]  # (B, H)
        kept = np.cumprod(forget_gates(x, h0, h, params)[::-1], axis=0)  # kept[k-1] = f_T * ... * f_{T-k+1}
        norms = np.linalg.norm(np.concatenate([dc_T[None], dc_T * kept]).reshape(T + 1, -1), axis=1)
        _PROFILES[key] = norms / norms[0]
    return _PROFILES[key].copy()


def forget_bias_ratio(forget_bias):
    """The exercise's measure: ||dL/dc_{T-100}|| / ||dL/dc_T|| in the small-weight network, T = 120."""
    return float(lstm_lag_profile(forget_bias, FORGET["weight_scale"], FORGET["T"])[FORGET["lag"]])


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
    "forget bias", forget_bias_verdict, "Print whether b_f is the smallest forget bias (within 0.25) that keeps 1 % of the gradient over 100 steps.")

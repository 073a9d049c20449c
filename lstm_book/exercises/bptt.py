"""Checkers for the chapter "Backpropagation through time".

Two exercises: write the backward pass of one RNN step, ``rnn_step_backward(dh_t, cache)`` with the cache
of `lstm_lib.rnn.rnn_step` (`check_rnn_step_backward`), and choose the step size of a finite-difference
check (`check_eps`, with `eps_feedback` as the slider's verdict; the measure is
`lstm_book.experiments.bptt.rnn_gradcheck_error`).
"""
import functools

import numpy as np

from lstm_book.experiments.bptt import rnn_gradcheck_error
from lstm_lib.rnn import init_rnn_params, rnn_step, rnn_step_backward

from .feedback import (
    call_safely,
    describe_exception,
    flatten_with_grads,
    is_number,
    matching_hints,
    not_callable,
    report,
    unpack_with_grads,
    verdict_html,
)

STEP_NAMES = ("dx_t", "dh_prev")
CACHE_KEYS = ("x_t", "h_prev", "h_t", "params")  # what rnn_step stores for the backward pass
EPS_TOLERANCE = 1e-7  # the bound a gradient check must meet in this chapter


# --- exercise 1: the backward pass of one step ---------------------------------------------------

def _step_backward(dh_t, cache, tanh_of="h_t", dW_ih="da^T x", dW_hh="da^T h", bias="sum",
                   dh_prev_with="W_hh", dx_with="W_ih"):
    """One step backward with optional slips, each named by the keyword that introduces it."""
    x_t, h_prev, h_t, p = (cache[k] for k in CACHE_KEYS)
    da = {"h_t": dh_t * (1.0 - h_t ** 2), "h_prev": dh_t * (1.0 - h_prev ** 2),
          "tanh(h_t)": dh_t * (1.0 - np.tanh(h_t) ** 2), "none": dh_t, "1+h^2": dh_t * (1.0 + h_t ** 2)}[tanh_of]
    grads = {
        "weight_ih": da.T @ x_t if dW_ih == "da^T x" else x_t.T @ da,
        "weight_hh": {"da^T h": da.T @ h_prev, "h^T da": h_prev.T @ da, "da^T h_t": da.T @ h_t}[dW_hh],
        "bias_ih": da.sum(axis=0) if bias == "sum" else da.mean(axis=0),
    }
    grads["bias_hh"] = grads["bias_ih"].copy()
    dh_prev = da @ p["weight_hh"] if dh_prev_with == "W_hh" else da @ p["weight_hh"].T
    dx_t = da @ p["weight_ih"] if dx_with == "W_ih" else da @ p["weight_ih"].T
    return dx_t, dh_prev, grads


# (wrong version of the step backward, what that slip looks like in words)
STEP_BACKWARD_MISTAKES = [
    (functools.partial(_step_backward, tanh_of="none"),
     "The tanh derivative is missing: da_t = dh_t * (1 - h_t**2) before any product with a weight."),
    (functools.partial(_step_backward, tanh_of="h_prev"),
     "The tanh derivative uses h_prev: it must be 1 - h_t**2, taken at this step's output h_t = tanh(a_t)."),
    (functools.partial(_step_backward, tanh_of="tanh(h_t)"),
     "The tanh derivative applies tanh twice: h_t is already tanh(a_t), so tanh'(a_t) = 1 - h_t**2, "
     "not 1 - tanh(h_t)**2."),
    (functools.partial(_step_backward, tanh_of="1+h^2"),
     "The tanh derivative has a plus sign: tanh'(a) = 1 - tanh(a)**2,\n"
     "so da_t = dh_t * (1 - h_t**2), not dh_t * (1 + h_t**2)\n"
     "(1 + tan**2 is the slope of tan)."),
    (functools.partial(_step_backward, dW_ih="x^T da"),
     "grads['weight_ih'] is transposed: it is da_t^T x_t, (H, B) @ (B, D) = (H, D), like weight_ih."),
    (functools.partial(_step_backward, dW_hh="h^T da"),
     "grads['weight_hh'] is transposed: it is da_t^T h_prev, da_t on the left (the rows of weight_hh "
     "belong to the units of h_t)."),
    (functools.partial(_step_backward, dW_hh="da^T h_t"),
     "grads['weight_hh'] uses h_t: weight_hh multiplies the state this step read, so its gradient is "
     "da_t^T h_prev."),
    (functools.partial(_step_backward, bias="mean"),
     "The bias gradients are averaged over the batch: sum da_t over the batch axis instead "
     "(any 1/N is already in the loss)."),
    (functools.partial(_step_backward, dh_prev_with="W_hh^T"),
     "dh_prev uses weight_hh.T: the forward pass multiplies h_prev by weight_hh.T, so the backward "
     "multiplies da_t by weight_hh."),
    (functools.partial(_step_backward, dx_with="W_ih^T"),
     "dx_t uses weight_ih.T: the forward pass multiplies x_t by weight_ih.T, so the backward "
     "multiplies da_t by weight_ih."),
]

# (words in the message of an error the reader's code raised, what that usually means here)
STEP_BACKWARD_ERROR_HINTS = [
    (("KeyError",),
     "The cache of rnn_step is a dict with the keys 'x_t', 'h_prev', 'h_t' and 'params' (and 'made_by'); "
     "the weights are in cache['params']."),
]


def _step_cases():
    """(dh_t, cache) for three steps; the cache comes from `lstm_lib.rnn.rnn_step`."""
    rng = np.random.default_rng(4321)
    cases = []
    for B, D, H in [(3, 2, 4), (2, 3, 3), (1, 5, 2)]:  # D = H = 3: transposes show in the values
        # larger weights, so that tanh' is far from 1 and a missing derivative shows
        params = {k: 2.0 * v for k, v in init_rnn_params(D, H, rng).items()}
        x_t, h_prev = rng.normal(size=(B, D)), rng.uniform(-0.9, 0.9, size=(B, H))
        _, cache = rnn_step(x_t, h_prev, params)
        cases.append((rng.normal(size=(B, H)), cache))
    return cases


def _copy_case(dh_t, cache):
    """Fresh copies of a case, so that an answer that writes into its arguments cannot change it."""
    copied = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in cache.items()}
    copied["params"] = {k: v.copy() for k, v in cache["params"].items()}
    return dh_t.copy(), copied


def check_rnn_step_backward(fn):
    """Check a reader's ``rnn_step_backward(dh_t, cache) -> (dx_t, dh_prev, grads)`` against
    `lstm_lib.rnn.rnn_step_backward`; `cache` is the one `lstm_lib.rnn.rnn_step` returns."""
    title = "rnn_step_backward: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    cases = _step_cases()
    for n, (dh_t, cache) in enumerate(cases, 1):
        x_t, params = cache["x_t"], cache["params"]
        (B, H), D = dh_t.shape, x_t.shape[1]
        shapes = {"dx_t": ("(B, D)", (B, D)), "dh_prev": ("(B, H)", (B, H))}
        grad_shapes = {"weight_ih": ("(H, D)", (H, D)), "weight_hh": ("(H, H)", (H, H)),
                       "bias_ih": ("(H,)", (H,)), "bias_hh": ("(H,)", (H,))}
        result, error = call_safely(fn, *_copy_case(dh_t, cache))
        if error:
            shapes_seen = (f"The inputs had shapes: dh_t {dh_t.shape}; in the cache x_t {x_t.shape}, "
                           f"h_prev {cache['h_prev'].shape}, h_t {cache['h_t'].shape}, "
                           f"params['weight_ih'] {params['weight_ih'].shape}, "
                           f"params['weight_hh'] {params['weight_hh'].shape}.")
            messages = [f"Case {n}: your rnn_step_backward raised {error}", shapes_seen]
            return report(title + "not yet", messages + matching_hints(error, STEP_BACKWARD_ERROR_HINTS), False)
        got, problem = unpack_with_grads(result, "rnn_step_backward", STEP_NAMES, shapes, grad_shapes,
                                         delta="da_t")
        if problem:
            return report(title + "not yet", [f"Case {n}: {problem}"], False)
        want = flatten_with_grads(STEP_NAMES, rnn_step_backward(dh_t, cache))
        wrong = [k for k in want if not np.allclose(got[k], want[k], rtol=1e-6, atol=1e-9)]
        if wrong:
            right = [k for k in want if k not in wrong]
            messages = [f"Case {n}: wrong values in {', '.join(wrong)}"
                        + (f" (right: {', '.join(right)})." if right else ".")]
            messages += (_hints((dh_t, cache), got, wrong)
                         or ["No common slip matches; compare each line with its equation."])
            return report(title + "not yet", messages, False)
    return report(title + "correct", [f"All {len(cases)} cases match lstm_lib.rnn.rnn_step_backward."], True)


def _hints(args, got, wrong):
    """The hint of every slip that reproduces at least one of the reader's wrong outputs."""
    hints = []
    for slip, hint in STEP_BACKWARD_MISTAKES:
        try:
            out = flatten_with_grads(STEP_NAMES, slip(*args))
        except Exception:  # a slip that does not apply to these shapes
            continue
        if any(out[k].shape == got[k].shape and np.allclose(got[k], out[k], rtol=1e-6, atol=1e-9)
               for k in wrong):
            hints.append(hint)
    return hints


# --- exercise 2: the step size of a finite difference --------------------------------------------
# The measure, rnn_gradcheck_error(eps), is in lstm_book.experiments.bptt.

def _eps_problem(eps):
    """A message if `eps` is not a usable step size, else None."""
    if not is_number(eps):
        return f"eps must be a number such as 1e-5, got a {type(eps).__name__}."
    if not np.isfinite(eps) or not 0 < eps <= 1:
        return f"eps must be a positive step no larger than 1, got {eps!r}."
    return None


def eps_feedback(eps):
    """The slider's verdict for `eps`, as a short HTML line."""
    problem = _eps_problem(eps)
    if problem:
        return verdict_html(False, [problem])
    if rnn_gradcheck_error(eps) < EPS_TOLERANCE:
        return verdict_html(True, [f"eps = {eps:.0e}: the check passes (relative error below {EPS_TOLERANCE:.0e})."])
    side = "truncation error (eps too large)" if eps > 1e-5 else "rounding error (eps too small)"
    return verdict_html(False, [f"eps = {eps:.0e}: relative error above {EPS_TOLERANCE:.0e}, dominated by {side}."])


def check_eps(eps):
    """Check a finite-difference step: `rnn_gradcheck_error(eps)` must lie below 1e-7."""
    problem = _eps_problem(eps)
    if problem:
        return report("eps: not yet", [problem], False)
    try:
        err = rnn_gradcheck_error(eps)
    except Exception as exc:  # a checker never raises
        return report("eps: not yet", [f"The gradient check failed to run: {describe_exception(exc)}"], False)
    if err < EPS_TOLERANCE:
        return report("eps: passes",
                      [f"With eps = {eps:.0e} the largest relative error is below {EPS_TOLERANCE:.0e}."], True)
    if eps > 1e-5:
        why = ("Truncation error dominates: the central difference errs by about eps**2 times "
               "the third derivative. Try a smaller eps.")
    else:
        why = ("Rounding error dominates: f(x+eps) - f(x-eps) loses digits, about 1e-16/eps "
               "of relative error. Try a larger eps.")
    return report("eps: not yet",
                  [f"With eps = {eps:.0e} the largest relative error is above {EPS_TOLERANCE:.0e}.", why], False)

"""Checkers for the chapter "Backpropagation through time".

Three exercises: write the backward pass of one RNN step, ``rnn_step_backward(dh_t, cache)`` with the cache
of `lstm_lib.rnn.rnn_step` (`check_rnn_step_backward`); assemble from a step backward the backward pass
through a whole sequence, ``my_rnn_backward(dh, step_caches, step_backward) -> (dx, dh0, grads)``
(`check_rnn_backward`, against `lstm_lib.rnn.rnn_backward` and torch's autograd); and choose the step
of a finite-difference check (`check_eps`, with `eps_feedback` as the slider's verdict; the measure is
`lstm_book.experiments.bptt.rnn_gradcheck_error`).
"""
import functools

import numpy as np

from lstm_book.experiments.bptt import rnn_gradcheck_error
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_forward, rnn_step, rnn_step_backward

from .feedback import (
    call_safely,
    changed_input,
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


def _copy_cache(cache):
    """A fresh copy of a step cache, so that an answer that writes into it cannot change a case."""
    copied = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in cache.items()}
    copied["params"] = {k: v.copy() for k, v in cache["params"].items()}
    return copied


def _copy_case(dh_t, cache):
    """Fresh copies of a case, so that an answer that writes into its arguments cannot change it."""
    return dh_t.copy(), _copy_cache(cache)


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


# --- exercise 2: the backward pass through a sequence --------------------------------------------

SEQUENCE_NAMES = ("dx", "dh0")


def sequence_backward_with_slip(dh, step_caches, step_backward, slip=None):
    """rnn_backward as a loop over `step_backward`; `slip` names one typical mistake to make on purpose."""
    T, (B, H) = len(step_caches), dh.shape[1:]
    order = {"forward_in_time": range(T), "skips_step_1": range(T - 1, 0, -1)}.get(slip, reversed(range(T)))
    dh_next = dh[-1] if slip == "only_dh_next" else np.zeros((B, H))
    grads = {k: np.zeros_like(v) for k, v in step_caches[0]["params"].items()}
    dx, first, entering = np.zeros((T, B, step_caches[0]["x_t"].shape[1])), None, None
    for t in order:
        dh_t = {"only_dh_t": dh[t], "only_dh_next": dh_next}.get(slip, dh[t] + dh_next)
        entering = dh_t  # what reaches h_t of the step just visited: g_t
        dx_t, dh_next, step_grads = step_backward(dh_t, step_caches[t])
        first = dh_next if first is None else first
        dx[T - 1 - t if slip == "dx_reversed" else t] = dx_t
        for k in grads:
            if slip == "grads_last_visited" or (slip == "grads_first_visited" and t == T - 1):
                grads[k] = step_grads[k]
            elif slip != "grads_first_visited":
                grads[k] = grads[k] + step_grads[k]
    if slip == "grads_mean":
        grads = {k: v / T for k, v in grads.items()}
    dh0 = {"dh0_of_step_T": first, "dh0_is_g1": entering}.get(slip, dh_next)
    return dx, dh0, grads


SEQUENCE_SLIPS = [
    ("forward_in_time", "The loop runs forward in time. Step t needs the gradient that step t+1 sends back, "
                        "so go from the last step to the first: for t in reversed(range(T))."),
    ("skips_step_1", "The loop stops before step 1: range(T - 1, 0, -1) never reaches t = 0, so dx[0] and dh0 "
                     "miss step 1. Use reversed(range(T)), which ends at 0."),
    ("only_dh_t", "Each step got dh[t] alone. h_t is used twice, by the loss term of step t and by step t+1, "
                  "so the step's dh_t is dh[t] + dh_next, the dh_prev that step t+1 returned."),
    ("only_dh_next", "Each step got only the gradient carried from step t+1 (dh[t] entered at the last step only). "
                     "Every h_t also receives dh[t] from its own loss term: pass dh[t] + dh_next."),
    ("grads_last_visited", "grads holds only the gradients of step 1, the last one the loop visited: they were "
                           "overwritten at each step. Every step uses the same weights, so add the step "
                           "gradients: grads[k] += step_grads[k]."),
    ("grads_first_visited", "grads holds only the gradients of step T, the first one the loop visited. Every step "
                            "uses the same weights, so add all the step gradients: grads[k] += step_grads[k]."),
    ("grads_mean", "grads is the mean of the step gradients: sum them instead (no division by T); the loss "
                   "adds up what every step contributes."),
    ("dx_reversed", "dx is in reverse order: dx[t] must be the gradient of x[t], the input of the step whose "
                    "cache is step_caches[t]. (A list appended on the way back must be reversed.)"),
    ("dh0_of_step_T", "dh0 comes from the wrong step: the first call, at step T. It is the dh_prev of the "
                      "last call, the one for step 1 (step_caches[0])."),
    ("dh0_is_g1", "dh0 is the gradient that entered step 1, at h_1 (dh[0] + dh_next). Return what step 1 "
                  "sends back, its dh_prev: the gradient at h_0."),
]

SEQUENCE_ERROR_HINTS = [
    (("positional argument",), "my_rnn_backward takes three arguments: "
                               "def my_rnn_backward(dh, step_caches, step_backward)."),
    (("dh_t must", "rnn_step_backward needs"),
     "step_backward(dh_t, cache) checks its arguments: dh_t must be a float array (B, H) "
     "(start from np.zeros((B, H)), not 0), and cache one step's cache, step_caches[t]."),
    (("not subscriptable", "KeyError", "list indices"),
     "step_caches is a list of T step caches, cache['steps'] of rnn_forward; "
     "step t's is step_caches[t], and its weights are step_caches[t]['params']."),
]


def sequence_cases():
    """(dh, forward cache, x, h0, params) for three sequences; the cache comes from `rnn_forward`."""
    rng = np.random.default_rng(1990)
    cases = []
    for T, B, D, H in [(4, 2, 3, 4), (3, 1, 2, 3), (5, 3, 4, 2)]:
        # larger weights, so that tanh' is far from 1 and the steps differ
        params = {k: 2.0 * v for k, v in init_rnn_params(D, H, rng).items()}
        x, h0 = rng.normal(size=(T, B, D)), rng.uniform(-0.9, 0.9, size=(B, H))
        _, cache = rnn_forward(x, h0, params)
        cases.append((rng.normal(size=(T, B, H)), cache, x, h0, params))
    return cases


def torch_reference(dh, x, h0, params):
    """dx, dh0 and grads of L = sum(dh * h) by torch's autograd on a float64 torch.nn.RNN."""
    import torch  # here, not at the top: only this reference needs it

    from lstm_lib.torch_bridge import to_torch

    module = to_torch(params)
    x_torch = torch.tensor(x, requires_grad=True)
    h0_torch = torch.tensor(h0[None], requires_grad=True)  # torch wants (layers, B, H)
    (module(x_torch, h0_torch)[0] * torch.from_numpy(dh)).sum().backward()
    grads = {k: getattr(module, k + "_l0").grad.numpy() for k in params}
    return x_torch.grad.numpy(), h0_torch.grad[0].numpy(), grads


class _CountedStep:
    """lstm_lib's rnn_step_backward, counting the calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, dh_t, cache):
        self.calls += 1
        return rnn_step_backward(dh_t, cache)


def _sequence_hints(args, got, wrong):
    """The hint of every slip that reproduces a wrong output; those that reproduce all of them first."""
    hints, whole = [], []
    for slip, hint in SEQUENCE_SLIPS:
        out = flatten_with_grads(SEQUENCE_NAMES, sequence_backward_with_slip(*args, slip=slip))
        if any(np.allclose(got[k], out[k], rtol=1e-6, atol=1e-9) for k in wrong):
            hints.append(hint)
            if all(np.allclose(got[k], out[k], rtol=1e-6, atol=1e-9) for k in out):
                whole.append(hint)
    return whole or hints


def _sequence_verdict(fn):
    if not callable(fn):
        return False, [not_callable(fn)]
    cases = sequence_cases()
    for n, (dh, cache, x, h0, params) in enumerate(cases, 1):
        (T, B, H), D = dh.shape, x.shape[2]
        step = _CountedStep()
        steps = [_copy_cache(c) for c in cache["steps"]]  # copies: an answer may write into them
        result, error = call_safely(fn, dh.copy(), steps, step)
        if error:
            return False, [f"Case {n}: your my_rnn_backward raised {error}",
                           f"The inputs had shapes: dh {(T, B, H)}, step_caches a list of {T} step caches.",
                           *matching_hints(error, SEQUENCE_ERROR_HINTS)]
        shapes = {"dx": ("(T, B, D)", (T, B, D)), "dh0": ("(B, H)", (B, H))}
        grad_shapes = {"weight_ih": ("(H, D)", (H, D)), "weight_hh": ("(H, H)", (H, H)),
                       "bias_ih": ("(H,)", (H,)), "bias_hh": ("(H,)", (H,))}
        got, problem = unpack_with_grads(result, "my_rnn_backward", SEQUENCE_NAMES, shapes, grad_shapes,
                                         delta="da_t")
        if problem:
            return False, [f"Case {n}: {problem}"]
        want = flatten_with_grads(SEQUENCE_NAMES, rnn_backward(dh, cache))
        wrong = [k for k in want if not np.allclose(got[k], want[k], rtol=1e-6, atol=1e-9)]
        if wrong:
            right = [k for k in want if k not in wrong]
            messages = [f"Case {n} (T = {T}): wrong values in {', '.join(wrong)}"
                        + (f" (right: {', '.join(right)})." if right else ".")]
            if step.calls != T:
                messages.append(f"step_backward was called {step.calls} times for T = {T} steps: "
                                "call it once per step.")
            hints = _sequence_hints((dh, cache["steps"], rnn_step_backward), got, wrong)
            return False, messages + (hints or ["No common slip matches; compare your loop with the "
                                                "equations of Steps 1, 2 and 4, line by line."])
        autograd = flatten_with_grads(SEQUENCE_NAMES, torch_reference(dh, x, h0, params))
        off = [k for k in autograd if not np.allclose(got[k], autograd[k], rtol=1e-6, atol=1e-9)]
        if off:  # cannot happen while lstm_lib agrees with torch; said rather than hidden
            return False, [f"Case {n}: your results match lstm_lib.rnn.rnn_backward but not torch's autograd "
                           f"in {', '.join(off)}."]
        problem = changed_input(fn, (dh, [_copy_cache(c) for c in cache["steps"]], rnn_step_backward),
                                ("dh", "step_caches", "step_backward"), "your my_rnn_backward")
        if problem:
            return False, [f"Case {n}: {problem}"]
    return True, [f"All {len(cases)} cases match lstm_lib.rnn.rnn_backward and torch's autograd: "
                  "dx, dh0 and the summed grads."]


def check_rnn_backward(fn):
    """Check a reader's ``my_rnn_backward(dh, step_caches, step_backward) -> (dx, dh0, grads)`` against
    `lstm_lib.rnn.rnn_backward` and torch's autograd; the caller's dh must be left unchanged.

    The checker passes lstm_lib's own rnn_step_backward as `step_backward`, so only the loop is judged.
    """
    passed, messages = _sequence_verdict(fn)
    return report("my_rnn_backward: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 3: the step size of a finite difference --------------------------------------------
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

"""Checkers for the chapter "Training an LSTM".

A code exercise: one training update, ``one_update(x, y, params, readout, optimizer,
max_norm) -> loss`` (`check_update`): forward to h_T, the readout, the MSE loss, the
backward pass, the clipping of the global gradient norm and Adam's step, checked against
the library's loop (`reference_update`, the body of `lstm_lib.train.train_last_step`)
over three updates on fixed batches, with a catalogue of the usual slips. A slider
exercise on the stored learning-rate sweep (`check_learning_rate`, with
`learning_rate_feedback` as the slider's verdict): the largest learning rate at which
every seed solved the task.
"""
import numbers

import numpy as np

from lstm_lib.layers import init_linear_params, linear_backward, linear_forward, mse_loss
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.optim import Adam, clip_grad_norm, sgd_step
from lstm_lib.tasks import adding_problem
from lstm_lib.train import last_state, last_state_backward

from .feedback import call_safely, matching_hints, not_callable, report, slider_checkers

# --- exercise 1: one update -----------------------------------------------------------------

UPDATE_LR = 0.01
UPDATE_MAX_NORM = 0.05  # small enough that every update of the check is clipped
UPDATE_STEPS = 3  # updates in a row on one optimizer: its running averages must persist


def reference_update(x, y, params, readout, optimizer, max_norm):
    """One update as `lstm_lib.train.train_last_step` makes it; returns the loss."""
    h_T, cache = last_state(x, params)  # (B, H)
    y_hat, readout_cache = linear_forward(h_T, readout)  # (B, 1)
    loss, dy_hat = mse_loss(y_hat, y)
    dh_T, readout_grads = linear_backward(dy_hat, readout_cache)  # (B, H)
    grads = {**last_state_backward(dh_T, cache), **readout_grads}
    clip_grad_norm(grads, max_norm)  # one norm over all six arrays
    optimizer.step(grads)
    return loss


def _update(x, y, params, readout, optimizer, max_norm, clip="global", sign=1.0,
            fresh_optimizer=False, step="adam", read_at=-1, loss_on="last", dh_at=-1):
    """One update with the usual slips as switches; the defaults give `reference_update`.

    clip: "global", "none", "each" (each array alone), "groups" (the LSTM's and the
    readout's separately). read_at: the state the readout reads (-1 = h_T). loss_on:
    "last" or "every" step. dh_at: where dL/dh_T is placed for lstm_backward.
    """
    H = params["weight_hh"].shape[1]
    zeros = np.zeros((x.shape[1], H))
    h, _, cache = lstm_forward(x, zeros, zeros, params)  # (T, B, H)
    if loss_on == "every":  # the readout on every state, the target repeated
        y_hat, readout_cache = linear_forward(h, readout)  # (T, B, 1)
        loss, dy_hat = mse_loss(y_hat, np.broadcast_to(y, y_hat.shape))
        dh, readout_grads = linear_backward(dy_hat, readout_cache)  # (T, B, H)
    else:
        y_hat, readout_cache = linear_forward(h[read_at], readout)
        loss, dy_hat = mse_loss(y_hat, y)
        dh_T, readout_grads = linear_backward(dy_hat, readout_cache)
        dh = np.zeros_like(h)
        dh[dh_at] = dh_T
    lstm_grads = lstm_backward(dh, cache)[3]
    grads = {**lstm_grads, **readout_grads}
    if clip == "global":
        clip_grad_norm(grads, max_norm)
    elif clip == "each":
        for key in grads:
            clip_grad_norm({key: grads[key]}, max_norm)
    elif clip == "groups":
        clip_grad_norm(lstm_grads, max_norm)
        clip_grad_norm(readout_grads, max_norm)
    grads = {k: sign * g for k, g in grads.items()}
    if step == "sgd":
        sgd_step({**params, **readout}, grads, optimizer.lr)
    elif fresh_optimizer:
        Adam({**params, **readout}, lr=optimizer.lr).step(grads)
    else:
        optimizer.step(grads)
    return loss


def _slip(hint, **switches):
    return (lambda *args: _update(*args, **switches), hint)


# (wrong version of one_update, what that slip looks like in words)
UPDATE_MISTAKES = [
    _slip("The gradient is not clipped (or clipped after optimizer.step, when it no longer "
          "matters).\nCall clip_grad_norm(grads, max_norm) on all six arrays before the "
          "step.", clip="none"),
    _slip("Each gradient array is clipped on its own. Clipping rescales all six arrays "
          "together,\nby one factor from their global norm: one call "
          "clip_grad_norm(grads, max_norm) on the dict\nthat holds them all.", clip="each"),
    _slip("The LSTM's gradients and the readout's are clipped separately. The norm is "
          "global:\nmerge the two dicts first, then one clip_grad_norm over all six "
          "arrays.", clip="groups"),
    _slip("The parameters move uphill: the gradient's sign is flipped (or the loss's "
          "gradient\nis y - y_hat). optimizer.step(grads) subtracts the step itself; "
          "pass dL/dp as it is.", sign=-1.0),
    _slip("A new Adam is made inside the update: its running averages start from zero "
          "every time,\nso the first update is right and the next ones are not. Use "
          "the optimizer you are given.", fresh_optimizer=True),
    _slip("This is plain gradient descent (sgd_step). Use the optimizer you are given: "
          "optimizer.step(grads).", step="sgd"),
    _slip("The readout reads the first state h_1 (h[0]). It reads the last, h_T = h[-1]: "
          "the answer\nis due at the end, after every marked value has been seen.",
          read_at=0),
    _slip("The loss is taken at every step (the readout on every h_t). This task is "
          "scored at the\nlast step only: the readout reads h_T, and only h_T receives "
          "gradient from the loss.", loss_on="every"),
    _slip("dL/dh_T is placed at the first step (dh[0]). The loss sits on h_T: dh[-1] = "
          "dh_T,\nor last_state_backward(dh_T, cache), which places it there.", dh_at=0),
]

UPDATE_ERROR_HINTS = [
    (("missing key(s) ['weight', 'bias']", "missing key(s) ['bias', 'weight']"),
     "The optimizer holds the readout's weight and bias too: step with one dict of all "
     "six\ngradients, {**lstm_grads, **readout_grads}."),
    (("missing key(s) ['weight_ih'",),
     "The optimizer holds the LSTM's four arrays too: step with one dict of all six\n"
     "gradients, {**lstm_grads, **readout_grads}."),
    (("needs the cache that last_state returns",),
     "last_state_backward takes the cache of last_state (or lstm_forward's), not "
     "linear_forward's."),
    (("needs the cache",),
     "Each backward function takes the cache of its own forward function: "
     "linear_backward\nthe readout's, last_state_backward the layer's."),
    (("dh_T must have the shape",),
     "last_state_backward wants dL/dh_T (B, H): the first result of linear_backward, not "
     "dL/dy_hat."),
]


def update_cases():
    """The fixed start and batches of the check: params (D = 2, H = 4), readout (4 -> 1)
    and UPDATE_STEPS batches (x (12, 6, 2), y (6, 1)) of the adding problem."""
    rng = np.random.default_rng(2015)
    params = init_lstm_params(2, 4, rng, forget_bias=1.0)
    readout = init_linear_params(4, 1, rng)
    batches = [adding_problem(6, 12, rng) for _ in range(UPDATE_STEPS)]
    return params, readout, batches


def _copy(d):
    return {k: np.array(v) for k, v in d.items()}


def run_updates(update):
    """Run `update` UPDATE_STEPS times from the fixed start: [(loss, params, readout)]
    after each update, or raise what it raised."""
    params, readout, batches = update_cases()
    params, readout = _copy(params), _copy(readout)
    optimizer = Adam({**params, **readout}, lr=UPDATE_LR)
    out = []
    for x, y in batches:
        loss = update(x.copy(), y.copy(), params, readout, optimizer, UPDATE_MAX_NORM)
        out.append((loss, _copy(params), _copy(readout)))
    return out


def _as_loss(value):
    """The reader's returned loss as a float, or (None, message)."""
    if value is None:
        return None, ("your one_update returned None. Did you forget `return loss` (the loss "
                      "of the batch,\nthe first result of mse_loss)?")
    if isinstance(value, tuple):
        return None, (f"your one_update returned a tuple of {len(value)} items; return the "
                      "loss alone\n(mse_loss returns (loss, dL/dy_hat): take the first).")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"your one_update returned a {type(value).__name__}, not a number."
    if arr.size != 1:
        return None, (f"your one_update returned an array of shape {arr.shape}; return the "
                      "loss, one number.")
    return float(arr.reshape(())), None


def _same_state(a, b):
    return all(np.allclose(a[k], b[k], rtol=1e-7, atol=1e-12) for k in a)


def _matches(step, loss, params, readout, trajectory):
    """Does the reader's state after update `step` match this trajectory's?"""
    if trajectory is None or len(trajectory) <= step:
        return False
    t_loss, t_params, t_readout = trajectory[step]
    return (np.isclose(loss, t_loss, rtol=1e-7, atol=1e-12)
            and _same_state(params, t_params) and _same_state(readout, t_readout))


def _slip_trajectories():
    out = []
    for wrong, hint in UPDATE_MISTAKES:
        try:
            out.append((run_updates(wrong), hint))
        except Exception:  # a slip model that does not apply
            out.append((None, hint))
    return out


def check_update(fn):
    """Check a reader's ``one_update(x, y, params, readout, optimizer, max_norm) -> loss``
    against `reference_update`, over three updates in a row on one Adam optimizer."""
    title = "one_update: "
    if not callable(fn):
        return report(title + "not yet", [not_callable(fn)], False)
    expected = run_updates(reference_update)
    params, readout, batches = update_cases()
    params, readout = _copy(params), _copy(readout)
    optimizer = Adam({**params, **readout}, lr=UPDATE_LR)
    for step, (x, y) in enumerate(batches):
        before = _copy(params), _copy(readout)
        where = f"Update {step + 1} of {UPDATE_STEPS}"
        result, error = call_safely(fn, x.copy(), y.copy(), params, readout, optimizer,
                                    UPDATE_MAX_NORM)
        if error:
            return report(title + "not yet",
                          [f"{where}: your one_update raised {error}",
                           *matching_hints(error, UPDATE_ERROR_HINTS)], False)
        loss, problem = _as_loss(result)
        if problem:
            return report(title + "not yet", [f"{where}: {problem}"], False)
        if _same_state(params, before[0]) and _same_state(readout, before[1]):
            return report(title + "not yet", [
                f"{where}: params and readout did not change. optimizer.step(grads) "
                "changes the arrays\nin place; do not replace the dicts or their "
                "arrays with new ones (params = ...)."], False)
        if not (np.all([np.isfinite(v).all() for v in params.values()])
                and np.isfinite(loss)):
            return report(title + "not yet",
                          [f"{where}: the loss or the weights hold NaN or infinity."],
                          False)
        if _matches(step, loss, params, readout, expected):
            continue
        t_loss, t_params, t_readout = expected[step]
        loss_ok = np.isclose(loss, t_loss, rtol=1e-7, atol=1e-12)
        if not loss_ok and _same_state(params, t_params) and \
                _same_state(readout, t_readout):
            return report(title + "not yet", [
                f"{where}: the weights after the update are right, the loss is not "
                f"({loss:.6g}, expected {t_loss:.6g}).",
                "Return the loss of the batch as mse_loss gave it, before the step."],
                False)
        messages = [f"{where}: the loss is right ({loss:.6g}), the weights after the "
                    "update are not." if loss_ok else
                    f"{where}: the loss is {loss:.6g}, expected {t_loss:.6g}."]
        hints = [hint for trajectory, hint in _slip_trajectories()
                 if _matches(step, loss, params, readout, trajectory)]
        return report(title + "not yet", messages + (hints or [
            "No common slip matches. The update is: last_state -> linear_forward -> "
            "mse_loss ->\nlinear_backward -> last_state_backward -> clip_grad_norm over "
            "all six arrays ->\noptimizer.step."]), False)
    return report(title + "correct", [
        f"{UPDATE_STEPS} updates in a row match the library's loop: forward, readout on "
        "h_T, loss,\nbackward, one global clip, Adam's step."], True)


# --- exercise 2 (sliders): the largest learning rate that solves every seed -----------------

def largest_solving(lrs, solved):
    """The largest learning rate at which every run solved, or None.

    lrs: the sweep's learning rates; solved: {lr: [True/False per seed]}."""
    good = [lr for lr in lrs if all(solved[lr])]
    return max(good) if good else None


def _lr_verdict(lr, lrs, solved):
    lrs = [float(v) for v in lrs]
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or \
            not any(np.isclose(lr, v, rtol=1e-9, atol=0) for v in lrs):
        return False, [f"lr should be one of the sweep's learning rates "
                       f"{[f'{v:g}' for v in lrs]}, got {lr!r}."]
    lr = next(v for v in lrs if np.isclose(lr, v, rtol=1e-9, atol=0))
    runs = solved[lr]
    here = f"At lr = {lr:g}, {sum(runs)} of {len(runs)} runs solved the task"
    target = largest_solving(lrs, solved)
    if target is None:
        return False, [here + "; at no learning rate of the sweep did every run solve."]
    if lr == target:
        return True, [here + ", and at every larger learning rate of the sweep some run "
                      "failed."]
    if all(runs):
        return False, [here + ": all of them. A larger learning rate does too: go up."]
    if lr > target:
        return False, [here + ": not all. Go down."]
    return False, [here + ": not all. A larger learning rate solves in every run: go up."]


def learning_rate_verdict(lr, lrs, solved):
    """(passed, messages): is lr the largest learning rate of the sweep at which every
    seed solved? solved: {lr: [bool per seed]}, from the stored sweep."""
    try:
        return _lr_verdict(lr, lrs, solved)
    except Exception as exc:  # malformed sweep arguments become feedback, not a crash
        return False, [f"The check could not read its arguments: {type(exc).__name__}: "
                       f"{exc}"]


check_learning_rate, learning_rate_feedback = slider_checkers(
    "largest learning rate", learning_rate_verdict,
    "Print whether lr is the largest learning rate of the sweep at which every seed "
    "solved.")

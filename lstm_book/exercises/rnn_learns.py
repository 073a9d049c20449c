"""Checker for the chapter "The RNN learns": one pass of truncated BPTT over a sequence.

The reader writes ``truncated_epoch(x, targets, params, readout, k, update) -> losses``: starting
from the zero state, one `lstm_lib.next_step.next_step_loss` per chunk of k steps, the state it returns
carried into the next chunk, ``update(grads)`` after each chunk, and the list of the chunk losses
returned. `check_truncated_epoch` runs it on small RNNs with an SGD `update` and compares the losses
with the right loop, naming the usual slips (state reset, the last chunk dropped, no chunks at all,
overlapping chunks, no update or one update at the end).
"""
import numpy as np

from lstm_lib.layers import init_linear_params
from lstm_lib.next_step import next_step_loss, zero_state
from lstm_lib.optim import sgd_step
from lstm_lib.rnn import init_rnn_params

from .feedback import call_safely, not_callable, report

LR = 0.5  # the step of the SGD update the checker passes: large, so that every update shows


def _chunks(T, k, slip):
    if slip == "full":
        return [(0, T)]
    if slip == "drop_last":
        return [(s, s + k) for s in range(0, T - k + 1, k)]
    if slip == "overlap":
        return [(s, s + k) for s in range(T - k + 1)]
    return [(s, min(s + k, T)) for s in range(0, T, k)]


def _epoch(x, targets, params, readout, k, update, slip=None):
    """The right loop, or one with a slip: "reset", "full", "drop_last", "overlap", "no_update",
    "update_at_end"."""
    state = zero_state(params, x.shape[1])
    losses, grads = [], None
    for start, stop in _chunks(x.shape[0], k, slip):
        if slip == "reset":
            state = zero_state(params, x.shape[1])
        loss, grads, state = next_step_loss(x[start:stop], targets[start:stop], state, params, readout)
        if slip not in ("no_update", "update_at_end"):
            update(grads)
        losses.append(loss)
    if slip == "update_at_end":
        update(grads)
    return losses


MISTAKES = [
    ("reset", "The state starts from zeros in every chunk. Truncated BPTT carries it: the third value "
              "next_step_loss returns is the state after the chunk; pass it as the state of the next one "
              "(only the gradient stops at the boundary)."),
    ("full", "There is a single loss: the whole sequence went through next_step_loss at once (full BPTT). "
             "Cut it into chunks x[start:start + k] for start = 0, k, 2k, ..."),
    ("drop_last", "The last, shorter chunk is missing: when k does not divide T, the steps after the last "
                  "full chunk still need a chunk (range(0, T, k), and slicing stops at T by itself)."),
    ("overlap", "The chunks overlap: they start one step apart. Chunks of truncated BPTT follow each other, "
                "start = 0, k, 2k, ..., so that every step is read once per pass."),
    ("no_update", "The losses never change the weights: call update(grads) after each chunk's "
                  "next_step_loss, before the next chunk."),
    ("update_at_end", "The weights change only once, after the last chunk: truncated BPTT makes one update per "
                      "chunk, update(grads) inside the loop."),
]


def _cases():
    """(x, targets, params, readout, k) for three small RNNs; k = 3 and 4 do not divide T."""
    rng = np.random.default_rng(2024)
    cases = []
    for T, B, V, H, k in [(10, 2, 4, 5, 3), (8, 1, 3, 4, 4), (9, 3, 5, 3, 4)]:
        params = {key: 1.5 * v for key, v in init_rnn_params(V, H, rng).items()}
        readout = init_linear_params(H, V, rng)
        idx = rng.integers(0, V, size=(T + 1, B))
        cases.append((np.eye(V)[idx[:-1]], idx[1:], params, readout, k))
    return cases


def _run(fn, x, targets, params, readout, k):
    """fn on fresh copies, with an SGD update of those copies -> (losses, error message, weights after)."""
    params = {key: v.copy() for key, v in params.items()}
    readout = {key: v.copy() for key, v in readout.items()}
    both = {**params, **readout}  # the same arrays: sgd_step updates params and readout in place

    def update(grads):
        sgd_step(both, grads, LR)

    result, error = call_safely(fn, x.copy(), targets.copy(), params, readout, k, update)
    return result, error, np.concatenate([v.ravel() for v in both.values()])


def _same(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12)


def check_truncated_epoch(fn):
    """Check a reader's ``truncated_epoch(x, targets, params, readout, k, update) -> losses``."""
    title = "truncated_epoch"
    problem = not_callable(fn)
    if problem:
        return report(f"{title}: not yet", [problem], False)
    for n, (x, targets, params, readout, k) in enumerate(_cases(), 1):
        T = x.shape[0]
        expected, _, expected_weights = _run(_epoch, x, targets, params, readout, k)
        expected = np.array(expected)
        result, error, weights = _run(fn, x, targets, params, readout, k)
        where = f"Case {n} (T = {T}, k = {k}):"
        if error:
            return report(f"{title}: not yet", [f"{where} truncated_epoch raised {error}"], False)
        if result is None:
            return report(f"{title}: not yet", [f"{where} truncated_epoch returned None. Did you forget "
                                                "to return the list of chunk losses?"], False)
        try:
            losses = np.asarray(result, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            return report(f"{title}: not yet", [f"{where} truncated_epoch returned a "
                                                f"{type(result).__name__}; return the list of the chunk "
                                                "losses, one number per chunk."], False)
        if _same(losses, expected) and _same(weights, expected_weights):
            continue
        hints = []
        for slip, hint in MISTAKES:
            wrong, _, wrong_weights = _run(lambda *a, s=slip: _epoch(*a, slip=s), x, targets, params,
                                           readout, k)
            if _same(losses, np.array(wrong)) and _same(weights, wrong_weights):
                hints.append(hint)
        if losses.shape != expected.shape:
            head = f"{where} {len(losses)} losses; expected {len(expected)}, one per chunk."
        elif _same(losses, expected):
            head = (f"{where} the losses are right, but the weights after the pass are not: "
                    "call update(grads) exactly once per chunk, and nothing after the loop.")
        else:
            head = (f"{where} one loss per chunk, but the values differ (largest difference "
                    f"{float(np.max(np.abs(losses - expected))):.3g}).")
        return report(f"{title}: not yet", [head, *(hints or [
            "No common slip matches. Check the loop: zero state first; for each chunk, next_step_loss "
            "from the carried state, update(grads), keep the loss and the new state."])], False)
    return report(f"{title}: correct", ["All 3 cases match: one update per chunk of k steps, the state "
                                        "carried from chunk to chunk, the last chunk shorter."], True)

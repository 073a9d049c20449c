"""The checker of "The RNN learns" accepts a right truncated_epoch and names each usual slip."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.rnn_learns import MISTAKES, check_truncated_epoch
from lstm_lib.next_step import chunk_bounds, next_step_loss, zero_state

HINTS = dict(MISTAKES)


def good(x, targets, params, readout, k, update):
    state = zero_state(params, x.shape[1])
    losses = []
    for start in range(0, len(x), k):
        loss, grads, state = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


def good_with_library_chunks(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start, stop in chunk_bounds(len(x), k):
        loss, grads, state = next_step_loss(x[start:stop], targets[start:stop], state, params, readout)
        update(grads)
        losses.append(loss)
    return np.array(losses)  # an array is fine too


def reset(x, targets, params, readout, k, update):
    losses = []
    for start in range(0, len(x), k):
        state = zero_state(params, x.shape[1])  # the slip: inside the loop
        loss, grads, _ = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


def state_never_updated(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start in range(0, len(x), k):
        loss, grads, _ = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


def full(x, targets, params, readout, k, update):
    loss, grads, _ = next_step_loss(x, targets, zero_state(params, x.shape[1]), params, readout)
    update(grads)
    return [loss]


def drop_last(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for n in range(len(x) // k):
        s = slice(n * k, (n + 1) * k)
        loss, grads, state = next_step_loss(x[s], targets[s], state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


def overlap(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start in range(len(x) - k + 1):
        loss, grads, state = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


def no_update(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start in range(0, len(x), k):
        loss, _, state = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        losses.append(loss)
    return losses


def update_at_end(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start in range(0, len(x), k):
        loss, grads, state = next_step_loss(x[start : start + k], targets[start : start + k], state, params, readout)
        losses.append(loss)
    update(grads)
    return losses


def shifted_targets(x, targets, params, readout, k, update):
    state, losses = zero_state(params, x.shape[1]), []
    for start in range(0, len(x), k):
        y = np.roll(targets, 1, axis=0)[start : start + k]  # the character just read, not the next one
        loss, grads, state = next_step_loss(x[start : start + k], y, state, params, readout)
        update(grads)
        losses.append(loss)
    return losses


@pytest.mark.parametrize("answer", [good, good_with_library_chunks])
def test_right_answers_pass(answer, capsys):
    verdict, out = run(check_truncated_epoch, answer, capsys)
    assert verdict and "✓ truncated_epoch: correct" in out


@pytest.mark.parametrize("answer,slip", [
    (reset, "reset"), (state_never_updated, "reset"), (full, "full"), (drop_last, "drop_last"),
    (overlap, "overlap"), (no_update, "no_update"), (update_at_end, "update_at_end"),
])
def test_each_slip_gets_its_hint(answer, slip, capsys):
    verdict, out = run(check_truncated_epoch, answer, capsys)
    assert not verdict
    assert HINTS[slip].split(":")[0][:40] in out.replace("\n     ", " ")
    others = [h for s, h in MISTAKES if s != slip]
    assert not any(h.split(":")[0][:40] in out.replace("\n     ", " ") for h in others)


def extra_update(x, targets, params, readout, k, update):
    losses = good(x, targets, params, readout, k, update)
    update({key: np.ones_like(v) for key, v in {**params, **readout}.items()})  # one update too many
    return losses


def test_a_wrong_answer_without_a_known_slip_is_rejected(capsys):
    verdict, out = run(check_truncated_epoch, shifted_targets, capsys)
    assert not verdict and "No common slip matches" in out
    verdict, out = run(check_truncated_epoch, extra_update, capsys)
    assert not verdict and "the losses are right, but the weights after the pass are not" in out


def test_the_starting_code_waits_and_none_and_errors_are_explained(capsys):
    verdict, out = run(check_truncated_epoch, raising, capsys)
    assert not verdict and "○ truncated_epoch: waiting for your code" in out
    verdict, out = run(check_truncated_epoch, returns_none, capsys)
    assert not verdict and "returned None" in out
    verdict, out = run(check_truncated_epoch, lambda *a: 1 / 0, capsys)
    assert not verdict and "ZeroDivisionError" in out
    verdict, out = run(check_truncated_epoch, lambda *a: "losses", capsys)
    assert not verdict and "return the list of the chunk losses" in out
    verdict, out = run(check_truncated_epoch, "truncated_epoch", capsys)
    assert not verdict and "Expected a function" in out

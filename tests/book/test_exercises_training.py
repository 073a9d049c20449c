"""The checkers of "Training an LSTM" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.training import (
    UPDATE_MISTAKES,
    check_learning_rate,
    check_update,
    largest_solving,
    learning_rate_feedback,
    learning_rate_verdict,
    reference_update,
    run_updates,
)
from lstm_lib.layers import linear_backward, linear_forward, mse_loss
from lstm_lib.lstm import lstm_backward, lstm_forward
from lstm_lib.optim import Adam, clip_grad_norm
from lstm_lib.train import last_state, last_state_backward


def with_layer_functions(x, y, params, readout, optimizer, max_norm):
    """lstm_forward and lstm_backward directly, the loss by hand."""
    B, H = x.shape[1], params["weight_hh"].shape[1]
    h, _, cache = lstm_forward(x, np.zeros((B, H)), np.zeros((B, H)), params)
    y_hat = h[-1] @ readout["weight"].T + readout["bias"]
    loss = float(np.mean((y_hat - y) ** 2))
    dy = 2 * (y_hat - y) / y.size
    dh = np.zeros_like(h)
    dh[-1] = dy @ readout["weight"]
    grads = lstm_backward(dh, cache)[3]
    grads["weight"], grads["bias"] = dy.T @ h[-1], dy.sum(axis=0)
    clip_grad_norm(grads, max_norm)
    optimizer.step(grads)
    return np.float64(loss)


def steps(clip=True, after=False, new_dicts=False, lstm_only=False, result="loss"):
    """The right update with one switch flipped."""
    def update(x, y, params, readout, optimizer, max_norm):
        h_T, cache = last_state(x, params)
        y_hat, readout_cache = linear_forward(h_T, readout)
        loss, dy_hat = mse_loss(y_hat, y)
        dh_T, readout_grads = linear_backward(dy_hat, readout_cache)
        lstm_grads = last_state_backward(dh_T, cache)
        grads = lstm_grads if lstm_only else {**lstm_grads, **readout_grads}
        if clip and not after:
            clip_grad_norm(grads, max_norm)
        if new_dicts:  # a fresh optimizer on copies: the caller's arrays never change
            copies = {k: v.copy() for k, v in {**params, **readout}.items()}
            Adam(copies, lr=optimizer.lr).step(grads)
        else:
            optimizer.step(grads)
        if after:
            clip_grad_norm(grads, max_norm)
        return {"loss": loss, "tuple": (loss, dy_hat), "none": None,
                "array": np.array([[loss]]), "batch": (y_hat - y) ** 2}[result]
    return update


@pytest.mark.parametrize("answer", [reference_update, with_layer_functions, steps(result="array")])
def test_accepts_right_answers(capsys, answer):
    verdict, out = run(check_update, answer, capsys)
    assert verdict and "correct" in out


@pytest.mark.parametrize("wrong, hint", UPDATE_MISTAKES)
def test_rejects_each_slip_with_its_hint(capsys, wrong, hint):
    verdict, out = run(check_update, wrong, capsys)
    assert not verdict and "not yet" in out
    assert hint.split("\n")[0] in out


def test_the_slips_are_told_apart():
    finals = [run_updates(wrong)[-1][1]["weight_hh"] for wrong, _ in UPDATE_MISTAKES]
    finals.append(run_updates(reference_update)[-1][1]["weight_hh"])
    for a in range(len(finals)):
        for b in range(a + 1, len(finals)):
            assert np.abs(finals[a] - finals[b]).max() > 1e-6, (a, b)


@pytest.mark.parametrize("answer, hint", [
    (steps(after=True), "not clipped (or clipped after optimizer.step"),
    (steps(clip=False), "not clipped"),
    (steps(new_dicts=True), "did not change"),
    (steps(lstm_only=True), "readout's weight and bias too"),
    (steps(result="tuple"), "return the loss alone"),
    (steps(result="none"), "Did you forget `return loss`"),
    (steps(result="batch"), "return the loss, one number"),
    (raising, "still raises NotImplementedError"),
    (returns_none, "returned None"),
    ("one_update", "Expected a function, got a str"),
])
def test_explains_other_wrong_answers(capsys, answer, hint):
    verdict, out = run(check_update, answer, capsys)
    assert not verdict and hint in out


def test_a_loss_computed_after_the_step_is_named(capsys):
    def late_loss(x, y, params, readout, optimizer, max_norm):
        reference_update(x, y, params, readout, optimizer, max_norm)
        h_T, _ = last_state(x, params)
        return mse_loss(linear_forward(h_T, readout)[0], y)[0]

    verdict, out = run(check_update, late_loss, capsys)
    assert not verdict and "before the step" in out


def test_an_unknown_slip_gets_the_recipe(capsys):
    def halved(x, y, params, readout, optimizer, max_norm):
        return reference_update(x, y, params, readout, optimizer, max_norm / 2)

    verdict, out = run(check_update, halved, capsys)
    assert not verdict and "No common slip matches" in out


def test_does_not_let_the_answer_change_the_batches(capsys):
    def vandal(x, y, params, readout, optimizer, max_norm):
        loss = reference_update(x, y, params, readout, optimizer, max_norm)
        x[:] = 0.0
        y[:] = 0.0
        return loss

    assert run(check_update, vandal, capsys)[0]
    assert run(check_update, reference_update, capsys)[0]


# --- the slider exercise: the largest learning rate ----------------------------------------------

LRS = [0.001, 0.003, 0.01, 0.03, 0.1]
SOLVED = {0.001: [False] * 3, 0.003: [False, True, False], 0.01: [True] * 3, 0.03: [True] * 3,
          0.1: [False] * 3}


def test_largest_solving():
    assert largest_solving(LRS, SOLVED) == 0.03
    assert largest_solving(LRS, {**SOLVED, 0.03: [True, False, True]}) == 0.01
    assert largest_solving(LRS, {lr: [False] for lr in LRS}) is None


@pytest.mark.parametrize("lr, passed, words", [
    (0.03, True, "target reached"), (0.01, False, "go up"), (0.003, False, "go up"),
    (0.1, False, "Go down"), (0.3, False, "one of the sweep's"), ("0.03", False, "one of the sweep's"),
    (None, False, "one of the sweep's"), (True, False, "one of the sweep's"),
])
def test_learning_rate_verdict(capsys, lr, passed, words):
    verdict = check_learning_rate(lr, LRS, SOLVED)
    out = capsys.readouterr().out
    assert bool(verdict) is passed and words in out


def test_learning_rate_verdict_when_no_rate_solves(capsys):
    verdict = check_learning_rate(0.01, LRS, {lr: [False] * 3 for lr in LRS})
    assert not verdict and "at no learning rate" in capsys.readouterr().out


def test_learning_rate_never_raises_on_a_malformed_sweep(capsys):
    verdict = check_learning_rate(0.01, LRS, None)
    assert not verdict and "could not read" in capsys.readouterr().out


def test_learning_rate_feedback_is_html_with_a_mark():
    assert learning_rate_feedback(lr=0.03, lrs=LRS, solved=SOLVED).startswith("<p")
    assert "✓" in learning_rate_feedback(0.03, LRS, SOLVED)
    assert "✗" in learning_rate_feedback(0.1, LRS, SOLVED)
    assert learning_rate_verdict(np.float64(0.03), LRS, SOLVED)[0]

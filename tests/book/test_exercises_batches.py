"""The checkers of "Batches of different lengths" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.batches import (
    FINAL_MISTAKES,
    MEAN_MISTAKES,
    PADDING_BAR,
    batch_size_feedback,
    batch_size_verdict,
    check_batch_size,
    check_final_states,
    check_masked_mean,
    final_cases,
    largest_under,
    mean_cases,
    reference_final_states,
    reference_masked_mean,
)

# --- final_states ---------------------------------------------------------------------------


def final_by_loop(h, lengths):
    return np.stack([h[n - 1, b] for b, n in enumerate(lengths)])


def final_by_take(h, lengths):
    idx = (np.asarray(lengths) - 1)[None, :, None]  # (1, B, 1)
    return np.take_along_axis(h, np.broadcast_to(idx, (1,) + h.shape[1:]), axis=0)[0]


@pytest.mark.parametrize("answer", [reference_final_states, final_by_loop, final_by_take])
def test_final_states_accepts_right_answers(capsys, answer):
    verdict, out = run(check_final_states, answer, capsys)
    assert verdict and "correct" in out, out


@pytest.mark.parametrize("wrong, hint", FINAL_MISTAKES)
def test_final_states_names_each_slip(capsys, wrong, hint):
    verdict, out = run(check_final_states, wrong, capsys)
    assert not verdict and hint.split("\n")[0] in out, out


def test_final_slips_differ_from_the_answer_and_each_other():
    """In the case where each slip is caught, it matches no other slip and not the reference."""
    for n, args in enumerate(final_cases()):
        outs = [reference_final_states(*args)]
        for wrong, _ in FINAL_MISTAKES:
            try:
                outs.append(np.asarray(wrong(*args)))
            except IndexError:
                outs.append(None)
        for a in range(len(outs)):
            for b in range(a + 1, len(outs)):
                if outs[a] is not None and outs[b] is not None and outs[a].shape == outs[b].shape:
                    assert not np.allclose(outs[a], outs[b]), (n, a, b)


@pytest.mark.parametrize("answer, hint", [
    (lambda h, L: h[np.asarray(L), np.arange(h.shape[1])], "one step past the end"),
    (lambda h, L: h[np.asarray(L) - 1], "Pair each step with its own sequence"),
    (lambda h, L: h[:, np.asarray(L) - 1], "expected (B, H)"),
    (lambda h, L: h[np.asarray(L) - 1, np.arange(h.shape[0])], "must have B entries each"),
    (raising, "still raises NotImplementedError"),
    (returns_none, "returned None"),
    ("final_states", "Expected a function, got a str"),
])
def test_final_states_explains_other_wrong_answers(capsys, answer, hint):
    verdict, out = run(check_final_states, answer, capsys)
    assert not verdict and hint in out, out


def test_final_states_that_write_into_h_are_named(capsys):
    def vandal(h, lengths):
        out = reference_final_states(h, lengths).copy()
        h[:] = 0.0
        return out

    verdict, out = run(check_final_states, vandal, capsys)
    assert not verdict and "wrote into h" in out, out


# --- masked_mean_loss -----------------------------------------------------------------------


def mean_by_loop(losses, lengths):
    total = sum(losses[:n, b].sum() for b, n in enumerate(lengths))
    return total / sum(lengths)


def mean_by_mask(losses, lengths):
    mask = np.arange(losses.shape[0])[:, None] < np.asarray(lengths)[None, :]
    return float(losses[mask].mean())


@pytest.mark.parametrize("answer", [reference_masked_mean, mean_by_loop, mean_by_mask,
                                    lambda x, L: np.array([[mean_by_mask(x, L)]])[0, 0]])
def test_masked_mean_accepts_right_answers(capsys, answer):
    verdict, out = run(check_masked_mean, answer, capsys)
    assert verdict and "correct" in out, out


@pytest.mark.parametrize("wrong, hint", MEAN_MISTAKES)
def test_masked_mean_names_each_slip(capsys, wrong, hint):
    verdict, out = run(check_masked_mean, wrong, capsys)
    assert not verdict and hint.split("\n")[0] in out, out
    others = [h.split("\n")[0] for w, h in MEAN_MISTAKES if h != hint]
    assert not any(o in out for o in others), out


def test_mean_cases_hold_garbage_in_the_padding():
    for losses, lengths in mean_cases():
        mask = np.arange(losses.shape[0])[:, None] < lengths[None, :]
        assert (~mask).any() and losses[~mask].min() > losses[mask].max()


@pytest.mark.parametrize("answer, hint", [
    (lambda x, L: x[np.arange(x.shape[1])[:, None] < np.asarray(L)[None, :]].mean(),
     "is T taken from losses.shape[0]?"),
    (lambda x, L: (x * (np.arange(x.shape[1])[:, None] < np.asarray(L)[None, :])).sum() / sum(L),
     "is T taken from losses.shape[0]?"),
    (lambda x, L: [mean_by_mask(x, L)] * 2, "expected one number, shape = ()"),
    (lambda x, L: (x * 0).sum() / 0, "NaN or infinity"),
    (raising, "still raises NotImplementedError"),
    (returns_none, "returned None"),
    (3.0, "Expected a function, got a float"),
])
def test_masked_mean_explains_other_wrong_answers(capsys, answer, hint):
    with np.errstate(all="ignore"):
        verdict, out = run(check_masked_mean, answer, capsys)
    assert not verdict and hint in out, out


def test_masked_mean_that_writes_into_losses_is_named(capsys):
    def vandal(losses, lengths):
        value = mean_by_mask(losses, lengths)
        losses[:] = 0.0
        return value

    verdict, out = run(check_masked_mean, vandal, capsys)
    assert not verdict and "wrote into losses" in out, out


# --- the batch-size slider ------------------------------------------------------------------

SIZES = [1, 2, 4, 8, 16, 32]
PADDING = {1: 0.0, 2: 0.0, 4: 0.01, 8: 0.03, 16: 0.07, 32: 0.14}


def test_largest_under():
    assert largest_under(SIZES, PADDING) == 16
    assert largest_under(SIZES, PADDING, bar=0.02) == 4
    assert largest_under([32], PADDING) is None
    assert PADDING_BAR == 0.10


@pytest.mark.parametrize("B, passed, words", [
    (16, True, "under 10%, and at every larger batch size it is not"),
    (np.int64(16), True, "at every larger batch size it is not"),
    (4, False, "go up"),
    (32, False, "not under 10%. Go down"),
    (3, False, "one of the slider's batch sizes [1, 2, 4, 8, 16, 32], got 3"),
    (16.0, False, "got 16.0"),
    (True, False, "got True"),
    (None, False, "got None"),
])
def test_batch_size_verdicts(capsys, B, passed, words):
    verdict = check_batch_size(B, SIZES, PADDING)
    out = capsys.readouterr().out
    assert bool(verdict) == passed and words in out, out
    html = batch_size_feedback(B=B, sizes=SIZES, padding=PADDING)
    assert html.startswith("<p") and ("✓" in html) == passed


def test_batch_size_without_a_target_and_with_bad_arguments():
    passed, messages = batch_size_verdict(32, [32], PADDING)
    assert not passed and "no batch size of the slider stays under 10%" in messages[0]
    passed, messages = batch_size_verdict(16, SIZES, {})
    assert not passed and "could not read its arguments" in messages[0]

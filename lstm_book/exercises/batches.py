"""Checkers for the chapter "Batches of different lengths".

Two code exercises on a padded batch, each checked against the library and a catalogue
of the usual slips: ``final_states(h, lengths) -> (B, H)``, the state at each sequence's
last real step (`check_final_states`, reference `lstm_lib.lengths.last_step`), and
``masked_mean_loss(losses, lengths) -> float``, the mean of per-step losses (T, B) over
the real steps only (`check_masked_mean`, reference `lstm_lib.masked.masked_mean`). The
test batches hold garbage (not zeros) at the padded steps, so an answer that reads the
padding cannot pass by luck. A slider exercise: the largest batch size at which buckets
keep the padding under 10 % of the computed step-rows (`check_batch_size`, with
`batch_size_feedback` as the slider's verdict), read from the padding fractions passed in.
"""
import re

import numpy as np

from lstm_lib.lengths import last_step
from lstm_lib.lstm import init_lstm_params, lstm_forward
from lstm_lib.masked import masked_mean

from .feedback import compare_to_reference, error_hints, leaves_inputs_alone, report, slider_checkers

# --- exercise 1: the state at each sequence's last step --------------------------------------


def reference_final_states(h, lengths):
    """h (T, B, H) at step lengths[b] - 1 of each sequence b: (B, H)."""
    return last_step(h, lengths)


def _rows(h, lengths):  # (lengths, arange(B)): the two index arrays of last_step
    return np.asarray(lengths), np.arange(h.shape[1])


# (wrong version, what that slip looks like in words); each takes (h, lengths)
FINAL_MISTAKES = [
    (lambda h, L: h[-1],
     "h[-1] is the last step of the padded batch, T - 1: a sequence that ended earlier "
     "holds zeros there. Take each sequence at its own last step, lengths[b] - 1."),
    (lambda h, L: h[_rows(h, L)[0] - 2, _rows(h, L)[1]],
     "This is one step before the end: a sequence of length L ends at step L - 1."),
    (lambda h, L: h[_rows(h, L)[1], _rows(h, L)[0] - 1],
     "The two indices are swapped: h is (T, B, H), time first. Write "
     "h[lengths - 1, np.arange(B)]."),
    (lambda h, L: h[:_rows(h, L)[0].max()].max(axis=0),
     "This is the largest value over time, not the state at the last step."),
]

FINAL_ERROR_HINTS = [
    (("out of bounds for axis 0",),
     "An index on the time axis is one step past the end: steps count from 0, so a "
     "sequence of length L ends at step L - 1 (h[lengths[b], b] is the first padded "
     "step, and a sequence of length T has none)."),
    (("out of bounds for axis 1",),
     "An index on the batch axis is too large: h is (T, B, H), time first, then the "
     "sequence b."),
    (("shape mismatch",),
     "The two index arrays must have B entries each, one per sequence: lengths - 1 and "
     "np.arange(B), where B = h.shape[1] (h.shape[0] is T)."),
]


FINAL_STEPS_HINT = (
    "h[lengths - 1] alone picks whole time steps, (B, B, H): every sequence at every "
    "sequence's last step. Pair each step with its own sequence: h[lengths - 1, "
    "np.arange(B)].")


def final_cases():
    """(h (T, B, H), lengths (B,)): LSTM states of padded batches (zero after each end);
    the first is square (T = B, so that swapped indices run), each holds a sequence of
    full length T (so that h[-1] is right for one of them)."""
    rng = np.random.default_rng(1212)
    cases = []
    for T, H, lengths in [(4, 3, [2, 4, 1, 3]), (5, 2, [5, 2, 4]), (6, 3, [3, 1, 6, 2])]:
        B = len(lengths)
        params = init_lstm_params(2, H, rng)
        zeros = np.zeros((B, H))
        h, _, _ = lstm_forward(rng.normal(size=(T, B, 2)), zeros, zeros, params,
                               lengths=lengths)
        cases.append((h, np.array(lengths)))
    return cases


def check_final_states(fn):
    """Check a reader's ``final_states(h, lengths) -> (B, H)`` against
    `lstm_lib.lengths.last_step`."""
    cases = final_cases()
    passed, messages = compare_to_reference(
        fn, reference_final_states, cases, FINAL_MISTAKES, what="your final_states",
        expected_letters="(B, H)", arg_names=("h", "lengths"), atol=1e-12)
    messages += error_hints(messages, FINAL_ERROR_HINTS)
    if not passed and re.search(r"returned shape \(\d+, \d+, \d+\)", messages[0]):
        messages.append(FINAL_STEPS_HINT)
    passed, messages = leaves_inputs_alone(fn, passed, messages, final_cases(), ("h", "lengths"),
                                           "final_states")
    return report("final_states: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2: the mean loss over the real steps -------------------------------------------


def reference_masked_mean(losses, lengths):
    """The mean of losses (T, B) over the steps t < lengths[b]: a 0-d array."""
    return np.asarray(masked_mean(losses, lengths)[0])


def _mask(losses, lengths, shift=0):
    T = losses.shape[0]
    return np.arange(T)[:, None] < np.asarray(lengths)[None, :] + shift  # (T, B)


# (wrong version, what that slip looks like in words); each takes (losses, lengths)
MEAN_MISTAKES = [
    (lambda x, L: x.mean(),
     "This is the mean over every entry, the padded ones too: their losses are not real "
     "steps. Keep the steps t < lengths[b] only."),
    (lambda x, L: (x * _mask(x, L)).sum() / x.size,
     "The padded steps are zeroed, but the sum is divided by T * B, every entry of the "
     "batch. Divide by the number of real steps, sum(lengths) (or mask.sum())."),
    (lambda x, L: (x * _mask(x, L)).sum() / x.shape[1],
     "This divides by B, the number of sequences: it is the summed loss per sequence, "
     "not the mean per step. Divide by the number of real steps, sum(lengths)."),
    (lambda x, L: np.mean([x[:n, b].mean() for b, n in enumerate(L)]),
     "This averages each sequence's own mean, so one step of a short sequence weighs "
     "more than one of a long one. The mean over real steps gives every step the same "
     "weight: sum over all real steps, divided by sum(lengths)."),
    (lambda x, L: (x * _mask(x, L, 1)).sum() / _mask(x, L, 1).sum(),
     "One padded step too many per sequence: the mask is t <= lengths[b]. Steps count "
     "from 0, so the real steps of a sequence of length L are t = 0 .. L - 1 (t < L)."),
    (lambda x, L: (x * _mask(x, L, -1)).sum() / _mask(x, L, -1).sum(),
     "The last real step of each sequence is left out (the mask is t < lengths[b] - 1). "
     "The real steps of a sequence of length L are t = 0 .. L - 1 (t < L)."),
    (lambda x, L: (x * _mask(x, L)).sum() / (_mask(x, L).sum() - len(L)),
     "The sum is right, the count is short by one step per sequence: there are "
     "sum(lengths) real steps, not sum(lengths - 1)."),
    (lambda x, L: (x * _mask(x, L).T).sum() / _mask(x, L).sum(),
     "The mask lies along the wrong axis: losses is (T, B), time first, so the mask of "
     "step t of sequence b is mask[t, b] = t < lengths[b]."),
]

MEAN_ERROR_HINTS = [
    (("could not be broadcast", "shape mismatch", "boolean index did not match"),
     "The mask and losses have different shapes (is T taken from losses.shape[0]?). "
     "losses is (T, B), time first: build the "
     "mask as np.arange(T)[:, None] < lengths[None, :], which is (T, B) too."),
    (("out of bounds",),
     "An index is out of range: losses is (T, B), time first, then the sequence b."),
]


def mean_cases():
    """(losses (T, B), lengths (B,)): per-step losses in (0, 3) at the real steps and
    garbage (5 to 9) at the padded ones; the first case is square (T = B), so that a
    mask along the wrong axis runs."""
    rng = np.random.default_rng(2024)
    cases = []
    for T, lengths in [(4, [2, 4, 1, 3]), (6, [3, 1, 6, 2, 5]), (5, [5, 2, 4])]:
        B = len(lengths)
        losses = rng.uniform(0.0, 3.0, size=(T, B))
        mask = np.arange(T)[:, None] < np.array(lengths)[None, :]
        losses = np.where(mask, losses, rng.uniform(5.0, 9.0, size=(T, B)))
        cases.append((losses, np.array(lengths)))
    return cases


def check_masked_mean(fn):
    """Check a reader's ``masked_mean_loss(losses, lengths) -> float`` against
    `lstm_lib.masked.masked_mean`."""
    cases = mean_cases()
    passed, messages = compare_to_reference(
        fn, reference_masked_mean, cases, MEAN_MISTAKES, what="your masked_mean_loss",
        expected_letters="one number, shape", arg_names=("losses", "lengths"),
        atol=1e-12)
    messages += error_hints(messages, MEAN_ERROR_HINTS)
    passed, messages = leaves_inputs_alone(fn, passed, messages, mean_cases(), ("losses", "lengths"),
                                           "masked_mean_loss")
    return report("masked_mean_loss: " + ("correct" if passed else "not yet"), messages,
                  passed)


# --- exercise 3 (slider): the largest batch size that buckets well ---------------------------

PADDING_BAR = 0.10  # buckets should keep the padding under this fraction of the step-rows


def largest_under(sizes, padding, bar=PADDING_BAR):
    """The largest batch size of `sizes` whose padding fraction is under `bar` (None if
    none is). padding: {batch size: fraction of the computed step-rows that is padding}."""
    good = [B for B in sizes if padding[B] < bar]
    return max(good) if good else None


def _batch_size_verdict(B, sizes, padding, bar):
    sizes = list(sizes)
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B not in sizes:
        return False, [f"B should be one of the slider's batch sizes {sizes}, got {B!r}."]
    here = f"At B = {B}, buckets pad {padding[B]:.0%} of the computed step-rows"
    target = largest_under(sizes, padding, bar)
    if target is None:
        return False, [here + f"; no batch size of the slider stays under {bar:.0%}."]
    if B == target:
        return True, [here + f": under {bar:.0%}, and at every larger batch size it is not."]
    if padding[B] < bar:
        return False, [here + f": under {bar:.0%}, and a larger batch size is too: go up."]
    return False, [here + f": not under {bar:.0%}. Go down."]


def batch_size_verdict(B, sizes, padding, bar=PADDING_BAR):
    """(passed, messages): is B the largest batch size of `sizes` at which buckets pad less
    than `bar` of the computed step-rows? padding: {batch size: padding fraction}."""
    try:
        return _batch_size_verdict(B, sizes, padding, bar)
    except Exception as exc:  # malformed arguments become feedback, not a crash
        return False, [f"The check could not read its arguments: {type(exc).__name__}: "
                       f"{exc}"]


check_batch_size, batch_size_feedback = slider_checkers(
    "batch size", batch_size_verdict,
    "Print whether B is the largest batch size at which buckets keep the padding under "
    "10 % of the computed step-rows.")

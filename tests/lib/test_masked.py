"""lstm_lib.masked: means over the real steps of a padded batch, against torch (cross_entropy
with ignore_index, a masked mean) and finite differences (float64); padding ignored even
when it holds NaN; bad arguments raise ValueError naming them."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstm_lib.gradcheck import gradcheck
from lstm_lib.lengths import step_mask
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.masked import masked_cross_entropy, masked_mean

LENGTHS = [[4, 6, 1, 3, 6], [2, 5, 5, 1], [7], [1, 1]]


def padded_targets(rng, T, lengths, V, pad=-100):
    targets = rng.integers(0, V, size=(T, len(lengths)))
    mask = step_mask(np.array(lengths), T)[:, :, 0]
    return np.where(mask, targets, pad), mask


@pytest.mark.parametrize("lengths", LENGTHS)
def test_cross_entropy_matches_torch_ignore_index(rng, lengths):
    T, V = max(lengths) + 1, 5
    logits = rng.normal(size=(T, len(lengths), V)) * 3
    targets, mask = padded_targets(rng, T, lengths, V)
    loss, dlogits = masked_cross_entropy(logits, targets, lengths)
    lt = torch.tensor(logits, requires_grad=True)
    ref = F.cross_entropy(lt.reshape(-1, V), torch.tensor(targets).reshape(-1),
                          ignore_index=-100)
    ref.backward()
    assert loss == pytest.approx(float(ref.detach()), abs=1e-12)
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), rtol=0, atol=1e-12)
    assert not dlogits[~mask].any()


@pytest.mark.parametrize("lengths", LENGTHS)
def test_mean_matches_torch_masked_mean(rng, lengths):
    T = max(lengths) + 2
    values = rng.normal(size=(T, len(lengths)))
    mask = step_mask(np.array(lengths), T)[:, :, 0]
    mean, dvalues = masked_mean(values, lengths)
    vt, mt = torch.tensor(values, requires_grad=True), torch.tensor(mask)
    ref = (vt * mt).sum() / mt.sum()
    ref.backward()
    assert mean == pytest.approx(float(ref.detach()), abs=1e-14)
    np.testing.assert_allclose(dvalues, vt.grad.numpy(), rtol=0, atol=1e-15)
    assert mean == pytest.approx(values[mask].mean(), abs=1e-14)


def test_finite_differences_through_an_lstm(rng):
    """The masked cross-entropy of a readout on every step of a padded LSTM batch:
    gradients by masked_cross_entropy + lstm_backward against central differences."""
    T, D, H, V, lengths = 5, 2, 3, 4, [3, 5, 1]
    B = len(lengths)
    params = init_lstm_params(D, H, rng)
    W = rng.normal(size=(V, H))
    x = rng.normal(size=(T, B, D))
    h0 = c0 = np.zeros((B, H))
    targets, _ = padded_targets(rng, T, lengths, V, pad=-1)

    def forward():
        h, _, cache = lstm_forward(x, h0, c0, params, lengths=lengths)
        loss, dlogits = masked_cross_entropy(h @ W.T, targets, lengths)  # (T, B, V)
        return loss, dlogits, h, cache

    loss, dlogits, h, cache = forward()
    dW = np.einsum("tbv,tbh->vh", dlogits, h)
    dx, _, _, grads = lstm_backward(dlogits @ W, cache)
    errors = gradcheck(lambda: forward()[0], {"x": x, "W": W, **params},
                       {"x": dx, "W": dW, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_finite_differences_of_the_mean(rng):
    values = rng.normal(size=(4, 3))
    _, dvalues = masked_mean(values, [4, 2, 1])
    errors = gradcheck(lambda: masked_mean(values, [4, 2, 1])[0], {"v": values}, {"v": dvalues})
    assert errors["v"] < 1e-9


def test_padding_is_ignored_even_when_it_is_nan(rng):
    T, B, V, lengths = 4, 3, 5, [4, 2, 1]
    logits = rng.normal(size=(T, B, V))
    targets, mask = padded_targets(rng, T, lengths, V, pad=0)
    loss, dlogits = masked_cross_entropy(logits, targets, lengths)
    dirty = logits.copy()
    dirty[~mask] = np.nan
    dirty_targets = np.where(mask, targets, 10**6)
    loss2, dlogits2 = masked_cross_entropy(dirty, dirty_targets, lengths)
    assert loss == loss2
    np.testing.assert_array_equal(dlogits, dlogits2)
    values = rng.normal(size=(T, B))
    values_dirty = np.where(mask, values, np.inf)
    assert masked_mean(values, lengths)[0] == masked_mean(values_dirty, lengths)[0]


def test_full_lengths_give_the_plain_mean(rng):
    logits, targets = rng.normal(size=(3, 2, 4)), rng.integers(0, 4, size=(3, 2))
    loss, _ = masked_cross_entropy(logits, targets, [3, 3])
    ref = F.cross_entropy(torch.tensor(logits).reshape(-1, 4), torch.tensor(targets).reshape(-1))
    assert loss == pytest.approx(float(ref.detach()), abs=1e-12)


def test_float32_keeps_its_dtype(rng):
    logits = rng.normal(size=(3, 2, 4)).astype(np.float32)
    _, dlogits = masked_cross_entropy(logits, np.zeros((3, 2), int), [3, 1])
    _, dvalues = masked_mean(logits[:, :, 0], [3, 1])
    assert dlogits.dtype == dvalues.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: masked_mean(np.zeros((3, 2, 1)), [1, 1]), r"values must have 2 dimensions \(T, B\)"),
    (lambda: masked_mean(np.zeros((3, 2), int), [1, 1]), "values must hold floating-point"),
    (lambda: masked_mean(np.zeros((3, 2)), [1, 4]), r"lengths must lie in \[1, T\] = \[1, 3\]"),
    (lambda: masked_mean(np.zeros((3, 2)), [1, 2, 3]), r"lengths must have shape \(B,\) = \(2,\)"),
    (lambda: masked_mean(np.zeros((3, 2)), [1.0, 2.0]), "lengths must hold whole numbers"),
    (lambda: masked_cross_entropy(np.zeros((3, 2)), np.zeros((3, 2), int), [1, 1]),
     r"logits must have 3 dimensions \(T, B, V\)"),
    (lambda: masked_cross_entropy(np.zeros((3, 2, 4)), np.zeros((2, 3), int), [1, 1]),
     r"targets must have shape \(T, B\) = \(3, 2\), got \(2, 3\)"),
    (lambda: masked_cross_entropy(np.zeros((3, 2, 4)), np.zeros((3, 2)), [1, 1]),
     "targets must hold integer class indices, got dtype float64"),
    (lambda: masked_cross_entropy(np.zeros((3, 2, 4)), np.full((3, 2), 4), [1, 1]),
     r"targets must lie in \[0, 3\] \(V = 4 classes\) at the real steps"),
    (lambda: masked_cross_entropy(np.zeros((3, 2, 4)), np.zeros((3, 2), int), [0, 1]),
     r"lengths must lie in \[1, T\]"),
])
def test_bad_arguments_raise_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()

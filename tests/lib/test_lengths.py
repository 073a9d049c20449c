"""lstm_forward(..., lengths=) and its backward against torch's packed LSTM
(pack_padded_sequence, unsorted lengths; float64: forward 1e-10, gradients 1e-9) and
finite differences; bad lengths raise ValueError naming them."""
import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_lib.gradcheck import gradcheck
from lstm_lib.lengths import check_lengths, last_step, step_mask
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.torch_bridge import to_torch

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
CASES = [  # (T, D, H, lengths): unsorted, ties, one full, one of length 1
    (6, 3, 4, [4, 6, 1, 3, 6]),
    (5, 2, 3, [2, 5, 5, 1]),
    (7, 4, 2, [7]),
    (3, 1, 1, [1, 1]),
]


def make_problem(rng, T, D, H, B):
    params = {k: v * 2.0 for k, v in init_lstm_params(D, H, rng).items()}
    x = rng.normal(size=(T, B, D))
    h0, c0 = rng.normal(size=(B, H)) * 0.5, rng.normal(size=(B, H))
    # a loss reading every output, the last states h_n and c_n
    w_out, w_h, w_c = (rng.normal(size=s) for s in ((T, B, H), (B, H), (B, H)))
    return x, h0, c0, params, w_out, w_h, w_c


def numpy_loss_grads(x, h0, c0, params, lengths, w_out, w_h, w_c):
    """The loss sum(h * w_out) + sum(h_n * w_h) + sum(c_n * w_c) and its gradients by
    lstm_backward: h_n is h at each last step, so its gradient joins dh there."""
    h, c, cache = lstm_forward(x, h0, c0, params, lengths=lengths)
    h_n, c_n = last_step(h, lengths), last_step(c, lengths)
    T, B = x.shape[:2]
    dh = w_out * step_mask(np.asarray(lengths), T)  # padded outputs are constant zeros
    dh[np.asarray(lengths) - 1, np.arange(B)] += w_h
    loss = float((h * w_out).sum() + (h_n * w_h).sum() + (c_n * w_c).sum())
    return h, h_n, c_n, loss, lstm_backward(dh, cache, dc_T=w_c)


def torch_reference(x, h0, c0, params, lengths, w_out, w_h, w_c):
    module = to_torch(params)
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    packed = pack_padded_sequence(xt, torch.tensor(lengths), enforce_sorted=False)
    out_packed, (h_n, c_n) = module(packed, (h0t, c0t))
    out, _ = pad_packed_sequence(out_packed, total_length=x.shape[0])
    loss = (out * torch.tensor(w_out)).sum() + (h_n[0] * torch.tensor(w_h)).sum() \
        + (c_n[0] * torch.tensor(w_c)).sum()
    loss.backward()
    grads = {k: getattr(module, k + "_l0").grad.numpy() for k in KEYS}
    return (out.detach().numpy(), h_n.detach().numpy()[0], c_n.detach().numpy()[0],
            float(loss.detach()), xt.grad.numpy(), h0t.grad.numpy()[0], c0t.grad.numpy()[0], grads)


@pytest.mark.parametrize("T,D,H,lengths", CASES)
def test_packed_forward_and_backward_match_torch(rng, T, D, H, lengths):
    x, h0, c0, params, w_out, w_h, w_c = make_problem(rng, T, D, H, len(lengths))
    h, h_n, c_n, loss, (dx, dh0, dc0, grads) = numpy_loss_grads(
        x, h0, c0, params, lengths, w_out, w_h, w_c)
    out, h_n_ref, c_n_ref, loss_ref, dx_ref, dh0_ref, dc0_ref, grads_ref = \
        torch_reference(x, h0, c0, params, lengths, w_out, w_h, w_c)
    forward, backward = dict(rtol=0, atol=1e-10), dict(rtol=0, atol=1e-9)
    np.testing.assert_allclose(h, out, **forward)
    np.testing.assert_allclose(h_n, h_n_ref, **forward)
    np.testing.assert_allclose(c_n, c_n_ref, **forward)
    assert loss == pytest.approx(loss_ref, abs=1e-9)
    np.testing.assert_allclose(dx, dx_ref, **backward)
    np.testing.assert_allclose(dh0, dh0_ref, **backward)
    np.testing.assert_allclose(dc0, dc0_ref, **backward)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], grads_ref[k], **backward, err_msg=k)
    assert min(np.abs(a).max() for a in [dh0, dc0, *grads.values()]) > 1e-3


def test_padded_steps_are_zero_and_ignored(rng):
    T, D, H, lengths = 6, 3, 4, [4, 6, 1]
    x, h0, c0, params, *_ = make_problem(rng, T, D, H, 3)
    h, c, _ = lstm_forward(x, h0, c0, params, lengths=lengths)
    x_other = x.copy()
    x_other[4:, 0], x_other[1:, 2] = 99.0, -99.0  # change only the padding
    h2, c2, cache2 = lstm_forward(x_other, h0, c0, params, lengths=lengths)
    np.testing.assert_array_equal(h, h2)
    np.testing.assert_array_equal(c, c2)
    assert not h[4:, 0].any() and not c[1:, 2].any() and h[:4, 0].all()
    # each sequence alone, unpadded, gives the same states
    for b, n in enumerate(lengths):
        h_b, c_b, _ = lstm_forward(x[:n, b:b + 1], h0[b:b + 1], c0[b:b + 1], params)
        np.testing.assert_allclose(h[:n, b:b + 1], h_b, rtol=0, atol=1e-15)
    # gradients at padded steps are ignored; dx there is zero
    dh = rng.normal(size=h.shape)
    dx, *_ = lstm_backward(dh, cache2)
    assert not dx[4:, 0].any() and not dx[1:, 2].any()
    dh_masked = dh * step_mask(np.array(lengths), T)
    for a, b in zip(lstm_backward(dh, cache2)[1:3], lstm_backward(dh_masked, cache2)[1:3]):
        np.testing.assert_array_equal(a, b)


def test_all_full_lengths_equal_no_lengths(rng):
    x, h0, c0, params, w_out, *_ = make_problem(rng, 5, 2, 3, 2)
    h, c, cache = lstm_forward(x, h0, c0, params)
    h_l, c_l, cache_l = lstm_forward(x, h0, c0, params, lengths=[5, 5])
    np.testing.assert_array_equal(h, h_l)
    for a, b in zip(lstm_backward(w_out, cache)[:3], lstm_backward(w_out, cache_l)[:3]):
        np.testing.assert_array_equal(a, b)


def test_finite_differences_with_lengths(rng):
    T, D, H, lengths = 5, 2, 3, [3, 5, 1]
    x, h0, c0, params, w_out, w_h, w_c = make_problem(rng, T, D, H, 3)

    def loss():
        return numpy_loss_grads(x, h0, c0, params, lengths, w_out, w_h, w_c)[3]

    dx, dh0, dc0, grads = numpy_loss_grads(x, h0, c0, params, lengths, w_out, w_h, w_c)[4]
    errors = gradcheck(loss, {"x": x, "h0": h0, "c0": c0, **params},
                       {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_float32_keeps_its_dtype(rng):
    x, h0, c0, params, w_out, *_ = make_problem(rng, 4, 2, 3, 2)
    as32 = [a.astype(np.float32) for a in (x, h0, c0, w_out)]
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    h, c, cache = lstm_forward(*as32[:3], params32, lengths=[2, 4])
    dx, dh0, dc0, grads = lstm_backward(as32[3], cache)
    assert {a.dtype for a in (h, c, dx, dh0, dc0, *grads.values())} == {np.dtype("float32")}


@pytest.mark.parametrize("lengths,message", [
    ([3, 2], r"lengths must have shape \(B,\) = \(3,\).*got shape \(2,\)"),
    ([[3, 2, 1]], r"lengths must have shape \(B,\) = \(3,\).*got shape \(1, 3\)"),
    ([3.0, 2.0, 1.0], r"lengths must hold whole numbers \(int\), got dtype float64"),
    ([True, True, True], r"lengths must hold whole numbers \(int\), got dtype bool"),
    (["3", "2", "1"], r"lengths must hold whole numbers"),
    ([3, 0, 1], r"lengths must lie in \[1, T\] = \[1, 4\].*got \[3, 0, 1\]"),
    ([3, 5, 1], r"lengths must lie in \[1, T\] = \[1, 4\].*got \[3, 5, 1\]"),
    ([3, -1, 1], r"lengths must lie in \[1, T\]"),
])
def test_bad_lengths_raise_a_clear_error(rng, lengths, message):
    x, h0, c0, params, *_ = make_problem(rng, 4, 2, 3, 3)
    with pytest.raises(ValueError, match=message):
        lstm_forward(x, h0, c0, params, lengths=lengths)


def test_lengths_as_numpy_and_torch_ints(rng):
    assert check_lengths(np.array([2, 1], dtype=np.int32), 2, 3).tolist() == [2, 1]
    assert check_lengths(torch.tensor([2, 1]).numpy(), 2, 3).tolist() == [2, 1]
    with pytest.raises(ValueError, match="h must have 3 dimensions"):
        last_step(np.zeros((3, 2)), [1, 2])


def test_nan_padding_is_never_read(rng):
    """torch's packed LSTM never reads padded values; neither forward nor backward here."""
    x, h0, c0, params, w_out, *_ = make_problem(rng, 4, 2, 3, 2)
    lengths = [4, 2]
    x_nan = x.copy()
    x_nan[2:, 1] = np.nan
    h, c, cache = lstm_forward(x, h0, c0, params, lengths=lengths)
    h_nan, c_nan, cache_nan = lstm_forward(x_nan, h0, c0, params, lengths=lengths)
    np.testing.assert_array_equal(h, h_nan)
    np.testing.assert_array_equal(c, c_nan)
    dh = w_out * step_mask(np.array(lengths), 4)
    for a, b in zip(lstm_backward(dh, cache)[:3], lstm_backward(dh, cache_nan)[:3]):
        np.testing.assert_array_equal(a, b)
    grads, grads_nan = lstm_backward(dh, cache)[3], lstm_backward(dh, cache_nan)[3]
    for k in KEYS:
        np.testing.assert_array_equal(grads[k], grads_nan[k])

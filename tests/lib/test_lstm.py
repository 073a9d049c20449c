"""lstm_lib.lstm against torch.nn.LSTM + autograd (float64, 1e-10) and against finite differences."""
import numpy as np
import pytest
import torch

from lstm_lib.gradcheck import gradcheck
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_backward, lstm_forward, lstm_step
from lstm_lib.torch_bridge import to_torch

SIZES = [(1, 1, 1, 1), (5, 3, 4, 6), (7, 2, 6, 3), (12, 4, 1, 8), (3, 2, 5, 2)]  # (T, B, D, H)
KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def make_problem(rng, T, B, D, H):
    """Random nonzero states, both biases nonzero, weights larger than init so every gate is far from 1/2."""
    params = {k: v * 2.0 for k, v in init_lstm_params(D, H, rng).items()}
    x = rng.normal(size=(T, B, D))
    h0 = rng.normal(size=(B, H)) * 0.5
    c0 = rng.normal(size=(B, H))
    dh = rng.normal(size=(T, B, H))
    dc_T = rng.normal(size=(B, H))
    return x, h0, c0, params, dh, dc_T


def torch_reference(x, h0, c0, params, dh, dc_T=None):
    module = to_torch(params)
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    out, (h_last, c_last) = module(xt, (h0t, c0t))
    loss = (out * torch.tensor(dh)).sum()
    if dc_T is not None:
        loss = loss + (c_last[0] * torch.tensor(dc_T)).sum()
    loss.backward()
    grads = {k: getattr(module, k + "_l0").grad.numpy() for k in KEYS}
    return (out.detach().numpy(), h_last.detach().numpy()[0], c_last.detach().numpy()[0],
            xt.grad.numpy(), h0t.grad.numpy()[0], c0t.grad.numpy()[0], grads)


@pytest.mark.parametrize("with_dc", [False, True])
@pytest.mark.parametrize("T,B,D,H", SIZES)
def test_forward_and_backward_match_torch(rng, T, B, D, H, with_dc):
    x, h0, c0, params, dh, dc_T = make_problem(rng, T, B, D, H)
    dc_T = dc_T if with_dc else None
    assert all(np.abs(params[k]).min() > 0 for k in ("bias_ih", "bias_hh"))
    h, c, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache, dc_T)
    out, h_last, c_last, dx_ref, dh0_ref, dc0_ref, grads_ref = torch_reference(x, h0, c0, params, dh, dc_T)
    close = dict(rtol=0, atol=1e-10)
    np.testing.assert_allclose(h, out, **close)
    np.testing.assert_allclose(h[-1], h_last, **close)
    np.testing.assert_allclose(c[-1], c_last, **close)
    np.testing.assert_allclose(dx, dx_ref, **close)
    np.testing.assert_allclose(dh0, dh0_ref, **close)
    np.testing.assert_allclose(dc0, dc0_ref, **close)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], grads_ref[k], **close, err_msg=k)
    # the test is not vacuous: every gradient is far from zero
    assert min(np.abs(a).max() for a in [dx, dh0, dc0, *grads.values()]) > 1e-3


def test_float32_matches_torch_float32(rng):
    x, h0, c0, params, dh, _ = make_problem(rng, 20, 4, 5, 7)
    x, h0, c0, dh = (a.astype(np.float32) for a in (x, h0, c0, dh))
    params = {k: v.astype(np.float32) for k, v in params.items()}
    h, c, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache)
    assert h.dtype == c.dtype == dx.dtype == grads["weight_hh"].dtype == np.float32
    out, _, c_last, dx_ref, dh0_ref, dc0_ref, grads_ref = torch_reference(x, h0, c0, params, dh)
    np.testing.assert_allclose(h, out, rtol=0, atol=1e-5)
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-4)
    np.testing.assert_allclose(grads["weight_hh"], grads_ref["weight_hh"], rtol=1e-4, atol=1e-4)


def test_step_is_one_step_of_the_layer(rng):
    x, h0, c0, params, _, _ = make_problem(rng, 4, 3, 2, 5)
    h, c, _ = lstm_forward(x, h0, c0, params)
    h_prev, c_prev = h0, c0
    for t in range(4):
        h_prev, c_prev = lstm_step(x[t], h_prev, c_prev, params)
        np.testing.assert_allclose(h_prev, h[t], rtol=0, atol=1e-14)
        np.testing.assert_allclose(c_prev, c[t], rtol=0, atol=1e-14)
    cell = torch.nn.LSTMCell(2, 5).double()
    with torch.no_grad():
        for k in KEYS:
            getattr(cell, k).copy_(torch.from_numpy(params[k]))
        h_ref, c_ref = cell(torch.from_numpy(x[0]), (torch.from_numpy(h0), torch.from_numpy(c0)))
    np.testing.assert_allclose(lstm_step(x[0], h0, c0, params)[0], h_ref.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("T,B,D,H", [(4, 2, 3, 3), (6, 1, 2, 4)])
def test_finite_differences(rng, T, B, D, H):
    x, h0, c0, params, dh, dc_T = make_problem(rng, T, B, D, H)

    def loss():
        h, c, _ = lstm_forward(x, h0, c0, params)
        return float((h * dh).sum() + (c[-1] * dc_T).sum())

    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache, dc_T)
    arrays = {"x": x, "h0": h0, "c0": c0, **params}
    analytic = {"x": dx, "h0": dh0, "c0": dc0, **grads}
    errors = gradcheck(loss, arrays, analytic)
    assert max(errors.values()) < 1e-7, errors


def test_a_wrong_gradient_fails_the_check(rng):
    x, h0, c0, params, dh, _ = make_problem(rng, 4, 2, 3, 3)

    def loss():
        return float((lstm_forward(x, h0, c0, params)[0] * dh).sum())

    grads = lstm_backward(dh, lstm_forward(x, h0, c0, params)[2])[3]
    wrong = dict(grads, weight_hh=grads["weight_hh"] * 0.99)
    assert gradcheck(loss, {"weight_hh": params["weight_hh"]}, {"weight_hh": wrong["weight_hh"]})["weight_hh"] > 1e-3


def test_forward_does_not_change_its_inputs(rng):
    x, h0, c0, params, dh, _ = make_problem(rng, 3, 2, 2, 2)
    copies = [a.copy() for a in (x, h0, c0, *params.values(), dh)]
    _, _, cache = lstm_forward(x, h0, c0, params)
    lstm_backward(dh, cache)
    assert all(np.array_equal(a, b) for a, b in zip(copies, (x, h0, c0, *params.values(), dh)))


def test_init_matches_torch_ranges_and_forget_bias(rng):
    D, H = 3, 16
    params = init_lstm_params(D, H, rng)
    assert {k: v.shape for k, v in params.items()} == {
        "weight_ih": (4 * H, D), "weight_hh": (4 * H, H), "bias_ih": (4 * H,), "bias_hh": (4 * H,)}
    assert all(v.dtype == np.float64 and np.abs(v).max() <= 1 / np.sqrt(H) for v in params.values())
    p1 = init_lstm_params(D, H, np.random.default_rng(1), forget_bias=1.0)
    f = gate_rows("f", H)
    np.testing.assert_array_equal(p1["bias_ih"][f] + p1["bias_hh"][f], np.ones(H))
    assert np.abs(p1["bias_ih"][gate_rows("i", H)]).max() <= 1 / np.sqrt(H)
    assert sum(v.size for v in params.values()) == sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())


@pytest.mark.parametrize("call,message", [
    (lambda x, h0, c0, p: lstm_forward(x[0], h0, c0, p), r"x must have 3 dimensions \(T, B, D\), got 2"),
    (lambda x, h0, c0, p: lstm_forward(x, h0.T, c0, p), r"h0 must have shape \(B, H\) = \(2, 5\), got \(5, 2\)"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0[:1], p), r"c0 must have shape \(B, H\) = \(2, 5\), got \(1, 5\)"),
    (lambda x, h0, c0, p: lstm_forward(x.transpose(1, 0, 2), h0, c0, p), r"batch-first"),
    (lambda x, h0, c0, p: lstm_forward(x[..., :2], h0, c0, p), r"x must have shape \(T, B, D\) = \(any, any, 3\), got \(4, 2, 2\)"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, dict(p, weight_hh=p["weight_hh"][:5])),
     r"params\['weight_hh'\] must have shape \(4H, H\) = \(20, 5\) for H = 5, got \(5, 5\)"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, dict(p, bias_hh=p["bias_hh"][:-1])),
     r"params\['bias_hh'\] must have shape \(20,\), got \(19,\)"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, {k: v for k, v in p.items() if k != "bias_ih"}), r"missing key"),
    (lambda x, h0, c0, p: lstm_forward(x.astype(np.float32), h0, c0, p), r"share one dtype"),
    (lambda x, h0, c0, p: lstm_forward(x.astype(int), h0, c0, p), r"x must hold floating-point"),
    (lambda x, h0, c0, p: lstm_backward(np.zeros((4, 2, 4)), lstm_forward(x, h0, c0, p)[2]),
     r"dh must have shape \(T, B, H\) = \(4, 2, 5\), got \(4, 2, 4\)"),
    (lambda x, h0, c0, p: lstm_step(x, h0, c0, p), r"x_t must have 2 dimensions \(B, D\)"),
    (lambda x, h0, c0, p: init_lstm_params(3, 0, np.random.default_rng()), r"hidden_size must be a positive integer"),
    (lambda x, h0, c0, p: init_lstm_params(3, 5, 0), r"rng must be a numpy.random.Generator"),
])
def test_bad_input_raises_a_clear_error(rng, call, message):
    params = init_lstm_params(3, 5, rng)
    x, h0, c0 = rng.normal(size=(4, 2, 3)), np.zeros((2, 5)), np.zeros((2, 5))
    with pytest.raises(ValueError, match=message):
        call(x, h0, c0, params)

"""lstm_lib.lstm against torch.nn.LSTM + autograd (float64, 1e-10) and against finite differences."""
import numpy as np
import pytest
import torch

from lstm_lib.gradcheck import gradcheck
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_backward, lstm_forward, lstm_step, lstm_step_backward
from lstm_lib.rnn import init_rnn_params, rnn_forward
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
        h_prev, c_prev, _ = lstm_step(x[t], h_prev, c_prev, params)
        np.testing.assert_allclose(h_prev, h[t], rtol=0, atol=1e-14)
        np.testing.assert_allclose(c_prev, c[t], rtol=0, atol=1e-14)


def torch_cell_reference(x_t, h_prev, c_prev, params, dh_t, dc_t):
    """torch.nn.LSTMCell with the same parameters: outputs, and the gradients of
    sum(dh_t * h_t) + sum(dc_t * c_t) with respect to every input and parameter."""
    cell = torch.nn.LSTMCell(x_t.shape[1], h_prev.shape[1]).double()
    with torch.no_grad():
        for k in KEYS:
            getattr(cell, k).copy_(torch.from_numpy(params[k]))
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x_t, h_prev, c_prev))
    h_t, c_t = cell(xt, (ht, ct))
    ((h_t * torch.tensor(dh_t)).sum() + (c_t * torch.tensor(dc_t)).sum()).backward()
    grads = {k: getattr(cell, k).grad.numpy() for k in KEYS}
    return (h_t.detach().numpy(), c_t.detach().numpy(), xt.grad.numpy(), ht.grad.numpy(),
            ct.grad.numpy(), grads)


@pytest.mark.parametrize("B,D,H", [(1, 1, 1), (3, 4, 6), (2, 6, 3), (4, 2, 2)])
def test_step_pair_matches_torch_lstm_cell(rng, B, D, H):
    x, h0, c0, params, _, _ = make_problem(rng, 1, B, D, H)
    dh_t, dc_t = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    h_t, c_t, cache = lstm_step(x[0], h0, c0, params)
    dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh_t, dc_t, cache)
    ref = torch_cell_reference(x[0], h0, c0, params, dh_t, dc_t)
    close = dict(rtol=0, atol=1e-10)
    for got, want in zip((h_t, c_t, dx_t, dh_prev, dc_prev), ref[:5]):
        np.testing.assert_allclose(got, want, **close)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], ref[5][k], **close, err_msg=k)
    assert min(np.abs(a).max() for a in [dx_t, dh_prev, dc_prev, *grads.values()]) > 1e-3


def test_step_backward_matches_finite_differences(rng):
    x, h0, c0, params, _, _ = make_problem(rng, 1, 3, 4, 5)
    x_t, dh_t, dc_t = x[0], rng.normal(size=(3, 5)), rng.normal(size=(3, 5))

    def loss():
        h_t, c_t, _ = lstm_step(x_t, h0, c0, params)
        return float(np.sum(dh_t * h_t) + np.sum(dc_t * c_t))

    dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh_t, dc_t, lstm_step(x_t, h0, c0, params)[2])
    errors = gradcheck(loss, {"x_t": x_t, "h_prev": h0, "c_prev": c0, **params},
                       {"x_t": dx_t, "h_prev": dh_prev, "c_prev": dc_prev, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_backward_is_the_loop_over_the_step_backward(rng):
    """lstm_backward is the loop over lstm_step_backward, step gradients summed (float64, 1e-12)."""
    x, h0, c0, params, dh, dc_T = make_problem(rng, 6, 2, 3, 4)
    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(dh, cache, dc_T)
    h_prev, c_prev, caches = h0, c0, []
    for x_t in x:
        h_prev, c_prev, step_cache = lstm_step(x_t, h_prev, c_prev, params)
        caches.append(step_cache)
    dh_next, dc_next, total = np.zeros_like(h0), dc_T, {k: 0.0 for k in KEYS}
    for t in reversed(range(6)):
        dx_t, dh_next, dc_next, step_grads = lstm_step_backward(dh[t] + dh_next, dc_next, caches[t])
        np.testing.assert_allclose(dx_t, dx[t], rtol=0, atol=1e-12)
        total = {k: total[k] + step_grads[k] for k in KEYS}
    np.testing.assert_allclose(dh_next, dh0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dc_next, dc0, rtol=0, atol=1e-12)
    for k in KEYS:
        np.testing.assert_allclose(total[k], grads[k], rtol=0, atol=1e-12)


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
    (lambda x, h0, c0, p: lstm_forward(x[..., :2], h0, c0, p),
     r"x must have shape \(T, B, D\) = \(any, any, 3\), got \(4, 2, 2\)"),
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
    # point 3 of the two-package issue: parameters that are not what the layer expects
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, {k + "_l0": v for k, v in p.items()}),
     r"params has torch's state-dict names \['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', "
     r"'weight_ih_l0'\]; lstm_lib's dicts use the names without the layer suffix \(weight_ih, "
     r"\.\.\.\): torch_bridge.from_torch\(module\) gives one"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, {k: v for k, v in p.items() if k != "weight_hh"}),
     r"params is missing key\(s\) \['weight_hh'\]; expected the keys weight_ih, weight_hh"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, dict(p, weight_hh=p["weight_hh"].T)),
     r"params\['weight_hh'\] has shape \(5, 20\), which looks transposed: lstm_lib stores it "
     r"as \(4H, H\) = \(20, 5\), as torch does"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, dict(p, weight_ih=p["weight_ih"].T)),
     r"params\['weight_ih'\] has shape \(3, 20\), which looks transposed: lstm_lib stores it "
     r"as \(4H, D\) = \(20, 3\)"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, list(p.values())),
     r"params must be a dict with the keys weight_ih, weight_hh, bias_ih, bias_hh \(as "
     r"init_lstm_params returns\), got a list of 4 items"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, tuple(p.values())), r"got a tuple of 4 items"),
    (lambda x, h0, c0, p: lstm_forward(x, h0, c0, init_rnn_params(3, 5, np.random.default_rng(0))),
     r"params\['weight_hh'\] must have shape \(4H, H\) = \(20, 5\) for H = 5, got \(5, 5\)"),
    (lambda x, h0, c0, p: lstm_backward(np.zeros((4, 2, 5)), lstm_forward(x, h0, c0, p)),
     r"lstm_backward needs the cache that lstm_forward returns \(its last item\), "
     r"got a tuple of 3 items"),
    (lambda x, h0, c0, p: lstm_backward(np.zeros((4, 2, 5)),
                                        rnn_forward(x, h0, init_rnn_params(3, 5, np.random.default_rng(0)))[1]),
     r"lstm_backward needs the cache that lstm_forward returns \(its last item\), "
     r"got the cache of rnn_forward"),
    (lambda x, h0, c0, p: lstm_backward(np.zeros((4, 2, 5)), {"h": 1, "c": 2}),
     r"lstm_backward needs the cache that lstm_forward returns .*got a dict"),
    (lambda x, h0, c0, p: lstm_step_backward(h0, c0, lstm_forward(x, h0, c0, p)[2]),
     r"lstm_step_backward needs the cache that lstm_step returns .*got the cache of lstm_forward"),
    (lambda x, h0, c0, p: lstm_step_backward(h0, c0.T, lstm_step(x[0], h0, c0, p)[2]),
     r"dc_t must have shape \(B, H\) = \(2, 5\), got \(5, 2\)"),
    (lambda x, h0, c0, p: lstm_backward(np.zeros((4, 2, 5)), lstm_forward(x, h0, c0, p)[2], c0.T),
     r"dc_T must have shape \(B, H\) = \(2, 5\), got \(5, 2\)"),
    (lambda x, h0, c0, p: init_lstm_params(3, 0, np.random.default_rng()), r"hidden_size must be a positive integer"),
    (lambda x, h0, c0, p: init_lstm_params(3, 5, 0), r"rng must be a numpy.random.Generator"),
])
def test_bad_input_raises_a_clear_error(rng, call, message):
    params = init_lstm_params(3, 5, rng)
    x, h0, c0 = rng.normal(size=(4, 2, 3)), np.zeros((2, 5)), np.zeros((2, 5))
    with pytest.raises(ValueError, match=message):
        call(x, h0, c0, params)


def torch_1997_reference(x, h0, c0, params, dh):
    """The cell without a forget gate (f = 1), written out in torch with autograd."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    xt, h, c = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    h_start, c_start, out = h, c, []
    for x_t in xt:
        z_i, _, z_g, z_o = (x_t @ t["weight_ih"].T + t["bias_ih"] + h @ t["weight_hh"].T + t["bias_hh"]).chunk(4, 1)
        c = c + torch.sigmoid(z_i) * torch.tanh(z_g)
        h = torch.sigmoid(z_o) * torch.tanh(c)
        out.append(h)
    out = torch.stack(out)
    (out * torch.tensor(dh)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy(), h_start.grad.numpy(), c_start.grad.numpy(), \
        {k: v.grad.numpy() for k, v in t.items()}


@pytest.mark.parametrize("T,B,D,H", SIZES)
def test_the_1997_cell_matches_torch_and_finite_differences(rng, T, B, D, H):
    x, h0, c0, params, dh, _ = make_problem(rng, T, B, D, H)
    h, c, cache = lstm_forward(x, h0, c0, params, forget_gate=False)
    dx, dh0, dc0, grads = lstm_backward(dh, cache)
    out, dx_ref, dh0_ref, dc0_ref, grads_ref = torch_1997_reference(x, h0, c0, params, dh)
    close = dict(rtol=0, atol=1e-10)
    for mine, ref in [(h, out), (dx, dx_ref), (dh0, dh0_ref), (dc0, dc0_ref)]:
        np.testing.assert_allclose(mine, ref, **close)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], grads_ref[k], **close, err_msg=k)
    f = gate_rows("f", H)
    assert not grads["weight_hh"][f].any() and not grads["bias_ih"][f].any()  # f is not used
    # the cell only accumulates: c_t - c_{t-1} = i_t * g_t, and the forget gate's weights change nothing
    steps = cache["steps"]
    np.testing.assert_allclose(c[0] - c0, steps[0]["i"] * steps[0]["g"], rtol=0, atol=1e-12)
    other = {k: v.copy() for k, v in params.items()}
    other["weight_ih"][f] += 1.0
    np.testing.assert_array_equal(lstm_forward(x, h0, c0, other, forget_gate=False)[0], h)
    assert np.abs(h - lstm_forward(x, h0, c0, params)[0]).max() > 1e-3  # differs from the forget-gate cell


def test_the_1997_cell_finite_differences(rng):
    x, h0, c0, params, dh, _ = make_problem(rng, 5, 2, 3, 4)

    def loss():
        return float((lstm_forward(x, h0, c0, params, forget_gate=False)[0] * dh).sum())

    dx, dh0, dc0, grads = lstm_backward(dh, lstm_forward(x, h0, c0, params, forget_gate=False)[2])
    errors = gradcheck(loss, {"x": x, "h0": h0, "c0": c0, **params}, {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_input_bias_and_a_bad_forget_gate_flag(rng):
    H = 4
    params = init_lstm_params(2, H, rng, forget_bias=3.0, input_bias=-3.0)
    for gate, value in (("i", -3.0), ("f", 3.0)):
        rows = gate_rows(gate, H)
        np.testing.assert_array_equal(params["bias_ih"][rows] + params["bias_hh"][rows], np.full(H, value))
    with pytest.raises(ValueError, match="input_bias must be a single real number"):
        init_lstm_params(2, H, rng, input_bias="-3")
    zeros = np.zeros((1, H))
    with pytest.raises(ValueError, match="forget_gate must be True or False, got 'no'"):
        lstm_step(np.ones((1, 2)), zeros, zeros, params, forget_gate="no")

"""lstm_lib.gradflow: the kept gradients g_t agree with rnn_backward and with torch, and the bound holds."""
import numpy as np
import pytest
import torch

from lstm_lib.gradflow import (
    largest_singular_value,
    last_step_gradient,
    lstm_gradient_by_lag,
    lstm_state_gradients,
    norms_by_lag,
    rescale_matrix,
    rnn_gradient_by_lag,
    rnn_state_gradients,
    rnn_step_jacobians,
    spectral_radius,
)
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_forward


def network(rng, T=7, B=3, D=2, H=4, rho=1.3):
    params = init_rnn_params(D, H, rng)
    params["weight_hh"] = rescale_matrix(rng.normal(size=(H, H)), rho)
    return rng.normal(size=(T, B, D)), 0.3 * rng.normal(size=(B, H)), params


def test_state_gradients_match_rnn_backward_at_every_step(rng):
    # With D = H and W_ih = I, rnn_backward's dx_t = delta_t = g_t * (1 - h_t^2): every g_t is visible.
    x, h0, params = network(rng, D=4)
    params["weight_ih"] = np.eye(4)
    h, cache = rnn_forward(x, h0, params)
    dh = rng.normal(size=h.shape)  # a loss term at every step, not only the last
    g, dh0 = rnn_state_gradients(dh, cache)
    dx, dh0_ref, _ = rnn_backward(dh, cache)
    np.testing.assert_allclose(g * (1 - h ** 2), dx, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(dh0, dh0_ref)


def test_state_gradients_match_torch_autograd(rng):
    x, h0, params = network(rng)
    h, cache = rnn_forward(x, h0, params)
    dh = rng.normal(size=h.shape)
    g, dh0 = rnn_state_gradients(dh, cache)
    p = {k: torch.tensor(v) for k, v in params.items()}
    states = [torch.tensor(h0, requires_grad=True)]
    for x_t in torch.tensor(x):
        states.append(torch.tanh(x_t @ p["weight_ih"].T + p["bias_ih"] + states[-1] @ p["weight_hh"].T
                                 + p["bias_hh"]))
        states[-1].retain_grad()
    sum((s * torch.tensor(d)).sum() for s, d in zip(states[1:], dh)).backward()
    np.testing.assert_allclose(g, np.stack([s.grad.numpy() for s in states[1:]]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dh0, states[0].grad.numpy(), rtol=1e-12, atol=1e-15)


def test_step_jacobians_match_torch(rng):
    x, h0, params = network(rng, T=3, B=2)
    h, _ = rnn_forward(x, h0, params)
    J = rnn_step_jacobians(h, params["weight_hh"])
    assert J.shape == (3, 2, 4, 4)
    p = {k: torch.tensor(v) for k, v in params.items()}
    for b in range(2):
        def step(h_prev, b=b):
            return torch.tanh(torch.tensor(x[1, b]) @ p["weight_ih"].T + p["bias_ih"]
                              + h_prev @ p["weight_hh"].T + p["bias_hh"])

        ref = torch.autograd.functional.jacobian(step, torch.tensor(h[0, b]))  # dh_2 / dh_1
        np.testing.assert_allclose(J[1, b], ref.numpy(), rtol=1e-12, atol=1e-15)


def test_product_of_jacobians_gives_the_state_gradient(rng):
    x, h0, params = network(rng, T=6, B=1)
    h, cache = rnn_forward(x, h0, params)
    g_T = rng.normal(size=(1, 4))
    g, _ = rnn_state_gradients(last_step_gradient(h, g_T), cache)
    J = rnn_step_jacobians(h, params["weight_hh"])[:, 0]
    row = g_T[0]
    for t in range(5, 0, -1):  # g_t = g_{t+1} J_{t+1}, with J_{t+1} = J[t]
        row = row @ J[t]
        np.testing.assert_allclose(g[t - 1, 0], row, rtol=1e-12, atol=1e-15)


def test_norms_by_lag_order_and_h0():
    g = np.zeros((3, 1, 2))
    g[2, 0, 0], g[1, 0, 0], g[0, 0, 0] = 2.0, 1.0, 0.5  # g_3, g_2, g_1
    ratios = norms_by_lag(g, np.array([[0.0, 0.25]]))
    np.testing.assert_allclose(ratios, [1.0, 0.5, 0.25, 0.125])


def test_norms_by_lag_rejects_a_zero_last_gradient():
    with pytest.raises(ValueError, match="undefined"):
        norms_by_lag(np.zeros((2, 1, 3)), np.zeros((1, 3)))


def test_norms_by_lag_shape_errors():
    with pytest.raises(ValueError, match=r"dh0 must have shape \(B, H\) = \(2, 3\), got \(3, 2\)"):
        norms_by_lag(np.ones((4, 2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"g must have 3 dimensions"):
        norms_by_lag(np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize("rho", [0.5, 1.0, 1.5, 3.0])
def test_the_singular_value_bound_holds(rng, rho):
    x, h0, params = network(rng, T=40, B=4, H=8, rho=rho)
    ratios = rnn_gradient_by_lag(x, h0, params, rng.normal(size=(4, 8)))
    bound = largest_singular_value(params["weight_hh"]) ** np.arange(41)
    assert np.all(ratios <= bound * (1 + 1e-12))


def test_linear_regime_is_a_matrix_power(rng):
    # zero inputs and state: every slope is 1, so g_{T-k} = g_T W^k exactly
    W = rng.normal(size=(3, 3))
    params = {"weight_ih": np.zeros((3, 1)), "weight_hh": W, "bias_ih": np.zeros(3), "bias_hh": np.zeros(3)}
    g_T = np.array([[1.0, -2.0, 0.5]])
    ratios = rnn_gradient_by_lag(np.zeros((5, 1, 1)), np.zeros((1, 3)), params, g_T)
    want = [np.linalg.norm(g_T @ np.linalg.matrix_power(W, k)) / np.linalg.norm(g_T) for k in range(6)]
    np.testing.assert_allclose(ratios, want, rtol=1e-12)


def test_spectral_radius_and_singular_value(rng):
    W = rng.normal(size=(5, 5))
    assert spectral_radius(W) == pytest.approx(max(abs(np.linalg.eigvals(W))))
    assert largest_singular_value(W) == pytest.approx(np.linalg.svd(W, compute_uv=False)[0])
    assert spectral_radius(W) <= largest_singular_value(W)
    Q = np.linalg.qr(W)[0]  # orthogonal: normal, so rho = sigma_max = 1
    assert spectral_radius(Q) == pytest.approx(1.0) and largest_singular_value(Q) == pytest.approx(1.0)


@pytest.mark.parametrize("measure, fn", [("spectral_radius", spectral_radius),
                                         ("largest_singular_value", largest_singular_value)])
def test_rescale_matrix(rng, measure, fn):
    W = rng.normal(size=(4, 4))
    before = W.copy()
    scaled = rescale_matrix(W, 0.7, measure)
    assert fn(scaled) == pytest.approx(0.7)
    np.testing.assert_array_equal(W, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"value": 1.0, "measure": "norm"}, "measure must be one of"),
    ({"value": -1.0}, "value must be a finite number >= 0, got -1.0"),
    ({"value": float("nan")}, "value must be a finite number >= 0, got nan"),
    ({"value": True}, "value must be a single real number, got True"),
])
def test_rescale_matrix_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rescale_matrix(np.eye(2), **kwargs)


def test_rescale_matrix_rejects_a_zero_matrix():
    with pytest.raises(ValueError, match="no factor"):
        rescale_matrix(np.zeros((2, 2)), 1.0)


def test_matrix_functions_reject_non_square():
    with pytest.raises(ValueError, match=r"W must have shape \(H, H\) = \(2, 2\), got \(2, 3\)"):
        spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"W must have 2 dimensions"):
        largest_singular_value(np.ones(3))
    with pytest.raises(ValueError, match="floating-point"):
        spectral_radius(np.eye(2, dtype=int))


def test_last_step_gradient():
    dh = last_step_gradient(np.zeros((3, 2, 4)), np.ones((2, 4)))
    assert dh.shape == (3, 2, 4) and dh[-1].sum() == 8 and dh[:-1].sum() == 0
    with pytest.raises(ValueError, match=r"dh_T must have shape \(B, H\) = \(2, 4\), got \(4, 2\)"):
        last_step_gradient(np.zeros((3, 2, 4)), np.ones((4, 2)))


def test_state_gradients_shape_error(rng):
    x, h0, params = network(rng)
    h, cache = rnn_forward(x, h0, params)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(7, 3, 4\)"):
        rnn_state_gradients(np.zeros((7, 4, 3)), cache)


def test_step_jacobians_shape_error():
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(H, H\) = \(4, 4\), got \(3, 3\)"):
        rnn_step_jacobians(np.zeros((2, 1, 4)), np.eye(3))


# --- the LSTM helpers -------------------------------------------------------------------------------------


def lstm_network(rng, T=6, B=3, D=2, H=4, scale=2.0):
    params = {k: scale * v for k, v in init_lstm_params(D, H, rng).items()}
    return rng.normal(size=(T, B, D)), 0.5 * rng.normal(size=(B, H)), rng.normal(size=(B, H)), params


def torch_lstm_states(x, h0, c0, params, dh, dc_T=None):
    """dL/dh_t and dL/dc_t from autograd on a hand-unrolled torch.nn.LSTMCell, L = sum(dh * h) + dc_T . c_T."""
    D, H = x.shape[2], h0.shape[1]
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, k).copy_(torch.from_numpy(params[k]))
    h_prev, c_prev = torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    hs, cs, first = [], [], (h_prev, c_prev)
    for x_t in torch.from_numpy(x):
        h_prev, c_prev = cell(x_t, (h_prev, c_prev))
        h_prev.retain_grad()
        c_prev.retain_grad()
        hs.append(h_prev)
        cs.append(c_prev)
    loss = sum((h * torch.from_numpy(d)).sum() for h, d in zip(hs, dh))
    if dc_T is not None:
        loss = loss + (cs[-1] * torch.from_numpy(dc_T)).sum()
    loss.backward()
    return (np.stack([h.grad.numpy() for h in hs]), np.stack([c.grad.numpy() for c in cs]),
            first[0].grad.numpy(), first[1].grad.numpy())


def gate_value(gate, x_t, h_prev, params):
    """sigma(x_t W^T + h_prev W^T + b) of one sigmoid gate, from the fused arrays."""
    rows = gate_rows(gate, h_prev.shape[-1])
    z = (x_t @ params["weight_ih"][rows].T + h_prev @ params["weight_hh"][rows].T
         + params["bias_ih"][rows] + params["bias_hh"][rows])
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("with_dc", [False, True])
def test_lstm_state_gradients_match_torch_autograd(rng, with_dc):
    x, h0, c0, params = lstm_network(rng)
    h, _, cache = lstm_forward(x, h0, c0, params)
    dh = rng.normal(size=h.shape)  # a loss term at every step
    dc_T = rng.normal(size=h0.shape) if with_dc else None
    g_h, g_c, dh0, dc0 = lstm_state_gradients(dh, cache, dc_T)
    ref = torch_lstm_states(x, h0, c0, params, dh, dc_T)
    for mine, theirs in zip((g_h, g_c, dh0, dc0), ref):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    assert np.abs(g_c).min() > 0  # not vacuous


def test_lstm_state_gradients_agree_with_lstm_backward(rng):
    x, h0, c0, params = lstm_network(rng)
    h, _, cache = lstm_forward(x, h0, c0, params)
    dh = rng.normal(size=h.shape)
    _, _, dh0, dc0 = lstm_state_gradients(dh, cache)
    _, dh0_ref, dc0_ref, _ = lstm_backward(dh, cache)
    np.testing.assert_array_equal(dh0, dh0_ref)
    np.testing.assert_array_equal(dc0, dc0_ref)


def test_lstm_state_gradients_finite_differences(rng):
    # dL/dc_t by nudging c_t itself: recompute h_t from it, then rerun steps t+1..T
    x, h0, c0, params = lstm_network(rng, T=4, B=1, H=3)
    h, c, cache = lstm_forward(x, h0, c0, params)
    dh = rng.normal(size=h.shape)
    _, g_c, _, _ = lstm_state_gradients(dh, cache)
    t, eps = 1, 1e-6  # index 1 holds c_2
    o_t = gate_value("o", x[t], h[t - 1], params)  # h_t = o_t * tanh(c_t) moves with c_t; o_t does not

    def loss(c_t):
        h_t = o_t * np.tanh(c_t)
        h_rest, _, _ = lstm_forward(x[t + 1:], h_t, c_t, params)
        return float(np.sum(dh[t] * h_t) + np.sum(dh[t + 1:] * h_rest))

    numeric = np.zeros(3)
    for j in range(3):
        e = np.zeros((1, 3))
        e[0, j] = eps
        numeric[j] = (loss(c[t] + e) - loss(c[t] - e)) / (2 * eps)
    np.testing.assert_allclose(g_c[t, 0], numeric, rtol=1e-7, atol=1e-9)


def test_lstm_gradient_by_lag_reads_the_kept_gradients(rng):
    x, h0, c0, params = lstm_network(rng, T=5)
    dh_T = rng.normal(size=h0.shape)
    h, _, cache = lstm_forward(x, h0, c0, params)
    dh = np.zeros_like(h)
    dh[-1] = dh_T
    g_h, g_c, dh0, dc0 = lstm_state_gradients(dh, cache)
    r_c = lstm_gradient_by_lag(x, h0, c0, params, dh_T)
    r_h = lstm_gradient_by_lag(x, h0, c0, params, dh_T, state="h")
    assert r_c.shape == r_h.shape == (6,) and r_c[0] == r_h[0] == 1.0
    np.testing.assert_allclose(r_c[2], np.linalg.norm(g_c[2]) / np.linalg.norm(g_c[4]), rtol=1e-12)
    np.testing.assert_allclose(r_c[5], np.linalg.norm(dc0) / np.linalg.norm(g_c[4]), rtol=1e-12)
    np.testing.assert_allclose(r_h[5], np.linalg.norm(dh0) / np.linalg.norm(g_h[4]), rtol=1e-12)


def test_without_recurrent_weights_the_cell_gradient_is_the_product_of_forget_gates(rng):
    # W_hh = 0 cuts every path through h_{t-1}: dL/dc_{t-1} = dL/dc_t * f_t exactly (the belt alone)
    x, h0, c0, params = lstm_network(rng, T=8, B=2, H=3)
    params["weight_hh"][:] = 0.0
    dh_T = rng.normal(size=h0.shape)
    h, _, cache = lstm_forward(x, h0, c0, params)
    f = gate_value("f", x, h0, params)  # (T, B, H): f_t of every step (with W_hh = 0 it reads x_t only)
    dh = np.zeros_like(h)
    dh[-1] = dh_T
    _, g_c, _, dc0 = lstm_state_gradients(dh, cache)
    np.testing.assert_allclose(dc0, g_c[-1] * np.prod(f, axis=0), rtol=1e-12)
    ratios = lstm_gradient_by_lag(x, h0, c0, params, dh_T)
    want = [np.linalg.norm(g_c[-1] * np.prod(f[8 - k:], axis=0)) / np.linalg.norm(g_c[-1]) for k in range(9)]
    np.testing.assert_allclose(ratios, want, rtol=1e-12)


def test_lstm_gradflow_rejects_bad_input(rng):
    x, h0, c0, params = lstm_network(rng, T=3)
    h, _, cache = lstm_forward(x, h0, c0, params)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(3, 3, 4\)"):
        lstm_state_gradients(np.zeros((3, 4, 3)), cache)
    with pytest.raises(ValueError, match=r"dc_T must have shape \(B, H\) = \(3, 4\)"):
        lstm_state_gradients(np.zeros_like(h), cache, dc_T=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="lstm_state_gradients needs the cache that lstm_forward returns"):
        lstm_state_gradients(np.zeros_like(h), {"h": h})
    with pytest.raises(ValueError, match="state must be one of"):
        lstm_gradient_by_lag(x, h0, c0, params, np.ones((3, 4)), state="hidden")
    with pytest.raises(ValueError, match=r"dh_T must have shape \(B, H\) = \(3, 4\), got \(4, 3\)"):
        lstm_gradient_by_lag(x, h0, c0, params, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"c0 must have shape \(B, H\)"):
        lstm_gradient_by_lag(x, h0, c0[:2], params, np.ones((3, 4)))
    with pytest.raises(ValueError, match="undefined"):
        lstm_gradient_by_lag(x, h0, c0, params, np.zeros((3, 4)))

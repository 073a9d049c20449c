"""lstm_lib.rnn against torch.nn.RNN + autograd (float64, 1e-10) and against finite differences (1e-7)."""
import numpy as np
import pytest
import torch

from lstm_lib.gradcheck import gradcheck
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from lstm_lib.torch_bridge import to_torch

SIZES = [(1, 1, 1, 1), (5, 3, 4, 6), (7, 2, 6, 3), (12, 4, 1, 8)]  # (T, B, D, H)


def make_problem(rng, T, B, D, H):
    params = init_rnn_params(D, H, rng)
    params = {k: v * 1.5 for k, v in params.items()}  # larger than init, so tanh is well inside its curve
    x = rng.normal(size=(T, B, D))
    h0 = rng.normal(size=(B, H)) * 0.5
    dh = rng.normal(size=(T, B, H))
    return x, h0, params, dh


def torch_reference(x, h0, params, dh):
    module = to_torch(params)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    out, h_last = module(xt, h0t)
    (out * torch.tensor(dh)).sum().backward()
    grads = {k: getattr(module, k + "_l0").grad.numpy() for k in params}
    return out.detach().numpy(), h_last.detach().numpy()[0], xt.grad.numpy(), h0t.grad.numpy()[0], grads


@pytest.mark.parametrize("T,B,D,H", SIZES)
def test_forward_and_backward_match_torch(rng, T, B, D, H):
    x, h0, params, dh = make_problem(rng, T, B, D, H)
    h, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(dh, cache)
    out, h_last, dx_ref, dh0_ref, grads_ref = torch_reference(x, h0, params, dh)
    np.testing.assert_allclose(h, out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(h[-1], h_last, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dh0, dh0_ref, rtol=0, atol=1e-10)
    assert set(grads) == set(params)
    for key in params:
        np.testing.assert_allclose(grads[key], grads_ref[key], rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("T,B,D,H", SIZES[1:])
def test_backward_matches_finite_differences(rng, T, B, D, H):
    x, h0, params, dh = make_problem(rng, T, B, D, H)
    arrays = {"x": x, "h0": h0, **params}

    def loss():  # L = sum(dh * h), so dL/dh = dh exactly
        return float(np.sum(dh * rnn_forward(x, h0, params)[0]))

    dx, dh0, grads = rnn_backward(dh, rnn_forward(x, h0, params)[1])
    errors = gradcheck(loss, arrays, {"x": dx, "h0": dh0, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_a_wrong_gradient_fails_the_check(rng):
    """The gradient check can fail: a backward pass that forgets the recurrent path is caught."""
    x, h0, params, dh = make_problem(rng, 5, 2, 3, 4)
    _, cache = rnn_forward(x, h0, params)
    _, _, grads = rnn_backward(dh, cache)
    wrong = dict(grads, weight_hh=grads["weight_hh"] * 0.99)

    def loss():
        return float(np.sum(dh * rnn_forward(x, h0, params)[0]))

    errors = gradcheck(loss, dict(params), wrong)
    assert errors["weight_hh"] > 1e-3 and errors["weight_ih"] < 1e-7


def test_step_equals_one_step_of_forward(rng):
    x, h0, params, _ = make_problem(rng, 1, 3, 2, 5)
    h_t, cache = rnn_step(x[0], h0, params)
    np.testing.assert_allclose(h_t, rnn_forward(x, h0, params)[0][0], rtol=0, atol=1e-15)
    assert cache["made_by"] == "rnn_step"


@pytest.mark.parametrize("B,D,H", [(1, 1, 1), (3, 4, 6), (2, 6, 3)])
def test_step_pair_matches_torch_rnn_cell(rng, B, D, H):
    x, h0, params, _ = make_problem(rng, 1, B, D, H)
    dh_t = rng.normal(size=(B, H))
    h_t, cache = rnn_step(x[0], h0, params)
    dx_t, dh_prev, grads = rnn_step_backward(dh_t, cache)
    cell = torch.nn.RNNCell(D, H).double()
    with torch.no_grad():
        for k in params:
            getattr(cell, k).copy_(torch.from_numpy(params[k]))
    xt, ht = torch.tensor(x[0], requires_grad=True), torch.tensor(h0, requires_grad=True)
    out = cell(xt, ht)
    (out * torch.tensor(dh_t)).sum().backward()
    close = dict(rtol=0, atol=1e-10)
    np.testing.assert_allclose(h_t, out.detach().numpy(), **close)
    np.testing.assert_allclose(dx_t, xt.grad.numpy(), **close)
    np.testing.assert_allclose(dh_prev, ht.grad.numpy(), **close)
    for k in params:
        np.testing.assert_allclose(grads[k], getattr(cell, k).grad.numpy(), **close, err_msg=k)
    assert min(np.abs(a).max() for a in [dx_t, dh_prev, *grads.values()]) > 1e-3


def test_step_backward_matches_finite_differences(rng):
    x, h0, params, _ = make_problem(rng, 1, 3, 4, 5)
    x_t, dh_t = x[0], rng.normal(size=(3, 5))

    def loss():
        return float(np.sum(dh_t * rnn_step(x_t, h0, params)[0]))

    dx_t, dh_prev, grads = rnn_step_backward(dh_t, rnn_step(x_t, h0, params)[1])
    errors = gradcheck(loss, {"x_t": x_t, "h_prev": h0, **params},
                       {"x_t": dx_t, "h_prev": dh_prev, **grads})
    assert max(errors.values()) < 1e-7, errors


def test_backward_is_the_loop_over_the_step_backward(rng):
    """rnn_backward sums the step gradients; done by hand, the loop gives the same numbers."""
    x, h0, params, dh = make_problem(rng, 6, 2, 3, 4)
    _, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(dh, cache)
    h_prev, caches = h0, []
    for x_t in x:
        h_prev, step_cache = rnn_step(x_t, h_prev, params)
        caches.append(step_cache)
    dh_next, total = np.zeros_like(h0), {k: 0.0 for k in params}
    for t in reversed(range(6)):
        dx_t, dh_next, step_grads = rnn_step_backward(dh[t] + dh_next, caches[t])
        np.testing.assert_allclose(dx_t, dx[t], rtol=0, atol=1e-15)
        total = {k: total[k] + step_grads[k] for k in params}
    np.testing.assert_allclose(dh_next, dh0, rtol=0, atol=1e-15)
    for k in params:
        np.testing.assert_allclose(total[k], grads[k], rtol=0, atol=1e-12)


@pytest.mark.parametrize("call,message", [
    (lambda c, p: rnn_backward(np.zeros((4, 2, 5)), (np.zeros(1), c)),
     r"rnn_backward needs the cache that rnn_forward returns \(its last item\), got a tuple of 2"),
    (lambda c, p: rnn_backward(np.zeros((4, 2, 5)), c["steps"][0]),
     r"needs the cache that rnn_forward returns .*, got the cache of rnn_step"),
    (lambda c, p: rnn_step_backward(np.zeros((2, 5)), c),
     r"rnn_step_backward needs the cache that rnn_step returns .*, got the cache of rnn_forward"),
    (lambda c, p: rnn_backward(np.zeros((4, 2, 5)), None),
     r"needs the cache that rnn_forward returns .*, got a NoneType"),
    (lambda c, p: rnn_step_backward(np.zeros((5, 2)), c["steps"][0]),
     r"dh_t must have shape \(B, H\) = \(2, 5\), got \(5, 2\)"),
    (lambda c, p: rnn_forward(np.zeros((4, 2, 3)), np.zeros((2, 5)), list(p.values())),
     r"params must be a dict with the keys weight_ih, weight_hh, bias_ih, bias_hh \(as "
     r"init_rnn_params returns\), got a list of 4 items"),
    (lambda c, p: rnn_forward(np.zeros((4, 2, 3)), np.zeros((2, 5)),
                              {k + "_l0": v for k, v in p.items()}),
     r"torch's state-dict names .*torch_bridge.from_torch"),
    (lambda c, p: rnn_forward(np.zeros((0, 2, 3)), np.zeros((2, 5)), p),
     r"the number of steps T of x must be a positive integer, got 0"),
    (lambda c, p: rnn_step(np.zeros((2, 3)), rnn_step(np.zeros((2, 3)), np.zeros((2, 5)), p), p),
     r"h_prev must be an array of numbers, got a tuple of 2 items \(a step function returns a "
     r"tuple such as \(h_t, cache\): unpack it\)"),
])
def test_bad_caches_and_params_get_clear_errors(rng, call, message):
    x, h0, params, _ = make_problem(rng, 4, 2, 3, 5)
    _, cache = rnn_forward(x, h0, params)
    with pytest.raises(ValueError, match=message):
        call(cache, params)


def test_float32_runs_in_float32(rng):
    x, h0, params, dh = make_problem(rng, 4, 2, 3, 5)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    h, cache = rnn_forward(x.astype(np.float32), h0.astype(np.float32), p32)
    dx, dh0, grads = rnn_backward(dh.astype(np.float32), cache)
    assert h.dtype == dx.dtype == dh0.dtype == grads["weight_hh"].dtype == np.float32
    np.testing.assert_allclose(h, rnn_forward(x, h0, params)[0], atol=1e-5)


def test_init_matches_torch_distribution_and_is_seeded():
    p1 = init_rnn_params(3, 16, np.random.default_rng(7))
    p2 = init_rnn_params(3, 16, np.random.default_rng(7))
    assert {k: v.shape for k, v in p1.items()} == {"weight_ih": (16, 3), "weight_hh": (16, 16),
                                                   "bias_ih": (16,), "bias_hh": (16,)}
    assert all(v.dtype == np.float64 for v in p1.values())
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    big = init_rnn_params(50, 400, np.random.default_rng(0))["weight_hh"]
    bound = 1 / np.sqrt(400)  # torch: U(-1/sqrt(H), 1/sqrt(H))
    assert np.abs(big).max() <= bound and np.abs(big).max() > 0.99 * bound
    assert abs(big.std() - bound / np.sqrt(3)) < 0.01 * bound


@pytest.mark.parametrize("bad,needle", [
    (lambda x, h0, p: (x[0], h0, p), "x must have 3 dimensions (T, B, D)"),
    (lambda x, h0, p: (x[..., :2], h0, p), "x must have shape (T, B, D) = (any, any, 3), got (4, 2, 2)"),
    (lambda x, h0, p: (x, h0.T, p), "h0 must have shape (B, H) = (2, 5), got (5, 2)"),
    (lambda x, h0, p: (x, h0[None], p), "h0 must have 2 dimensions (B, H)"),
    (lambda x, h0, p: (x, h0, {k: v for k, v in p.items() if k != "bias_hh"}), "params is missing key(s) ['bias_hh']"),
    (lambda x, h0, p: (x, h0, dict(p, weight_hh=p["weight_hh"][:, :4])),
     "params['weight_hh'] must be square (H, H), got (5, 4)"),
    (lambda x, h0, p: (x, h0, dict(p, bias_ih=p["bias_ih"][None])), "params['bias_ih'] must have 1 dimensions"),
    (lambda x, h0, p: (x.astype(int), h0, p), "x must hold floating-point numbers"),
    (lambda x, h0, p: (x.astype(np.float32), h0, p), "arguments must share one dtype"),
    (lambda x, h0, p: (x, h0, [1, 2]), "params must be a dict"),
])
def test_bad_input_raises_a_clear_value_error(rng, bad, needle):
    x, h0, params, _ = make_problem(rng, 4, 2, 3, 5)
    with pytest.raises(ValueError) as info:
        rnn_forward(*bad(x, h0, params))
    assert needle in str(info.value)


def test_step_names_its_own_arguments(rng):
    x, h0, params, _ = make_problem(rng, 1, 2, 3, 5)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(B, H\) = \(2, 5\), got \(5, 2\)"):
        rnn_step(x[0], h0.T, params)
    with pytest.raises(ValueError, match=r"x_t must have 2 dimensions \(B, D\)"):
        rnn_step(x, h0, params)


def test_a_batch_first_x_gets_a_hint(rng):
    x, h0, params, _ = make_problem(rng, 4, 2, 3, 5)
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(4, 5\), got \(2, 5\) .*is x batch-first\?"):
        rnn_forward(x.transpose(1, 0, 2), h0, params)


def test_a_transposed_weight_ih_is_named(rng):
    x, h0, params, _ = make_problem(rng, 4, 2, 3, 5)
    message = (r"params\['weight_ih'\] has shape \(3, 5\), which looks transposed: "
               r"lstm_lib stores it as \(H, D\) = \(5, 3\)")
    with pytest.raises(ValueError, match=message):
        rnn_forward(x, h0, dict(params, weight_ih=params["weight_ih"].T))


def test_backward_rejects_a_wrong_dh(rng):
    x, h0, params, dh = make_problem(rng, 4, 2, 3, 5)
    _, cache = rnn_forward(x, h0, params)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(4, 2, 5\), got \(4, 5, 2\)"):
        rnn_backward(dh.transpose(0, 2, 1), cache)


@pytest.mark.parametrize("args", [(0, 3), (3, -1), (2.5, 3), (True, 3)])
def test_init_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="must be a positive integer"):
        init_rnn_params(*args, np.random.default_rng(0))


def test_init_requires_a_generator():
    with pytest.raises(ValueError, match="numpy.random.Generator"):
        init_rnn_params(2, 3, 0)

"""Readout layer, losses and SGD against their torch counterparts."""
import numpy as np
import pytest
import torch

from lstm_lib.layers import init_linear_params, linear_backward, linear_forward, mse_loss, softmax_cross_entropy
from lstm_lib.optim import sgd_step


def test_linear_matches_torch(rng):
    params = init_linear_params(5, 3, rng)
    h = rng.normal(size=(4, 2, 5))
    dy = rng.normal(size=(4, 2, 3))
    y, cache = linear_forward(h, params)
    dh, grads = linear_backward(dy, cache)
    lin = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(params["weight"]))
        lin.bias.copy_(torch.tensor(params["bias"]))
    ht = torch.tensor(h, requires_grad=True)
    out = lin(ht)
    (out * torch.tensor(dy)).sum().backward()
    np.testing.assert_allclose(y, out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dh, ht.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["weight"], lin.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["bias"], lin.bias.grad.numpy(), atol=1e-12)


def test_linear_rejects_wrong_feature_size(rng):
    params = init_linear_params(5, 3, rng)
    with pytest.raises(ValueError, match=r"h must have shape \(\.\.\., H\) = \(any, 5\), got \(2, 4\)"):
        linear_forward(np.zeros((2, 4)), params)
    with pytest.raises(ValueError, match=r"params is missing key\(s\) \['bias'\]"):
        linear_forward(np.zeros((2, 5)), {"weight": params["weight"]})


def test_mse_matches_torch(rng):
    y, target = rng.normal(size=(6, 2, 1)), rng.normal(size=(6, 2, 1))
    loss, dy = mse_loss(y, target)
    yt = torch.tensor(y, requires_grad=True)
    ref = torch.nn.functional.mse_loss(yt, torch.tensor(target))
    ref.backward()
    assert loss == pytest.approx(ref.item(), abs=1e-14)
    np.testing.assert_allclose(dy, yt.grad.numpy(), atol=1e-14)
    with pytest.raises(ValueError, match=r"target must have 3 dimensions \(6, 2, 1\), got 2 with shape \(6, 2\)"):
        mse_loss(y, target[..., 0])


def test_cross_entropy_matches_torch(rng):
    logits = rng.normal(size=(7, 5)) * 3
    targets = rng.integers(0, 5, size=7)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    lt = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(lt, torch.tensor(targets))
    ref.backward()
    assert loss == pytest.approx(ref.item(), abs=1e-13)
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), atol=1e-14)


def test_cross_entropy_is_stable_for_huge_logits():
    loss, dlogits = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits)) and loss == pytest.approx(500.0)


@pytest.mark.parametrize("targets,needle", [(np.array([0.0, 1.0]), "integer"), (np.array([0, 5]), r"lie in \[0, 2\]"),
                                            (np.array([0, 1, 2]), r"targets must have shape \(N,\) = \(2,\)")])
def test_cross_entropy_rejects_bad_targets(targets, needle):
    with pytest.raises(ValueError, match=needle):
        softmax_cross_entropy(np.zeros((2, 3)), targets)


def test_sgd_matches_torch(rng):
    params = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=(2,))}
    grads = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=(2,))}
    tparams = [torch.tensor(params["w"], requires_grad=True), torch.tensor(params["b"], requires_grad=True)]
    opt = torch.optim.SGD(tparams, lr=0.3)
    for p, key in zip(tparams, ("w", "b")):
        p.grad = torch.tensor(grads[key])
    opt.step()
    sgd_step(params, grads, lr=0.3)
    np.testing.assert_allclose(params["w"], tparams[0].detach().numpy(), atol=1e-15)
    np.testing.assert_allclose(params["b"], tparams[1].detach().numpy(), atol=1e-15)


def test_sgd_rejects_mismatched_grads(rng):
    params = {"w": np.zeros((3, 2))}
    with pytest.raises(ValueError, match=r"grads\['w'\] must have the shape of params\['w'\] \(3, 2\), got \(2, 3\)"):
        sgd_step(params, {"w": np.zeros((2, 3))}, 0.1)
    with pytest.raises(ValueError, match="missing key"):
        sgd_step(params, {}, 0.1)

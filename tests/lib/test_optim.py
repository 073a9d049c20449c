"""Gradient clipping and Adam against torch.nn.utils.clip_grad_norm_ and torch.optim.Adam."""
import numpy as np
import pytest
import torch

from lstm_lib.optim import Adam, clip_grad_norm


def torch_copies(arrays):
    tensors = [torch.tensor(a.copy(), requires_grad=True) for a in arrays.values()]
    for t, a in zip(tensors, arrays.values()):
        t.grad = torch.tensor(a.copy())
    return tensors


@pytest.mark.parametrize("scale,max_norm", [(10.0, 1.0), (0.01, 1.0), (1.0, 2.7), (5.0, 1e-3)])
def test_clip_matches_torch(rng, scale, max_norm):
    grads = {"w": rng.normal(size=(4, 3)) * scale, "b": rng.normal(size=(4,)) * scale}
    tensors = torch_copies(grads)
    ref = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    norm = clip_grad_norm(grads, max_norm)
    assert norm == pytest.approx(float(ref), rel=1e-14)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=0, atol=1e-15)
    after = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    assert after <= max_norm * (1 + 1e-12) or norm <= max_norm


def test_clip_below_the_threshold_leaves_the_gradients_alone(rng):
    grads = {"w": rng.normal(size=(3,)) * 1e-3}
    before = grads["w"].copy()
    clip_grad_norm(grads, 10.0)
    np.testing.assert_array_equal(grads["w"], before)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_clip_rejects_bad_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clip_grad_norm({"w": np.ones(2)}, bad)


def test_clip_rejects_empty_grads():
    with pytest.raises(ValueError, match="non-empty dict"):
        clip_grad_norm({}, 1.0)


def test_adam_matches_torch_over_many_steps(rng):
    params = {"w": rng.normal(size=(5, 3)), "b": rng.normal(size=(5,))}
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params.values()]
    ref = torch.optim.Adam(tensors, lr=0.02, betas=(0.8, 0.99), eps=1e-7)
    opt = Adam(params, lr=0.02, betas=(0.8, 0.99), eps=1e-7)
    for step in range(60):
        grads = {k: rng.normal(size=p.shape) * (1 + step % 7) for k, p in params.items()}
        for t, g in zip(tensors, grads.values()):
            t.grad = torch.tensor(g)
        ref.step()
        opt.step(grads)
    for t, p in zip(tensors, params.values()):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-12)


def test_adam_updates_in_place_and_checks_grads(rng):
    params = {"w": np.zeros(3)}
    alias = params["w"]
    opt = Adam(params, lr=0.1)
    opt.step({"w": np.ones(3)})
    assert alias is params["w"] and np.allclose(alias, -0.1)  # the first step moves by lr * sign(g)
    with pytest.raises(ValueError, match=r"grads\['w'\] must have the shape"):
        opt.step({"w": np.ones(4)})

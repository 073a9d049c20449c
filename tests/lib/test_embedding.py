"""lstm_lib.embedding: the lookup and its scatter-add backward against torch.nn.Embedding +
autograd and central differences (float64), repeated ids included; bad arguments raise
ValueError naming them."""
import numpy as np
import pytest
import torch

from lstm_lib.embedding import (
    check_ids,
    embedding_backward,
    embedding_forward,
    init_embedding,
)
from lstm_lib.gradcheck import gradcheck
from lstm_lib.lengths import last_step
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward


@pytest.mark.parametrize("T, B, V, E", [(5, 3, 7, 4), (1, 1, 2, 1), (6, 4, 3, 5)])
def test_matches_torch_embedding_and_autograd(rng, T, B, V, E):
    weight = init_embedding(V, E, rng)
    ids = rng.integers(0, V, size=(T, B))  # V small: ids repeat
    dx = rng.normal(size=(T, B, E))
    x, cache = embedding_forward(ids, weight)
    dweight = embedding_backward(dx, cache)
    emb = torch.nn.Embedding(V, E, dtype=torch.float64)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(weight))
    xt = emb(torch.tensor(ids))
    (xt * torch.tensor(dx)).sum().backward()
    assert np.abs(x - xt.detach().numpy()).max() == 0.0
    np.testing.assert_allclose(dweight, emb.weight.grad.numpy(), rtol=0, atol=1e-12)


def test_repeated_ids_add_up(rng):
    ids = np.array([[2, 2], [2, 0]])
    dx = rng.normal(size=(2, 2, 3))
    dweight = embedding_backward(dx, embedding_forward(ids, np.zeros((4, 3)))[1])
    np.testing.assert_allclose(dweight[2], dx[0, 0] + dx[0, 1] + dx[1, 0], atol=1e-15)
    np.testing.assert_allclose(dweight[0], dx[1, 1], atol=1e-15)
    assert not dweight[[1, 3]].any()  # rows of absent words stay zero


def test_finite_differences_through_an_lstm(rng):
    """ids -> embedding -> LSTM with lengths -> readout at each last step -> a loss; the
    gradient of the table by embedding_backward against central differences."""
    V, E, H, T, lengths = 6, 3, 4, 5, [5, 2, 4]
    B = len(lengths)
    weight = init_embedding(V, E, rng)
    params = init_lstm_params(E, H, rng)
    w_out = rng.normal(size=H)
    ids = rng.integers(0, V, size=(T, B))
    zeros = np.zeros((B, H))

    def forward():
        x, emb_cache = embedding_forward(ids, weight)
        h, _, cache = lstm_forward(x, zeros, zeros, params, lengths=lengths)
        return float(np.sum(np.tanh(last_step(h, lengths) @ w_out))), h, cache, emb_cache

    loss, h, cache, emb_cache = forward()
    y = last_step(h, lengths) @ w_out
    dh = np.zeros_like(h)
    dh[np.array(lengths) - 1, np.arange(B)] = (1 - np.tanh(y) ** 2)[:, None] * w_out
    dx, _, _, _ = lstm_backward(dh, cache)
    dweight = embedding_backward(dx, emb_cache)
    errors = gradcheck(lambda: forward()[0], {"weight": weight}, {"weight": dweight})
    assert errors["weight"] < 1e-7, errors


def test_float32_table_keeps_its_dtype(rng):
    weight = init_embedding(4, 2, rng).astype(np.float32)
    x, cache = embedding_forward(np.array([[1, 3]]), weight)
    assert x.dtype == np.float32
    assert embedding_backward(np.ones((1, 2, 2), np.float32), cache).dtype == np.float32


@pytest.mark.parametrize("ids, match", [
    (np.array([[0, 5]]), r"ids must lie in \[0, V - 1\] = \[0, 4\]"),
    (np.array([[-1, 2]]), r"ids must lie in \[0, V - 1\]"),
    (np.array([[0.0, 1.0]]), "ids must hold integer word ids"),
    (np.array([[True, False]]), "ids must hold integer word ids"),
    (np.array([1, 2]), r"ids must have 2 dimensions \(T, B\)"),
    (np.zeros((2, 2, 1), int), r"ids must have 2 dimensions \(T, B\)"),
    ([["a"]], "ids must hold integer word ids"),
])
def test_bad_ids_raise(ids, match):
    with pytest.raises(ValueError, match=match):
        embedding_forward(ids, np.zeros((5, 2)))


def test_bad_weight_dx_and_cache_raise(rng):
    with pytest.raises(ValueError, match=r"weight must have 2 dimensions \(V, E\)"):
        embedding_forward(np.array([[0]]), np.zeros(5))
    with pytest.raises(ValueError, match="weight must hold floating-point"):
        embedding_forward(np.array([[0]]), np.zeros((5, 2), int))
    _, cache = embedding_forward(np.array([[0, 1]]), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"dx must have shape \(T, B, E\) = \(1, 2, 2\)"):
        embedding_backward(np.zeros((1, 2, 3)), cache)
    with pytest.raises(ValueError, match="embedding_backward needs the cache"):
        embedding_backward(np.zeros((1, 2, 2)), (None, cache))
    with pytest.raises(ValueError, match="num_embeddings must be a positive integer"):
        init_embedding(0, 2, rng)
    assert check_ids([[1, 2]], 3).dtype.kind == "i"

"""The training loop of `lstm_lib.train` does what torch does with the same model, loss, clipping and Adam."""
import numpy as np
import pytest
import torch

from lstm_lib.gradcheck import gradcheck
from lstm_lib.layers import init_linear_params, linear_backward, linear_forward, mse_loss, softmax_cross_entropy
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_forward
from lstm_lib.rnn import init_rnn_params, rnn_forward
from lstm_lib.tasks import adding_problem, recall_first
from lstm_lib.torch_bridge import from_torch, to_torch
from lstm_lib.train import last_state, last_state_backward, layer_kind, predict_last, train_last_step


def setup(D, H, O, seed=0):
    rng = np.random.default_rng(seed)
    return init_rnn_params(D, H, rng), init_linear_params(H, O, rng), rng


def adding(T, B=8):
    return lambda g: adding_problem(B, T, g)


def torch_training(make_batch, params, readout, n_updates, rng, lr, max_norm, classes=False):
    """The same loop written with torch.nn.RNN or torch.nn.LSTM, torch.nn.Linear, autograd, clip_grad_norm_ and
    torch.optim.Adam."""
    rnn = to_torch(params)
    linear = torch.nn.Linear(*readout["weight"].shape[::-1]).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(readout["weight"]))
        linear.bias.copy_(torch.from_numpy(readout["bias"]))
    parameters = list(rnn.parameters()) + list(linear.parameters())
    optimizer = torch.optim.Adam(parameters, lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss() if classes else torch.nn.MSELoss()
    losses = []
    for _ in range(n_updates):
        x, y = make_batch(rng)
        h, _ = rnn(torch.from_numpy(x))  # h0 = 0 (and c0 = 0)
        loss = loss_fn(linear(h[-1]), torch.from_numpy(y))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, max_norm)
        optimizer.step()
        losses.append(loss.item())
    trained = {"weight": linear.weight.detach().numpy(), "bias": linear.bias.detach().numpy()}
    return from_torch(rnn), trained, np.array(losses)


def network(layer, D, H, O, seed=0):
    """An RNN's or an LSTM's params (the LSTM with the 1997 chapter's gate biases) and a readout."""
    rng = np.random.default_rng(seed)
    params = init_rnn_params(D, H, rng) if layer == "rnn" else init_lstm_params(D, H, rng, 3.0, -3.0)
    return params, init_linear_params(H, O, rng)


@pytest.mark.parametrize("layer", ["rnn", "lstm"])
@pytest.mark.parametrize("max_norm", [0.05, 1.0])  # 0.05 clips every update, 1.0 some
def test_matches_torch_on_the_adding_problem(layer, max_norm):
    params, readout = network(layer, 2, 5, 1)
    ours = train_last_step(adding(12), params, readout, 40, np.random.default_rng(7), lr=0.01, max_norm=max_norm)
    ref = torch_training(adding(12), params, readout, 40, np.random.default_rng(7), lr=0.01, max_norm=max_norm)
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-10, atol=0)
    for mine, theirs in zip(ours[:2], ref[:2]):
        for key in mine:
            np.testing.assert_allclose(mine[key], theirs[key], rtol=0, atol=1e-10)
    assert max(np.abs(ours[0][k] - params[k]).max() for k in params) > 1e-2  # the weights did move


@pytest.mark.parametrize("layer", ["rnn", "lstm"])
def test_matches_torch_with_cross_entropy(layer):
    params, readout = network(layer, 3, 4, 3)

    def task(g):
        return recall_first(6, 4, 3, g)

    ours = train_last_step(task, params, readout, 25, np.random.default_rng(3), lr=0.02,
                           loss_fn=softmax_cross_entropy)
    ref = torch_training(task, params, readout, 25, np.random.default_rng(3), lr=0.02, max_norm=1.0, classes=True)
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-10, atol=0)
    for key in ours[0]:
        np.testing.assert_allclose(ours[0][key], ref[0][key], rtol=0, atol=1e-10)


def test_the_1997_cell_trains_without_touching_the_forget_rows():
    rng = np.random.default_rng(2)
    params, readout = init_lstm_params(2, 4, rng), init_linear_params(4, 1, rng)
    trained, _, losses = train_last_step(adding(10), params, readout, 30, rng, lr=0.01, forget_gate=False)
    f = gate_rows("f", 4)
    for key in params:
        np.testing.assert_array_equal(trained[key][f], params[key][f])  # zero gradient, so Adam leaves them
        assert np.abs(trained[key] - params[key]).max() > 1e-3
    x = np.random.default_rng(3).normal(size=(10, 2, 2))
    h_T, _ = last_state(x, trained, forget_gate=False)
    h, _, _ = lstm_forward(x, np.zeros((2, 4)), np.zeros((2, 4)), trained, forget_gate=False)
    np.testing.assert_array_equal(h_T, h[-1])
    with pytest.raises(ValueError, match="forget_gate=False is for an LSTM"):
        train_last_step(adding(10), *setup(2, 4, 1)[:2], 3, rng, forget_gate=False)


def test_the_callback_sees_every_update_and_can_stop():
    params, readout, _ = setup(2, 4, 1)
    seen = []

    def callback(n, loss, p, r, grad_norm):
        seen.append((n, loss, p["weight_hh"].copy(), grad_norm))
        return n == 7

    _, _, losses = train_last_step(adding(10), params, readout, 20, np.random.default_rng(0), callback=callback)
    assert [n for n, *_ in seen] == list(range(1, 8)) and losses.shape == (7,)
    np.testing.assert_array_equal([loss for _, loss, *_ in seen], losses)
    # the norm before clipping, as the same update computed by hand gives it
    rng = np.random.default_rng(0)
    x, y = adding(10)(rng)
    h_T, cache = last_state(x, params)
    y_hat, readout_cache = linear_forward(h_T, readout)
    dh_T, readout_grads = linear_backward(mse_loss(y_hat, y)[1], readout_cache)
    grads = {**last_state_backward(dh_T, cache), **readout_grads}
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    assert seen[0][3] == pytest.approx(norm, rel=1e-12) and seen[0][3] != seen[1][3]
    assert not np.array_equal(seen[0][2], seen[1][2])  # the weights after each update
    with pytest.raises(ValueError, match="callback must be None or a function"):
        train_last_step(adding(10), params, readout, 3, np.random.default_rng(0), callback=5)


def test_last_state_backward_is_the_layer_backward_with_the_loss_at_the_end(rng):
    x = rng.normal(size=(6, 3, 2))
    for params in (init_rnn_params(2, 4, rng), init_lstm_params(2, 4, rng)):
        h_T, cache = last_state(x, params)
        dh_T = rng.normal(size=h_T.shape)

        def loss(params=params, dh_T=dh_T):
            return float((last_state(x, params)[0] * dh_T).sum())

        errors = gradcheck(loss, dict(params), last_state_backward(dh_T, cache))
        assert max(errors.values()) < 1e-7, errors
    assert layer_kind(params) == "lstm" and layer_kind(init_rnn_params(2, 4, rng)) == "rnn"
    with pytest.raises(ValueError, match=r"dh_T must have the shape of h_T \(B, H\) = \(3, 4\), got \(4, 3\)"):
        last_state_backward(dh_T.T, cache)
    with pytest.raises(ValueError, match="last_state_backward needs the cache that last_state returns"):
        last_state_backward(dh_T, cache["steps"])
    with pytest.raises(ValueError, match="params must be a dict"):
        last_state(x, [1, 2])


def test_deterministic_and_leaves_its_arguments_alone():
    params, readout, _ = setup(2, 6, 1)
    before = {k: v.copy() for k, v in {**params, **readout}.items()}
    a = train_last_step(adding(10), params, readout, 15, np.random.default_rng(1))
    b = train_last_step(adding(10), params, readout, 15, np.random.default_rng(1))
    for key, value in {**params, **readout}.items():
        np.testing.assert_array_equal(value, before[key])
    np.testing.assert_array_equal(a[2], b[2])
    for key in a[0]:
        np.testing.assert_array_equal(a[0][key], b[0][key])
    assert a[2].shape == (15,)


def test_learns_an_easy_task():
    """Recall the first of three symbols one step later: the loss must fall far below chance, log 3."""
    params, readout, _ = setup(3, 8, 3)
    def task(g):
        return recall_first(32, 1, 3, g)

    trained, trained_readout, losses = train_last_step(task, params, readout, 200, np.random.default_rng(2),
                                                       lr=0.02, loss_fn=softmax_cross_entropy)
    assert losses[0] > 0.8 and losses[-20:].mean() < 0.1
    x, y = recall_first(500, 1, 3, np.random.default_rng(9))
    assert np.mean(predict_last(x, trained, trained_readout).argmax(axis=1) == y) > 0.98


def test_predict_last_reads_the_last_state():
    params, readout, rng = setup(2, 4, 1)
    x = rng.normal(size=(7, 3, 2))
    h, _ = rnn_forward(x, np.zeros((3, 4)), params)
    np.testing.assert_allclose(predict_last(x, params, readout), linear_forward(h[-1], readout)[0])
    assert predict_last(x, params, readout).shape == (3, 1)


def test_predict_last_checks_its_inputs():
    params, readout, rng = setup(2, 4, 1)
    with pytest.raises(ValueError, match=r"x must have 3 dimensions \(T, B, D\)"):
        predict_last(np.zeros((3, 2)), params, readout)
    with pytest.raises(ValueError, match="missing key"):
        predict_last(np.zeros((3, 1, 2)), {"weight_ih": np.zeros((4, 2))}, readout)
    with pytest.raises(ValueError, match="h must have shape"):
        predict_last(np.zeros((3, 1, 2)), params, init_linear_params(5, 1, rng))


def batch_first(g):
    x, y = adding_problem(4, 10, g)
    return x.transpose(1, 0, 2), y


@pytest.mark.parametrize("kwargs, needle", [
    (dict(make_batch=42), "make_batch must be a function"),
    (dict(rng=0), "rng must be a numpy.random.Generator"),
    (dict(n_updates=0), "n_updates must be a positive integer"),
    (dict(n_updates=2.5), "n_updates must be a positive integer"),
    (dict(n_updates=True), "n_updates must be a positive integer"),
    (dict(lr=-0.1), "lr must be a positive number"),
    (dict(lr=float("nan")), "lr must be a positive number"),
    (dict(max_norm=0), "max_norm must be a positive number"),
    (dict(loss_fn="mse"), "loss_fn must be a function"),
    (dict(params=[1, 2]), "params must be a dict"),
    (dict(readout=None), "readout must be a dict"),
    (dict(readout={"weight": np.zeros((1, 5)), "bias": np.zeros(1)}), r"h must have shape \(\.\.\., H\)"),
    (dict(make_batch=lambda g: (np.zeros((10, 4, 2), dtype=int), np.zeros((4, 1)))),
     "x from make_batch must hold floating"),
    (dict(make_batch=lambda g: (np.zeros((4, 2)), np.zeros((4, 1)))), r"x from make_batch must have 3 dimensions"),
    (dict(make_batch=batch_first), "batch-first"),
    (dict(make_batch=lambda g: (np.zeros((10, 4, 2)), np.zeros((4,)))), r"target must have 2 dimensions \(4, 1\)"),
    (dict(make_batch=lambda g: (np.zeros((10, 4, 2)), 0.5)), "y from make_batch must have B = 4 rows"),
])
def test_rejects_bad_arguments(kwargs, needle):
    params, readout, rng = setup(2, 4, 1)
    args = dict(make_batch=adding(10), params=params, readout=readout, n_updates=3, rng=rng)
    args.update(kwargs)
    with pytest.raises(ValueError, match=needle):
        train_last_step(**args)

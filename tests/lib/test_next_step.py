"""lstm_lib.next_step: the next-step loss against float64 finite differences and torch autograd, for the RNN
and the LSTM, and truncated BPTT against the same loop in torch with the state detached at each chunk boundary."""
import numpy as np
import pytest
import torch

from lstm_lib.gradcheck import gradcheck
from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import init_lstm_params
from lstm_lib.next_step import (
    check_layer_state,
    check_sequence,
    chunk_bounds,
    next_step_logits,
    next_step_loss,
    sample,
    softmax,
    train_truncated,
    zero_state,
)
from lstm_lib.rnn import init_rnn_params
from lstm_lib.torch_bridge import from_torch, to_torch

LAYERS = ["rnn", "lstm"]


def problem(layer, T=6, B=3, D=4, H=5, V=4, seed=0):
    """Params scaled up (tanh well inside its curve), a random non-zero state, one-hot inputs and targets."""
    rng = np.random.default_rng(seed)
    init = init_rnn_params if layer == "rnn" else init_lstm_params
    params = {k: 1.5 * v for k, v in init(D, H, rng).items()}
    readout = init_linear_params(H, V, rng)
    state = tuple(0.5 * rng.normal(size=(B, H)) for _ in range(1 if layer == "rnn" else 2))
    x = np.eye(D)[rng.integers(0, D, size=(T, B))]  # (T, B, D)
    targets = rng.integers(0, V, size=(T, B))
    return x, targets, state, params, readout


def torch_modules(params, readout):
    layer = to_torch(params)
    linear = torch.nn.Linear(*readout["weight"].shape[::-1]).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(readout["weight"]))
        linear.bias.copy_(torch.from_numpy(readout["bias"]))
    return layer, linear


def torch_state(state):
    s = tuple(torch.from_numpy(a[None].copy()) for a in state)  # (1, B, H): torch's layer axis
    return s[0] if len(s) == 1 else s


def torch_chunk(layer, linear, x, targets, state):
    """Loss of one chunk in torch and the state after it (still attached to the graph)."""
    h, last = layer(torch.from_numpy(x), state)
    V = linear.out_features
    loss = torch.nn.functional.cross_entropy(linear(h).reshape(-1, V), torch.from_numpy(targets).reshape(-1))
    return loss, last


@pytest.mark.parametrize("layer", LAYERS)
def test_loss_gradients_match_finite_differences(layer):
    x, targets, state, params, readout = problem(layer)
    loss, grads, _ = next_step_loss(x, targets, state, params, readout)
    arrays = {**params, **readout}

    def f():
        return next_step_loss(x, targets, state, params, readout)[0]

    errors = gradcheck(f, arrays, grads)
    assert max(errors.values()) < 1e-7, errors
    assert f() == loss  # gradcheck put every entry back


@pytest.mark.parametrize("layer", LAYERS)
def test_loss_gradients_and_state_match_torch(layer):
    x, targets, state, params, readout = problem(layer, T=7, B=2, D=3, H=4, V=5, seed=1)
    loss, grads, last = next_step_loss(x, targets, state, params, readout)
    module, linear = torch_modules(params, readout)
    loss_t, last_t = torch_chunk(module, linear, x, targets, torch_state(state))
    loss_t.backward()
    assert abs(loss - loss_t.item()) < 1e-12
    for key in params:
        np.testing.assert_allclose(grads[key], getattr(module, key + "_l0").grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["weight"], linear.weight.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["bias"], linear.bias.grad.numpy(), rtol=0, atol=1e-12)
    last_t = (last_t,) if layer == "rnn" else last_t
    for mine, theirs in zip(last, last_t):
        np.testing.assert_allclose(mine, theirs.detach().numpy()[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("layer", LAYERS)
def test_logits_are_the_readout_of_every_step(layer):
    x, targets, state, params, readout = problem(layer)
    logits, last = next_step_logits(x, state, params, readout)
    module, linear = torch_modules(params, readout)
    h, _ = module(torch.from_numpy(x), torch_state(state))
    np.testing.assert_allclose(logits, linear(h).detach().numpy(), rtol=0, atol=1e-12)
    # the loss is the cross-entropy of these logits; the state carries on as if never cut
    assert np.allclose(next_step_loss(x, targets, state, params, readout)[2][0], last[0], rtol=0, atol=0)
    first, mid = next_step_logits(x[:2], state, params, readout)
    second, end = next_step_logits(x[2:], mid, params, readout)
    np.testing.assert_allclose(np.concatenate([first, second]), logits, rtol=0, atol=1e-13)
    np.testing.assert_allclose(end[-1], last[-1], rtol=0, atol=1e-13)


@pytest.mark.parametrize("layer", LAYERS)
def test_state_is_a_constant_of_the_loss(layer):
    """The gradient stops at the state: the finite-difference derivative of the loss with respect to the state is
    not zero, but next_step_loss reports no gradient for it, and its grads do not change when the state is the
    carried output of an earlier chunk (torch: detach)."""
    x, targets, state, params, readout = problem(layer, T=8)
    _, _, mid = next_step_loss(x[:4], targets[:4], state, params, readout)
    _, grads, _ = next_step_loss(x[4:], targets[4:], mid, params, readout)
    module, linear = torch_modules(params, readout)
    _, mid_t = torch_chunk(module, linear, x[:4], targets[:4], torch_state(state))
    mid_t = mid_t.detach() if layer == "rnn" else tuple(s.detach() for s in mid_t)
    loss_t, _ = torch_chunk(module, linear, x[4:], targets[4:], mid_t)
    loss_t.backward()
    for key in params:
        np.testing.assert_allclose(grads[key], getattr(module, key + "_l0").grad.numpy(), rtol=0, atol=1e-12)
    # without the detach, torch's gradient differs: the cut is real
    module.zero_grad()
    _, mid_t = torch_chunk(module, linear, x[:4], targets[:4], torch_state(state))
    torch_chunk(module, linear, x[4:], targets[4:], mid_t)[0].backward()
    assert np.abs(grads["weight_hh"] - module.weight_hh_l0.grad.numpy()).max() > 1e-6


def torch_truncated(x, targets, params, readout, k, n_epochs, lr, max_norm, carry_state):
    """train_truncated written in torch: the carried state is detach()-ed at every chunk boundary."""
    module, linear = torch_modules(params, readout)
    parameters = list(module.parameters()) + list(linear.parameters())
    optimizer = torch.optim.Adam(parameters, lr=lr)
    zeros = torch_state(zero_state(params, x.shape[1]))
    losses = []
    for _ in range(n_epochs):
        state = zeros
        for start, stop in chunk_bounds(x.shape[0], k):
            if not carry_state:
                state = zeros
            loss, last = torch_chunk(module, linear, x[start:stop], targets[start:stop], state)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, max_norm)
            optimizer.step()
            losses.append(loss.item())
            state = last.detach() if isinstance(last, torch.Tensor) else tuple(s.detach() for s in last)
    trained = {"weight": linear.weight.detach().numpy(), "bias": linear.bias.detach().numpy()}
    return from_torch(module), trained, np.array(losses)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("k,carry_state,max_norm", [(3, True, 1.0), (3, False, 1.0), (4, True, 0.05),
                                                    (None, True, 1.0)])
def test_truncated_training_matches_torch(layer, k, carry_state, max_norm):
    x, targets, _, params, readout = problem(layer, T=10, B=3, D=4, H=5, V=4, seed=2)
    ours = train_truncated(x, targets, params, readout, k, 3, lr=0.02, max_norm=max_norm, carry_state=carry_state)
    ref = torch_truncated(x, targets, params, readout, k, 3, 0.02, max_norm, carry_state)
    assert len(ours[2]) == 3 * len(chunk_bounds(10, k))
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-10, atol=0)
    for mine, theirs in zip(ours[:2], ref[:2]):
        for key in mine:
            np.testing.assert_allclose(mine[key], theirs[key], rtol=0, atol=1e-10)
    assert max(np.abs(ours[0][key] - params[key]).max() for key in params) > 1e-2  # the weights moved


def test_training_copies_its_inputs_and_the_callback_can_stop_it():
    x, targets, _, params, readout = problem("rnn")
    before = {k: v.copy() for k, v in {**params, **readout}.items()}
    seen = []

    def callback(n, loss, p, r, grad_norm):
        seen.append((n, loss, grad_norm))
        return n == 5

    _, _, losses = train_truncated(x, targets, params, readout, 2, 10, callback=callback)
    assert [s[0] for s in seen] == [1, 2, 3, 4, 5] and len(losses) == 5
    assert [s[1] for s in seen] == list(losses)
    assert all(np.array_equal(v, {**params, **readout}[k]) for k, v in before.items())


def test_chunk_bounds_cover_the_sequence():
    for n, k in [(1, 1), (10, 3), (12, 4), (5, 9), (144, 8)]:
        bounds = chunk_bounds(n, k)
        assert [b for pair in bounds for b in range(*pair)] == list(range(n))
        assert all(stop - start <= k for start, stop in bounds)
    assert chunk_bounds(7, None) == [(0, 7)]


def test_zero_state_has_one_array_per_state_of_the_layer():
    _, _, _, rnn_params, _ = problem("rnn")
    _, _, _, lstm_params, _ = problem("lstm")
    assert [s.shape for s in zero_state(rnn_params, 2)] == [(2, 5)]
    assert [s.shape for s in zero_state(lstm_params, 2, np.float32)] == [(2, 5), (2, 5)]
    assert zero_state(lstm_params, 2, np.float32)[1].dtype == np.float32


@pytest.mark.parametrize("change,message", [
    (lambda a: {**a, "x": a["x"][0]}, r"x must have 3 dimensions \(T, B, D\)"),
    (lambda a: {**a, "x": a["x"].astype(int)}, "x must hold floating-point"),
    (lambda a: {**a, "targets": a["targets"].T}, r"targets must have shape \(T, B\) = \(6, 3\), got \(3, 6\)"),
    (lambda a: {**a, "targets": a["targets"] * 1.0}, "targets must hold integer indices"),
    (lambda a: {**a, "targets": a["targets"] + 4}, r"targets must lie in \[0, 3\]"),
    (lambda a: {**a, "state": a["state"][0]}, r"state must be a tuple \(h,\)"),
    (lambda a: {**a, "state": a["state"] * 2}, r"state must be a tuple \(h,\) of 1 array for an RNN, got a tuple of 2"),
    (lambda a: {**a, "state": (a["state"][0].T,)}, r"state h must have shape \(B, H\) = \(3, 5\), got \(5, 3\)"),
    (lambda a: {**a, "readout": {"weight": a["readout"]["weight"]}}, "readout is missing key"),
    (lambda a: {**a, "params": {"weight_ih": a["params"]["weight_ih"]}}, "params is missing key"),
])
def test_next_step_loss_names_a_bad_argument(change, message):
    x, targets, state, params, readout = problem("rnn")
    args = change({"x": x, "targets": targets, "state": state, "params": params, "readout": readout})
    with pytest.raises(ValueError, match=message):
        next_step_loss(**args)


def test_the_other_functions_name_a_bad_argument():
    x, targets, state, params, readout = problem("lstm")
    with pytest.raises(ValueError, match=r"state must be a tuple \(h, c\) of 2 arrays for an LSTM"):
        next_step_logits(x, state[:1], params, readout)
    with pytest.raises(ValueError, match=r"state c must have shape \(B, H\) = \(3, 5\), got \(2, 5\)"):
        check_layer_state((state[0], state[1][:2]), params, 3)
    with pytest.raises(ValueError, match=r"targets must have shape \(T, B\)"):
        check_sequence(x, targets[:-1], readout)
    with pytest.raises(ValueError, match="k must be"):
        chunk_bounds(10, 0)
    with pytest.raises(ValueError, match="n_steps must be"):
        chunk_bounds(0, 2)
    with pytest.raises(ValueError, match="batch_size must be"):
        zero_state(params, 0)
    for kwargs, message in [({"k": 2.5}, "k must be"), ({"n_epochs": 0}, "n_epochs must be"),
                            ({"lr": -1.0}, "lr must be"), ({"max_norm": 0.0}, "max_norm must be"),
                            ({"carry_state": "yes"}, "carry_state must be"),
                            ({"callback": 3}, "callback must be None or a function")]:
        full = {"k": 2, "n_epochs": 1, **kwargs}
        with pytest.raises(ValueError, match=message):
            train_truncated(x, targets, params, readout, **full)


@pytest.mark.parametrize("layer", LAYERS)
def test_nll_is_torch_cross_entropy_per_position_and_carries_the_state(layer):
    from lstm_lib.next_step import next_step_nll

    x, targets, state, params, readout = problem(layer, T=7)
    nll, last = next_step_nll(x, targets, state, params, readout)
    module, linear = torch_modules(params, readout)
    with torch.no_grad():
        h, _ = module(torch.from_numpy(x), torch_state(state))
        logits = linear(h)
        want = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 torch.from_numpy(targets).reshape(-1),
                                                 reduction="none").reshape(targets.shape)
    np.testing.assert_allclose(nll, want.numpy(), rtol=1e-12, atol=1e-14)
    loss, _, _ = next_step_loss(x, targets, state, params, readout)
    assert abs(nll.mean() - loss) < 1e-13
    # two chunks with the state carried score the same as one
    first, mid = next_step_nll(x[:3], targets[:3], state, params, readout)
    second, last2 = next_step_nll(x[3:], targets[3:], mid, params, readout)
    np.testing.assert_allclose(np.concatenate([first, second]), nll, rtol=1e-13)
    for a, b in zip(last, last2):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    with pytest.raises(ValueError, match="targets must have shape"):
        next_step_nll(x, targets.T, state, params, readout)


def test_softmax_with_temperature():
    z = np.array([2.0, 1.0, -1.0])
    for tau in (0.1, 0.5, 1.0, 2.0, 50.0):
        p = softmax(z, tau)
        assert abs(p.sum() - 1) < 1e-12 and list(np.argsort(p)) == [2, 1, 0]  # the order never changes
        np.testing.assert_allclose(p, torch.softmax(torch.tensor(z) / tau, 0).numpy(), rtol=1e-12)
    assert softmax(z, 0.01)[0] > 1 - 1e-12  # towards the argmax
    assert np.ptp(softmax(z, 1e4)) < 1e-3  # towards uniform
    assert np.isfinite(softmax(np.array([1000.0, 0.0]), 0.01)).all()
    batch = np.random.default_rng(0).normal(size=(3, 2, 5))  # over the last axis, any batch shape
    np.testing.assert_allclose(softmax(batch, 0.7), torch.softmax(torch.tensor(batch) / 0.7, -1).numpy(),
                               rtol=1e-12)
    for bad in (0.0, -1.0, "hot"):
        with pytest.raises(ValueError, match="temperature must be"):
            softmax(z, bad)


@pytest.mark.parametrize("layer", LAYERS)
def test_sampling_is_seeded_and_feeds_each_draw_back(layer):
    vocab = "abcd"
    _, _, _, params, readout = problem(layer, D=4, V=4)
    a = sample(params, readout, "abba", 30, 1.0, np.random.default_rng(3), vocab)
    assert a == sample(params, readout, "abba", 30, 1.0, np.random.default_rng(3), vocab)
    assert len(a) == 30 and set(a) <= set(vocab)
    # the same draws by hand: each character read after the prime, one step at a time
    text, rng = "abba", np.random.default_rng(3)
    for _ in range(30):
        x = np.eye(4)[[vocab.index(ch) for ch in text]][:, None]  # (T, 1, V)
        logits, _ = next_step_logits(x, zero_state(params, 1), params, readout)
        text += vocab[int(rng.choice(4, p=softmax(logits[-1, 0])))]
    assert text[4:] == a
    cold = sample(params, readout, "abba", 30, 1e-3, np.random.default_rng(0), vocab)
    assert cold == sample(params, readout, "abba", 30, 1e-3, np.random.default_rng(1), vocab)  # the argmax
    with pytest.raises(ValueError, match="prime must be"):
        sample(params, readout, "", 5, 1.0, np.random.default_rng(0), vocab)
    with pytest.raises(ValueError, match="rng"):
        sample(params, readout, "ab", 5, 1.0, 0, vocab)
    with pytest.raises(ValueError, match="n_chars"):
        sample(params, readout, "ab", 0, 1.0, np.random.default_rng(0), vocab)

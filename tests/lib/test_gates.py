"""lstm_lib.gates: the per-gate form on [h, x] is the same LSTM as the fused layer and as torch."""
import numpy as np
import pytest
import torch

from lstm_lib import gates
from lstm_lib.lstm import fuse_gates, init_lstm_params, lstm_step, split_gates


def test_sigmoid_is_the_logistic_function_without_overflow():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(gates.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14, atol=1e-300)
    with np.errstate(over="raise"):
        assert gates.sigmoid(np.array([-1000.0]))[0] == 0.0 and gates.sigmoid(np.array([1000.0]))[0] == 1.0
    np.testing.assert_allclose(gates.sigmoid(z), torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-14, atol=1e-300)


def test_seed_example_of_the_forget_and_input_gates():
    f, c_prev = np.array([0.5, 1.0, 0.5]), np.array([6.0, 8.0, 9.0])
    i, g = np.array([0.9, 0.1, 0.5]), np.array([0.8, -0.3, 0.5])
    np.testing.assert_allclose(gates.cell_update(f, c_prev, np.zeros(3), g), [3.0, 8.0, 4.5])
    np.testing.assert_allclose(gates.cell_update(f, c_prev, i, g), [3.72, 7.97, 4.75])
    np.testing.assert_allclose(gates.hidden_state(np.ones(3), np.zeros(3)), np.zeros(3))


def test_hidden_size_and_input_size_are_independent(rng):
    H, D, B = 3, 4, 2  # seed 002 claims H must equal D: it need not
    hx = gates.concat_hx(rng.normal(size=(B, H)), rng.normal(size=(B, D)))
    assert hx.shape == (B, H + D)
    assert gates.gate(hx, rng.normal(size=(H + D, H)), np.zeros(H)).shape == (B, H)


def test_per_gate_cell_equals_fused_step_and_torch(rng):
    D, H, B = 4, 3, 5
    params = {k: v * 2 for k, v in init_lstm_params(D, H, rng).items()}
    x_t, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    h_t, c_t, acts = gates.lstm_cell(x_t, h_prev, c_prev, split_gates(params))
    h_ref, c_ref, _ = lstm_step(x_t, h_prev, c_prev, params)
    np.testing.assert_allclose(h_t, h_ref, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c_t, c_ref, rtol=0, atol=1e-14)
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        for k in params:
            getattr(cell, k).copy_(torch.from_numpy(params[k]))
        h_torch, c_torch = cell(torch.from_numpy(x_t), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    np.testing.assert_allclose(h_t, h_torch.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_t, c_torch.numpy(), rtol=0, atol=1e-12)
    assert set(acts) == {"i", "f", "g", "o"} and all(a.shape == (B, H) for a in acts.values())
    assert acts["g"].min() < 0 < acts["g"].max() and 0 < acts["f"].min() and acts["f"].max() < 1


def test_split_and_fuse_are_inverse_up_to_the_bias_split(rng):
    params = init_lstm_params(4, 3, rng)
    weights = split_gates(params)
    assert weights["W_f"].shape == (7, 3) and weights["b_f"].shape == (3,)
    back = fuse_gates(weights)
    for k in ("weight_ih", "weight_hh"):
        np.testing.assert_array_equal(back[k], params[k])
    np.testing.assert_allclose(back["bias_ih"] + back["bias_hh"], params["bias_ih"] + params["bias_hh"],
                               rtol=0, atol=1e-16)
    # the f block of the fused arrays is W_f: rows of h first, then rows of x
    np.testing.assert_array_equal(weights["W_f"][:3], params["weight_hh"][3:6].T)
    np.testing.assert_array_equal(weights["W_f"][3:], params["weight_ih"][3:6].T)


def test_init_gate_weights_draws_as_a_fresh_torch_layer():
    D, H = 5, 16
    w = gates.init_gate_weights(D, H, np.random.default_rng(0))
    gates.check_gate_weights(w)
    bound = 1 / np.sqrt(H)
    assert all(np.abs(w[f"W_{k}"]).max() <= bound for k in gates.GATES)
    assert all(np.abs(w[f"b_{k}"]).max() <= 2 * bound for k in gates.GATES)
    # the same distribution as torch's own draw, split into gates: compare the spread of
    # many draws (the sum of two uniform biases has variance 2 bound^2 / 3)
    ours = [gates.init_gate_weights(D, H, np.random.default_rng(s)) for s in range(200)]
    torch.manual_seed(0)
    theirs = [split_gates({k[:-3]: p.detach().double().numpy()
                           for k, p in torch.nn.LSTM(D, H).named_parameters()})
              for _ in range(200)]
    for key, var in (("W_f", bound**2 / 3), ("b_f", 2 * bound**2 / 3)):
        for draws in (ours, theirs):
            sample = np.concatenate([d[key].ravel() for d in draws])
            assert abs(sample.mean()) < 0.01 and abs(sample.var() / var - 1) < 0.05
    biased = gates.init_gate_weights(D, H, np.random.default_rng(0), forget_bias=1.0)
    np.testing.assert_array_equal(biased["b_f"], np.ones(H))
    np.testing.assert_array_equal(biased["W_f"], w["W_f"])


@pytest.mark.parametrize("args,message", [
    ((0, 3), "input_size must be a positive integer, got 0"),
    ((4, 2.5), "hidden_size must be a positive integer, got 2.5"),
])
def test_init_gate_weights_rejects_bad_sizes(args, message):
    with pytest.raises(ValueError, match=message):
        gates.init_gate_weights(*args, np.random.default_rng(0))
    with pytest.raises(ValueError, match="forget_bias must be a single real number"):
        gates.init_gate_weights(4, 3, np.random.default_rng(0), forget_bias="1")


@pytest.mark.parametrize("call,message", [
    (lambda r: gates.concat_hx(r.normal(size=(2, 3)), r.normal(size=(3, 4))),
     r"x_t must have shape \(B, D\) with B from h_prev = \(2, any\), got \(3, 4\)"),
    (lambda r: gates.concat_hx(r.normal(size=3), r.normal(size=(1, 4))), r"h_prev must have 2 dimensions"),
    (lambda r: gates.gate(r.normal(size=(2, 7)), r.normal(size=(3, 7)), np.zeros(7)),
     r"W must have shape \(H \+ D, H\) with H \+ D from hx = \(7, any\), got \(3, 7\)"),
    (lambda r: gates.gate(r.normal(size=(2, 7)), r.normal(size=(7, 3)), np.zeros(4)),
     r"b must have shape \(H,\) with H from W = \(3,\), got \(4,\)"),
    (lambda r: gates.cell_update(np.ones(3), np.ones(4), np.ones(3), np.ones(3)), r"c_prev must have shape"),
    (lambda r: gates.hidden_state(np.ones((2, 3)), np.ones((3, 2))), r"c must have shape"),
    (lambda r: gates.lstm_cell(np.ones((2, 4)), np.ones((2, 3)), np.ones((2, 3)), {"W_f": np.ones((7, 3))}),
     r"weights is missing key"),
    (lambda r: split_gates({"weight_ih": np.ones((12, 4)), "weight_hh": np.ones((9, 3)),
                                  "bias_ih": np.ones(12), "bias_hh": np.ones(12)}), r"must have shape \(4H, H\)"),
])
def test_bad_input_raises_a_clear_error(rng, call, message):
    with pytest.raises(ValueError, match=message):
        call(rng)

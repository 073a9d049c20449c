"""lstm_lib.memory: the product along the belt against lstm_backward, and the half-life against its definition."""
import numpy as np
import pytest

from lstm_lib.gates import sigmoid
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.memory import belt_product, cell_response, forget_bias_for_half_life, half_life


def test_belt_product_is_the_product_of_later_forget_gates(rng):
    f = rng.uniform(0.1, 1.0, size=(6, 2, 3))
    P = belt_product(f)
    assert P.shape == f.shape
    for s in range(6):  # P[s] = f_{s+1} ... f_T, and f[t-1] holds f_t
        np.testing.assert_allclose(P[s], np.prod(f[s:], axis=0), rtol=1e-14)
    np.testing.assert_array_equal(P[-1], f[-1])


@pytest.mark.parametrize("T,B,D,H", [(1, 1, 1, 1), (8, 3, 2, 4), (20, 2, 5, 3)])
def test_belt_product_is_dc_T_dc_0_when_nothing_else_connects(rng, T, B, D, H):
    """With weight_hh = 0 the gates read only x, so the belt is the only path from c_0 to c_T."""
    params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
    params["weight_hh"][:] = 0.0
    x, c0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    _, c, cache = lstm_forward(x, np.zeros((B, H)), c0, params)
    F = gate_rows("f", H)
    f = sigmoid(x @ params["weight_ih"][F].T + params["bias_ih"][F] + params["bias_hh"][F])  # (T, B, H)
    _, _, dc0, _ = lstm_backward(np.zeros((T, B, H)), cache, dc_T=np.ones((B, H)))
    np.testing.assert_allclose(dc0, belt_product(f)[0], rtol=1e-12, atol=0)


def test_belt_product_is_only_one_path_when_h_feeds_the_gates(rng):
    T, B, D, H = 10, 2, 3, 4
    params = {k: 2.0 * v for k, v in init_lstm_params(D, H, rng).items()}
    x, h0, c0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    h, c, cache = lstm_forward(x, h0, c0, params)
    hx_prev = np.concatenate([h0[None], h[:-1]])  # (T, B, H): h_{t-1} of every step
    F = gate_rows("f", H)
    f = sigmoid(x @ params["weight_ih"][F].T + params["bias_ih"][F] + hx_prev @ params["weight_hh"][F].T
                + params["bias_hh"][F])
    _, _, dc0, _ = lstm_backward(np.zeros((T, B, H)), cache, dc_T=np.ones((B, H)))
    assert np.abs(dc0 - belt_product(f)[0]).max() > 1e-6  # the other paths carry gradient too


@pytest.mark.parametrize("bad, message", [
    (np.ones((3, 2)), "f must have 3 dimensions (T, B, H)"),
    (np.ones((2, 1, 1), dtype=int), "f must hold floating-point numbers"),
])
def test_belt_product_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        belt_product(bad)


@pytest.mark.parametrize("f, steps", [(0.5, 1.0), (0.25, 0.5), (2 ** -0.1, 10.0), (1.0, np.inf)])
def test_half_life_known_values(f, steps):
    assert half_life(f) == pytest.approx(steps, rel=1e-12)


def test_half_life_is_where_the_value_halves():
    f = np.array([0.3, 0.9, 0.99, 0.999])
    n = half_life(f)
    assert n.shape == f.shape
    np.testing.assert_allclose(f ** n, 0.5, rtol=1e-12)


def test_half_life_of_the_two_famous_forget_biases():
    assert half_life(sigmoid(0.0)) == pytest.approx(1.0)
    assert half_life(sigmoid(1.0)) == pytest.approx(2.2127, abs=1e-4)


@pytest.mark.parametrize("bad", [0.0, -0.5, 1.5, np.nan, np.array([0.5, 1.2])])
def test_half_life_rejects_values_outside_0_1(bad):
    with pytest.raises(ValueError, match=r"f must lie in \(0, 1\]"):
        half_life(bad)


def test_half_life_rejects_booleans():
    with pytest.raises(ValueError, match="f must hold floating-point numbers"):
        half_life(np.array([True, True]))


@pytest.mark.parametrize("steps", [0.5, 1.0, 2.2127, 20.0, 1000.0])
def test_forget_bias_for_half_life_inverts_half_life(steps):
    b = forget_bias_for_half_life(steps)
    assert half_life(sigmoid(b)) == pytest.approx(steps, rel=1e-9)


def test_forget_bias_for_half_life_known_values():
    assert forget_bias_for_half_life(1.0) == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(forget_bias_for_half_life(np.array([20.0, 60.0])), [3.3449, 4.4551], atol=1e-4)


@pytest.mark.parametrize("bad", [0.0, -3.0, np.inf, np.nan])
def test_forget_bias_for_half_life_rejects_bad_steps(bad):
    with pytest.raises(ValueError, match="steps must be positive and finite"):
        forget_bias_for_half_life(bad)


def test_cell_response_follows_the_closed_form():
    f, i, g, c0, steps = 0.9, 0.3, -0.5, 0.8, 60
    c = cell_response(f, i, g, c0, steps)
    t = np.arange(steps + 1)
    level = i * g / (1 - f)  # where forgetting (1 - f) c and writing i g cancel
    assert c.shape == (steps + 1,) and c[0] == c0
    np.testing.assert_allclose(c, level + (c0 - level) * f ** t, rtol=1e-12, atol=1e-15)


def test_cell_response_carries_c0_bit_for_bit_when_f_is_1_and_i_is_0():
    assert np.all(cell_response(1.0, 0.0, 0.9, -0.37, 1000) == -0.37)


def test_cell_response_with_f_1_climbs_by_i_g_per_step():
    np.testing.assert_allclose(cell_response(1.0, 0.1, 0.5, 0.8, 1000)[[0, 10, 1000]], [0.8, 1.3, 50.8], rtol=1e-12)


def test_cell_response_accepts_numpy_scalars_and_zero_steps():
    c = cell_response(np.float64(0.5), np.float32(0.5), 1, np.array(2.0), np.int64(0))
    assert c.shape == (1,) and c[0] == 2.0


@pytest.mark.parametrize("kwargs, message", [
    ({"f": 1.5}, r"f must be a finite number in \[0, 1\], got 1.5"),
    ({"i": -0.1}, r"i must be a finite number in \[0, 1\]"),
    ({"g": 2.0}, r"g must be a finite number in \[-1, 1\]"),
    ({"c0": np.nan}, "c0 must be a finite number, got nan"),
    ({"f": np.array([0.5, 0.9])}, r"f must be a single real number, got array\(\[0.5, 0.9\]\)"),
    ({"i": "0.1"}, "i must be a single real number"),
    ({"g": None}, "g must be a single real number"),
    ({"f": True}, "f must be a single real number"),
    ({"steps": 10.0}, "steps must be a non-negative integer, got 10.0"),
    ({"steps": -1}, "steps must be a non-negative integer, got -1"),
])
def test_cell_response_rejects_bad_input(kwargs, message):
    args = {"f": 0.9, "i": 0.1, "g": 0.5, "c0": 0.0, "steps": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        cell_response(**args)


def test_integer_steps_and_forget_values_are_welcome():
    from lstm_lib.memory import forget_bias_for_half_life, half_life

    assert forget_bias_for_half_life(30) == forget_bias_for_half_life(30.0)
    assert half_life(1) == np.inf and half_life(np.array([1]))[0] == np.inf
    with pytest.raises(ValueError, match="floating-point"):
        half_life(True)

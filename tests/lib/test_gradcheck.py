"""The referee itself: finite differences agree with known derivatives and catch wrong ones."""
import numpy as np
import pytest

from lstm_lib.gradcheck import gradcheck, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function(rng):
    x = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    np.testing.assert_allclose(numeric, np.cos(x) * x + np.sin(x), rtol=0, atol=1e-9)


def test_x_is_restored(rng):
    x = rng.normal(size=(5,))
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert np.array_equal(x, before)


def test_gradcheck_reports_small_and_large_errors(rng):
    a, b = rng.normal(size=(4,)), rng.normal(size=(2, 3))
    def loss():
        return float(np.sum(a ** 2) + np.sum(np.tanh(b)))

    good = gradcheck(loss, {"a": a, "b": b}, {"a": 2 * a, "b": 1 - np.tanh(b) ** 2})
    bad = gradcheck(loss, {"a": a, "b": b}, {"a": 2 * a, "b": -(1 - np.tanh(b) ** 2)})
    assert max(good.values()) < 1e-8
    assert bad["b"] == pytest.approx(1.0, abs=1e-6) and bad["a"] < 1e-8


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_float32_is_refused():
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_missing_or_misshaped_analytic_gradient(rng):
    a = rng.normal(size=(3,))
    with pytest.raises(ValueError, match=r"missing gradient\(s\) for \['a'\]"):
        gradcheck(lambda: 0.0, {"a": a}, {})
    with pytest.raises(ValueError, match=r"analytic\['a'\] must have shape \(3,\), got \(2,\)"):
        gradcheck(lambda: float(a.sum()), {"a": a}, {"a": np.zeros(2)})

"""The checkers of "The forget gate" accept right answers, and explain the usual wrong ones without raising."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.forget_gate import (
    HALF_LIFE_BAND,
    HALF_LIFE_SLIDERS,
    check_forget_gate,
    check_forget_gate_torch,
    check_half_life,
    half_life_feedback,
    half_life_verdict,
)
from lstm_lib.lstm import gate_rows, split_gates


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- forget_gate on the concatenation ---------------------------------------------------------------------

def correct(x_t, h_prev, W_f, b_f):
    return sig(np.concatenate([h_prev, x_t], axis=1) @ W_f + b_f)


def split_form(x_t, h_prev, W_f, b_f):  # the same product, with W_f cut into its h rows and its x rows
    H = h_prev.shape[1]
    return sig(h_prev @ W_f[:H] + x_t @ W_f[H:] + b_f)


@pytest.mark.parametrize("answer", [
    correct, split_form,
    lambda x, h, W, b: 0.5 * (1 + np.tanh(0.5 * (np.hstack([h, x]) @ W + b))),
    lambda x, h, W, b: correct(x, h, W, b).tolist(),
    lambda *args: correct(*args),  # no parameter names to read
])
def test_forget_gate_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_forget_gate, answer, capsys)
    assert verdict and "forget_gate: correct" in out and "All 4 cases" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, W, b: sig(np.concatenate([x, h], axis=1) @ W + b), "wrong order"),
    (lambda x, h, W, b: np.tanh(np.concatenate([h, x], axis=1) @ W + b), "This is tanh(...)"),
    (lambda x, h, W, b: sig(np.concatenate([h, x], axis=1) @ W), "The bias b_f is missing"),
    (lambda x, h, W, b: sig(np.concatenate([h, x], axis=1) @ W) + b, "added after the sigmoid"),
    (lambda x, h, W, b: np.concatenate([h, x], axis=1) @ W + b, "The sigmoid is missing"),
    (lambda x, h, W, b: 1 / (1 + np.exp(np.concatenate([h, x], axis=1) @ W + b)), "The sign is flipped"),
    (lambda x, h, W, b: sig(np.concatenate([h, x], axis=1) @ W + 2 * b), "added twice"),
    (lambda x, h, W, b: sig(np.concatenate([h, x], axis=1) @ W.T + b), "W_f needs no transpose"),
    (lambda x, h, W, b: sig(np.concatenate([h, x], axis=0) @ W + b), "side by side"),
])
def test_forget_gate_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_forget_gate, wrong, capsys)
    assert not verdict and "forget_gate: not yet" in out and hint in out


def old_order(h_prev, x_t, W_f, b_f):  # the first edition's order: right code, h_prev first
    return sig(np.concatenate([h_prev, x_t], axis=1) @ W_f + b_f)


def old_order_split(h_prev, x_t, W_f, b_f):  # the same, by blocks of rows of W_f
    H = h_prev.shape[1]
    return sig(h_prev @ W_f[:H] + x_t @ W_f[H:] + b_f)


def old_order_raising(h_prev, x_t, W_f, b_f):  # H from b_f: called (x_t, h_prev, ...), x_t @ W_f[:H] raises
    H = b_f.shape[0]
    return sig(h_prev @ W_f[:H] + x_t @ W_f[H:] + b_f)


@pytest.mark.parametrize("answer", [old_order, old_order_split, old_order_raising,
                                    lambda h, x, W, b: correct(x, h, W, b)])
def test_forget_gate_names_the_old_argument_order(answer, capsys):
    verdict, out = run(check_forget_gate, answer, capsys)
    out = " ".join(out.split())  # the verdict wraps its lines
    assert not verdict and "forget_gate: not yet" in out
    assert "in the order (h" in out and "the book uses (x_t, h_prev, W_f, b_f)" in out
    assert "Swap the first two parameters" in out and "concatenation" not in out


def test_forget_gate_order_hint_needs_the_parameter_names(capsys):
    """Without names, an old-order answer and a concatenation [x_t, h_prev] are the same function: both are named."""
    verdict, out = run(check_forget_gate, lambda *args: old_order(*args), capsys)
    out = " ".join(out.split())
    assert not verdict and "when x_t and h_prev trade places" in out
    assert "(h_prev, x_t, ...), swap them" in out and "[h_prev, x_t], h first" in out


def test_forget_gate_reversed_concatenation_is_not_an_order_slip(capsys):
    def reversed_concat(x_t, h_prev, W_f, b_f):  # the book's order, x first in the concatenation too
        return sig(np.concatenate([x_t, h_prev], axis=1) @ W_f + b_f)

    verdict, out = run(check_forget_gate, reversed_concat, capsys)
    assert not verdict and "The concatenation is in the wrong order" in out and "Swap the first" not in out


@pytest.mark.parametrize("answer, hint", [
    (raising, "NotImplementedError: write this function"),
    (returns_none, "forget the `return`"),
    (0.5, "Expected a function"),
])
def test_forget_gate_survives_broken_answers(answer, hint, capsys):
    verdict, out = run(check_forget_gate, answer, capsys)
    assert not verdict and hint in out


# --- forget_gate in torch's layout -------------------------------------------------------------------------

def torch_correct(x_t, h_prev, params):
    F = gate_rows("f", params["weight_hh"].shape[1])
    return sig(x_t @ params["weight_ih"][F].T + params["bias_ih"][F]
               + h_prev @ params["weight_hh"][F].T + params["bias_hh"][F])


def torch_by_split(x_t, h_prev, params):  # through the per-gate form
    w = split_gates(params)
    return sig(np.concatenate([h_prev, x_t], axis=1) @ w["W_f"] + w["b_f"])


def torch_all_gates(x_t, h_prev, params):  # all four blocks at once, then the second one
    z = x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"]
    return sig(np.split(z, 4, axis=1)[1])


@pytest.mark.parametrize("answer", [torch_correct, torch_by_split, torch_all_gates])
def test_forget_gate_torch_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_forget_gate_torch, answer, capsys)
    assert verdict and "forget_gate_torch: correct" in out and "All 3 cases" in out


def _z(x, h, p, rows=None, b_ih=1, b_hh=1):
    H = p["weight_hh"].shape[1]
    F = gate_rows("f", H) if rows is None else rows
    return x @ p["weight_ih"][F].T + b_ih * p["bias_ih"][F] + h @ p["weight_hh"][F].T + b_hh * p["bias_hh"][F]


def each_sum_gets_both(x, h, p):
    F = gate_rows("f", p["weight_hh"].shape[1])
    b = p["bias_ih"][F] + p["bias_hh"][F]
    return sig((x @ p["weight_ih"][F].T + b) + (h @ p["weight_hh"][F].T + b))


def first_block(x, h, p):
    H = p["weight_hh"].shape[1]
    return sig(_z(x, h, p, rows=slice(0, H)))


def last_block(x, h, p):
    H = p["weight_hh"].shape[1]
    return sig(_z(x, h, p, rows=slice(3 * H, 4 * H)))


def no_transpose_hh(x, h, p):
    F = gate_rows("f", p["weight_hh"].shape[1])
    return sig(x @ p["weight_ih"][F].T + p["bias_ih"][F] + h @ p["weight_hh"][F] + p["bias_hh"][F])


def whole_bias(x, h, p):  # forgot to take the f rows of the biases
    F = gate_rows("f", p["weight_hh"].shape[1])
    return sig(x @ p["weight_ih"][F].T + p["bias_ih"] + h @ p["weight_hh"][F].T + p["bias_hh"])


@pytest.mark.parametrize("wrong, hint", [
    # a bias counted twice, in its three forms
    (lambda x, h, p: sig(_z(x, h, p, b_ih=2)), "bias_ih is counted twice"),
    (lambda x, h, p: sig(_z(x, h, p, b_ih=2, b_hh=0)), "bias_ih is added twice and bias_hh not at all"),
    (each_sum_gets_both, "added to each of the two partial sums"),
    (lambda x, h, p: sig(_z(x, h, p, b_hh=2)), "bias_hh is counted twice"),
    # missing biases
    (lambda x, h, p: sig(_z(x, h, p, b_hh=0)), "bias_hh is missing"),
    (lambda x, h, p: sig(_z(x, h, p, b_ih=0)), "bias_ih is missing"),
    (lambda x, h, p: sig(_z(x, h, p, b_ih=0, b_hh=0)), "Both biases are missing"),
    # the wrong block, the wrong squashing, a missing transpose
    (first_block, "rows of the input gate i"),
    (last_block, "rows of the output gate o"),
    (lambda x, h, p: np.tanh(_z(x, h, p)), "This is tanh(...)"),
    (no_transpose_hh, "without its transpose"),
    (whole_bias, "did you take the f rows"),
    (lambda x, h, p: sig(x @ p["weight_ih"][gate_rows("f", h.shape[1])] + h), "x_t (B, D) @ weight_ih[rows].T"),
])
def test_forget_gate_torch_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_forget_gate_torch, wrong, capsys)
    assert not verdict and "forget_gate_torch: not yet" in out and hint in out


def torch_swapped_parameters(h_prev, x_t, params):  # the first edition's per-gate order, h first
    return torch_correct(x_t, h_prev, params)


def test_forget_gate_torch_names_the_old_argument_order(capsys):
    verdict, out = run(check_forget_gate_torch, torch_swapped_parameters, capsys)
    out = " ".join(out.split())
    assert not verdict and "raised ValueError" in out  # x_t @ weight_ih[F].T with h_prev (B, H) in x_t's place
    assert "in the order (h_prev, x_t, ...): the book uses (x_t, h_prev, params)" in out


def test_forget_gate_torch_accepts_a_torch_tensor(capsys):
    torch = pytest.importorskip("torch")

    def with_torch(x_t, h_prev, params):  # returns a torch.Tensor
        p = {k: torch.from_numpy(v) for k, v in params.items()}
        F = gate_rows("f", p["weight_hh"].shape[1])
        z = (torch.from_numpy(x_t) @ p["weight_ih"][F].T + p["bias_ih"][F]
             + torch.from_numpy(h_prev) @ p["weight_hh"][F].T + p["bias_hh"][F])
        return torch.sigmoid(z)

    verdict, out = run(check_forget_gate_torch, with_torch, capsys)
    assert verdict and "All 3 cases" in out


@pytest.mark.parametrize("answer, hint", [
    (raising, "NotImplementedError: write this function"),
    (returns_none, "forget the `return`"),
    ({"weight_ih": 0}, "Expected a function"),
])
def test_forget_gate_torch_survives_broken_answers(answer, hint, capsys):
    verdict, out = run(check_forget_gate_torch, answer, capsys)
    assert not verdict and hint in out


# --- the half-life slider ------------------------------------------------------------------------------------

@pytest.mark.parametrize("b_f", [3.5, 4.0, 3.35, 4.45, 3.345, 4.455, np.float32(4.0), 4, np.array(3.9)])
def test_half_life_accepts_the_band(b_f, capsys):
    verdict = check_half_life(b_f)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "within [20, 60]" in out


@pytest.mark.parametrize("b_f, hint", [
    (0.0, "halves after 1.0 steps, fewer than 20: raise b_f"),
    (1.0, "halves after 2.2 steps"),
    (3.0, "fewer than 20"),
    (3.34, "fewer than 20"),
    (4.5, "more than 60"),
    (-800.0, "halves after 0.0 steps"),
    (40.0, "halves after inf steps"),
])
def test_half_life_names_the_failure(b_f, hint, capsys):
    verdict = check_half_life(b_f)
    out = capsys.readouterr().out
    assert not verdict and "not yet" in out and hint in out


@pytest.mark.parametrize("b_f", [None, "3.5", float("nan"), float("inf"), True, [3.5]])
def test_half_life_never_raises_on_bad_values(b_f, capsys):
    verdict = check_half_life(b_f)
    assert not verdict and "should be a finite number" in capsys.readouterr().out


def test_half_life_feedback_is_html_with_a_mark():
    assert "✓" in half_life_feedback(4.0) and half_life_feedback(4.0).startswith("<p")
    assert "✗" in half_life_feedback(1.0)


def test_half_life_slider_has_two_stops_inside_the_band():
    passed = [b for b in HALF_LIFE_SLIDERS["b_f"] if half_life_verdict(b)[0]]
    assert passed == [3.5, 4.0] and HALF_LIFE_BAND == (20.0, 60.0)

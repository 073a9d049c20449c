"""The checkers of "The input gate, the candidate and the cell update" accept right answers and name the usual slips."""
import numpy as np
import pytest
from answers import raising, returns_none, run

from lstm_book.exercises.input_gate import (
    NEW_CELL_MISTAKES,
    OVERWRITE_SLIDERS,
    check_new_cell,
    check_overwrite,
    overwrite_feedback,
    overwrite_verdict,
)
from lstm_book.experiments.input_gate import OVERWRITE
from lstm_lib import gates


def sig(z):
    return 1 / (1 + np.exp(-z))


def pieces(x_t, h_prev, w):
    hx = np.concatenate([h_prev, x_t], axis=1)
    return {k: hx @ w[f"W_{k}"] + w[f"b_{k}"] for k in ("f", "i", "g")}


def correct(x_t, h_prev, c_prev, w):
    z = pieces(x_t, h_prev, w)
    return sig(z["f"]) * c_prev + sig(z["i"]) * np.tanh(z["g"])


def with_the_library(x_t, h_prev, c_prev, w):
    hx = gates.concat_hx(h_prev, x_t)
    f = gates.gate(hx, w["W_f"], w["b_f"])
    return gates.cell_update(f, c_prev, gates.gate(hx, w["W_i"], w["b_i"]), gates.candidate(hx, w["W_g"], w["b_g"]))


def split_products(x_t, h_prev, c_prev, w):  # h and x multiplied by their own blocks of rows, no concatenation
    H = h_prev.shape[1]
    z = {k: h_prev @ w[f"W_{k}"][:H] + x_t @ w[f"W_{k}"][H:] + w[f"b_{k}"] for k in ("f", "i", "g")}
    return sig(z["f"]) * c_prev + sig(z["i"]) * np.tanh(z["g"])


@pytest.mark.parametrize("answer", [correct, with_the_library, split_products,
                                    lambda x, h, c, w: correct(x, h, c, w).astype(np.float32).tolist()])
def test_new_cell_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_new_cell, answer, capsys)
    assert verdict and "new_cell: correct" in out and "All 3 cases" in out


def changed(combine=None, f=None, i=None, g=None, order="hx"):
    """A wrong new_cell built from the right pieces; f, i, g map the pre-activations z to a replacement."""
    def answer(x_t, h_prev, c_prev, w):
        if order == "hx":
            z = pieces(x_t, h_prev, w)
        else:
            hx = np.concatenate([x_t, h_prev], axis=1)
            z = {k: hx @ w[f"W_{k}"] + w[f"b_{k}"] for k in ("f", "i", "g")}
        f_ = f(z, w) if f else sig(z["f"])
        i_ = i(z, w) if i else sig(z["i"])
        g_ = g(z, w) if g else np.tanh(z["g"])
        return combine(f_, c_prev, i_, g_) if combine else f_ * c_prev + i_ * g_
    return answer


@pytest.mark.parametrize("wrong, hint", [
    (changed(g=lambda z, w: sig(z["g"])), "it belongs to tanh"),                         # sigmoid where tanh belongs
    (changed(combine=lambda f, c, i, g: i * g), "The forget term is missing"),           # c = i * g
    (changed(combine=lambda f, c, i, g: c + i * g), "The forget gate is missing"),       # f = 1, the 1997 cell
    (changed(combine=lambda f, c, i, g: (1 - f) * c + i * g), "fraction KEPT"),
    (changed(i=lambda z, w: np.tanh(z["i"])), "input gate i_t is computed with tanh"),
    (changed(i=lambda z, w: sig(z["g"]), g=lambda z, w: np.tanh(z["i"])), "swapped their weights"),
    (changed(combine=lambda f, c, i, g: f * c + (i + g)), "i_t + g_t"),                  # + instead of *
    (changed(combine=lambda f, c, i, g: (f + c) + i * g), "f_t + c_prev"),
    (changed(combine=lambda f, c, i, g: f * (c + i * g)), "scales the new write too"),
    (changed(combine=lambda f, c, i, g: f * c + g), "input gate is missing"),
    (changed(combine=lambda f, c, i, g: f * c + i), "The candidate is missing"),
    (changed(f=lambda z, w: sig(z["i"])), "computed with W_i"),
    (changed(i=lambda z, w: sig(z["i"] - w["b_i"]), g=lambda z, w: np.tanh(z["g"] - w["b_g"])),
     "b_i and b_g are missing"),
    (changed(g=lambda z, w: np.tanh(z["g"] - w["b_g"])), "bias b_g is missing"),
    (changed(order="xh"), "wrong order"),
    # issue 11: each of these had only "No common slip matches"
    (changed(combine=lambda f, c, i, g: np.tanh(f * c + i * g)), "tanh(f_t * c_prev + i_t * g_t): there is no tanh"),
    (changed(i=lambda z, w: sig(z["i"] - w["b_i"] + w["b_f"])), "The input gate uses b_f"),
])
def test_new_cell_names_the_slip(wrong, hint, capsys):
    verdict, out = run(check_new_cell, wrong, capsys)
    assert not verdict and "new_cell: not yet" in out and hint in out


def test_each_slip_gets_exactly_one_hint(capsys):
    """The cases tell every listed slip apart: no wrong answer matches two hints."""
    firsts = [hint.split("\n")[0] for _, hint in NEW_CELL_MISTAKES]  # report() indents the later lines
    for (wrong, _), first in zip(NEW_CELL_MISTAKES, firsts):
        verdict, out = run(check_new_cell, wrong, capsys)
        assert not verdict and first in out
        assert sum(other in out for other in firsts) == 1, first


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, c, w: correct(x, h, c, w) @ np.ones((h.shape[1], h.shape[1])), "No common slip"),
    (lambda x, h, c, w: sig(pieces(x, h, w)["i"]) @ np.tanh(pieces(x, h, w)["g"]), "elementwise (*), not @"),
    (lambda x, h, c, w: sig(np.concatenate([h, x]) @ w["W_i"]), "(B, H + D)"),
    (lambda x, h, c, w: correct(x, h, c, w).T, "expected (B, H)"),
    (lambda x, h, c, w: (correct(x, h, c, w), c), "tuple of 2 items"),
    (raising, "NotImplementedError: write this function"),
    (lambda x, h, c, w: correct(x, h, c, {**w, "W_g": w["W_c"]}), 'weights["W_g"]'),  # a tutorial's name
    (returns_none, "forget the `return`"),
    (correct(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
             {f"{p}_{k}": np.zeros((2, 1)) if p == "W" else np.zeros(1) for p in "Wb" for k in "fig"}),
     "Expected a function"),
])
def test_new_cell_survives_broken_answers(wrong, hint, capsys):
    verdict, out = run(check_new_cell, wrong, capsys)
    assert not verdict and hint in out


def old_order(h_prev, x_t, c_prev, w):  # the first edition's order: right code, h_prev first
    return correct(x_t, h_prev, c_prev, w)


def old_order_split(h_prev, x_t, c_prev, w):  # the same, by blocks of rows of each W_k
    return split_products(x_t, h_prev, c_prev, w)


def old_order_raising(h_prev, x_t, c_prev, w):  # H from c_prev: called (x_t, h_prev, ...), x_t @ W[:H] raises
    H = c_prev.shape[1]
    z = {k: h_prev @ w[f"W_{k}"][:H] + x_t @ w[f"W_{k}"][H:] + w[f"b_{k}"] for k in ("f", "i", "g")}
    return sig(z["f"]) * c_prev + sig(z["i"]) * np.tanh(z["g"])


@pytest.mark.parametrize("answer", [old_order, old_order_split, old_order_raising,
                                    lambda h, x, c, w: correct(x, h, c, w)])
def test_new_cell_names_the_old_argument_order(answer, capsys):
    verdict, out = run(check_new_cell, answer, capsys)
    out = " ".join(out.split())  # the verdict wraps its lines
    assert not verdict and "new_cell: not yet" in out
    assert "in the order (h" in out and "the book uses (x_t, h_prev, c_prev, weights)" in out
    assert "Swap the first two parameters" in out and "concatenation" not in out


def test_new_cell_order_hint_without_parameter_names(capsys):
    verdict, out = run(check_new_cell, lambda *args: old_order(*args), capsys)
    out = " ".join(out.split())
    assert not verdict and "when x_t and h_prev trade places" in out and "(h_prev, x_t, ...), swap them" in out


def test_new_cell_old_order_with_a_slip_gets_no_order_hint(capsys):
    """The order hint says the code inside is right: an old-order answer with another slip does not get it."""
    verdict, out = run(check_new_cell, lambda h, x, c, w: np.tanh(old_order(h, x, c, w)), capsys)
    assert not verdict and "Swap the first" not in out


# --- the overwrite (slider exercise) --------------------------------------------------------------------

@pytest.mark.parametrize("f, i, g", [(0.0, 0.5, -0.6), (0.5, 1.0, -0.6), (0.1, 0.6, -0.6), (0.0, 0.3, -1.0)])
def test_overwrite_accepts_a_good_setting(f, i, g, capsys):
    verdict = check_overwrite(f, i, g)
    out = capsys.readouterr().out
    assert verdict and "target reached" in out and "Overwritten" in out


@pytest.mark.parametrize("f, i, g, hint", [
    (1.0, 0.0, 0.6, "Nothing is written"),
    (0.5, 1.0, 0.6, "Writes the wrong way"),       # a positive candidate cannot push the cell down
    (0.0, 0.5, 0.6, "A negative candidate g"),
    (1.0, 0.5, -1.0, "Writes too little"),
    (0.0, 1.0, -1.0, "Writes too much"),
    (1.0, 1.0, -1.0, "Writes too much"),           # -0.4: one step beyond the target
])
def test_overwrite_names_the_failure(f, i, g, hint, capsys):
    verdict = check_overwrite(f, i, g)
    out = capsys.readouterr().out
    assert not verdict and "not yet" in out and hint in out


def test_overwrite_says_when_the_old_value_must_go(monkeypatch, capsys):
    monkeypatch.setitem(OVERWRITE, "c_prev", 2.0)  # keeping 2.0 leaves -2.3 to write: beyond |i g| < 1
    verdict = check_overwrite(1.0, 1.0, -1.0)
    assert not verdict and "Keeps too much" in capsys.readouterr().out


@pytest.mark.parametrize("f, i, g, hint", [(None, 0.5, 0.5, "should be a number"),
                                           ("0.5", 0.5, 0.5, "should be a number"),
                                           (0.5, float("nan"), 0.5, "finite"), (True, 0.5, 0.5, "should be a number"),
                                           (1.2, 0.5, 0.5, "f = 1.2 is impossible"), (0.5, -0.1, 0.5, "sigmoid"),
                                           (0.5, 0.5, 1.5, "tanh")])
def test_overwrite_never_raises_on_bad_values(f, i, g, hint, capsys):
    verdict = check_overwrite(f, i, g)
    assert not verdict and hint in capsys.readouterr().out


def test_overwrite_grid_has_two_solutions():
    passed = [(f, i, g) for f in OVERWRITE_SLIDERS["f"] for i in OVERWRITE_SLIDERS["i"] for g in OVERWRITE_SLIDERS["g"]
              if overwrite_verdict(f, i, g)[0]]
    assert passed == [(0.0, 0.5, -0.6), (0.5, 1.0, -0.6)]


def test_overwrite_feedback_is_html_with_a_mark():
    assert overwrite_feedback(0.0, 0.5, -0.6).startswith("<p") and "✓" in overwrite_feedback(0.0, 0.5, -0.6)
    assert "✗" in overwrite_feedback(1.0, 1.0, 1.0)

"""The checkers of "The complete LSTM" accept right answers, and explain the usual wrong ones without raising."""
import numpy as np
import pytest
import torch
from answers import raising, returns_none

from lstm_book.exercises.complete_lstm import (
    COUNT_CASES,
    LSTM_STEP_MISTAKES,
    MEMORY_SLIDERS,
    check_lstm_step,
    check_memory,
    check_param_count,
    memory_feedback,
    memory_verdict,
    step_cases,
    torch_param_count,
)
from lstm_book.experiments.memory_cell import memory_conditions, memory_input, memory_inputs
from lstm_lib.gates import GATES, lstm_cell, sigmoid
from lstm_lib.lstm import gate_rows, init_lstm_params, lstm_step, split_gates
from lstm_lib.torch_bridge import to_torch


def run(checker, *answer, capsys):
    verdict = checker(*answer)
    return verdict, capsys.readouterr().out


# --- my_lstm_step ------------------------------------------------------------------------------------------

def z_of(x, h, p):
    return x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]


def correct_step(x, h, c, p):
    z_i, z_f, z_g, z_o = np.split(z_of(x, h, p), 4, axis=1)
    c_t = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def sliced_step(x, h, c, p):  # slices and a hand-written sigmoid, no np.split
    H = h.shape[1]
    z = z_of(x, h, p)
    i, f, g, o = (1.0 / (1.0 + np.exp(-z[:, n * H:(n + 1) * H])) for n in range(4))
    g = np.tanh(z[:, 2 * H:3 * H])
    c_t = f * c + i * g
    return [o * np.tanh(c_t), c_t]  # a list is fine too


def column_step(x, h, c, p):  # the papers' column-vector form, transposed back
    b = (p["bias_ih"] + p["bias_hh"])[:, None]
    z = (p["weight_ih"] @ x.T + p["weight_hh"] @ h.T + b).T
    H = h.shape[1]
    i, f, g, o = (z[:, n * H:(n + 1) * H] for n in range(4))
    c_t = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def torch_step(x, h, c, p):  # torch.nn.LSTMCell itself
    cell = torch.nn.LSTMCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for k, v in p.items():
            getattr(cell, k).copy_(torch.from_numpy(v))
        h_t, c_t = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    return h_t.numpy(), c_t.numpy()


def concat_step(x, h, c, p):  # the per-gate form's concatenation [h, x], with torch's weights side by side
    hx = np.concatenate([h, x], axis=1)  # (B, H + D)
    W = np.concatenate([p["weight_hh"], p["weight_ih"]], axis=1)  # (4H, H + D)
    i, f, g, o = np.split(hx @ W.T + p["bias_ih"] + p["bias_hh"], 4, axis=1)
    c_t = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def per_gate_step(x, h, c, p):  # one gate at a time, with gate_rows and a dict of activations
    H = h.shape[1]
    a = {}
    for k in GATES:
        r = gate_rows(k, H)
        z_k = x @ p["weight_ih"][r].T + p["bias_ih"][r] + h @ p["weight_hh"][r].T + p["bias_hh"][r]
        a[k] = np.tanh(z_k) if k == "g" else sigmoid(z_k)
    c_t = a["f"] * c + a["i"] * a["g"]
    return a["o"] * np.tanh(c_t), c_t


def library_per_gate_step(x, h, c, p):  # split_gates, then the per-gate cell of lstm_lib.gates
    h_t, c_t, _ = lstm_cell(x, h, c, split_gates(p))
    return h_t, c_t


def float32_step(x, h, c, p):  # every input and every operation in float32
    x, h, c = (a.astype(np.float32) for a in (x, h, c))
    p = {k: v.astype(np.float32) for k, v in p.items()}
    z = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)
    c_t = 1 / (1 + np.exp(-z_f)) * c + 1 / (1 + np.exp(-z_i)) * np.tanh(z_g)
    return 1 / (1 + np.exp(-z_o)) * np.tanh(c_t), c_t


def torch_float32_step(x, h, c, p):  # torch.nn.LSTMCell in its default float32
    cell = torch.nn.LSTMCell(x.shape[1], h.shape[1], dtype=torch.float32)
    with torch.no_grad():
        for k, v in p.items():
            getattr(cell, k).copy_(torch.from_numpy(v))
        x32, h32, c32 = (torch.from_numpy(a).float() for a in (x, h, c))
        h_t, c_t = cell(x32, (h32, c32))
    return h_t.numpy(), c_t.numpy()


def torch_graph_step(x, h, c, p):  # torch tensors that still require grad, returned as they are
    cell = torch.nn.LSTMCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for k, v in p.items():
            getattr(cell, k).copy_(torch.from_numpy(v))
    return cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))


def in_place_step(x, h, c, p):  # overwrites its own c_prev: the checker passes copies
    z = x @ p["weight_ih"].T
    z += p["bias_ih"] + p["bias_hh"] + h @ p["weight_hh"].T
    z_i, z_f, z_g, z_o = np.hsplit(z, 4)
    c *= sigmoid(z_f)
    c += sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c), c


def library_step(x, h, c, p):  # lstm_lib's own step, without its cache
    h_t, c_t, cache = lstm_step(x, h, c, p)
    return h_t, c_t


@pytest.mark.parametrize("answer", [correct_step, sliced_step, column_step, torch_step, library_step, concat_step,
                                    per_gate_step, library_per_gate_step, float32_step, torch_float32_step,
                                    torch_graph_step, in_place_step,
                                    lambda x, h, c, p: tuple(a.astype(np.float32) for a in correct_step(x, h, c, p)),
                                    lambda x, h, c, p: [a.tolist() for a in correct_step(x, h, c, p)]])
def test_lstm_step_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_lstm_step, answer, capsys=capsys)
    assert verdict and "my_lstm_step: correct" in out and "All 3 cases" in out, out


def step_with(order="ifgo", b_ih=1.0, b_hh=1.0, each=False, g_act=np.tanh, h_act=np.tanh, forget=True):
    """A reader's step with one slip, written as a reader would write it."""
    def step(x, h, c, p):
        if each:
            b = p["bias_ih"] + p["bias_hh"]
            z = (x @ p["weight_ih"].T + b) + (h @ p["weight_hh"].T + b)
        else:
            z = x @ p["weight_ih"].T + b_ih * p["bias_ih"] + h @ p["weight_hh"].T + b_hh * p["bias_hh"]
        blocks = dict(zip(order, np.split(z, 4, axis=1)))
        i, f, o, g = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"]), g_act(blocks["g"])
        c_t = f * c + i * g if forget else i * g
        return o * h_act(c_t), c_t
    return step


@pytest.mark.parametrize("wrong, hint", [
    (step_with(order="ifog"), "order i, f, o, g (as in cs231n and Karpathy"),
    (step_with(order="figo"), "order f, i, g, o"),
    (step_with(order="gifo"), "order g, i, f, o"),
    (step_with(b_ih=2.0, b_hh=0.0), "bias_ih is added twice and bias_hh not at all"),
    (step_with(b_ih=0.0, b_hh=2.0), "bias_hh is added twice and bias_ih not at all"),
    (step_with(each=True), "added to each of the two partial sums"),
    (step_with(b_ih=2.0), "bias_ih is counted twice"),
    (step_with(b_hh=0.0), "bias_hh is missing"),
    (step_with(g_act=sigmoid), "candidate g goes through a sigmoid"),
    (step_with(h_act=sigmoid), "h_t = o * sigmoid(c_t)"),
    (step_with(g_act=sigmoid, h_act=sigmoid), "sigmoid is used where tanh belongs, twice"),
    (step_with(forget=False), "forget term is missing"),
    (lambda x, h, c, p: correct_step(x, h, c, p)[::-1], "swapped"),
    (lambda x, h, c, p: step_with(forget=False)(x, h, c, p)[::-1], "swapped"),
    (lambda x, h, c, p: correct_step(x, h, h, p), "multiplies h_prev"),
    (lambda x, h, c, p: (sigmoid(np.split(z_of(x, h, p), 4, axis=1)[3]) * np.tanh(c), correct_step(x, h, c, p)[1]),
     "computed from c_prev"),
])
def test_lstm_step_rejects_the_usual_slips_with_the_right_hint(wrong, hint, capsys):
    verdict, out = run(check_lstm_step, wrong, capsys=capsys)
    assert not verdict and "not yet" in out and hint in out, out


def untransposed_hh(x, h, c, p):  # h_prev @ weight_hh: (B, H) @ (4H, H) never fits
    z = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"] + p["bias_hh"]
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)
    c_t = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def untransposed_ih(x, h, c, p):
    z = x @ p["weight_ih"] + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)
    c_t = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def split_on_batch(x, h, c, p):  # np.split without axis=1
    z_i, z_f, z_g, z_o = np.split(z_of(x, h, p), 4)
    c_t = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


@pytest.mark.parametrize("wrong, hint", [
    (untransposed_hh, "weight_hh is used without its transpose"),
    (untransposed_ih, "weight_ih is used without its transpose"),
    (lambda x, h, c, p: untransposed_hh(x, h, c, {**p, "weight_ih": p["weight_ih"].T}),
     "Both weights are used without their transposes"),
    (split_on_batch, "np.split(z, 4) splits along axis 0"),
])
def test_lstm_step_explains_shape_errors(wrong, hint, capsys):
    verdict, out = run(check_lstm_step, wrong, capsys=capsys)
    assert not verdict and "raised" in out and hint in out, out


def test_untransposed_weight_ih_is_caught_by_value_when_it_is_square(capsys):
    """With D = 4H (case 2) x_t @ weight_ih runs; the checker must still name the slip from the values."""
    def wrong(x, h, c, p):
        square = x.shape[1] == 4 * h.shape[1]
        return untransposed_ih(x, h, c, p) if square else correct_step(x, h, c, p)

    verdict, out = run(check_lstm_step, wrong, capsys=capsys)
    assert not verdict and "Case 2" in out and "weight_ih is used without its transpose" in out, out


@pytest.mark.parametrize("answer, words", [
    (raising, "still raises NotImplementedError: write this function"),
    (returns_none, "returned None"),
    (lambda x, h, c, p: correct_step(x, h, c, p)[0], "return the tuple (h_t, c_t)"),
    (lambda x, h, c, p: np.stack(correct_step(x, h, c, p)), "return the tuple (h_t, c_t)"),
    (lambda x, h, c, p: (*correct_step(x, h, c, p), None), "return exactly two"),
    (lstm_step, "returned 3 items; return exactly two"),  # the library's step returns its cache too
    (lambda x, h, c, p: (correct_step(x, h, c, p)[0], None), "c_t (item 2 of the tuple) is None"),
    (lambda x, h, c, p: (correct_step(x, h, c, p)[0].ravel(), correct_step(x, h, c, p)[1]), "h_t has shape"),
    (lambda x, h, c, p: ("h", "c"), "not an array of numbers"),
    (lambda x, h, c, p: (np.full_like(h, np.nan), c), "NaN"),
    (lambda x, h, c, p: (h.astype(complex), c), "complex entries"),
    (lambda x, h, c, p: ({"h": h}, c), "not an array of numbers"),
    (lambda x, h, c, p: (h + 1.0, c), "No common slip matches"),
    (42, "Expected a function"),
    (None, "Expected a function"),
])
def test_lstm_step_never_raises_and_explains(answer, words, capsys):
    verdict, out = run(check_lstm_step, answer, capsys=capsys)
    assert not verdict and words in out, out


def test_lstm_step_checker_does_not_let_the_answer_change_its_cases(capsys):
    def vandal(x, h, c, p):
        out = correct_step(x, h, c, p)
        for v in p.values():
            v[:] = 0.0
        x[:] = 0.0
        return out
    verdict, out = run(check_lstm_step, vandal, capsys=capsys)
    assert verdict, out


def test_float32_answers_pass_with_a_margin():
    """float32 arithmetic lands well inside the checker's tolerance on every case, not at its edge."""
    for args in step_cases():
        want = lstm_step(*args)[:2]
        for answer in (float32_step, torch_float32_step):
            x, h, c, p = args
            got = answer(x.copy(), h.copy(), c.copy(), {k: v.copy() for k, v in p.items()})
            for a, b in zip(got, want):
                assert np.all(np.abs(np.asarray(a, np.float64) - b) <= 0.5 * (1e-8 + 1e-6 * np.abs(b)))


def test_a_float32_slip_still_gets_its_hint(capsys):
    def ifog32(x, h, c, p):
        return tuple(a.astype(np.float32) for a in step_with(order="ifog")(
            x.astype(np.float32), h.astype(np.float32), c.astype(np.float32),
            {k: v.astype(np.float32) for k, v in p.items()}))
    verdict, out = run(check_lstm_step, ifog32, capsys=capsys)
    assert not verdict and "order i, f, o, g" in out, out


def test_every_slip_model_differs_from_the_reference():
    """Each slip must change the numbers on at least one case, or its hint could never be reached."""
    cases = step_cases()
    for slip, hint in LSTM_STEP_MISTAKES:
        differs = False
        for x, h, c, p in cases:
            try:
                got = slip(x, h, c, p)
            except ValueError:
                continue
            want = lstm_step(x, h, c, p)[:2]
            differs |= not all(np.allclose(a, b) for a, b in zip(got, want))
        assert differs, hint


# --- the parameter count ---------------------------------------------------------------------------------

def test_torch_param_count_is_torchs_count():
    for D, H in COUNT_CASES[:3]:
        assert torch_param_count(D, H) == sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())


@pytest.mark.parametrize("answer", [
    lambda D, H: 4 * H * (D + H) + 8 * H,
    lambda D, H: np.int64(4 * H * D + 4 * H * H + 8 * H),
    lambda D, H: float(4 * H * (D + H) + 8 * H),
    lambda D, H: sum(int(np.prod(s)) for s in [(4 * H, D), (4 * H, H), (4 * H,), (4 * H,)]),
])
def test_param_count_accepts_correct_answers(answer, capsys):
    verdict, out = run(check_param_count, answer, capsys=capsys)
    assert verdict and "lstm_param_count: correct" in out, out


@pytest.mark.parametrize("wrong, hint", [
    (lambda D, H: 4 * (H * (D + H) + H), "one bias per gate"),
    (lambda D, H: 4 * H * (D + H), "The biases are missing"),
    (lambda D, H: H * (D + H) + 2 * H, "vanilla RNN's count"),
    (lambda D, H: 4 * H * D + 8 * H, "weight_hh is missing"),
    (lambda D, H: 4 * D * (D + H) + 8 * D, "D and H are swapped"),
    (lambda D, H: 4 * H * (D + H) + 2 * H, "4H numbers each"),
    (lambda D, H: 4 * H * (D + H) + 8 * H + 1, "Count each of the four arrays"),
    (raising, "still raises NotImplementedError"),
    (returns_none, "returned None"),
    (lambda D, H: "many", "return a whole number"),
    (lambda D, H: float("inf"), "return a whole number"),
    (lambda D: 4 * D, "raised TypeError"),
    ("4H(D+H)+8H", "Expected a function"),
])
def test_param_count_rejects_with_the_right_hint(wrong, hint, capsys):
    verdict, out = run(check_param_count, wrong, capsys=capsys)
    assert not verdict and hint in out, out


def test_param_count_checker_leaves_torchs_random_state_alone():
    torch.manual_seed(0)
    first = torch.rand(1)
    torch.manual_seed(0)
    check_param_count(lambda D, H: 4 * H * (D + H) + 8 * H)
    assert torch.equal(torch.rand(1), first)


# --- the memory cell (slider exercise) --------------------------------------------------------------------

def test_memory_sliders_have_passing_and_failing_stops_of_every_kind():
    kinds = {}
    for b_f in MEMORY_SLIDERS["b_f"]:
        for w in MEMORY_SLIDERS["w"]:
            passed, messages = memory_verdict(b_f, w)
            kinds.setdefault("pass" if passed else messages[0].split(":")[0], []).append((b_f, w))
    assert set(kinds) == {"pass", "Does not store", "Forgets", "Does not overwrite"}, kinds
    assert (4.0, 8.0) in kinds["pass"] and 5 <= len(kinds["pass"]) <= 15


@pytest.mark.parametrize("b_f, w, words", [
    (4.0, 8.0, "A memory"),
    (2.0, 4.0, "raise the write weight w"),
    (2.0, 12.0, "Forgets"),
    (8.0, 8.0, "Does not overwrite"),
    (5.5, 5.0, "Distractors leak in"),
])
def test_memory_verdicts(b_f, w, words, capsys):
    verdict, out = run(check_memory, b_f, w, capsys=capsys)
    assert bool(verdict) == (words == "A memory") and words in out, out
    html = memory_feedback(b_f, w)
    assert html.startswith("<p") and words.split()[0] in html


@pytest.mark.parametrize("b_f, w, words", [
    ("5", 12.0, "b_f should be a number"),
    (5.0, None, "w should be a number"),
    (float("nan"), 12.0, "finite"),
    (True, 12.0, "b_f should be a number"),
    (5.0, np.array([12.0]), "w should be a number"),
])
def test_memory_check_never_raises(b_f, w, words, capsys):
    verdict, out = run(check_memory, b_f, w, capsys=capsys)
    assert not verdict and words in out, out


def test_memory_accepts_numpy_numbers(capsys):
    verdict, out = run(check_memory, np.float64(5.0), np.int64(12), capsys=capsys)
    assert verdict, out


def test_memory_conditions_agree_with_the_verdict_on_every_slider_stop():
    x = memory_input()
    for b_f in MEMORY_SLIDERS["b_f"]:
        for w in MEMORY_SLIDERS["w"]:
            tests = memory_conditions(b_f, w, x)
            assert set(tests) == {"store", "keep", "replace"} and all(v.shape == (1,) for v in tests.values())
            assert bool(np.logical_and.reduce(list(tests.values()))[0]) == memory_verdict(b_f, w)[0], (b_f, w)


def test_the_demo_memory_works_on_every_sequence_and_the_edge_setting_does_not():
    x = memory_inputs(1000, seed=1)
    assert all(v.all() for v in memory_conditions(5.0, 12.0, x).values())
    assert not memory_conditions(4.0, 8.0, x)["keep"].all() and memory_verdict(4.0, 8.0)[0]


def test_lstm_params_stay_torch_compatible():
    """The checker's cases are torch-layout dicts that torch accepts as they are."""
    p = init_lstm_params(3, 2, np.random.default_rng(0))
    assert isinstance(to_torch(p), torch.nn.LSTM)

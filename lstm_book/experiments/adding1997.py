"""The adding problem of Hochreiter & Schmidhuber (1997), Experiment 4, trained with
`lstm_lib` (numpy only, no torch). Chapter "The 1997 experiments, reproduced".

A run trains one LSTM with a linear readout on h_T (`lstm_lib.train.train_last_step`)
on fresh batches of `lstm_lib.tasks.adding_problem`, and every `check_every` updates
scores it on 2,560 fixed test sequences. It counts as solved, as in the paper's Table 7,
when at most the paper's number of test sequences (1 at T = 100 and 1000, 0 at T = 500)
has an absolute error of 0.04 or more. The number reported is the count of training
sequences seen until then. `value_tangent` and `cell_measures` look inside a cell:
how much of it the distractors fill, how much of X1 it keeps, how much gradient reaches X1.

    python -m lstm_book.experiments.adding1997 --T 100 --seeds 3
    python -m lstm_book.experiments.adding1997 --store grid   # the stored sweeps,
    python -m lstm_book.experiments.adding1997 --store long   # run by `make experiments`
"""
import argparse
import json
import math
import pathlib
import sys
import time

import numpy as np

from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.tasks import adding_problem
from lstm_lib.train import predict_last, train_last_step

TOL = 0.04  # a test sequence is right when |y_hat - y| < TOL
N_TEST = 2560
# Table 7 of the paper: training sequences until solved, and wrong test sequences.
PAPER = {100: {"sequences": 74_000, "wrong": 1},
         500: {"sequences": 209_000, "wrong": 0},
         1000: {"sequences": 853_000, "wrong": 1}}
# The recipe the chapter recommends (hidden size, batch, Adam, clipping, gate biases).
RECIPE = {"hidden_size": 16, "batch_size": 32, "lr": 1e-2, "max_norm": 1.0,
          "forget_bias": 3.0, "input_bias": -3.0, "check_every": 50}
DEFAULT_BUDGET = 160_000  # training sequences, for a T the paper did not run
RESULTS = pathlib.Path(__file__).parent / "results"
# The stored sweeps: the bias grid at T = 100 (None = torch's draw; "forget_gate":
# False is the 1997 cell, f = 1); at T = 500 the recipe, a forget bias of 6 and the
# 1997 cell with input bias -6, which also runs at T = 1000; three seeds each.
SWEEPS = {
    "grid": [{"T": 100, "forget_bias": fb, "input_bias": ib, "forget_gate": fg}
             for fb, fg in ((None, True), (1.0, True), (3.0, True), (None, False))
             for ib in (None, -3.0, -6.0)],
    "long": [{"T": 500, "forget_bias": 3.0, "input_bias": -3.0, "forget_gate": True},
             {"T": 500, "forget_bias": 6.0, "input_bias": -3.0, "forget_gate": True},
             {"T": 500, "forget_bias": None, "input_bias": -6.0, "forget_gate": False},
             {"T": 1000, "forget_bias": None, "input_bias": -6.0, "forget_gate": False}],
}
SEEDS = (0, 1, 2)


def allowed_wrong(T):
    """How many of the 2,560 test sequences may be wrong: the paper's count at T
    (1 where it gives none)."""
    return PAPER.get(T, {"wrong": 1})["wrong"]


def paper_budget(T):
    """Training sequences allowed by default: the paper's count at T, else 160,000."""
    return PAPER.get(T, {"sequences": DEFAULT_BUDGET})["sequences"]


def test_set(T):
    """The 2,560 test sequences at length T, the same for every run: x (T, 2560, 2),
    y (2560, 1)."""
    return adding_problem(N_TEST, T, np.random.default_rng([1997, T]))


test_set.__test__ = False  # a data set, not a test: pytest must not collect it


def score(params, readout, x, y, forget_gate=True):
    """(wrong, relative MSE): test sequences with |error| >= 0.04, and the test MSE
    divided by the variance of y (1 = no better than predicting the mean)."""
    y_hat = predict_last(x, params, readout, forget_gate)
    wrong = int(np.sum(np.abs(y_hat - y) >= TOL))
    return wrong, float(np.mean((y_hat - y) ** 2) / np.var(y))


def recipe_network(seed, hidden_size=16, forget_bias=3.0, input_bias=-3.0):
    """rng, LSTM params (D = 2 -> H) and readout (H -> 1), drawn from
    default_rng(seed) in this order; the same rng then draws every batch. None for a
    bias keeps torch's draw."""
    rng = np.random.default_rng(seed)
    params = init_lstm_params(2, hidden_size, rng, forget_bias, input_bias)
    return rng, params, init_linear_params(hidden_size, 1, rng)


def train_until_solved(T, rng, params, readout, max_updates, callback=None,
                       forget_gate=True, batch_size=32, lr=1e-2, max_norm=1.0,
                       check_every=50):
    """Train on the adding problem at length T until solved (at most `allowed_wrong(T)`
    of `test_set(T)` off by 0.04 or more, checked every `check_every` updates) or
    `max_updates` updates -> params, readout, losses, history.

    history: one row [update, wrong, relative MSE] per check. callback(n, loss, params,
    readout, grad_norm), e.g. a progress bar, is called after every update.
    """
    x_test, y_test = test_set(T)
    history = []

    def check(n, loss, params, readout, grad_norm):
        if callback is not None:
            callback(n, loss, params, readout, grad_norm)
        if n % check_every:
            return False  # go on
        wrong, relative = score(params, readout, x_test, y_test, forget_gate)
        history.append([n, wrong, relative])
        return wrong <= allowed_wrong(T)  # True stops training

    params, readout, losses = train_last_step(
        lambda g: adding_problem(batch_size, T, g), params, readout, max_updates, rng,
        lr=lr, max_norm=max_norm, forget_gate=forget_gate, callback=check)
    return params, readout, losses, history


def run(T, seed, forget_bias=3.0, input_bias=-3.0, forget_gate=True, budget=None,
        hidden_size=16, batch_size=32, lr=1e-2, max_norm=1.0, check_every=50,
        callback=None):
    """Train one LSTM on the adding problem until solved or out of budget.

    Returns a dict: the settings, "solved", "sequences" (training sequences until
    solved, None if not), and "history", one [sequences, wrong, relative MSE] per check.
    callback(n, loss, params, readout, grad_norm), if given, is called after every
    update (a progress bar, say); its return value is ignored.
    """
    budget = paper_budget(T) if budget is None else budget
    rng, params, readout = recipe_network(seed, hidden_size, forget_bias, input_bias)
    *_, checks = train_until_solved(T, rng, params, readout,
                                    math.ceil(budget / batch_size), callback,
                                    forget_gate, batch_size, lr, max_norm, check_every)
    history = [[n * batch_size, wrong, round(relative, 6)]
               for n, wrong, relative in checks]
    solved = bool(history) and history[-1][1] <= allowed_wrong(T)
    return {"T": T, "seed": seed, "forget_bias": forget_bias, "input_bias": input_bias,
            "forget_gate": forget_gate, "budget": budget, "solved": solved,
            "sequences": history[-1][0] if solved else None, "history": history}


def median_sequences(runs):
    """The median of the runs' sequences until solved, an unsolved run counting as
    infinity: a number, or None when the median run did not solve."""
    counts = sorted(r["sequences"] if r["solved"] else math.inf for r in runs)
    mid = len(counts) // 2
    median = counts[mid] if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2
    return None if math.isinf(median) else median


def describe(result, seconds):
    """One line per run, for the command line."""
    if result["solved"]:
        what = f"solved after {result['sequences']:,} sequences"
    else:
        what = f"not solved within {result['budget']:,} sequences"
    if not result["history"]:
        return f"seed {result['seed']}: {what} (no test: the budget ended before the " \
            f"first check, after {RECIPE['check_every']} updates; {seconds:.0f} s)"
    sequences, wrong, _ = result["history"][-1]
    return (f"seed {result['seed']}: {what} ({sequences // RECIPE['batch_size']:,} "
            f"updates; {wrong} of {N_TEST:,} test sequences wrong; {seconds:.0f} s)")


def store(name):
    """Run the stored sweep `name` ("grid" or "long") and write results/<name>.json."""
    runs = []
    for config in SWEEPS[name]:
        for seed in SEEDS:
            start = time.perf_counter()
            result = run(seed=seed, **config)
            print(f"{config}: {describe(result, time.perf_counter() - start)}",
                  flush=True)
            runs.append(result)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"adding1997_{name}.json"
    recipe = {k: v for k, v in RECIPE.items() if k not in ("forget_bias", "input_bias")}
    path.write_text(json.dumps({"recipe": recipe, "n_test": N_TEST, "tol": TOL,
                                "runs": runs}, indent=1) + "\n")
    print(f"wrote {path}")


def load(name):
    """The stored sweep `name` ("grid" or "long"): {"recipe", "n_test", "tol", "runs"}."""
    return json.loads((RESULTS / f"adding1997_{name}.json").read_text())


def runs_of(sweep, forget_bias=3.0, input_bias=-3.0, forget_gate=True, T=None):
    """The runs of a loaded sweep with these settings (and length T, if given), in
    the order stored (seed 0, 1, 2); None means torch's draw."""
    return [r for r in sweep["runs"] if r["forget_bias"] == forget_bias
            and r["input_bias"] == input_bias and r["forget_gate"] == forget_gate
            and (T is None or r["T"] == T)]


# --- What the distractors do to a cell: measurements at any point of training -------

SATURATED = 0.9  # |tanh(c)| > 0.9 counts as saturated: there tanh'(c) < 0.19
N_PROBE = 512  # sequences the measurements use: the first 512 of `test_set(T)`


def init_network(seed, forget_bias=3.0, input_bias=-3.0, hidden_size=16):
    """The initial weights of `run(T, seed, forget_bias, input_bias)`: (params,
    readout), as `recipe_network` draws them."""
    return recipe_network(seed, hidden_size, forget_bias, input_bias)[1:]


def marked_steps(x):
    """The two marked steps of every sequence of x (T, B, 2): (first, second), each
    (B,), 0-based; the first holds X1, the second X2."""
    marked = x[:, :, 1] == 1.0  # (T, B)
    first = np.argmax(marked, axis=0)
    second = x.shape[0] - 1 - np.argmax(marked[::-1], axis=0)
    return first, second


def value_tangent(x, params, steps, forget_gate=True, cache=None):
    """How the states depend on one input value, in forward mode.

    x (T, B, D); steps (B,): the step whose value x[steps[b], b, 0] is varied in
    sequence b. Returns dc, dh (T, B, H): dc[t, b] = d c_{t+1}[b] / d x[steps[b], b, 0]
    (zero before that step), and the same for h. The derivative of every line of
    `lstm_step` is carried along the sequence beside the states; `cache`, from
    `lstm_forward` on the same x, saves running the layer again.
    """
    T, B, D = x.shape
    H = params["weight_hh"].shape[1]
    if cache is None:
        zeros = np.zeros((B, H))
        cache = lstm_forward(x, zeros, zeros, params, forget_gate)[2]
    dh_t, dc_t = np.zeros((B, H)), np.zeros((B, H))
    dc, dh = np.zeros((T, B, H)), np.zeros((T, B, H))
    for t, s in enumerate(cache["steps"]):
        dx_t = np.zeros((B, D))
        dx_t[steps == t, 0] = 1.0  # the varied input
        dz = dx_t @ params["weight_ih"].T + dh_t @ params["weight_hh"].T  # (B, 4H)
        dz_i, dz_f, dz_g, dz_o = np.split(dz, 4, axis=1)
        i, f, g, o, tanh_c = (s[k] for k in ("i", "f", "g", "o", "tanh_c"))
        # f (1 - f) = 0 in the 1997 cell, where f = 1
        di, df = i * (1 - i) * dz_i, f * (1 - f) * dz_f
        dg, do = (1 - g ** 2) * dz_g, o * (1 - o) * dz_o
        dc_t = f * dc_t + df * s["c_prev"] + di * g + i * dg  # c_t = f c + i g
        dh_t = do * tanh_c + o * (1 - tanh_c ** 2) * dc_t  # h_t = o tanh(c_t)
        dc[t], dh[t] = dc_t, dh_t
    return dc, dh


def cell_measures(x, params, readout, forget_gate=True):
    """What the inputs do to the cells of an LSTM, on adding sequences x (T, B, 2).

    Returns a dict:
      "c_rms" (T,): the RMS of c_t over sequences and units, step by step;
      "x1_trace" (T - 9,): the RMS of dc_{t1+k} / dX1 over sequences and units,
          k = 0, 1, ... steps after the first mark t1: how much of X1 is left;
      "i_marked", "i_other": the mean input gate on the marked steps, on the others;
      "f": the mean forget gate;
      "drift", "spread": c_T split into the part every sequence shares and the part
          that differs: the RMS over units of its mean and of its standard deviation
          over sequences (drift^2 + spread^2 = c_rms[-1]^2);
      "saturated": the fraction of cells (sequence, unit) with |tanh(c_T)| > 0.9;
      "slope": the mean of tanh'(c_T) = 1 - tanh(c_T)^2;
      "x1_share", "x2_share": the share of c_T's spread over sequences that X1 (X2)
          accounts for, to first order: mean((dc_T/dX1 X1)^2) / mean(Var(c_T));
      "grad_x1", "grad_last": the medians over sequences of |d y_hat / d X1| and of
          |d y_hat / d x_T[0]| (the value at the last step), from `lstm_backward`.
    """
    T, B, _ = x.shape
    H = params["weight_hh"].shape[1]
    zeros = np.zeros((B, H))
    h, c, cache = lstm_forward(x, zeros, zeros, params, forget_gate)
    first, second = marked_steps(x)
    batch = np.arange(B)
    gate = {k: np.stack([s[k] for s in cache["steps"]]) for k in "if"}  # (T, B, H)
    marked = x[:, :, 1] == 1.0  # (T, B)
    variance = np.mean(np.var(c[-1], axis=0))  # Var over sequences, mean over units
    shares, trace = {}, None
    for name, steps in (("x1", first), ("x2", second)):
        dc, _ = value_tangent(x, params, steps, forget_gate, cache)
        part = dc[-1] * x[steps, batch, 0][:, None]  # (B, H): X's part of c_T
        shares[name] = float(np.mean(part ** 2) / variance)
        if name == "x1":
            after = np.stack([dc[first + k, batch] for k in range(T - 9)])
            trace = np.sqrt(np.mean(after ** 2, axis=(1, 2)))
    dh = np.zeros_like(h)
    dh[-1] = readout["weight"]  # (1, H): d y_hat / d h_T, the same for every sequence
    dx = lstm_backward(dh, cache)[0]  # (T, B, 2): d y_hat / d x_t
    tanh_T = np.tanh(c[-1])
    return {"c_rms": np.sqrt(np.mean(c ** 2, axis=(1, 2))), "x1_trace": trace,
            "i_marked": float(gate["i"][marked].mean()),
            "i_other": float(gate["i"][~marked].mean()), "f": float(gate["f"].mean()),
            "drift": float(np.sqrt(np.mean(c[-1].mean(axis=0) ** 2))),
            "spread": float(np.sqrt(variance)),
            "saturated": float(np.mean(np.abs(tanh_T) > SATURATED)),
            "slope": float(np.mean(1 - tanh_T ** 2)),
            "x1_share": shares["x1"], "x2_share": shares["x2"],
            "grad_x1": float(np.median(np.abs(dx[first, batch, 0]))),
            "grad_last": float(np.median(np.abs(dx[-1, :, 0])))}


def integer_at_least(low, name="", why=""):
    """An argparse type: an integer of at least `low`; `name` and `why` go into the
    error message."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name}must be an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(
                f"{name}must be at least {low}{why}, got {value}")
        return value
    return parse


# --T: the first marked step lies among the first ten; --seeds, --budget: positive.
length = integer_at_least(10, "T ", " (the first marked step lies among the first ten "
                                    "steps)")
positive = integer_at_least(1)


def bias(text):
    """argparse type for a gate bias: a number, or "draw" for torch's random draw."""
    if text == "draw":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number or 'draw', got {text!r}") from None


def bias_text(value):
    """A gate bias for the command line's header: the number, or "draw"."""
    return "draw" if value is None else f"{value:g}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_book.experiments.adding1997",
        description="Train lstm_lib's LSTM on the 1997 adding problem until solved "
                    "(at most the paper's count of 2,560 test sequences with "
                    "|error| >= 0.04) and print the training sequences it took.")
    parser.add_argument("--T", type=length, default=100, help="sequence length (>= 10)")
    parser.add_argument("--seeds", type=positive, default=3,
                        help="runs, with seeds 0, 1, ... (default 3)")
    parser.add_argument("--budget", type=positive, default=None,
                        help="training sequences per run (default: the paper's count "
                             "at T, or 160,000)")
    parser.add_argument("--forget-bias", type=bias, default=RECIPE["forget_bias"],
                        help="initial forget-gate bias, or 'draw' (default 3)")
    parser.add_argument("--input-bias", type=bias, default=RECIPE["input_bias"],
                        help="initial input-gate bias, or 'draw' (default -3)")
    parser.add_argument("--no-forget-gate", action="store_true",
                        help="the 1997 cell: no forget gate (f = 1)")
    parser.add_argument("--store", choices=sorted(SWEEPS),
                        help="run a stored sweep and write its results file")
    args = parser.parse_args(argv)
    if args.store:
        store(args.store)
        return 0
    budget = paper_budget(args.T) if args.budget is None else args.budget
    forget = "no forget gate (f = 1)" if args.no_forget_gate else \
        f"forget bias {bias_text(args.forget_bias)}"
    print(f"adding problem, T = {args.T}: LSTM H = {RECIPE['hidden_size']}, batch "
          f"{RECIPE['batch_size']}, Adam {RECIPE['lr']}, clip {RECIPE['max_norm']}, "
          f"{forget}, input bias {bias_text(args.input_bias)}; solved = at most "
          f"{allowed_wrong(args.T)} of {N_TEST:,} test sequences with |error| >= {TOL}",
          flush=True)
    runs = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        result = run(args.T, seed, args.forget_bias, args.input_bias,
                     not args.no_forget_gate, budget)
        print(describe(result, time.perf_counter() - start), flush=True)
        runs.append(result)
    median = median_sequences(runs)
    if median is None:
        print(f"not solved within {budget} sequences")
    else:
        print(f"median sequences to solve: {median:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

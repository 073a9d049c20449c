"""The adding problem of Hochreiter & Schmidhuber (1997), Experiment 4, trained with
`lstm_lib` (numpy only, no torch). Chapter "The 1997 experiments, reproduced".

A run trains one LSTM with a linear readout on h_T (`lstm_lib.train.train_last_step`)
on fresh batches of `lstm_lib.tasks.adding_problem`, and every `check_every` updates
scores it on 2,560 fixed test sequences. It counts as solved, as in the paper's Table 7,
when at most the paper's number of test sequences (1 at T = 100 and 1000, 0 at T = 500)
has an absolute error of 0.04 or more. The number reported is the count of training
sequences seen until then.

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
from lstm_lib.lstm import init_lstm_params
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
# False is the 1997 cell, f = 1) and the recipe at T = 500, three seeds each.
SWEEPS = {
    "grid": [{"T": 100, "forget_bias": fb, "input_bias": ib, "forget_gate": fg}
             for fb, fg in ((None, True), (1.0, True), (3.0, True), (None, False))
             for ib in (None, -3.0, -6.0)],
    "long": [{"T": 500, "forget_bias": 3.0, "input_bias": -3.0, "forget_gate": True}],
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


def score(params, readout, x, y, forget_gate=True):
    """(wrong, relative MSE): test sequences with |error| >= 0.04, and the test MSE
    divided by the variance of y (1 = no better than predicting the mean)."""
    y_hat = predict_last(x, params, readout, forget_gate)
    wrong = int(np.sum(np.abs(y_hat - y) >= TOL))
    return wrong, float(np.mean((y_hat - y) ** 2) / np.var(y))


def run(T, seed, forget_bias=3.0, input_bias=-3.0, forget_gate=True, budget=None,
        hidden_size=16, batch_size=32, lr=1e-2, max_norm=1.0, check_every=50,
        callback=None):
    """Train one LSTM on the adding problem until solved or out of budget.

    Returns a dict: the settings, "solved", "sequences" (training sequences until
    solved, None if not), and "history", one [sequences, wrong, relative MSE] per check.
    callback(n, loss, params, readout), if given, is called after every update (a
    progress bar, say); its return value is ignored.
    """
    budget = paper_budget(T) if budget is None else budget
    rng = np.random.default_rng(seed)  # initial weights, then every batch
    params = init_lstm_params(2, hidden_size, rng, forget_bias, input_bias)
    readout = init_linear_params(hidden_size, 1, rng)
    x_test, y_test = test_set(T)
    history = []

    def check(n, loss, params, readout):
        if callback is not None:
            callback(n, loss, params, readout)
        if n % check_every:
            return False
        wrong, relative = score(params, readout, x_test, y_test, forget_gate)
        history.append([n * batch_size, wrong, round(relative, 6)])
        return wrong <= allowed_wrong(T)

    train_last_step(lambda g: adding_problem(batch_size, T, g), params, readout,
                    math.ceil(budget / batch_size), rng, lr=lr, max_norm=max_norm,
                    forget_gate=forget_gate, callback=check)
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
    updates = result["history"][-1][0] // RECIPE["batch_size"] if result["history"] \
        else 0
    wrong = result["history"][-1][1] if result["history"] else N_TEST
    if result["solved"]:
        what = f"solved after {result['sequences']:,} sequences"
    else:
        what = f"not solved within {result['budget']:,} sequences"
    return (f"seed {result['seed']}: {what} ({updates:,} updates; {wrong} of "
            f"{N_TEST:,} test sequences wrong; {seconds:.0f} s)")


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


def length(text):
    """argparse type for --T: an integer of at least 10."""
    try:
        T = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"T must be an integer, got {text!r}") from None
    if T < 10:
        raise argparse.ArgumentTypeError(
            f"T must be at least 10 (the first marked step lies among the first ten "
            f"steps), got {T}")
    return T


def positive(text):
    """argparse type for --seeds and --budget: a positive integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def bias(text):
    """argparse type for a gate bias: a number, or "draw" for torch's random draw."""
    if text == "draw":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number or 'draw', got {text!r}") from None


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
    print(f"adding problem, T = {args.T}: LSTM H = {RECIPE['hidden_size']}, batch "
          f"{RECIPE['batch_size']}, Adam {RECIPE['lr']}, clip {RECIPE['max_norm']}, "
          f"forget bias {args.forget_bias}, input bias {args.input_bias}"
          f"{', no forget gate' if args.no_forget_gate else ''}; solved = at most "
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

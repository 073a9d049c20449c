"""The temporal-order sweep of the chapter "When RNNs forget".

The vanilla RNN of the chapter learns the temporal-order task of Hochreiter & Schmidhuber
(1997, Experiment 6a) at several lengths T, from several seeds, with the protocol of the
chapter's adding-problem sweep: H = 32, batch 32, 1000 Adam updates at lr 0.005, clipping
at norm 1, seed s drawing the initial weights and then every batch
(`lstm_lib.train.train_last_step` with `softmax_cross_entropy`), and 1000 test sequences
per length from default_rng(100 + T). The chapter trains a few of these runs live and
loads the rest from results/forgetting_order.json.

    python -m lstm_book.experiments.forgetting --store       # the whole sweep -> JSON
    python -m lstm_book.experiments.forgetting --T 40 --seed 3
"""
import argparse
import json
import pathlib
import sys
import time
from functools import partial

import numpy as np

from lstm_lib.layers import init_linear_params, softmax_cross_entropy
from lstm_lib.rnn import init_rnn_params
from lstm_lib.tasks import TEMPORAL_ORDER_CLASSES, TEMPORAL_ORDER_SYMBOLS, temporal_order
from lstm_lib.train import predict_last, train_last_step

PROTOCOL = {"hidden_size": 32, "batch_size": 32, "lr": 0.005, "max_norm": 1.0,
            "n_updates": 1000, "n_test": 1000}
LENGTHS = (20, 30, 40, 50, 60, 80)
SEEDS = tuple(range(10))
CHANCE = 1 / len(TEMPORAL_ORDER_CLASSES)  # guessing the class: 0.25
ONE_SYMBOL = 0.5  # knowing one of the two symbols and guessing the other
RESULTS = pathlib.Path(__file__).parent / "results"
PATH = RESULTS / "forgetting_order.json"


def check_T(T):
    """T as an int, or a ValueError unless it is a whole number >= 20 (the task's
    shortest length)."""
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 20:
        raise ValueError(f"T must be an integer >= 20 for the temporal-order task, got {T!r}")
    return int(T)


def held_out_set(T):
    """The test sequences of length T, the same for every run: x (T, 1000, 8), y (1000,)."""
    return temporal_order(PROTOCOL["n_test"], check_T(T), np.random.default_rng(100 + T))


def order_scores(logits, y):
    """{"accuracy", "first", "second"} of logits (N, 4) on classes y (N,).

    accuracy: the fraction of sequences whose class has the largest logit. first,
    second: the fraction whose first (second) hidden symbol the predicted class names
    right; the class is 2 * first + second (XX, XY, YX, YY).
    """
    predicted, y = np.asarray(logits).argmax(axis=1), np.asarray(y)
    return {"accuracy": float(np.mean(predicted == y)),
            "first": float(np.mean(predicted // 2 == y // 2)),
            "second": float(np.mean(predicted % 2 == y % 2))}


def run(T, seed, n_updates=None):
    """Train the RNN on the temporal-order task at length T from `seed`; its test scores.

    Returns {"T", "seed", "accuracy", "first", "second"} (see `order_scores`).
    n_updates: the protocol's 1000 unless given (a short run for a test).
    """
    T = check_T(T)
    n_updates = PROTOCOL["n_updates"] if n_updates is None else n_updates
    H, B = PROTOCOL["hidden_size"], PROTOCOL["batch_size"]
    rng = np.random.default_rng(seed)  # initial weights, then every batch
    params = init_rnn_params(len(TEMPORAL_ORDER_SYMBOLS), H, rng)
    readout = init_linear_params(H, len(TEMPORAL_ORDER_CLASSES), rng)
    params, readout, _ = train_last_step(
        partial(temporal_order, B, T), params, readout, n_updates, rng,
        lr=PROTOCOL["lr"], max_norm=PROTOCOL["max_norm"], loss_fn=softmax_cross_entropy)
    x_test, y_test = held_out_set(T)
    return {"T": T, "seed": seed, **order_scores(predict_last(x_test, params, readout), y_test)}


def describe(result, seconds=None):
    """One line for a run: its accuracy, and how often it names each symbol right."""
    return (f"T = {result['T']:3d} seed {result['seed']}: accuracy {result['accuracy']:.3f} "
            f"(first symbol {result['first']:.3f}, second {result['second']:.3f})"
            + ("" if seconds is None else f" ({seconds:.0f} s)"))


def store(path=PATH):
    """Run the whole sweep and write it to `path` (default results/forgetting_order.json)."""
    runs, start = [], time.perf_counter()
    for T in LENGTHS:
        for seed in SEEDS:
            begin = time.perf_counter()
            runs.append(run(T, seed))
            print(describe(runs[-1], time.perf_counter() - begin), flush=True)
    pathlib.Path(path).parent.mkdir(exist_ok=True)
    pathlib.Path(path).write_text(json.dumps(
        {"protocol": PROTOCOL, "lengths": LENGTHS, "seeds": SEEDS, "chance": CHANCE,
         "seconds": round(time.perf_counter() - start), "runs": runs}, indent=1) + "\n")
    print(f"wrote {path} ({time.perf_counter() - start:.0f} s)")


def load(path=PATH):
    """The stored sweep: {"protocol", "lengths", "seeds", "chance", "runs", ...}."""
    return json.loads(pathlib.Path(path).read_text())


def table(runs, key="accuracy"):
    """(Ts, seeds, values): the sorted lengths and seeds of the runs, and values
    (n_T, n_seeds) of each run's `key` ("accuracy", "first" or "second"), NaN where a
    run is missing."""
    Ts, seeds = sorted({r["T"] for r in runs}), sorted({r["seed"] for r in runs})
    values = np.full((len(Ts), len(seeds)), np.nan)
    for r in runs:
        values[Ts.index(r["T"]), seeds.index(r["seed"])] = r[key]
    return Ts, seeds, values


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_book.experiments.forgetting",
        description="Train the vanilla RNN on the temporal-order task and print (or "
                    "store) its test scores.")
    parser.add_argument("--store", action="store_true",
                        help=f"run the whole sweep and write {PATH.name}")
    parser.add_argument("--T", type=int, default=40, help="sequence length (>= 20)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.store:
        store()
        return 0
    try:
        check_T(args.T)
    except ValueError as exc:
        parser.error(str(exc))
    start = time.perf_counter()
    print(describe(run(args.T, args.seed), time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The long-lag tasks of Part II, with the LSTM beside the RNN. Chapter "The RNN's tasks,
again".

Three tasks of Hochreiter & Schmidhuber (1997), at length T: the adding problem (a
number, scored by the fraction of test sequences with |error| < 0.04), recall-first
(the first of T symbols, V = 4, scored by accuracy) and the temporal-order task (4
classes, accuracy, T >= 20). Three networks: the vanilla RNN, the LSTM at torch's
initialisation, and the LSTM with its forget-gate bias set to 1 (Gers et al. 2000,
Jozefowicz et al. 2015). Every run follows the protocol of "When RNNs forget": H = 32,
batch 32, 1000 Adam updates at lr 0.005, clipping at norm 1, seed s drawing the initial
weights and then every batch, 1000 test sequences per length from
default_rng(100 + T).

    python -m lstm_book.experiments.long_lags --store       # the whole sweep -> JSON
    python -m lstm_book.experiments.long_lags --task adding --net lstm --T 50 --seed 0
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np

from lstm_lib.layers import init_linear_params, mse_loss, softmax_cross_entropy
from lstm_lib.lstm import init_lstm_params, lstm_forward
from lstm_lib.rnn import init_rnn_params
from lstm_lib.tasks import (
    TEMPORAL_ORDER_CLASSES,
    TEMPORAL_ORDER_SYMBOLS,
    adding_problem,
    recall_first,
    temporal_order,
)
from lstm_lib.train import predict_last, train_last_step

from .forgetting import table as run_table

PROTOCOL = {"hidden_size": 32, "batch_size": 32, "lr": 0.005, "max_norm": 1.0,
            "n_updates": 1000, "n_test": 1000}
SUCCESS_TOL = 0.04  # adding: a test sequence is solved when |y_hat - y| < 0.04
N_SYMBOLS = 4  # recall-first: V symbols
TASKS = ("adding", "recall", "order")
TASK_NAMES = {"adding": "adding problem", "recall": "recall the first symbol",
              "order": "temporal order"}
NETS = ("rnn", "lstm", "lstm_fb1")
NET_NAMES = {"rnn": "RNN", "lstm": "LSTM", "lstm_fb1": "LSTM, forget bias 1"}
LENGTHS = {"adding": (10, 20, 30, 50, 100), "recall": (10, 20, 30, 50, 100),
           "order": (20, 30, 50, 70, 100)}
SEEDS = (0, 1, 2)
BLOCK = 50  # the stored loss curve: the mean loss of each block of 50 updates
N_GATE = 200  # test sequences on which a trained LSTM's forget gates are measured
RESULTS = pathlib.Path(__file__).parent / "results"
PATH = RESULTS / "long_lags.json"


def check_config(task, net=None, T=None):
    """Raise a ValueError unless task, net and T name a configuration of the sweep's
    kind (T: any integer >= 10, >= 20 for the temporal-order task)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if net is not None and net not in NETS:
        raise ValueError(f"net must be one of {NETS}, got {net!r}")
    shortest = 20 if task == "order" else 10
    if T is not None and (isinstance(T, bool) or not isinstance(T, (int, np.integer))
                          or T < shortest):
        raise ValueError(f"T must be an integer >= {shortest} for the {task} task, "
                         f"got {T!r}")


def sizes(task):
    """(D, O): the input size and the readout's output size of a task."""
    check_config(task)
    return {"adding": (2, 1), "recall": (N_SYMBOLS, N_SYMBOLS),
            "order": (len(TEMPORAL_ORDER_SYMBOLS), len(TEMPORAL_ORDER_CLASSES))}[task]


def make_batch(task, batch_size, T, rng):
    """A batch of `task` at length T: x (T, B, D) and y, (B, 1) targets for the adding
    problem, (B,) class indices for the other two (recall-first at lag T - 1)."""
    check_config(task, T=T)
    if task == "adding":
        return adding_problem(batch_size, T, rng)
    if task == "recall":
        return recall_first(batch_size, T - 1, N_SYMBOLS, rng)
    return temporal_order(batch_size, T, rng)


def held_out_set(task, T):
    """The 1000 test sequences of `task` at length T, the same for every run:
    x (T, 1000, D), y."""
    return make_batch(task, PROTOCOL["n_test"], T, np.random.default_rng(100 + T))


def loss_function(task):
    """mse_loss for the adding problem, softmax_cross_entropy for the class tasks."""
    check_config(task)
    return mse_loss if task == "adding" else softmax_cross_entropy


def init_net(net, D, H, rng):
    """Initial parameters of `net`: "rnn", "lstm" (torch's draw) or "lstm_fb1" (torch's
    draw, then the forget gate's bias set to 1)."""
    check_config("adding", net)
    if net == "rnn":
        return init_rnn_params(D, H, rng)
    return init_lstm_params(D, H, rng, forget_bias=1.0 if net == "lstm_fb1" else None)


def baseline(task, y):
    """What a network without memory scores on test targets y: the constant 0.5's
    success rate for the adding problem, chance (1 / classes) for the others."""
    check_config(task)
    if task == "adding":
        return float(np.mean(np.abs(0.5 - np.asarray(y)) < SUCCESS_TOL))
    return 1.0 / sizes(task)[1]


def score(task, y_hat, y):
    """The test scores of predictions y_hat on targets y: {"success", "error"}.

    success: the fraction of sequences with |error| < 0.04 (adding), or the accuracy
    of the largest logit (classes). error: the MSE divided by the variance of y
    (adding; 1 = no better than a constant), or the mean cross-entropy (classes;
    ln 4 = 1.386 for a uniform guess).
    """
    y_hat = np.asarray(y_hat, dtype=float)
    if task == "adding":
        return {"success": float(np.mean(np.abs(y_hat - y) < SUCCESS_TOL)),
                "error": float(np.mean((y_hat - y) ** 2) / np.var(y))}
    check_config(task)
    return {"success": float(np.mean(y_hat.argmax(axis=1) == y)),
            "error": softmax_cross_entropy(y_hat, y)[0]}


def forget_gates(params, x):
    """A trained LSTM's forget gates on sequences x (T, N, D): (mean, keep).

    mean: f_t averaged over steps, sequences and units. keep: for the unit that keeps
    most, the part of c_1 still in c_T when nothing is written, the product of f_t over
    t = 2..T, averaged over the sequences.
    """
    zeros = np.zeros((x.shape[1], params["weight_hh"].shape[1]))
    cache = lstm_forward(x, zeros, zeros, params)[2]
    f = np.array([step["f"] for step in cache["steps"]])  # (T, N, H)
    keep = np.prod(f[1:], axis=0).mean(axis=0)  # (H,)
    return float(f.mean()), float(keep.max())


def block_means(losses, block=BLOCK):
    """The mean loss of each block of `block` updates (a last partial block too)."""
    losses = np.asarray(losses, dtype=float)
    return [float(losses[k:k + block].mean()) for k in range(0, len(losses), block)]


def run(task, net, T, seed, callback=None, n_updates=None):
    """Train `net` on `task` at length T from seed `seed` and score it on the test set.

    Returns a dict: the configuration, "success" and "error" (see `score`),
    "losses" (the mean training loss per block of 50 updates), and, for an LSTM,
    "forget_mean" and "forget_keep" (see `forget_gates`), after training and at the
    start ("forget_mean_init"). callback(n, loss, params, readout) goes to
    `train_last_step` (a progress bar, say). n_updates: the protocol's 1000 unless
    given (a short run for a test).
    """
    check_config(task, net, T)
    n_updates = PROTOCOL["n_updates"] if n_updates is None else n_updates
    H, B = PROTOCOL["hidden_size"], PROTOCOL["batch_size"]
    D, O = sizes(task)
    rng = np.random.default_rng(seed)  # initial weights, then every batch
    params = init_net(net, D, H, rng)
    readout = init_linear_params(H, O, rng)
    x_test, y_test = held_out_set(task, T)
    result = {"task": task, "net": net, "T": T, "seed": seed}
    if net != "rnn":
        result["forget_mean_init"] = round(forget_gates(params, x_test[:, :N_GATE])[0], 6)
    params, readout, losses = train_last_step(
        lambda g: make_batch(task, B, T, g), params, readout, n_updates, rng,
        lr=PROTOCOL["lr"], max_norm=PROTOCOL["max_norm"],
        loss_fn=loss_function(task), callback=callback)
    scores = score(task, predict_last(x_test, params, readout), y_test)
    result |= {"success": scores["success"], "error": round(scores["error"], 6),
               "losses": [round(v, 6) for v in block_means(losses)]}
    if net != "rnn":
        mean, keep = forget_gates(params, x_test[:, :N_GATE])
        result |= {"forget_mean": round(mean, 6), "forget_keep": float(f"{keep:.4g}")}
    return result


def configurations():
    """Every (task, net, T, seed) of the stored sweep, cheapest first within a task."""
    return [(task, net, T, seed) for task in TASKS for T in LENGTHS[task]
            for net in NETS for seed in SEEDS]


def describe(result, seconds=None):
    """One line for a run, what it scored (and, for an LSTM, a second: its forget gates)."""
    what = "success" if result["task"] == "adding" else "accuracy"
    error = "relative MSE" if result["task"] == "adding" else "cross-entropy"
    line = (f"{result['task']:6s} {result['net']:8s} T = {result['T']:3d} seed "
            f"{result['seed']}: {what} {result['success']:.3f}, {error} "
            f"{result['error']:.3f}")
    if "forget_mean" in result:  # a second line: the first stays within 80 characters
        line += (f"\n    forget gate {result['forget_mean_init']:.2f} -> "
                 f"{result['forget_mean']:.2f}, keep {result['forget_keep']:.1e}")
    return line + ("" if seconds is None else f" ({seconds:.0f} s)")


def store(path=PATH):
    """Run the whole sweep and write it to `path` (default results/long_lags.json)."""
    runs, start = [], time.perf_counter()
    for config in configurations():
        begin = time.perf_counter()
        runs.append(run(*config))
        print(describe(runs[-1], time.perf_counter() - begin), flush=True)
    baselines = {task: {str(T): baseline(task, held_out_set(task, T)[1])
                        for T in LENGTHS[task]} for task in TASKS}
    pathlib.Path(path).parent.mkdir(exist_ok=True)
    pathlib.Path(path).write_text(json.dumps(
        {"protocol": PROTOCOL, "success_tol": SUCCESS_TOL, "n_symbols": N_SYMBOLS,
         "block": BLOCK, "lengths": LENGTHS, "seeds": SEEDS, "baselines": baselines,
         "seconds": round(time.perf_counter() - start), "runs": runs}, indent=1) + "\n")
    print(f"wrote {path} ({time.perf_counter() - start:.0f} s)")


def load(path=PATH):
    """The stored sweep: {"protocol", "lengths", "seeds", "baselines", "runs", ...}."""
    return json.loads(pathlib.Path(path).read_text())


def find(runs, task, net, T, seed):
    """The stored run of one configuration (a ValueError if the sweep has none)."""
    for r in runs:
        if (r["task"], r["net"], r["T"], r["seed"]) == (task, net, T, seed):
            return r
    raise ValueError(f"the sweep has no run {task}, {net}, T = {T}, seed {seed}")


def success_table(runs, task, net, key="success"):
    """(Ts, table): the lengths of `task` in the runs, sorted, and table (n_T, n_seeds)
    of each run's `key` ("success" or "error"), seeds in increasing order."""
    chosen = [r for r in runs if r["task"] == task and r["net"] == net]
    Ts, _, table = run_table(chosen, key)
    return Ts, table


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_book.experiments.long_lags",
        description="Train the RNN and the LSTM on the long-lag tasks of Part II with "
                    "one protocol and print (or store) their test scores.")
    parser.add_argument("--store", action="store_true",
                        help=f"run the whole sweep and write {PATH.name}")
    parser.add_argument("--task", choices=TASKS, default="adding")
    parser.add_argument("--net", choices=NETS, default="lstm")
    parser.add_argument("--T", type=int, default=50, help="sequence length")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.store:
        store()
        return 0
    try:
        check_config(args.task, args.net, args.T)
    except ValueError as exc:
        parser.error(str(exc))
    start = time.perf_counter()
    result = run(args.task, args.net, args.T, args.seed)
    print(describe(result, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The experiments of the chapter "Training an LSTM".

`train_adding` trains the recipe's LSTM of `lstm_book.experiments.adding1997` on the
adding problem until the test criterion is met (`train_until_solved` there);
`train_recording` keeps, through the loop's callback, the global gradient norm of every
update (before clipping). The chapter "What training did to the gates" trains its
network with `train_adding` too.

The learning-rate and clipping sweep the slider exercise reads is too long for the
chapter's budget; it is stored in results/training_sweep.json:

    python -m lstm_book.experiments.training --store
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np

from lstm_book.diagrams import COLORS, arrow, box, label, setup_axes
from lstm_book.experiments import adding1997
from lstm_book.experiments.adding1997 import (
    RECIPE,
    allowed_wrong,
    recipe_network,
    score,
    train_until_solved,
)
from lstm_lib.tasks import adding_problem
from lstm_lib.train import train_last_step

RESULTS = pathlib.Path(__file__).parent / "results"
BACKWARD = "#cc3311"  # the colour of the gradients in the picture


def draw_training(ax):
    """The picture of one update: the LSTM unrolled over T steps, the readout on h_T and
    the loss (forward, solid), and the gradient's way back (red, dashed), then the
    clipping and Adam's step. Returns the texts drawn."""
    texts = []
    xs = [0.0, 2.2, 4.4, 6.6]  # the copies of the cell: steps 1, 2, ..., T
    names = ["1", "2", None, "T"]
    for x, name in zip(xs, names):
        if name is None:
            texts.append(label(ax, (x, 0.0), "$\\cdots$", fontsize=16))
            continue
        texts.append(box(ax, (x, 0.0), "LSTM", width=1.3, height=0.8, fontsize=10)[1])
        arrow(ax, (x, -1.2), (x, -0.4), color=COLORS["input"])
        texts.append(label(ax, (x, -1.45), f"$x_{{{name}}}$", color=COLORS["input"]))
    for a, b in zip(xs[:-1], xs[1:]):  # (h, c) passes on; zero states enter step 1
        arrow(ax, (a + 0.65, 0.0), (b - (0.65 if b != xs[2] else 0.35), 0.0))
    arrow(ax, (xs[2] + 0.35, 0.0), (xs[3] - 0.65, 0.0))
    texts.append(label(ax, (-1.25, 0.0), "$h_0 = c_0 = 0$", fontsize=9, ha="right"))
    arrow(ax, (-1.2, 0.0), (-0.65, 0.0))
    # the readout and the loss, above the last step
    arrow(ax, (xs[3], 0.4), (xs[3], 1.3), color=COLORS["output"])
    texts.append(label(ax, (xs[3] - 0.15, 0.85), "$h_T$", color=COLORS["output"],
                       ha="right", fontsize=11))
    texts.append(box(ax, (xs[3], 1.75), "readout\n$\\hat y = h_T W^\\top + b$",
                     width=2.1, height=0.9, fontsize=9, color="#eeeeee")[1])
    arrow(ax, (xs[3] + 1.05, 1.75), (xs[3] + 1.9, 1.75), color=COLORS["output"])
    texts.append(box(ax, (xs[3] + 2.8, 1.75), "loss\n$(\\hat y - y)^2$", width=1.6,
                     height=0.9, fontsize=9, color="#eeeeee")[1])
    # the way back: loss -> readout -> h_T -> every step, in red
    arrow(ax, (xs[3] + 1.9, 2.05), (xs[3] + 1.05, 2.05), color=BACKWARD, linestyle="--")
    texts.append(label(ax, (xs[3] + 1.5, 2.45), "$\\partial L/\\partial \\hat y$",
                       color=BACKWARD, fontsize=9))
    arrow(ax, (xs[3] + 0.35, 1.3), (xs[3] + 0.35, 0.4), color=BACKWARD, linestyle="--")
    texts.append(label(ax, (xs[3] + 0.45, 0.85), "$\\partial L/\\partial h_T$",
                       color=BACKWARD, fontsize=9, ha="left"))
    arrow(ax, (xs[3] - 0.5, 0.6), (xs[0] + 0.5, 0.6), color=BACKWARD, linestyle="--")
    texts.append(label(ax, ((xs[0] + xs[3]) / 2 - 0.4, 0.9),
                       "lstm_backward: back through every step", color=BACKWARD,
                       fontsize=9))
    texts.append(label(ax, (xs[3] + 2.8, -0.25),
                       "all six gradients:\nclip to norm $\\leq$ max_norm,\n"
                       "then Adam's step", color=BACKWARD, fontsize=9))
    setup_axes(ax, [(-2.9, -1.8), (xs[3] + 3.7, 2.7)])
    return texts


def train_adding(T, seed, max_updates, callback=None, lr=RECIPE["lr"],
                 max_norm=RECIPE["max_norm"], check_every=RECIPE["check_every"],
                 **init):
    """The recipe's network at `seed` (`recipe_network`; init: hidden_size,
    forget_bias, input_bias), trained by `train_until_solved` -> params, readout,
    losses, history (an array, one row [update, wrong, relative MSE] per check)."""
    rng, params, readout = recipe_network(seed, **init)
    params, readout, losses, history = train_until_solved(
        T, rng, params, readout, max_updates, callback, lr=lr, max_norm=max_norm,
        check_every=check_every)
    return params, readout, losses, np.array(history)


def train_recording(make_batch, params, readout, n_updates, rng, lr, max_norm,
                    callback=None):
    """`train_last_step` (an LSTM, the MSE loss) that also keeps the global gradient
    norm of every update before clipping -> params, readout, losses, norms.

    The loop hands that norm to its callback; `record` keeps it, then calls `callback`
    (if any), whose True stops training. norms (n,): what `clip_grad_norm` saw.
    """
    norms = []

    def record(n, loss, params, readout, grad_norm):
        norms.append(grad_norm)
        return callback is not None and callback(n, loss, params, readout, grad_norm)

    params, readout, losses = train_last_step(make_batch, params, readout, n_updates,
                                              rng, lr=lr, max_norm=max_norm,
                                              callback=record)
    return params, readout, losses, np.array(norms)


# --- the stored sweep: learning rates and clipping ---------------------------------------

SWEEP_T = 100
SWEEP_LRS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
SWEEP_CLIPS = (0.1, 1.0, None)  # None: no clipping (a max_norm so large it never acts)
SWEEP_SEEDS = (0, 1, 2)
SWEEP_UPDATES = 1500  # 48,000 sequences of 100 steps
NO_CLIP = 1e12
BLOCK = 25  # losses are stored as means over blocks of this many updates


def sweep_run(lr, clip, seed, T=SWEEP_T, n_updates=SWEEP_UPDATES):
    """One run of the sweep: the recipe's network at `seed`, trained for n_updates
    (no early stop) with learning rate lr and clipping at `clip` (None: none).

    Returns a dict: the settings; "losses", the mean loss of each block of 25 updates;
    "norms", the largest gradient norm of each block; "clipped", how many updates had a
    norm above `clip`; "above_1", how many above 1; "largest_norm"; "checks", one
    [update, wrong, relative MSE] per test, every 50 updates; "solved_at", the first
    checked update that met the criterion (or None).
    """
    rng, params, readout = recipe_network(seed)
    x_test, y_test = adding1997.test_set(T)
    checks = []

    def check(n, loss, params, readout, grad_norm):
        if n % RECIPE["check_every"] == 0:
            wrong, relative = score(params, readout, x_test, y_test)
            checks.append([n, wrong, round(relative, 6)])

    _, _, losses, norms = train_recording(
        lambda g: adding_problem(RECIPE["batch_size"], T, g), params, readout,
        n_updates, rng, lr, NO_CLIP if clip is None else clip, callback=check)
    solved = [n for n, wrong, _ in checks if wrong <= allowed_wrong(T)]
    return {"lr": lr, "clip": clip, "seed": seed, "T": T, "n_updates": n_updates,
            "losses": np.round(losses.reshape(-1, BLOCK).mean(axis=1), 7).tolist(),
            "norms": np.round(norms.reshape(-1, BLOCK).max(axis=1), 5).tolist(),
            "clipped": int(np.sum(norms > (NO_CLIP if clip is None else clip))),
            "above_1": int(np.sum(norms > 1.0)), "largest_norm": round(float(norms.max()), 5),
            "checks": checks, "solved_at": solved[0] if solved else None}


def store():
    """Run the sweep and write results/training_sweep.json."""
    runs = []
    for clip in SWEEP_CLIPS:
        for lr in SWEEP_LRS:
            for seed in SWEEP_SEEDS:
                start = time.perf_counter()
                run = sweep_run(lr, clip, seed)
                _, wrong, relative = run["checks"][-1]
                print(f"lr {lr:g}, clip {clip}, seed {seed}: {wrong} wrong, relative "
                      f"MSE {relative:.4f}, solved at update {run['solved_at']}, "
                      f"{run['clipped']} clipped, largest norm {run['largest_norm']} "
                      f"({time.perf_counter() - start:.0f} s)", flush=True)
                runs.append(run)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "training_sweep.json"
    path.write_text(json.dumps({"T": SWEEP_T, "block": BLOCK, "recipe": RECIPE,
                                "runs": runs}) + "\n")
    print(f"wrote {path}")


def load():
    """The stored sweep: {"T", "block", "recipe", "runs"}."""
    return json.loads((RESULTS / "training_sweep.json").read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lstm_book.experiments.training")
    parser.add_argument("--store", action="store_true",
                        help="run the learning-rate and clipping sweep, write its file")
    args = parser.parse_args(argv)
    if args.store:
        store()
    return 0


if __name__ == "__main__":
    sys.exit(main())

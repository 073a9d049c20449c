"""The measurements of the chapter "Batches of different lengths": how many step-rows a
data set of sequences of different lengths costs when it is cut into batches in
different ways, and what that costs in time.

A *step-row* is one sequence at one step: one row of the (B, 4H) matrix product that
`lstm_step` computes. A batch padded to T steps computes T * B of them, whatever its
lengths; the real ones number sum(lengths). `lstm_forward(..., lengths=)` still computes
every padded row (it masks the result), so a padded batch costs T * B rows; packing
(torch's PackedSequence) computes only the real ones.

Wall times depend on the machine and on what else it runs, so the chapter's words about
time rest on a stored measurement (`--store`, run on a quiet machine with one thread) and
the chapter re-times the same passes live for the reader without asserting on them:

    .venv/bin/python -m lstm_book.experiments.batches [--store] [--repeats 7]
"""
import argparse
import datetime
import gc
import json
import os
import pathlib
import platform
import time

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.torch_bridge import to_torch

N_SEQUENCES = 512  # the data set of the bucketing experiment
T_MAX = 100
MEAN_LENGTH = 20  # lengths: geometric with this mean, capped at T_MAX
BATCH_SIZE = 32
STRATEGIES = ("global", "random", "buckets")
DATA_SEED = 12  # the chapter's data set: numpy.random.default_rng(DATA_SEED)
TORCH_SIZES = (32, 128)  # hidden sizes of the torch timing
RESULTS = pathlib.Path(__file__).parent / "results" / "batches_timing.json"
STRATEGY_NAMES = {"global": "pad to the longest of the data", "random": "random batches",
                  "buckets": "buckets (sorted)"}


def draw_lengths(n, rng, mean=MEAN_LENGTH, T_max=T_MAX):
    """n lengths (n,) in [1, T_max]: geometric with the given mean (many short
    sequences, few long ones), capped at T_max."""
    return np.minimum(rng.geometric(1.0 / mean, size=n), T_max)


def make_batches(lengths, batch_size, rng, strategy):
    """The data set's indices cut into batches: a list of index arrays.

    "global" and "random": a random permutation cut into consecutive batches (they differ
    only in how far each batch is padded, see `padded_length`); "buckets": the
    sequences sorted by length (ties in random order), cut into consecutive batches,
    whose order is then shuffled.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    lengths = np.asarray(lengths)
    order = rng.permutation(len(lengths))
    if strategy == "buckets":
        order = order[np.argsort(lengths[order], kind="stable")]
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if strategy == "buckets":
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def padded_length(lengths, batch, strategy):
    """The steps T a batch is padded to: its own longest sequence, or for "global" the
    longest of the whole data set."""
    lengths = np.asarray(lengths)
    return int(lengths.max() if strategy == "global" else lengths[batch].max())


def step_rows(lengths, batches, strategy):
    """(computed, real): the step-rows a pass over the batches computes padded (T * B per
    batch, summed) and the real ones among them (sum of the lengths)."""
    lengths = np.asarray(lengths)
    computed = sum(len(b) * padded_length(lengths, b, strategy) for b in batches)
    return int(computed), int(sum(lengths[b].sum() for b in batches))


def padding_fraction(lengths, batch_size, strategy, seed=0):
    """The fraction of the computed step-rows that are padding, 1 - real / computed, when
    the data set `lengths` is cut into batches of `batch_size` as `strategy` says (the
    batches drawn from numpy.random.default_rng(seed))."""
    batches = make_batches(lengths, batch_size, np.random.default_rng(seed), strategy)
    computed, real = step_rows(lengths, batches, strategy)
    return 1.0 - real / computed


def batch_rows(lengths, batches, strategy):
    """Per batch: (real step-rows, padded step-rows), an int array (n_batches, 2)."""
    lengths = np.asarray(lengths)
    out = [(lengths[b].sum(), len(b) * padded_length(lengths, b, strategy) - lengths[b].sum())
           for b in batches]
    return np.array(out, dtype=np.int64)


def _timed(fn, repeats):
    """The best of `repeats` wall times of fn(), with the garbage collector off while it
    runs (as timeit does): a full collection in a kernel that holds many objects would
    otherwise land on one pass and weigh most on the shortest."""
    best = np.inf
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def time_numpy_pass(lengths, batches, strategy, params, rng, repeats=2):
    """Seconds (best of `repeats`) for one pass of `lstm_forward(lengths=)` +
    `lstm_backward` over every batch, padded as `strategy` says; inputs drawn once."""
    lengths = np.asarray(lengths)
    D, H = params["weight_ih"].shape[1], params["weight_hh"].shape[1]
    data = [(rng.normal(size=(padded_length(lengths, b, strategy), len(b), D)), lengths[b])
            for b in batches]

    def one_pass():
        for x, lens in data:
            zeros = np.zeros((x.shape[1], H))
            h, _, cache = lstm_forward(x, zeros, zeros, params, lengths=lens)
            lstm_backward(np.ones_like(h), cache)

    return _timed(one_pass, repeats)


def time_torch_pass(lengths, batches, module, packed, repeats=2, seed=0):
    """Seconds (best of `repeats`) for one pass of torch's LSTM, forward and backward,
    over every batch padded to its own longest sequence: the padded tensor as it is
    (packed=False), or packed with pack_padded_sequence (packed=True)."""
    lengths = np.asarray(lengths)
    gen = torch.Generator().manual_seed(seed)
    D = module.input_size
    data = [(torch.randn(int(lengths[b].max()), len(b), D, generator=gen, dtype=torch.float64),
             torch.tensor(lengths[b])) for b in batches]

    def one_pass():
        for x, lens in data:
            inp = pack_padded_sequence(x, lens, enforce_sorted=False) if packed else x
            out, _ = module(inp)
            (out.data if packed else out).sum().backward()

    return _timed(one_pass, repeats)


def benchmark(lengths, batches, D=8, H=32, repeats=2, seed=0):
    """The chapter's timing: one pass of lstm_lib's LSTM (float64, forward and backward)
    over the data set `lengths` for each way of batching it, batches = {strategy: list of
    index arrays}. Returns {strategy: (seconds, computed step-rows, real step-rows)}."""
    rng = np.random.default_rng(seed)
    params = init_lstm_params(D, H, rng)
    out = {}
    for strategy, batch_list in batches.items():
        seconds = time_numpy_pass(lengths, batch_list, strategy, params, rng, repeats)
        out[strategy] = (seconds, *step_rows(lengths, batch_list, strategy))
    return out


def torch_benchmark(H, seed=0, D=8, n=256, repeats=2):
    """torch's LSTM (float64, one layer) at hidden size H on n sequences: seconds for
    random batches padded, random batches packed, and buckets padded."""
    rng = np.random.default_rng(seed)
    lengths = draw_lengths(n, rng)
    torch.manual_seed(seed)
    module = to_torch(init_lstm_params(D, H, rng))
    random = make_batches(lengths, BATCH_SIZE, rng, "random")
    buckets = make_batches(lengths, BATCH_SIZE, rng, "buckets")
    return {"random, padded": time_torch_pass(lengths, random, module, False, repeats),
            "random, packed": time_torch_pass(lengths, random, module, True, repeats),
            "buckets, padded": time_torch_pass(lengths, buckets, module, False, repeats)}


def chapter_data(seed=DATA_SEED):
    """The chapter's data set and batches, drawn in the chapter's order: (lengths
    (N_SEQUENCES,), {strategy: list of index arrays})."""
    rng = np.random.default_rng(seed)
    lengths = draw_lengths(N_SEQUENCES, rng)
    make_batches(lengths, BATCH_SIZE, rng, "random")  # the cut the chapter shows first
    return lengths, {s: make_batches(lengths, BATCH_SIZE, rng, s) for s in STRATEGIES}


def measure(repeats):
    """The stored measurement: lstm_lib's passes over the chapter's batches and torch's
    at each of TORCH_SIZES, each the best of `repeats`, with what the machine was."""
    lengths, batches = chapter_data()
    numpy_times = benchmark(lengths, batches, repeats=repeats)
    return {
        "machine": {"cpu_count": os.cpu_count(), "machine": platform.machine(),
                    "python": platform.python_version(), "numpy": np.__version__,
                    "torch": torch.__version__,
                    "threads": os.environ.get("OMP_NUM_THREADS", "unset"),
                    "date": datetime.date.today().isoformat()},
        "repeats": repeats,
        "numpy": {s: {"seconds": round(t, 4), "computed": c, "real": r}
                  for s, (t, c, r) in numpy_times.items()},
        "torch": {str(H): {k: round(v, 4) for k, v in torch_benchmark(H, repeats=repeats).items()}
                  for H in TORCH_SIZES},
    }


def numpy_table(result):
    """lstm_lib's times and step-rows of a measurement, relative to buckets: a table of
    text lines at most 72 characters wide."""
    numpy_times = result["numpy"]
    base = numpy_times["buckets"]
    lines = [f"lstm_lib{'':24s} time / buckets  step-rows / buckets"]
    lines += [f"{STRATEGY_NAMES[s]:32s} {t['seconds'] / base['seconds']:14.1f}  "
              f"{t['computed'] / base['computed']:19.1f}" for s, t in numpy_times.items()]
    return "\n".join(lines)


def torch_table(result):
    """torch's times of a measurement, relative to random batches padded, one column per
    hidden size."""
    sizes = list(result["torch"])
    lines = ["torch, time / random padded " + "".join(f"  H = {H:>3s}" for H in sizes)]
    for k in result["torch"][sizes[0]]:
        lines.append(f"{k:28s}" + "".join(
            f"{result['torch'][H][k] / result['torch'][H]['random, padded']:9.2f}"
            for H in sizes))
    return "\n".join(lines)


def describe(result):
    """Both tables of a measurement, as one text."""
    return numpy_table(result) + "\n\n" + torch_table(result)


def load():
    """The stored measurement (written by `--store`)."""
    return json.loads(RESULTS.read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    result = measure(args.repeats)
    print(describe(result))
    if args.store:
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

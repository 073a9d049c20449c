"""Time lstm_lib's LSTM (numpy) against torch.nn.LSTM, forward + backward, float32, on this CPU.

lstm_lib's layer is the plain loop over the readable step pair (lstm_step, lstm_step_backward);
the first shape is the size the book trains (the adding problem), the others are larger layers.

Both run in turn in this one process, on the same data and parameters, with the same number of
threads (default 1, as in the book; --threads N sets numpy's BLAS and torch alike). Prints, per shape,
the median time of each and the ratio numpy / torch (below 1: numpy is faster). On a CPU, torch runs
nn.LSTM through oneDNN's fused RNN kernel (one C++ call for the whole sequence and one for its backward);
the benchmark also times torch with oneDNN switched off (its per-step operations, as numpy has). Then, because both
spend most of their time in matrix products, the speed of the two BLAS libraries (numpy's OpenBLAS,
torch's MKL) on the products an LSTM layer makes, in GFLOP/s.

    .venv/bin/python benchmarks/lstm_speed.py [--repeats 30] [--threads 1]
"""
import argparse
import os
import sys

if __name__ == "__main__":  # BLAS reads its thread count when numpy is first imported
    _threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import time
import warnings

import numpy as np
import torch

from lstm_lib.lstm import init_lstm_params, lstm_backward, lstm_forward
from lstm_lib.torch_bridge import to_torch

SHAPES = [  # (T, B, D, H) and the ratio an earlier issue asked for (None: no target)
    ((100, 32, 2, 16), None),
    ((100, 32, 32, 128), 1.0),
    ((100, 64, 64, 256), 1.0),
    ((100, 1, 8, 64), 2.0),
]


def make_inputs(T, B, D, H, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: v.astype(np.float32) for k, v in init_lstm_params(D, H, rng).items()}
    x, h0, c0, dh = (rng.normal(size=s).astype(np.float32) for s in [(T, B, D), (B, H), (B, H), (T, B, H)])
    return params, x, h0, c0, dh


def numpy_step(params, x, h0, c0, dh):
    def run():
        _, _, cache = lstm_forward(x, h0, c0, params)
        lstm_backward(dh, cache)
    return run


def torch_step(params, x, h0, c0, dh):
    module = to_torch(params)
    xt = torch.from_numpy(x).requires_grad_()
    state = (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
    dht = torch.from_numpy(dh)

    def run():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = module(xt, state)
        out.backward(dht)  # the same upstream gradient dh as numpy gets
    return run


def without_onednn(run):
    """The same torch run with oneDNN's fused LSTM switched off: torch's own per-step operations."""
    def run_plain():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a note about Intel GPUs that this CPU build prints
            with torch.backends.mkldnn.flags(enabled=False):
                run()
    return run_plain


def median_seconds(run, repeats):
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def blas_products(T, B, D, H):
    """(name, m, k, n) of the matrix products that every step of a forward + backward pass makes."""
    return [("step: h (B,H) @ W_hh^T", B, H, 4 * H), ("step: x (B,D) @ W_ih^T", B, D, 4 * H),
            ("step: dz (B,4H) @ W_hh", B, 4 * H, H), ("step: dz^T (4H,B) @ h (B,H)", 4 * H, B, H)]


def gflops(m, k, n, repeats, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(m, k)).astype(np.float32), rng.normal(size=(k, n)).astype(np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    t_np = median_seconds(lambda: a @ b, repeats)
    t_torch = median_seconds(lambda: ta @ tb, repeats)
    return 2 * m * k * n / t_np / 1e9, 2 * m * k * n / t_torch / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {args.threads} thread(s), float32, "
          f"forward + backward, median of {args.repeats} (alternating rounds)")
    print(f"{'T':>4} {'B':>3} {'D':>3} {'H':>4} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6} {'target':>7}"
          f" {'torch, no oneDNN, ms':>21} {'ratio':>6}")
    ok = True
    for (T, B, D, H), target in SHAPES:
        inputs = make_inputs(T, B, D, H)
        torch_run = torch_step(*inputs)
        runs = {"numpy": numpy_step(*inputs), "torch": torch_run, "plain": without_onednn(torch_run)}
        times = {name: [] for name in runs}
        for _ in range(3):  # alternate, so a slow spell of the machine hits all three
            for name, run in runs.items():
                times[name].append(median_seconds(run, max(args.repeats // 3, 1)))
        t_np, t_torch, t_plain = (float(np.median(times[k])) for k in ("numpy", "torch", "plain"))
        ok &= target is None or t_np / t_torch <= target
        goal = "-" if target is None else f"<= {target}"
        print(f"{T:>4} {B:>3} {D:>3} {H:>4} {1e3 * t_np:9.2f} {1e3 * t_torch:9.2f} {t_np / t_torch:6.2f} "
              f"{goal:>7} {1e3 * t_plain:21.2f} {t_np / t_plain:6.2f}")
    print("all ratios within target" if ok else "SOME RATIOS ABOVE TARGET")
    print("\nmatrix products alone, GFLOP/s (numpy = OpenBLAS, torch = MKL)")
    for (T, B, D, H), _ in SHAPES:
        for name, m, k, n in blas_products(T, B, D, H):
            g_np, g_torch = gflops(m, k, n, max(args.repeats, 20))
            print(f"  T={T} B={B} D={D} H={H}  {name:32s} numpy {g_np:6.1f}  torch {g_torch:6.1f}")


if __name__ == "__main__":
    main()

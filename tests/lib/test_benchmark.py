"""The speed benchmark compares like with like: its numpy and torch runs compute the same gradients."""
import importlib.util
import pathlib

import numpy as np
import torch

from lstm_lib.lstm import lstm_backward, lstm_forward

_PATH = pathlib.Path(__file__).parents[2] / "benchmarks" / "lstm_speed.py"
_spec = importlib.util.spec_from_file_location("lstm_speed", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_numpy_and_torch_runs_compute_the_same_gradients():
    params, x, h0, c0, dh = bench.make_inputs(7, 3, 4, 5)
    assert all(a.dtype == np.float32 for a in (x, h0, c0, dh, *params.values()))
    dx, _, _, grads = lstm_backward(dh, lstm_forward(x, h0, c0, params)[2])
    module = bench.to_torch(params)
    xt = torch.from_numpy(x).requires_grad_()
    out, _ = module(xt, (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    out.backward(torch.from_numpy(dh))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(grads["weight_hh"], module.weight_hh_l0.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_the_timed_closures_run_and_the_products_are_listed():
    inputs = bench.make_inputs(3, 2, 2, 3)
    bench.numpy_step(*inputs)()
    bench.torch_step(*inputs)()
    names = [p[0] for p in bench.blas_products(100, 32, 32, 128)]
    assert len(names) == 4 and bench.SHAPES[0] == ((100, 32, 2, 16), None)

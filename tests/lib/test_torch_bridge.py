"""Parameter dicts load into torch unchanged and come back unchanged."""
import numpy as np
import pytest
import torch

from lstm_lib.rnn import init_rnn_params
from lstm_lib.torch_bridge import from_torch, to_torch


def test_round_trip_keeps_every_number(rng):
    params = init_rnn_params(3, 4, rng)
    module = to_torch(params)
    assert isinstance(module, torch.nn.RNN) and module.weight_ih_l0.dtype == torch.float64
    assert (module.input_size, module.hidden_size, module.batch_first) == (3, 4, False)
    back = from_torch(module)
    assert all(np.array_equal(back[k], params[k]) for k in params)


def test_parameter_count_counts_both_biases_once(rng):
    D, H = 3, 4
    module = to_torch(init_rnn_params(D, H, rng))
    assert sum(p.numel() for p in module.parameters()) == H * (D + H) + 2 * H


def test_float32_params_give_a_float32_module(rng):
    params = {k: v.astype(np.float32) for k, v in init_rnn_params(2, 3, rng).items()}
    assert to_torch(params).weight_hh_l0.dtype == torch.float32


def test_bad_params_and_modules(rng):
    params = init_rnn_params(2, 3, rng)
    with pytest.raises(ValueError, match=r"G = 2 gate blocks"):
        to_torch(dict(params, weight_hh=np.zeros((6, 3)), weight_ih=np.zeros((6, 2))))
    with pytest.raises(ValueError, match=r"params\['bias_hh'\] must have shape \(3,\), got \(4,\)"):
        to_torch(dict(params, bias_hh=np.zeros(4)))
    with pytest.raises(ValueError, match="module must be one of"):
        from_torch(torch.nn.Linear(2, 3))


def test_lstm_round_trip_and_each_bias_copied_once(rng):
    from lstm_lib.lstm import init_lstm_params

    D, H = 4, 3
    params = init_lstm_params(D, H, rng)
    module = to_torch(params)
    assert isinstance(module, torch.nn.LSTM) and (module.input_size, module.hidden_size) == (D, H)
    back = from_torch(module)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    # torch counts 4H(D + H) weights and two bias vectors of 4H
    assert sum(p.numel() for p in module.parameters()) == 4 * H * (D + H) + 8 * H


@pytest.mark.parametrize("kwargs", [{"num_layers": 2}, {"bidirectional": True}, {"bias": False}, {"proj_size": 2}])
def test_from_torch_refuses_what_a_dict_cannot_hold(kwargs):
    with pytest.raises(ValueError, match="single layer, one direction"):
        from_torch(torch.nn.LSTM(4, 3, **kwargs))

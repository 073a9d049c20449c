"""The experiments of "Vanishing and exploding gradients": the lag network, its profile, the slider's measure."""
import numpy as np
import pytest

from lstm_book.experiments.gradients import (
    LAG_NETWORK,
    SURVIVAL,
    SURVIVAL_SCALES,
    lag_network,
    lag_profile,
    survival_ratio,
)
from lstm_lib.gradflow import spectral_radius


def test_lag_network_has_the_requested_spectral_radius():
    for scale in (0.5, 1.3):
        params = lag_network(scale)[2]
        assert spectral_radius(params["weight_hh"]) == pytest.approx(scale)


def test_lag_network_is_the_same_for_every_call():
    a, b = lag_network(1.0, 0.5, 60), lag_network(1.0, 0.5, 100)
    np.testing.assert_array_equal(a[0], b[0][:60])  # the first 60 inputs agree
    np.testing.assert_array_equal(a[3], b[3])
    np.testing.assert_array_equal(a[2]["weight_hh"], b[2]["weight_hh"])


def test_lag_network_shapes():
    x, h0, params, dh_T = lag_network(1.0, T=7)
    H, B = LAG_NETWORK["H"], LAG_NETWORK["B"]
    assert (x.shape, h0.shape, dh_T.shape, params["weight_ih"].shape) == ((7, B, 1), (B, H), (B, H), (H, 1))


def test_lag_profile_starts_at_one():
    r = lag_profile(1.0)
    assert r.shape == (SURVIVAL["T"] + 1,) and r[0] == 1.0


def test_survival_ratio_reads_the_profile_at_the_lag():
    r = lag_profile(1.2, SURVIVAL["amplitude"], SURVIVAL["T"])
    assert survival_ratio(1.2) == r[SURVIVAL["lag"]]


def test_the_slider_stops_are_step_apart():
    assert np.allclose(np.diff(SURVIVAL_SCALES), SURVIVAL["step"])
    assert SURVIVAL_SCALES[0] < 1 < SURVIVAL_SCALES[-1]


# The checks are lstm_lib.validation's: check_number for scale and amplitude, check_int for T.
@pytest.mark.parametrize("args, message", [((None,), "scale must be a single real number, got None"),
                                           ((True,), "scale must be a single real number, got True"),
                                           ((float("inf"),), "scale must be a finite number"),
                                           ((1.0, float("nan")), "amplitude must be a finite number"),
                                           ((1.0, "0.5"), "amplitude must be a single real number"),
                                           ((1.0, 0.5, 0), "T must be a positive integer, got 0"),
                                           ((1.0, 0.5, 2.5), "T must be a positive integer, got 2.5")])
def test_lag_network_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        lag_network(*args)

"""workers.peak_fit: one sweeping partial and two steady ones fitted to a peak's bins."""

from __future__ import annotations

import numpy as np
import pytest

from workers.peak_fit import chirp_residual, two_partials

NU = np.tile(np.linspace(-3.1, 3.1, 11), (1, 1))  # 11 bins, 0.62 sigmas apart


def _steady(u, amplitude):
    return amplitude * np.exp(-0.5 * (NU - u) ** 2)


def test_a_steady_or_sweeping_partial_leaves_nothing_to_a_single_partial():
    steady = _steady(0.3, 2.0 - 1.0j)
    # A linear chirp under a Gaussian window: a Gaussian of complex width.
    chirp = (0.5 + 0.2j) * np.exp(-((NU - 0.2) ** 2) * (1 + 1.5j) / (2 * (1 + 1.5**2)))
    for y in (steady, chirp):
        assert chirp_residual(y, NU)[0] < 1e-9 * np.sum(np.abs(y) ** 2)


def test_two_partials_in_opposite_phase_are_not_one_sweeping_partial():
    # In phase, two partials a sigma apart look like one broader partial (a sweep: it leaves
    # 0.007 % of their energy); in opposite phase, like nothing one partial makes (34 %).
    in_phase, opposite = (
        _steady(-0.5, 1.0) + _steady(0.5, 0.7),
        _steady(-0.5, 1.0) - _steady(0.5, 0.7),
    )
    assert chirp_residual(in_phase, NU)[0] < 1e-3 * np.sum(np.abs(in_phase) ** 2)
    assert chirp_residual(opposite, NU)[0] > 0.1 * np.sum(np.abs(opposite) ** 2)


@pytest.mark.parametrize("phase", np.linspace(0, 2 * np.pi, 8, endpoint=False))
def test_two_partials_a_sigma_apart_are_found_whatever_their_phases(phase):
    y = _steady(-0.45, 1.0) + _steady(0.55, 0.7 * np.exp(1j * phase))  # one peak to the eye
    energy = np.sum(np.abs(y) ** 2)
    u1, u2, a1, a2, residual = two_partials(y, NU, np.array([-0.3]), np.array([0.3]))
    assert u1[0] == pytest.approx(-0.45, abs=1e-3) and u2[0] == pytest.approx(0.55, abs=1e-3)
    assert a1[0] == pytest.approx(1.0, abs=1e-3)
    assert a2[0] == pytest.approx(0.7 * np.exp(1j * phase), abs=1e-3)
    assert residual[0] < 1e-9 * energy


def test_many_peaks_are_fitted_at_once():
    nu = np.repeat(NU, 3, axis=0)
    y = np.stack([(_steady(-1.0, 1.0) + _steady(1.0, k))[0] for k in (0.5, 1.0, 2.0)])
    u1, u2, _, _, residual = two_partials(y, nu, np.full(3, -0.5), np.full(3, 0.5))
    np.testing.assert_allclose(u1, -1.0, atol=1e-3)
    np.testing.assert_allclose(u2, 1.0, atol=1e-3)
    assert chirp_residual(y, nu).shape == residual.shape == (3,)

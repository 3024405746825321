"""Analytic Morlet CWT at display resolution."""
from __future__ import annotations

import math

GAUSS_CUT = math.sqrt(2.0 * math.log(1000.0))  # Gaussians are cut where they fall to -60 dB
HPBW_PER_SIGMA = 2.0 * math.sqrt(math.log(2.0))  # half-power bandwidth of a Gaussian / its sigma
DEFAULT_Q = 16.0
Q_MIN = 3.0
Q_MAX = 100.0


def max_view_seconds(sr):
    return 2 ** 25 / sr


def cwt_power(audio, sr, start, end, freqs, width, q):
    raise NotImplementedError

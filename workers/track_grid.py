"""Where the partial tracker looks: its 5 ms frames, the spans it analyses at once, and the
frequency bands with their windows; and ``SpanPeaks``, a span's peaks as the peak stage
hands them to the linking. Shared by the peak stage (``workers.track_peaks``), the linking
(``workers.track_link``) and the tracker (``workers.track``), and light to import (no
scipy): a command's process, which reads the file, receives the spans' peaks from its workers
and links them, does not load the peak stage.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = [
    "BANDS",
    "BAND_HIGHS",
    "BAND_SHORTEST",
    "CORE_SECONDS",
    "FRAMES_PER_SPAN",
    "HOP",
    "MARGIN_SECONDS",
    "SPAN_SECONDS",
    "SpanPeaks",
    "band_sigma_t",
]

HOP = 0.005  # s, the output grid (the snap's default hop)
SPAN_SECONDS = 3  # analysed per FFT, margins included: whole seconds, so the hop is whole
MARGIN_SECONDS = 0.5  # each side: the longest window's half (5 x 100 ms)
CORE_SECONDS = SPAN_SECONDS - 2 * MARGIN_SECONDS
FRAMES_PER_SPAN = round(CORE_SECONDS / HOP)
# (lowest Hz, highest Hz, window time sigmas in s, long to short). A window's frequency sigma
# is 1/(2 pi sigma_t). 100 ms (1.6 Hz) separates two tones 25 cents apart at 440 Hz (shorter
# longest levels above 640 Hz, which 25 cents would allow, let vibrato sidebands through:
# measured with tests/track_cases.py); the middle levels resolve harmonic series (30 ms: a
# 41 Hz bass; 15 ms up to 640 Hz: a voice at 80 Hz); the shortest follow fast frequency
# changes (2.5 ms: a 10th harmonic sweeping 8 kHz/s stays sharp). Above 2.5 kHz the longest
# level would cost more than it is worth.
BANDS = (
    (0.0, 160.0, (0.1, 0.03, 0.012)),
    (160.0, 640.0, (0.1, 0.015, 0.006)),
    (640.0, 2560.0, (0.1, 0.01, 0.004)),
    (2560.0, 10240.0, (0.006, 0.0025)),
    (10240.0, math.inf, (0.004, 0.002)),
)
BAND_HIGHS = np.array([hi for _, hi, _ in BANDS[:-1]])  # Hz, the bands' upper edges
BAND_SHORTEST = np.array([min(sigmas) for _, _, sigmas in BANDS])  # s, each band's shortest


def band_sigma_t(freq: np.ndarray) -> np.ndarray:
    """The time sigma (s) of the shortest window of the band each frequency (Hz) falls in."""
    return BAND_SHORTEST[np.searchsorted(BAND_HIGHS, freq, side="right")]


class SpanPeaks(NamedTuple):
    """A span's peaks, frame after frame, as flat arrays (what the linker takes): frame k's
    are ``freq[offsets[k]:offsets[k + 1]]`` and ``level[...]``."""

    freq: np.ndarray  # Hz, float64 (p,)
    level: np.ndarray  # dBFS, float64 (p,)
    offsets: np.ndarray  # int64 (frames + 1,), from 0

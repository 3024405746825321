"""A zero-phase band-pass, for hearing and exporting one time-frequency region of a sound.

``band_pass`` keeps [fmin, fmax] of a signal: a Butterworth filter of ``ORDER`` run forwards
and backwards (``scipy.signal.sosfiltfilt``: no phase shift, so a partial keeps its place in
time, and the edges fall at 24 * ORDER / 2 dB an octave outside the band). An edge at the
ends of the spectrum is left out: a band from 0 Hz is a low-pass, one up to Nyquist a high-pass.

A filter rings for a while after an input changes (the longer, the narrower the band), so a
stretch of a longer signal filtered on its own differs from the same stretch filtered whole
near its ends. ``settle_seconds`` says how much signal to filter on each side of a stretch
for it to match the whole within -60 dB: the player filters its chunks so, and they join
without a click.

Pure numpy/scipy: no GUI code, of app only app.base.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter, sosfiltfilt

from app.base.errors import SomaError
from workers.checks import finite

ORDER = 4  # per pass: 8 in all, 48 dB an octave outside the band
# A passband's top edge nearer Nyquist than this share of an octave is dropped (no low-pass).
EDGE_OCTAVES = 0.01
SETTLE_CONSTANTS = 10.0  # time constants of ringing per filter order: below -60 dB (measured)
MAX_SETTLE_SECONDS = 5.0


class BandPassError(SomaError, ValueError):
    """A band that cannot be filtered; str() is one line."""


def band_pass(samples: np.ndarray, sr: int, fmin: float, fmax: float) -> np.ndarray:
    """`samples` with only [fmin, fmax] Hz kept.

    Parameters
    ----------
    samples : np.ndarray, 1-D, float32 or float64
    sr : int, Hz
    fmin, fmax : float, Hz, 0 <= fmin < fmax <= sr / 2

    Returns
    -------
    np.ndarray, float32, the same shape; a copy even when nothing is cut (the whole band)
    """
    fmin = finite("fmin", fmin, BandPassError)
    fmax = finite("fmax", fmax, BandPassError)
    nyquist = sr / 2.0
    if not 0.0 <= fmin < fmax <= nyquist:
        raise BandPassError(
            f"the band must lie within 0 to {nyquist:g} Hz with fmin below fmax, "
            f"not {fmin:g} to {fmax:g} Hz"
        )
    keep_low = fmin > 0
    keep_high = fmax < nyquist * 2.0**-EDGE_OCTAVES
    signal = np.asarray(samples, dtype=np.float64)
    if signal.size == 0 or not (keep_low or keep_high):
        return signal.astype(np.float32)
    if keep_low and keep_high:
        sos = butter(ORDER, [fmin, fmax], btype="bandpass", fs=sr, output="sos")
    elif keep_low:
        sos = butter(ORDER, fmin, btype="highpass", fs=sr, output="sos")
    else:
        sos = butter(ORDER, fmax, btype="lowpass", fs=sr, output="sos")
    # sosfiltfilt pads by reflection; a signal shorter than its pad is filtered with less.
    pad = min(signal.size - 1, 3 * (2 * len(sos) + 1))
    return sosfiltfilt(sos, signal, padlen=pad).astype(np.float32)


def settle_seconds(fmin: float, fmax: float) -> float:
    """Seconds of signal to filter on each side of a stretch so that it matches the stretch
    filtered within the whole signal within -60 dB: the filter rings for about ORDER time
    constants of 1 / (pi * the band's width, or its low edge if lower) each way; at most
    MAX_SETTLE_SECONDS (tests/test_bandpass.py measures it)."""
    narrowest = min(max(fmax - fmin, 1e-3), fmin if fmin > 0 else math.inf)
    return min(MAX_SETTLE_SECONDS, SETTLE_CONSTANTS * ORDER / (math.pi * narrowest))

"""The rows of a spectrogram image on its frequency axis: where they are centred, and the band
of frequencies each one shows.

Two scales: ``'log'`` (equal ratios take equal heights: an octave is as tall at 100 Hz as at
10 kHz, which is how the ear hears pitch, and the default) and ``'linear'`` (equal Hz take
equal heights: a harmonic series is evenly spaced, as Sonic Visualiser's and SPEAR's linear
axes show it). Pure numpy; the caller validates fmin, fmax and height.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SCALE = "log"
SCALES = (DEFAULT_SCALE, "linear")


def row_frequencies(fmin: float, fmax: float, height: int, scale: str) -> np.ndarray:
    """Centre frequency of every row, Hz, float64 (height,): row 0 is ``fmin``, row
    ``height - 1`` is ``fmax`` (a single row is ``fmin``), evenly spaced on ``scale``."""
    if scale == "linear":
        return np.linspace(fmin, fmax, height)
    return np.geomspace(fmin, fmax, height)


def row_edges(freqs: np.ndarray, scale: str) -> np.ndarray:
    """(height + 1,) Hz, increasing: the edges of the rows' bands, halfway between neighbouring
    rows on ``scale`` (geometrically on a log axis, arithmetically on a linear one), the outer
    two half a row beyond the end rows, where the image's edges lie on the screen.

    A linear axis' lowest edge would lie at or below 0 Hz when its rows are far apart against
    fmin (20 Hz rows 40 Hz apart), where no wavelet is analytic and a CWT's margin (which
    grows as 1 / f) would be unbounded: it stops at half of fmin.
    """
    if freqs.size < 2:
        return np.array([freqs[0], freqs[0]])
    if scale == "linear":
        mids = (freqs[:-1] + freqs[1:]) / 2
        low = max(2 * freqs[0] - mids[0], freqs[0] / 2)
        return np.concatenate(([low], mids, [2 * freqs[-1] - mids[-1]]))
    mids = np.sqrt(freqs[:-1] * freqs[1:])
    return np.concatenate(([freqs[0] ** 2 / mids[0]], mids, [freqs[-1] ** 2 / mids[-1]]))

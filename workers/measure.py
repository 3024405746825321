"""Measurements at the cursor: a short spectrum of the samples at one time with its peaks,
and the waveform's min/max envelope per pixel column.

Both are small enough for the main process (app.compute.measurement says why); they live
here with the other numeric code, free of the rest of Soma.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal.windows import blackmanharris

from app.base.errors import SomaError
from workers.checks import finite, mono_samples, whole
from workers.rows import DEFAULT_SCALE, SCALES, row_edges
from workers.spectrum import frequencies

SLICE_SECONDS = 0.1  # the slice's window: partials 40 Hz apart are resolved
ZERO_PADDING = 4  # FFT size over window length: a smooth curve and parabolic peaks
MAX_ROWS = 4096
MAX_COLUMNS = 8192
PEAK_RANGE_DB = 60.0  # peaks at most this far below the slice's highest are labelled
MIN_PEAK_DBFS = -120.0


class MeasureError(SomaError):
    """Bad arguments to a measurement."""


def spectrum_slice(
    audio: np.ndarray,
    sr: int,
    time: float,
    fmin: float,
    fmax: float,
    rows: int,
    scale: str = DEFAULT_SCALE,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The magnitude spectrum of the SLICE_SECONDS of `audio` centred on `time`.

    Parameters
    ----------
    audio : 1-D float mono samples
    sr : samples per second
    time : s, the slice's centre (samples outside the file count as silence)
    fmin, fmax : Hz, 0 < fmin < fmax, the rows' range
    rows : 1..MAX_ROWS
    scale : 'log' or 'linear' (workers.rows.SCALES): how the rows are spaced

    Returns
    -------
    levels : float32 (rows,), dBFS, row 0 = fmin, rows evenly spaced on `scale` to fmax
        (workers.spectrum.frequencies): the highest bin within each row's share of the axis,
        so a narrow peak is never lost between rows. A sine of amplitude A reads 20 log10 A
        at its peak.
    peaks : [(frequency Hz, level dBFS)], loudest first, at most 12: local maxima within
        PEAK_RANGE_DB of the highest, refined by a parabola through the peak bin and its
        neighbours (in dB: within a few hundredths of a bin and dB for this window).
    """
    samples = mono_samples(audio, MeasureError)
    sr = whole("sample rate", sr, MeasureError, 1, 10**7)
    time = finite("time", time, MeasureError)
    fmin, fmax = finite("fmin", fmin, MeasureError), finite("fmax", fmax, MeasureError)
    if not 0 < fmin < fmax:
        raise MeasureError(f"the frequencies must satisfy 0 < fmin < fmax, got {fmin}, {fmax}")
    rows = whole("rows", rows, MeasureError, 1, MAX_ROWS)
    if scale not in SCALES:
        raise MeasureError(f"the scale must be one of {', '.join(SCALES)}, got {scale!r}")

    length = 2 * round(SLICE_SECONDS * sr / 2) + 1
    # Side lobes 92 dB down: a sine's own lobes are never labelled as peaks (Hann's, 31 dB
    # down, would be).
    window = blackmanharris(length)
    first = round(time * sr) - length // 2
    frame = np.zeros(length, np.float64)
    lo, hi = max(0, first), min(samples.size, first + length)
    if hi > lo:
        frame[lo - first : hi - first] = samples[lo:hi]
    size = 1 << math.ceil(math.log2(length * ZERO_PADDING))
    magnitude = np.abs(np.fft.rfft(frame * window, size)) * (2.0 / window.sum())
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(np.maximum(magnitude, 1e-12))
    bin_hz = sr / size

    centres = frequencies(fmin, fmax, rows, scale)
    edges = np.clip(np.rint(row_edges(centres, scale) / bin_hz), 0, db.size - 1).astype(np.int64)
    # Row r is the greatest of bins [edges[r], edges[r + 1]), or bin edges[r] when that is
    # empty: exactly what reduceat does.
    end = max(int(edges[-1]), int(edges[-2]) + 1)
    levels = np.maximum.reduceat(db[:end], edges[:-1]).astype(np.float32)
    return levels, _peaks(db, bin_hz, fmin, fmax)


def _peaks(db: np.ndarray, bin_hz: float, fmin: float, fmax: float) -> list[tuple[float, float]]:
    lo = max(1, math.ceil(fmin / bin_hz))
    hi = min(db.size - 2, math.floor(fmax / bin_hz))
    if hi < lo:
        return []
    k = np.arange(lo, hi + 1)
    here = db[k]
    local = (here > db[k - 1]) & (here >= db[k + 1])
    threshold = max(MIN_PEAK_DBFS, float(here.max()) - PEAK_RANGE_DB)
    found = []
    for i in k[local & (here > threshold)]:
        left, centre, right = db[i - 1], db[i], db[i + 1]
        curvature = left - 2 * centre + right
        offset = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
        found.append(((i + offset) * bin_hz, centre - 0.25 * (left - right) * offset))
    found.sort(key=lambda peak: -peak[1])
    return [(float(f), float(level)) for f, level in found[:12]]


def min_max_envelope(audio: np.ndarray, first: int, last: int, columns: int) -> np.ndarray:
    """float32 (columns, 2): the least and greatest sample of each column's share of
    audio[first:last] (columns split the range evenly; a column between two samples takes
    the nearer one, so a zoomed-in view still draws a line).

    `audio` may be samples or an envelope of blocks, float (n,) or (n, 2) [min, max].
    """
    if audio.ndim not in (1, 2) or audio.shape[0] == 0:
        raise MeasureError("the envelope needs samples")
    columns = whole("columns", columns, MeasureError, 1, MAX_COLUMNS)
    first = whole("first", first, MeasureError, 0, audio.shape[0] - 1)
    last = whole("last", last, MeasureError, first + 1, audio.shape[0])
    lows = audio[:, 0] if audio.ndim == 2 else audio
    highs = audio[:, 1] if audio.ndim == 2 else audio
    bounds = np.linspace(first, last, columns + 1)
    if last - first >= columns:  # each column holds samples: reduce over them
        starts = np.floor(bounds[:-1]).astype(np.int64)
        return np.stack(
            [np.minimum.reduceat(lows[:last], starts), np.maximum.reduceat(highs[:last], starts)],
            axis=1,
        ).astype(np.float32)
    # Fewer samples than columns: each column shows the sample nearest it.
    nearest = np.minimum(np.rint((bounds[:-1] + bounds[1:]) / 2).astype(np.int64), last - 1)
    return np.stack([lows[nearest], highs[nearest]], axis=1).astype(np.float32)


def block_envelope(audio: np.ndarray, block: int) -> np.ndarray:
    """float32 (ceil(n / block), 2): [min, max] of each `block` samples of `audio`, the
    envelope a wide view reads instead of the samples."""
    samples = mono_samples(audio, MeasureError)
    block = whole("block", block, MeasureError, 1, 1 << 20)
    starts = np.arange(0, samples.size, block)
    return np.stack(
        [np.minimum.reduceat(samples, starts), np.maximum.reduceat(samples, starts)], axis=1
    )

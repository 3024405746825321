"""Short-time Fourier spectrum at display resolution: the overview and views wider than 30 s.

Frames are placed per output column (never at every sample), Fourier transformed in batches
with ``scipy.fft.rfft``, max-pooled into their columns and only then mapped from linear bins to
log-spaced rows. The window is a Gaussian truncated at -60 dB: the log power spectrum of a
windowed sine is then an exact parabola of known curvature, so levels between bins can be
interpolated (scalloping stays below 0.2 dB and a sine's peak reads its exact level).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
import scipy.fft as sfft

from workers.cwt import DEFAULT_Q, GAUSS_CUT, HPBW_PER_SIGMA
from workers.rows import DEFAULT_SCALE, row_edges

MIN_WINDOW = 16  # samples
MAX_WINDOW = 65536  # samples (1.5 s at 44.1 kHz: a 1.3 Hz half-power bandwidth)
# How far past a column's end its frames may read, in samples: a frame is centred within its
# column and reads half a window beyond; interpolated columns read the grid's frames up to
# 2.5 steps (each under a window) past their centre.
COLUMN_REACH = 3 * MAX_WINDOW
# Frames at most this many window sigmas apart: a click halfway between two frames reads at
# most 1.7 dB below a click at a frame's centre (Hann frames at 50 % overlap lose 6 dB
# there), and a column's peak of noise reads as the CWT's does (frames 2.5 sigmas apart
# read it up to 2 dB lower, depending on how many fall in a column).
COVER_SIGMAS = 1.25
# ... and this many in a view too long for matched windows (``row_windows``), where no CWT
# is compared with and the cost counts more: 6.8 dB lost at most (Hann frames at 50 %
# overlap lose 6 dB there), half the frames.
LONG_VIEW_COVER_SIGMAS = 2.5
# Columns narrower than this many window sigmas read the power interpolated between frames
# this far apart, not a frame of their own: a 1.4 s window in a view of 20 s at 2000 columns
# would otherwise transform each sample 140 times.
INTERPOLATE_SIGMAS = 0.5
# Rows are analysed in bands of this frequency ratio, each with the window whose bandwidth is
# the CWT's at the band's geometric centre: within a band the two differ by at most a factor
# BAND_RATIO**0.5 in bandwidth (+-0.75 dB for noise: octave bands' +-1.5 dB showed as steps
# in a noise floor). Every band costs about 2 * GAUSS_CUT / COVER_SIGMAS = 6 transformed
# points per sample of the view, or one frame per 0.5 sigma when columns are narrower.
BAND_RATIO = 2.0**0.5
# Bands keep their own windows in views up to this long (twice workers.spectrum's
# CWT_MAX_SECONDS, so the picture keeps its levels across the switch and some way beyond, at
# any sample rate); longer views have the highest bands share the longer windows of the
# bands below them until the image transforms at most LONG_VIEW_FFT_POINTS (``row_windows``).
MATCHED_SECONDS = 60.0
LONG_VIEW_FFT_POINTS = 2**27
# Transform at most this many samples per image (a 1-hour file at 44.1 kHz just fits). Beyond
# it, frames per column are thinned and short transients between frames may be missed.
MAX_FFT_POINTS = 2**29
# Framed samples per batch (4 MB of frames): batches this small reuse malloc's buffers and
# stay in cache, where 2**22 had every batch's arrays mapped and faulted afresh (measured:
# 0.4 s of system time in the 1.3 s of half an hour's overview, 0.07 s with 2**20).
CHUNK_POINTS = 2**20
GATHER_WINDOW = 2048  # windows up to this long are framed in one gather (_windowed_frames)

VERTEX_ROW_BINS = 4  # rows narrower than this many bins also read the peaks inside them
# A Gaussian window of sigma = n / (2 GAUSS_CUT) samples makes a sine's ln power fall as
# -CURVATURE * (bins off its frequency)**2, whatever n.
CURVATURE = (math.pi / GAUSS_CUT) ** 2
_TINY = np.float32(1e-30)


def matched_window(sr: int, freq: float, q: float) -> int:
    """Window length in samples whose bandwidth is the CWT's at ``freq`` Hz for quality factor
    ``q``: a Gaussian of the sigma of Soma's Morlet there (half-power bandwidth freq / q), cut
    at -60 dB, rounded up to a fast FFT size, within [MIN_WINDOW, MAX_WINDOW]."""
    sigma = HPBW_PER_SIGMA * q * sr / (2.0 * math.pi * freq)
    n = min(max(math.ceil(2.0 * GAUSS_CUT * sigma), MIN_WINDOW), MAX_WINDOW)
    return sfft.next_fast_len(n, real=True)


def row_windows(
    sr: int, dt: float, width: int, freqs: np.ndarray, q: float = DEFAULT_Q
) -> np.ndarray:
    """Window length of every row, in samples, for ``width`` columns ``dt`` seconds wide.

    Rows are grouped in bands of BAND_RATIO (fixed in absolute frequency, so that a zoom does
    not move them) and each band gets ``matched_window`` at its geometric centre: the STFT
    resolves as the CWT does, so a tone and a noise read the same level with either (a
    noise's level is its power in the analysis bandwidth, the CWT's). In views longer than
    MATCHED_SECONDS the highest bands take the window of the band below them, one band at a
    time, until the image transforms at most LONG_VIEW_FFT_POINTS: a long view reads noise
    at high frequencies in a narrower band, so lower.

    Parameters
    ----------
    sr : int, Hz
    dt : float > 0, seconds per column
    width : int > 0, columns
    freqs : np.ndarray, float64, (height,), Hz, increasing
    q : float, the CWT's quality factor to match

    Returns
    -------
    np.ndarray, int64, (height,), samples, never longer for a higher row
    """
    return _window_plan(sr, dt, width, freqs, q)[0]


def _window_plan(
    sr: int, dt: float, width: int, freqs: np.ndarray, q: float
) -> tuple[np.ndarray, float]:
    """``row_windows`` and the frames' spacing in window sigmas that goes with them:
    COVER_SIGMAS for matched windows, LONG_VIEW_COVER_SIGMAS once bands share them."""
    bands, per_row = np.unique(np.floor(np.log(freqs) / math.log(BAND_RATIO)), return_inverse=True)
    matched = [matched_window(sr, float(BAND_RATIO ** (b + 0.5)), q) for b in bands]
    column = dt * sr
    if dt * width <= MATCHED_SECONDS:
        return np.asarray(matched, dtype=np.int64)[per_row], COVER_SIGMAS
    for floor in matched[::-1]:  # the highest bands down, one at a time
        chosen = [max(n, floor) for n in matched]
        cost = sum(
            transformed_points(n, column, width, LONG_VIEW_COVER_SIGMAS) for n in set(chosen)
        )
        if cost <= LONG_VIEW_FFT_POINTS:
            break
    return np.asarray(chosen, dtype=np.int64)[per_row], LONG_VIEW_COVER_SIGMAS


def transformed_points(n: int, dt_samples: float, width: int, cover: float = COVER_SIGMAS) -> int:
    """Points an n-point window transforms for ``width`` columns of ``dt_samples`` samples,
    with frames at most ``cover`` window sigmas apart."""
    step = INTERPOLATE_SIGMAS * n / (2.0 * GAUSS_CUT)
    if dt_samples < step:
        return n * (math.ceil(width * dt_samples / step) + 3)
    return n * width * frames_per_column(n, dt_samples, width, cover)


def frames_per_column(n: int, dt_samples: float, width: int, cover: float = COVER_SIGMAS) -> int:
    """Frames pooled into each column: enough to cover every sample with frames at most
    ``cover`` window sigmas apart, within MAX_FFT_POINTS."""
    sigma = n / (2.0 * GAUSS_CUT)
    wanted = max(1, math.ceil(dt_samples / (cover * sigma)))
    return max(1, min(wanted, MAX_FFT_POINTS // (width * n)))


@functools.lru_cache(maxsize=8)
def _window(n: int) -> np.ndarray:
    """Gaussian window of n samples, cut at -60 dB, scaled so a unit sine peaks at power 1."""
    sigma = n / (2.0 * GAUSS_CUT)
    t = np.arange(n) - (n - 1) / 2.0
    w = np.exp(-0.5 * (t / sigma) ** 2)
    # An rfft bin holds half a real sine's amplitude times the window's sum.
    return (w * (2.0 / w.sum())).astype(np.float32)


class _RowMap(NamedTuple):
    """How log-spaced rows read an rfft power spectrum sliced to bins [lo, lo + count)."""

    lo: int
    count: int
    left: np.ndarray  # (height,) intp: bin at or below each row's centre, slice-relative
    frac: np.ndarray  # (height,) float32: position of the centre between left and left + 1
    bin_rows: np.ndarray  # rows whose band holds at least one bin
    bin_span: tuple[int, int]  # slice-relative bins covered by those rows
    bin_starts: np.ndarray  # reduceat offsets into that span, one per row in bin_rows
    mid_rows: np.ndarray  # the same for half-bin points (between bin m and m + 1)
    mid_span: tuple[int, int]
    mid_starts: np.ndarray
    vertex_rows: np.ndarray  # rows narrower than VERTEX_ROW_BINS
    vertex_pairs: np.ndarray  # (rows, VERTEX_ROW_BINS + 1): left bins of the pairs they touch
    vertex_band: np.ndarray  # (2, rows, 1) float32: their band edges, slice-relative bins


@functools.lru_cache(maxsize=16)
def _row_map(n: int, sr: int, freqs_key: bytes, edges_key: bytes) -> _RowMap:
    """Tables for ``_rows`` for an n-point window at rate sr, the rows in freqs_key and their
    band edges in edges_key."""
    freqs = np.frombuffer(freqs_key, dtype=np.float64)
    nyquist_bin = n // 2
    centre = freqs * n / sr
    edges = np.clip(np.frombuffer(edges_key, dtype=np.float64) * n / sr, 0.0, nyquist_bin)
    left_abs = np.minimum(np.floor(centre).astype(np.intp), nyquist_bin - 1)
    lo = int(min(left_abs[0], math.floor(edges[0])))
    hi = int(min(nyquist_bin + 1, max(left_abs[-1] + 2, math.ceil(edges[-1]) + 1)))

    def covered(offset: float, limit: int):
        # Rows cover [edge_r, edge_r+1); point p sits at p + offset bins. Empty rows drop out,
        # and since the bands tile the axis the kept ones stay contiguous for reduceat.
        first = np.clip(np.ceil(edges - offset).astype(np.intp), lo, limit) - lo
        rows = np.flatnonzero(first[1:] > first[:-1])
        if rows.size == 0:
            return rows, (0, 0), rows
        span = (int(first[rows[0]]), int(first[rows[-1] + 1]))
        return rows, span, first[rows] - span[0]

    bin_rows, bin_span, bin_starts = covered(0.0, hi)
    mid_rows, mid_span, mid_starts = covered(0.5, hi - 1)
    vertex_rows = np.flatnonzero(np.diff(edges) < VERTEX_ROW_BINS)
    pairs = np.floor(edges[vertex_rows])[:, None] + np.arange(VERTEX_ROW_BINS + 1)
    pairs = np.minimum(pairs, np.floor(edges[vertex_rows + 1])[:, None])  # repeats are harmless
    pairs = np.clip(pairs, lo, hi - 2).astype(np.intp) - lo
    band = np.stack((edges[vertex_rows], edges[vertex_rows + 1]))[:, :, None] - lo
    return _RowMap(
        lo,
        hi - lo,
        left_abs - lo,
        (centre - left_abs).astype(np.float32),
        bin_rows,
        bin_span,
        bin_starts,
        mid_rows,
        mid_span,
        mid_starts,
        vertex_rows,
        pairs,
        band.astype(np.float32),
    )


def clear_caches() -> None:
    """Forget cached windows and row maps."""
    _window.cache_clear()
    _row_map.cache_clear()


def _rows(power: np.ndarray, m: _RowMap) -> np.ndarray:
    """(columns, bins) power -> (columns, rows): each row the peak of the spectrum in its band.

    Between two bins the spectrum is taken to be the parabola in ln power of the window's
    curvature through them (exact for a sine). A row reads the largest of: that parabola at
    its centre, its bins, its half-bin points (which bound scalloping to 0.2 dB) and, for rows
    a few bins wide or less, the parabolas' vertices inside its band (so a sine's ridge is in
    the row whose band holds its frequency, at its exact level).
    """
    u = m.frac
    a = np.log(np.maximum(power[:, m.left], _TINY))
    b = np.log(np.maximum(power[:, m.left + 1], _TINY))
    out = np.exp((1 - u) * a + u * b + np.float32(CURVATURE) * u * (1 - u))
    if m.bin_rows.size:
        seg = power[:, m.bin_span[0] : m.bin_span[1]]
        peak = np.maximum.reduceat(seg, m.bin_starts, axis=1)
        out[:, m.bin_rows] = np.maximum(out[:, m.bin_rows], peak)
    if m.mid_rows.size:
        lo, hi = m.mid_span
        # Max of products of neighbours, square root only on the pooled result.
        prod = power[:, lo:hi] * power[:, lo + 1 : hi + 1]
        peak = np.sqrt(np.maximum.reduceat(prod, m.mid_starts, axis=1))
        peak *= np.float32(math.exp(CURVATURE / 4))
        out[:, m.mid_rows] = np.maximum(out[:, m.mid_rows], peak)
    if m.vertex_rows.size:
        y0 = np.log(np.maximum(power[:, m.vertex_pairs], _TINY))
        y1 = np.log(np.maximum(power[:, m.vertex_pairs + 1], _TINY))
        rise = y1 - y0
        at = m.vertex_pairs + np.float32(0.5) + rise / np.float32(2 * CURVATURE)
        top = (y0 + y1) / 2 + rise * rise / np.float32(4 * CURVATURE) + np.float32(CURVATURE / 4)
        inside = (np.abs(rise) <= CURVATURE) & (at >= m.vertex_band[0]) & (at < m.vertex_band[1])
        peak = np.exp(np.where(inside, top, -np.inf).max(axis=2))
        out[:, m.vertex_rows] = np.maximum(out[:, m.vertex_rows], peak)
    return out


def _windowed_frames(audio: np.ndarray, starts: np.ndarray, window: np.ndarray) -> np.ndarray:
    """(len(starts), n) float32: audio[s:s + n] * window for each s, zero outside the audio.

    Long frames: one multiply per frame straight from the audio (a gather and then a multiply
    would make two more passes over the largest array of the whole computation). Short ones
    (the high bands' windows): one gather and one multiply for all of them, as a loop over
    tens of thousands of frames would spend its time in Python.
    """
    n = window.size
    frames = np.empty((starts.size, n), dtype=np.float32)
    inside = (starts >= 0) & (starts + n <= audio.size)
    if n <= GATHER_WINDOW and inside.any():
        windows = np.lib.stride_tricks.sliding_window_view(audio, n)
        gathered = windows[starts[inside]]
        gathered *= window
        frames[inside] = gathered
        rest = np.flatnonzero(~inside)
    else:
        rest = range(starts.size)
    for i in rest:
        s = int(starts[i])
        if 0 <= s and s + n <= audio.size:
            np.multiply(audio[s : s + n], window, out=frames[i])
        else:
            a, b = max(0, -s), max(0, min(n, audio.size - s))
            frames[i] = 0.0
            np.multiply(audio[s + a : s + b], window[a:b], out=frames[i, a:b])
    return frames


def _magnitude(
    audio: np.ndarray, starts: np.ndarray, window: np.ndarray, rows: _RowMap
) -> np.ndarray:
    """(len(starts), rows.count) float32 spectral magnitude of the windowed frames at
    `starts`: magnitudes are max-pooled and only then squared, a pass over a quarter of the
    data where squaring the complex spectrum first took two passes over all of it."""
    spec = sfft.rfft(_windowed_frames(audio, starts, window), axis=1, overwrite_x=True)
    return np.abs(spec[:, rows.lo : rows.lo + rows.count])


def stft_power(
    audio: np.ndarray,
    sr: int,
    start: float,
    end: float,
    freqs: np.ndarray,
    width: int,
    q: float = DEFAULT_Q,
    report=None,
    window: int | None = None,
    hop: float | None = None,
    columns: tuple[int, int] | None = None,
    scale: str = DEFAULT_SCALE,
) -> np.ndarray:
    """Max-pooled STFT power on rows evenly spaced on a frequency scale, each band of rows
    with its own window (``row_windows``), or every row with the one the caller chose.

    Parameters
    ----------
    audio : np.ndarray, float32, (samples,)
    sr : int, Hz
    start, end : float, seconds, the view (may extend beyond the audio)
    freqs : np.ndarray, float64, (height,), Hz, increasing row centres up to sr / 2
    width : int, columns
    q : float, the CWT's quality factor whose resolution the windows match
    report : callable(done, total) or None, told the columns done (summed over the windows)
        after each chunk
    window : int in [MIN_WINDOW, MAX_WINDOW] or None, samples: one window for every row
        (noise then reads its power in that window's bandwidth) instead of ``row_windows``
    hop : float > 0 or None, samples between frames instead of Soma's choice; frames are
        max-pooled per column, or interpolated where columns are narrower than the hop
    columns : (first, stop) with 0 <= first < stop <= width, or None (all): only those
        columns of the ``width``-column image, the same values as in the whole image (the
        frames of a column depend on the column alone), so an image can be built a part at
        a time, e.g. while its audio is still being decoded
    scale : one of ``workers.rows.SCALES``, the axis ``freqs`` are evenly spaced on: each row
        reads the band around it on that axis (``workers.rows.row_edges``)

    Returns
    -------
    np.ndarray, float32, (height, stop - first)
        Power in full-scale-sine units: a sine of peak amplitude A reads A**2 on its ridge.
    """
    first, stop = (0, width) if columns is None else columns
    dt = (end - start) / width
    if window is None:
        windows, cover = _window_plan(sr, dt, width, freqs, q)
    else:
        windows, cover = np.full(freqs.size, window, dtype=np.int64), COVER_SIGMAS
    edges = row_edges(freqs, scale)
    out = np.empty((freqs.size, stop - first), dtype=np.float32)
    lengths = np.unique(windows)
    total = lengths.size * (stop - first)
    for i, n in enumerate(lengths.tolist()):
        rows = np.flatnonzero(windows == n)
        band = slice(rows[0], rows[-1] + 1)  # a window's rows are contiguous
        row_map = _row_map(
            n,
            sr,
            np.ascontiguousarray(freqs[band], dtype=np.float64).tobytes(),
            np.ascontiguousarray(edges[rows[0] : rows[-1] + 2], dtype=np.float64).tobytes(),
        )
        done = i * (stop - first)
        _window_power(
            audio,
            sr,
            start,
            dt,
            (first, stop),
            width,
            n,
            row_map,
            out[band],
            None if report is None else lambda c, done=done: report(done + c, total),
            hop,
            cover,
        )
    return out


def _window_power(
    audio, sr, start, dt, columns, width, n, rows: _RowMap, out, report, hop, cover
) -> None:
    """Fill ``out`` ((rows, stop - first) float32) with the power of n-point frames in
    ``columns`` (first, stop) of a ``width``-column image: the largest of
    the frames in each column or, where columns are narrower than INTERPOLATE_SIGMAS window
    sigmas (a long window in a short view), interpolated between frames that far apart;
    with a ``hop`` (samples), frames that far apart, else at most ``cover`` sigmas apart."""
    column = dt * sr
    step = INTERPOLATE_SIGMAS * n / (2.0 * GAUSS_CUT) if hop is None else hop
    index = np.arange(*columns)
    if column < step:
        # The frames' power changes little over `step` samples: frames on a grid fixed in
        # the file's time (so a pan does not move them), ln power interpolated to each
        # column's centre by the parabola through the three nearest (exact on a Gaussian
        # bump, which a click's envelope is, so its peak stays in its column).
        centres = start * sr + (index + 0.5) * column
        first = round(centres[0] / step) - 1
        grid = np.arange(first, round(centres[-1] / step) + 2) * step
        power = np.log(np.maximum(_pooled_rows(audio, grid, 1, n, rows, None), _TINY))
        at = centres / step - first
        nearest = np.clip(np.rint(at).astype(np.intp), 1, grid.size - 2)
        u = (at - nearest)[:, None].astype(np.float32)
        below, middle, above = power[nearest - 1], power[nearest], power[nearest + 1]
        curve = middle + u * (above - below) / 2 + u * u * (above - 2 * middle + below) / 2
        out[:] = np.exp(curve).T
        if report is not None:
            report(index.size)
        return
    if hop is None:
        k = frames_per_column(n, column, width, cover)
    else:
        k = max(1, min(math.ceil(column / hop), MAX_FFT_POINTS // (width * n)))
    offsets = (np.arange(k) + 0.5) / k
    centres = start * sr + (index[:, None] + offsets).ravel() * column
    out[:] = _pooled_rows(audio, centres, k, n, rows, report).T


def _pooled_rows(audio, centres: np.ndarray, k: int, n: int, rows: _RowMap, report):
    """(len(centres) // k, rows) float32: the rows' power of n-point frames centred on
    `centres` (samples), the largest of each k in a row, in batches of about CHUNK_POINTS;
    `report(groups done)` after each batch."""
    window = _window(n)
    parts = []
    per_chunk = k * max(1, CHUNK_POINTS // (k * n))
    for f0 in range(0, centres.size, per_chunk):
        f1 = min(centres.size, f0 + per_chunk)
        starts = np.rint(centres[f0:f1] - (n - 1) / 2.0).astype(np.int64)
        # Frames wholly outside the audio are silence: not worth a transform.
        live = (starts < audio.size) & (starts + n > 0)
        if live.all():
            magnitude = _magnitude(audio, starts, window, rows)
        else:
            magnitude = np.zeros((starts.size, rows.count), dtype=np.float32)
            if live.any():
                magnitude[live] = _magnitude(audio, starts[live], window, rows)
        if k > 1:
            magnitude = magnitude.reshape(-1, k, rows.count).max(axis=1)
        parts.append(_rows(np.square(magnitude, out=magnitude), rows))
        if report is not None:
            report(f1 // k)
    return np.concatenate(parts)

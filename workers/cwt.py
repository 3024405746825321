"""Analytic CWT at display resolution: views of 30 s or less.

One real FFT of the view plus a margin (cached across requests for the same region). Then,
per row, only the bins where that row's wavelet is above -60 dB are multiplied by it and
inverse-transformed into a short array (about twice the band's bins with Soma's Morlet, more
with flatter responses: ``points_per_bin``; and at least two points per column), whose power
is max-pooled into the output columns (``_Pooling``). That is the nonstationary-Gabor cost,
O(N log N + sum over rows of M log M), instead of one full-length inverse FFT per row; rows
whose short arrays have the same length share one batched 2-D ``scipy.fft.ifft`` call.
Everything is float32/complex64.

Each row's wavelet is a ``Wavelet``: its frequency response on an axis relative to the row's
centre frequency, so every row is the same response scaled to its own centre. Soma's own
(``morlet``, the default) is defined by ``morlet_response``: a Gaussian in linear frequency
centred on the row's frequency f, with standard deviation f / (HPBW_PER_SIGMA * q) so that q
is the centre frequency over the half-power bandwidth. It is cut where it falls to -60 dB,
and bent down by a parabola of that size so that it meets 0 there with zero slope (its
time-domain ringing stays far below the Gaussian). It is analytic (no negative frequencies)
and peaks at 2: L1 normalisation, under which a sine of amplitude A reads A on its ridge at
every frequency. A row whose band would reach past Nyquist loses that part: it still reads
sines below it at their level, but it is no longer a Gaussian and rings for longer.
PyWavelets' complex wavelets are ``Wavelet``s too (``workers.wavelets``), normalised the
same way.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.fft as sfft

from workers.rows import DEFAULT_SCALE, row_edges

GAUSS_CUT = math.sqrt(2.0 * math.log(1000.0))  # Gaussians are cut where they fall to -60 dB
HPBW_PER_SIGMA = 2.0 * math.sqrt(math.log(2.0))  # a Gaussian's half-power bandwidth / sigma
# Two equal sines a whole tone apart (so the 8th and 9th harmonics of a tone) show a 7 dB
# dip in mean power between them; q=34 separates semitones as well.
DEFAULT_Q = 16.0
Q_MIN = 3.0  # below ~2.3 the band would reach 0 Hz and the wavelet would stop being analytic
Q_MAX = 100.0
SUBROW_SPACING = 0.4  # analysed rows at most this many half-power bandwidths apart
MARGIN_SIGMAS = 5.0  # view margin, in time sigmas of the lowest row (-108 dB of its envelope)
# Short-array points per band bin of Soma's Morlet: points are then at most 0.42 time sigmas
# apart, so a peak between two reads at most 0.1 dB low (see points_per_bin for the others).
OVERSAMPLE = 2.0
MIN_POINTS_PER_COLUMN = 2  # so that every column a sample wide or more holds a point
MAX_SEGMENT = 2**25  # samples in the transformed view plus margins (12.7 min at 44.1 kHz)
BATCH_POINTS = 2**21  # complex points per batched inverse FFT: 16 MB
FFT_CACHE_BYTES = 2**26  # forward spectra kept across requests

CUT_GAIN = 1e-3  # -60 dB: where every row's response is cut to 0
_CENTRE_GAIN = 1.0 - CUT_GAIN * (1.0 + 0.5 * GAUSS_CUT**2)


def morlet_response(f: np.ndarray, fc: float, q: float) -> np.ndarray:
    """Frequency response of the wavelet of the row centred on ``fc``.

    Parameters
    ----------
    f : np.ndarray, Hz, any shape
    fc : float > 0, Hz, centre frequency
    q : float, centre frequency over half-power bandwidth

    Returns
    -------
    np.ndarray, float64, shape of ``f``
        2 at ``fc``, 0 where the Gaussian is below -60 dB (and at all negative frequencies).
    """
    x = (np.asarray(f, dtype=np.float64) - fc) * (HPBW_PER_SIGMA * q / fc)
    return np.where(np.abs(x) <= GAUSS_CUT, _shape(x), 0.0)


def _shape(x: np.ndarray) -> np.ndarray:
    """The response at x sigmas from the centre, for |x| <= GAUSS_CUT."""
    x2 = x * x
    # Minus the parabola that meets the Gaussian's value and slope at the cut: the response
    # then reaches 0 smoothly, and its time-domain ringing falls off as 1/t**3.
    shaped = np.exp(-0.5 * x2) - CUT_GAIN * (1.0 + 0.5 * GAUSS_CUT**2) + 0.5 * CUT_GAIN * x2
    return shaped * (2.0 / _CENTRE_GAIN)


@dataclass(frozen=True, eq=False)  # hashed by identity: each is built once, then cached
class Wavelet:
    """A CWT row's wavelet, given by its frequency response on the relative offset
    d = (f - fc) / fc from the row's centre frequency fc.

    The response is analytic (0 at every f <= 0), cut to 0 outside ``band``, and 2 at its peak,
    at fc: L1 normalisation, under which a sine of amplitude A reads A on its ridge.
    """

    name: str  # how messages name it
    band: tuple[float, float]  # (lowest, highest) d inside the -60 dB cut; -1 < lowest < 0
    hpbw: float  # half-power bandwidth over fc
    reach: float  # how far it matters on each side of its centre in time, in periods of fc
    points_per_bin: float  # short-array points per band bin (``points_per_bin``)
    response: Callable[[np.ndarray], np.ndarray]  # float32 d within band -> float32


@functools.lru_cache(maxsize=16)
def morlet(q: float) -> Wavelet:
    """Soma's Morlet of quality factor ``q`` (``morlet_response``) as a ``Wavelet``; its reach
    is MARGIN_SIGMAS time sigmas."""
    sigmas_per_d = np.float32(HPBW_PER_SIGMA * q)
    half = GAUSS_CUT / (HPBW_PER_SIGMA * q)
    return Wavelet(
        name=f"morlet at q={q:g}",
        band=(-half, half),
        hpbw=1.0 / q,
        reach=gaussian_reach(1.0 / (HPBW_PER_SIGMA * q * math.sqrt(2.0))),
        points_per_bin=OVERSAMPLE,  # what points_per_bin gives a Gaussian, exactly
        response=lambda d: _shape(d * sigmas_per_d),
    )


def gaussian_reach(rms_bandwidth: float) -> float:
    """Reach in periods of fc of a Gaussian response whose power has this RMS bandwidth (over
    fc): MARGIN_SIGMAS time sigmas, where its envelope is at -108 dB."""
    return MARGIN_SIGMAS / (2.0 * math.pi * math.sqrt(2.0) * rms_bandwidth)


def points_per_bin(rms_bandwidth: float, band_width: float) -> float:
    """Short-array points per band bin for a response whose power has this RMS bandwidth, on a
    band this wide (both over fc): OVERSAMPLE for a Gaussian, which puts points 0.42 time sigmas
    apart; proportionally more for flatter responses (a rectangle needs 3 times as many), so
    that points are as close in units of 1 / RMS bandwidth and a peak between two still reads
    within about 0.1 dB. Never fewer than OVERSAMPLE."""
    gaussian = 1.0 / (2.0 * math.sqrt(2.0) * GAUSS_CUT)  # its power's RMS over its band
    return OVERSAMPLE * max(1.0, rms_bandwidth / band_width / gaussian)


def analysis_rows(
    freqs: np.ndarray, wavelet: Wavelet, nyquist: float, scale: str = DEFAULT_SCALE
) -> tuple[np.ndarray, np.ndarray]:
    """The frequencies actually analysed for output rows ``freqs`` (evenly spaced on
    ``scale``, one of ``workers.rows.SCALES``), and where each row's begin among them.

    A row whose band (``workers.rows.row_edges``) is wider than SUBROW_SPACING half-power
    bandwidths is split into equal log steps across it and reads the largest of them, so
    that a partial between two rows still reads within 0.5 dB of its level instead of
    fading out. On a log axis every row is split alike; on a linear one the low rows, whose
    bands are many bandwidths wide, into more.

    Returns
    -------
    (np.ndarray float64, increasing, Hz, at most ``nyquist``: the analysed frequencies;
     np.ndarray intp (len(freqs),): the index of each row's first, for ``np.maximum.reduceat``)
    """
    if freqs.size < 2:
        return freqs, np.zeros(freqs.size, dtype=np.intp)
    edges = np.log(row_edges(freqs, scale))
    widths = np.diff(edges)
    split = np.ceil(widths / math.log1p(SUBROW_SPACING * wavelet.hpbw))
    counts = np.maximum(1, split).astype(np.intp)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    row = np.repeat(np.arange(freqs.size), counts)
    step = np.arange(row.size) - starts[row]  # the sub-row's place within its row
    rows = np.exp(edges[row] + (step + 0.5) / counts[row] * widths[row])
    return np.minimum(rows, nyquist), starts


def margin_samples(sr: int, fmin: float, wavelet: Wavelet) -> int:
    """Samples added on each side of a view so that its edge columns are right: the reach of
    the row centred on ``fmin`` (Hz), the lowest."""
    return math.ceil(wavelet.reach / fmin * sr)


def segment_length(
    sr: int,
    start: float,
    end: float,
    freqs: np.ndarray,
    wavelet: Wavelet,
    scale: str = DEFAULT_SCALE,
) -> int:
    """Length in samples of the forward FFT for a view (compare with MAX_SEGMENT)."""
    lowest = float(analysis_rows(freqs, wavelet, sr / 2, scale)[0][0])
    margin = margin_samples(sr, lowest, wavelet)
    return sfft.next_fast_len(math.ceil(end * sr) - math.floor(start * sr) + 2 * margin, real=True)


def _short_length(n: int) -> int:
    """Smallest of 4, 5, 6 or 7 times a power of two that is >= n: FFT-friendly, few enough
    distinct lengths to batch rows, and at most 25 % padding."""
    p = 1 << max(0, math.ceil(math.log2(n)) - 3)
    return next(k * p for k in (4, 5, 6, 7, 8) if k * p >= n)


class _Band(NamedTuple):
    first: int  # first bin of the band in the forward rfft
    weights: np.ndarray  # float32 response on the band's bins, including the 1/N of the inverse
    length: int  # short inverse FFT length


@functools.lru_cache(maxsize=4)
def _bands(n: int, sr: int, freqs_key: bytes, wavelet: Wavelet, column: float) -> tuple[_Band, ...]:
    """Each row's wavelet sampled on the bins of an n-point rfft, for columns of `column`
    samples (cached across requests of the same region and rows)."""
    freqs = np.frombuffer(freqs_key, dtype=np.float64)
    nyquist_bin = n // 2
    # Columns narrower than a sample need no more than a few points per sample.
    min_points = MIN_POINTS_PER_COLUMN * n / max(column, 1.0)
    bands = []
    lowest, highest = wavelet.band
    for fc in freqs:
        centre = fc * n / sr
        first = max(0, math.ceil(centre * (1.0 + lowest)))
        last = min(nyquist_bin, math.floor(centre * (1.0 + highest)))
        # Every bin of the band is within the cut, so the response needs no bounds check;
        # float32, because evaluating it on every band bin is the expensive part.
        d = (np.arange(first, last + 1, dtype=np.float32) - np.float32(centre)) / np.float32(centre)
        weights = wavelet.response(d) * np.float32(1.0 / n)
        length = _short_length(math.ceil(max(wavelet.points_per_bin * weights.size, min_points)))
        bands.append(_Band(first, weights, length))
    return tuple(bands)


class _SpectrumCache:
    """Forward rffts of recent segments, keyed by a digest of their samples (so a region asked
    for again with another height, range or q skips the forward FFT), within a byte budget."""

    def __init__(self, budget: int):
        self._budget = budget
        self._items: OrderedDict[tuple[bytes, int], np.ndarray] = OrderedDict()

    def get(self, segment: np.ndarray) -> np.ndarray:
        key = (hashlib.blake2b(segment.data, digest_size=16).digest(), segment.size)
        spectrum = self._items.get(key)
        if spectrum is not None:
            self._items.move_to_end(key)
            return spectrum
        spectrum = sfft.rfft(segment)
        spectrum.flags.writeable = False
        self._items[key] = spectrum
        while sum(s.nbytes for s in self._items.values()) > self._budget and len(self._items) > 1:
            self._items.popitem(last=False)
        if spectrum.nbytes > self._budget:
            self._items.pop(key)
        return spectrum

    def clear(self) -> None:
        self._items.clear()


_spectra = _SpectrumCache(FFT_CACHE_BYTES)


def clear_caches() -> None:
    """Forget cached forward spectra and wavelet bands."""
    _spectra.clear()
    _bands.cache_clear()


def _segment(audio: np.ndarray, s0: int, n: int) -> np.ndarray:
    """audio[s0:s0 + n] as float32, zero where that runs off either end."""
    if s0 >= 0 and s0 + n <= audio.size:
        return audio[s0 : s0 + n]
    out = np.zeros(n, dtype=np.float32)
    a, b = max(0, -s0), min(n, audio.size - s0)
    if b > a:
        out[a:b] = audio[s0 + a : s0 + b]
    return out


class _Pooling:
    """Max-pooling of a row's short array into columns, as if it were sampled at every sample.

    A column takes the largest of the points inside it and of its first and last samples. Those
    two are interpolated from the four points around them (cubic Lagrange on the complex
    values, which the twice-oversampled band makes smooth; the envelope itself is not, near a
    null). Without them, a column whose largest value sits at its edge (the flank of any event
    about as long as the column) would read it up to a point spacing away: several dB low.
    """

    def __init__(self, edges: np.ndarray, rate: float):
        # edges: column edges in samples from the segment start; rate: points per sample.
        first = np.ceil(edges[:-1])
        last = np.maximum(first, np.ceil(edges[1:]) - 1)
        # Points from a column's first sample to its last: the ones between its last sample
        # and the next column's first belong to neither (a click there would otherwise read
        # in both, a sample nearer than any sample of the column is).
        inner = np.stack((np.ceil(first * rate), np.floor(last * rate) + 1), axis=1).ravel()
        ends = np.concatenate((first, last)) * rate
        left = np.floor(ends).astype(np.intp)
        # The view's margin keeps all of these inside the short array.
        self.lo = int(min(inner[0], left.min())) - 1
        self.hi = int(max(inner[-1] + 1, left.max() + 3))
        self.stop = int(inner[-1]) + 1 - self.lo  # one past the last bound, which is dropped
        # Every column holds a point unless it is narrower than a sample; such a column reads
        # the nearest point after it (or, at the very end, before it).
        self.bounds = np.minimum(inner.astype(np.intp) - self.lo, self.stop - 1)
        self.taps = (left - self.lo)[:, None] + np.arange(-1, 3)
        f = (ends - left)[:, None]
        self.weights = np.hstack(
            (
                -f * (f - 1) * (f - 2) / 6,
                (f + 1) * (f - 1) * (f - 2) / 2,
                -(f + 1) * f * (f - 2) / 2,
                (f + 1) * f * (f - 1) / 6,
            )
        ).astype(np.float32)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """(rows, points) complex64 -> (rows, columns) float32 power."""
        view = z[:, self.lo : self.hi]
        # The largest magnitude, squared: np.abs is one vectorised pass over the points, about
        # half the time of re**2 + im**2, and squaring after the max changes no result.
        pooled = np.maximum.reduceat(np.abs(view[:, : self.stop]), self.bounds, axis=1)[:, ::2]
        np.square(pooled, out=pooled)
        ends = np.einsum("rjk,jk->rj", view[:, self.taps], self.weights)
        ends = (np.square(ends.real) + np.square(ends.imag)).reshape(z.shape[0], 2, -1)
        return np.maximum(pooled, ends.max(axis=1), out=pooled)


def cwt_power(
    audio: np.ndarray,
    sr: int,
    start: float,
    end: float,
    freqs: np.ndarray,
    width: int,
    wavelet: Wavelet,
    report=None,
    scale: str = DEFAULT_SCALE,
) -> np.ndarray:
    """Max-pooled CWT power on the given rows.

    Parameters
    ----------
    audio : np.ndarray, float32, (samples,)
    sr : int, Hz
    start, end : float, seconds, the view (may extend beyond the audio)
    freqs : np.ndarray, float64, (height,), Hz, row centres up to sr / 2, evenly spaced on
        ``scale`` (one of ``workers.rows.SCALES``)
    width : int, columns
    wavelet : Wavelet, every row's (``morlet(q)`` or one of ``workers.wavelets``)
    report : callable(done, total) or None, told the analysis rows done after each batch
    scale : the axis the rows are evenly spaced on, which sets each row's band

    Returns
    -------
    np.ndarray, float32, (height, width)
        Power in full-scale-sine units (a sine of peak amplitude A reads A**2 on its ridge):
        per row and column, the largest |W|**2 over the column's samples (see ``_Pooling``).
        With Soma's Morlet, points are at most 0.42 time sigmas apart, so a peak inside a
        column reads within 0.1 dB. Where a row is split into sub-rows (``analysis_rows``),
        the largest of them.
    """
    rows, firsts = analysis_rows(freqs, wavelet, sr / 2, scale)
    s0 = math.floor(start * sr) - margin_samples(sr, float(rows[0]), wavelet)
    n = segment_length(sr, start, end, freqs, wavelet, scale)
    column = (end - start) * sr / width
    spectrum = _spectra.get(_segment(audio, s0, n))
    bands = _bands(n, sr, rows.tobytes(), wavelet, column)
    # Column edges in samples from the segment start.
    edges = (start * sr - s0) + np.arange(width + 1) * column
    out = np.empty((rows.size, width), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    done = 0
    for row, band in enumerate(bands):
        by_length.setdefault(band.length, []).append(row)
    for length, members in by_length.items():
        pooling = _Pooling(edges, length / n)
        per_batch = max(1, BATCH_POINTS // length)
        for b0 in range(0, len(members), per_batch):
            batch = members[b0 : b0 + per_batch]
            z = np.zeros((len(batch), length), dtype=np.complex64)
            for i, row in enumerate(batch):
                band = bands[row]
                # The band is centred on 0 Hz of the short array (a frequency shift, which |W|
                # ignores), so the points vary as slowly as they can between each other.
                half = band.weights.size // 2
                head = spectrum[band.first : band.first + band.weights.size]
                np.multiply(head[:half], band.weights[:half], out=z[i, length - half :])
                np.multiply(head[half:], band.weights[half:], out=z[i, : head.size - half])
            z = sfft.ifft(z, axis=1, overwrite_x=True, norm="forward")
            out[batch] = pooling(z)
            if report is not None:
                done += len(batch)
                report(done, rows.size)
    if rows.size > freqs.size:
        out = np.maximum.reduceat(out, firsts, axis=0)
    return out

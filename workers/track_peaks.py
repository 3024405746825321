"""Spectral peaks for the partial tracker: a multi-resolution analysis on a 5 ms grid.

``SpanAnalyser.peaks`` takes ``SPAN_SECONDS`` of audio (the frames of its middle
``CORE_SECONDS`` plus a margin on each side) and returns, for each 5 ms frame of the core,
the spectral peaks standing above the local noise floor, with reassigned frequency and
interpolated amplitude:

1. One real FFT of the span. Each frequency band of ``BANDS`` takes its bins (plus a guard of
   ``GUARD_SIGMAS`` of its window's frequency sigma on each side, tapered), doubled (the
   analytic signal), shifted to baseband and inverse-transformed at a rate just above its
   width: the band's complex signal, as ``workers.cwt`` makes each row's. Every band's rate
   is a multiple of 200 Hz, so the 5 ms hop is a whole number of its samples.
2. Each band has its own Gaussian window (time sigma ``sigma_t``): long where partials are
   close in Hz and move slowly in Hz (a 41 Hz bass's harmonics), short where they move fast
   (the 10th harmonic of a vibrato). So the user never chooses a window. Windows are cut at
   ``WINDOW_SIGMAS`` sigmas (-108 dB), below any level the tracker keeps. The frames of the
   band are two short FFTs each: the windowed signal and the signal under the window's time
   derivative.
3. Peaks: bins above both neighbours, inside the band's own range. The frequency is the
   reassigned one, f = f_bin - Im(X_dh / X_h) / (2 pi): the phase derivative the snap uses,
   exact for a stationary sinusoid and, with a Gaussian, for a linear chirp at the frame's
   centre. The amplitude is the top of the parabola through the log magnitudes of the three
   bins (exact for a Gaussian window), over the window's gain: a sine of peak amplitude A
   reads 20*log10(A) dBFS, as the snap's points do.
4. Noise floor, per band and frame: the ``NOISE_PERCENTILE``-th percentile of the power over
   blocks of ``FLOOR_BLOCK_SIGMAS`` frequency sigmas (a lone partial or a harmonic series with
   resolved partials fills well under that share of a block, so the percentile is the noise or
   the valleys), then the median over ``FLOOR_MEDIAN_SECONDS`` of frames. A peak is kept if its
   power is ``threshold_db`` above the floor of its block, within ``DYNAMIC_RANGE_DB`` of the
   frame's loudest peak (the window's own skirts of a loud partial in a noiseless sound) and
   above ``ABSOLUTE_FLOOR_DB``.

Pure numpy/scipy: no GUI code, of app only app.base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from scipy.ndimage import median_filter

HOP = 0.005  # s, the output grid (the snap's default hop)
SPAN_SECONDS = 2  # analysed per FFT, margins included: whole seconds, so bins fall on 0.5 Hz
MARGIN_SECONDS = 0.25  # each side: the longest window's half (5 x 24 ms) and the guard's ring
CORE_SECONDS = SPAN_SECONDS - 2 * MARGIN_SECONDS
FRAMES_PER_SPAN = round(CORE_SECONDS / HOP)
# (lowest Hz, highest Hz, window time sigma s). A band's frequency sigma is 1/(2 pi sigma_t):
# 6.6 Hz below 160 Hz resolves a 41 Hz bass's harmonics (6 sigmas apart), 11 Hz up to 640 Hz
# the harmonics of a voice at 80 Hz; shorter windows above follow the fast frequency
# changes of high harmonics under vibrato (at 5 ms a 10th harmonic sweeping 5 kHz/s
# smears by less than its width).
BANDS = (
    (0.0, 160.0, 0.024),
    (160.0, 640.0, 0.014),
    (640.0, 2560.0, 0.008),
    (2560.0, 10240.0, 0.005),
    (10240.0, math.inf, 0.0035),
)
WINDOW_SIGMAS = 5.0  # the Gaussian is cut here: -108 dB
GUARD_SIGMAS = 8.0  # band guard, in frequency sigmas: tapered over its outer half
RATE_HEADROOM = 1.15  # baseband rate over the extracted width
NOISE_PERCENTILE = 20.0
FLOOR_BLOCK_SIGMAS = 40.0  # frequency sigmas per noise-floor block
FLOOR_MEDIAN_SECONDS = 0.1
DYNAMIC_RANGE_DB = 90.0
TIME_OFFSET_SIGMAS = 0.5
ABSOLUTE_FLOOR_DB = -120.0
_TINY = 1e-30


@dataclass(frozen=True)
class _Band:
    own_lo: float  # Hz: peaks whose bin lies in [own_lo, own_hi) are this band's
    own_hi: float
    sigma_t: float  # s
    first_bin: int  # span rfft bins first_bin .. first_bin + weights.size - 1
    weights: np.ndarray  # float64 taper times the analytic factor 2 / n_span * rate_samples
    centre_bin: int  # the span bin moved to baseband 0 Hz
    rate_samples: int  # baseband samples over the span
    window: np.ndarray  # float64 Gaussian, (w,)
    dwindow: np.ndarray  # its time derivative, per second, (w,)
    nfft: int
    bin_hz: np.ndarray  # absolute frequency of each shifted FFT bin, (nfft,)
    own: slice  # the shifted bins this band owns
    gain: float  # sum of the window: a sine of amplitude A peaks at A * gain
    block: int  # bins per noise-floor block


class SpanAnalyser:
    """Peaks of successive spans of one sound (see the module docstring).

    Parameters
    ----------
    sr : int, sample rate Hz
    fmin, fmax : float, Hz, 0 < fmin < fmax <= sr / 2: the frequencies peaks may have
    threshold_db : float, dB over the local noise floor a peak must stand
    """

    def __init__(self, sr: int, fmin: float, fmax: float, threshold_db: float):
        self.sr = sr
        self.span_samples = SPAN_SECONDS * sr
        self.threshold = 10.0 ** (threshold_db / 10.0)
        self.bands = [
            band
            for lo, hi, sigma_t in BANDS
            if (band := _plan_band(sr, max(lo, fmin), min(hi, fmax), sigma_t)) is not None
        ]

    def peaks(self, span: np.ndarray, frames: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Peaks of the first ``frames`` core frames of one span.

        Parameters
        ----------
        span : np.ndarray, float32, shape (SPAN_SECONDS * sr,): samples from MARGIN_SECONDS
            before the first frame's time
        frames : int, 1 .. FRAMES_PER_SPAN

        Returns
        -------
        list of ``frames`` pairs (frequency Hz float64 (p,), amplitude dBFS float64 (p,)),
        sorted by frequency.
        """
        spectrum = sfft.rfft(span.astype(np.float64))
        per_band = [self._band_peaks(band, spectrum, frames) for band in self.bands]
        out = []
        for k in range(frames):
            freq = np.concatenate([p[0][k] for p in per_band])
            level = np.concatenate([p[1][k] for p in per_band])
            if freq.size:
                loud = level >= level.max() - DYNAMIC_RANGE_DB
                freq, level = freq[loud], level[loud]
                order = np.argsort(freq)
                freq, level = freq[order], level[order]
            out.append((freq, level))
        return out

    def _band_peaks(self, band: _Band, spectrum: np.ndarray, frames: int):
        """Per frame: the kept peaks' frequencies (Hz) and levels (dBFS)."""
        m = band.rate_samples
        placed = np.zeros(m, dtype=np.complex128)
        bins = spectrum[band.first_bin : band.first_bin + band.weights.size] * band.weights
        offsets = (np.arange(band.weights.size) + band.first_bin - band.centre_bin) % m
        placed[offsets] = bins
        signal = sfft.ifft(placed)
        rate = m / SPAN_SECONDS
        hop = round(HOP * rate)
        half = band.window.size // 2
        centres = round(MARGIN_SECONDS * rate) + hop * np.arange(frames)
        index = centres[:, None] + np.arange(-half, half + 1)
        chunk = signal[index]
        x = sfft.fftshift(sfft.fft(chunk * band.window, band.nfft, axis=1), axes=1)
        xd = sfft.fftshift(sfft.fft(chunk * band.dwindow, band.nfft, axis=1), axes=1)
        power = x.real**2 + x.imag**2
        floor = _noise_floor(power[:, band.own], band.block, rate)
        own = power[:, band.own]
        inner = own[:, 1:-1]
        is_peak = (inner > own[:, :-2]) & (inner >= own[:, 2:])
        is_peak &= inner >= self.threshold * floor[:, 1:-1]
        fr, col = np.nonzero(is_peak)
        k = col + 1 + band.own.start  # in the shifted spectrum
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = xd[fr, k] / x[fr, k]
            freq = band.bin_hz[k] - ratio.imag / (2.0 * np.pi)
            # The window's derivative is -tau / sigma_t**2 times it: the same ratio gives the
            # energy's centre in time relative to the frame's (time reassignment).
            offset = -(band.sigma_t**2) * ratio.real
            a = np.log(power[fr, k - 1] + _TINY)
            b = np.log(power[fr, k] + _TINY)
            c = np.log(power[fr, k + 1] + _TINY)
            denom = a - 2.0 * b + c
            p = np.where(denom < 0, 0.5 * (a - c) / denom, 0.0)
            top = b - 0.25 * (a - c) * p  # ln power at the parabola's top
            level = (10.0 / np.log(10.0)) * top - 20.0 * np.log10(band.gain)
        good = (
            np.isfinite(freq)
            & (freq >= band.own_lo)
            & (freq < band.own_hi)
            & (level >= ABSOLUTE_FLOOR_DB)
            & (np.abs(offset) <= TIME_OFFSET_SIGMAS * band.sigma_t)
        )
        fr, freq, level = fr[good], freq[good], level[good]
        split = np.searchsorted(fr, np.arange(1, frames))
        return np.split(freq, split), np.split(level, split)


def _noise_floor(power: np.ndarray, block: int, rate: float) -> np.ndarray:
    """(frames, bins) power -> (frames, bins) floor: the NOISE_PERCENTILE-th percentile over
    blocks of ``block`` bins (the last block takes the remainder), the median of that over
    FLOOR_MEDIAN_SECONDS of frames."""
    frames, bins = power.shape
    blocks = max(1, bins // block)
    edges = np.linspace(0, bins, blocks + 1).astype(int)
    floors = np.empty((frames, blocks))
    for i in range(blocks):
        floors[:, i] = np.percentile(power[:, edges[i] : edges[i + 1]], NOISE_PERCENTILE, axis=1)
    size = max(1, round(FLOOR_MEDIAN_SECONDS / HOP))
    floors = median_filter(floors, size=(min(size, 2 * frames - 1) | 1, 1), mode="nearest")
    return np.repeat(floors, np.diff(edges), axis=1)


def _plan_band(sr: int, own_lo: float, own_hi: float, sigma_t: float) -> _Band | None:
    """The band's extraction, rate and window; None when [own_lo, own_hi) is empty."""
    nyquist = sr / 2.0
    own_hi = min(own_hi, nyquist)
    if own_hi <= own_lo:
        return None
    sigma_f = 1.0 / (2.0 * math.pi * sigma_t)
    guard = GUARD_SIGMAS * sigma_f
    lo = max(own_lo - guard, 0.0)
    hi = min(own_hi + guard, nyquist)
    first_bin = math.floor(lo * SPAN_SECONDS)
    last_bin = math.ceil(hi * SPAN_SECONDS)
    n_span = SPAN_SECONDS * sr
    freqs = np.arange(first_bin, last_bin + 1) / SPAN_SECONDS
    # Raised-cosine taper over the guard's outer half on each side (not at 0 Hz or Nyquist).
    taper = np.ones(freqs.size)
    ramp = guard / 2.0
    for edge, outward in ((own_lo - ramp, -1.0), (own_hi + ramp, 1.0)):
        beyond = np.clip((freqs - edge) * outward / ramp, 0.0, 1.0)
        taper *= 0.5 * (1.0 + np.cos(np.pi * beyond))
    width = (last_bin - first_bin + 1) / SPAN_SECONDS
    step = 200 * SPAN_SECONDS  # baseband samples a multiple of this: a whole-sample hop
    rate_samples = step * math.ceil(RATE_HEADROOM * width * SPAN_SECONDS / step)
    rate = rate_samples / SPAN_SECONDS
    centre_bin = round((first_bin + last_bin) / 2)
    half = math.ceil(WINDOW_SIGMAS * sigma_t * rate)
    tau = np.arange(-half, half + 1) / rate
    window = np.exp(-0.5 * (tau / sigma_t) ** 2)
    nfft = sfft.next_fast_len(window.size)
    bin_hz = centre_bin / SPAN_SECONDS + sfft.fftshift(sfft.fftfreq(nfft, 1.0 / rate))
    own_bins = np.flatnonzero((bin_hz >= own_lo) & (bin_hz < own_hi))
    if own_bins.size < 3:
        return None
    # One neighbour on each side so that edge bins can be tested as peaks.
    own = slice(max(int(own_bins[0]) - 1, 0), min(int(own_bins[-1]) + 2, nfft))
    bins_per_sigma = sigma_f / (rate / nfft)
    return _Band(
        own_lo=own_lo,
        own_hi=own_hi,
        sigma_t=sigma_t,
        first_bin=first_bin,
        weights=taper * (2.0 / n_span) * rate_samples,
        centre_bin=centre_bin,
        rate_samples=rate_samples,
        window=window,
        dwindow=-tau / sigma_t**2 * window,
        nfft=nfft,
        bin_hz=bin_hz,
        own=own,
        gain=float(window.sum()),
        block=max(8, round(FLOOR_BLOCK_SIGMAS * bins_per_sigma)),
    )

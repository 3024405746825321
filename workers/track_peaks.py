"""Spectral peaks for the partial tracker: an adaptive multi-resolution analysis on a 5 ms grid.

``SpanAnalyser.peaks`` takes ``SPAN_SECONDS`` of audio (the frames of its middle
``CORE_SECONDS`` plus a margin on each side) and returns, for each 5 ms frame of the core,
the spectral peaks standing above the local noise floor, with reassigned frequency and
interpolated amplitude (``SpanPeaks``, flat arrays with each frame's offsets):

1. One real FFT of the span. Each frequency band of ``BANDS`` takes its bins (plus a guard of
   ``GUARD_SIGMAS`` of its shortest window's frequency sigma on each side, tapered), doubled
   (the analytic signal), shifted to baseband and inverse-transformed at a rate just above its
   width: the band's complex signal, as ``workers.cwt`` makes each row's. Every band's rate
   is a multiple of 200 Hz, so the 5 ms hop is a whole number of its samples. A band finds
   peaks up to ``OVERLAP_SIGMAS`` beyond its own range, and of a partial two neighbouring
   bands found near their common edge one reading is kept (``_one_per_edge``), so a partial
   wobbling across an edge neither falls between the bands nor is found twice.
2. Each band is analysed with a few Gaussian windows (its *levels*, time sigmas from long to
   short): long ones resolve partials close in frequency (a 41 Hz bass's harmonics, two tones
   25 cents apart), short ones follow partials whose frequency moves fast (the 10th harmonic
   of a deep vibrato). Windows are cut at ``WINDOW_SIGMAS`` sigmas (-108 dB). Each frame of a
   level is two short FFTs: the windowed signal and the signal under the window's time
   derivative.
3. Peaks: bins above both neighbours, inside the band's own range. The frequency is the
   reassigned one, f = f_bin - Im(X_dh / X_h) / (2 pi): the phase derivative the snap uses,
   exact for a stationary sinusoid and, with a Gaussian, for a linear chirp at the frame's
   centre. The same ratio gives the energy's centre in time, t = sigma_t**2 Re(X_dh / X_h)
   from the frame's: a peak more than ``TIME_OFFSET_SIGMAS`` sigmas off is the edge of a
   sound starting or ending, or a click, and is dropped. The amplitude is the top of the
   parabola through the log power of the three bins over the window's gain (exact for a
   Gaussian): a sine of peak amplitude A reads 20*log10(A) dBFS, as the snap's points do.
   The parabola's curvature over a stationary sine's is the peak's *sharpness*: 1 for a
   steady partial, 1 / (1 + (2 pi c sigma_t**2)**2) for one sweeping c Hz/s, which also reads
   low by the fourth root of that, restored.
4. Levels are merged from the longest: a peak is kept if it is sharp (at least
   ``SHARP``, so the window suits it), not one of a comb (``_comb``: a vibrato's sidebands,
   which a long window resolves into sharp peaks of their own: at least three, two of them
   above the threshold), near a peak of the next shorter level (its *parent*: within
   ``PARENT_SIGMAS`` of its frequency sigma, above its noise floor or not, as crowded
   harmonics fill a short window's valleys: where the partial is now, which a sideband far
   out in a deep vibrato is not), and no kept peak of a longer level lies within
   ``CLAIM_SIGMAS`` of this level's frequency sigma (which would be the same partial, or two
   partials this window cannot separate); the shortest level's peaks need not be sharp. So
   each partial is read with the longest window that suits it, with no window size to choose.
   The longest levels (those not split) also drop the few sidebands of a shallow vibrato,
   told by where their parent lies (``_sidebands``).
   Before that, at each level but a band's shortest, up to ``SPLIT_MAX_SIGMA_T``, a peak two
   partials may have made (broad, or off its parabola, or one of two strong peaks within 2.5
   frequency sigmas: partials crossing, or beating within the window) is fitted with two
   steady partials (``_split``, the fits in ``workers.peak_fit``): a steady sinusoid's
   spectrum under a Gaussian is a known Gaussian kernel, so two are the complex sum of two
   kernels, fitted by their frequencies (the amplitudes solved for each) over +-3 sigmas of
   bins. The peak is replaced by the two when they leave under a tenth of what the best
   single partial with a linear sweep (a Gaussian of complex width, which a lone glide is)
   leaves, that being well above both the noise and a lone partial's own modulation, and both
   stand above the floor within ``MASKED_DB`` of each other. Such a pair is sharp
   (sharpness 1). Two gliding partials 20 Hz apart at 250 Hz, one broad peak at 15 ms and
   6 ms alike, are so read to within about 1 Hz each.
5. Noise floor, per level and frame: the ``NOISE_PERCENTILE``-th percentile of the power over
   blocks of ``FLOOR_BLOCK_SIGMAS`` frequency sigmas (a lone partial or a harmonic series with
   resolved partials fills well under that share of a block, so the percentile is the noise or
   the valleys), on frames ``FLOOR_STEP_SECONDS`` apart, then the median over
   ``FLOOR_MEDIAN_SECONDS`` of those; a frame takes the floor of the last one. A peak is kept if its
   power is ``threshold_db`` above the floor of its block, or above the longest level's floor
   scaled to its window's noise bandwidth (where partials crowd a short window, its floor is
   their skirts; the longest window resolves them and sees the noise), within
   ``DYNAMIC_RANGE_DB`` of the frame's loudest peak (the window's own skirts of a loud partial
   in a noiseless sound), not masked (``_masked``) and above ``ABSOLUTE_FLOOR_DB``.
   Peaks are only looked for on the frames where some level of the band has a bin above the
   threshold (``_active_rows``): the other frames' cannot change what the band keeps. The
   spectra and floors, which that test needs, are computed on every frame; the peaks' own
   work (the second FFT, the reassignment, the fits and the merging) is skipped in silence,
   noise and the bands a sound leaves empty.

Pure numpy/scipy: no GUI code, of app only app.base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.fft as sfft
from numpy.lib.stride_tricks import sliding_window_view

from workers.medians import running_median
from workers.peak_fit import chirp_residual, two_partials
from workers.track_grid import BANDS, HOP, MARGIN_SECONDS, SPAN_SECONDS, SpanPeaks

WINDOW_SIGMAS = 5.0  # the Gaussian is cut here: -108 dB
# A level is computed every round(sigma_t / (STRIDE_SIGMA_HOPS * HOP)) frames: every 4th for
# 100 ms (its window moves by a fifth of a sigma, its peaks by nothing measurable), every one
# for 30 ms and shorter.
STRIDE_SIGMA_HOPS = 5.0
GUARD_SIGMAS = 6.0  # band guard, in frequency sigmas of its shortest window, tapered
# Each band also finds peaks this many of its shortest window's frequency sigmas beyond its
# own range, and of a partial found by two bands near their edge one reading is kept
# (``_one_per_edge``): read by one band or the other as it wobbled across an edge, a
# partial fell between them or was found twice (a minute of the voice-like tone, whose
# harmonics drift across 160, 640 and 2560 Hz: 7.8 tracks per true partial, 5.5 with this).
OVERLAP_SIGMAS = 1.0
NYQUIST_SIGMAS = 2.0  # no peaks this many frequency sigmas of the shortest window from Nyquist
RATE_HEADROOM = 1.15  # baseband rate over the extracted width
TIME_OFFSET_SIGMAS = 0.8
SHARP = 0.7  # a peak at least this sharp is read at its level: 2 pi c sigma_t**2 < 0.65
CLAIM_SIGMAS = 1.5
# Of the next shorter level's frequency sigma: how near its peak a longer level's must lie.
# Measured on tests/track_cases.py and its variants: 1.5 let a minute of the voice-like tone
# keep long windows' readings of its vibrato's sidebands, which claimed the partial from the
# shorter windows (3.7 tracks per true partial); 1.25: 2.5, every other case as good or
# better; 1.0: 2.7, and the 8-harmonic crossing in 1.31 tracks per partial.
PARENT_SIGMAS = 1.25
COMB_RANGE_DB = 40.0
COMB_SIGMAS = 1.5  # of the next shorter level: the reach within which sidebands are counted
MASKED_DB = 20.0  # below the loudest of a comb's cluster; and of a neighbour (``_masked``)
# A pair of a long window's peaks, the weaker this much below the other, is a partial and
# one sideband of its vibrato (+-15 cents at 5 Hz: the first sidebands 12 dB down), not two
# partials: the weaker is dropped (a minute of the voice-like tone: 5.5 -> 3.7 tracks per
# true partial; two partials closer than the next shorter window resolves and 6 dB apart
# lose the weaker).
SIDEBAND_DB = 6.0
NOISE_PERCENTILE = 20.0
FLOOR_BLOCK_SIGMAS = 40.0  # frequency sigmas per noise-floor block
FLOOR_MEDIAN_SECONDS = 0.1
# The floor is estimated on frames this far apart (or the level's own, if further): every
# level's median then takes 5 estimates, as the 100 ms windows' always did. Estimated on
# every 5 ms frame, the floors were a fifth of the peak stage's work (a minute of the voice:
# 1.94 -> 1.56 s of CPU), and every case of tests/track_cases.py scores the same.
FLOOR_STEP_SECONDS = 0.02
DYNAMIC_RANGE_DB = 80.0
MASK_CENTS = 100.0
MASK_NEIGHBOURS = 4  # peaks checked on each side
# Splitting two partials merged into one peak (step 4, ``_split``), measured on
# tests/track_cases.py. Levels up to 50 ms are split: the 100 ms ones never split a crossing's
# pair (gliding partials are chirps there, 2 pi c sigma_t**2 about 2.6, not two steady
# kernels) and held three quarters of the fitting's work on the voice.
SPLIT_MAX_SIGMA_T = 0.05  # s
SPLIT_BINS = 5  # fitted: the peak's bin and this many each side, 3.1 frequency sigmas (every
# level has 1.6 bins a sigma)
SPLIT_PAIR_BINS = 4  # two strong peaks this close (2.5 sigmas) are fitted as one pair
SPLIT_DEVIATION = 0.05  # ln power two bins out off the peak's parabola that marks a peak
SPLIT_MISFIT = 0.002  # share of the energy one partial must leave unexplained: a lone
# partial's own modulation left 0.03-0.06 % on the voice; two equal partials 1 sigma apart
# leave 0.3 % (median over their phases), 1.5 sigmas 2 %
SPLIT_NOISE = 10.0  # ... and that residual over the floor's power in the fitted bins
SPLIT_RATIO = 0.1  # two partials must leave at most this share of one's residual
SPLIT_MIN_SIGMAS = 0.25  # separations, in frequency sigmas, two partials may be split at
SPLIT_MAX_SIGMAS = 3.0

ABSOLUTE_FLOOR_DB = -120.0
_FRAME_KEY = 1e6  # Hz: frame * _FRAME_KEY + frequency sorts peaks by frame, then frequency
# (sorted with kind="stable", numpy's timsort: peaks come by frame, then bin, so their keys
# are nearly sorted already and timsort runs through them in about one pass)
_TINY = 1e-30


@dataclass(frozen=True)
class _Level:
    sigma_t: float  # s
    window: np.ndarray  # float32 Gaussian, zero-padded to (nfft,)
    dwindow: np.ndarray  # its time derivative, per second, (nfft,)
    nfft: int
    half: int  # the window's centre sample
    stride: int  # computed every this many frames
    own_index: np.ndarray  # the FFT bins the band owns, increasing in frequency, with one
    # neighbour on each side
    own_hz: np.ndarray  # their absolute frequencies
    gain: float  # sum of the window: a sine of amplitude A peaks at A * gain
    window_power: float  # sum of the window squared: white noise of variance s2 reads s2 * this
    curvature: float  # second difference of ln power across bins at a steady sine's peak
    block: int  # bins per noise-floor block


class _Floor(NamedTuple):
    """A level's noise floor (``_noise_floor``): one value per frame and block of bins."""

    blocks: np.ndarray  # (computed frames, blocks)
    block_of: np.ndarray  # int (own bins,): each bin's block

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The floor at those computed frames and bins."""
        return self.blocks[rows, self.block_of[cols]]


class _LevelPeaks(NamedTuple):
    frame: np.ndarray  # int, (p,): the computed frame's index (every stride-th frame)
    freq: np.ndarray  # Hz, reassigned
    dbfs: np.ndarray
    sharpness: np.ndarray
    strong: np.ndarray  # bool: above the noise floor by the threshold
    power: np.ndarray  # the peak bin's power over the window's gain squared
    density: _Floor  # the floor as white-noise variance
    own_hz: np.ndarray  # density's bins' frequencies
    stride: int
    noise_gain: float  # sum of the window squared over its gain squared

    def floor_at(self, frame: np.ndarray, freq: np.ndarray) -> np.ndarray:
        """The floor (white-noise variance) this level saw at those frames and frequencies."""
        row = np.minimum(frame // self.stride, self.density.blocks.shape[0] - 1)
        col = np.clip(np.searchsorted(self.own_hz, freq), 0, self.own_hz.size - 1)
        return self.density.at(row, col)

    def on_frames(self, which: np.ndarray, frames: int) -> tuple[np.ndarray, np.ndarray]:
        """Peaks ``which`` (bool, (p,)) on the output's frames: each computed frame's peaks
        stand for the ``stride`` frames nearest it, within [0, frames). Returns (frame int,
        index int: the peak's in this level's arrays), sorted by frame, a frame's peaks in
        the level's order (by bin, so by frequency but where a reassigned frequency passed
        a neighbour's)."""
        index = np.flatnonzero(which)
        if self.stride == 1:
            return self.frame[index], index
        cover, inside = _covered(self.frame[index], self.stride, frames)
        fr, inside = cover.T.ravel(), inside.T.ravel()  # a shift's peaks, then the next's
        index = np.tile(index, self.stride)
        order = np.argsort(fr[inside], kind="stable")  # a frame's keep the level's order
        return fr[inside][order], index[inside][order]


@dataclass(frozen=True)
class _Band:
    own_lo: float  # Hz: peaks whose frequency lies in [own_lo, own_hi) are this band's
    own_hi: float
    reach_lo: float  # Hz: the band finds peaks in [reach_lo, reach_hi), its own range and
    reach_hi: float  # OVERLAP_SIGMAS of its shortest window's frequency sigma beyond it
    first_bin: int  # span rfft bins first_bin .. first_bin + weights.size - 1
    weights: np.ndarray  # float64 taper times the analytic factor 2 / n_span * rate_samples
    centre_bin: int  # the span bin moved to baseband 0 Hz
    rate_samples: int  # baseband samples over the span
    levels: tuple[_Level, ...]  # long to short


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
        self.threshold = 10.0 ** (threshold_db / 10.0)
        self.fmin, self.fmax = fmin, fmax
        # A band that meets [fmin, fmax] is analysed whole (its noise floor needs its width,
        # even for a range narrower than a bin); peaks outside the range are dropped.
        self.bands = [
            band
            for lo, hi, sigmas in BANDS
            if lo < fmax and hi > fmin and (band := _plan_band(sr, lo, hi, sigmas)) is not None
        ]

    def peaks(self, span: np.ndarray, frames: int) -> SpanPeaks:
        """Peaks of the first ``frames`` core frames of one span.

        Parameters
        ----------
        span : np.ndarray, float32, shape (SPAN_SECONDS * sr,): samples from MARGIN_SECONDS
            before the first frame's time
        frames : int, 1 .. FRAMES_PER_SPAN

        Returns
        -------
        SpanPeaks: the ``frames`` frames' peaks, each frame's sorted by frequency.
        """
        spectrum = sfft.rfft(span.astype(np.float64))
        found = [self._band_peaks(band, spectrum, frames) for band in self.bands]
        frame = np.concatenate([f[0] for f in found]) if found else np.empty(0, int)
        freq = np.concatenate([f[1] for f in found]) if found else np.empty(0)
        level = np.concatenate([f[2] for f in found]) if found else np.empty(0)
        band = np.repeat(np.arange(len(found)), [f[0].size for f in found])
        order = np.lexsort((freq, frame))
        frame, freq, level, band = frame[order], freq[order], level[order], band[order]
        keep = _one_per_edge(frame, freq, level, band, self.bands)
        frame, freq, level = frame[keep], freq[keep], level[keep]
        keep = level >= _group_max(frame, level)[frame] - DYNAMIC_RANGE_DB
        frame, freq, level = frame[keep], freq[keep], level[keep]
        keep = ~_masked(frame, freq, level) & (freq >= self.fmin) & (freq <= self.fmax)
        frame, freq, level = frame[keep], freq[keep], level[keep]
        offsets = np.searchsorted(frame, np.arange(frames + 1)).astype(np.int64)
        return SpanPeaks(freq.astype(np.float64), level.astype(np.float64), offsets)

    def _band_peaks(self, band: _Band, spectrum: np.ndarray, frames: int):
        """The band's kept peaks over all frames: (frame int, frequency Hz, level dBFS)."""
        m = band.rate_samples
        placed = np.zeros(m, dtype=np.complex128)
        offsets = (np.arange(band.weights.size) + band.first_bin - band.centre_bin) % m
        placed[offsets] = spectrum[band.first_bin : band.first_bin + band.weights.size]
        placed[offsets] *= band.weights
        signal = sfft.ifft(placed).astype(np.complex64)
        # Zeros after the span for the last frames' FFT padding (the window is 0 there).
        signal = np.concatenate((signal, np.zeros(max(v.nfft for v in band.levels), np.complex64)))
        rate = m / SPAN_SECONDS
        centres = round(MARGIN_SECONDS * rate) + round(HOP * rate) * np.arange(frames)
        spectra = [_level_spectra(level, signal, centres) for level in band.levels]
        # Two partials merged into one peak are split at each level but the band's shortest,
        # up to SPLIT_MAX_SIGMA_T.
        found = [
            self._level_peaks(
                level,
                band,
                here,
                rows,
                split=i < len(band.levels) - 1 and level.sigma_t <= SPLIT_MAX_SIGMA_T,
            )
            for i, (level, here, rows) in enumerate(
                zip(band.levels, spectra, self._active_rows(band, spectra, frames), strict=True)
            )
        ]
        # Where partials crowd a short window, its floor is their skirts, not the noise; the
        # longest window, which resolves them, sees the noise: a peak is above the floor by
        # either measure (the longest's scaled to this window's bandwidth).
        longest = found[0]
        for i in range(1, len(found)):
            here = found[i]
            floor = longest.floor_at(here.frame * here.stride, here.freq) * here.noise_gain
            found[i] = here._replace(strong=here.strong | (here.power >= self.threshold * floor))
        kept_key = np.empty(0)
        out_frame, out_freq, out_level = [], [], []
        for i, (level, here) in enumerate(zip(band.levels, found, strict=True)):
            # What holds for a computed frame's peaks holds for each frame they stand for:
            # tested before they are put on every frame (a long window's peaks are mostly
            # noise, four times over).
            keep = here.strong.copy()
            shortest = i == len(band.levels) - 1
            if not shortest:
                keep &= here.sharpness >= SHARP
                next_sigma_f = 1.0 / (2.0 * np.pi * band.levels[i + 1].sigma_t)
                # A comb's weaker teeth may sit below the noise threshold: peaks within
                # COMB_RANGE_DB of the frame's loudest count too.
                fr, dbfs, strong = here.frame, here.dbfs, here.strong
                teeth = strong | (dbfs >= _group_max(fr, dbfs)[fr] - COMB_RANGE_DB)
                comb = np.zeros(fr.size, dtype=bool)
                comb[teeth] = _comb(
                    fr[teeth],
                    here.freq[teeth],
                    dbfs[teeth],
                    strong[teeth],
                    COMB_SIGMAS * next_sigma_f,
                )
                keep &= ~comb
            fr, at = here.on_frames(keep, frames)
            freq, dbfs = here.freq[at], here.dbfs[at]
            keep = np.ones(fr.size, dtype=bool)
            if not shortest:
                shorter = found[i + 1]
                short_fr, short_at = shorter.on_frames(np.ones(shorter.frame.size, bool), frames)
                keys = np.sort(short_fr * _FRAME_KEY + shorter.freq[short_at], kind="stable")
                reach = PARENT_SIGMAS * next_sigma_f
                parent = _parents(keys, fr, freq, reach)
                keep &= parent >= 0
                if level.sigma_t > SPLIT_MAX_SIGMA_T:
                    keep &= ~_sidebands(here, frames, fr, at, keys, parent, reach)
            if kept_key.size:
                sigma_f = 1.0 / (2.0 * np.pi * level.sigma_t)
                keep &= _parents(kept_key, fr, freq, CLAIM_SIGMAS * sigma_f) < 0
            fr, freq, dbfs = fr[keep], freq[keep], dbfs[keep]
            kept_key = np.sort(np.concatenate((kept_key, fr * _FRAME_KEY + freq)), kind="stable")
            out_frame.append(fr)
            out_freq.append(freq)
            out_level.append(dbfs)
        return np.concatenate(out_frame), np.concatenate(out_freq), np.concatenate(out_level)

    def _active_rows(self, band: _Band, spectra: list[_Spectra], frames: int) -> list[np.ndarray]:
        """For each level, the computed frames (int, increasing) whose peaks can matter: those
        standing for an output frame on which some level of the band has a bin above the
        threshold, by its own floor or by the longest level's scaled to it (the tests of
        ``strong``, made here of every bin, and with a tenth of a percent to spare, so a
        superset). Every peak the band keeps stands above the threshold, and every peak that
        decides whether another is kept (its parent, its comb's teeth, a claim, a neighbour
        fitted with it) lies on the same output frame: the band's output is the same, and in
        silence, noise and the bands a sound leaves empty the peaks' work is skipped (a
        minute of the voice-like tone: the band above 10 kHz, all noise, was a fifth of the
        peak stage)."""
        threshold = self.threshold * 0.999
        longest, longest_floor = band.levels[0], spectra[0].floor.blocks
        # The longest level's floor as white-noise variance, the lowest of each computed frame.
        lowest = longest_floor.min(axis=1) / longest.window_power
        loud = np.zeros(frames, dtype=bool)
        covers = []  # each level's computed frames' output frames (``_covered``)
        for i, (level, here) in enumerate(zip(band.levels, spectra, strict=True)):
            # A bin above its block's floor: the block's loudest bin is.
            starts = np.flatnonzero(np.diff(here.floor.block_of, prepend=-1))
            loudest = np.maximum.reduceat(here.power, starts, axis=1)
            above = (loudest >= threshold * here.floor.blocks).any(axis=1)
            if i > 0:
                row = np.arange(above.size) * level.stride // longest.stride
                lowest_here = lowest[np.minimum(row, lowest.size - 1)]
                above |= here.power.max(axis=1) >= threshold * level.window_power * lowest_here
            cover, inside = _covered(np.arange(above.size), level.stride, frames)
            loud[cover[above[:, None] & inside]] = True
            covers.append((cover, inside))
        return [
            np.flatnonzero((loud[np.clip(cover, 0, frames - 1)] & inside).any(axis=1))
            for cover, inside in covers
        ]

    def _level_peaks(
        self, level: _Level, band: _Band, spectra: _Spectra, rows: np.ndarray, *, split: bool
    ):
        """One level's peaks (steps 3 and 5) on its computed frames ``rows`` (a long window
        barely changes over a few hops: it is computed every ``level.stride`` frames, and each
        of its frames' peaks stand for the frames nearest it, ``_LevelPeaks.on_frames``)."""
        x, power = spectra.x[rows], spectra.power[rows]
        floor = spectra.floor._replace(blocks=spectra.floor.blocks[rows])
        xd = np.take(sfft.fft(spectra.chunk[rows] * level.dwindow, axis=1), level.own_index, axis=1)
        inner = power[:, 1:-1]
        is_peak = (inner > power[:, :-2]) & (inner >= power[:, 2:])
        fr, col = np.nonzero(is_peak)
        k = col + 1
        at = fr * power.shape[1] + k  # the peaks' bins in the flattened (frames, bins) arrays
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = xd.ravel()[at] / x.ravel()[at]
            freq = level.own_hz[k] - ratio.imag / (2.0 * np.pi)
            offset = level.sigma_t**2 * ratio.real
        # Most of a level's peaks are the noise's: those outside the band's reach or off the
        # frame's centre in time are dropped before their amplitude is computed.
        placed = (
            np.isfinite(freq)
            & (freq >= band.reach_lo)
            & (freq < band.reach_hi)
            & (np.abs(offset) <= TIME_OFFSET_SIGMAS * level.sigma_t)
        )
        fr, k, at, freq = fr[placed], k[placed], at[placed], freq[placed]
        flat_power = power.ravel()
        peak = flat_power[at]
        strong = peak >= self.threshold * floor.at(fr, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.log(flat_power[at - 1] + _TINY)
            b = np.log(peak + _TINY)
            c = np.log(flat_power[at + 1] + _TINY)
            curvature = a - 2.0 * b + c
            p = np.where(curvature < 0, 0.5 * (a - c) / curvature, 0.0)
            top = b - 0.25 * (a - c) * p  # ln power at the parabola's top
            sharpness = np.clip(curvature / level.curvature, 1e-3, 1.0)
            # A sweeping partial's peak is lower by the fourth root of its sharpness.
            dbfs = (10.0 / np.log(10.0)) * (top - 0.5 * np.log(sharpness))
            dbfs -= 20.0 * np.log10(level.gain)
        good = dbfs >= ABSOLUTE_FLOOR_DB
        gain2 = level.gain**2
        peak_power = peak[good] / gain2
        fr, freq, dbfs = fr[good], freq[good], dbfs[good]
        sharpness, strong = sharpness[good], strong[good]
        if split:
            fr, freq, dbfs, sharpness, strong, peak_power = _split(
                level,
                x,
                power,
                floor,
                self.threshold,
                (fr, k[good], freq, dbfs, sharpness, strong, peak_power),
                (a[good], b[good], c[good]),
            )
        noise_gain = level.window_power / gain2
        return _LevelPeaks(
            rows[fr],
            freq,
            dbfs,
            sharpness,
            strong,
            peak_power,
            spectra.floor._replace(blocks=spectra.floor.blocks / gain2 / noise_gain),
            level.own_hz,
            level.stride,
            noise_gain,
        )


class _Spectra(NamedTuple):
    """A level's spectra over all its computed frames (``_level_spectra``)."""

    chunk: np.ndarray  # complex64 (computed frames, nfft): each frame's samples, a view
    x: np.ndarray  # complex64 (computed frames, own bins): the windowed samples' spectrum
    power: np.ndarray  # float32 (computed frames, own bins): |x|**2
    floor: _Floor  # the power's noise floor (``_noise_floor``)


def _level_spectra(level: _Level, signal: np.ndarray, centres: np.ndarray) -> _Spectra:
    """The level's windowed spectra of the band's ``signal`` (complex64, zero-padded) at every
    ``level.stride``-th of the frames centred on samples ``centres``, and their floor."""
    centres = centres[:: level.stride]
    # The frames' samples, a view of the signal (the hop is a whole number of samples).
    step = int(centres[1] - centres[0]) if centres.size > 1 else 1
    first = int(centres[0]) - level.half
    chunk = sliding_window_view(signal, level.nfft)[first : first + step * centres.size : step]
    # Only the band's own bins, taken straight from the unshifted FFT; np.take keeps a
    # frame's bins together in memory (indexing [:, own_index] gave Fortran order, which
    # every ravel below copied).
    x = np.take(sfft.fft(chunk * level.window, axis=1), level.own_index, axis=1)
    power = x.real**2 + x.imag**2
    return _Spectra(chunk, x, power, _noise_floor(power, level.block, level.stride))


def _covered(rows: np.ndarray, stride: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """The output frames each computed frame of ``rows`` (int (n,)) stands for, the
    ``stride`` nearest it: (int (n, stride), bool (n, stride): which lie within [0, frames))."""
    cover = rows[:, None] * stride + (np.arange(stride) - stride // 2)
    return cover, (cover >= 0) & (cover < frames)


def _group_max(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The largest of ``values`` per group, indexed by group number (-inf for a group with
    none); ``group`` non-decreasing."""
    out = np.full(int(group[-1]) + 1 if group.size else 0, -np.inf)
    if group.size:
        starts = np.flatnonzero(np.diff(group, prepend=-1))
        out[group[starts]] = np.maximum.reduceat(values, starts)
    return out


def _comb(
    frame: np.ndarray, freq: np.ndarray, dbfs: np.ndarray, strong: np.ndarray, reach: float
) -> np.ndarray:
    """Which peaks belong to a cluster (peaks of one frame, each within ``reach`` Hz of the
    next) of three or more, two of them ``strong`` (above the noise threshold), or lie more
    than ``MASKED_DB`` below their cluster's loudest (``SIDEBAND_DB`` in a pair): the
    sidebands a long window makes of a vibrato, which it resolves into sharp peaks of their
    own. Two partials the shorter window could not separate make a pair of similar levels;
    one partial among the noise's own local maxima, one strong tooth (a weak harmonic in a
    chord at -35 dB of noise was dropped as a comb at the long window: 1.5 tracks per
    partial, F 0.996 < sms-tools' 0.998)."""
    if frame.size == 0:
        return np.zeros(0, dtype=bool)
    key = frame * _FRAME_KEY + freq
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.concatenate(([True], np.diff(key) > reach))
    cluster = np.cumsum(starts) - 1
    size = np.bincount(cluster)
    loudest = _group_max(cluster, dbfs[order])
    strong_teeth = np.bincount(cluster, weights=strong[order])
    below = loudest[cluster] - dbfs[order]
    bad = (
        ((size[cluster] >= 3) & (strong_teeth[cluster] >= 2))
        | (below > MASKED_DB)
        | ((size[cluster] == 2) & (below > SIDEBAND_DB))
    )
    out = np.empty(frame.size, dtype=bool)
    out[order] = bad
    return out


def _one_per_edge(
    frame: np.ndarray, freq: np.ndarray, dbfs: np.ndarray, band: np.ndarray, bands: list[_Band]
) -> np.ndarray:
    """Which peaks to keep (bool, one per peak; the peaks sorted by frame, then frequency,
    ``band`` the index in ``bands`` of the band that found each): where two neighbouring
    bands found one partial near their common edge, each within its reach, the reading of
    the band whose own range has it (or, if neither's has, the louder)."""
    keep = np.ones(frame.size, dtype=bool)
    if frame.size < 2:
        return keep
    a, b = slice(0, -1), slice(1, None)
    margin = np.array([x.reach_hi - x.own_hi for x in bands])
    own_lo = np.array([x.own_lo for x in bands])
    own_hi = np.array([x.own_hi for x in bands])
    twin = (
        (frame[a] == frame[b])
        & (band[a] != band[b])
        & (freq[b] - freq[a] <= np.maximum(margin[band[a]], margin[band[b]]))
    )
    own = (freq >= own_lo[band]) & (freq < own_hi[band])
    drop_a = twin & ((~own[a] & own[b]) | ((own[a] == own[b]) & (dbfs[a] < dbfs[b])))
    keep[:-1] &= ~drop_a
    keep[1:] &= ~(twin & ~drop_a)
    return keep


def _masked(frame: np.ndarray, freq: np.ndarray, dbfs: np.ndarray) -> np.ndarray:
    """Which peaks (sorted by frame, then frequency) lie within ``MASK_CENTS`` of a peak of
    the same frame more than ``MASKED_DB`` louder: the skirt of a loud partial, as a band
    sees one just beyond its edge, or a sideband of its vibrato."""
    out = np.zeros(frame.size, dtype=bool)
    ratio = 2.0 ** (MASK_CENTS / 1200.0)
    for shift in range(1, min(MASK_NEIGHBOURS, frame.size - 1) + 1):
        a, b = slice(0, frame.size - shift), slice(shift, frame.size)
        near = (frame[a] == frame[b]) & (freq[b] <= freq[a] * ratio)
        out[a] |= near & (dbfs[a] < dbfs[b] - MASKED_DB)
        out[b] |= near & (dbfs[b] < dbfs[a] - MASKED_DB)
    return out


def _sidebands(peaks: _LevelPeaks, frames: int, fr, at, keys, parent, reach) -> np.ndarray:
    """Which of a long level's peaks read a partial's vibrato sidebands, not the partial.

    A window longer than a vibrato's period (step 4: the levels not split) reads a partial
    whose frequency moves as a few peaks around where it is on average, where a shorter
    window reads one peak, its parent, where the partial is now. Of the long level's peaks
    near one parent, dropped are: all, if a strong peak of the level near it is not sharp
    (the window smears the partial: it does not suit it now); both of two with the parent
    beside them (two partials the shorter window merged have their merged peak between
    them); one with a louder peak of the level between it and the parent (the partial is
    nearer the parent). The comb (``_comb``) catches a deep vibrato's many sidebands; these,
    a shallow one's few, and those of a partial whose neighbours' noise floor left only one
    of them above the threshold (a minute of the voice-like tone: 2.4 -> 1.2 tracks per true
    partial).

    Parameters
    ----------
    peaks : _LevelPeaks, the long level's
    frames : int, the span's frames
    fr, at : int (p,), the peaks kept so far: their frames, their indices in ``peaks``,
        as ``_LevelPeaks.on_frames`` gives them
    keys : sorted frame * _FRAME_KEY + freq of the next shorter level's peaks
    parent : int (p,), each kept peak's parent's index in ``keys`` (``_parents``), or -1
    reach : float, Hz, within which a parent is a peak's

    Returns bool (p,): which kept peaks to drop.
    """
    freq = peaks.freq[at]
    parent_hz = keys[np.maximum(parent, 0)] - fr * _FRAME_KEY
    smear_fr, smear_at = peaks.on_frames(peaks.strong & (peaks.sharpness < SHARP), frames)
    smeared = _parents(keys, smear_fr, peaks.freq[smear_at], reach)
    drop = np.isin(parent, smeared[smeared >= 0])
    shared = (parent[1:] == parent[:-1]) & (parent[1:] >= 0) & (fr[1:] == fr[:-1])
    beside = shared & ((parent_hz[1:] < freq[:-1]) | (parent_hz[1:] > freq[1:]))
    drop[:-1] |= beside
    drop[1:] |= beside
    toward = np.where(parent_hz >= freq, 1, -1)
    # The level's peaks come by frame, then bin: a reassigned one may pass its neighbour's.
    order = np.lexsort((peaks.freq, peaks.frame))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    for step in range(1, MASK_NEIGHBOURS + 1):
        other = order[np.clip(rank[at] + toward * step, 0, order.size - 1)]
        between = (
            (peaks.frame[other] == peaks.frame[at])
            & ((peaks.freq[other] - freq) * toward > 0)
            & ((peaks.freq[other] - parent_hz) * toward <= 0)
        )
        drop |= between & (peaks.dbfs[other] > peaks.dbfs[at])
    return drop


def _parents(keys: np.ndarray, frame: np.ndarray, freq: np.ndarray, reach: float) -> np.ndarray:
    """Index in ``keys`` (sorted, frame * _FRAME_KEY + freq) of each peak's (frame, freq)
    nearest key of the same frame within ``reach`` Hz, or -1: int (p,). Keys of other frames
    are at least _FRAME_KEY - fmax away, far beyond any reach."""
    if keys.size == 0:
        return np.full(frame.size, -1)
    key = frame * _FRAME_KEY + freq
    right = np.searchsorted(keys, key)
    up, down = np.minimum(right, keys.size - 1), np.maximum(right - 1, 0)
    above, below = keys[up] - key, key - keys[down]
    up_ok = (above >= 0) & (above <= reach)
    down_ok = (below >= 0) & (below <= reach)
    return np.where(down_ok & (~up_ok | (below <= above)), down, np.where(up_ok, up, -1))


def _noise_floor(power: np.ndarray, block: int, stride: int) -> _Floor:
    """(frames, bins) power -> its floor: the NOISE_PERCENTILE-th percentile over
    blocks of ``block`` bins (the last block takes the remainder) on frames
    FLOOR_STEP_SECONDS apart (the frames are ``stride`` hops apart), the median of that over
    FLOOR_MEDIAN_SECONDS, each frame given the floor of the last frame estimated."""
    frames, bins = power.shape
    blocks = max(1, bins // block)
    edges = np.linspace(0, bins, blocks + 1).astype(int)
    step = max(1, round(FLOOR_STEP_SECONDS / (HOP * stride)))
    sampled = power[::step]
    floors = np.empty((sampled.shape[0], blocks))
    for i in range(blocks):
        part = sampled[:, edges[i] : edges[i + 1]]
        rank = int(NOISE_PERCENTILE / 100.0 * (part.shape[1] - 1))
        floors[:, i] = np.partition(part, rank, axis=1)[:, rank]
    size = max(1, round(FLOOR_MEDIAN_SECONDS / (HOP * stride * step)))
    floors = running_median(floors, min(size, 2 * floors.shape[0] - 1) | 1)
    return _Floor(floors[np.arange(frames) // step], np.repeat(np.arange(blocks), np.diff(edges)))


def _plan_band(sr: int, own_lo: float, own_hi: float, sigmas) -> _Band | None:
    """The band's extraction, rate and levels; None when [own_lo, own_hi) is empty."""
    nyquist = sr / 2.0
    # The spectrum stops at Nyquist with no room for the guard's taper: a peak within a few
    # of the shortest window's frequency sigmas of it is that cut's ringing (a click reads as
    # a partial at 22 kHz), not a partial.
    sigma_f = 1.0 / (2.0 * math.pi * min(sigmas))  # the shortest window's, Hz
    limit = nyquist - NYQUIST_SIGMAS * sigma_f
    own_hi = min(own_hi, limit)
    if own_hi <= own_lo:
        return None
    margin = OVERLAP_SIGMAS * sigma_f
    reach_lo, reach_hi = max(own_lo - margin, 0.0), min(own_hi + margin, limit)
    guard = GUARD_SIGMAS * sigma_f
    lo = max(own_lo - guard, 0.0)
    hi = min(own_hi + guard, nyquist)
    first_bin = math.floor(lo * SPAN_SECONDS)
    last_bin = math.ceil(hi * SPAN_SECONDS)
    freqs = np.arange(first_bin, last_bin + 1) / SPAN_SECONDS
    # Raised-cosine taper over the guard's outer half on each side.
    taper = np.ones(freqs.size)
    ramp = guard / 2.0
    for edge, outward in ((own_lo + ramp - guard, -1.0), (own_hi + guard - ramp, 1.0)):
        beyond = np.clip((freqs - edge) * outward / ramp, 0.0, 1.0)
        taper *= 0.5 * (1.0 + np.cos(np.pi * beyond))
    step = 200 * SPAN_SECONDS  # baseband samples a multiple of this: a whole-sample hop
    rate_samples = step * math.ceil(RATE_HEADROOM * (freqs.size / SPAN_SECONDS) / 200)
    centre_bin = round((first_bin + last_bin) / 2)
    rate = rate_samples / SPAN_SECONDS
    levels = tuple(
        level
        for sigma_t in sigmas
        if (level := _plan_level(sigma_t, rate, centre_bin, reach_lo, reach_hi)) is not None
    )
    if not levels:
        return None
    return _Band(
        own_lo=own_lo,
        own_hi=own_hi,
        reach_lo=reach_lo,
        reach_hi=reach_hi,
        first_bin=first_bin,
        weights=taper * (2.0 / (SPAN_SECONDS * sr)) * rate_samples,
        centre_bin=centre_bin,
        rate_samples=rate_samples,
        levels=levels,
    )


def _plan_level(sigma_t, rate, centre_bin, own_lo, own_hi) -> _Level | None:
    half = math.ceil(WINDOW_SIGMAS * sigma_t * rate)
    nfft = sfft.next_fast_len(2 * half + 1)
    tau = (np.arange(nfft) - half) / rate
    window = np.where(np.arange(nfft) <= 2 * half, np.exp(-0.5 * (tau / sigma_t) ** 2), 0.0)
    shifted = sfft.fftshift(np.arange(nfft))  # FFT bins in increasing frequency
    bin_hz = centre_bin / SPAN_SECONDS + sfft.fftshift(sfft.fftfreq(nfft, 1.0 / rate))
    own_bins = np.flatnonzero((bin_hz >= own_lo) & (bin_hz < own_hi))
    if own_bins.size < 3:
        return None
    own = slice(max(int(own_bins[0]) - 1, 0), min(int(own_bins[-1]) + 2, nfft))
    sigma_f = 1.0 / (2.0 * math.pi * sigma_t)
    bin_width = rate / nfft
    return _Level(
        sigma_t=sigma_t,
        window=window.astype(np.float32),
        dwindow=(-tau / sigma_t**2 * window).astype(np.float32),
        nfft=nfft,
        half=half,
        stride=max(1, round(sigma_t / (STRIDE_SIGMA_HOPS * HOP))),
        own_index=shifted[own],
        own_hz=bin_hz[own],
        gain=float(window.sum()),
        window_power=float(np.sum(window**2)),
        curvature=-2.0 * (bin_width / sigma_f) ** 2,
        block=max(8, round(FLOOR_BLOCK_SIGMAS * sigma_f / bin_width)),
    )


def _split(level, x, power, floor, threshold, peaks, logs):
    """Peaks of one level that two stationary partials explain far better than one, replaced
    by the two (see the module docstring, step 4).

    Parameters
    ----------
    level : _Level
    x : complex (computed frames, own bins), the level's spectra
    power : (computed frames, own bins), their power
    floor : _Floor, its noise floor, power
    threshold : float, power ratio a peak must stand above the floor
    peaks : (frame int, bin int (column of x), freq Hz, dbfs, sharpness, strong bool, power),
        each (p,), sorted by frame, then bin
    logs : ln power at bins k - 1, k, k + 1 of each peak, each (p,)

    Returns
    -------
    The peaks' (frame, freq, dbfs, sharpness, strong, power): sorted by frame, then frequency
    where any peak was split; as given (by frame, then bin) where none was.
    """
    fr, k, freq, dbfs, sharpness, strong, peak_power = peaks
    n = x.shape[1]
    # A lone partial, steady or sweeping, has a Gaussian spectrum: its log power is the
    # parabola through the peak's three bins out to the skirts. Peaks broader than a steady
    # one, or off that parabola two bins out, may be two partials.
    a, b, c = (v[strong] for v in logs)
    ks, frs = k[strong], fr[strong]
    off = np.zeros(ks.size)
    for side, sign in ((ks - 2, -1.0), (ks + 2, 1.0)):
        parabola = b + sign * (c - a) + 2.0 * (a - 2.0 * b + c)
        measured = np.log(power[frs, np.clip(side, 0, n - 1)] + _TINY)
        off = np.maximum(off, np.where((side >= 0) & (side < n), np.abs(measured - parabola), 0.0))
    odd = np.zeros(fr.size, dtype=bool)
    odd[strong] = (sharpness[strong] < SHARP) | (off > SPLIT_DEVIATION)
    # Two strong peaks within SPLIT_PAIR_BINS are fitted together (two partials out of phase
    # show two peaks pushed apart); a peak of note (within MASKED_DB) reaching into the
    # fitted bins is a third partial, beyond the model: none is fitted there.
    same = fr[1:] == fr[:-1]
    gap = k[1:] - k[:-1]
    paired = same & (gap <= SPLIT_PAIR_BINS) & strong[1:] & strong[:-1]
    reach = same & (gap <= SPLIT_BINS + 2)
    loud_before = np.concatenate(([False], reach & (dbfs[:-1] >= dbfs[1:] - MASKED_DB)))
    loud_after = np.concatenate((reach & (dbfs[1:] >= dbfs[:-1] - MASKED_DB), [False]))
    with_next = np.concatenate((paired, [False]))
    with_prev = np.concatenate(([False], paired))
    single = np.flatnonzero(odd & ~with_next & ~with_prev & ~loud_before & ~loud_after)
    pair = np.flatnonzero(
        with_next & (odd | np.roll(odd, -1)) & ~loud_before & ~np.roll(loud_after, -1)
    )
    centre = np.concatenate((k[single], (k[pair] + k[pair + 1]) // 2))
    inside = (centre >= SPLIT_BINS) & (centre < n - SPLIT_BINS)
    first = np.concatenate((single, pair))[inside]
    second = np.concatenate((single, pair + 1))[inside]
    centre = centre[inside]
    if centre.size == 0:
        return fr, freq, dbfs, sharpness, strong, peak_power
    frame = fr[first]
    cols = centre[:, None] + np.arange(-SPLIT_BINS, SPLIT_BINS + 1)
    # Undo the phase ramp of the window's centre lying `half` samples into the FFT: a
    # steady partial's spectrum is then a real Gaussian times its complex amplitude.
    ramp = np.exp(2j * np.pi * level.half * level.own_index[cols] / level.nfft)
    y = x[frame[:, None], cols] * ramp
    sigma_f = 1.0 / (2.0 * np.pi * level.sigma_t)
    base = level.own_hz[centre]
    nu = (level.own_hz[cols] - base[:, None]) / sigma_f
    # Only where one partial leaves well more than the noise, and more than a lone partial's
    # own modulation would, is a second one looked for.
    one = chirp_residual(y, nu)
    floor_here = floor.at(frame, centre)
    energy = np.sum(y.real**2 + y.imag**2, axis=1)
    misfit = (one > SPLIT_NOISE * floor_here * cols.shape[1]) & (one > SPLIT_MISFIT * energy)
    if not misfit.any():
        return fr, freq, dbfs, sharpness, strong, peak_power
    first, second, frame, y, base, nu, one, floor_here = (
        v[misfit] for v in (first, second, frame, y, base, nu, one, floor_here)
    )
    # A lone peak starts as two partials its broadening apart (a pair of equal partials in
    # phase d sigmas apart has sharpness 1 - d**2 / 4); a pair, at its two peaks.
    spread = np.where(
        first == second, np.maximum(np.sqrt(np.maximum(1.0 - sharpness[first], 0.0)), 0.4), 0.0
    )
    u1 = (freq[first] - base) / sigma_f - spread
    u2 = (freq[second] - base) / sigma_f + spread
    u1, u2, a1, a2, two = two_partials(y, nu, u1, u2)
    p1, p2 = np.abs(a1) ** 2, np.abs(a2) ** 2
    ok = (
        (two < SPLIT_RATIO * one)
        & (np.abs(u2 - u1) >= SPLIT_MIN_SIGMAS)
        & (np.abs(u2 - u1) <= SPLIT_MAX_SIGMAS)
        & (np.minimum(u1, u2) > nu[:, 0])
        & (np.maximum(u1, u2) < nu[:, -1])
        & (np.minimum(p1, p2) >= threshold * floor_here)
        & (np.minimum(p1, p2) >= np.maximum(p1, p2) * 10.0 ** (-MASKED_DB / 10.0))
    )
    if not ok.any():
        return fr, freq, dbfs, sharpness, strong, peak_power
    keep = np.ones(fr.size, dtype=bool)
    keep[first[ok]] = keep[second[ok]] = False
    # The components are steady partials (sharpness 1) standing above the floor.
    split_power = np.concatenate((p1[ok], p2[ok])) / level.gain**2
    count = split_power.size
    out = (
        np.concatenate((fr[keep], frame[ok], frame[ok])),
        np.concatenate((freq[keep], (base + u1 * sigma_f)[ok], (base + u2 * sigma_f)[ok])),
        np.concatenate((dbfs[keep], 10.0 * np.log10(split_power + _TINY))),
        np.concatenate((sharpness[keep], np.ones(count))),
        np.concatenate((strong[keep], np.ones(count, dtype=bool))),
        np.concatenate((peak_power[keep], split_power)),
    )
    order = np.lexsort((out[1], out[0]))
    return tuple(v[order] for v in out)

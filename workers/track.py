"""Automatic partial tracking: the whole sound analysed into partials at once.

``track_partials`` (an array in memory) and ``PartialTracker`` (successive blocks of a file,
memory bounded whatever its length) turn a sound into partials, each (n, 3) rows [time s,
frequency Hz, amplitude dBFS] on the 5 ms grid the snap uses:

1. Peaks (``workers.track_peaks``): per 5 ms frame, spectral peaks on a multi-resolution
   analysis (a Gaussian window per frequency band: long low, short high, so no window size
   to choose), frequency from the phase derivative (reassignment) and amplitude from the
   interpolated peak over the window's gain, in dBFS as the snap gives them; kept if
   ``threshold_db`` above a per-band, per-frame noise floor (a low percentile over frequency,
   a median over time), not a fixed level.
2. Linking (``workers.track_link``, compiled code; steps 2 and 3 and their constants),
   frame by frame: each live partial predicts its next frequency from its own slope
   (an alpha-beta-gamma filter of its cents: value, slope and acceleration) and its next level
   from its last;
   partials and peaks are matched as an assignment (scipy's ``linear_sum_assignment``,
   Hungarian, ported) on the squared prediction error, in units of ``FREQ_SCALE_CENTS`` and
   ``LEVEL_SCALE_DB``, and a pair is allowed only within ``GATE_CENTS`` of the prediction (or
   ``GATE_SIGMAS`` frequency sigmas of the band's window, for low partials whose reassigned
   frequency wobbles more in cents). So partials go on through vibrato, glissandi and
   crossings where their nearest peaks would swap. Two gliding partials predicted within
   each other's gates, their levels within ``HOLD_LEVEL_DB``, are crossing, each one's peak
   pulled by the other's skirt: they are *held*, their points output but not correcting
   their filters, and across a gap a held partial (or one followed for fewer than
   ``TREND_POINTS`` frames since) is predicted on the least-squares line through its last
   ``TREND_POINTS`` corrected points.
3. Births and deaths: a peak no partial takes starts a partial. A partial that finds no peak
   keeps predicting for up to ``MAX_GAP_SECONDS`` (or, if it has glided for its last
   ``GLIDE_FRAMES`` frames, up to a quarter of its length and ``MAX_COAST_SECONDS``: two
   partials merged into one peak as they cross; such a peak, which two gliding partials
   could take and neither another, goes to neither and starts no partial, and the gap is
   counted from its last frame, as the two still sound) and is continued if a peak appears
   on its prediction, within ``RESUME_LEVEL_DB`` of its last level; otherwise it ends at its
   last peak. A partial that ends where another begins (within ``JOIN_FRAMES`` and
   ``JOIN_CENTS``) is joined to it (``_handed_over``). A bridged gap is filled by linear
   interpolation in cents and dB (not marked NaN): the output has no NaN rows.
4. A partial is kept if it lasts at least ``min_duration`` and at least ``MIN_SIGMAS`` time
   sigmas of its band's window (a noise peak persists about that long), and at most
   ``max_partials`` are kept, the strongest by energy (sum over points of 10**(dB/10) * hop).

Successive spans of ``SPAN_SECONDS`` overlap by their margins; frames run on a global grid
(t = k * 5 ms), so partials continue across span boundaries as they do across frames. Past
the file's start and end the span holds the sound continued by linear prediction
(``_continue_past_edges``), not silence: the windows of the first and last frames then read
the partials as they sound there, rather than a sine cut off, which splatters.

Pure numpy/scipy, and compiled code for the linking: no GUI code, of app only app.base.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from workers.checks import finite, mono_samples, whole
from workers.track_grid import (
    FRAMES_PER_SPAN,
    HOP,
    MARGIN_SECONDS,
    SPAN_SECONDS,
    SpanPeaks,
    band_sigma_t,
)
from workers.track_link import Linker

if TYPE_CHECKING:
    from workers.track_peaks import SpanAnalyser

__all__ = ["HOP", "PartialTracker", "TrackError", "TrackSettings", "track_partials"]

DEFAULT_THRESHOLD_DB = 18.0  # over the 20th-percentile floor: white noise passes 1e-6
DEFAULT_MIN_DURATION = 0.05  # s
DEFAULT_FMIN = 20.0  # Hz
MAX_THRESHOLD_DB = 120.0
MAX_MIN_DURATION = 60.0  # s
MAX_PARTIALS = 100_000
MIN_SIGMAS = 4.0
MAX_REPORTS = 100
# Spans an executor may be computing or holding ahead of the linking: enough to keep every
# core busy, few enough that memory stays that of a few spans (0.5 MB of samples each).
SPANS_AHEAD = 8
# ... and the fewest spans worth one: a process pool's start cost about 0.6 s and each span
# computed beside the linking saved about 0.05 s (measured on two cores: a minute, 31 spans,
# tracked in 2.8 s instead of 3.7).
PARALLEL_MIN_SPANS = 16
# Linear prediction past the file's edges (``_continue_past_edges``): the samples at the edge
# it models (93 ms at 44.1 kHz) and its poles (two per partial), measured on
# tests/track_cases.py with Burg's method: 4096 and 800 gained the most over the cases
# (longer contexts blur a glissando's continuation, fewer poles lose a chord's partials or
# the 41 Hz bass's harmonics); below EDGE_MIN_ORDER poles' worth of file nothing is continued.
EDGE_CONTEXT = 4096
EDGE_ORDER = 800
EDGE_MIN_ORDER = 8


class TrackError(SomaError, ValueError):
    """Invalid arguments to the tracker; str() is one clear line."""


@dataclass(frozen=True)
class TrackSettings:
    """What a user may change about tracking; the defaults suit any sound.

    threshold_db : float >= 0, dB a peak must stand above the local noise floor
    min_duration : float >= 0, s, the shortest partial kept
    max_partials : int >= 1 or None, keep only the strongest N (by energy)
    fmin : float > 0, Hz, lowest frequency tracked
    fmax : float or None, Hz, highest frequency tracked (None: the Nyquist frequency)
    """

    threshold_db: float = DEFAULT_THRESHOLD_DB
    min_duration: float = DEFAULT_MIN_DURATION
    max_partials: int | None = None
    fmin: float = DEFAULT_FMIN
    fmax: float | None = None

    def checked(self, sr: int) -> tuple[float, float]:
        """Validate against sample rate ``sr``; return (fmin, fmax) in Hz with fmax resolved.

        Raises TrackError naming the first bad setting.
        """
        threshold = finite("threshold_db", self.threshold_db, TrackError)
        if not 0.0 <= threshold <= MAX_THRESHOLD_DB:
            raise TrackError(
                f"threshold_db must be from 0 to {MAX_THRESHOLD_DB:g} dB, got {threshold:g}"
            )
        duration = finite("min_duration", self.min_duration, TrackError)
        if not 0.0 <= duration <= MAX_MIN_DURATION:
            raise TrackError(
                f"min_duration must be from 0 to {MAX_MIN_DURATION:g} s, got {duration:g}"
            )
        if self.max_partials is not None:
            whole("max_partials", self.max_partials, TrackError, 1, MAX_PARTIALS)
        nyquist = sr / 2.0
        fmin = finite("fmin", self.fmin, TrackError)
        fmax = nyquist if self.fmax is None else finite("fmax", self.fmax, TrackError)
        if fmin <= 0:
            raise TrackError(f"fmin must be above 0 Hz, got {fmin:g}")
        if fmax > nyquist:
            raise TrackError(f"fmax {fmax:g} Hz is above the Nyquist frequency ({nyquist:g} Hz)")
        if fmin >= fmax:
            raise TrackError(f"fmin ({fmin:g} Hz) must be below fmax ({fmax:g} Hz)")
        return fmin, fmax


def track_partials(
    audio: np.ndarray,
    sr: int,
    settings: TrackSettings = TrackSettings(),
    *,
    start: float = 0.0,
    end: float | None = None,
    report=None,
) -> list[np.ndarray]:
    """All the partials of ``audio`` between ``start`` and ``end``.

    Parameters
    ----------
    audio : np.ndarray, 1-D, float32 (float64 is converted), mono samples
    sr : int, sample rate Hz, in [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE]
    settings : TrackSettings
    start, end : float, s, 0 <= start < end <= len(audio) / sr (end None: the end of audio)
    report : callable(done: int, total: int) or None, called at most about MAX_REPORTS times

    Returns
    -------
    list of np.ndarray, float64, shape (n, 3), rows [time s, frequency Hz, amplitude dBFS]
        Times are t = k * HOP (5 ms), increasing by one step per row, within [start, end];
        no NaN (a bridged gap is interpolated, see the module docstring). Sorted by start
        time, then frequency. Empty for silence or noise.

    Raises
    ------
    TrackError
        For bad audio, rate, settings or region, before any work.
    """
    samples = mono_samples(audio, TrackError)
    tracker = PartialTracker(sr, samples.size, settings, start=start, end=end, report=report)
    tracker.feed(samples[tracker.first_sample : tracker.last_sample])
    return tracker.finish()


class PartialTracker:
    """The tracker fed a file block by block (memory: one span of samples, or SPANS_AHEAD
    with an executor, the live partials and the finished ones, whatever the file's length).

    Feed the file's samples from ``first_sample`` to ``last_sample`` (mono float32, any block
    sizes) with ``feed``, then call ``finish`` for the partials (as ``track_partials`` returns
    them).

    Parameters
    ----------
    sr : int, sample rate Hz
    frames : int >= 1, the file's length in samples
    settings, start, end, report : as ``track_partials``
    executor : concurrent.futures.Executor or None: where the spans' peaks are computed
        (``span_peaks``), up to SPANS_AHEAD spans ahead of the linking, which stays on the
        caller's thread, for a region of at least PARALLEL_MIN_SPANS spans; otherwise (or
        None) on the caller's thread, one span at a time. The partials are the same
        either way.
    """

    def __init__(
        self,
        sr: int,
        frames: int,
        settings: TrackSettings = TrackSettings(),
        *,
        start: float = 0.0,
        end: float | None = None,
        report=None,
        executor: Executor | None = None,
    ):
        sr = whole("sr", sr, TrackError, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE)
        frames = whole("frames", frames, TrackError, 1, 2**62)
        if not isinstance(settings, TrackSettings):
            raise TrackError(f"settings must be TrackSettings, got {type(settings).__name__}")
        fmin, fmax = settings.checked(sr)
        duration = frames / sr
        start = finite("start", start, TrackError)
        end = duration if end is None else finite("end", end, TrackError)
        if start < 0 or start >= duration:
            raise TrackError(f"start {start:g} s is outside the audio (0 to {duration:g} s)")
        if end <= start:
            raise TrackError(f"the region is empty or inverted: start {start:g} s, end {end:g} s")
        if end > duration * (1 + 1e-12):
            raise TrackError(f"end {end:g} s is beyond the audio's end ({duration:g} s)")
        self.sr = sr
        self.settings = settings
        self._file_frames = frames
        self._first_frame = math.ceil(start / HOP - 1e-9)
        self._frames = math.floor(end / HOP + 1e-9) - self._first_frame + 1
        if self._frames < 1:
            raise TrackError(f"the region {start:g} to {end:g} s holds no {HOP:g} s frame")
        spans = -(-self._frames // FRAMES_PER_SPAN)
        self.first_sample = max(0, self._span_sample(0))
        self.last_sample = min(frames, self._span_sample(spans - 1) + SPAN_SECONDS * sr)
        self._analysis = (sr, fmin, fmax, settings.threshold_db)
        self._executor = executor if spans >= PARALLEL_MIN_SPANS else None
        self._pending: deque[tuple[int, Future]] = deque()  # (first frame, its peaks)
        self._linker = Linker()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = self.first_sample  # file sample of _buffer[0]
        self._span = 0  # spans whose peaks are computed or asked for
        self._linked = 0  # spans linked
        self._spans = spans
        self._report = report
        self._reported = -1

    def _span_sample(self, span: int) -> int:
        """File sample where span ``span`` starts (may be negative: zeros before the file)."""
        t = (self._first_frame + span * FRAMES_PER_SPAN) * HOP - MARGIN_SECONDS
        return round(t * self.sr)

    def feed(self, block: np.ndarray) -> None:
        """The next samples of the file (1-D float32; the first call starts at
        ``first_sample``)."""
        block = np.asarray(block, dtype=np.float32).ravel()
        self._buffer = np.concatenate((self._buffer, block))
        while self._span < self._spans:
            begin = self._span_sample(self._span)
            needed = min(begin + SPAN_SECONDS * self.sr, self.last_sample)
            if self._buffer_start + self._buffer.size < needed:
                return
            self._analyse(begin)

    def finish(self) -> list[np.ndarray]:
        """Analyse what is left and return the partials (see ``track_partials``)."""
        while self._span < self._spans:
            self._analyse(self._span_sample(self._span))
        while self._pending:
            self._link_oldest()
        self._buffer = np.zeros(0, dtype=np.float32)
        partials = self._linker.finish()
        return _selected(partials, self.settings)

    def _analyse(self, begin: int) -> None:
        """Peaks of the span starting at file sample ``begin``, linked (or, with an executor,
        asked for, and the spans done linked in order, the oldest awaited once more than
        SPANS_AHEAD wait); the buffer is then cut to the next span's start."""
        length = SPAN_SECONDS * self.sr
        span = np.zeros(length, dtype=np.float32)
        lo = max(begin, self._buffer_start)
        hi = min(begin + length, self._buffer_start + self._buffer.size)
        if hi > lo:
            span[lo - begin : hi - begin] = self._buffer[
                lo - self._buffer_start : hi - self._buffer_start
            ]
        # The samples outside the file continued here, on the thread that reads the file and
        # links, which has time to spare (about 0.05 s a span that meets an edge): in the
        # executor they made the first span late and the last one last.
        edges = (max(0, -begin), min(length, self._file_frames - begin))
        _continue_past_edges(span, *edges, round(MARGIN_SECONDS * self.sr))
        frames = min(FRAMES_PER_SPAN, self._frames - self._span * FRAMES_PER_SPAN)
        first = self._first_frame + self._span * FRAMES_PER_SPAN
        self._span += 1
        if self._span < self._spans:
            keep_from = max(self._span_sample(self._span), self._buffer_start)
            self._buffer = self._buffer[keep_from - self._buffer_start :].copy()
            self._buffer_start = keep_from
        if self._executor is None:
            self._link(first, span_peaks(self._analysis, span, frames))
            return
        self._pending.append(
            (first, self._executor.submit(span_peaks, self._analysis, span, frames))
        )
        # The spans done are linked now, in order (so progress shows them, and few are left
        # to link once the last is done); more than SPANS_AHEAD waiting, the oldest is awaited.
        while self._pending and (len(self._pending) > SPANS_AHEAD or self._pending[0][1].done()):
            self._link_oldest()

    def _link_oldest(self) -> None:
        first, peaks = self._pending.popleft()
        self._link(first, peaks.result())

    def _link(self, first: int, peaks: SpanPeaks) -> None:
        """Link one span's peaks (its frames from global frame `first`) and report it done."""
        self._linker.link(first, peaks.freq, peaks.level, peaks.offsets)
        self._linked += 1
        if self._report is not None:
            bucket = self._linked * MAX_REPORTS // self._spans
            if bucket != self._reported:
                self._reported = bucket
                self._report(self._linked, self._spans)


@functools.lru_cache(maxsize=4)
def _analyser(sr: int, fmin: float, fmax: float, threshold_db: float) -> SpanAnalyser:
    # The peak stage's scipy (0.25 s) is imported where peaks are computed: a command that
    # tracks in workers does without it, and its workers' forkserver has it already.
    from workers.track_peaks import SpanAnalyser

    return SpanAnalyser(sr, fmin, fmax, threshold_db)


def span_peaks(
    analysis: tuple[int, float, float, float], span: np.ndarray, frames: int
) -> SpanPeaks:
    """``SpanAnalyser(*analysis).peaks(span, frames)``, the analyser made once per process
    (its plan of bands and windows is reused by every span): what ``PartialTracker`` asks
    of its executor, a module-level function so that a process pool can run it."""
    return _analyser(*analysis).peaks(span, frames)


def _continue_past_edges(span: np.ndarray, lo: int, hi: int, reach: int) -> None:
    """Fill the span's samples outside the file ([0, lo) before its start, [hi, end) after
    its end; zeros so far), up to `reach` samples from its edge (as far as a window
    centred within the file reads), with the file's sound continued by linear prediction (an
    all-pole model of EDGE_CONTEXT samples at the edge, EDGE_ORDER poles fitted by Burg's
    method, ``_burg``, so stable). A window reaching past the file's edge then reads
    its partials as they sound at the edge, rather than a sine cut off by silence, whose
    step splatters over every frequency (the first and last 20-40 ms of a file lost
    their partials, or read them tens of cents off)."""
    for edge, before in ((lo, True), (span.size - hi, False)):
        if edge == 0 or hi - lo < 2 * EDGE_MIN_ORDER:
            continue
        inside = span[lo : lo + EDGE_CONTEXT] if before else span[max(lo, hi - EDGE_CONTEXT) : hi]
        context = inside[::-1] if before else inside  # predicting backwards: the reversed sound
        continued = _predicted(context.astype(np.float64), min(edge, reach))
        if before:
            span[lo - continued.size : lo] = continued[::-1]
        else:
            span[hi : hi + continued.size] = continued


def _predicted(context: np.ndarray, count: int) -> np.ndarray:
    """The `count` samples that follow `context` (1-D float64) by linear prediction, with
    poles fitted by ``_burg``: float32 (count,)."""
    order = min(EDGE_ORDER, context.size // 2)
    poles = _burg(context, order)
    if poles is None:  # silence: nothing to continue
        return np.zeros(count, dtype=np.float32)
    # The all-pole recursion y[n] = -(a1 y[n-1] + ... + a_order y[n-order]), one dot product
    # a sample (30 ms for the half second past an edge): scipy.signal's lfilter does it in
    # 17 ms, but importing scipy.signal cost every `soma` command 0.35 s of its start.
    weights = -poles[:0:-1]  # a_order .. a1, oldest sample first
    out = np.empty(order + count)
    out[:order] = context[-order:]
    for n in range(count):
        out[order + n] = weights @ out[n : n + order]
    return out[order:].astype(np.float32)


def _burg(x: np.ndarray, order: int) -> np.ndarray | None:
    """Prediction polynomial [1, a1 .. a_order] of `x` (1-D float64) by Burg's method, or None
    for silence. Burg fits the forward and backward errors over the samples themselves, with
    no window: it resolves partials closer than the context's own bandwidth (two tones 6 Hz
    apart from 93 ms, where the autocorrelation method over a Hann-windowed context, used
    before, blurred them into one and the file's first 100 ms read their mean), and its
    reflection coefficients, each at most 1 in size, make the filter stable."""
    poles = np.zeros(order + 1)
    poles[0] = 1.0
    forward, backward = x[1:].copy(), x[:-1].copy()
    energy = forward @ forward + backward @ backward
    if energy <= 0.0:
        return None
    for m in range(order):
        # The errors' energy, summed anew each step rather than updated (an update drifts
        # once the model is exact, as for pure sines); stop when nothing is left to fit.
        power = forward @ forward + backward @ backward
        if power <= 1e-24 * energy:
            break
        k = -2.0 * (backward @ forward) / power
        poles[1 : m + 2] += k * poles[m::-1].copy()
        forward, backward = (forward + k * backward)[1:], (backward + k * forward)[:-1]
    return poles


def _selected(partials: list[np.ndarray], settings: TrackSettings) -> list[np.ndarray]:
    """Step 4: long enough, the strongest ``max_partials``; sorted by start, then frequency."""
    kept = []
    for points in partials:
        lasting = points.shape[0] * HOP
        sigma_t = float(band_sigma_t(np.median(points[:, 1:2], axis=0))[0])
        if lasting + 1e-9 >= max(settings.min_duration, MIN_SIGMAS * sigma_t, 2 * HOP):
            kept.append(points)
    if settings.max_partials is not None and len(kept) > settings.max_partials:
        energy = np.array([np.sum(10.0 ** (p[:, 2] / 10.0)) for p in kept])
        strongest = np.sort(np.argsort(-energy, kind="stable")[: settings.max_partials])
        kept = [kept[i] for i in strongest]
    kept.sort(key=lambda p: (p[0, 0], p[0, 1]))
    return kept

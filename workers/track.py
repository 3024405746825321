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
2. Linking, frame by frame: each live partial predicts its next frequency from its own slope
   (an alpha-beta-gamma filter of its cents: value, slope and acceleration) and its next level
   from its last;
   partials and peaks are matched as an assignment (``scipy.optimize.linear_sum_assignment``,
   Hungarian) on the squared prediction error, in units of ``FREQ_SCALE_CENTS`` and
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

Pure numpy/scipy: no GUI code, of app only app.base.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from workers.checks import finite, mono_samples, whole
from workers.track_peaks import (
    BANDS,
    FRAMES_PER_SPAN,
    HOP,
    MARGIN_SECONDS,
    SPAN_SECONDS,
    SpanAnalyser,
)

__all__ = ["HOP", "PartialTracker", "TrackError", "TrackSettings", "track_partials"]

DEFAULT_THRESHOLD_DB = 18.0  # over the 20th-percentile floor: white noise passes 1e-6
DEFAULT_MIN_DURATION = 0.05  # s
DEFAULT_FMIN = 20.0  # Hz
MAX_THRESHOLD_DB = 120.0
MAX_MIN_DURATION = 60.0  # s
MAX_PARTIALS = 100_000
# The alpha-beta-gamma filter's gains (value, slope, acceleration): measured frequencies
# are precise (reassigned), so the filter follows them closely and its slope and
# acceleration carry it through a vibrato's turns and across a gap.
ALPHA, BETA, GAMMA = 0.9, 0.6, 0.15
FREQ_SCALE_CENTS = 10.0
LEVEL_SCALE_DB = 12.0
GATE_CENTS = 25.0  # from the prediction, per frame
GATE_SIGMAS = 0.5  # ... or this many frequency sigmas of the band's window, if wider
ESTABLISHED_FRAMES = 4
RESUME_LEVEL_DB = 10.0  # the largest level change across a gap
ACCEL_FRAMES = 4.0  # frames over which a prediction uses the acceleration
MAX_COAST_SECONDS = 0.5  # the longest gap a partial is carried across, ...
GAP_PER_FRAME = 0.25  # ... a quarter of the frames it has been followed, if it glides:
GLIDE_SLOPE = 0.3  # cents per frame (60 cents per second)
# ... and has for this many matched frames in a row: a steady partial cut off mid-note reads
# the cut's splatter in its last frame or two, as a steep slope it never had.
GLIDE_FRAMES = 4
YOUNG_COST = 4.0  # added to a partial's cost while it has fewer matched frames than that
MAX_GAP_SECONDS = 0.06
# A partial held by a crossing (``_Linker``) is predicted on the least-squares line through
# its last TREND_POINTS corrected points (0.1 s), and keeps that prediction across gaps until
# that many fresh points have replaced them. Measured on tests/track_cases.py: 15 and 20 did
# best on the crossing glides (20: F 0.985 and 0.976 in noise, one track per partial); 10
# read the slope from too few points (F 0.981 and 0.970, a partial in two tracks), 30
# cost the noisy crossing 0.004 of F and the voice-like tone tracks per partial (1.20 -> 1.30).
TREND_POINTS = 20
# ... and only by one within this many dB of its level: a much weaker partial gliding beside a
# loud one is its shadow (a sideband, a weak harmonic's fragment), not a partial crossing it,
# and holding the loud one froze it off its vibrato (a minute of the voice-like tone: 11.2
# tracks per partial, 7.8 with this; the crossings' partials are within 7 dB of each other).
HOLD_LEVEL_DB = 10.0
# A partial that ends where another begins, within JOIN_FRAMES (either way) and JOIN_CENTS,
# is one partial handed over (``_handed_over``): in a frame where two peaks stood near it (a
# long window's reading and a short one's), one went on with the partial and the other
# started a new one, which then took over. Measured on tests/track_cases.py and its
# variants: a minute of the voice-like tone 2.5 -> 2.4 tracks per true partial, a chord in
# -35 dB noise 1.25 -> 1.08, no case worse.
JOIN_FRAMES = 4
JOIN_CENTS = 30.0
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
_NO_MATCH = 1e12


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
        self._linker = _Linker()
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
        asked for, and the oldest spans' linked once more than SPANS_AHEAD wait); the buffer
        is then cut to the next span's start."""
        length = SPAN_SECONDS * self.sr
        span = np.zeros(length, dtype=np.float32)
        lo = max(begin, self._buffer_start)
        hi = min(begin + length, self._buffer_start + self._buffer.size)
        if hi > lo:
            span[lo - begin : hi - begin] = self._buffer[
                lo - self._buffer_start : hi - self._buffer_start
            ]
        _continue_past_edges(
            span,
            max(0, -begin),
            min(length, self._file_frames - begin),
            round(MARGIN_SECONDS * self.sr),
        )
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
        while len(self._pending) > SPANS_AHEAD:
            self._link_oldest()

    def _link_oldest(self) -> None:
        first, peaks = self._pending.popleft()
        self._link(first, peaks.result())

    def _link(self, first: int, peaks: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Link one span's peaks (its frames from global frame `first`) and report it done."""
        for k, (freq, level) in enumerate(peaks):
            self._linker.step(first + k, freq, level)
        self._linked += 1
        if self._report is not None:
            bucket = self._linked * MAX_REPORTS // self._spans
            if bucket != self._reported:
                self._reported = bucket
                self._report(self._linked, self._spans)


@functools.lru_cache(maxsize=4)
def _analyser(sr: int, fmin: float, fmax: float, threshold_db: float) -> SpanAnalyser:
    return SpanAnalyser(sr, fmin, fmax, threshold_db)


def span_peaks(
    analysis: tuple[int, float, float, float], span: np.ndarray, frames: int
) -> list[tuple[np.ndarray, np.ndarray]]:
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


_BAND_HIGHS = np.array([hi for _, hi, _ in BANDS[:-1]])  # Hz, the bands' upper edges
_BAND_SHORTEST = np.array([min(sigmas) for _, _, sigmas in BANDS])  # s


def _band_sigma_t(freq: np.ndarray) -> np.ndarray:
    """The time sigma (s) of the shortest window of the band each frequency (Hz) falls in."""
    return _BAND_SHORTEST[np.searchsorted(_BAND_HIGHS, freq, side="right")]


def _crossing(cents: np.ndarray, gate: np.ndarray, gliding: np.ndarray, level: np.ndarray):
    """Which partials are held by a crossing (bool (n,)): gliding ones (``gliding``, bool
    (n,)) whose predictions (``cents``, (n,)) lie within each other's gates (``gate``, cents
    (n,)) of another gliding one's, where either could take the other's peak, and whose last
    levels (``level``, dBFS (n,)) are within HOLD_LEVEL_DB. Only neighbours in frequency are
    compared (a sort, not n**2 pairs)."""
    held = np.zeros(cents.size, dtype=bool)
    candidates = np.flatnonzero(gliding)
    if candidates.size < 2:
        return held
    order = candidates[np.argsort(cents[candidates])]
    sorted_cents, sorted_gate = cents[order], gate[order]
    near = sorted_cents[1:] - sorted_cents[:-1] <= np.minimum(sorted_gate[:-1], sorted_gate[1:])
    near &= np.abs(level[order[1:]] - level[order[:-1]]) <= HOLD_LEVEL_DB
    if near.any():
        held[order[:-1][near]] = True
        held[order[1:][near]] = True
    return held


class _Linker:
    """Peaks to partials, frame by frame (steps 2 and 3 of the module docstring).

    The live partials' state is kept in arrays (one entry per partial): its id, an
    alpha-beta-gamma filter of its frequency in cents (value, slope per frame, acceleration
    per frame**2), its last level, the last frame a point corrected the filter, the count
    of such frames and how many of the latest of those in a row it glided (its slope at
    least GLIDE_SLOPE), the last frame it was seen (matched, held or not, or merged into a
    contested peak), its count when it was last held or merged, the last corrected frame
    when its state was last set to its line, and its last TREND_POINTS corrected points
    (frames and cents, (n, TREND_POINTS) rings). Each
    frame's matched points are logged as arrays (partial id, cents, level), 20 bytes a point
    and no Python object per point, and grouped into partials at the end.
    """

    def __init__(self):
        self._max_gap = round(MAX_GAP_SECONDS / HOP)
        self._max_coast = round(MAX_COAST_SECONDS / HOP)
        self._next_id = 0
        self._id = np.empty(0, dtype=np.int64)
        self._x = np.empty(0)  # filtered cents
        self._v = np.empty(0)  # cents per frame
        self._a = np.empty(0)  # cents per frame**2
        self._level = np.empty(0)  # dBFS, the last matched
        self._last = np.empty(0, dtype=np.int64)  # the last frame a point corrected it
        self._count = np.empty(0, dtype=np.int64)
        self._glide = np.empty(0, dtype=np.int64)  # matched frames in a row it glided
        self._seen = np.empty(0, dtype=np.int64)  # the last frame it was matched or merged
        self._held_at = np.empty(0, dtype=np.int64)  # its count when last held or merged
        self._lined_at = np.empty(0, dtype=np.int64)  # its last frame when put on its line
        # Its last TREND_POINTS corrected points (frame, cents), a ring: the point of its
        # count-th correction is in slot count % TREND_POINTS.
        self._ring_frame = np.empty((0, TREND_POINTS))
        self._ring_cents = np.empty((0, TREND_POINTS))
        self._log: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def step(self, frame: int, freq: np.ndarray, level: np.ndarray) -> None:
        cents = 1200.0 * np.log2(np.maximum(freq, 1e-9))
        taken = np.zeros(freq.size, dtype=bool)
        if self._id.size and freq.size:
            gap = (frame - self._last).astype(np.float64)
            # Across a gap, a partial held by a crossing, or not yet followed long past one, goes
            # on along its line: its filter's slope was corrected by points the other partial
            # pulled (a filter quick enough for vibrato follows their wobble: at the crossing
            # glides' 1.5 s crossing a slope of 1.4 cents per frame read 3.7, and the
            # prediction was 80 cents off after 20 frames of gap; on the filter's slope, the
            # crossing glides had 2.67 tracks per partial, 2.92 in noise, instead of 1.00).
            recent = self._count - self._held_at < TREND_POINTS
            if recent.any():
                lined = np.flatnonzero(recent & (gap >= 2) & (self._lined_at != self._last))
                if lined.size:
                    self._put_on_line(lined)
            # The acceleration is trusted over a few frames only: across a long gap the
            # prediction is the straight line of the slope.
            pred_x = self._x + self._v * gap + 0.5 * self._a * gap * np.minimum(gap, ACCEL_FRAMES)
            pred_f = 2.0 ** (pred_x / 1200.0)
            sigma_f = 1.0 / (2.0 * np.pi * _band_sigma_t(pred_f))
            gate = np.maximum(GATE_CENTS, 1200.0 * np.log2(1.0 + GATE_SIGMAS * sigma_f / pred_f))
            moving = (self._count >= ESTABLISHED_FRAMES) & (np.abs(self._v) >= GLIDE_SLOPE)
            held = _crossing(pred_x, gate, moving, self._level)
            dc = cents[None, :] - pred_x[:, None]
            da = level[None, :] - self._level[:, None]
            cost = (dc / FREQ_SCALE_CENTS) ** 2 + (da / LEVEL_SCALE_DB) ** 2
            # A partial just born has no slope yet: established ones choose first.
            cost += np.where(self._count < ESTABLISHED_FRAMES, YOUNG_COST, 0.0)[:, None]
            allowed = np.abs(dc) <= gate[:, None]
            # Across a gap, the level must match too: a partial coasting past its note's end
            # would otherwise take the next note's onset.
            allowed &= (gap[:, None] < 2) | (np.abs(da) <= RESUME_LEVEL_DB)
            # A peak that two established gliding partials could take, and neither could
            # take another, is the two of them merged as they cross: taken by one, it would
            # drag that one off its line, and left free it would start a partial of its
            # own. Neither happens: both coast on their lines (the crossing glides' F rose
            # by 0.0004 and 0.0035; steady partials are left alone, since a note's
            # harmonic coasting past its end would take the next note's onset from it).
            # The peak shows both still sound: they count as seen.
            sole = moving & (allowed.sum(axis=1) == 1)
            contested = (allowed & sole[:, None]).sum(axis=0) >= 2
            if contested.any():
                self._hold(
                    np.flatnonzero((allowed[:, contested] & sole[:, None]).any(axis=1)), frame
                )
                allowed[:, contested] = False
                taken[contested] = True
            rows, cols = linear_sum_assignment(np.where(allowed, cost, _NO_MATCH))
            ok = allowed[rows, cols]
            rows, cols = rows[ok], cols[ok]
            taken[cols] = True
            # A held partial's point is output but corrects nothing: the other partial's
            # skirt pulls it (near the crossing glides' 0.6 s crossing, the split pair of a
            # merged peak read the partials 14 cents off, both outwards), and its line from
            # before the crossing predicts it better (the crossing glides' tracks per partial
            # 1.33 -> 1.00, and 1.17 -> 1.00 in noise). Steady partials are not held: the two
            # tones 25 cents apart, always within each other's gates, broke in two.
            fit, fit_cols = rows, cols
            if held.any():
                hold = held[rows]
                self._hold(rows[hold], frame)
                fit, fit_cols = rows[~hold], cols[~hold]
            self._update(fit, cents[fit_cols], level[fit_cols], pred_x[fit], gap[fit], frame)
            self._log.append((frame, self._id[rows], cents[cols], level[cols]))
        # An established gliding partial may coast longer: through a crossing, its peak merged
        # with another's for a few tenths of a second. A steady one may not: it would join
        # one note to the next on a shared harmonic, nor a steady one whose last frames read
        # the splatter of its note's cut (it took the next note's onset 0.1 s later).
        gliding = self._glide >= GLIDE_FRAMES
        longest = np.where(
            gliding,
            np.clip(self._count * GAP_PER_FRAME, self._max_gap, self._max_coast),
            self._max_gap,
        )
        # Coasting counts from the last frame the partial was seen: matched, or merged with
        # another into a contested peak (a crossing's merged peak lasts up to 0.2 s, and a
        # partial 0.2 s old may coast only 60 ms: counted from its last match, the crossing
        # glides had 1.58 tracks per partial, 2.00 in noise, instead of 1.00).
        alive = frame - self._seen <= longest
        if not alive.all():
            self._keep(alive)
        born = np.flatnonzero(~taken)
        if born.size:
            ids = self._next_id + np.arange(born.size)
            self._next_id += born.size
            self._id = np.concatenate((self._id, ids))
            self._x = np.concatenate((self._x, cents[born]))
            self._v = np.concatenate((self._v, np.zeros(born.size)))
            self._a = np.concatenate((self._a, np.zeros(born.size)))
            self._level = np.concatenate((self._level, level[born]))
            self._last = np.concatenate((self._last, np.full(born.size, frame)))
            self._count = np.concatenate((self._count, np.ones(born.size, dtype=np.int64)))
            self._glide = np.concatenate((self._glide, np.zeros(born.size, dtype=np.int64)))
            self._seen = np.concatenate((self._seen, np.full(born.size, frame)))
            self._held_at = np.concatenate((self._held_at, np.full(born.size, -TREND_POINTS)))
            self._lined_at = np.concatenate((self._lined_at, np.full(born.size, -1)))
            ring = np.zeros((born.size, TREND_POINTS))
            self._ring_frame = np.concatenate((self._ring_frame, ring + frame))
            self._ring_cents = np.concatenate((self._ring_cents, ring + cents[born][:, None]))
            self._log.append((frame, ids, cents[born], level[born]))

    def _update(self, rows, measured, level, predicted, gap, frame) -> None:
        """The alpha-beta-gamma filter's correction for the matched partials ``rows``."""
        residual = measured - predicted
        first = self._count[rows] == 1  # a slope from the first two points alone
        # The slope where the prediction is: the acceleration counted over ACCEL_FRAMES, as
        # there (counted over the whole gap, a partial resuming after a 46-frame coast read a
        # slope of 54 cents per frame; the crossing glides' F 0.9827 -> 0.9848).
        v = self._v[rows] + self._a[rows] * np.minimum(gap, ACCEL_FRAMES)
        x = np.where(first, measured, predicted + ALPHA * residual)
        v = np.where(first, (measured - self._x[rows]) / gap, v + BETA * residual / gap)
        a = np.where(first, 0.0, self._a[rows] + 2.0 * GAMMA * residual / gap**2)
        self._x[rows], self._v[rows], self._a[rows] = x, v, a
        self._level[rows] = level
        self._last[rows] = frame
        self._seen[rows] = frame
        slot = self._count[rows] % TREND_POINTS
        self._ring_frame[rows, slot] = frame
        self._ring_cents[rows, slot] = measured
        self._count[rows] += 1
        self._glide[rows] = np.where(np.abs(v) >= GLIDE_SLOPE, self._glide[rows] + 1, 0)

    def _hold(self, rows: np.ndarray, frame: int) -> None:
        """Partials ``rows`` (int (m,)) sounded at ``frame`` without correcting their filters:
        held by a crossing, or merged with another into a contested peak."""
        self._seen[rows] = frame
        self._held_at[rows] = self._count[rows]

    def _keep(self, alive: np.ndarray) -> None:
        self._id, self._x, self._v = self._id[alive], self._x[alive], self._v[alive]
        self._a, self._level = self._a[alive], self._level[alive]
        self._last, self._count = self._last[alive], self._count[alive]
        self._glide = self._glide[alive]
        self._seen, self._held_at = self._seen[alive], self._held_at[alive]
        self._lined_at = self._lined_at[alive]
        self._ring_frame, self._ring_cents = self._ring_frame[alive], self._ring_cents[alive]

    def _put_on_line(self, rows: np.ndarray) -> None:
        """The filter state of partials ``rows`` (int (m,); held or merged ones, so each with
        at least ESTABLISHED_FRAMES corrected points) set to the least-squares line through
        the points in its ring: value at its last corrected frame, slope, no acceleration.
        The prediction then follows that line until a point corrects it."""
        weight = (np.arange(TREND_POINTS) < self._count[rows, None]).astype(np.float64)
        n = weight.sum(axis=1)
        t = self._ring_frame[rows] - self._last[rows, None]  # frames before the last one
        c = self._ring_cents[rows]
        t_mean = np.sum(weight * t, axis=1) / n
        dt = weight * (t - t_mean[:, None])
        slope = np.sum(dt * c, axis=1) / np.sum(dt * t, axis=1)
        self._x[rows] = np.sum(weight * c, axis=1) / n - slope * t_mean
        self._v[rows] = slope
        self._a[rows] = 0.0
        self._lined_at[rows] = self._last[rows]

    def finish(self) -> list[np.ndarray]:
        """Every partial's points, (n, 3) rows [t, f, dBFS] on every frame from its first to
        its last, gaps interpolated (in cents and dB)."""
        if not self._log:
            return []
        counts = [ids.size for _, ids, _, _ in self._log]
        frames = np.repeat([frame for frame, _, _, _ in self._log], counts)
        ids = np.concatenate([ids for _, ids, _, _ in self._log])
        cents = np.concatenate([c for _, _, c, _ in self._log])
        levels = np.concatenate([lv for _, _, _, lv in self._log])
        self._log = []
        self._keep(np.zeros(self._id.size, dtype=bool))
        order = np.argsort(ids, kind="stable")  # each partial's points stay in time order
        frames, ids, cents, levels = frames[order], ids[order], cents[order], levels[order]
        starts = np.flatnonzero(np.diff(ids, prepend=-1))
        pieces = [
            (frames[a:b], cents[a:b], levels[a:b])
            for a, b in zip(starts, np.append(starts[1:], ids.size), strict=True)
        ]
        return [_points(*piece) for piece in _handed_over(pieces)]


def _handed_over(pieces):
    """``pieces`` (each (frames int (n,), cents (n,), dBFS (n,)), frames increasing) with
    each one that ends where another begins joined to it, the nearest in pitch: the other
    begins within JOIN_FRAMES of its last frame (before it too: its points from the other's
    first frame on are dropped), within JOIN_CENTS and RESUME_LEVEL_DB of its point just
    before. Returns the joined pieces, in no particular order."""
    if len(pieces) < 2:
        return pieces
    first = np.array([f[0] for f, _, _ in pieces])
    order = np.argsort(first, kind="stable")
    first = first[order]
    pieces = [pieces[i] for i in order]
    successor = np.full(len(pieces), -1)
    taken = np.zeros(len(pieces), dtype=bool)
    for i, (frames, cents, levels) in enumerate(pieces):
        end = frames[-1]
        lo, hi = np.searchsorted(first, [end - JOIN_FRAMES, end + JOIN_FRAMES + 1])
        best, best_cents = -1, JOIN_CENTS
        for j in range(lo, hi):
            if j == i or taken[j] or first[j] <= frames[0]:
                continue
            f2, c2, l2 = pieces[j]
            at = np.searchsorted(frames, f2[0])  # A's points before B's first: at least one
            off = abs(c2[0] - cents[at - 1])
            if off <= best_cents and abs(l2[0] - levels[at - 1]) <= RESUME_LEVEL_DB:
                best, best_cents = j, off
        if best >= 0:
            successor[i], taken[best] = best, True
    joined = []
    for i in np.flatnonzero(~taken):
        parts, k = [], i
        while k >= 0:
            parts.append(k)
            k = successor[k]
        frames, cents, levels = pieces[parts[0]]
        for k in parts[1:]:
            f2, c2, l2 = pieces[k]
            keep = frames < f2[0]
            frames = np.concatenate((frames[keep], f2))
            cents = np.concatenate((cents[keep], c2))
            levels = np.concatenate((levels[keep], l2))
        joined.append((frames, cents, levels))
    return joined


def _points(frames: np.ndarray, cents: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """(n, 3) rows [t, f, dBFS] on every frame from first to last, gaps interpolated."""
    every = np.arange(frames[0], frames[-1] + 1)
    out = np.empty((every.size, 3))
    out[:, 0] = every * HOP
    out[:, 1] = 2.0 ** (np.interp(every, frames, cents) / 1200.0)
    out[:, 2] = np.interp(every, frames, levels)
    return out


def _selected(partials: list[np.ndarray], settings: TrackSettings) -> list[np.ndarray]:
    """Step 4: long enough, the strongest ``max_partials``; sorted by start, then frequency."""
    kept = []
    for points in partials:
        lasting = points.shape[0] * HOP
        sigma_t = float(_band_sigma_t(np.median(points[:, 1:2], axis=0))[0])
        if lasting + 1e-9 >= max(settings.min_duration, MIN_SIGMAS * sigma_t, 2 * HOP):
            kept.append(points)
    if settings.max_partials is not None and len(kept) > settings.max_partials:
        energy = np.array([np.sum(10.0 ** (p[:, 2] / 10.0)) for p in kept])
        strongest = np.sort(np.argsort(-energy, kind="stable")[: settings.max_partials])
        kept = [kept[i] for i in strongest]
    kept.sort(key=lambda p: (p[0, 0], p[0, 1]))
    return kept

"""The partial tracker's linking stage: each 5 ms frame's peaks (``workers.track_peaks``) to
partials, steps 2 and 3 of ``workers.track``'s docstring, in compiled code.

``Linker.link`` takes one span's peaks as flat arrays and links its frames one after another
in compiled code (``_link_frames`` and the functions marked ``@_kernel`` it calls). With
20-50 live partials and as many peaks a frame the work of a frame is small: in numpy, whose
overhead per call was most of it, linking a minute of the voice-like tone (12000 frames)
took 1.2-1.7 s, compiled it takes 0.05-0.06 s. The live partials' state is kept in arrays
(``_Partials``) with room grown whenever a frame's peaks might not fit, the matched points in
a log (``_Log``) grown likewise; ``Linker.finish`` groups the log into partials in numpy (it
runs once).

The kernels are compiled twice over, from this one source:

- ahead of time, by ``scripts/compile_linking.py`` (``make`` runs it), into an extension
  module beside this file named by this file's digest (``compiled_name``): loaded in under
  a millisecond, and numba is not imported at all. numba's own start (0.2 s to import it,
  0.35 s more at the first call: its typing registries, and scipy.linalg for its BLAS check)
  was the largest cost of `soma track`'s process after its workers' peaks;
- by numba's JIT (``jit_kernels``, ``cache=True`` in ``__pycache__``: 6-7 s to compile once,
  then loaded), used when that module is missing or was built from another version of this
  file (an edit in dev mode, until ``make`` runs again). The build itself compiles through
  it, and the tests compare the two.

The compiled code gives the partials the numpy code gave, bit for bit: it evaluates every
expression in numpy's order (a sum of TREND_POINTS values in numpy's pairwise order,
``_sum``), and the assignment is scipy's own algorithm (``_assignment``), not another that
would break ties otherwise. It reads as globals only this module's constants: numba's cache
and the compiled module are keyed by this file alone, so what comes from elsewhere (the
bands of ``workers.track_peaks``, the hop) is passed in as arguments, or a build would not
see it change.

Pure numpy (and numba, when the JIT compiles): no GUI code, of app nothing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from workers.track_grid import BAND_HIGHS, BAND_SHORTEST, HOP

__all__ = [
    "GATE_CENTS",
    "JOIN_CENTS",
    "JOIN_FRAMES",
    "Linker",
    "compiled_module",
    "compiled_name",
    "jit_kernels",
    "prepare",
]

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
# A partial held by a crossing (``Linker``) is predicted on the least-squares line through
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
_NO_MATCH = 1e12

# The longest gap (frames) of a partial, and of a gliding one.
_GAPS = (round(MAX_GAP_SECONDS / HOP), round(MAX_COAST_SECONDS / HOP))

# The functions compiled code runs (marked ``@_kernel``): plain Python until ``jit_kernels``
# replaces them with numba's compiled ones; ahead of time they are compiled into one module.
_KERNELS: list[str] = []


def _kernel(function):
    """Mark ``function`` as one the compiled code runs (see the module docstring)."""
    _KERNELS.append(function.__name__)
    return function


class _Partials(NamedTuple):
    """The live partials' state, a row each (the first ``Linker._live`` rows; the others are
    room to grow into): numpy arrays of one length, float64 unless marked."""

    id: np.ndarray  # int64
    x: np.ndarray  # filtered cents
    v: np.ndarray  # cents per frame
    a: np.ndarray  # cents per frame**2
    level: np.ndarray  # dBFS, the last matched
    last: np.ndarray  # int64, the last frame a point corrected it
    count: np.ndarray  # int64, the frames a point corrected it
    glide: np.ndarray  # int64, matched frames in a row it glided
    seen: np.ndarray  # int64, the last frame it was matched or merged
    held_at: np.ndarray  # int64, its count when last held or merged
    lined_at: np.ndarray  # int64, its last frame when put on its line
    # Its last TREND_POINTS corrected points (frame, cents), rings (rows, TREND_POINTS): the
    # point of its count-th correction is in slot count % TREND_POINTS.
    ring_frame: np.ndarray
    ring_cents: np.ndarray


class _Log(NamedTuple):
    """The matched points in the order linked (the first ``Linker._logged`` entries)."""

    frame: np.ndarray  # int64
    id: np.ndarray  # int64, the partial's
    cents: np.ndarray  # float64
    level: np.ndarray  # float64, dBFS


class Linker:
    """Peaks to partials, frame by frame (steps 2 and 3 of ``workers.track``'s docstring).

    The live partials' state is kept in arrays (``_Partials``, one row per partial): its id, an
    alpha-beta-gamma filter of its frequency in cents (value, slope per frame, acceleration
    per frame**2), its last level, the last frame a point corrected the filter, the count
    of such frames and how many of the latest of those in a row it glided (its slope at
    least GLIDE_SLOPE), the last frame it was seen (matched, held or not, or merged into a
    contested peak), its count when it was last held or merged, the last corrected frame
    when its state was last set to its line, and its last TREND_POINTS corrected points
    (frames and cents, (n, TREND_POINTS) rings). Each frame's matched points are logged in
    arrays (``_Log``: frame, partial id, cents, level), 32 bytes a point and no Python object
    per point, and grouped into partials at the end.
    """

    def __init__(self, kernel=None):
        """``kernel``: the compiled ``_link_frames`` to run (default: the module compiled
        ahead of time, or else numba's JIT; see the module docstring)."""
        self._kernel = _linking_kernel() if kernel is None else kernel
        self._partials, self._live = _no_partials(), 0
        self._log, self._logged = _empty_log(), 0
        self._next_id = 0

    def link(self, first: int, freq: np.ndarray, level: np.ndarray, offsets: np.ndarray) -> None:
        """Link one span's frames, from global frame ``first`` on: frame ``first + k``'s peaks
        are ``freq[offsets[k]:offsets[k + 1]]`` (Hz, float64) and ``level[...]`` (dBFS, float64),
        ``offsets`` int64 (frames + 1,) from 0."""
        cents = 1200.0 * np.log2(np.maximum(freq, 1e-9))
        frames = offsets.size - 1
        done = 0
        while True:
            done, self._live, self._next_id, self._logged = self._kernel(
                first,
                cents,
                level,
                offsets,
                done,
                self._partials,
                self._live,
                self._next_id,
                self._log,
                self._logged,
                _GAPS,
                (BAND_HIGHS, BAND_SHORTEST),
            )
            if done == frames:
                return
            # Frame `done`'s peaks might not fit: each may start a partial and is logged once.
            peaks = offsets[done + 1] - offsets[done]
            self._partials = _grown(self._partials, self._live + peaks)
            self._log = _grown(self._log, self._logged + peaks)

    def finish(self) -> list[np.ndarray]:
        """Every partial's points, (n, 3) rows [t, f, dBFS] on every frame from its first to
        its last, gaps interpolated (in cents and dB). The linker is emptied."""
        log = _Log(*(entries[: self._logged] for entries in self._log))
        self._partials, self._live = _no_partials(), 0
        self._log, self._logged = _empty_log(), 0
        if not log.id.size:
            return []
        order = np.argsort(log.id, kind="stable")  # each partial's points stay in time order
        frames, ids, cents, levels = (
            log.frame[order],
            log.id[order],
            log.cents[order],
            log.level[order],
        )
        starts = np.flatnonzero(np.diff(ids, prepend=-1))
        pieces = [
            (frames[a:b], cents[a:b], levels[a:b])
            for a, b in zip(starts, np.append(starts[1:], ids.size), strict=True)
        ]
        return [_points(*piece) for piece in _handed_over(pieces)]


def prepare() -> None:
    """Make the linking ready to run: the compiled module loaded (under a millisecond) or,
    without one built from this file as it is, numba's JIT: compiled into its cache the first
    time (6-7 s), loaded from it after and numba started (about 0.5 s, once per process).
    A partial linked over two frames, which calls every kernel."""
    linker = Linker()
    linker.link(0, np.array([440.0, 440.0]), np.array([-20.0, -20.0]), np.array([0, 1, 2]))
    linker.finish()


def compiled_name() -> str:
    """The name, in this package, of the module ``scripts/compile_linking.py`` compiles ahead
    of time from this file as it is now: ``_track_link_`` and 16 hex digits of its SHA-256."""
    return "_track_link_" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@functools.cache
def jit_kernels() -> dict:
    """The kernels compiled by numba's JIT, by name (numba dispatchers). They replace this
    module's Python functions, so that each calls the others compiled."""
    import numba  # only here: see the module docstring

    kernels = {name: numba.njit(cache=True)(globals()[name]) for name in _KERNELS}
    globals().update(kernels)
    return kernels


def compiled_module():
    """The module compiled ahead of time from this file as it is, or None: not built, built
    from another version of the file, or against another numpy's ABI (it fails to import)."""
    try:
        return importlib.import_module(f"{__package__}.{compiled_name()}")
    except ImportError:
        return None


@functools.cache
def _linking_kernel():
    """``_link_frames`` from the module compiled ahead of time, or else from numba's JIT."""
    module = compiled_module()
    return jit_kernels()["_link_frames"] if module is None else module.link_frames


def _no_partials() -> _Partials:
    """No partials, and no room for any."""

    def none(dtype=np.float64, *shape):
        return np.empty((0, *shape), dtype=dtype)

    return _Partials(
        id=none(np.int64),
        x=none(),
        v=none(),
        a=none(),
        level=none(),
        last=none(np.int64),
        count=none(np.int64),
        glide=none(np.int64),
        seen=none(np.int64),
        held_at=none(np.int64),
        lined_at=none(np.int64),
        ring_frame=none(np.float64, TREND_POINTS),
        ring_cents=none(np.float64, TREND_POINTS),
    )


def _empty_log() -> _Log:
    """No points, and no room for any."""
    return _Log(
        frame=np.empty(0, dtype=np.int64),
        id=np.empty(0, dtype=np.int64),
        cents=np.empty(0),
        level=np.empty(0),
    )


def _grown(arrays, rows: int):
    """``arrays`` (a _Partials or _Log) with room for at least ``rows`` rows: themselves, or
    copies with twice their rows (or ``rows``, if more), theirs first."""
    size = arrays[0].shape[0]
    if rows <= size:
        return arrays
    size = max(rows, 2 * size)
    grown = []
    for old in arrays:
        new = np.empty((size, *old.shape[1:]), dtype=old.dtype)
        new[: old.shape[0]] = old
        grown.append(new)
    return type(arrays)(*grown)


@_kernel
def _link_frames(first, cents, level, offsets, done, live, n, next_id, log, logged, gaps, bands):
    """Link a span's frames from ``done`` on, their peaks as ``Linker.link`` takes them
    (``cents`` float64 (p,), ``level`` dBFS float64 (p,), ``offsets``), stopping before a
    frame whose peaks might not fit in ``live`` (a _Partials, ``n`` rows live) or in ``log``
    (a _Log, ``logged`` entries). ``gaps``: _GAPS; ``bands``: (BAND_HIGHS, BAND_SHORTEST),
    passed in (see the module docstring).

    Returns (frames linked, live partials, next id, log entries): int.
    """
    frames = offsets.size - 1
    while done < frames:
        lo, hi = offsets[done], offsets[done + 1]
        if n + hi - lo > live.id.size or logged + hi - lo > log.id.size:
            break
        n, next_id, logged = _step(
            first + done,
            cents[lo:hi],
            level[lo:hi],
            live,
            n,
            next_id,
            log,
            logged,
            gaps,
            bands,
        )
        done += 1
    return done, n, next_id, logged


@_kernel
def _step(frame, cents, level, live, n, next_id, log, logged, gaps, bands):
    """Link one frame's peaks (``cents`` float64 (p,), ``level`` dBFS float64 (p,)) to the
    ``n`` live partials, the rest as ``_link_frames``: match them, hold, end and start
    partials, log the points.

    Returns (live partials, next id, log entries): int.
    """
    max_gap, max_coast = gaps
    highs, shortest = bands
    peaks = cents.size
    taken = np.zeros(peaks, dtype=np.bool_)
    if n and peaks:
        gap = np.empty(n)
        pred_x = np.empty(n)
        gate = np.empty(n)
        moving = np.empty(n, dtype=np.bool_)
        for k in range(n):
            gap[k] = frame - live.last[k]
            # Across a gap, a partial held by a crossing, or not yet followed long past one,
            # goes on along its line: its filter's slope was corrected by points the other
            # partial pulled (a filter quick enough for vibrato follows their wobble: at the
            # crossing glides' 1.5 s crossing a slope of 1.4 cents per frame read 3.7, and the
            # prediction was 80 cents off after 20 frames of gap; on the filter's slope, the
            # crossing glides had 2.67 tracks per partial, 2.92 in noise, instead of 1.00).
            recent = live.count[k] - live.held_at[k] < TREND_POINTS
            if recent and gap[k] >= 2 and live.lined_at[k] != live.last[k]:
                _put_on_line(live, k)
            # The acceleration is trusted over a few frames only: across a long gap the
            # prediction is the straight line of the slope.
            g = gap[k]
            pred_x[k] = live.x[k] + live.v[k] * g + 0.5 * live.a[k] * g * min(g, ACCEL_FRAMES)
            # 2**x and log2 are the C library's here, where numpy on an AVX-512 machine uses
            # its own SIMD ones, an ulp apart for about a quarter of values: the partials
            # would differ only if a distance lay within an ulp of a gate, or a prediction of
            # a band's edge.
            pred_f = 2.0 ** (pred_x[k] / 1200.0)
            band = 0  # np.searchsorted(highs, pred_f, side="right"), quicker to compile
            while band < highs.size and highs[band] <= pred_f:
                band += 1
            sigma_t = shortest[band]
            sigma_f = 1.0 / (2.0 * np.pi * sigma_t)
            gate[k] = max(GATE_CENTS, 1200.0 * np.log2(1.0 + GATE_SIGMAS * sigma_f / pred_f))
            moving[k] = live.count[k] >= ESTABLISHED_FRAMES and abs(live.v[k]) >= GLIDE_SLOPE
        held = _crossing(pred_x, gate, moving, live.level[:n])
        cost = np.empty((n, peaks))
        allowed = np.empty((n, peaks), dtype=np.bool_)
        sole = np.empty(n, dtype=np.bool_)
        for k in range(n):
            # A partial just born has no slope yet: established ones choose first.
            young = YOUNG_COST if live.count[k] < ESTABLISHED_FRAMES else 0.0
            for j in range(peaks):
                dc = cents[j] - pred_x[k]
                da = level[j] - live.level[k]
                cost[k, j] = (dc / FREQ_SCALE_CENTS) ** 2 + (da / LEVEL_SCALE_DB) ** 2 + young
                # Across a gap, the level must match too: a partial coasting past its note's
                # end would otherwise take the next note's onset.
                allowed[k, j] = abs(dc) <= gate[k] and (gap[k] < 2 or abs(da) <= RESUME_LEVEL_DB)
            sole[k] = moving[k] and allowed[k].sum() == 1
        # A peak that two established gliding partials could take, and neither could
        # take another, is the two of them merged as they cross: taken by one, it would
        # drag that one off its line, and left free it would start a partial of its
        # own. Neither happens: both coast on their lines (the crossing glides' F rose
        # by 0.0004 and 0.0035; steady partials are left alone, since a note's
        # harmonic coasting past its end would take the next note's onset from it).
        # The peak shows both still sound: they count as seen.
        for j in range(peaks):
            takers = 0
            for k in range(n):
                takers += allowed[k, j] and sole[k]
            if takers >= 2:
                for k in range(n):
                    if allowed[k, j] and sole[k]:
                        _hold(live, k, frame)
                    allowed[k, j] = False
                taken[j] = True
        # The assignment over every pair, a disallowed one costing _NO_MATCH (and dropped).
        for k in range(n):
            for j in range(peaks):
                if not allowed[k, j]:
                    cost[k, j] = _NO_MATCH
        rows, cols = _assignment(cost)
        for pair in range(rows.size):
            k, j = rows[pair], cols[pair]
            if not allowed[k, j]:
                continue
            taken[j] = True
            # A held partial's point is output but corrects nothing: the other partial's
            # skirt pulls it (near the crossing glides' 0.6 s crossing, the split pair of a
            # merged peak read the partials 14 cents off, both outwards), and its line from
            # before the crossing predicts it better (the crossing glides' tracks per partial
            # 1.33 -> 1.00, and 1.17 -> 1.00 in noise). Steady partials are not held: the two
            # tones 25 cents apart, always within each other's gates, broke in two.
            if held[k]:
                _hold(live, k, frame)
            else:
                _update(live, k, cents[j], level[j], pred_x[k], gap[k], frame)
            logged = _log_point(log, logged, frame, live.id[k], cents[j], level[j])
    kept = 0  # the partials still alive, moved to the first rows in order
    for k in range(n):
        # An established gliding partial may coast longer: through a crossing, its peak
        # merged with another's for a few tenths of a second. A steady one may not: it would
        # join one note to the next on a shared harmonic, nor a steady one whose last frames
        # read the splatter of its note's cut (it took the next note's onset 0.1 s later).
        longest = max_gap
        if live.glide[k] >= GLIDE_FRAMES:
            longest = min(max(live.count[k] * GAP_PER_FRAME, max_gap), max_coast)
        # Coasting counts from the last frame the partial was seen: matched, or merged with
        # another into a contested peak (a crossing's merged peak lasts up to 0.2 s, and a
        # partial 0.2 s old may coast only 60 ms: counted from its last match, the crossing
        # glides had 1.58 tracks per partial, 2.00 in noise, instead of 1.00).
        if frame - live.seen[k] <= longest:
            if kept < k:
                _moved(live, k, kept)
            kept += 1
    n = kept
    for j in range(peaks):
        if taken[j]:
            continue
        live.id[n] = next_id
        live.x[n] = cents[j]
        live.v[n] = 0.0
        live.a[n] = 0.0
        live.level[n] = level[j]
        live.last[n] = frame
        live.count[n] = 1
        live.glide[n] = 0
        live.seen[n] = frame
        live.held_at[n] = -TREND_POINTS
        live.lined_at[n] = -1
        for slot in range(TREND_POINTS):
            live.ring_frame[n, slot] = frame
            live.ring_cents[n, slot] = cents[j]
        logged = _log_point(log, logged, frame, next_id, cents[j], level[j])
        next_id += 1
        n += 1
    return n, next_id, logged


@_kernel
def _log_point(log, logged, frame, ident, cents, level):
    """Append the point (frame, partial ``ident``, cents, dBFS) to ``log``'s ``logged``
    entries; returns their new count."""
    log.frame[logged] = frame
    log.id[logged] = ident
    log.cents[logged] = cents
    log.level[logged] = level
    return logged + 1


@_kernel
def _update(live, k, measured, level, predicted, gap, frame):
    """The alpha-beta-gamma filter's correction of partial ``k`` by its point (``measured``
    cents, ``level`` dBFS) at ``frame``, ``gap`` frames after its last, ``predicted`` cents."""
    residual = measured - predicted
    # The slope where the prediction is: the acceleration counted over ACCEL_FRAMES, as
    # there (counted over the whole gap, a partial resuming after a 46-frame coast read a
    # slope of 54 cents per frame; the crossing glides' F 0.9827 -> 0.9848).
    v = live.v[k] + live.a[k] * min(gap, ACCEL_FRAMES)
    if live.count[k] == 1:  # a slope from the first two points alone
        x, v, a = measured, (measured - live.x[k]) / gap, 0.0
    else:
        x = predicted + ALPHA * residual
        v, a = v + BETA * residual / gap, live.a[k] + 2.0 * GAMMA * residual / gap**2
    live.x[k], live.v[k], live.a[k] = x, v, a
    live.level[k] = level
    live.last[k] = frame
    live.seen[k] = frame
    slot = live.count[k] % TREND_POINTS
    live.ring_frame[k, slot] = frame
    live.ring_cents[k, slot] = measured
    live.count[k] += 1
    live.glide[k] = live.glide[k] + 1 if abs(v) >= GLIDE_SLOPE else 0


@_kernel
def _hold(live, k, frame):
    """Partial ``k`` sounded at ``frame`` without correcting its filter: held by a crossing,
    or merged with another into a contested peak."""
    live.seen[k] = frame
    live.held_at[k] = live.count[k]


@_kernel
def _moved(live, k, to):
    """Partial ``k``'s row copied to row ``to`` (the live rows kept in order, ``to < k``)."""
    live.id[to], live.x[to], live.v[to], live.a[to] = live.id[k], live.x[k], live.v[k], live.a[k]
    live.level[to], live.last[to], live.count[to] = live.level[k], live.last[k], live.count[k]
    live.glide[to], live.seen[to], live.held_at[to] = live.glide[k], live.seen[k], live.held_at[k]
    live.lined_at[to] = live.lined_at[k]
    for slot in range(TREND_POINTS):
        live.ring_frame[to, slot] = live.ring_frame[k, slot]
        live.ring_cents[to, slot] = live.ring_cents[k, slot]


@_kernel
def _put_on_line(live, k):
    """Partial ``k``'s filter state (a held or merged one, so with at least ESTABLISHED_FRAMES
    corrected points) set to the least-squares line through the points in its ring: value at
    its last corrected frame, slope, no acceleration. The prediction then follows that line
    until a point corrects it. Sums as numpy's (``_sum``)."""
    weight = (np.arange(TREND_POINTS) < live.count[k]).astype(np.float64)
    n = _sum(weight)
    t = live.ring_frame[k] - live.last[k]  # frames before the last one
    c = live.ring_cents[k]
    t_mean = _sum(weight * t) / n
    dt = weight * (t - t_mean)
    slope = _sum(dt * c) / _sum(dt * t)
    live.x[k] = _sum(weight * c) / n - slope * t_mean
    live.v[k] = slope
    live.a[k] = 0.0
    live.lined_at[k] = live.last[k]


@_kernel
def _sum(values):
    """The sum of ``values`` (float64, 8 to 128 of them) as ``np.sum`` adds them, bit for bit
    (numpy's pairwise summation of up to 128 values): eight running sums over the values (the
    i-th takes every eighth from the i-th), added in pairs, then the values left over beyond a
    multiple of eight, in turn."""
    n = values.size
    partial = values[:8].copy()
    i = 8
    while i < n - n % 8:
        for r in range(8):
            partial[r] += values[i + r]
        i += 8
    total = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + (
        (partial[4] + partial[5]) + (partial[6] + partial[7])
    )
    while i < n:
        total += values[i]
        i += 1
    return total


@_kernel
def _crossing(cents, gate, gliding, level):
    """Which partials are held by a crossing (bool (n,)): gliding ones (``gliding``, bool
    (n,)) whose predictions (``cents``, (n,)) lie within each other's gates (``gate``, cents
    (n,)) of another gliding one's, where either could take the other's peak, and whose last
    levels (``level``, dBFS (n,)) are within HOLD_LEVEL_DB. Only neighbours in
    frequency are compared (a sort, not n**2 pairs)."""
    held = np.zeros(cents.size, dtype=np.bool_)
    # The gliding ones in order of their predictions, by insertion (a few dozen partials; the
    # order np.argsort gives, predictions never being equal, and far quicker to compile).
    order = np.empty(cents.size, dtype=np.int64)
    count = 0
    for k in range(cents.size):
        if gliding[k]:
            at = count
            while at > 0 and cents[order[at - 1]] > cents[k]:
                order[at] = order[at - 1]
                at -= 1
            order[at] = k
            count += 1
    for i in range(count - 1):
        below, above = order[i], order[i + 1]
        near = cents[above] - cents[below] <= min(gate[below], gate[above])
        if near and abs(level[above] - level[below]) <= HOLD_LEVEL_DB:
            held[below] = held[above] = True
    return held


@_kernel
def _assignment(cost):
    """``scipy.optimize.linear_sum_assignment(cost)`` (``cost`` float64 (rows, columns), neither
    0, every entry finite), the same pairs in the same order, ties broken alike: (rows,
    columns), int64 (min(rows, columns),), rows increasing.

    A line-for-line port of scipy's rectangular_lsap.cpp (scipy 1.17; BSD-3-Clause, by PM
    Larsen): the shortest augmenting path method of DF Crouse, "On implementing 2D
    rectangular assignment algorithms", IEEE Transactions on Aerospace and Electronic Systems
    52(4), 2016, pp. 1685-1686, on the cost matrix transposed when it has more rows than
    columns. scipy's handling of an empty matrix and its checks for NaN, -inf and an
    infeasible one are left out: the linker has a partial and a peak when it asks, and every
    entry finite (a disallowed pair costs _NO_MATCH), so a complete assignment exists.
    """
    nr, nc = cost.shape
    transpose = nc < nr
    if transpose:
        cost = cost.T.copy()
        nr, nc = nc, nr
    u = np.zeros(nr)
    v = np.zeros(nc)
    shortest_path_costs = np.empty(nc)
    path = np.full(nc, -1, dtype=np.int64)
    col4row = np.full(nr, -1, dtype=np.int64)
    row4col = np.full(nc, -1, dtype=np.int64)
    sr = np.empty(nr, dtype=np.bool_)
    sc = np.empty(nc, dtype=np.bool_)
    remaining = np.empty(nc, dtype=np.int64)
    for cur_row in range(nr):
        # augmenting_path(): the shortest augmenting path from cur_row.
        min_val = 0.0
        num_remaining = nc
        for it in range(nc):
            # Filling this up in reverse order ensures that the solution of a constant cost
            # matrix is the identity matrix (scipy's comment; its issue #11602).
            remaining[it] = nc - it - 1
        sr[:] = False
        sc[:] = False
        shortest_path_costs[:] = np.inf
        sink = -1
        i = cur_row
        while sink == -1:
            index = -1
            lowest = np.inf
            sr[i] = True
            for it in range(num_remaining):
                j = remaining[it]
                r = min_val + cost[i, j] - u[i] - v[j]
                if r < shortest_path_costs[j]:
                    path[j] = i
                    shortest_path_costs[j] = r
                # When multiple nodes have the minimum cost, one that gives a new sink node
                # is selected (scipy's comment).
                if shortest_path_costs[j] < lowest or (
                    shortest_path_costs[j] == lowest and row4col[j] == -1
                ):
                    lowest = shortest_path_costs[j]
                    index = it
            min_val = lowest
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            sc[j] = True
            num_remaining -= 1
            remaining[index] = remaining[num_remaining]
        # solve(): update the dual variables, then augment the previous solution.
        u[cur_row] += min_val
        for i in range(nr):
            if sr[i] and i != cur_row:
                u[i] += min_val - shortest_path_costs[col4row[i]]
        for j in range(nc):
            if sc[j]:
                v[j] -= min_val - shortest_path_costs[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == cur_row:
                break
    if transpose:
        # The pairs in the order of the matrix's rows, as scipy sorts them (no two alike).
        column = np.full(nc, -1, dtype=np.int64)
        for i in range(nr):
            column[col4row[i]] = i
        rows = np.empty(nr, dtype=np.int64)
        pairs = 0
        for row in range(nc):
            if column[row] >= 0:
                rows[pairs] = row
                pairs += 1
        return rows, column[rows]
    return np.arange(nr), col4row


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

"""Additive resynthesis: traced partials back into sound.

``synthesize`` renders each partial as one phase-continuous sinusoidal oscillator and sums
them. Between two points a partial's frequency glides linearly in log-frequency (a constant
number of cents per second: the straight line the log-frequency spectrogram shows) and its
amplitude linearly in linear amplitude (10**(dB/20)). The phase is the exact integral of that
frequency, evaluated in closed form per segment in float64: within a segment from (t_k, f_k)
to (t_k+1, f_k+1), with b = ln(f_k+1 / f_k) / (t_k+1 - t_k),

    phase(t) = phase_k + f_k / b * expm1(b * (t - t_k))      cycles,

which is what ``2*pi*cumsum(f)/sr`` approximates, without its drift over long files. Every
sample is a function of its own time only (sample n is at n / sr s), so rendering any window
gives exactly the samples of the same range of the full rendering: the page can play audio in
chunks. Phases at the segment starts are kept modulo one cycle; a partial's phase is 0 where
its first fade-in starts. Samples are computed ``CHUNK`` at a time (a few MB of temporaries
whatever the length), the sine in float32 on the fraction of a cycle (error ~2e-7).

Each run of valid points (a partial's start to its end, or between two gaps) is faded in and
out with a raised cosine over ``FADE_SECONDS`` *outside* the run: it rises before its first
point and decays after its last at that point's amplitude, so the points themselves sound at
their measured level. At a partial's start and end the fade holds the end point's frequency.
Between two runs the fades are shortened to half the gap if it is shorter than two fades; the
oscillator is silent in between, and its phase keeps going: across the gap, fades included,
the frequency glides in log-frequency from the last point before it to the first after it, so
after the gap the partial is in phase with one that glided through it.

A point is a gap (silent) if its frequency or amplitude is NaN, or if its frequency is at or
above the Nyquist frequency ``sr / 2``: that part of the partial is silent rather than aliased
(a partial traced in a 96 kHz file and played at 44.1 kHz loses only its top). Runs of a single
point are silent (there is nothing to interpolate), and so is a partial with fewer than two
valid points.

Pure numpy: no GUI code, nothing from ``app``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from workers.checks import finite, whole

__all__ = ["FADE_SECONDS", "MAX_SAMPLES", "SynthError", "synthesize"]

FADE_SECONDS = 0.005  # raised-cosine onset and end fades (and on both sides of each gap)
MAX_SAMPLES = 2 * 3600 * 48_000  # output length cap: 2 hours at 48 kHz (1.4 GB of float32)
MAX_SECONDS = 1e7  # |start|, |end| and |point times| bound: keeps n / sr exact in float64
MAX_DB = 60.0  # loudest point accepted, dBFS (1000x full scale: certainly a mistake above)
CHUNK = 1 << 16  # output samples per pass: bounds the temporaries to a few MB
_MIN_RATE = 1e-200  # 1/s: a steady segment's slope (0) is replaced by this, so f / b stays finite
# and f / b * expm1(b * tau) is f * tau to the last bit (no real slope is below ~1e-23 / s)

# Segment kinds: how a segment's amplitude is shaped.
_LINEAR, _FADE_IN, _FADE_OUT, _SILENT = 0, 1, 2, 3


class SynthError(SomaError, ValueError):
    """Invalid arguments to ``synthesize``; str() is one clear line."""


def synthesize(
    partials: Sequence[np.ndarray],
    sr: int,
    *,
    start: float = 0.0,
    end: float | None = None,
    gains: Sequence[float] | None = None,
    report=None,
) -> np.ndarray:
    """Sum of one sinusoidal oscillator per partial, over [start, end).

    Parameters
    ----------
    partials : sequence of array-like, each shape (n, 3), rows [time s, frequency Hz, dBFS]
        Sorted by time (non-decreasing; of points with equal times the last one is kept).
        Times finite. Frequency > 0 or NaN; amplitude finite, -inf (silent) or NaN, at most
        ``MAX_DB``. A point with a NaN frequency or amplitude, or a frequency at or above
        ``sr / 2``, is a gap (see the module docstring). n may be 0.
    sr : int in [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE], sample rate in Hz
    start : float, seconds
        Time of the first output sample, rounded to the sample grid: sample i of the result is
        the signal at time (round(start * sr) + i) / sr.
    end : float > start, seconds, or None
        The result has round(end * sr) - round(start * sr) samples. None: through the end of
        the last partial's fade-out (its last sample is silent), or no samples if no partial
        sounds after ``start``. Muted partials count, so muting does not change the length.
    gains : sequence of float >= 0, one per partial, or None (all 1)
        Linear gains: 0 mutes a partial, zeros on all but one solo it.
    report : callable(done, total) or None, told the samples done after every ``CHUNK``

    Returns
    -------
    np.ndarray, float32, shape (samples,)
        Mono samples. A steady partial at L dBFS is a sine of peak 10**(L/20) (-6.02 dBFS:
        0.5). Not clipped: many loud partials can exceed 1.

    Raises
    ------
    SynthError
        For any invalid argument, or an output longer than ``MAX_SAMPLES``, before any work is
        done.
    """
    sr = _sample_rate(sr)
    start = _time("start", start)
    if end is not None:
        end = _time("end", end)
        if end <= start:
            raise SynthError(f"end ({end:g} s) must be after start ({start:g} s)")
    if isinstance(partials, np.ndarray) and partials.ndim == 2:
        raise SynthError(
            "partials must be a sequence of (n, 3) arrays, not one array; "
            "wrap a single partial in a list"
        )
    try:
        partials = list(partials)
    except TypeError:
        raise SynthError(
            f"partials must be a sequence of (n, 3) arrays, got {type(partials).__name__}"
        ) from None
    tables = [_table(_points(i, p), sr) for i, p in enumerate(partials)]
    gains = _gains(gains, len(partials))

    n0 = round(start * sr)
    if end is None:
        last = max((table[0][-1] for table in tables if table is not None), default=-math.inf)
        n1 = max(n0, math.ceil(last * sr) + 1) if last > -math.inf else n0
    else:
        n1 = round(end * sr)
    if n1 - n0 > MAX_SAMPLES:
        raise SynthError(
            f"the output would be {n1 - n0} samples ({(n1 - n0) / sr:g} s at "
            f"{sr} Hz); at most {MAX_SAMPLES} are allowed: render it in windows"
        )

    out = np.zeros(max(0, n1 - n0), dtype=np.float32)
    sounding = [
        (table, gain)
        for table, gain in zip(tables, gains, strict=True)
        if table is not None and gain > 0
    ]
    buffer = np.empty(min(CHUNK, out.size))
    for c0 in range(0, out.size, CHUNK):
        c1 = min(out.size, c0 + CHUNK)
        t = np.arange(n0 + c0, n0 + c1, dtype=np.float64) / sr
        acc = buffer[: c1 - c0]
        acc[:] = 0.0
        for table, gain in sounding:
            _render(table, gain, t, acc)
        out[c0:c1] = acc
        if report is not None:
            report(c1, out.size)
    return out


# --- computation -----------------------------------------------------------------------------


def _table(points: np.ndarray, sr: int):
    """A partial as segments between knots, or None if it never sounds.

    Knots are: per run of valid points, a fade-in start, the run's points, and a fade-out end;
    segment k runs from knot k to knot k+1, its frequency log-linear between theirs. Returns
    knot times (K,) s, and per segment, shape (K-1,): phase at its start in cycles modulo 1,
    f_k / b_k (cycles), b_k (1/s), amplitude at its start (linear), amplitude slope (1/s), kind.
    All float64 but kind (int8).
    """
    if points.shape[0] < 2:
        return None
    t, f, db = points.T
    # Of equal times the last point is kept (as snap_trace does with a guide), so that knot
    # times are strictly increasing.
    keep = np.append(t[1:] != t[:-1], True)
    t, f, db = t[keep], f[keep], db[keep]
    valid = np.isfinite(f) & (f < sr / 2.0) & ~np.isnan(db)  # -inf dB: valid but silent
    # Runs: maximal stretches of consecutive valid points; a lone valid point is silent.
    edges = np.diff(np.concatenate(([0], valid.astype(np.int8), [0])))
    firsts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_runs = ends - firsts >= 2
    firsts, lasts = firsts[long_runs], ends[long_runs] - 1
    if firsts.size == 0:
        return None
    runs = firsts.size
    lengths = lasts - firsts + 1
    before = np.cumsum(lengths) - lengths  # sounding points in earlier runs
    idx = np.repeat(firsts - before, lengths) + np.arange(int(lengths.sum()))
    run_of = np.repeat(np.arange(runs), lengths)

    a, b = t[firsts], t[lasts]
    half_gap = (a[1:] - b[:-1]) / 2.0
    fade_in = np.full(runs, FADE_SECONDS)
    fade_out = np.full(runs, FADE_SECONDS)
    fade_in[1:] = np.minimum(FADE_SECONDS, half_gap)
    fade_out[:-1] = np.minimum(FADE_SECONDS, half_gap)

    size = idx.size + 2 * runs
    point_pos = np.arange(idx.size) + 1 + 2 * run_of
    in_pos = before + 2 * np.arange(runs)
    out_pos = in_pos + lengths + 1
    amp = np.power(10.0, db / 20.0)
    kt, kf, ka = np.empty(size), np.empty(size), np.empty(size)
    kind = np.full(size, _LINEAR, dtype=np.int8)
    kt[point_pos], kf[point_pos], ka[point_pos] = t[idx], f[idx], amp[idx]
    kt[in_pos], kf[in_pos], ka[in_pos] = a - fade_in, f[firsts], amp[firsts]
    kt[out_pos], kf[out_pos], ka[out_pos] = b + fade_out, f[lasts], amp[lasts]
    # Across a gap the frequency glides in log-frequency from the last point before it to the
    # first after it, fades included, so the phase after the gap is what it would have been
    # had the partial sounded through a glide between them.
    ratio = np.log(f[firsts[1:]] / f[lasts[:-1]]) / (a[1:] - b[:-1])
    kf[out_pos[:-1]] = f[lasts[:-1]] * np.exp(ratio * fade_out[:-1])
    kf[in_pos[1:]] = f[firsts[1:]] * np.exp(-ratio * fade_in[1:])
    kind[in_pos] = _FADE_IN
    kind[out_pos - 1] = _FADE_OUT  # the segment from a run's last point
    kind[out_pos] = _SILENT  # the gap to the next run's fade-in (none after the last)
    # b + g/2 and a' - g/2 may round past each other; knots must not go backwards.
    kt = np.maximum.accumulate(kt)

    span = np.diff(kt)
    moving = span > 0
    safe = np.where(moving, span, 1.0)
    rate = np.where(moving, np.log(kf[1:] / kf[:-1]) / safe, 0.0)
    rate = np.where(np.abs(rate) < _MIN_RATE, np.where(rate < 0, -_MIN_RATE, _MIN_RATE), rate)
    scale = kf[:-1] / rate
    step = np.where(moving, scale * np.expm1(rate * span), 0.0)  # cycles per segment
    # Only the phase modulo one cycle matters: summing fractions keeps the sum small and exact.
    phase = np.concatenate(([0.0], np.cumsum(step - np.rint(step))[:-1]))
    phase -= np.rint(phase)
    kind = kind[:-1]
    level = np.where(kind == _SILENT, 0.0, ka[:-1])
    slope = np.where((kind == _LINEAR) & moving, (ka[1:] - ka[:-1]) / safe, 0.0)
    return kt, phase, scale, rate, level, slope, kind


def _render(table, gain: float, t: np.ndarray, acc: np.ndarray) -> None:
    """Add one partial's samples at times t (sorted, float64 s) into acc, in place."""
    kt, phase, scale, rate, level, slope, kind = table
    last = kt.size - 1
    j0 = max(int(np.searchsorted(kt, t[0], side="right")) - 1, 0)
    j1 = min(int(np.searchsorted(kt, t[-1], side="right")), last)
    if j1 <= j0:
        return
    # Sample i lies in segment j when kt[j] <= t[i] < kt[j + 1].
    edges = np.searchsorted(t, kt[j0 : j1 + 1], side="left")
    lo, hi = int(edges[0]), int(edges[-1])
    if hi <= lo:
        return
    counts = np.diff(edges)
    seg = slice(j0, j1)
    tau = t[lo:hi] - np.repeat(kt[seg], counts)
    cycles = np.expm1(tau * np.repeat(rate[seg], counts))
    cycles *= np.repeat(scale[seg], counts)
    cycles += np.repeat(phase[seg], counts)
    cycles -= np.rint(cycles)
    # float32 sine of the fraction of a cycle: ~2e-7 rad, and an order of magnitude faster.
    wave = np.sin(cycles.astype(np.float32) * np.float32(2.0 * np.pi))
    amp = np.repeat(slope[seg], counts) * tau
    amp += np.repeat(level[seg], counts)

    kinds = kind[seg]
    fades = np.flatnonzero((kinds == _FADE_IN) | (kinds == _FADE_OUT))
    if fades.size:
        lengths = counts[fades]
        total = int(lengths.sum())
        if total:
            first = edges[fades] - lo
            at = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            duration = np.repeat(kt[j0 + fades + 1] - kt[j0 + fades], lengths)
            x = tau[at] / duration
            x = np.where(np.repeat(kinds[fades] == _FADE_IN, lengths), x, 1.0 - x)
            amp[at] *= np.sin(0.5 * np.pi * x) ** 2
    amp *= gain
    acc[lo:hi] += amp * wave


# --- validation ------------------------------------------------------------------------------


def _sample_rate(sr) -> int:
    return whole("sr", sr, SynthError, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE)


def _time(name: str, value) -> float:
    value = finite(name, value, SynthError)
    if abs(value) > MAX_SECONDS:
        raise SynthError(f"{name} must lie within +-{MAX_SECONDS:g} s, got {value:g}")
    return value


def _points(i: int, partial) -> np.ndarray:
    try:
        points = np.asarray(partial, dtype=np.float64)
    except (TypeError, ValueError):
        raise SynthError(
            f"partial {i} must be an array of [time, frequency, dBFS] numbers"
        ) from None
    if points.ndim != 2 or points.shape[1] != 3:
        raise SynthError(
            f"partial {i} must have shape (n, 3) of [time s, frequency Hz, dBFS], "
            f"got {points.shape}"
        )
    t, f, db = points.T
    if not np.isfinite(t).all():
        raise SynthError(f"partial {i}: times must be finite")
    if t.size and np.abs(t).max() > MAX_SECONDS:
        raise SynthError(f"partial {i}: times must lie within +-{MAX_SECONDS:g} s")
    if (np.diff(t) < 0).any():
        k = int(np.flatnonzero(np.diff(t) < 0)[0])
        raise SynthError(
            f"partial {i}: times must be sorted, but point {k + 1} "
            f"({t[k + 1]:g} s) comes before point {k} ({t[k]:g} s)"
        )
    if np.isinf(f).any() or (f <= 0).any():
        bad = f[np.isinf(f) | (f <= 0)][0]
        raise SynthError(
            f"partial {i}: frequencies must be above 0 Hz and finite (or NaN for "
            f"a gap), got {bad:g}"
        )
    if (db > MAX_DB).any():
        raise SynthError(
            f"partial {i}: amplitudes must be at most {MAX_DB:g} dBFS, got {db[db > MAX_DB][0]:g}"
        )
    return points


def _gains(gains, count: int) -> np.ndarray:
    if gains is None:
        return np.ones(count)
    try:
        values = np.asarray(gains, dtype=np.float64)
    except (TypeError, ValueError):
        raise SynthError("gains must be a sequence of numbers") from None
    if values.shape != (count,):
        raise SynthError(
            f"gains must hold one number per partial ({count}), got shape {values.shape}"
        )
    if not np.isfinite(values).all() or (values < 0).any():
        raise SynthError("gains must be finite and at least 0")
    return values

"""Harmonics: partials 2..N traced from one traced fundamental.

``find_harmonics`` follows the fundamental's contour up the harmonic series:

1. The fundamental's finite points give f1(t) (rows in the noise, NaN, are skipped: the guide
   is linear in cents between the points around them).
2. Harmonic n's guide is the stiff-string series f_n(t) = f1(t) * n * sqrt((1 + B n**2) /
   (1 + B)) (f_n = n f0 sqrt(1 + B n**2), with f1 the traced partial 1), B the inharmonicity
   fitted so far, and it is snapped with ``workers.snap.snap_trace`` (Viterbi ridge search,
   phase-derivative refinement, noise flags) at a tolerance of ``SPACING_FRACTION`` of the
   interval to the nearer neighbour (at most ``MAX_TOLERANCE_CENTS``). The snap's wavelet has
   a half-power bandwidth of about that tolerance, so the neighbours stay resolved and the
   ridge cannot jump to one of them.
3. Harmonic 2 is guided with B = 0; B is fitted after each harmonic found (``fit_inharmonicity``:
   weighted least squares on the median ratios f_n / f1, clipped to [0,
   ``MAX_INHARMONICITY``]). Fitting from the first one found matters for stiff strings: with
   B = 0.03, harmonic 3 is already 180 cents above 3 f1, beyond its tolerance, and with B = 0
   guides the 5th guide lands on the 4th partial. A small error on harmonic 2 (a noisy one)
   moves the next guides by a few cents only, and each further harmonic refines B.
4. A harmonic is found if at least ``FOUND_FRACTION`` of its points stand out of the noise
   (the snap flags the others NaN) and, once B rests on two harmonics or more, its ridge is
   within ``MAX_OFFSET_FRACTION`` of the tolerance from the guide: in a chord, another note's
   partial at the edge of the band is not taken for it. Where it is not found, it is searched
   again at ``RETRY_NARROWING`` times the tolerance: a longer wavelet resolves another note's
   partial 100 cents away (C4's 4th and 6th harmonics beside E4's 3rd and 5th).
5. The search stops at ``count``, at the first harmonic whose guide reaches ``fmax`` or the
   Nyquist frequency, or after ``MISSES_TO_STOP`` harmonics in a row are not found (the rest
   of the series is in the noise). Harmonics not found are left out, so ``numbers`` may have
   gaps (a clarinet's weak even harmonics).

Measured on synthetic tones (1 s, 44.1 kHz, partials 0.3 / n, white noise; f1 snapped from a
flat guide): a 220 Hz tone with 40-cent vibrato, harmonics 2..10 within 0.2 cent (median); stiff
strings B = 4e-4 (110 Hz, 40 decaying partials, noise at -50 dBFS), 1e-3, 1e-2 and 3e-2: B
within 0.1 %, every partial below Nyquist found, within 1 cent (5 at the faintest and near
Nyquist); 12 harmonics in noise at -30 dBFS within 2.5 cents; a 5-partial tone gives exactly
2..5; C4 + E4: C4's 2..6, B < 1e-4. tests/test_harmonics.py checks these with margins.

Pure numpy/scipy: no GUI code; from ``app`` only ``app.base``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE
from workers.checks import finite, mono_samples, whole
from workers.snap import MAX_STEPS, snap_trace

__all__ = [
    "Harmonics",
    "HarmonicsError",
    "find_harmonics",
    "fit_inharmonicity",
    "harmonic_tolerance",
]

HOP = 0.005  # s between the harmonics' points: the snap's default
SPACING_FRACTION = 0.5  # the tolerance: this fraction of the interval to the nearer neighbour
MAX_TOLERANCE_CENTS = 100.0  # the snap's default: lower harmonics are far apart
RETRY_NARROWING = 1.0 / 3.0  # a harmonic not found is searched again at this tolerance
MAX_INHARMONICITY = 0.05  # beyond the stiffest piano strings' B (about 0.02 in the treble)
SPREAD_FLOOR_CENTS = 1.0  # ratio spreads below this weigh the same in the fit of B
MAX_OFFSET_FRACTION = 0.5  # of the tolerance: a harmonic's ridge is near a trusted guide
FOUND_FRACTION = 0.1  # of a harmonic's points out of the noise; 0.1 % on white noise
MISSES_TO_STOP = 3  # harmonics in a row not found: the series is in the noise
MAX_REPORTS = 40


class HarmonicsError(SomaError, ValueError):
    """Invalid arguments to ``find_harmonics``; str() is one clear line."""


@dataclass(frozen=True)
class Harmonics:
    """What ``find_harmonics`` found.

    numbers : tuple of int, the harmonic numbers found, ascending, from 2 (may have gaps)
    partials : tuple of np.ndarray, float64, shape (k, 3), one per number, rows
        [time s, frequency Hz, amplitude dBFS] as ``snap_trace`` returns them (NaN frequency
        and amplitude where in the noise)
    inharmonicity : float >= 0, the fitted B of f_n = n f0 sqrt(1 + B n**2) (0 for a harmonic
        sound, or when no harmonic was found)
    """

    numbers: tuple[int, ...]
    partials: tuple[np.ndarray, ...]
    inharmonicity: float


def find_harmonics(
    audio: np.ndarray,
    sr: int,
    trace,
    *,
    count: int | None = None,
    fmax: float | None = None,
    report=None,
) -> Harmonics:
    """Trace harmonics 2..N of a traced fundamental.

    Parameters
    ----------
    audio : np.ndarray, 1-D, float32 (float64 is converted), mono samples
    sr : int > 0, sample rate in Hz
    trace : array-like, shape (m, 2) or (m, 3), rows [time s, frequency Hz(, amplitude dB)]
        The fundamental (partial 1), e.g. a ``snap_trace`` result. Rows with a NaN frequency
        (in the noise) are skipped; at least two finite rows at different times are needed,
        and their frequencies must be above 0 and below the Nyquist frequency.
    count : int >= 2 or None
        The highest harmonic number wanted; None: until ``fmax``, the Nyquist frequency or the
        noise.
    fmax : float or None, Hz
        Harmonics whose guide reaches it are not searched; above the fundamental's highest
        frequency. None: the Nyquist frequency.
    report : callable(done: int, total: int) or None
        Progress in harmonics, called at most about ``MAX_REPORTS`` times.

    Returns
    -------
    Harmonics

    Raises
    ------
    HarmonicsError
        For any invalid argument, before any work is done.
    """
    samples = mono_samples(audio, HarmonicsError)
    sr = whole("sr", sr, HarmonicsError, 1, MAX_SAMPLE_RATE)
    times, f1 = _fundamental(trace, sr, samples.size / sr)
    if count is not None:
        count = whole("count", count, HarmonicsError, 2, 10**6)
    limit = sr / 2.0
    if fmax is not None:
        fmax = finite("fmax", fmax, HarmonicsError)
        if fmax <= f1.max():
            raise HarmonicsError(
                f"fmax ({fmax:g} Hz) must be above the fundamental (up to {f1.max():g} Hz)"
            )
        limit = min(limit, fmax)

    highest = math.floor(limit / f1.max())  # B = 0 bound: stretching only lowers it
    if count is not None:
        highest = min(highest, count)
    progress = _Progress(report, max(1, highest - 1))
    numbers_found: list[int] = []
    partials: list[np.ndarray] = []
    ratios: list[float] = []  # median f_n / f1 of each found harmonic
    spreads: list[float] = []  # and how much it wanders, cents
    inharmonicity = 0.0
    misses = 0
    for n in range(2, highest + 1):
        guide = np.c_[times, f1 * n * _stretch(n, inharmonicity)]
        if guide[:, 1].max() >= limit:
            break
        points = _snap_harmonic(samples, sr, guide, n, trusted=len(numbers_found) >= 2)
        progress.step(n - 1)
        if points is None:
            misses += 1
            if misses >= MISSES_TO_STOP:
                break
            continue
        misses = 0
        numbers_found.append(n)
        partials.append(points)
        ratio, spread = _ratio_to_fundamental(points[np.isfinite(points[:, 1])], times, f1)
        ratios.append(ratio)
        spreads.append(spread)
        inharmonicity = fit_inharmonicity(
            np.array(numbers_found), np.array(ratios), np.array(spreads)
        )
    progress.done()
    return Harmonics(tuple(numbers_found), tuple(partials), float(inharmonicity))


def fit_inharmonicity(numbers: np.ndarray, ratios: np.ndarray, spreads_cents: np.ndarray) -> float:
    """B of f_n = n f0 sqrt(1 + B n**2) from frequency ratios to partial 1.

    numbers : int array (k,), harmonic numbers n >= 2
    ratios : float array (k,), f_n / f_1 (medians over time)
    spreads_cents : float array (k,) >= 0, how much each ratio wanders over time (cents)

    Weighted least squares of y - 1 = B (n**2 - y), y = (ratio / n)**2 (the model with
    f_1 = f0 sqrt(1 + B) eliminated), weights 1 / (spread**2 + ``SPREAD_FLOOR_CENTS``**2),
    clipped to [0, ``MAX_INHARMONICITY``]. A partial's ratio to partial 1 is constant through
    vibrato and decay; one that wanders is beating with another sound's partial (a chord) and
    its median is not to be trusted.
    """
    n2 = np.asarray(numbers, dtype=np.float64) ** 2
    y = np.asarray(ratios, dtype=np.float64) ** 2 / n2
    weights = 1.0 / (np.asarray(spreads_cents, dtype=np.float64) ** 2 + SPREAD_FLOOR_CENTS**2)
    x = n2 - y
    b = float(np.dot(weights * x, y - 1.0) / np.dot(weights * x, x))
    return float(np.clip(b, 0.0, MAX_INHARMONICITY))


def _stretch(n: int, inharmonicity: float) -> float:
    """f_n / (n f_1) of the stiff-string series."""
    return math.sqrt((1.0 + inharmonicity * n * n) / (1.0 + inharmonicity))


def harmonic_tolerance(n: int) -> float:
    """The snap's tolerance at harmonic n: a fraction of the interval to harmonic n + 1 (the
    nearer neighbour), so that the ridge cannot reach it."""
    return min(MAX_TOLERANCE_CENTS, SPACING_FRACTION * 1200.0 * math.log2((n + 1) / n))


def _snap_harmonic(samples, sr: int, guide: np.ndarray, n: int, *, trusted: bool):
    """Harmonic n snapped around `guide` (m, 2), or None where it is not found: fewer than
    ``FOUND_FRACTION`` of its points out of the noise, or, when the guide is `trusted` (B
    fitted on two harmonics or more), a ridge more than ``MAX_OFFSET_FRACTION`` of the
    tolerance away from it: another sound's partial at the edge of the band (a chord)."""
    tolerance = harmonic_tolerance(n)
    # Where it is not found, another sound's partial may be near: a longer wavelet resolves it.
    for cents in (tolerance, tolerance * RETRY_NARROWING):
        points = snap_trace(samples, sr, guide, hop=HOP, tolerance_cents=cents)
        found = np.isfinite(points[:, 1])
        if found.mean() < FOUND_FRACTION:
            continue
        at = points[found]
        offset = np.median(np.abs(np.log2(at[:, 1] / np.interp(at[:, 0], *guide.T))))
        if not trusted or 1200.0 * offset <= MAX_OFFSET_FRACTION * cents:
            return points
    return None


def _ratio_to_fundamental(
    points: np.ndarray, times: np.ndarray, f1: np.ndarray
) -> tuple[float, float]:
    """A harmonic's frequency over partial 1's at the same times (log-interpolated): the median,
    and the median absolute deviation in cents. points: finite rows (k, 3)."""
    cents = 1200.0 * np.log2(points[:, 1] / np.exp(np.interp(points[:, 0], times, np.log(f1))))
    middle = float(np.median(cents))
    return 2.0 ** (middle / 1200.0), float(np.median(np.abs(cents - middle)))


def _fundamental(trace, sr: int, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """The trace's finite rows as sorted times and frequencies (float64 (m,) each), checked
    to overlap the audio (0 to `duration` s) over at most ``MAX_STEPS`` points."""
    try:
        rows = np.asarray(trace, dtype=np.float64)
    except (TypeError, ValueError):
        raise HarmonicsError(
            "trace must be rows of [time, frequency] or [time, frequency, amplitude] numbers"
        ) from None
    if rows.ndim != 2 or rows.shape[1] not in (2, 3):
        raise HarmonicsError(
            f"trace must have shape (points, 2) or (points, 3) of [time s, frequency Hz(, dB)], "
            f"got {rows.shape}"
        )
    t, f = rows[:, 0], rows[:, 1]
    if not np.isfinite(t).all():
        raise HarmonicsError("trace times must be finite numbers")
    if np.isinf(f).any():
        raise HarmonicsError("trace frequencies must be finite numbers or NaN (in the noise)")
    keep = ~np.isnan(f)
    t, f = t[keep], f[keep]
    if np.unique(t).size < 2:
        raise HarmonicsError(
            "the fundamental's trace needs at least two points out of the noise at different times"
        )
    if (f <= 0).any():
        raise HarmonicsError(f"trace frequencies must be above 0 Hz, got {f.min():g}")
    if (f >= sr / 2).any():
        raise HarmonicsError(
            f"trace frequency {f.max():g} Hz is not below the Nyquist frequency ({sr / 2:g} Hz)"
        )
    start, end = max(t.min(), 0.0), min(t.max(), duration)
    if end <= start:
        raise HarmonicsError(
            f"the trace ({t.min():g} to {t.max():g} s) lies outside the audio (0 to {duration:g} s)"
        )
    if (end - start) / HOP >= MAX_STEPS:
        raise HarmonicsError(
            f"the trace spans {end - start:g} s; at most {(MAX_STEPS - 1) * HOP:g} s at a time"
        )
    order = np.argsort(t, kind="stable")
    return t[order], f[order]


class _Progress:
    """report(done, total) in harmonics, at most about ``MAX_REPORTS`` calls."""

    def __init__(self, report, total: int):
        if report is not None and not callable(report):
            raise HarmonicsError(f"report must be callable or None, got {type(report).__name__}")
        self.report, self.total = report, total
        self.every = max(1, total // MAX_REPORTS)

    def step(self, done: int) -> None:
        if self.report is not None and done % self.every == 0 and done < self.total:
            self.report(done, self.total)

    def done(self) -> None:
        if self.report is not None:
            self.report(self.total, self.total)

"""Harmonics: partials 2..N traced from one traced fundamental.

``find_harmonics`` follows the fundamental's contour up the harmonic series:

1. The fundamental's finite points (rows in the noise, NaN, are skipped; the guide is linear
   between the points around them) give f1(t).
2. Harmonic n's guide is the stiff-string series f_n(t) = f1(t) * n * sqrt((1 + B n**2) /
   (1 + B)) (f_n = n f0 sqrt(1 + B n**2), with f1 the traced partial 1), B the inharmonicity
   fitted so far, and it is snapped with ``workers.snap.snap_trace`` (Viterbi ridge search,
   phase-derivative refinement, noise flags) at a tolerance of ``SPACING_FRACTION`` of the
   interval to the nearer neighbour (at most ``MAX_TOLERANCE_CENTS``). The snap's wavelet has
   a half-power bandwidth of about that tolerance, so the neighbours stay resolved and the
   ridge cannot jump to one of them.
3. The harmonics are guided with B = 0 until ``FIT_AFTER`` of them are found; from then on B
   is refitted after each one found: least squares over the found harmonics of
   y_n - 1 = B (n**2 - y_n), y_n = (median f_n / f1 / n)**2 (the model above rearranged),
   clipped to [0, ``MAX_INHARMONICITY``].
4. A harmonic is found if at least ``FOUND_FRACTION`` of its points stand out of the noise
   (the snap flags the others NaN). The search stops at ``count``, at the first harmonic whose
   guide reaches ``fmax`` or the Nyquist frequency, or after ``MISSES_TO_STOP`` harmonics in a
   row are not found (the rest of the series is in the noise). Harmonics not found are left
   out, so ``numbers`` may have gaps (a clarinet's weak even harmonics).

Pure numpy/scipy: no GUI code; from ``app`` only the error base class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE
from workers.checks import finite, mono_samples, whole
from workers.snap import snap_trace

__all__ = ["Harmonics", "HarmonicsError", "find_harmonics"]

SPACING_FRACTION = 0.5  # the tolerance: this fraction of the interval to the nearer neighbour
MAX_TOLERANCE_CENTS = 100.0  # the snap's default: lower harmonics are far apart
FIT_AFTER = 3  # harmonics found with B = 0 guides before B is fitted (B n**2 is small there)
MAX_INHARMONICITY = 0.05  # beyond the stiffest piano strings' B (about 0.02 in the treble)
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
        sound, or when fewer than ``FIT_AFTER`` harmonics were found)
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
    times, f1 = _fundamental(trace, sr)
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
    inharmonicity = 0.0
    misses = 0
    for n in range(2, highest + 1):
        guide = f1 * n * _stretch(n, inharmonicity)
        if guide.max() >= limit:
            break
        points = snap_trace(
            samples,
            sr,
            np.c_[times, guide],
            tolerance_cents=_tolerance_cents(n),
        )
        progress.step(n - 1)
        found = np.isfinite(points[:, 1])
        if found.mean() < FOUND_FRACTION:
            misses += 1
            if misses >= MISSES_TO_STOP:
                break
            continue
        misses = 0
        numbers_found.append(n)
        partials.append(points)
        ratios.append(_median_ratio(points[found], times, f1))
        if len(numbers_found) >= FIT_AFTER:
            inharmonicity = fit_inharmonicity(np.array(numbers_found), np.array(ratios))
    progress.done()
    return Harmonics(tuple(numbers_found), tuple(partials), float(inharmonicity))


def fit_inharmonicity(numbers: np.ndarray, ratios: np.ndarray) -> float:
    """B of f_n = n f0 sqrt(1 + B n**2) from frequency ratios to partial 1.

    numbers : int array (k,), harmonic numbers n >= 2
    ratios : float array (k,), f_n / f_1 (medians over time)

    Least squares of y - 1 = B (n**2 - y), y = (ratio / n)**2 (the model with f_1 = f0
    sqrt(1 + B) eliminated), clipped to [0, ``MAX_INHARMONICITY``].
    """
    n2 = np.asarray(numbers, dtype=np.float64) ** 2
    y = np.asarray(ratios, dtype=np.float64) ** 2 / n2
    x = n2 - y
    b = float(np.dot(x, y - 1.0) / np.dot(x, x))
    return float(np.clip(b, 0.0, MAX_INHARMONICITY))


def _stretch(n: int, inharmonicity: float) -> float:
    """f_n / (n f_1) of the stiff-string series."""
    return math.sqrt((1.0 + inharmonicity * n * n) / (1.0 + inharmonicity))


def _tolerance_cents(n: int) -> float:
    """The snap's tolerance at harmonic n: a fraction of the interval to harmonic n + 1 (the
    nearer neighbour), so that the ridge cannot reach it."""
    return min(MAX_TOLERANCE_CENTS, SPACING_FRACTION * 1200.0 * math.log2((n + 1) / n))


def _median_ratio(points: np.ndarray, times: np.ndarray, f1: np.ndarray) -> float:
    """Median of a harmonic's frequency over partial 1's at the same times (log-interpolated)."""
    return float(np.median(points[:, 1] / np.exp(np.interp(points[:, 0], times, np.log(f1)))))


def _fundamental(trace, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """The trace's finite rows as sorted times and frequencies (float64 (m,) each)."""
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

"""Partials: traced tracks of (time, frequency, amplitude) points, as immutable values."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field, replace

import numpy as np

# The loudest point a partial may have. Nothing recorded is far above full scale, and far
# above it the linear amplitude that SPEAR export and resynthesis compute, 10 ** (dB / 20),
# overflows (float32 past 770 dB, float64 past 6160 dB).
MAX_AMPLITUDE_DB = 200.0

PALETTE = (
    "#4cc9f0",
    "#f72585",
    "#b5e48c",
    "#ffd166",
    "#9d4edd",
    "#ff8c42",
    "#06d6a0",
    "#ef476f",
    "#8ecae6",
    "#e9c46a",
)


def frozen_points(points) -> np.ndarray:
    """`points` as a read-only float64 array of shape (n, 3): [time s, frequency Hz, amp dBFS].

    NaN in frequency and amplitude marks a point where the ridge sank into the noise: its
    time is kept so the gap shows, but it has no value (Soma never invents one).
    """
    array = np.array(points, dtype=np.float64, copy=True).reshape(-1, 3)
    array.flags.writeable = False
    return array


def points_problem(points: np.ndarray) -> str:
    """Why float64 (n, 3) points [time s, frequency Hz, amplitude dBFS] from a file cannot be a
    partial's, or "" when they can: the one rule for points that project load and partial
    import share, so Soma never holds a partial it could not save, export or play.

    Times are finite; a gap has NaN frequency and amplitude together; otherwise the frequency
    is finite and not negative and the amplitude finite and at most MAX_AMPLITUDE_DB.
    Returns e.g. "point 4: frequency -440.0 is negative" (points counted from 0).
    """
    times, frequencies, amplitudes = np.asarray(points, dtype=np.float64).reshape(-1, 3).T
    gap = np.isnan(frequencies)
    with np.errstate(invalid="ignore"):
        rules = (
            (~np.isfinite(times), "time {t!r} is not finite"),
            (
                gap != np.isnan(amplitudes),
                "frequency and amplitude are null together or not at all",
            ),
            (~gap & ~np.isfinite(frequencies), "frequency {f!r} is not finite"),
            (~gap & (frequencies < 0), "frequency {f!r} is negative"),
            (~gap & ~np.isfinite(amplitudes), "amplitude {a!r} is not finite"),
            (
                ~gap & (amplitudes > MAX_AMPLITUDE_DB),
                f"amplitude {{a:g}} dBFS is above the {MAX_AMPLITUDE_DB:g} dBFS Soma accepts",
            ),
        )
    for broken, message in rules:
        if broken.any():
            k = int(np.argmax(broken))
            t, f, a = float(times[k]), float(frequencies[k]), float(amplitudes[k])
            return f"point {k}: " + message.format(t=t, f=f, a=a)
    return ""


def points_to_json(points: np.ndarray) -> list:
    """(n, 3) points as JSON rows [t, f, a], with null for a gap's NaN frequency and amplitude
    (JSON has no NaN; a NaN in a pywebview return would even leave the JS promise hanging)."""
    points = np.asarray(points, dtype=np.float64)
    if not np.isnan(points).any():  # most partials: no gap, and no row to look at one by one
        return points.tolist()
    return [
        [t, None if math.isnan(f) else f, None if math.isnan(a) else a]
        for t, f, a in points.tolist()
    ]


def points_from_json(rows) -> np.ndarray:
    """The inverse of points_to_json: read-only float64 (n, 3), null read as NaN.

    Raises TypeError or ValueError for rows that are not [t, f, a] numbers or nulls; callers
    reading untrusted files validate first (app.files.project) or turn these into their own error.
    """
    return frozen_points(
        [[t, math.nan if f is None else f, math.nan if a is None else a] for t, f, a in rows]
    )


def points_to_base64(points: np.ndarray) -> str:
    """(n, 3) points as project files (and dev mode's state file) hold them: base64 of the
    little-endian float64 rows [t s, f Hz, a dBFS], row after row, NaN kept for a gap.

    Per-point JSON lists took seconds for a 2,000,000-point partial (a Python list per point,
    then json walking them); these bytes take a small fraction of that.
    """
    return base64.b64encode(_row_bytes(points)).decode("ascii")


def points_from_base64(text: str) -> np.ndarray:
    """The inverse of points_to_base64: read-only float64 (n, 3).

    Raises ValueError for text that is not base64 of a whole number of rows.
    """
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 24:
        raise ValueError(f"{len(raw)} bytes are not whole [t, f, a] float64 rows")
    return frozen_points(np.frombuffer(raw, dtype="<f8"))


@dataclass(frozen=True)
class Partial:
    """One traced partial.

    id : int, unique within a document, never reused
    name : str, shown in the partials list
    color : str, '#rrggbb'
    points : float64 (n, 3) read-only, sorted by time; see frozen_points
    source : dict, how it was made: {"guide": [[t, f], ...], "hop": s, "tolerance_cents": c,
        ...} for a snapped partial; {} for an imported one. JSON-able.
    """

    id: int
    name: str
    color: str
    points: np.ndarray
    source: dict = field(default_factory=dict)

    def with_points(self, points) -> Partial:
        return replace(self, points=frozen_points(points))

    def to_json(self) -> dict:
        """What the page gets of it: all but its points, which travel as bytes (see
        partials_bytes), ``pointCount`` rows of them."""
        return {
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "pointCount": int(self.points.shape[0]),
            "source": self.source,
        }


def partials_bytes(partials) -> bytes:
    """The points of `partials` (Partial, in order) as the page fetches them: little-endian
    float64 rows [t s, f Hz, a dBFS], each partial's after the one before's, NaN kept for a
    gap. As bytes, not JSON: a tracked 10-minute file's 2.4 million points took 7 s to come
    through pywebview's string return as base64, and 5-6 s of the page's main thread to
    parse."""
    return b"".join(_row_bytes(p.points) for p in partials)


def _row_bytes(points: np.ndarray) -> bytes:
    return np.ascontiguousarray(points, dtype="<f8").tobytes()


def default_color(partial_id: int) -> str:
    return PALETTE[(partial_id - 1) % len(PALETTE)]

"""Partials: traced tracks of (time, frequency, amplitude) points, as immutable values."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

PALETTE = ("#4cc9f0", "#f72585", "#b5e48c", "#ffd166", "#9d4edd", "#ff8c42", "#06d6a0",
           "#ef476f", "#8ecae6", "#e9c46a")


def frozen_points(points) -> np.ndarray:
    """`points` as a read-only float64 array of shape (n, 3): [time s, frequency Hz, amp dBFS].

    NaN in frequency and amplitude marks a point where the ridge sank into the noise: its
    time is kept so the gap shows, but it has no value (Soma never invents one).
    """
    array = np.array(points, dtype=np.float64, copy=True).reshape(-1, 3)
    array.flags.writeable = False
    return array


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
        return {"id": self.id, "name": self.name, "color": self.color,
                "points": [[t, f, a] for t, f, a in self.points.tolist()],
                "source": self.source}


def default_color(partial_id: int) -> str:
    return PALETTE[(partial_id - 1) % len(PALETTE)]

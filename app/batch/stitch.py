"""A long file's chunks put back together: overview columns side by side, partials joined
where they cross a chunk boundary. Pure functions."""

from __future__ import annotations

import numpy as np

from workers.track import HOP
from workers.track_link import GATE_CENTS

# A partial ending within this of a boundary, and one starting within it on the other side,
# are candidates for one partial cut by the boundary: each chunk's grid frame nearest to it.
BOUNDARY_REACH = 1.5 * HOP  # s


def joined_columns(blocks: list[np.ndarray]) -> np.ndarray:
    """float32 (height, sum of widths): the chunks' (height, width_k) dB columns in order."""
    return np.concatenate(blocks, axis=1)


def joined_partials(pieces: list[list[np.ndarray]], boundaries: list[float]) -> list[np.ndarray]:
    """The partials of a file tracked chunk by chunk, with those cut by a chunk boundary
    joined again.

    pieces : per chunk, its partials, float64 (n, 3) rows [t s, f Hz, dBFS], t increasing
    boundaries : s, len(pieces) - 1 times, where chunk k ends and k + 1 starts

    A partial of chunk k that ends within BOUNDARY_REACH of the boundary continues one of
    chunk k + 1 that starts within it there, if their frequencies at the cut are within
    GATE_CENTS (the tracker's own gate for one frame); the closest pairs are joined first.
    Points at the same time (overlap) are kept once. Returns the partials ordered by start.
    """
    done: list[np.ndarray] = []
    open_ends = list(pieces[0]) if pieces else []
    for boundary, following in zip(boundaries, pieces[1:], strict=True):
        ending = [p for p in open_ends if p[-1, 0] >= boundary - BOUNDARY_REACH]
        done += [p for p in open_ends if p[-1, 0] < boundary - BOUNDARY_REACH]
        starting = [i for i, p in enumerate(following) if p[0, 0] <= boundary + BOUNDARY_REACH]
        pairs = sorted(
            (abs(_cents(a[-1, 1], following[i][0, 1])), n, i)
            for n, a in enumerate(ending)
            for i in starting
        )
        taken_a, taken_b = set(), set()
        merged = {}
        for cents, n, i in pairs:
            if cents > GATE_CENTS or n in taken_a or i in taken_b:
                continue
            taken_a.add(n)
            taken_b.add(i)
            a, b = ending[n], following[i]
            merged[i] = np.concatenate([a, b[b[:, 0] > a[-1, 0] + HOP / 2]])
        done += [a for n, a in enumerate(ending) if n not in taken_a]
        open_ends = [merged.get(i, p) for i, p in enumerate(following)]
    done += open_ends
    return sorted(done, key=lambda p: (p[0, 0], p[0, 1]))


def strongest(partials: list[np.ndarray], count: int | None) -> list[np.ndarray]:
    """At most `count` of `partials` (None: all), the strongest by energy (the sum over
    points of 10**(dB/10)), as workers.track keeps them; order kept."""
    if count is None or len(partials) <= count:
        return partials
    energy = np.array([np.sum(10.0 ** (p[:, 2] / 10.0)) for p in partials])
    keep = np.sort(np.argsort(-energy, kind="stable")[:count])
    return [partials[i] for i in keep]


def _cents(f1: float, f2: float) -> float:
    return 1200.0 * float(np.log2(f2 / f1)) if f1 > 0 and f2 > 0 else np.inf

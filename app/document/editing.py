"""Edits of the partials: pure functions from one DocumentState to the next.

Each is one undoable step (DocumentState.edited); the bridge validates the arguments, the
store applies the function under its write lock.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.base.errors import SomaError
from app.base.formats import is_color
from app.document.partials import Partial, default_color, frozen_points
from app.document.state import DocumentState


class EditError(SomaError, ValueError):
    """An edit that cannot apply to the document as it is; str() is one line for the user."""


def existing_partial(state: DocumentState, partial_id: int) -> Partial:
    partial = state.partial(partial_id)
    if partial is None:
        raise EditError(f"there is no partial {partial_id}")
    return partial


def with_replaced(state: DocumentState, old: Partial, new: Partial) -> tuple[Partial, ...]:
    """The partials with `old` replaced by `new` in its place."""
    return tuple(new if partial.id == old.id else partial for partial in state.partials)


def added(state: DocumentState, points: np.ndarray, source: dict) -> DocumentState:
    """A new partial made of `points`, named and coloured by its id, selected alone."""
    return added_all(state, [points], [source], "Snap")


def added_all(
    state: DocumentState,
    tracks,
    sources,
    label: str,
    names=None,
) -> DocumentState:
    """New partials, one per (n, 3) array of `tracks` [t s, f Hz, dBFS], with the JSON-able
    `sources` (one each), as one undoable step called `label`; named `names` (one each) or
    "Partial <id>", coloured by their ids, and selected. EditError when `tracks` is empty or
    the lengths differ."""
    tracks, sources = list(tracks), list(sources)
    names = [None] * len(tracks) if names is None else list(names)
    if not tracks:
        raise EditError("there are no partials to add")
    if not len(tracks) == len(sources) == len(names):
        raise EditError("each new partial needs one source and one name")
    first = state.next_partial_id
    new = tuple(
        Partial(
            partial_id,
            name or f"Partial {partial_id}",
            default_color(partial_id),
            frozen_points(points),
            source,
        )
        for partial_id, points, source, name in zip(
            range(first, first + len(tracks)), tracks, sources, names, strict=True
        )
    )
    return state.edited((*state.partials, *new), label, next_partial_id=first + len(new)).selecting(
        tuple(p.id for p in new)
    )


# Re-snapped points are computed as t0 + k*hop, like the old ones, but by other arithmetic:
# a point on the old span's end may land this far outside it.
SPAN_SLACK = 1e-9  # s


def resnapped(
    state: DocumentState, partial_id: int, points: np.ndarray, source: dict
) -> DocumentState:
    """The partial's points replaced by `points` (n, 3) over the time it spans now.

    Points outside [first, last] of its current times are dropped: an erase that trimmed the
    partial, or split a piece off into another partial, stays erased, and the split-off piece
    is not drawn twice. EditError when fewer than two points are left.
    """
    old = existing_partial(state, partial_id)
    new = frozen_points(points)
    inside = (new[:, 0] >= old.points[0, 0] - SPAN_SLACK) & (
        new[:, 0] <= old.points[-1, 0] + SPAN_SLACK
    )
    if inside.sum() < 2:
        raise EditError(f"the re-snap gave no points over the time {old.name} spans now")
    return state.edited(
        with_replaced(state, old, replace(old.with_points(new[inside]), source=source)), "Re-snap"
    )


def extended(
    state: DocumentState, partial_id: int, points: np.ndarray, source: dict
) -> DocumentState:
    """The partial continued by the snapped `points` (n, 3) that lie beyond either of its
    ends: those after its last point are appended, those before its first prepended; those
    over the time it spans are dropped (the stroke began on it). One undoable step, "Extend";
    the partial stays selected. EditError when no point lies beyond it."""
    old = existing_partial(state, partial_id)
    new = frozen_points(points)
    new = new[np.isfinite(new[:, 1])]
    before = new[new[:, 0] < old.points[0, 0] - SPAN_SLACK]
    after = new[new[:, 0] > old.points[-1, 0] + SPAN_SLACK]
    if before.shape[0] + after.shape[0] == 0:
        raise EditError(
            f"the stroke found nothing beyond {old.name}'s ends: start it on an end and draw "
            "away from the partial"
        )
    whole = np.concatenate([before, old.points, after])
    extension = replace(
        old.with_points(whole), source={"method": "extend", "base": old.source, **source}
    )
    return state.edited(with_replaced(state, old, extension), "Extend").selecting((old.id,))


def moved(state: DocumentState, partial_id: int, points: np.ndarray, source: dict) -> DocumentState:
    """The partial's points over the time `points` (n, 3) span replaced by them: a stretch
    dragged to a new place and snapped there; its points outside that time stay. One "Move"
    step; its source becomes {"method": "move", "base": its source before, ...`source`} (it
    is no longer what its stroke drew, so Re-snap has no guide to use). EditError when fewer
    than two points are given, or they lie outside the time the partial spans."""
    old = existing_partial(state, partial_id)
    new = frozen_points(points)
    if new.shape[0] < 2:
        raise EditError("a moved stretch needs two points or more")
    start, end = new[0, 0], new[-1, 0]
    if end < old.points[0, 0] - SPAN_SLACK or start > old.points[-1, 0] + SPAN_SLACK:
        raise EditError(f"the moved stretch ({start:.3f} to {end:.3f} s) lies outside {old.name}")
    before = old.points[old.points[:, 0] < start - SPAN_SLACK]
    after = old.points[old.points[:, 0] > end + SPAN_SLACK]
    whole = np.concatenate([before, new, after])
    result = replace(
        old.with_points(whole), source={"method": "move", "base": old.source, **source}
    )
    return state.edited(with_replaced(state, old, result), "Move").selecting((old.id,))


def deleted(state: DocumentState, ids: tuple[int, ...]) -> DocumentState:
    for partial_id in ids:
        existing_partial(state, partial_id)
    doomed = set(ids)
    return state.edited(tuple(p for p in state.partials if p.id not in doomed), "Delete")


def erased(state: DocumentState, ranges) -> DocumentState:
    """Remove the points of partials within time ranges: one undoable step for one stroke.

    `ranges` is a sequence of (partial id, start s, end s), all measured on the partials as they are
    now, start <= end; a point at exactly start or end is removed. A partial is one continuous
    track, so what is left of it falls apart into runs: the first keeps the partial's id, the others
    get new ids; a run of fewer than two points is dropped. O(n + k log n) for n points and k
    ranges: a long stroke over a long partial must not hold the store's write lock.
    """
    known = {partial.id for partial in state.partials}
    by_id: dict[int, list[tuple[float, float]]] = {}
    for partial_id, start, end in ranges:
        if partial_id not in known:
            raise EditError(f"there is no partial {partial_id}")
        if end < start:
            raise EditError(f"an erased range ends ({end:g} s) before it starts ({start:g} s)")
        by_id.setdefault(partial_id, []).append((start, end))
    partials: list[Partial] = []
    next_id = state.next_partial_id
    changed = False
    for old in state.partials:
        if old.id not in by_id:
            partials.append(old)
            continue
        kept = ~_covered(old.points[:, 0], np.array(by_id[old.id], dtype=np.float64))
        if kept.all():
            partials.append(old)
            continue
        changed = True
        # Runs of kept points: boundaries where `kept` switches on and off.
        edges = np.flatnonzero(np.diff(np.concatenate([[False], kept, [False]]).astype(int)))
        runs = [old.points[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]
        for number, run in enumerate(runs):
            if number == 0:
                partials.append(old.with_points(run))
            else:
                partials.append(
                    Partial(
                        next_id,
                        f"{old.name} ({number + 1})",
                        default_color(next_id),
                        frozen_points(run),
                        old.source,
                    )
                )
                next_id += 1
    if not changed:
        return state
    return state.edited(tuple(partials), "Erase", next_partial_id=next_id)


def _covered(times: np.ndarray, ranges: np.ndarray) -> np.ndarray:
    """(n,) bool: which of the sorted `times` (n,) lie in any of `ranges` (k, 2) [start, end],
    ends included. Each range adds +1 at its first point and -1 after its last; a point is
    covered where the running sum is above 0, so overlapping ranges need no merging."""
    first = np.searchsorted(times, ranges[:, 0], side="left")
    after = np.searchsorted(times, ranges[:, 1], side="right")
    depth = np.zeros(times.size + 1, dtype=np.int64)
    np.add.at(depth, first, 1)
    np.add.at(depth, after, -1)
    return np.cumsum(depth[:-1]) > 0


def renamed(state: DocumentState, partial_id: int, name: str) -> DocumentState:
    name = name.strip()
    if not name:
        raise EditError("a partial's name cannot be empty")
    old = existing_partial(state, partial_id)
    return state.edited(with_replaced(state, old, replace(old, name=name)), "Rename")


def recolored(state: DocumentState, partial_id: int, color: str) -> DocumentState:
    if not is_color(color):
        raise EditError(f"a colour is written #rrggbb, not {color!r}")
    old = existing_partial(state, partial_id)
    return state.edited(with_replaced(state, old, replace(old, color=color.lower())), "Colour")

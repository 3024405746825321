"""Edits that tidy partials, above all automatic results: join, split, prune.

Pure functions from one DocumentState to the next, each one undoable step
(DocumentState.edited), as in app.document.editing; the bridge validates the arguments.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from app.document.editing import EditError, existing_partial, with_replaced
from app.document.partials import Partial, default_color, frozen_points
from app.document.state import DocumentState


def joined(state: DocumentState, ids: tuple[int, ...]) -> DocumentState:
    """The partials `ids` (two or more) as one: their points one after another in time.

    The earliest keeps its id, name and colour and takes the place of the first of them in
    the list; the others go. Nothing is put in between: the line runs from the end of one
    to the start of the next. Its source is {"method": "join", "parts": [their sources]}.
    EditError when fewer than two distinct partials are given, or two overlap in time (a
    partial is one track: one frequency at a time).
    """
    parts = sorted(
        (existing_partial(state, i) for i in dict.fromkeys(ids)), key=lambda p: p.points[0, 0]
    )
    if len(parts) < 2:
        raise EditError("select two partials or more to join")
    for before, after in itertools.pairwise(parts):
        if after.points[0, 0] <= before.points[-1, 0]:
            overlap = (after.points[0, 0], min(before.points[-1, 0], after.points[-1, 0]))
            raise EditError(
                f"{before.name} and {after.name} overlap in time ({overlap[0]:.3f} to "
                f"{overlap[1]:.3f} s): only partials one after the other can be joined"
            )
    first = parts[0]
    whole = replace(
        first.with_points(np.concatenate([p.points for p in parts])),
        source={"method": "join", "parts": [p.source for p in parts]},
    )
    doomed = {p.id for p in parts[1:]}
    partials = tuple(p for p in with_replaced(state, first, whole) if p.id not in doomed)
    return state.edited(partials, "Join").selecting((first.id,))


def split(state: DocumentState, partial_id: int, time: float) -> DocumentState:
    """The partial cut in two at `time` s: points before it stay (same id, name and colour),
    points at or after it become a new partial "<name> (2)" right after it, with the same
    source. Both new partials are selected. EditError when a piece would have fewer than two
    points (the cut is at, or beyond, either end)."""
    old = existing_partial(state, partial_id)
    cut = int(np.searchsorted(old.points[:, 0], time, side="left"))
    if cut < 2 or old.points.shape[0] - cut < 2:
        raise EditError(
            f"{old.name} spans {old.points[0, 0]:.3f} to {old.points[-1, 0]:.3f} s: a cut at "
            f"{time:.3f} s would leave a piece of fewer than two points"
        )
    new_id = state.next_partial_id
    tail = Partial(
        new_id,
        f"{old.name} (2)",
        default_color(new_id),
        frozen_points(old.points[cut:]),
        old.source,
    )
    partials: list[Partial] = []
    for partial in state.partials:
        if partial.id == old.id:
            partials += [old.with_points(old.points[:cut]), tail]
        else:
            partials.append(partial)
    return state.edited(tuple(partials), "Split", next_partial_id=new_id + 1).selecting(
        (old.id, new_id)
    )


def duration(partial: Partial) -> float:
    """Seconds from the partial's first point to its last."""
    return float(partial.points[-1, 0] - partial.points[0, 0])


def peak_level(partial: Partial) -> float:
    """The partial's loudest point in dBFS; -inf when every point is a gap."""
    levels = partial.points[:, 2]
    levels = levels[~np.isnan(levels)]
    return float(levels.max()) if levels.size else float("-inf")


def prunable(partials, min_duration: float, min_level: float) -> tuple[int, ...]:
    """Ids of `partials` shorter than `min_duration` s or whose loudest point is below
    `min_level` dBFS (a partial is as strong as its strongest point, as SPEAR's amplitude
    filter reads it)."""
    return tuple(p.id for p in partials if duration(p) < min_duration or peak_level(p) < min_level)


def pruned(
    state: DocumentState, ids: tuple[int, ...] | None, min_duration: float, min_level: float
) -> DocumentState:
    """Delete those of the partials `ids` (None: all of them) shorter than `min_duration` s
    or weaker than `min_level` dBFS (see prunable): one undoable step, or the same state when
    none is. EditError for an id that is not a partial."""
    among = state.partials if ids is None else tuple(existing_partial(state, i) for i in ids)
    doomed = set(prunable(among, min_duration, min_level))
    if not doomed:
        return state
    return state.edited(
        tuple(p for p in state.partials if p.id not in doomed), "Delete short or weak"
    )

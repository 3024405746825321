"""Snap requests to the snap worker, snapped points back into the document as partials.

Snaps queue in the background queue (a user may draw several strokes while the first
computes; app.background) and are cancelled with it when the file changes (which also ends
the snap worker, so that it keeps no mapping of the old file's samples). A result becomes
one undoable edit: a new partial, or new points for the partial being re-snapped.
"""
from __future__ import annotations

import functools
import logging

import numpy as np

from app import editing
from app.background import BackgroundQueue
from app.shared_audio import AudioShare
from app.store import DocumentStore
from workers.jobs import SnapJob

log = logging.getLogger(__name__)

DEFAULT_HOP = 0.005  # s between snapped points


class SnapService:
    def __init__(self, store: DocumentStore, share: AudioShare, queue: BackgroundQueue) -> None:
        self._store = store
        self._share = share
        self._queue = queue

    def file_changed(self) -> None:
        """Cancel every snap: they were for the previous file."""
        self._queue.cancel_all()

    def request(self, guide: tuple[tuple[float, float], ...], tolerance_cents: float,
                replace_id: int | None = None, hop: float = DEFAULT_HOP) -> int:
        """Snap `guide` ([[t s, f Hz], ...]); the result adds a partial or replaces one."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        source = {"guide": [list(p) for p in guide], "hop": hop,
                  "tolerance_cents": tolerance_cents}
        return self._queue.submit(
            lambda request_id: SnapJob(request_id=request_id, audio=ref, guide=guide, hop=hop,
                                       tolerance_cents=tolerance_cents),
            f"Snapping {guide[-1][0] - guide[0][0]:.2f} s of stroke", "steps",
            on_result=functools.partial(self._snapped, audio, replace_id, source),
            on_error=lambda reason: self._fail(
                audio, f"The stroke could not be snapped: {reason}"))

    def _snapped(self, audio, replace_id: int | None, source: dict, value: dict) -> None:
        points = value["points"]
        if not np.isfinite(points[:, 1]).any():
            self._fail(audio, "No partial was found along the stroke: it lies in the noise.")
            return

        def apply(state):
            if state.audio is not audio:
                return state
            if replace_id is None:
                return editing.added(state, points, source)
            if state.partial(replace_id) is None:  # deleted meanwhile: nothing to re-snap
                return state
            return editing.resnapped(state, replace_id, points, source)

        self._store.update(apply)

    def _fail(self, audio, message: str) -> None:
        log.warning("%s", message)
        self._store.update(lambda s: s.failed(message) if s.audio is audio else s)

"""Snap requests to the snap worker, snapped points back into the document as partials.

Snaps queue in the background queue (a user may draw several strokes while the first
computes; app.compute.background) and are cancelled with it when the file changes (which also ends
the snap worker, so that it keeps no mapping of the old file's samples). A result becomes
one undoable edit: a new partial, or new points for the partial being re-snapped. Until its
result, error or cancel arrives a request is pending: dev mode saves those across a restart
(app.dev.saved_state) and sends them again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from dataclasses import dataclass

import numpy as np

from app.compute.background import BackgroundQueue
from app.compute.shared_audio import AudioShare
from app.document import editing
from app.document.state import DocumentState
from app.document.store import DocumentStore
from workers.jobs import SnapJob

log = logging.getLogger(__name__)

DEFAULT_HOP = 0.005  # s between snapped points


@dataclass(frozen=True)
class PendingSnap:
    """A snap request whose outcome has not arrived (queued or running), as what it takes to
    send it again: dev mode saves these across a restart (app.dev.saved_state).

    guide : ((t s, f Hz), ...), at least two points
    tolerance_cents : float, the snap's ± range around the guide
    replace_id : the partial being re-snapped, None for a new partial
    hop : float, seconds between snapped points
    extend_id : the partial the stroke continues beyond its ends, or None
    move_id : the partial a stretch of which was dragged (the guide) and is snapped there
    """

    guide: tuple[tuple[float, float], ...]
    tolerance_cents: float
    replace_id: int | None
    hop: float
    extend_id: int | None = None
    move_id: int | None = None

    def to_json(self) -> dict:
        return {
            "guide": [list(p) for p in self.guide],
            "toleranceCents": self.tolerance_cents,
            "replaceId": self.replace_id,
            "hop": self.hop,
            "extendId": self.extend_id,
            "moveId": self.move_id,
        }


class SnapService:
    def __init__(self, store: DocumentStore, share: AudioShare, queue: BackgroundQueue) -> None:
        self._store = store
        self._share = share
        self._queue = queue
        self._lock = threading.Lock()
        # A key of our own, not the queue's request id: an outcome may arrive before
        # submit() returns that id.
        self._keys = itertools.count(1)
        self._pending: dict[int, PendingSnap] = {}

    def file_changed(self) -> None:
        """Cancel every snap: they were for the previous file."""
        self._queue.cancel_all()

    def request(
        self,
        guide: tuple[tuple[float, float], ...],
        tolerance_cents: float,
        replace_id: int | None = None,
        hop: float = DEFAULT_HOP,
        extend_id: int | None = None,
        move_id: int | None = None,
    ) -> int:
        """Snap `guide` ([[t s, f Hz], ...]); the result adds a partial, replaces the points
        of `replace_id` (a re-snap), continues `extend_id` beyond its ends or replaces the
        stretch of `move_id` the guide spans (a drag)."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        source = {"guide": [list(p) for p in guide], "hop": hop, "tolerance_cents": tolerance_cents}
        key = next(self._keys)
        with self._lock:
            self._pending[key] = PendingSnap(
                tuple(map(tuple, guide)), tolerance_cents, replace_id, hop, extend_id, move_id
            )
        return self._queue.submit(
            lambda request_id: SnapJob(
                request_id=request_id,
                audio=ref,
                guide=guide,
                hop=hop,
                tolerance_cents=tolerance_cents,
            ),
            f"Snapping {guide[-1][0] - guide[0][0]:.2f} s of stroke",
            "steps",
            on_result=functools.partial(
                self._snapped, key, audio, replace_id, extend_id, move_id, source
            ),
            on_error=lambda reason: self._fail(
                audio, f"The stroke could not be snapped: {reason}", key
            ),
            on_cancel=lambda: self._settled(key),
        )

    def state_and_pending(self) -> tuple[DocumentState, tuple[PendingSnap, ...]]:
        """The document and the requests whose outcome has not arrived (queued or running,
        oldest first), seen together: a stroke is in one or the other, never both or neither."""
        with self._lock:
            return self._store.state, tuple(self._pending.values())

    def _settled(self, key: int) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def _snapped(
        self,
        key: int,
        audio,
        replace_id: int | None,
        extend_id: int | None,
        move_id: int | None,
        source: dict,
        value: dict,
    ) -> None:
        points = value["points"]
        if not np.isfinite(points[:, 1]).any():
            self._fail(audio, "No partial was found along the stroke: it lies in the noise.", key)
            return

        def apply(state):
            if state.audio is not audio:
                return state
            if move_id is not None:
                if state.partial(move_id) is None:  # deleted meanwhile: nothing to move
                    return state
                return editing.moved(state, move_id, points, source)
            if extend_id is not None:
                if state.partial(extend_id) is None:  # deleted meanwhile: a partial of its own
                    return editing.added(state, points, source)
                return editing.extended(state, extend_id, points, source)
            if replace_id is None:
                return editing.added(state, points, source)
            if state.partial(replace_id) is None:  # deleted meanwhile: nothing to re-snap
                return state
            return editing.resnapped(state, replace_id, points, source)

        try:
            with self._lock:  # see state_and_pending
                self._pending.pop(key, None)
                self._store.update(apply)
        except editing.EditError as error:  # the partial was erased meanwhile, or ends there
            verb = "moved" if move_id is not None else "extended" if extend_id else "re-snapped"
            self._fail(audio, f"The partial could not be {verb}: {error}", key)

    def _fail(self, audio, message: str, key: int) -> None:
        self._settled(key)
        log.warning("%s", message)
        self._store.update(lambda s: s.failed(message) if s.audio is audio else s)

"""Snap requests to the snap worker, snapped points back into the document as partials.

Snaps queue in the SnapSlot (a user may draw several strokes while the first computes) and
are cancelled when the file changes. A result becomes one undoable edit: a new partial, or
new points for the partial being re-snapped.
"""
from __future__ import annotations

import itertools
import logging
import threading

import numpy as np

from app import editing
from app.shared_audio import AudioShare
from app.slots import DEFAULT_TIMEOUT, SnapSlot
from app.store import DocumentStore
from workers.jobs import SnapJob

log = logging.getLogger(__name__)

DEFAULT_HOP = 0.005  # s between snapped points


class SnapService:
    def __init__(self, store: DocumentStore, share: AudioShare,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._store = store
        self._share = share
        self._slot = SnapSlot(self._on_event, timeout)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # request id -> (audio, partial id to replace or None, the job)
        self._requests: dict[int, tuple[object, int | None, SnapJob]] = {}

    def file_changed(self) -> None:
        with self._lock:
            self._requests.clear()
        self._slot.cancel()

    def request(self, guide: tuple[tuple[float, float], ...], tolerance_cents: float,
                replace_id: int | None = None, hop: float = DEFAULT_HOP) -> int:
        """Snap `guide` ([[t s, f Hz], ...]); the result adds a partial or replaces one."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        with self._lock:
            request_id = next(self._ids)
            job = SnapJob(request_id=request_id, audio=ref, guide=guide, hop=hop,
                          tolerance_cents=tolerance_cents)
            self._requests[request_id] = (audio, replace_id, job)
        self._slot.submit(job)
        return request_id

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._requests)

    def close(self) -> None:
        self._slot.close()

    def _on_event(self, event: dict) -> None:
        if event["type"] == "progress":
            return
        with self._lock:
            request = self._requests.pop(event["id"], None)
        if request is None:
            return
        audio, replace_id, job = request
        if event["type"] == "error":
            self._fail(audio, f"The stroke could not be snapped: {event['reason']}")
            return
        points = event["value"]["points"]
        if not np.isfinite(points[:, 1]).any():
            self._fail(audio, "No partial was found along the stroke: it lies in the noise.")
            return
        source = {"guide": [list(p) for p in job.guide], "hop": job.hop,
                  "tolerance_cents": job.tolerance_cents}

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

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
from app.progress import ProgressManager, Task
from app.shared_audio import AudioShare
from app.slots import DEFAULT_TIMEOUT, SnapSlot
from app.store import DocumentStore
from workers.jobs import SnapJob

log = logging.getLogger(__name__)

DEFAULT_HOP = 0.005  # s between snapped points


class SnapService:
    def __init__(self, store: DocumentStore, share: AudioShare, progress: ProgressManager,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._store = store
        self._share = share
        self._progress = progress
        self._slot = SnapSlot(self._on_event, timeout)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # request id -> (audio, partial id to replace or None, the job, its task)
        self._requests: dict[int, tuple[object, int | None, SnapJob, Task]] = {}

    def file_changed(self) -> None:
        self.cancel_all()

    def cancel_all(self) -> None:
        """Drop every snap, queued or running (the file changed, or the user said so)."""
        with self._lock:
            tasks = [request[3] for request in self._requests.values()]
            self._requests.clear()
        self._slot.cancel()
        for task in tasks:
            task.cancel()

    def request(self, guide: tuple[tuple[float, float], ...], tolerance_cents: float,
                replace_id: int | None = None, hop: float = DEFAULT_HOP) -> int:
        """Snap `guide` ([[t s, f Hz], ...]); the result adds a partial or replaces one."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        with self._lock:
            request_id = next(self._ids)
            job = SnapJob(request_id=request_id, audio=ref, guide=guide, hop=hop,
                          tolerance_cents=tolerance_cents)
            # Cancelling one snap cancels the queue: the slot ends its worker either way.
            task = self._progress.task(
                f"Snapping {guide[-1][0] - guide[0][0]:.2f} s of stroke", unit="steps",
                on_cancel=self.cancel_all)
            self._requests[request_id] = (audio, replace_id, job, task)
        self._slot.submit(job)
        return request_id

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._requests)

    def close(self) -> None:
        self._slot.close()

    def _on_event(self, event: dict) -> None:
        with self._lock:
            request = (self._requests.get(event["id"]) if event["type"] == "progress"
                       else self._requests.pop(event["id"], None))
        if request is None:
            return
        audio, replace_id, job, task = request
        if event["type"] == "progress":
            task.update(event["done"], total=event["total"])
            return
        if event["type"] == "error":
            task.fail(event["reason"])
            self._fail(audio, f"The stroke could not be snapped: {event['reason']}")
            return
        task.finish()
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

"""The viewport pipeline: view requests to the viewport worker, images back into the document.

The main process never computes a viewport itself (the seed's original problem: compute
threads holding the GIL made zoom and pan stutter). It shares the open file's samples once,
sends each view as a small ViewportJob to the ViewportSlot, and publishes the result that
belongs to the newest request; anything older is dropped.

One view needs no worker: the whole file, as it opens, with the default display. The overview
is that view's STFT already (2000 x 384), so its image is the overview's, its columns
max-pooled and its rows interpolated to the size asked (workers.imaging.shrink_levels): an
hour's file would otherwise be transformed a second time, whole, just after it opened.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time

from app.compute.shared_audio import AudioShare
from app.compute.slots import DEFAULT_TIMEOUT, ViewportSlot
from app.document.audio_file import AudioFile
from app.document.datastore import DataStore
from app.document.display import Display
from app.document.state import Image, View
from app.document.store import DocumentStore
from app.progress.tasks import ProgressManager, Task, clock
from workers.imaging import pack_payload, shrink_levels, unpack_payload
from workers.jobs import ViewportJob
from workers.spectrum import resolve_method

log = logging.getLogger(__name__)

# How far the overview's rows may be stretched for the whole file's view: they sample the
# default analysis bandwidth (a semitone at Q 16) about three times, so twice as many rows
# interpolated show nothing the STFT at that height would.
OVERVIEW_STRETCH = 2


def _span(seconds: float) -> str:
    """'13.4 s', '0.005 s'; a clock from a minute up ('3:20', '1:00:00')."""
    return f"{seconds:.3g} s" if seconds < 60 else clock(seconds)


class ViewportService:
    def __init__(
        self,
        store: DocumentStore,
        data: DataStore,
        share: AudioShare,
        progress: ProgressManager,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._store = store
        self._data = data
        self._share = share
        self._progress = progress
        self._slot = ViewportSlot(self._on_event, timeout)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._requests: dict[int, tuple[AudioFile, View, ViewportJob, Task]] = {}
        self._last: tuple[View, int, int] | None = None  # the newest request's view and size

    def recompute(self) -> int | None:
        """Ask again for the newest view at its size (the display settings changed); its
        request id, or None when nothing was asked for yet."""
        with self._lock:
            last = self._last
        return None if last is None else self.request(*last)

    def file_changed(self) -> None:
        """Abandon every request: they were for the previous file."""
        with self._lock:
            self._last = None
        self._abandon()
        self._slot.cancel()

    def _abandon(self) -> None:
        with self._lock:
            tasks = [request[3] for request in self._requests.values()]
            self._requests.clear()
        for task in tasks:
            task.discard()

    def _cancel(self, request_id: int) -> None:
        """The user cancelled the computation from the progress panel."""
        with self._lock:
            request = self._requests.pop(request_id, None)
        if request is not None:
            self._slot.cancel()
            self._store.update(lambda s: s.compute_failed("", request_id))

    def request(self, view: View, width: int, height: int) -> int:
        """Ask for the image of `view` at width x height pixels; returns the request id."""
        state = self._store.state
        audio = state.audio
        display = state.display
        ref = self._share.ref_for(audio)
        with self._lock:
            request_id = next(self._ids)
            job = ViewportJob(
                request_id=request_id,
                audio=ref,
                start=view.start,
                end=view.end,
                fmin=view.fmin,
                fmax=view.fmax,
                width=width,
                height=height,
                db_min=state.overview.db_min,
                db_max=state.overview.db_max,
                method=display.method,
                q=display.q,
                window=None if display.window_ms is None else display.window_ms / 1000.0,
                hop=None if display.hop_ms is None else display.hop_ms / 1000.0,
                scale=display.frequency_scale,
            )
            self._last = (view, width, height)
        shown = self._from_overview(view, width, height, request_id)
        if shown is not None:
            self._abandon()
            self._slot.cancel()
            self._store.update(
                lambda s: (
                    s.viewing(view, request_id).computed(shown, request_id)
                    if s.audio is audio
                    else s
                )
            )
            return request_id
        method = resolve_method(display.method, view.start, view.end).upper()
        task = self._progress.task(
            f"{method} of {_span(view.end - view.start)} at {width}\u00d7{height}",
            unit="rows" if method == "CWT" else "columns",
            on_cancel=lambda: self._cancel(request_id),
        )
        # Only the newest request can still be delivered: the slot drops the rest.
        self._abandon()
        with self._lock:
            self._requests = {request_id: (audio, view, job, task)}
        self._store.update(lambda s: s.viewing(view, request_id) if s.audio is audio else s)
        self._slot.submit(job)
        return request_id

    def _from_overview(self, view: View, width: int, height: int, request_id: int) -> Image | None:
        """The image of `view` made from the overview's bytes, when the overview is that
        view's STFT with the display as it is (see the module's docstring); else None."""
        began = time.perf_counter()
        state = self._store.state
        overview, display = state.overview, state.display
        if (
            overview is None
            or view != overview.view
            or resolve_method(display.method, view.start, view.end) != "stft"
            or not display.computed_alike(Display(method=display.method))  # the defaults'
            or width > overview.width
            or height > OVERVIEW_STRETCH * overview.height
        ):
            return None
        stored = self._data.get(overview.key)
        if stored is None:  # dropped from the store by newer images: a worker computes it
            return None
        levels, cones = unpack_payload(stored[0], overview.height, overview.width, overview.edges)
        payload, edges = pack_payload(*shrink_levels(levels, cones, width, height))
        key = f"viewport-{request_id}"
        self._data.put(key, payload)
        return Image(
            key=key,
            width=width,
            height=height,
            db_min=overview.db_min,
            db_max=overview.db_max,
            view=view,
            method="stft",
            window_size=overview.window_size,
            seconds=time.perf_counter() - began,
            edges=edges,
        )

    def close(self) -> None:
        self._slot.close()

    def _on_event(self, event: dict) -> None:
        with self._lock:
            request = self._requests.get(event["id"])
            if request is not None and event["type"] != "progress":
                del self._requests[event["id"]]
        if request is None:
            return
        audio, view, job, task = request
        if event["type"] == "progress":  # rows of a CWT, columns of an STFT
            task.update(event["done"], total=event["total"])
            return
        request_id = event["id"]
        if event["type"] == "error":
            message = f"The viewport could not be computed: {event['reason']}"
            task.fail(event["reason"])
            log.warning("%s", message)
            self._store.update(
                lambda s: s.compute_failed(message, request_id) if s.audio is audio else s
            )
            return
        value = event["value"]
        key = f"viewport-{request_id}"
        self._data.put(key, value["payload"])
        image = Image(
            key=key,
            width=job.width,
            height=job.height,
            db_min=job.db_min,
            db_max=job.db_max,
            view=view,
            method=value["method"],
            window_size=value["window_size"],
            seconds=value["seconds"],
            edges=value["edges"],
            scale=job.scale,
        )
        task.finish()
        self._store.update(lambda s: s.computed(image, request_id) if s.audio is audio else s)

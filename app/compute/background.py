"""A queue of jobs that run one after another in the worker process of one slot.

Soma has two: snaps, and resynthesis exports (the viewport has a slot of its own). Exports
have their own because one can take minutes, and a stroke drawn meanwhile must snap at once;
the export slot ends its worker when it has nothing to do, so three worker processes at the
most run at once, and only while an export does. No numeric work is left to the main process.
Each job gets a progress task whose cancel button cancels that job only: a queued one leaves
the queue, a running one's worker is ended and the next job starts on a fresh worker.
`cancel_all` (a file change, for the snaps; closing) drops the whole queue. Outcomes reach
the job's own callbacks, on the slot's thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from app.base.errors import SomaError
from app.compute.slots import DEFAULT_TIMEOUT, QueueSlot
from app.progress.tasks import ProgressManager, Task


class JobFailed(SomaError):
    """A queued job failed; str() is the reason (an exception, a crash, the timeout)."""


class JobCancelled(SomaError):
    """A queued job was cancelled: from the progress panel, a file change, or closing."""


class BackgroundQueue:
    def __init__(
        self,
        progress: ProgressManager,
        name: str,
        keep_idle_worker: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """A queue on the slot `name` ("snap", "export"); `keep_idle_worker=False` ends the
        worker whenever the queue is empty (app.compute.slots.QueueSlot)."""
        self._progress = progress
        self._slot = QueueSlot(name, self._on_event, timeout, keep_idle_worker)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # request id -> (its task, on_result(value), on_error(reason), on_cancel())
        self._requests: dict[int, tuple[Task, Callable, Callable, Callable | None]] = {}
        self._closed = False

    def submit(
        self,
        make_job: Callable[[int], object],
        label: str,
        unit: str,
        on_result: Callable[[dict], None],
        on_error: Callable[[str], None],
        on_cancel: Callable[[], None] | None = None,
    ) -> int:
        """Queue the job `make_job(request_id)`, shown as the task `label`; returns the id.

        Exactly one of the callbacks runs, once: with the job's result, with the reason it
        failed (an exception, a crash, the timeout), or, if it was cancelled, `on_cancel`.
        """
        with self._lock:
            request_id = next(self._ids)
            if self._closed:  # the window is closing: the slot would drop the job unseen
                if on_cancel is not None:
                    on_cancel()
                return request_id
            job = make_job(request_id)
            task = self._progress.task(label, unit=unit, on_cancel=lambda: self.cancel(request_id))
            self._requests[request_id] = (task, on_result, on_error, on_cancel)
        self._slot.submit(job)
        return request_id

    def run(self, make_job: Callable[[int], object], label: str, unit: str) -> dict:
        """Queue a job and wait for it on the calling thread (a js_api thread, never the GUI
        thread); its result. Raises JobFailed or JobCancelled."""
        done = threading.Event()
        outcome: dict = {}

        def finish(**result) -> None:
            outcome.update(result)
            done.set()

        self.submit(
            make_job,
            label,
            unit,
            on_result=lambda value: finish(value=value),
            on_error=lambda reason: finish(error=reason),
            on_cancel=lambda: finish(cancelled=True),
        )
        # One callback always comes: the slot's own timeout ends a job that hangs, and
        # close() cancels whatever is left.
        done.wait()
        if "error" in outcome:
            raise JobFailed(outcome["error"])
        if "cancelled" in outcome:
            raise JobCancelled()
        return outcome["value"]

    def cancel(self, request_id: int) -> None:
        """Drop the job `request_id`, queued or running (the user said so); the others run."""
        with self._lock:
            request = self._requests.pop(request_id, None)
        if request is None:  # it has ended meanwhile
            return
        self._slot.cancel_request(request_id)
        self._tell_cancelled([request])

    def cancel_all(self) -> None:
        """Drop every job, queued or running (the file changed, or the window closes)."""
        with self._lock:
            requests = list(self._requests.values())
            self._requests.clear()
        self._slot.cancel()
        self._tell_cancelled(requests)

    @staticmethod
    def _tell_cancelled(requests) -> None:
        """End the tasks of `requests` (taken out of self._requests) and call their on_cancel."""
        for task, _, _, on_cancel in requests:
            task.cancel()
            if on_cancel is not None:
                on_cancel()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._requests)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.cancel_all()
        self._slot.close()

    def _on_event(self, event: dict) -> None:
        with self._lock:
            request = (
                self._requests.get(event["id"])
                if event["type"] == "progress"
                else self._requests.pop(event["id"], None)
            )
        if request is None:
            return
        task, on_result, on_error, _ = request
        if event["type"] == "progress":
            task.update(event["done"], total=event["total"])
        elif event["type"] == "error":
            task.fail(event["reason"])
            on_error(event["reason"])
        else:
            task.finish()
            on_result(event["value"])

"""Worker slots: each holds at most one worker process and runs its jobs (seeds 000, 004).

A slot is a small run loop on a thread of its own (the uvicorn supervisor shape): it alone
starts, feeds, watches and ends its process, so no two threads ever race over one process
or its queues. Other threads only hand it requests and wake it. What to do with a new
request while one is running is the strategy, in a subclass:

- ViewportSlot: the newest request replaces everything. A busy process is ended at once
  (terminate, join 0.2 s, kill) and a fresh one starts, because the user has moved on; an
  idle one is reused, so its caches serve the next view.
- QueueSlot: requests queue and run one after another; `cancel_request(id)` drops one (a
  queued one leaves the queue, a running one's process is ended and the next job starts on a
  fresh one). With `keep_idle_worker=False` the process is ended as soon as the queue is
  empty (the export slot: a process only while an export runs).

`cancel()` drops every request and ends the process, busy or idle: it is called when the
file changes, and an idle worker of the old file would keep its mapping of the old samples
and its caches (workers.shared). Each process gets its own queues: a process terminated
while writing to a queue may leave it corrupt, so queues never outlive their process.
Outcomes reach `on_event` as dicts: {"type": "result", "slot", "id", "value"},
{"type": "error", "slot", "id", "reason"} (one line; a worker's traceback goes to the log)
and {"type": "progress", "slot", "id", "done", "total"}; only the current request's outcomes
are delivered, stale ones are dropped. A job that cannot be sent (it does not pickle) is an
error of that job; the slot runs on.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler

from app.compute import processes
from app.progress.logs import log_traceback
from workers.jobs import describe_error, serve

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0  # seconds a job may run before its process is ended

EventSink = Callable[[dict], None]


class _Worker:
    """One worker process and the two pipes it talks through."""

    def __init__(self, name: str) -> None:
        context = processes.context()
        requests_out, self.requests = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, args=(requests_out, results_in), name=name, daemon=True
        )
        self.process.start()
        # The child has its own copies now; without closing ours, a dead child would never
        # show as end-of-file on the results pipe.
        requests_out.close()
        results_in.close()
        self.pid = self.process.pid
        self.sentinel = self.process.sentinel
        self.job = None  # the job it is computing, None when idle
        self.deadline = 0.0  # time.monotonic() by which the job must be done

    def stop(self) -> int | None:
        """End the process and close the pipes; the exit code it had."""
        code = processes.stop(self.process)
        self.requests.close()
        self.results.close()
        return code


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the worker process vanished"
    if code < 0:
        try:
            return f"the worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"the worker process was killed by signal {-code}"
    return f"the worker process exited with code {code}"


class WorkerSlot:
    """The run loop; subclasses decide what a new request does (`_accept`)."""

    def __init__(
        self,
        name: str,
        on_event: EventSink,
        timeout: float = DEFAULT_TIMEOUT,
        keep_idle_worker: bool = True,
    ) -> None:
        self.name = name
        self._on_event = on_event
        self._timeout = timeout
        self._keep_idle_worker = keep_idle_worker
        self._lock = threading.Lock()
        self._pending: collections.deque = collections.deque()
        self._closing = False
        # What other threads ask of the worker, done by the loop at its next turn:
        self._end_busy = False  # end it if it is computing (a newer view replaces the job)
        self._end_any = False  # end it even if idle (the file changed)
        self._cancelled: set[int] = set()  # end it if it is computing one of these requests
        self._worker: _Worker | None = None
        # A pipe to wake the loop from wait(): requests arrive from other threads.
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name=f"soma-slot-{name}", daemon=True)
        self._thread.start()

    # -- called from any thread -------------------------------------------------------

    def submit(self, job) -> None:
        """Hand `job` (a workers.jobs job with a request_id) to the slot."""
        with self._lock:
            if self._closing:
                return
            self._accept(job)
        self._wake()

    def cancel(self) -> None:
        """Drop every pending request and end the worker, busy or idle (the file changed)."""
        with self._lock:
            self._pending.clear()
            self._end_any = True
        self._wake()

    def cancel_request(self, request_id: int) -> None:
        """Drop request `request_id` if it is queued; end its worker if it is running (the
        next queued request then starts on a fresh worker). No event comes for it."""
        with self._lock:
            queued = [job for job in self._pending if job.request_id == request_id]
            for job in queued:
                self._pending.remove(job)
            if not queued:
                self._cancelled.add(request_id)
        self._wake()

    def close(self, timeout: float = 5.0) -> None:
        """End the worker and the loop; safe to call twice."""
        with self._lock:
            self._closing = True
            self._pending.clear()
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def pid(self) -> int | None:
        """The worker's pid, None when no process is alive (for tests and diagnostics)."""
        worker = self._worker
        return worker.pid if worker is not None else None

    # -- strategy ---------------------------------------------------------------------

    def _accept(self, job) -> None:
        """Called under the lock with a new job: update self._pending (and maybe cancel)."""
        raise NotImplementedError

    # -- the loop (slot thread only) ----------------------------------------------------

    def _wake(self) -> None:
        try:
            os.write(self._wake_write, b"x")
        except OSError:  # the loop has ended and closed the pipe
            pass

    def _run(self) -> None:
        try:
            while True:
                # The requests to end the worker and the next job are taken together, under
                # the lock: a request to end applies to the job running then, never to a job
                # submitted after it.
                with self._lock:
                    if self._closing:
                        break
                    running = self._worker.job if self._worker is not None else None
                    end = self._worker is not None and (
                        self._end_any
                        or (
                            running is not None
                            and (self._end_busy or running.request_id in self._cancelled)
                        )
                    )
                    self._end_any, self._end_busy, self._cancelled = False, False, set()
                    job = (
                        self._pending.popleft()
                        if self._pending and (end or running is None)
                        else None
                    )
                if end:
                    self._end_worker()
                if job is not None:
                    self._start_job(job)
                elif (
                    self._worker is not None
                    and self._worker.job is None
                    and not self._keep_idle_worker
                ):
                    self._end_worker()
                self._wait_once()
        except Exception:
            log.exception("worker slot %s failed", self.name)
        finally:
            if self._worker is not None:
                self._end_worker()
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _start_job(self, job) -> None:
        # Pickled here, before anything is written, so that a job that cannot be pickled is
        # its own error and leaves the pipe and the worker as they were.
        try:
            message = ForkingPickler.dumps(job)
        except Exception as error:
            reason = f"the job could not be sent to the worker: {describe_error(error)}"
            log.exception("%s job %d: %s", self.name, job.request_id, reason)
            self._emit("error", job.request_id, reason=reason)
            return
        if self._worker is None:
            self._worker = _Worker(f"soma-{self.name}")
        self._worker.job = job
        self._worker.deadline = time.monotonic() + self._timeout
        self._worker.requests.send_bytes(message)

    def _wait_once(self) -> None:
        worker = self._worker
        handles = [self._wake_read]
        timeout = None
        if worker is not None:
            handles += [worker.results, worker.sentinel]
            if worker.job is not None:
                timeout = max(0.0, worker.deadline - time.monotonic())
        ready = wait(handles, timeout)
        if self._wake_read in ready:
            os.read(self._wake_read, 4096)
        if worker is None:
            return
        if worker.results in ready:
            self._drain(worker)
        if worker.sentinel in ready:
            self._drain(worker)  # what it said before it died still counts
            job = worker.job
            self._worker = None
            code = worker.stop()
            if job is not None:
                self._emit("error", job.request_id, reason=describe_exit(code))
        elif worker.job is not None and time.monotonic() >= worker.deadline:
            job = worker.job
            self._end_worker()
            self._emit(
                "error",
                job.request_id,
                reason=f"timed out after {self._timeout:g} s and was stopped",
            )

    def _drain(self, worker: _Worker) -> None:
        while True:
            try:
                if not worker.results.poll():
                    return
                message = worker.results.recv()
            except (EOFError, OSError):  # the process died, maybe mid-message
                return
            kind, request_id = message[0], message[1]
            current = worker.job is not None and worker.job.request_id == request_id
            if kind == "progress":
                if current:
                    self._emit("progress", request_id, done=message[2], total=message[3])
                continue
            if kind == "error":  # even a stale job's failure is a fault worth its traceback
                reason, trace = message[2], message[3]
                log_traceback(log, f"{self.name} job {request_id} failed: {reason}", trace)
            if current:
                worker.job = None
                if kind == "result":
                    self._emit("result", request_id, value=message[2])
                else:
                    self._emit("error", request_id, reason=reason)

    def _end_worker(self) -> None:
        worker, self._worker = self._worker, None
        worker.stop()

    def _emit(self, kind: str, request_id: int, **fields) -> None:
        try:
            self._on_event({"type": kind, "slot": self.name, "id": request_id, **fields})
        except Exception:
            log.exception("a %s event handler failed", self.name)


class ViewportSlot(WorkerSlot):
    """The newest request wins: pending ones are dropped and a running one is ended."""

    def __init__(self, on_event: EventSink, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__("viewport", on_event, timeout)

    def _accept(self, job) -> None:
        self._pending.clear()
        self._pending.append(job)
        self._end_busy = True


class QueueSlot(WorkerSlot):
    """Requests run one after another, in the order they came."""

    def _accept(self, job) -> None:
        self._pending.append(job)

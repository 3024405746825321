"""Worker slots: each holds at most one worker process and runs its jobs (seeds 000, 004).

A slot is a small run loop on a thread of its own (the uvicorn supervisor shape): it alone
starts, feeds, watches and ends its process, so no two threads ever race over one process
or its queues. Other threads only hand it requests and wake it. What to do with a new
request while one is running is the strategy, in a subclass:

- ViewportSlot: the newest request replaces everything. A busy process is ended at once
  (terminate, join 0.2 s, kill) and a fresh one starts, because the user has moved on.
- SnapSlot: requests queue and run one after another; `cancel()` drops them all.

Each process gets its own queues: a process terminated while writing to a queue may leave it
corrupt, so queues never outlive their process. Outcomes reach `on_event` as dicts:
{"type": "result", "slot", "id", "value"}, {"type": "error", "slot", "id", "reason"} and
{"type": "progress", "slot", "id", "done", "total"}; only the current request's outcomes are
delivered, stale ones are dropped.
"""
from __future__ import annotations

import collections
import logging
import os
import signal
import threading
import time
from multiprocessing.connection import wait
from typing import Callable

from app import processes
from workers.jobs import serve

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0  # seconds a job may run before its process is ended

EventSink = Callable[[dict], None]


class _Worker:
    """One worker process and the two pipes it talks through."""

    def __init__(self, name: str) -> None:
        context = processes.context()
        requests_out, self.requests = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(target=serve, args=(requests_out, results_in),
                                       name=name, daemon=True)
        self.process.start()
        # The child has its own copies now; without closing ours, a dead child would never
        # show as end-of-file on the results pipe.
        requests_out.close()
        results_in.close()
        self.pid = self.process.pid
        self.sentinel = self.process.sentinel
        self.job = None        # the job it is computing, None when idle
        self.deadline = 0.0    # time.monotonic() by which the job must be done

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

    def __init__(self, name: str, on_event: EventSink, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.name = name
        self._on_event = on_event
        self._timeout = timeout
        self._lock = threading.Lock()
        self._pending: collections.deque = collections.deque()
        self._closing = False
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
        """Drop every pending request and end a running one (the file changed)."""
        with self._lock:
            self._pending.clear()
            self._cancel_running = True
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

    _cancel_running = False

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
                with self._lock:
                    if self._closing:
                        break
                    cancel, self._cancel_running = self._cancel_running, False
                    job = self._pending.popleft() if self._pending and (
                        cancel or self._worker is None or self._worker.job is None) else None
                if cancel and self._worker is not None and self._worker.job is not None:
                    self._end_worker()
                if job is not None:
                    self._start_job(job)
                self._wait_once()
        except Exception:
            log.exception("worker slot %s failed", self.name)
        finally:
            if self._worker is not None:
                self._end_worker()
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _start_job(self, job) -> None:
        if self._worker is None:
            self._worker = _Worker(f"soma-{self.name}")
        self._worker.job = job
        self._worker.deadline = time.monotonic() + self._timeout
        self._worker.requests.send(job)

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
            self._emit("error", job.request_id,
                       reason=f"timed out after {self._timeout:g} s and was stopped")

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
            if current:
                worker.job = None
                if kind == "result":
                    self._emit("result", request_id, value=message[2])
                else:
                    self._emit("error", request_id, reason=message[2])

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
        self._cancel_running = True


class SnapSlot(WorkerSlot):
    """Requests run one after another, in the order they came."""

    def __init__(self, on_event: EventSink, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__("snap", on_event, timeout)

    def _accept(self, job) -> None:
        self._pending.append(job)

"""Progress of long work as a tree of tasks, for the page, the terminal and tests (seed 001).

Work on any thread reports through its Task; renderers read immutable TaskSnapshots. One lock
guards the tree and is held only for bookkeeping. Listeners run outside it and are told only
*that* something changed: a renderer takes a snapshot when it is ready to draw, so a burst of
10,000 updates costs it one redraw (Throttle does this for the page, app.progress.text for
the terminal).

Rules:
- A task runs, then ends once as 'done', 'failed' or 'cancelled'. Later calls on it do
  nothing, so a late progress message from a stopped worker cannot bring its task back.
- Ending a task cancels its running subtasks: their work is part of the parent's, and nothing
  may still be running under a task that has ended.
- A task with no total of its own but with subtasks shows their progress: total = the sum of
  the subtasks' weights (1 each by default), done = the sum of weight x fraction done, where
  an ended subtask counts as wholly done (its work is no longer outstanding) and an
  indeterminate running one as not started. Subtasks dropped from the tree still count.
- Ended tasks stay in snapshots for `keep_finished` seconds, so a view can show 'done' or
  'cancelled', then disappear.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from app.base.errors import SomaError
from app.base.jsontext import json_safe

log = logging.getLogger(__name__)

RATE_WINDOW = 5.0  # seconds of recent progress a rate is measured over
_SAMPLE_STEP = RATE_WINDOW / 20  # seconds between kept samples: bounds memory at any rate
_MIN_SPAN = 0.1  # seconds: a rate measured over less is mostly noise

Listener = Callable[[], None]


class Cancelled(SomaError):
    """Raised inside a task's work when its task was cancelled."""


@dataclass(frozen=True)
class TaskSnapshot:
    """One task as renderers see it, at one moment; never changes."""

    id: int
    parent: int | None
    label: str
    total: float | None  # None: indeterminate
    done: float  # 0 <= done <= total when total is known
    state: str  # 'running' | 'done' | 'failed' | 'cancelled'
    started: float  # time.time() when the task was created
    elapsed: float  # seconds, from the start to now or to the end
    rate: float | None  # units per second over the last RATE_WINDOW s; None: too early
    eta: float | None  # seconds left at that rate; None when unknown or ended
    cancellable: bool
    message: str  # why it failed, or ''
    unit: str  # 'rows', 'frames', 'bytes', ... ('' for plain counts)

    def to_json(self) -> dict:
        """The page's form: camelCase keys, no NaN or infinity (None instead)."""
        return json_safe(
            {
                "id": self.id,
                "parent": self.parent,
                "label": self.label,
                "total": self.total,
                "done": self.done,
                "state": self.state,
                "started": self.started,
                "elapsed": self.elapsed,
                "rate": self.rate,
                "eta": self.eta,
                "cancellable": self.cancellable,
                "message": self.message,
                "unit": self.unit,
            }
        )


def clock(seconds: float) -> str:
    """A duration as a clock, for people: '7:05', '1:00:00' (seconds rounded to whole ones,
    as the page's formatTime(seconds, 1) does)."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def to_json_list(tasks: list[TaskSnapshot]) -> list[dict]:
    return [task.to_json() for task in tasks]


_current: contextvars.ContextVar[Task | None] = contextvars.ContextVar(
    "soma_progress_task", default=None
)


def current_task() -> Task | None:
    """The innermost task entered with `with` (or run by `tracked`) in this thread or coroutine.

    Context variables start empty in a new thread: a task entered on another thread is not
    current here.
    """
    return _current.get()


class _Entry:
    """The manager's mutable record of one task; read and written only under its lock."""

    __slots__ = (
        "cancellable",
        "children",
        "done",
        "ended",
        "id",
        "label",
        "message",
        "on_cancel",
        "parent",
        "retired",
        "samples",
        "started",
        "state",
        "total",
        "unit",
        "wall_started",
        "weight",
    )

    def __init__(
        self,
        id: int,
        parent: _Entry | None,
        label: str,
        total: float | None,
        unit: str,
        weight: float,
        on_cancel: Listener | None,
        cancellable: bool,
        now: float,
    ) -> None:
        self.id = id
        self.parent = parent
        self.children: list[_Entry] = []
        self.label = label
        self.total = total
        self.done = 0.0
        self.unit = unit
        self.weight = weight
        self.state = "running"
        self.message = ""
        self.started = now  # time.monotonic()
        self.wall_started = time.time()
        self.ended: float | None = None
        self.on_cancel = on_cancel
        self.cancellable = cancellable
        # (monotonic time, done) pairs: samples[0] is the newest one at or before the window's
        # start, samples[-1] the latest value.
        self.samples: deque[tuple[float, float]] = deque([(now, 0.0)])
        self.retired = 0.0  # weight of ended subtasks already dropped from the tree


class Task:
    """The handle the work holds; every method may be called from any thread."""

    def __init__(self, manager: ProgressManager, entry: _Entry) -> None:
        self._manager = manager
        self._entry = entry
        self._tokens: list[contextvars.Token] = []

    @property
    def id(self) -> int:
        return self._entry.id

    @property
    def label(self) -> str:
        return self._entry.label

    @property
    def state(self) -> str:
        return self._entry.state

    @property
    def cancelled(self) -> bool:
        return self._entry.state == "cancelled"

    def update(
        self,
        done: float | None = None,
        *,
        advance: float | None = None,
        total: Any = ...,
        label: str | None = None,
    ) -> None:
        """Report progress: `done` so far, or `advance` by that much (not both).

        `total=None` makes the task indeterminate; leave it out to keep the total. A worker
        slot's ("progress", id, done, total) event maps to `update(done, total=total)`.
        """
        if done is not None and advance is not None:
            raise ValueError("give done or advance, not both")
        self._manager._update(self._entry, done, advance, total, label)

    def check(self) -> None:
        """Raise Cancelled if the task was cancelled; long loops call it between steps."""
        if self._entry.state == "cancelled":
            raise Cancelled(f"{self._entry.label} was cancelled")

    def finish(self) -> None:
        """End as 'done'; a known total shows as reached."""
        self._manager._end(self._entry, "done", "")

    def fail(self, message: str) -> None:
        self._manager._end(self._entry, "failed", message)

    def cancel(self) -> bool:
        """Cancel this task and its subtasks, cancellable or not (the owner may stop its own
        work); False when it had already ended."""
        return self._manager._end(self._entry, "cancelled", "")

    def discard(self) -> None:
        """End a task whose work was superseded (a zoom replaced by the next one) and remove
        it at once, without calling on_cancel: it is no news to anyone, and showing each one
        as 'cancelled' would fill the panel while the user zooms."""
        self._manager._discard(self._entry)

    def child(self, label: str, total: float | None = None, **options) -> Task:
        """A subtask; `options` as for ProgressManager.task."""
        return self._manager.task(label, total, parent=self, **options)

    def __enter__(self) -> Task:
        self._tokens.append(_current.set(self))
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        _current.reset(self._tokens.pop())
        if error is None:
            self.finish()
        elif isinstance(error, (Cancelled, KeyboardInterrupt)):
            self.cancel()
        else:
            self.fail(str(error) or type(error).__name__)
        return False  # never swallow: the caller decides what an error means


class ProgressManager:
    """The tree of tasks. `on_change()` is called after every change, outside the lock.

    With `quiet=True` tasks are recorded (snapshots still work) but no listener is called.
    """

    def __init__(
        self, *, on_change: Listener | None = None, keep_finished: float = 2.0, quiet: bool = False
    ) -> None:
        self.quiet = quiet
        self._keep = keep_finished
        self._lock = threading.Lock()
        self._ids = count(1)
        self._entries: dict[int, _Entry] = {}
        self._roots: list[_Entry] = []
        # Ended entries in the order they ended, which is the order they expire in.
        self._ended: deque[_Entry] = deque()
        self._listeners: list[Listener] = [on_change] if on_change is not None else []

    # -- for the work -------------------------------------------------------------------

    def task(
        self,
        label: str,
        total: float | None = None,
        *,
        parent: Task | None = None,
        unit: str = "",
        weight: float = 1.0,
        on_cancel: Listener | None = None,
        cancellable: bool = False,
    ) -> Task:
        """Start a task. With `on_cancel` (called once, on any thread, e.g. to end a worker
        process) it is cancellable from the UI; `cancellable=True` allows that for work that
        only calls check(). `weight` is its share of a parent that aggregates its subtasks.

        A subtask of a task that has already ended starts cancelled and is never shown.
        """
        now = time.monotonic()
        up = parent._entry if parent is not None else None
        with self._lock:
            self._prune(now)
            entry = _Entry(
                next(self._ids),
                up,
                label,
                total,
                unit,
                weight,
                on_cancel,
                cancellable or on_cancel is not None,
                now,
            )
            born_dead = up is not None and up.state != "running"
            if born_dead:
                entry.state, entry.ended = "cancelled", now
            else:
                self._entries[entry.id] = entry
                (up.children if up is not None else self._roots).append(entry)
                self._refresh_ancestors(entry, now)
        if born_dead:
            self._call(on_cancel)
        else:
            self._notify()
        return Task(self, entry)

    def tracked(self, label: str, total: float | None = None, **options):
        """Decorator: each call of the function runs in a task of its own.

        The function reaches its task through `current_task()` (its signature stays as it
        is, and it still works untracked). Without `parent` in `options` the task is a
        subtask of this manager's current task, so tracked functions calling each other make
        a tree. Ends as `with` does: done, failed with the error's message, or cancelled.
        """

        def decorate(function):
            @functools.wraps(function)
            def run(*args, **kwargs):
                chosen = dict(options)
                if "parent" not in chosen:
                    current = current_task()
                    chosen["parent"] = (
                        current if (current is not None and current._manager is self) else None
                    )
                with self.task(label, total, **chosen):
                    return function(*args, **kwargs)

            return run

        return decorate

    # -- for the views ------------------------------------------------------------------

    def cancel(self, task_id: int) -> bool:
        """Cancel a cancellable running task (the UI's button); False if it is not one."""
        with self._lock:
            entry = self._entries.get(task_id)
        if entry is None or not entry.cancellable:
            return False
        return self._end(entry, "cancelled", "")

    def snapshot(self) -> list[TaskSnapshot]:
        """Every task at one moment, in tree order: each parent before its subtasks, siblings
        in the order they were started."""
        now = time.monotonic()
        with self._lock:
            self._prune(now)
            tasks = []
            stack = list(reversed(self._roots))
            while stack:
                entry = stack.pop()
                tasks.append(self._freeze(entry, now))
                stack.extend(reversed(entry.children))
        return tasks

    def next_expiry(self) -> float | None:
        """time.monotonic() at which the next ended task leaves the snapshots, or None."""
        with self._lock:
            return self._ended[0].ended + self._keep if self._ended else None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener()` after every change; returns the function that unsubscribes.

        Listeners may run on several threads at once and must be quick: note the change and
        take a snapshot later.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # -- bookkeeping --------------------------------------------------------------------

    def _update(self, entry: _Entry, done, advance, total, label) -> None:
        now = time.monotonic()
        with self._lock:
            if entry.state != "running":
                return
            before = (entry.done, entry.total, entry.label)
            if total is not ...:
                entry.total = total
            if advance is not None:
                entry.done += advance
            elif done is not None:
                entry.done = done
            if label is not None:
                entry.label = label
            if before == (entry.done, entry.total, entry.label):
                return
            self._sample(entry, now)
            self._refresh_ancestors(entry, now)
        self._notify()

    def _end(self, entry: _Entry, state: str, message: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if entry.state != "running":
                return False
            callbacks = [entry.on_cancel] if state == "cancelled" else []
            self._close(entry, state, message, now)
            stack = list(entry.children)
            while stack:
                below = stack.pop()
                stack.extend(below.children)
                if below.state == "running":
                    callbacks.append(below.on_cancel)
                    self._close(below, "cancelled", "", now)
            self._refresh_ancestors(entry, now)
        for callback in callbacks:
            self._call(callback)
        self._notify()
        return True

    def _discard(self, entry: _Entry) -> None:
        with self._lock:
            if entry.state == "running":
                self._close(entry, "cancelled", "", time.monotonic())
            if entry in self._ended:
                self._ended.remove(entry)
            self._drop(entry)
        self._notify()

    def _close(self, entry: _Entry, state: str, message: str, now: float) -> None:
        if state == "done" and entry.total is not None:
            entry.done = max(entry.done, entry.total)
        entry.state, entry.message, entry.ended = state, message, now
        self._sample(entry, now)
        self._ended.append(entry)

    def _progress(self, entry: _Entry) -> tuple[float, float | None]:
        """(done, total) as shown: its own, or aggregated from its subtasks (module doc)."""
        if entry.total is not None or not (entry.children or entry.retired):
            return entry.done, entry.total
        done = total = entry.retired
        for child in entry.children:
            total += child.weight
            done += child.weight * self._fraction(child)
        return done, total

    def _fraction(self, entry: _Entry) -> float:
        if entry.state != "running":
            return 1.0
        done, total = self._progress(entry)
        if total is None or total <= 0:
            return 0.0
        return min(max(done / total, 0.0), 1.0)

    def _sample(self, entry: _Entry, now: float) -> None:
        samples = entry.samples
        value = (now, self._progress(entry)[0])
        if len(samples) >= 2 and now - samples[-2][0] < _SAMPLE_STEP:
            samples[-1] = value
        else:
            samples.append(value)
        while len(samples) > 2 and samples[1][0] <= now - RATE_WINDOW:
            samples.popleft()

    def _refresh_ancestors(self, entry: _Entry, now: float) -> None:
        """Record new samples for the ancestors whose shown progress is entry's aggregate."""
        up = entry.parent
        while up is not None and up.total is None and up.state == "running":
            self._sample(up, now)
            up = up.parent

    def _freeze(self, entry: _Entry, now: float) -> TaskSnapshot:
        done, total = self._progress(entry)
        done = max(0.0, float(done))
        if total is not None:
            total = float(total)
            done = min(done, total)
        end = entry.ended if entry.ended is not None else now
        first_time, first_done = entry.samples[0]
        span = end - first_time
        rate = max(0.0, (entry.samples[-1][1] - first_done) / span) if span >= _MIN_SPAN else None
        eta = (
            (total - done) / rate
            if entry.state == "running" and total is not None and rate
            else None
        )
        return TaskSnapshot(
            id=entry.id,
            parent=entry.parent.id if entry.parent is not None else None,
            label=entry.label,
            total=total,
            done=done,
            state=entry.state,
            started=entry.wall_started,
            elapsed=end - entry.started,
            rate=rate,
            eta=eta,
            cancellable=entry.cancellable,
            message=entry.message,
            unit=entry.unit,
        )

    def _prune(self, now: float) -> None:
        while self._ended and self._ended[0].ended + self._keep <= now:
            self._drop(self._ended.popleft())

    def _drop(self, entry: _Entry) -> None:
        if self._entries.pop(entry.id, None) is None:
            return  # went with its parent
        stack = list(entry.children)
        while stack:  # subtasks end no later than their parent: all have ended
            below = stack.pop()
            self._entries.pop(below.id, None)
            stack.extend(below.children)
        if entry.parent is None:
            self._roots.remove(entry)
        else:
            entry.parent.children.remove(entry)
            entry.parent.retired += entry.weight

    def _notify(self) -> None:
        if self.quiet:
            return
        with self._lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            self._call(listener)

    @staticmethod
    def _call(callback: Listener | None) -> None:
        if callback is None:
            return
        try:
            callback()
        except Exception:
            log.exception("a progress callback failed")


class Throttle:
    """Delivers a manager's snapshots to `send` at most `max_per_second` times a second.

    A thread of its own waits for changes: the first change after a quiet spell is sent at
    once, the rest of a burst waits for the interval and goes as one snapshot taken after it
    (trailing edge), so the final state of every burst is delivered. `encode` turns the
    snapshot into what `send` takes (the JSON list by default). It also sends when an ended
    task expires and, with `heartbeat` (s), at least that often while tasks run, for views
    that show elapsed time. `send` runs on that thread only; close() flushes a pending
    change and ends the thread.
    """

    def __init__(
        self,
        manager: ProgressManager,
        send: Callable[[Any], None],
        *,
        max_per_second: float = 10.0,
        encode: Callable[[list[TaskSnapshot]], Any] = to_json_list,
        heartbeat: float | None = None,
    ) -> None:
        self._manager = manager
        self._send = send
        self._encode = encode
        self._interval = 1.0 / max_per_second
        self._heartbeat = heartbeat
        self._wake = threading.Condition()
        self._dirty = False
        self._closed = False
        self._unsubscribe = manager.subscribe(self._changed)
        self._thread = threading.Thread(target=self._run, name="soma-progress", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        self._unsubscribe()
        with self._wake:
            self._closed = True
            self._wake.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _changed(self) -> None:
        with self._wake:
            self._dirty = True
            self._wake.notify()

    def _run(self) -> None:
        sent_at = float("-inf")
        wake_at: float | None = None  # an expiry or a heartbeat: send then even unchanged
        while True:
            with self._wake:
                while not self._closed:
                    now = time.monotonic()
                    if self._dirty or (wake_at is not None and now >= wake_at):
                        if now >= sent_at + self._interval:
                            break
                        timeout = sent_at + self._interval - now
                    else:
                        timeout = None if wake_at is None else wake_at - now
                    self._wake.wait(timeout)
                closing = self._closed
                if closing and not self._dirty:
                    return
                self._dirty = False
            tasks = self._manager.snapshot()
            sent_at = time.monotonic()
            try:
                self._send(self._encode(tasks))
            except Exception:
                log.exception("sending progress failed")
            if closing:
                return
            wake_at = self._manager.next_expiry()
            if self._heartbeat is not None and any(t.state == "running" for t in tasks):
                beat = sent_at + self._heartbeat
                wake_at = beat if wake_at is None else min(wake_at, beat)

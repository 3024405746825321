"""One writer at a time, any number of readers without locks (seed 002).

pywebview runs every js_api call on a thread of its own, so several calls can read and change
the document at once. The state is an immutable DocumentState; a reader takes the current
reference (one attribute read, atomic in CPython) and keeps a consistent value for as long as
it likes. A writer passes a pure function of the old state; the store applies it under one
lock and swaps the reference, so no reader ever sees half a change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from app.document.state import DocumentState

log = logging.getLogger(__name__)

Listener = Callable[[DocumentState], None]


class DocumentStore:
    def __init__(self, initial: DocumentState | None = None) -> None:
        self._state = initial if initial is not None else DocumentState()
        self._write_lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def state(self) -> DocumentState:
        """The current snapshot. Never changes after it is returned."""
        return self._state

    def update(self, change: Callable[[DocumentState], DocumentState]) -> DocumentState:
        """Apply `change` to the current state and publish the result with the next revision.

        `change` runs under the write lock, so it must be quick and pure. Returning the state
        unchanged (the same object) publishes nothing.
        """
        with self._write_lock:
            old = self._state
            new = change(old)
            if new is old:
                return old
            new = replace(new, revision=old.revision + 1)
            self._state = new
            listeners = tuple(self._listeners)
        # Listeners run outside the lock so a slow one cannot stall writers; they may see
        # revisions out of order and must keep only the newest (the push channel does).
        for listener in listeners:
            try:
                listener(new)
            except Exception:
                log.exception("a document listener failed")
        return new

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` after every change; returns the function that unsubscribes."""
        with self._write_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._write_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

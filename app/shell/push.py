"""Small events from Python to the page, sent from one dedicated thread.

Why a thread of its own: window.evaluate_js blocks its caller until the page answers and
deadlocks when called on the GUI thread (pywebview #1699); js_api calls and worker monitors
run on many threads. One sender keeps events in order, never blocks the thread that produced
them, and can coalesce: an event sent with a key replaces a pending one with the same key,
so a burst of state changes reaches the page as the newest state only.

Coalesced events from several threads carry a revision because their producers race: the store
notifies its listeners outside its lock, so revision 6 can reach `send` before revision 5. The
channel, the one place that sees them all, keeps the newest: an older event never replaces a newer
pending one, and nothing older than what was sent goes out after it (the page would otherwise be
left on an older state until the next change).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import count
from typing import Any

from app.base.jsontext import json_safe

log = logging.getLogger(__name__)

# The page defines window.soma.receive once its modules have loaded; events that arrive
# before that are dropped, and the page pulls the whole state when it starts instead.
_RECEIVE = "window.soma && window.soma.receive({payload})"


class PushChannel:
    def __init__(self, evaluate_js: Callable[[str], Any]) -> None:
        self._evaluate_js = evaluate_js
        # key -> (revision, event); revision None for events that are not coalesced
        self._pending: OrderedDict[object, tuple[int | None, dict]] = OrderedDict()
        self._sent: dict[str, int] = {}  # coalesce key -> the newest revision sent
        self._unique = count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="soma-push", daemon=True)
        self._thread.start()

    def send(self, event: dict, coalesce: str | None = None, revision: int | None = None) -> None:
        """Queue `event` (a JSON-able dict) for the page.

        With `coalesce`, a pending event with the same key is replaced and this one moves to
        the back of the queue, keeping the order in which the newest values were produced.
        Events of a key sent from several threads need their `revision` (an int that grows
        with each newer value): then an event no newer than the pending or the sent one of its
        key is dropped instead.
        """
        if revision is not None and coalesce is None:
            raise ValueError("a revision needs a coalesce key")
        key = coalesce if coalesce is not None else next(self._unique)
        with self._wake:
            if self._closed:
                return
            if revision is not None:
                pending = self._pending.get(key)
                known = (self._sent.get(key), pending[0] if pending is not None else None)
                if any(newer is not None and newer >= revision for newer in known):
                    return
            self._pending[key] = (revision, event)
            self._pending.move_to_end(key)
            self._wake.notify()

    def close(self, timeout: float = 2.0) -> None:
        """Stop sending; pending events are dropped (the page is going away)."""
        with self._wake:
            self._closed = True
            self._pending.clear()
            self._wake.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                key, (revision, event) = self._pending.popitem(last=False)
                if revision is not None:
                    self._sent[key] = revision
            script = _RECEIVE.format(payload=json.dumps(json_safe(event)))
            try:
                self._evaluate_js(script)
            except Exception:
                # A page that is reloading or a window that is closing: the page resyncs on
                # load, so an event lost here is not lost state.
                log.debug("push to the page failed", exc_info=True)

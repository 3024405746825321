"""Small events from Python to the page, sent from one dedicated thread.

Why a thread of its own: window.evaluate_js blocks its caller until the page answers and
deadlocks when called on the GUI thread (pywebview #1699); js_api calls and worker monitors
run on many threads. One sender keeps events in order, never blocks the thread that produced
them, and can coalesce: an event sent with a key replaces a pending one with the same key,
so a burst of state changes reaches the page as the newest state only.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from itertools import count
from typing import Any, Callable

from app.base.jsontext import json_safe

log = logging.getLogger(__name__)

# The page defines window.soma.receive once its modules have loaded; events that arrive
# before that are dropped, and the page pulls the whole state when it starts instead.
_RECEIVE = "window.soma && window.soma.receive({payload})"


class PushChannel:
    def __init__(self, evaluate_js: Callable[[str], Any]) -> None:
        self._evaluate_js = evaluate_js
        self._pending: OrderedDict[object, dict] = OrderedDict()
        self._unique = count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="soma-push", daemon=True)
        self._thread.start()

    def send(self, event: dict, coalesce: str | None = None) -> None:
        """Queue `event` (a JSON-able dict) for the page.

        With `coalesce`, a pending event with the same key is replaced and this one moves to
        the back of the queue, keeping the order in which the newest values were produced.
        """
        key = coalesce if coalesce is not None else next(self._unique)
        with self._wake:
            if self._closed:
                return
            self._pending[key] = event
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
                _, event = self._pending.popitem(last=False)
            script = _RECEIVE.format(payload=json.dumps(json_safe(event)))
            try:
                self._evaluate_js(script)
            except Exception:
                # A page that is reloading or a window that is closing: the page resyncs on
                # load, so an event lost here is not lost state.
                log.debug("push to the page failed", exc_info=True)

"""Session: the main process's object graph, built in one place and closed in one place.

The window (app.shell.window.run_window) and the tests build it the same way: the document store,
the data store, the audio share, progress, the viewport and snap services, the snap and export
queues, the autosaver and the js_api object. The page's side (its server, the push channel and
what feeds it) is added once the window's token and evaluate_js exist. close() ends all of it
in the order the pieces depend on each other: what feeds the page first, then the services,
then the workers' queues and the shared audio they read, then the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.compute.background import BackgroundQueue
from app.compute.playback import AudioChunks
from app.compute.shared_audio import AudioShare
from app.compute.snapping import SnapService
from app.compute.tracking import TrackService
from app.compute.viewport import ViewportService
from app.document.datastore import DataStore
from app.document.state import DocumentState
from app.document.store import DocumentStore
from app.files.persistence import AUTOSAVE_DELAY, Autosaver
from app.progress.logs import PageLogHandler
from app.progress.tasks import ProgressManager, Throttle
from app.shell.bridge import Dialogs, SomaDocument
from app.shell.push import PushChannel
from app.shell.server import PageServer, make_app


class Session:
    """Everything behind one window's document.

    `autosave_delay`: seconds after an edit before the recovery file is written; None for no
    autosaving (tests that look at recovery files choose when they appear).
    """

    def __init__(
        self,
        dialogs: Dialogs | None = None,
        *,
        recent: tuple[str, ...] = (),
        autosave_delay: float | None = AUTOSAVE_DELAY,
    ) -> None:
        self.store = DocumentStore(DocumentState(recent=recent))
        self.data = DataStore()
        self.share = AudioShare()
        self.progress = ProgressManager()
        self.viewport = ViewportService(self.store, self.data, self.share, self.progress)
        self.snaps = BackgroundQueue(self.progress, "snap")
        # An export can take minutes: it has its own worker, only while it runs
        # (app.compute.background).
        self.exports = BackgroundQueue(self.progress, "export", keep_idle_worker=False)
        self.snapping = SnapService(self.store, self.share, self.snaps)
        # Tracks run in the snap worker: the same shared samples, no process of their own.
        self.tracking = TrackService(self.store, self.share, self.snaps)
        self.autosaver = (
            Autosaver(self.store, autosave_delay) if autosave_delay is not None else None
        )
        self.document = SomaDocument(
            self.store,
            self.data,
            self.share,
            self.viewport,
            self.snapping,
            self.tracking,
            self.exports,
            self.progress,
            dialogs,
        )
        self.server: PageServer | None = None
        self.push: PushChannel | None = None
        self._throttle: Throttle | None = None
        self._page_log: PageLogHandler | None = None

    def serve(self, token: str) -> str:
        """Start the page's server (web/, the data store behind `token`, playback); its url."""
        self.server = PageServer(make_app(self.data, token, AudioChunks(self.store)))
        return self.server.url

    def connect(self, evaluate_js: Callable[[str], Any]) -> None:
        """Push the document's states, the progress and the log to the page."""
        push = self.push = PushChannel(evaluate_js)
        self.store.subscribe(
            lambda state: push.send(
                {"type": "state", "state": state.to_json()},
                coalesce="state",
                revision=state.revision,
            )
        )
        # At most 10 progress updates a second reach the page, whatever the workers report.
        self._throttle = Throttle(
            self.progress,
            lambda tasks: push.send({"type": "progress", "tasks": tasks}, coalesce="progress"),
        )
        self._page_log = PageLogHandler(
            lambda event, serial: push.send(event, coalesce="logs", revision=serial)
        )
        logging.getLogger().addHandler(self._page_log)

    def close(self) -> None:
        if self._page_log is not None:
            logging.getLogger().removeHandler(self._page_log)
        for part in (
            self._throttle,
            self.push,
            self.autosaver,
            self.viewport,
            self.snaps,
            self.exports,
            self.share,
            self.server,
        ):
            if part is not None:
                part.close()

"""The window: pywebview on Qt WebEngine, serving web/ and calling into SomaDocument."""
from __future__ import annotations

import logging
import os
from typing import Callable

from app.audio import AudioFile
from app.bridge import SomaDocument
from app.push import PushChannel
from app.server import DataStore, make_app
from app.shared_audio import AudioShare, remove_stale_segments
from app.snapping import SnapService
from app.store import DocumentStore
from app.viewport import ViewportService

log = logging.getLogger(__name__)

AUDIO_FILE_TYPES = (
    "Audio files (*.wav;*.flac;*.ogg;*.oga;*.aif;*.aiff;*.mp3;*.w64;*.caf;*.au;*.snd)",
    "All files (*.*)",
)


def configure_qt_environment() -> None:
    """Environment Qt WebEngine needs here, set before Qt is imported.

    Chromium refuses to run its sandbox as root; only then is it switched off.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def run_window(audio: AudioFile | None = None,
               on_ready: Callable[[object], None] | None = None) -> None:
    """Open the window on `audio` (the demo when None) and return when it is closed.

    `on_ready(window)`, if given, runs on a thread of its own once the first file is open:
    the hook through which the GUI tests drive a real window.
    """
    configure_qt_environment()
    import webview  # after the environment is set: importing it may load Qt

    remove_stale_segments()
    store = DocumentStore()
    data = DataStore()
    share = AudioShare()
    viewport = ViewportService(store, data, share)
    snapping = SnapService(store, share)
    window = None

    def choose_file() -> str | None:
        chosen = window.create_file_dialog(webview.FileDialog.OPEN, file_types=AUDIO_FILE_TYPES)
        return chosen[0] if chosen else None

    document = SomaDocument(store, data, share, viewport, snapping, choose_file)
    window = webview.create_window(
        "Soma", make_app(data, webview.token), js_api=document, width=1280, height=820,
        min_size=(720, 480), background_color="#0f1115")
    push = PushChannel(window.evaluate_js)
    store.subscribe(lambda state: push.send({"type": "state", "state": state.to_json()},
                                            coalesce="state"))

    def open_first() -> None:
        reply = document._open_audio(audio) if audio is not None else document.open_demo()
        if not reply["ok"]:
            log.error("%s", reply["error"])
        if on_ready is not None:
            on_ready(window)

    try:
        webview.start(open_first, gui="qt", debug=bool(os.environ.get("SOMA_DEVTOOLS")))
    finally:
        push.close()
        viewport.close()
        snapping.close()
        share.close()

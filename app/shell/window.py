"""The window: pywebview on Qt WebEngine, serving web/ and calling into SomaDocument."""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable

from app.base import devchild
from app.base.errors import SomaError
from app.base.formats import PROJECT_SUFFIX
from app.compute import processes
from app.compute.shared_audio import remove_stale_segments
from app.compute.snapping import SnapService
from app.dev import saved_state
from app.document.store import DocumentStore
from app.files.recent import load_recent
from app.shell import graphics
from app.shell.bridge import SomaDocument
from app.shell.session import Session
from workers.allocator import keep_batch_buffers

log = logging.getLogger(__name__)
LEFTOVER_GRACE = 2.0  # s the threads left when the window has closed get to end

FILE_TYPES = {
    "audio": (
        "Audio files and Soma projects (*.wav;*.flac;*.ogg;*.oga;*.aif;*.aiff;*.mp3;"
        f"*.w64;*.caf;*.au;*.snd;*{PROJECT_SUFFIX})",
        "All files (*.*)",
    ),
    "project": (f"Soma projects (*{PROJECT_SUFFIX})", "All files (*.*)"),
    "partials": ("Partials (*.csv;*.json;*.txt;*.sdif)", "All files (*.*)"),
    "csv": ("CSV (*.csv)",),
    "json": ("JSON (*.json)",),
    "spear-partials": ("SPEAR partials (*.txt)",),
    "spear-frames": ("SPEAR frames (*.txt)",),
    "sdif": ("SDIF (*.sdif)",),
    "wav": ("WAV (*.wav)",),
    "flac": ("FLAC (*.flac)",),
    "region-wav": ("WAV (*.wav)",),
    "region-flac": ("FLAC (*.flac)",),
    "png": ("PNG image (*.png)",),
    "figure-svg": ("SVG figure (*.svg)",),
    "figure-png": ("PNG figure (*.png)",),
}


SAVE_TITLE = "Save file"
UNSAVED_TITLE = "Unsaved changes"


def with_filter_extension(path: str, chosen_filter: str) -> str:
    """`path` with the first extension of `chosen_filter` (a Qt name filter such as
    'Soma projects (*.soma.json)') added when it has none of that filter's extensions; as it
    is for a filter of any file ('*.*') or none."""
    extensions = [e.lower() for e in re.findall(r"\*(\.[\w.]+)", chosen_filter)]
    if not extensions or path.lower().endswith(tuple(extensions)):
        return path
    return path + extensions[0]


class _GuiThread:
    """Runs a function on Qt's GUI thread and waits for what it returns: Qt's dialogs must be
    made there, and the bridge asks from its own threads. Make it on the GUI thread (its
    object belongs to the thread that made it); never call `run` from that thread."""

    def __init__(self) -> None:
        from PyQt6.QtCore import QObject, Qt, pyqtSignal, pyqtSlot

        class Runner(QObject):
            call = pyqtSignal(object)

            @pyqtSlot(object)
            def run(self, job) -> None:
                job()

        self._runner = Runner()
        self._runner.call.connect(self._runner.run, Qt.ConnectionType.BlockingQueuedConnection)

    def run(self, function):
        outcome = {}

        def job() -> None:
            try:
                outcome["value"] = function()
            except Exception as error:  # raised again on the calling thread
                outcome["error"] = error

        self._runner.call.emit(job)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


class NativeDialogs:
    """The bridge's Dialogs: pywebview's native dialogs of `window`, and Qt's own save dialog.

    `window` is set once the window exists: the window needs the bridge, which needs these.
    Made on the GUI thread (see _GuiThread).
    """

    window = None

    def __init__(self) -> None:
        self._gui_thread = _GuiThread()

    def open_file(self, kind: str, folder: str) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(
            webview.FileDialog.OPEN, directory=folder, file_types=FILE_TYPES[kind]
        )
        return chosen[0] if chosen else None

    def save_file(self, kind: str, suggested: str, folder: str) -> str | None:
        # Qt's own save dialog, not pywebview's: pywebview's Qt backend leaves the type filters
        # out of it and returns the path without the filter chosen.
        from PyQt6.QtWidgets import QFileDialog

        filters = ";;".join(f.replace(";", " ") for f in FILE_TYPES[kind])
        path, chosen_filter = self._gui_thread.run(
            lambda: QFileDialog.getSaveFileName(
                getattr(self.window, "native", None),
                SAVE_TITLE,
                os.path.join(folder, suggested),
                filters,
            )
        )
        return with_filter_extension(path, chosen_filter) if path else None

    def confirm(self, title: str, message: str) -> bool:
        return bool(self.window.create_confirmation_dialog(title, message))

    def unsaved(self, message: str) -> str:
        # Qt's own message box: pywebview's confirmation dialog has OK and Cancel only.
        from PyQt6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton

        def ask() -> str:
            box = QMessageBox(getattr(self.window, "native", None))
            box.setWindowTitle(UNSAVED_TITLE)
            box.setText(message)
            box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
            box.button(buttons.Discard).setText("Don't save")
            box.setDefaultButton(buttons.Save)
            box.setEscapeButton(buttons.Cancel)
            box.exec()
            chosen = box.standardButton(box.clickedButton())
            return {buttons.Save: "save", buttons.Discard: "discard"}.get(chosen, "cancel")

        return self._gui_thread.run(ask)

    def close_window(self) -> None:
        self.window.destroy()  # through the closing handler, which asks about unsaved work


def configure_qt_environment() -> None:
    """Environment Qt WebEngine needs here, set before Qt is imported.

    Chromium refuses to run its sandbox as root; only then is it switched off.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def run_window(
    audio_path: str | None = None,
    project_path: str | None = None,
    on_ready: Callable[[object], None] | None = None,
) -> int:
    """Open the window on the audio file at `audio_path` or the project at `project_path`
    (the demo when neither)
    and return when it is closed: 0, or devchild.RESTART_EXIT_CODE when dev mode asked for a
    restart (the state is saved then).

    `on_ready(window)`, if given, runs on a thread of its own once the first file is open:
    the hook through which the GUI tests drive a real window.
    """
    configure_qt_environment()
    keep_batch_buffers()
    import webview  # after the environment is set: importing it may load Qt

    graphics.choose_scene_graph()

    remove_stale_segments()
    # While Qt and the page start: the first viewport worker then forks at once.
    threading.Thread(target=processes.start_server, name="soma-forkserver", daemon=True).start()
    dialogs = NativeDialogs()
    session = Session(dialogs, recent=load_recent())
    store, document, snapping = session.store, session.document, session.snapping
    saved, unreadable = _saved_session()  # after a dev-mode restart: what to come back to
    geometry = (saved.window if saved else None) or {"width": 1280, "height": 820}
    window = webview.create_window(
        "Soma",
        session.serve(webview.token),
        js_api=document,
        min_size=(720, 480),
        background_color="#0f1115",
        **geometry,
    )
    dialogs.window = window
    leave = threading.Event()  # closing may go ahead without asking (again)
    restart = threading.Event()  # dev mode asked for a restart: exit with its code
    window.events.closing += _ask_before_losing_work(window, store, document, leave)
    _follow_title(window, store)
    session.connect(window.evaluate_js)

    if devchild.dev_state_path() is not None:
        _handle_dev_signals(window, snapping, leave, restart)
    # Every load of the page, a dev-mode reload included, gets its own DOM listeners.
    window.events.loaded += lambda: _accept_dropped_files(window, document, store)

    def open_first() -> None:
        if saved is not None:
            reply = _restore(document, snapping, saved)
        elif project_path is not None:
            reply = document.open_project(project_path)
        elif audio_path is not None:
            reply = document.open_path(audio_path)
        else:
            reply = document.open_demo()
        if not reply["ok"]:
            log.error("%s", reply["error"])
        if unreadable:  # after the open, which clears the document's error
            store.update(lambda state: state.failed(unreadable))
        if on_ready is not None:
            on_ready(window)

    try:
        webview.start(open_first, gui="qt", debug=bool(os.environ.get("SOMA_DEVTOOLS")))
    finally:
        session.close()
    code = devchild.RESTART_EXIT_CODE if restart.is_set() else 0
    _end_if_threads_are_left(code)
    return code


def _end_if_threads_are_left(code: int) -> None:
    """End the process now with `code` if threads are still running LEFTOVER_GRACE s after
    the window closed and the session with it. pywebview answers each bridge call from a
    thread of its own, not a daemon, through the window: a call answered after the window
    was destroyed (seen once after Ctrl+Q) waits for ever, and Python's exit waits for it,
    leaving a process without a window and `make run` hanging."""
    deadline = time.monotonic() + LEFTOVER_GRACE
    for thread in _running_threads():
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [thread.name for thread in _running_threads()]
    if left:
        log.warning("the window has closed; threads still waiting (%s) are left", ", ".join(left))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _running_threads() -> list[threading.Thread]:
    """The threads Python's exit would wait for, but this one."""
    this = threading.current_thread()
    return [t for t in threading.enumerate() if t is not this and not t.daemon and t.is_alive()]


def _saved_session() -> tuple[saved_state.SavedSession | None, str]:
    """The dev-mode state to restore (None: start clean), and why it was set aside ("" when
    it was not). A state the edited code cannot read must not fail every restart."""
    try:
        return saved_state.load(), ""
    except saved_state.DevStateError as error:
        message = f"Dev mode started clean: the saved state could not be restored ({error})"
        log.error("%s", message)
        return None, message


def _restore(
    document: SomaDocument, snapping: SnapService, saved: saved_state.SavedSession
) -> dict:
    """Reopen what was open before a dev-mode restart, with its partials, history and view
    (in the same update as the file: SomaDocument._reopen), and send again the strokes that
    were still snapping."""
    if not saved.has_audio:
        return {"ok": True}
    try:
        reply = document._reopen(
            saved.audio or None, lambda state: saved_state.restore_document(state, saved)
        )
    except Exception as error:  # _open has logged it and put it in the state's error
        return {"ok": False, "error": str(error)}
    for snap in saved.snaps:
        snapping.request(
            snap.guide,
            snap.tolerance_cents,
            snap.replace_id,
            snap.hop,
            extend_id=snap.extend_id,
            move_id=snap.move_id,
        )
    return reply


def _handle_dev_signals(
    window, snapping: SnapService, leave: threading.Event, restart: threading.Event
) -> None:
    """Dev mode's two signals (app.dev.supervisor, app.base.devchild): reload the page; save
    the state and restart.

    Python runs signal handlers on the main thread only when the interpreter gets control,
    and Qt's loop lets it in every 500 ms; the wakeup fd is written by the C-level handler
    at once, so a thread reading it acts within a millisecond (and evaluate_js and destroy,
    which wait on the GUI loop, must not run on the main thread anyway).
    """

    def save_and_restart() -> None:
        geometry = {"x": window.x, "y": window.y, "width": window.width, "height": window.height}
        devchild.write_dev_state(saved_state.capture(*snapping.state_and_pending(), geometry))
        restart.set()
        leave.set()  # the state is saved: closing loses nothing, so nobody is asked
        window.destroy()

    actions = {
        devchild.RELOAD_SIGNAL: lambda: window.evaluate_js("location.reload()"),
        devchild.RESTART_SIGNAL: save_and_restart,
    }
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    for signum in actions:
        signal.signal(signum, lambda *_: None)  # handled below; the default would kill us
    signal.set_wakeup_fd(write_end)

    def listen() -> None:
        while True:
            for signum in os.read(read_end, 64):  # one byte per signal: its number
                if signum in actions:
                    threading.Thread(target=actions[signum], daemon=True).start()

    threading.Thread(target=listen, name="soma-dev-signals", daemon=True).start()


def _accept_dropped_files(window, document: SomaDocument, store: DocumentStore) -> None:
    """Open an audio file or project dropped on the window, as Open… would.

    pywebview gives a dropped file's full path only to Python-side DOM handlers (Qt's drop
    event records it). The page cancels dragover itself (main.js): without that Chromium
    fires no drop, and a handler here would be a round trip per mouse move.
    """
    from webview.dom import DOMEventHandler

    def dropped(event) -> None:
        files = (event.get("dataTransfer") or {}).get("files") or []
        paths = [f["pywebviewFullPath"] for f in files if f.get("pywebviewFullPath")]
        if not paths:
            message = "Drop a file from the file manager: Soma needs to know where it is"
            store.update(lambda s: s.failed(message))
            return
        if len(paths) > 1:
            log.info("%d files dropped: opening the first, %s", len(paths), paths[0])
        reply = document.open_path(paths[0])
        if not reply["ok"]:
            store.update(lambda s: s.failed(reply["error"]))

    # Cancelled too, or Chromium would open the dropped file in place of the page.
    window.dom.document.events.drop += DOMEventHandler(
        dropped, prevent_default=True, stop_propagation=True
    )


def _ask_before_losing_work(
    window, store: DocumentStore, document: SomaDocument, confirmed: threading.Event
):
    """A closing handler: with unsaved edits, cancel the close and ask on another thread.

    The handler runs on the GUI thread, where a dialog asked from Python would deadlock; Save
    (once it has saved) and Don't save set `confirmed` and close the window again, and the
    second close goes through; Cancel keeps it open. A dev-mode restart sets it first: its
    state is saved, nothing is lost.
    """

    def ask() -> None:
        name = store.state.audio.name if store.state.audio else "the file"
        try:
            settled = document._settle_unsaved(
                f"The partials on {name} have unsaved changes (kept in the recovery file). "
                "Save them before closing Soma?"
            )
        except SomaError as error:  # the save failed: stay open, and say why
            message = str(error)
            store.update(lambda s: s.failed(message))
            return
        if settled:
            confirmed.set()
            window.destroy()

    def closing():
        if confirmed.is_set() or not store.state.modified:
            return True
        threading.Thread(target=ask, name="soma-ask-close", daemon=True).start()
        return False

    return closing


def _follow_title(window, store: DocumentStore) -> None:
    """Keep the window's title the document's (DocumentState.title: the file's name and a
    mark while unsaved). Listeners run on the writers' threads: an older state that comes
    late must not put back an older title."""
    lock = threading.Lock()
    newest = {"revision": -1, "title": "Soma"}

    def follow(state) -> None:
        with lock:
            if state.revision < newest["revision"]:
                return
            newest["revision"] = state.revision
            if state.title == newest["title"]:
                return
            newest["title"] = state.title
            window.set_title(state.title)

    store.subscribe(follow)

"""SomaDocument, the js_api object, called as pywebview calls it: method(*args) on any thread."""

import base64
import json
import math
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from gui_session import tone_project
from live_processes import alive, descendants
from PyQt6.QtGui import QImage
from waiting import wait_until

from app.dev import saved_state
from app.document import editing
from app.files.png import write_png
from app.files.project import load_project, recovery_path
from app.files.recent import load_recent
from app.shell.session import Session
from app.shell.window import _restore


class ScriptedDialogs:
    """Answers the bridge's dialogs from a script, as a user at the native dialogs would."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked = []
        self.folders = []  # where each file dialog started

    def _next(self, question):
        self.asked.append(question)
        return self.answers.pop(0)

    def open_file(self, kind, folder):
        self.folders.append(folder)
        return self._next(("open", kind))

    def save_file(self, kind, suggested, folder):
        self.folders.append(folder)
        return self._next(("save", kind, suggested))

    def confirm(self, title, message):
        return self._next(("confirm", title))

    def unsaved(self, message):
        return self._next(("unsaved",))

    def close_window(self):
        self.asked.append(("close",))


def _session(dialogs=None, autosave_delay=None):
    """A session without autosaving unless asked: recovery files appear when a test says."""
    return Session(dialogs, autosave_delay=autosave_delay)


@pytest.fixture
def session():
    session = _session()
    yield session
    session.close()


@pytest.fixture
def document(session):
    return session.document


def _strict_json(reply):
    json.dumps(reply, allow_nan=False)
    return reply


def _pulled(document) -> dict:
    """The state as the page pulls it: get_state, then its partials' points from the data
    store at partialsData (the server's /data route serves that store), each partial's
    pointCount rows, as "points"."""
    state = _strict_json(document.get_state())["state"]
    payload, _ = document._data.get(state["partialsData"].removeprefix("/data/"))
    rows = np.frombuffer(payload, dtype="<f8").reshape(-1, 3)
    first = 0
    for partial in state["partials"]:
        partial["points"] = rows[first : first + partial.pop("pointCount")]
        first += len(partial["points"])
    assert first == len(rows)
    return state


def _wav(path, seconds=1.0, sr=8000):
    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, 0.5 * np.sin(2 * np.pi * 440 * t), sr)
    return str(path)


def test_public_attributes_are_only_the_user_actions(document):
    public = sorted(name for name in dir(document) if not name.startswith("_"))
    assert public == [
        "cancel_task",
        "delete_partials",
        "dismiss_error",
        "erase",
        "export_figure",
        "export_image",
        "export_partials",
        "export_region",
        "export_resynthesis",
        "find_harmonics",
        "get_state",
        "import_partials",
        "join_partials",
        "move_points",
        "open_demo",
        "open_dialog",
        "open_path",
        "open_project",
        "prune_partials",
        "quit",
        "recolor_partial",
        "redo",
        "rename_partial",
        "resnap",
        "save_project",
        "save_project_as",
        "select",
        "set_display",
        "set_levels",
        "set_view",
        "snap",
        "spectrum_at",
        "split_partial",
        "track",
        "undo",
        "waveform",
    ]


def test_open_path_opens_and_serves_the_overview(document, tmp_path):
    reply = _strict_json(document.open_path(_wav(tmp_path / "a.wav")))
    assert reply["ok"] is True
    state = reply["state"]
    assert state["file"]["name"] == "a.wav" and state["file"]["sampleRate"] == 8000
    assert state["view"] == {"start": 0.0, "end": 1.0, "fmin": 20.0, "fmax": 4000.0}
    overview = state["overview"]
    payload, _ = document._data.get(overview["key"])
    # The levels, then the bit mask of the edge cones (a 1 s file is in a cone at 20 Hz).
    pixels = overview["width"] * overview["height"]
    assert overview["edges"] and len(payload) == pixels + pixels // 8
    assert overview["url"] == f"/data/{overview['key']}"


@pytest.mark.parametrize("bad", [None, 3, math.nan, math.inf, "", "a\x00b", ["x"], {"p": 1}])
def test_bad_arguments_get_a_clear_error_and_change_nothing(document, bad):
    before = document._store.state
    reply = _strict_json(document.open_path(bad))
    assert reply["ok"] is False and "path" in reply["error"]
    assert document._store.state is before


def test_wrong_argument_count_is_an_error_not_an_exception(document):
    reply = _strict_json(document.open_path())
    assert reply["ok"] is False and "open_path" in reply["error"]


def test_a_file_that_cannot_open_loses_nothing(document, tmp_path):
    document.open_path(_wav(tmp_path / "good.wav"))
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x00\x00garbage")
    reply = _strict_json(document.open_path(str(tmp_path / "bad.wav")))
    assert reply["ok"] is False and "bad.wav" in reply["error"]
    state = document.get_state()["state"]
    assert state["file"]["name"] == "good.wav" and state["overview"] is not None
    assert "bad.wav" in state["error"] and state["busy"] == ""
    assert document.dismiss_error()["state"]["error"] == ""


@pytest.mark.parametrize(
    "path",
    [
        "~nosuchuser-soma/x.wav",
        "~nosuchuser-soma/x.soma.json",
        "lone-\udc80-surrogate.wav",
        "lone-\ud800.soma.json",
    ],
)
def test_a_path_that_cannot_even_be_looked_up_loses_nothing(document, tmp_path, path):
    document.open_path(_wav(tmp_path / "good.wav"))
    reply = _strict_json(document.open_path(path))
    assert reply["ok"] is False and "Internal error" not in reply["error"]
    state = document.get_state()["state"]
    assert state["busy"] == "" and state["file"]["name"] == "good.wav"
    assert state["error"] in ("", reply["error"]) and "\n" not in reply["error"]


def test_an_unexpected_failure_while_opening_clears_busy(document, tmp_path):
    document.open_path(_wav(tmp_path / "good.wav"))

    def load():
        raise MemoryError("no room for the samples")

    with pytest.raises(MemoryError):
        document._open(load, "huge.wav")
    state = document.get_state()["state"]
    assert state["busy"] == "" and state["file"]["name"] == "good.wav"
    assert state["error"] == "Cannot open huge.wav: no room for the samples"


def test_open_demo(document):
    state = _strict_json(document.open_demo())["state"]
    assert state["file"]["name"] == "Demo recording" and state["file"]["duration"] > 15


def test_dialog_cancel_and_choice(tmp_path):
    dialogs = ScriptedDialogs(None, _wav(tmp_path / "picked.wav"))
    session = _session(dialogs)
    document = session.document
    try:
        assert document.open_dialog()["cancelled"] is True
        assert document.open_dialog()["state"]["file"]["name"] == "picked.wav"
        assert dialogs.asked == [("open", "audio"), ("open", "audio")]
    finally:
        session.close()


def test_concurrent_opens_end_on_a_consistent_document(document, tmp_path):
    paths = [_wav(tmp_path / f"f{i}.wav", seconds=0.5 + i) for i in range(4)]
    threads = [threading.Thread(target=document.open_path, args=(p,)) for p in paths * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = document._store.state
    assert state.busy == "" and state.audio is not None
    assert state.view.end == pytest.approx(state.audio.duration)
    assert document._data.get(state.overview.key) is not None


def test_set_view_publishes_the_view_and_the_worker_computes_its_image(document, tmp_path):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    reply = _strict_json(document.set_view(0.5, 1.5, 100, 2000, 321, 77))
    assert reply["ok"] is True
    state = document._store.state
    assert (state.view.start, state.view.end, state.view.fmin, state.view.fmax) == (
        0.5,
        1.5,
        100.0,
        2000.0,
    )
    assert state.computing == reply["requestId"]
    wait_until(lambda: document._store.state.viewport is not None)
    image = document._store.state.viewport
    assert (image.width, image.height, image.method) == (321, 77, "cwt")
    assert image.view == state.view and document._store.state.computing == 0
    payload, _ = document._data.get(image.key)
    levels = np.frombuffer(payload, np.uint8).reshape(77, 321)
    # the 440 Hz sine is the brightest row
    rows = np.geomspace(100, 2000, 77)
    assert abs(int(np.argmax(levels.mean(axis=1))) - int(np.argmin(abs(np.log(rows / 440))))) <= 1


def test_the_whole_files_view_is_made_from_the_overview_without_a_worker(document, tmp_path):
    # 40 s: the STFT, which the overview is already; an hour would be transformed twice.
    document.open_path(_wav(tmp_path / "a.wav", seconds=40.0))
    tasks = len(document._progress.snapshot())
    whole = document._store.state.overview.view
    reply = _strict_json(
        document.set_view(whole.start, whole.end, whole.fmin, whole.fmax, 700, 500)
    )
    state = document._store.state  # at once: no worker was asked
    assert reply["ok"] and state.computing == 0 and state.viewport.view == whole
    assert len(document._progress.snapshot()) == tasks
    image = state.viewport
    assert (image.width, image.height, image.method) == (700, 500, "stft")
    payload, _ = document._data.get(image.key)
    levels = np.frombuffer(payload, np.uint8, count=700 * 500).reshape(500, 700)
    rows = np.geomspace(whole.fmin, whole.fmax, 500)
    assert abs(int(np.argmax(levels[:, 350])) - int(np.argmin(abs(np.log(rows / 440))))) <= 1
    # Another view, or the same one wider than the overview or with other display
    # settings, is a worker's.
    for args in [
        (whole.start, whole.end, 2 * whole.fmin, whole.fmax, 700, 500),
        (whole.start, whole.end, whole.fmin, whole.fmax, 2400, 500),
    ]:
        reply = document.set_view(*args)
        assert document._store.state.computing == reply["requestId"]
        wait_until(lambda: document._store.state.computing == 0)
    assert document.set_display(GREY_STFT)["ok"]
    assert document._store.state.computing != 0
    wait_until(lambda: document._store.state.viewport.window_size == 320)


def _mapping(name):
    """Pids of this process and its descendants (the workers, the forkserver) that map the
    shared-memory segment `name`."""
    found = []
    for pid in [os.getpid(), *descendants(os.getpid())]:
        try:
            with open(f"/proc/{pid}/maps") as maps:
                if f"/dev/shm/{name}" in maps.read():
                    found.append(pid)
        except OSError:  # it ended while we looked
            continue
    return found


def test_opening_another_file_leaves_no_process_mapping_the_first(document, tmp_path):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    first = document._share.ref_for(document._store.state.audio).name
    document.set_view(0.5, 1.5, 100, 2000, 321, 77)
    document.snap([[0.2, 440.0], [1.8, 440.0]], 100)
    wait_until(
        lambda: document._store.state.viewport is not None and document._store.state.partials
    )
    workers = [document._viewport._slot.pid, document._snapping._queue._slot.pid]
    assert None not in workers and set(_mapping(first)) >= set(workers)  # idle, with A mapped

    document.open_path(_wav(tmp_path / "b.wav", seconds=2.0))
    wait_until(lambda: not _mapping(first), timeout=2.0)
    document.set_view(0.5, 1.5, 100, 2000, 321, 77)  # B renders on a fresh worker
    wait_until(lambda: document._store.state.viewport is not None)
    assert not _mapping(first)


@pytest.mark.parametrize(
    "args, message",
    [
        ((math.nan, 1, 100, 2000, 100, 100), "start"),
        ((0, math.inf, 100, 2000, 100, 100), "end"),
        ((-1, 1, 100, 2000, 100, 100), "start"),
        ((0, 5, 100, 2000, 100, 100), "end"),
        ((0.5, 0.5, 100, 2000, 100, 100), "at least"),
        ((0.6, 0.5, 100, 2000, 100, 100), "at least"),
        ((0, 1, 10, 2000, 100, 100), "fmin"),
        ((0, 1, 100, 5000, 100, 100), "fmax"),
        ((0, 1, 2000, 100, 100, 100), "below"),
        ((0, 1, 100, 2000, 0, 100), "width"),
        ((0, 1, 100, 2000, 100.5, 100), "whole"),
        ((0, 1, 100, 2000, 100, 10**6), "height"),
        (("0", 1, 100, 2000, 100, 100), "start"),
        ((0, 1, 100, 2000, 100, True), "height"),
    ],
)
def test_set_view_refuses_bad_values_and_changes_nothing(document, tmp_path, args, message):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    before = document._store.state
    reply = _strict_json(document.set_view(*args))
    assert reply["ok"] is False and message in reply["error"], reply
    assert document._store.state is before


def test_set_view_without_a_file(document):
    reply = document.set_view(0, 1, 100, 2000, 100, 100)
    assert reply == {"ok": False, "error": "no file is open"}


def _demo_like(path, seconds=3.0, sr=22050):
    """Two steady partials, 440 and 660 Hz, for snapping."""
    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, 0.4 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 660 * t), sr)
    return str(path)


def _snap_and_wait(document, guide, tolerance=100):
    before = len(document._store.state.partials)
    reply = document.snap(guide, tolerance)
    assert reply["ok"], reply
    wait_until(lambda: len(document._store.state.partials) > before or document._store.state.error)
    assert document._store.state.error == ""
    return document._store.state.partials[-1]


def test_file_dialogs_start_beside_the_file_then_where_the_last_one_ended(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dialogs = ScriptedDialogs(None, str(elsewhere / "take.soma.json"), None)
    session = _session(dialogs)
    document = session.document
    try:
        document.open_demo()
        document.open_dialog()  # cancelled: the demo has no folder, so the home folder
        assert dialogs.folders == [str(Path.home())]
        document.open_path(_wav(tmp_path / "a.wav"))
        assert document.save_project()["ok"]  # beside the open file
        assert document.import_partials() == {"ok": True, "cancelled": True}
        assert dialogs.folders[1:] == [str(tmp_path), str(elsewhere)]  # then where it saved
    finally:
        session.close()


def test_opened_files_and_projects_are_remembered_newest_first(tmp_path):
    dialogs = ScriptedDialogs(str(tmp_path / "take.soma.json"))
    session = _session(dialogs)
    document = session.document
    try:
        a, b = _wav(tmp_path / "a.wav"), _wav(tmp_path / "b.wav")
        document.open_path(a)
        assert document.open_demo()["state"]["recent"] == [a]  # the demo has no file
        assert document.open_path(b)["state"]["recent"] == [b, a]
        document.save_project()
        project = str(tmp_path / "take.soma.json")
        assert document.open_project(project)["state"]["recent"] == [project, b, a]
        assert load_recent() == (project, b, a)  # for the next session
        assert document.open_path(str(tmp_path / "missing.wav"))["ok"] is False
        assert document._store.state.recent == (project, b, a)
        Path(b).unlink()  # gone since: choosing it from the menu fails and drops it
        assert document.open_path(b)["ok"] is False
        assert document._store.state.recent == (project, a) == load_recent()
    finally:
        session.close()


def test_levels_start_at_the_fitted_levels_and_follow_set_levels(document, tmp_path):
    state = document.open_path(_wav(tmp_path / "a.wav"))["state"]
    overview = state["overview"]
    assert state["levels"] == overview["autoLevels"]
    assert overview["dbMin"] <= state["levels"]["floor"] < state["levels"]["ceiling"]
    reply = _strict_json(document.set_levels(overview["dbMin"] + 30, overview["dbMax"] - 10))
    assert reply["ok"] is True
    assert reply["state"]["levels"] == {
        "floor": overview["dbMin"] + 30,
        "ceiling": overview["dbMax"] - 10,
    }
    assert not document._store.state.modified  # a view setting, not an edit
    assert document._store.state.undo_stack == ()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda lo, hi: (math.nan, hi), "floor must be a finite number"),
        (lambda lo, hi: (lo, "0"), "ceiling must be a number"),
        (lambda lo, hi: (lo - 10, hi), "within"),
        (lambda lo, hi: (lo, hi + 1), "within"),
        (lambda lo, hi: (hi - 20, lo + 20), "at least 6 dB above"),
        (lambda lo, hi: (lo + 50, lo + 53), "at least 6 dB above"),
    ],
)
def test_set_levels_refuses_bad_values_and_changes_nothing(document, tmp_path, change, message):
    overview = document.open_path(_wav(tmp_path / "a.wav"))["state"]["overview"]
    before = document._store.state
    reply = _strict_json(document.set_levels(*change(overview["dbMin"], overview["dbMax"])))
    assert reply["ok"] is False and message in reply["error"], reply
    assert document._store.state is before


GREY_STFT = {
    "method": "stft",
    "windowMs": 40,
    "hopMs": None,
    "q": 24,
    "colormap": "grey",
    "frequencyScale": "log",
}
LINEAR_GREY_STFT = {**GREY_STFT, "frequencyScale": "linear"}


def test_set_display_keeps_the_settings_and_computes_the_view_again(document, tmp_path):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    document.set_view(0.5, 1.5, 100, 2000, 321, 77)
    wait_until(lambda: document._store.state.viewport is not None)
    assert document._store.state.viewport.method == "cwt"  # auto, 1 s
    reply = _strict_json(document.set_display(GREY_STFT))
    assert reply["ok"] is True and reply["state"]["display"] == GREY_STFT
    wait_until(lambda: document._store.state.viewport.method == "stft")
    image = document._store.state.viewport
    assert (image.width, image.height, image.window_size) == (321, 77, 320)  # 40 ms at 8 kHz
    assert not document._store.state.modified  # a view setting, not an edit
    # Another colour map alone computes nothing: the page recolours the bytes it has.
    wait_until(lambda: document._store.state.computing == 0)
    assert document.set_display({**GREY_STFT, "colormap": "print"})["ok"]
    assert document._store.state.computing == 0
    assert document._store.state.viewport is image
    # A linear frequency axis is another picture: computed again, with its rows so spaced.
    assert document.set_display({**GREY_STFT, "frequencyScale": "linear"})["ok"]
    wait_until(lambda: document._store.state.viewport is not image)
    assert document._store.state.viewport.to_json()["scale"] == "linear"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"q": math.nan}, "q must be a finite number"),
        ({"q": 1.0}, "Q must be between 3 and 100"),
        ({"method": "fft"}, "method must be one of auto, stft, cwt"),
        ({"colormap": "jet"}, "colour map must be one of magma, grey, print"),
        ({"frequencyScale": "mel"}, "frequency axis must be one of log, linear"),
        ({"frequencyScale": None}, "frequencyScale must be"),
        ({"windowMs": 10000}, "STFT window must be between"),
        ({"windowMs": "40"}, "windowMs must be a number"),
        ({"hopMs": 0}, "STFT hop must be between one sample"),
        ({"extra": 1}, "unknown display setting 'extra'"),
    ],
)
def test_set_display_refuses_bad_values_and_changes_nothing(document, tmp_path, change, message):
    document.open_path(_wav(tmp_path / "a.wav"))
    before = document._store.state
    reply = _strict_json(document.set_display({**GREY_STFT, **change}))
    assert reply["ok"] is False and message in reply["error"], reply
    assert "\n" not in reply["error"]
    assert document._store.state is before
    assert document.set_display([1, 2])["error"].startswith("the display settings must be")


def test_set_levels_without_a_file(document):
    reply = document.set_levels(-80, 0)
    assert reply["ok"] is False and "no file" in reply["error"]


def test_snap_undo_redo_save_and_reopen_the_project(tmp_path):
    project_file = tmp_path / "take.soma.json"
    dialogs = ScriptedDialogs(str(project_file))
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_demo_like(tmp_path / "take.wav"))
        partial = _snap_and_wait(document, [[0.5, 450.0], [2.5, 430.0]])
        freqs = partial.points[:, 1]
        assert np.nanmedian(np.abs(1200 * np.log2(freqs / 440))) < 5
        assert partial.source["guide"] == [[0.5, 450.0], [2.5, 430.0]]
        assert document._store.state.modified

        assert document.undo()["ok"] and _pulled(document)["partials"] == []
        assert document.redo()["ok"] and len(_pulled(document)["partials"]) == 1
        # Selecting changes no partial: its reply leaves them out, the page keeps its own.
        selected = document.select([partial.id])["state"]
        assert selected["selection"] == [partial.id] and "partials" not in selected
        assert selected["partialsVersion"] == document._store.state.partials_version
        served = document.get_state()["state"]["partialsData"]
        assert document.rename_partial(partial.id, "A4")["ok"]
        # The points are served for the newest partials only: the old bytes are let go.
        assert _pulled(document)["partialsData"] != served
        assert document._data.get(served.removeprefix("/data/")) is None
        ceiling = document._store.state.levels.ceiling
        assert document.set_levels(ceiling - 60, ceiling - 5)["ok"]
        assert document.set_display(LINEAR_GREY_STFT)["ok"]

        saved = document.save_project()
        assert saved["ok"], saved
        assert saved["path"] == str(project_file) and not saved["state"]["modified"]
        assert "partials" not in saved["state"]
        assert dialogs.asked == [("save", "project", "take.soma.json")]
        assert document.save_project()["ok"]  # the second save asks nothing
        assert len(dialogs.asked) == 1
    finally:
        session.close()

    reopened_session = _session()

    reopened = reopened_session.document
    try:
        state = _strict_json(reopened.open_project(str(project_file)))["state"]
        assert [p["name"] for p in _pulled(reopened)["partials"]] == ["A4"]
        assert state["file"]["name"] == "take.wav" and state["projectPath"] == str(project_file)
        assert not state["modified"]
        assert state["levels"] == {"floor": ceiling - 60, "ceiling": ceiling - 5}
        assert state["display"] == LINEAR_GREY_STFT
        np.testing.assert_allclose(reopened._store.state.partials[0].points, partial.points)
    finally:
        reopened_session.close()


def test_resnap_erase_delete_and_their_validation(document, tmp_path):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    partial = _snap_and_wait(document, [[0.5, 660.0], [2.5, 660.0]], tolerance=50)
    reply = document.resnap(partial.id, 20)
    assert reply["ok"]
    wait_until(lambda: document._store.state.partials[0].source["tolerance_cents"] == 20)
    assert [p.id for p in document._store.state.partials] == [partial.id]

    state = document.erase([{"partialId": partial.id, "start": 1.0, "end": 1.5}])["state"]
    assert "partials" not in state and len(_pulled(document)["partials"]) == 2
    ids = [p["id"] for p in _pulled(document)["partials"]]
    assert document.delete_partials(ids)["ok"] and _pulled(document)["partials"] == []
    for bad in (
        [{"partialId": 99, "start": 0, "end": 1}],
        [{"partialId": 1, "start": 2, "end": 1}],
        [{"partialId": 1, "start": math.nan, "end": 1}],
        "x",
        [3],
    ):
        assert document.erase(bad)["ok"] is False
    assert document.resnap(99, 20)["ok"] is False
    assert document.resnap(partial.id, 0)["ok"] is False
    assert document.rename_partial(partial.id, "x")["ok"] is False  # deleted


def test_resnap_after_an_erase_keeps_the_erased_stretch_erased(document, tmp_path):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    partial = _snap_and_wait(document, [[0.5, 660.0], [2.5, 660.0]], tolerance=50)
    document.erase([{"partialId": partial.id, "start": 1.0, "end": 1.5}])
    head, tail = document._store.state.partials
    assert document.resnap(head.id, 20)["ok"]
    wait_until(lambda: document._store.state.partial(head.id).source["tolerance_cents"] == 20)
    state = document._store.state
    assert [p.id for p in state.partials] == [head.id, tail.id]
    np.testing.assert_array_equal(state.partial(head.id).points[:, 0], head.points[:, 0])
    assert state.partial(tail.id).points is tail.points
    assert np.nanmedian(np.abs(1200 * np.log2(state.partial(head.id).points[:, 1] / 660))) < 5
    # and the tail, re-snapped, stays on its own side of the erased stretch
    assert document.resnap(tail.id, 20)["ok"]
    wait_until(lambda: document._store.state.partial(tail.id).source["tolerance_cents"] == 20)
    np.testing.assert_array_equal(
        document._store.state.partial(tail.id).points[:, 0], tail.points[:, 0]
    )


def test_a_resnap_result_for_a_span_erased_meanwhile_is_reported(document, tmp_path):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    partial = _snap_and_wait(document, [[0.5, 660.0], [1.0, 660.0]], tolerance=50)
    elsewhere = np.array([[2.0, 660.0, -10.0], [2.1, 660.0, -10.0]])
    # As the result of a re-snap requested before an erase took the partial's span away.
    document._snapping._snapped(
        0, document._store.state.audio, partial.id, None, None, {}, {"points": elsewhere}
    )  # 0: no pending request of that key
    assert "could not be re-snapped" in document._store.state.error
    assert document._store.state.partial(partial.id).points is partial.points


def test_a_dragged_stretch_is_snapped_where_it_is_left(document, tmp_path):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    partial = _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
    # The middle second dragged up onto the 660 Hz partial.
    guide = [[t, 650.0] for t in np.arange(1.0, 2.0001, 0.05)]
    assert _strict_json(document.move_points(partial.id, guide, 100))["ok"]
    wait_until(lambda: document._store.state.undo_stack[-1].label == "Move")
    points = document._store.state.partial(partial.id).points
    t, f = points[:, 0], points[:, 1]
    assert np.nanmedian(f[(t > 1.1) & (t < 1.9)]) == pytest.approx(660, abs=2)
    assert np.nanmedian(f[t < 0.9]) == pytest.approx(440, abs=2)
    assert np.nanmedian(f[t > 2.1]) == pytest.approx(440, abs=2)
    assert abs(t[0] - 0.5) < 0.01 and abs(t[-1] - 2.5) < 0.01
    for args, message in [
        ((99, guide, 100), "no partial 99"),
        ((partial.id, [[1.0, 440.0]], 100), "at least two"),
        ((partial.id, guide, 0), "tolerance"),
    ]:
        reply = document.move_points(*args)
        assert reply["ok"] is False and message in reply["error"], reply


def test_a_stroke_from_a_partials_end_extends_it(document, tmp_path):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    partial = _snap_and_wait(document, [[0.5, 440.0], [1.5, 440.0]])
    reply = _strict_json(document.snap([[1.5, 440.0], [2.5, 440.0]], 100, partial.id))
    assert reply["ok"], reply
    wait_until(lambda: document._store.state.undo_stack[-1].label == "Extend")
    state = document._store.state
    assert len(state.partials) == 1
    points = state.partial(partial.id).points
    assert abs(points[0, 0] - 0.5) < 0.01 and abs(points[-1, 0] - 2.5) < 0.01
    assert np.all(np.diff(points[:, 0]) > 0)
    assert np.nanmax(np.abs(1200 * np.log2(points[:, 1] / 440.0))) < 5
    reply = document.snap([[1.0, 440.0], [2.0, 440.0]], 100, 99)
    assert reply["ok"] is False and "no partial 99" in reply["error"]


@pytest.mark.parametrize(
    "guide, message",
    [
        ([[1.0, 440.0]], "at least two"),
        ([], "at least two"),
        ([[1.0, 440.0], [1.0, 450.0]], "two different times"),
        ([[1.0, math.nan], [2.0, 440.0]], "frequency"),
        ([[1.0, 440.0], [2.0, 99999.0]], "frequency"),
        ([[-1.0, 440.0], [2.0, 440.0]], "time"),
        ([[1.0, 440.0], [2.0]], "[time, frequency]"),
        ("440", "at least two"),
    ],
)
def test_a_bad_stroke_gets_a_clear_message(document, tmp_path, guide, message):
    document.open_path(_demo_like(tmp_path / "a.wav"))
    reply = _strict_json(document.snap(guide, 100))
    assert reply["ok"] is False and message in reply["error"], reply
    assert document._snapping._queue.pending == 0


def test_a_stroke_over_silence_is_reported_not_invented(document, tmp_path):
    sf.write(tmp_path / "quiet.wav", np.zeros(22050 * 2), 22050)
    document.open_path(str(tmp_path / "quiet.wav"))
    document.snap([[0.2, 440.0], [1.5, 440.0]], 100)
    wait_until(lambda: document._store.state.error)
    assert "noise" in document._store.state.error and document._store.state.partials == ()


def test_export_and_import_partials_through_the_dialogs(tmp_path):
    out = tmp_path / "partials.txt"
    damaged = tmp_path / "damaged.sdif"
    dialogs = ScriptedDialogs(str(out), str(out), str(damaged), str(damaged))
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_demo_like(tmp_path / "a.wav"))
        _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
        assert document.export_partials("spear-partials")["ok"]
        assert out.read_text().startswith("par-text-partials-format")
        state = document.import_partials()["state"]
        assert [p["id"] for p in _pulled(document)["partials"]] == [1, 2]
        assert state["undo"] == "Import"
        assert document.export_partials("mp4")["ok"] is False
        # A damaged SDIF file: one line naming it, and the document as it was.
        assert document.export_partials("sdif")["ok"]
        damaged.write_bytes(damaged.read_bytes()[:-3])
        before = document._store.state
        reply = document.import_partials()
        assert reply["ok"] is False and reply["error"].startswith(f"{damaged}: ")
        assert "truncated" in reply["error"] and "\n" not in reply["error"]
        assert document._store.state is before
    finally:
        session.close()


def test_a_malformed_project_is_reported_and_left_untouched(document, tmp_path):
    broken = tmp_path / "broken.soma.json"
    broken.write_bytes(b'{"format": "soma-project", "version": 1, "partials": [')
    reply = document.open_project(str(broken))
    assert reply["ok"] is False and "broken.soma.json" in reply["error"]
    assert broken.read_bytes() == b'{"format": "soma-project", "version": 1, "partials": ['


def test_autosaved_work_is_offered_when_the_file_is_opened_again(tmp_path):
    audio = _demo_like(tmp_path / "a.wav")
    session = _session(autosave_delay=0.05)
    document = session.document
    try:
        document.open_path(audio)
        _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
        wait_until(lambda: recovery_path(None, str(tmp_path / "a.wav")).exists())
    finally:
        session.close()
    dialogs = ScriptedDialogs(True)
    again_session = _session(dialogs)
    again = again_session.document
    try:
        state = again.open_path(audio)["state"]
        assert dialogs.asked == [("confirm", "Recover unsaved work?")]
        assert len(_pulled(again)["partials"]) == 1 and state["modified"]
    finally:
        again_session.close()


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_opening_over_unsaved_edits_asks_save_dont_save_or_cancel(tmp_path, answer):
    dialogs = ScriptedDialogs(answer, str(tmp_path / "a"))  # where Save writes the project
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        _with_partials(document, 1, 0.5)  # an edit; no autosave runs in this test
        reply = document.open_path(_wav(tmp_path / "b.wav"))
        state = document._store.state
        if answer == "cancel":
            assert dialogs.asked == [("unsaved",)]
            assert reply == {"ok": True, "cancelled": True}
            assert state.audio.name == "a.wav" and len(state.partials) == 1
        else:
            assert reply["ok"] and state.audio.name == "b.wav" and not state.partials
        if answer == "save":  # saved as a project, which Recent lists
            assert dialogs.asked == [("unsaved",), ("save", "project", "a.soma.json")]
            assert len(load_project(tmp_path / "a.soma.json").partials) == 1
            assert str(tmp_path / "a.soma.json") in state.recent
        else:  # the edit is in the recovery file, offered when a.wav opens again
            recovered = load_project(recovery_path(None, str(tmp_path / "a.wav")))
            assert len(recovered.partials) == 1
    finally:
        session.close()


def test_opening_audio_with_its_project_beside_offers_the_project(tmp_path):
    project = tone_project(tmp_path)  # tone.wav and tone.soma.json, one partial
    dialogs = ScriptedDialogs(True, False)
    session = _session(dialogs)
    document = session.document
    try:
        state = document.open_path(str(tmp_path / "tone.wav"))["state"]
        assert dialogs.asked == [("confirm", "Open the project?")]
        assert state["projectPath"] == str(project) and len(_pulled(document)["partials"]) == 1
        assert state["title"] == "tone.soma.json \u2014 Soma"
        state = document.open_path(str(tmp_path / "tone.wav"))["state"]  # No: the audio
        assert state["projectPath"] == "" and _pulled(document)["partials"] == []
        assert state["title"] == "tone.wav \u2014 Soma"
    finally:
        session.close()


def test_quit_closes_the_window_through_its_dialogs(tmp_path):
    dialogs = ScriptedDialogs()
    session = _session(dialogs)
    try:
        assert session.document.quit() == {"ok": True}
        assert dialogs.asked == [("close",)]
    finally:
        session.close()


def test_opening_over_a_saved_document_asks_nothing(tmp_path):
    dialogs = ScriptedDialogs()
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        assert document.open_demo()["ok"] and document.open_path(_wav(tmp_path / "b.wav"))["ok"]
        assert dialogs.asked == []
    finally:
        session.close()


def test_export_resynthesis_matches_the_original_partial(tmp_path):
    out = tmp_path / "partials.flac"
    session = _session(ScriptedDialogs(str(out)))
    document = session.document
    try:
        document.open_path(_demo_like(tmp_path / "a.wav"))
        partial = _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
        assert document.export_resynthesis("wav", [], [partial.id])["ok"] is False  # all muted
        assert document.export_resynthesis("mp3", [], [])["ok"] is False
        assert document.export_resynthesis("flac", [partial.id], [])["ok"]
        samples, sr = sf.read(out)
        assert sr == 22050 and abs(samples.size - 3 * sr) <= 1
        middle = samples[sr : 2 * sr]
        spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
        assert abs(np.argmax(spectrum) * sr / middle.size - 440) < 2
        assert abs(np.abs(middle).max() - 0.4) < 0.02  # the original's 440 Hz at peak 0.4
    finally:
        session.close()


def test_export_region_writes_its_stretch_band_limited_when_asked(tmp_path):
    out = tmp_path / "region.wav"
    dialogs = ScriptedDialogs(str(out), str(tmp_path / "band"), None)
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_demo_like(tmp_path / "a.wav"))
        region = {"start": 0.5, "end": 2.0, "fmin": 300.0, "fmax": 600.0}
        assert document.export_region(region, False, "wav")["path"] == str(out)
        samples, sr = sf.read(out, dtype="float32")
        assert sr == 22050 and samples.size == round(1.5 * sr)
        source, _ = sf.read(tmp_path / "a.wav", dtype="float32")
        np.testing.assert_allclose(samples, source[round(0.5 * sr) : 2 * sr], atol=1e-6)
        # Band-limited, to a name without its extension: FLAC, named so.
        assert document.export_region(region, True, "flac")["path"] == str(tmp_path / "band.flac")
        banded, _ = sf.read(tmp_path / "band.flac", dtype="float32")
        spectrum = np.abs(np.fft.rfft(banded * np.hanning(banded.size)))
        freqs = np.fft.rfftfreq(banded.size, 1 / sr)
        inside = spectrum[(freqs > 300) & (freqs < 600)].max()
        assert spectrum[(freqs < 200) | (freqs > 900)].max() < inside / 100
        assert document.export_region(region, True, "wav") == {"ok": True, "cancelled": True}
    finally:
        session.close()


@pytest.mark.parametrize(
    "region, band, fmt, message",
    [
        (None, False, "wav", "no region"),
        ({"start": 1.0, "end": 0.5, "fmin": 100, "fmax": 200}, False, "wav", "empty"),
        ({"start": 0.0, "end": 9.0, "fmin": 100, "fmax": 200}, False, "wav", "past the file"),
        ({"start": 0.0, "end": 1.0, "fmin": 300, "fmax": 200}, False, "wav", "below its fmax"),
        ({"start": 0.0, "end": 1.0, "fmin": 100, "fmax": 200}, "yes", "wav", "true or false"),
        ({"start": 0.0, "end": 1.0, "fmin": 100, "fmax": 200}, True, "mp3", "wav or flac"),
        ({"start": math.nan, "end": 1.0, "fmin": 100, "fmax": 200}, True, "wav", "start"),
    ],
)
def test_export_region_refuses_bad_arguments_and_asks_nothing(tmp_path, region, band, fmt, message):
    dialogs = ScriptedDialogs()
    session = _session(dialogs)
    try:
        session.document.open_path(_demo_like(tmp_path / "a.wav"))
        reply = _strict_json(session.document.export_region(region, band, fmt))
        assert reply["ok"] is False and message in reply["error"], reply
        assert dialogs.asked == []
    finally:
        session.close()


def _with_partials(document, count, seconds):
    """`count` steady partials across `seconds`, added straight to the document."""
    t = np.arange(0.0, seconds, 0.005)
    for k in range(count):
        points = np.stack([t, np.full(t.size, 100.0 * (k + 1)), np.full(t.size, -40.0)], 1)
        document._store.update(lambda s, p=points: editing.added(s, p, {}))


def test_export_resynthesis_adds_the_formats_extension_when_it_is_missing(tmp_path):
    session = _session(ScriptedDialogs(str(tmp_path / "take"), str(tmp_path / "b.FLAC")))
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        _with_partials(document, 1, 1.0)
        assert document.export_resynthesis("wav", [], [])["path"] == str(tmp_path / "take.wav")
        assert sf.info(tmp_path / "take.wav").format == "WAV"
        assert document.export_resynthesis("flac", [], [])["path"] == str(tmp_path / "b.FLAC")
    finally:
        session.close()


def test_export_resynthesis_that_cannot_be_written_says_so(tmp_path):
    session = _session(ScriptedDialogs(str(tmp_path / "no" / "such" / "folder" / "x.wav")))
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        _with_partials(document, 1, 1.0)
        reply = document.export_resynthesis("wav", [], [])
        assert reply["ok"] is False
        assert "the resynthesis was not written" in reply["error"], reply
        assert "x.wav" in reply["error"], reply
    finally:
        session.close()


def test_export_resynthesis_runs_in_the_worker_and_can_be_cancelled(tmp_path):
    session = _session(ScriptedDialogs(str(tmp_path / "long.wav")))
    document = session.document
    try:
        sr = 44100
        sf.write(tmp_path / "a.wav", np.zeros(120 * sr, np.float32), sr)
        document.open_path(str(tmp_path / "a.wav"))
        _with_partials(document, 100, 120.0)  # seconds of synthesis
        replies = []
        export = threading.Thread(
            target=lambda: replies.append(document.export_resynthesis("wav", [], []))
        )
        export.start()
        wait_until(
            lambda: any(
                t.done
                for t in document._progress.snapshot()
                if t.label.startswith("Resynthesising")
            )
        )
        worker = document._exports._slot.pid
        assert worker is not None and worker != os.getpid()
        task = next(
            t for t in document._progress.snapshot() if t.label.startswith("Resynthesising")
        )
        assert document.cancel_task(task.id)["ok"]
        export.join(10)
        assert replies == [{"ok": True, "cancelled": True}]
        wait_until(lambda: not alive(worker))
    finally:
        session.close()


def _png_data_url(tmp_path):
    write_png(tmp_path / "picture.png", np.full((3, 4, 3), 200, np.uint8))
    return (
        "data:image/png;base64,"
        + base64.b64encode((tmp_path / "picture.png").read_bytes()).decode()
    )


def test_export_image_writes_the_pages_picture(tmp_path):
    session = _session(ScriptedDialogs(str(tmp_path / "view")))
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        picture = _png_data_url(tmp_path)
        reply = document.export_image(picture)
        assert reply == {"ok": True, "path": str(tmp_path / "view.png")}
        assert (tmp_path / "view.png").read_bytes() == (tmp_path / "picture.png").read_bytes()
    finally:
        session.close()


def test_export_figure_writes_the_view_as_svg_and_png_at_the_size_asked(tmp_path):
    session = _session(ScriptedDialogs(str(tmp_path / "fig"), str(tmp_path / "fig")))
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        assert document.export_figure("svg", 640, 360, 1) == {
            "ok": True,
            "path": str(tmp_path / "fig.svg"),
        }
        root = ET.parse(tmp_path / "fig.svg").getroot()
        assert (root.get("width"), root.get("height")) == ("640", "360")
        assert document.export_figure("png", 640, 360, 2)["ok"] is True
        picture = QImage(str(tmp_path / "fig.png"))
        assert (picture.width(), picture.height()) == (1280, 720)
    finally:
        session.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (("jpg", 640, 360, 1), "a figure is svg or png, not jpg"),
        (("svg", 100, 360, 1), "width must be at least 200"),
        (("svg", 640, float("nan"), 1), "height must be a finite number"),
        (("png", 640, 360, 8), "resolution must be at most 4"),
    ],
)
def test_export_figure_refuses_bad_arguments_and_asks_nothing(tmp_path, args, message):
    dialogs = ScriptedDialogs()
    session = _session(dialogs)
    try:
        session.document.open_path(_wav(tmp_path / "a.wav"))
        reply = session.document.export_figure(*args)
        assert reply["ok"] is False and message in reply["error"], reply
        assert dialogs.asked == []
    finally:
        session.close()


@pytest.mark.parametrize(
    "picture, message",
    [
        (None, "picture must be a string"),
        ("data:image/jpeg;base64,AAAA", "PNG data URL"),
        ("data:image/png;base64,***", "not valid base64"),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(), "not a PNG"),
    ],
)
def test_export_image_refuses_what_is_not_a_png_and_asks_nothing(tmp_path, picture, message):
    dialogs = ScriptedDialogs()
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_wav(tmp_path / "a.wav"))
        reply = document.export_image(picture)
        assert reply["ok"] is False and message in reply["error"], reply
        assert dialogs.asked == []
    finally:
        session.close()


def test_export_image_without_a_file(document, tmp_path):
    reply = document.export_image(_png_data_url(tmp_path))
    assert reply["ok"] is False and "no file" in reply["error"]


def test_cancelling_a_running_viewport_ends_its_worker(document, tmp_path):
    sr = 22050
    sf.write(tmp_path / "long.wav", np.random.default_rng(0).standard_normal(30 * sr) * 0.1, sr)
    document.open_path(str(tmp_path / "long.wav"))
    document.set_view(0.0, 30.0, 20.0, 11025.0, 4000, 4000)  # a CWT that takes a while
    wait_until(lambda: document._viewport._slot.pid is not None)
    worker = document._viewport._slot.pid
    task = next(t for t in document._progress.snapshot() if t.cancellable and t.state == "running")
    assert document.cancel_task(task.id)["ok"]
    wait_until(lambda: not alive(worker))
    assert document._store.state.computing == 0
    assert document.cancel_task(task.id)["ok"] is False  # already ended


def test_autosave_follows_every_edit_without_breaking_the_store(tmp_path, caplog):
    from app.files.project import load_project, recovery_path

    audio = _demo_like(tmp_path / "b.wav")
    session = _session(autosave_delay=0.05)
    document = session.document
    try:
        document.open_path(audio)
        first = _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
        second = _snap_and_wait(document, [[0.5, 660.0], [2.5, 660.0]])
        document.rename_partial(first.id, "low")
        recovery = recovery_path(None, audio)
        wait_until(
            lambda: (
                recovery.exists()
                and [p.name for p in load_project(recovery).partials] == ["low", second.name]
            )
        )
        assert "listener failed" not in caplog.text
    finally:
        session.close()


def test_a_project_whose_audio_changed_opens_with_a_warning(tmp_path):
    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, audio_fingerprint, save_project

    audio = _demo_like(tmp_path / "c.wav")
    size, sha = audio_fingerprint(audio)
    project_file = tmp_path / "c.soma.json"
    points = frozen_points([[0.5, 440.0, -8.0], [0.6, 440.0, -8.0]])
    save_project(
        Project(
            audio_path=audio,
            audio_size=size,
            audio_sha256=sha,
            partials=(Partial(1, "A", "#ff0000", points),),
            next_partial_id=2,
        ),
        project_file,
    )
    session = _session()
    document = session.document
    try:
        state = document.open_project(str(project_file))["state"]
        assert state["error"] == "" and len(_pulled(document)["partials"]) == 1
        _demo_like(tmp_path / "c.wav", seconds=2.0)  # the recording is replaced
        state = document.open_project(str(project_file))["state"]
        assert "c.wav has changed since c.soma.json was saved" in state["error"]
        assert len(_pulled(document)["partials"]) == 1  # loses nothing: they are still there
    finally:
        session.close()


def test_a_damaged_recovery_file_opens_the_project_as_saved_and_says_why(tmp_path):
    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, save_project

    audio = tmp_path / "a.wav"
    _wav(audio)
    project_path = tmp_path / "a.soma.json"
    partial = Partial(1, "kept", "#4cc9f0", frozen_points([[0.1, 440, -6], [0.5, 440, -6]]))
    save_project(
        Project(audio_path=str(audio), partials=(partial,), next_partial_id=2), project_path
    )
    recovery = recovery_path(str(project_path), None)
    recovery.parent.mkdir(parents=True, exist_ok=True)
    recovery.write_bytes(b'{"format": "soma-project", "vers')  # killed while autosaving
    later = os.stat(project_path).st_mtime_ns + 2_000_000_000
    os.utime(recovery, ns=(later, later))
    dialogs = ScriptedDialogs(True)
    session = _session(dialogs)
    document = session.document
    try:
        reply = _strict_json(document.open_project(str(project_path)))
        assert dialogs.asked == [("confirm", "Recover unsaved work?")]
        assert reply["ok"], reply
        state = reply["state"]
        assert [p["name"] for p in _pulled(document)["partials"]] == ["kept"]
        assert not state["modified"]
        assert "autosaved changes could not be read" in state["error"]
        assert recovery.name in state["error"]
    finally:
        session.close()


def test_a_dev_mode_restore_never_shows_the_file_without_its_saved_view(document, tmp_path):
    # The page adopts the view of the first state of a new file and then sends it back: had
    # the reopened file been published with its full view first, a loaded machine's page
    # would put that full view over the restored one.
    path = _wav(tmp_path / "a.wav", seconds=2.0)
    view = {"start": 0.5, "end": 1.5, "fmin": 100.0, "fmax": 2000.0}
    saved = saved_state._decode(
        {
            "schema": saved_state.SCHEMA,
            "audio": str(path),
            "hasAudio": True,
            "projectPath": "",
            "view": view,
            "levels": None,
            "partials": [],
            "nextPartialId": 1,
            "selection": [],
            "undo": [],
            "redo": [],
            "modified": False,
            "window": None,
            "snaps": [],
        }
    )
    published = []
    document._store.subscribe(published.append)
    assert _restore(document, document._snapping, saved)["ok"]
    views = [state.view.to_json() for state in published if state.audio is not None]
    assert views and all(shown == view for shown in views), views


def test_every_export_suggests_the_files_stem_with_its_formats_ending(tmp_path):
    # Typed without an extension, each name gets its format's: the save dialog (pywebview's
    # Qt one) reports no chosen filter to take it from.
    formats = ("csv", "json", "spear-partials", "spear-frames", "sdif")
    dialogs = ScriptedDialogs(*(str(tmp_path / f"out-{fmt}") for fmt in formats))
    session = _session(dialogs)
    document = session.document
    try:
        document.open_path(_demo_like(tmp_path / "take.wav"))
        _snap_and_wait(document, [[0.5, 440.0], [2.5, 440.0]])
        written = [document.export_partials(fmt)["path"] for fmt in formats]
    finally:
        session.close()
    assert [question[2] for question in dialogs.asked] == [
        "take.csv",
        "take.json",
        "take-partials.txt",
        "take-frames.txt",
        "take.sdif",
    ]
    assert written == [
        str(tmp_path / name)
        for name in (
            "out-csv.csv",
            "out-json.json",
            "out-spear-partials.txt",
            "out-spear-frames.txt",
            "out-sdif.sdif",
        )
    ]
    assert Path(written[3]).read_text().startswith("par-text-frame-format")
    assert b"source\ttake.wav\n" in Path(written[4]).read_bytes()

"""SomaDocument, the js_api object, called as pywebview calls it: method(*args) on any thread."""
import json
import math
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from app.bridge import SomaDocument
from app.server import DataStore
from app.shared_audio import AudioShare
from app.snapping import SnapService
from app.store import DocumentStore
from app.viewport import ViewportService


def _document(choose_file=None):
    store, data, share = DocumentStore(), DataStore(), AudioShare()
    return SomaDocument(store, data, share, ViewportService(store, data, share),
                        SnapService(store, share), choose_file)


def _close(document):
    document._viewport.close()
    document._snapping.close()
    document._share.close()


@pytest.fixture
def document():
    document = _document()
    yield document
    _close(document)


def _strict_json(reply):
    json.dumps(reply, allow_nan=False)
    return reply


def _wav(path, seconds=1.0, sr=8000):
    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, 0.5 * np.sin(2 * np.pi * 440 * t), sr)
    return str(path)


def test_public_attributes_are_only_the_user_actions(document):
    public = sorted(name for name in dir(document) if not name.startswith("_"))
    assert public == ["delete_partials", "dismiss_error", "erase", "get_state", "open_demo",
                      "open_dialog", "open_path", "recolor_partial", "redo", "rename_partial",
                      "resnap", "select", "set_view", "snap", "undo"]


def test_open_path_opens_and_serves_the_overview(document, tmp_path):
    reply = _strict_json(document.open_path(_wav(tmp_path / "a.wav")))
    assert reply["ok"] is True
    state = reply["state"]
    assert state["file"]["name"] == "a.wav" and state["file"]["sampleRate"] == 8000
    assert state["view"] == {"start": 0.0, "end": 1.0, "fmin": 20.0, "fmax": 4000.0}
    overview = state["overview"]
    payload, _ = document._data.get(overview["key"])
    assert len(payload) == overview["width"] * overview["height"]
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


def test_open_demo(document):
    state = _strict_json(document.open_demo())["state"]
    assert state["file"]["name"] == "Demo recording" and state["file"]["duration"] > 15


def test_dialog_cancel_and_choice(tmp_path):
    chosen = []
    document = _document(choose_file=lambda: chosen.pop())
    try:
        chosen.append(None)
        assert document.open_dialog()["cancelled"] is True
        chosen.append(_wav(tmp_path / "picked.wav"))
        assert document.open_dialog()["state"]["file"]["name"] == "picked.wav"
    finally:
        _close(document)


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


def _wait(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_set_view_publishes_the_view_and_the_worker_computes_its_image(document, tmp_path):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    reply = _strict_json(document.set_view(0.5, 1.5, 100, 2000, 321, 77))
    assert reply["ok"] is True
    state = document._store.state
    assert (state.view.start, state.view.end, state.view.fmin, state.view.fmax) == (
        0.5, 1.5, 100.0, 2000.0)
    assert state.computing == reply["requestId"]
    _wait(lambda: document._store.state.viewport is not None)
    image = document._store.state.viewport
    assert (image.width, image.height, image.method) == (321, 77, "cwt")
    assert image.view == state.view and document._store.state.computing == 0
    payload, _ = document._data.get(image.key)
    levels = np.frombuffer(payload, np.uint8).reshape(77, 321)
    # the 440 Hz sine is the brightest row
    rows = np.geomspace(100, 2000, 77)
    assert abs(int(np.argmax(levels.mean(axis=1))) - int(np.argmin(abs(np.log(rows / 440))))) <= 1


@pytest.mark.parametrize("args, message", [
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
    ((0, 1, 100, 2000, 100, 10 ** 6), "height"),
    (("0", 1, 100, 2000, 100, 100), "start"),
    ((0, 1, 100, 2000, 100, True), "height"),
])
def test_set_view_refuses_bad_values_and_changes_nothing(document, tmp_path, args, message):
    document.open_path(_wav(tmp_path / "a.wav", seconds=2.0))
    before = document._store.state
    reply = _strict_json(document.set_view(*args))
    assert reply["ok"] is False and message in reply["error"], reply
    assert document._store.state is before


def test_set_view_without_a_file(document):
    reply = document.set_view(0, 1, 100, 2000, 100, 100)
    assert reply == {"ok": False, "error": "no file is open"}

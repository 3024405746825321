"""SomaDocument, the js_api object, called as pywebview calls it: method(*args) on any thread."""
import json
import math
import threading

import numpy as np
import pytest
import soundfile as sf

from app.bridge import SomaDocument
from app.server import DataStore
from app.store import DocumentStore


@pytest.fixture
def document():
    return SomaDocument(DocumentStore(), DataStore())


def _strict_json(reply):
    json.dumps(reply, allow_nan=False)
    return reply


def _wav(path, seconds=1.0, sr=8000):
    t = np.arange(int(seconds * sr)) / sr
    sf.write(path, 0.5 * np.sin(2 * np.pi * 440 * t), sr)
    return str(path)


def test_public_attributes_are_only_the_user_actions(document):
    public = sorted(name for name in dir(document) if not name.startswith("_"))
    assert public == ["dismiss_error", "get_state", "open_demo", "open_dialog", "open_path"]


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
    document = SomaDocument(DocumentStore(), DataStore(), choose_file=lambda: chosen.pop())
    chosen.append(None)
    assert document.open_dialog()["cancelled"] is True
    chosen.append(_wav(tmp_path / "picked.wav"))
    assert document.open_dialog()["state"]["file"]["name"] == "picked.wav"


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

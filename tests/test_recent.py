"""The recent files list: newest first, once each, capped, kept across sessions."""

import os

import pytest

from app.files.recent import MAX_RECENT, load_recent, recent_path, remember


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _files(tmp_path, count):
    paths = []
    for k in range(count):
        path = tmp_path / f"take{k}.wav"
        path.write_bytes(b"x")
        paths.append(str(path))
    return paths


def test_newest_first_once_each_and_kept_for_the_next_session(tmp_path):
    a, b = _files(tmp_path, 2)
    recent = remember(a, ())
    recent = remember(b, recent)
    recent = remember(a, recent)  # again: it moves to the front, it is not listed twice
    assert recent == (a, b)
    assert load_recent() == (a, b)


def test_the_list_is_capped(tmp_path):
    recent = ()
    for path in _files(tmp_path, MAX_RECENT + 3):
        recent = remember(path, recent)
    assert len(recent) == MAX_RECENT and recent[0].endswith(f"take{MAX_RECENT + 2}.wav")


def test_relative_paths_are_made_absolute(tmp_path, monkeypatch):
    _files(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    assert remember("take0.wav", ()) == (str(tmp_path / "take0.wav"),)


def test_files_that_have_gone_are_dropped_when_read(tmp_path):
    a, b = _files(tmp_path, 2)
    remember(b, remember(a, ()))
    (tmp_path / "take1.wav").unlink()
    assert load_recent() == (a,)


@pytest.mark.parametrize("text", ["{not json", '{"a": 1}', "[1, null]"])
def test_a_list_that_cannot_be_read_is_ignored(text):
    recent_path().parent.mkdir(parents=True)
    recent_path().write_text(text)
    assert load_recent() == ()


def test_a_list_that_cannot_be_written_leaves_the_one_in_memory_right(tmp_path, caplog):
    (a,) = _files(tmp_path, 1)
    recent_path().parent.mkdir(parents=True)
    recent_path().mkdir()  # a folder where the file should be: the write fails
    assert remember(a, ()) == (a,)
    assert "cannot write the recent files list" in caplog.text


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: path.write_text("[" * 5000 + "]" * 5000), id="deep"),
        pytest.param(os.mkfifo, id="fifo"),
        pytest.param(lambda path: path.symlink_to("/dev/zero"), id="device"),
        pytest.param(lambda path: path.write_bytes(b'["\xff\xfe"]'), id="not utf-8"),
    ],
)
def test_a_list_that_cannot_be_read_is_logged_and_start_up_goes_on(make, caplog):
    from special_files import outcome_without_blocking

    recent_path().parent.mkdir(parents=True)
    make(recent_path())
    assert outcome_without_blocking(recent_path(), load_recent) == ()
    assert "ignoring the recent files list" in caplog.text

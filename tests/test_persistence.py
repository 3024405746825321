"""Levels saved in a project come back only when they still fit the file's images; the
autosave writes what is pending when it is closed."""

import time

import numpy as np
import pytest

from app.document import editing
from app.document.audio_file import AudioFile
from app.document.state import Image, Levels, View
from app.document.store import DocumentStore
from app.files.persistence import Autosaver, levels_problem, levels_that_fit
from app.files.project import Project, load_project, recovery_path

IMAGE = Image(
    key="overview-1",
    width=10,
    height=10,
    db_min=-100.0,
    db_max=0.0,
    view=View(0.0, 1.0, 20.0, 4000.0),
    method="stft",
    window_size=1024,
    seconds=0.1,
)


def test_levels_within_the_images_range_come_back():
    project = Project(settings={"levels": {"floor": -70, "ceiling": -10.5}})
    assert levels_that_fit(project.settings.get("levels"), IMAGE) == Levels(-70.0, -10.5)


@pytest.mark.parametrize(
    "settings",
    [
        {},  # an older project: no levels
        {"levels": None},
        {"levels": [-70, -10]},
        {"levels": {"floor": "-70", "ceiling": -10}},
        {"levels": {"floor": True, "ceiling": -10}},
        {"levels": {"floor": -70}},
        {"levels": {"floor": -120, "ceiling": -10}},  # the file changed: out of its range
        {"levels": {"floor": -70, "ceiling": 5}},
        {"levels": {"floor": -10, "ceiling": -70}},
        {"levels": {"floor": -12, "ceiling": -10}},  # narrower than 6 dB
        {"levels": {"floor": float("nan"), "ceiling": -10}},
    ],
)
def test_levels_that_do_not_fit_are_dropped_for_the_files_own(settings):
    assert levels_that_fit(Project(settings=settings).settings.get("levels"), IMAGE) is None


def test_levels_problem_names_what_is_wrong():
    assert levels_problem(-70, -10, IMAGE) == ""
    assert "within -100 to 0 dB" in levels_problem(-110, -10, IMAGE)
    assert "at least 6 dB above" in levels_problem(-10, -12, IMAGE)


def _silence(path) -> AudioFile:
    """A second of silence as if opened from `path` (the file itself is not read)."""
    return AudioFile(
        samples=np.zeros(8000, np.float32),
        sample_rate=8000,
        channels=1,
        frames=8000,
        path=str(path),
        name=path.name,
        format="WAV",
        subtype="PCM_16",
    )


def test_closing_the_autosave_writes_an_edit_still_waiting_for_its_delay(tmp_path):
    store = DocumentStore()
    store.update(lambda s: s.opened(_silence(tmp_path / "a.wav"), IMAGE))
    saver = Autosaver(store, delay=60.0)
    points = np.array([[0.1, 440.0, -20.0], [0.2, 440.0, -20.0]])
    store.update(lambda s: editing.added(s, points, {}))
    target = recovery_path(None, str(tmp_path / "a.wav"))
    assert not target.exists()  # the delay has not run out
    saver.close()
    assert len(load_project(target).partials) == 1


def _until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_undoing_the_edits_removes_the_recovery_file_the_autosave_wrote(tmp_path):
    audio_path = tmp_path / "a.wav"
    target = recovery_path(None, str(audio_path))
    # A recovery file from before this document was opened (the user declined it): kept.
    store = DocumentStore()
    store.update(lambda s: s.opened(_silence(audio_path), IMAGE))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("an earlier session's edits")
    saver = Autosaver(store, delay=0.01)
    store.update(lambda s: s.restored((), 1, None, "", False))  # partials anew, unmodified
    saver.close()
    assert target.read_text() == "an earlier session's edits"

    saver = Autosaver(store, delay=0.01)
    points = np.array([[0.1, 440.0, -20.0], [0.2, 440.0, -20.0]])
    store.update(lambda s: editing.added(s, points, {}))
    _until(lambda: target.read_text() != "an earlier session's edits")
    assert len(load_project(target).partials) == 1
    store.update(lambda s: s.undone())  # back to the file as opened: nothing to recover
    _until(lambda: not target.exists())
    store.update(lambda s: s.redone())
    _until(lambda: target.exists())
    saver.close()
    assert len(load_project(target).partials) == 1

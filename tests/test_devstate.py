"""Dev mode's state file (app.dev.saved_state): what is saved comes back, and a file the code cannot
read is one DevStateError, never a crash at every restart."""

import json

import numpy as np
import pytest

from app.base.devchild import STATE_ENV, write_dev_state
from app.compute.snapping import PendingSnap
from app.dev import saved_state
from app.document.display import Display, display_from_json
from app.document.partials import Partial, frozen_points
from app.document.state import DocumentState, Edit


@pytest.fixture
def state_file(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    monkeypatch.setenv(STATE_ENV, str(path))
    return path


def _partial(partial_id):
    return Partial(
        partial_id,
        f"Partial {partial_id}",
        "#ff8800",
        frozen_points(np.array([[1.0, 440.0, -20.0], [1.1, np.nan, np.nan]])),
        {"guide": [[1.0, 440.0], [1.1, 441.0]]},
    )


def _saved(tmp_path, **changes):
    """A state file's content as capture() writes it, with `changes`."""
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"")  # only its existence is checked here
    edit = Edit((_partial(1),), 2, "Snap")
    state = DocumentState(
        display=Display(
            method="stft", window_ms=50.0, q=20.0, colormap="print", frequency_scale="linear"
        ),
        partials=(_partial(1), _partial(2)),
        next_partial_id=3,
        selection=(2,),
        undo_stack=(edit,),
        saved_partials=None,  # edits never saved
    )
    snap = PendingSnap(((2.0, 300.0), (2.5, 310.0)), 50.0, None, 0.005)
    data = saved_state.capture(state, (snap,), {"x": -5, "y": 6, "width": 900, "height": 700})
    data["audio"], data["hasAudio"] = str(audio), True
    data.update(changes)
    return data


def test_what_is_captured_loads_back(state_file, tmp_path):
    write_dev_state(_saved(tmp_path))
    saved = saved_state.load()
    assert [p.id for p in saved.partials] == [1, 2] and saved.next_partial_id == 3
    np.testing.assert_array_equal(saved.partials[0].points, _partial(1).points)
    assert saved.selection == (2,) and saved.modified is True
    (undone,) = saved.undo
    assert (undone.label, undone.next_partial_id, [p.id for p in undone.partials]) == (
        "Snap",
        2,
        [1],
    ) and saved.redo == ()
    assert saved.window == {"x": -5, "y": 6, "width": 900, "height": 700}
    assert saved.snaps == (PendingSnap(((2.0, 300.0), (2.5, 310.0)), 50.0, None, 0.005),)
    assert display_from_json(saved.display) == Display("stft", 50.0, None, 20.0, "print", "linear")


def test_a_first_start_has_nothing_to_load(state_file):
    assert saved_state.load() is None


@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"schema": 1, ', "cannot be read"),
        (b"\xff\xfe not utf-8", "cannot be read"),
        (b"[1, 2]", "must be an object"),
    ],
)
def test_a_file_that_does_not_parse_is_refused(state_file, content, problem):
    state_file.write_bytes(content)
    with pytest.raises(saved_state.DevStateError, match=problem):
        saved_state.load()


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"schema": 2}, "schema 2, this code reads 1"),
        ({"schema": None}, "schema None"),
        ({"partials": None}, "partials must be a list"),
        ({"partials": [{"id": "one"}]}, "has no 'name'"),
        ({"nextPartialId": "3"}, "nextPartialId must be an integer"),
        ({"modified": "yes"}, "modified must be true or false"),
        ({"view": {"start": 2, "end": 1, "fmin": 20, "fmax": 50}}, "start < end"),
        ({"levels": {"floor": "low", "ceiling": 0}}, "levels floor must be a number"),
        ({"display": ["stft"]}, "display must be an object"),
        ({"window": {"width": 1.5}}, "window width must be an integer"),
        ({"window": {"width": 0, "height": 700}}, "window width must be at least 1"),
        ({"undo": [{"label": "Snap", "next": 2}]}, "undo\\[0\\] partials must be a list"),
        ({"snaps": [{"guide": [[1, 2]], "toleranceCents": 50, "hop": 0.01}]}, "two points"),
        (
            {"snaps": [{"guide": [[1, 2], [3]], "toleranceCents": 50, "hop": 0.01}]},
            "must be \\[time, frequency\\]",
        ),
    ],
)
def test_a_field_of_the_wrong_type_is_refused(state_file, tmp_path, changes, problem):
    write_dev_state(_saved(tmp_path, **changes))
    with pytest.raises(saved_state.DevStateError, match=problem):
        saved_state.load()


def test_a_missing_field_or_audio_file_is_refused(state_file, tmp_path):
    data = _saved(tmp_path)
    del data["selection"], data["snaps"]
    write_dev_state(data)
    with pytest.raises(saved_state.DevStateError, match="no selection, snaps"):
        saved_state.load()
    write_dev_state(_saved(tmp_path, audio=str(tmp_path / "gone.wav")))
    with pytest.raises(saved_state.DevStateError, match=r"gone\.wav no longer exists"):
        saved_state.load()
    assert json.loads(state_file.read_text())["audio"].endswith("gone.wav")  # never rewritten

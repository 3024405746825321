"""Automatic tracking through the bridge: real worker processes, the partials in one undo step,
how they were made saved with the project and kept by dev mode, cancel, silence, bad input."""

import json
import threading

import numpy as np
import pytest
import soundfile as sf
from waiting import wait_until

from app.base.devchild import STATE_ENV, write_dev_state
from app.dev import saved_state
from app.files.project import load_project
from app.shell.session import Session

SR = 22050
SETTINGS = {"thresholdDb": 18, "minDurationMs": 50, "maxPartials": None}


def _harmonic_tone(path, seconds=3.0, f0=220.0, count=5):
    t = np.arange(round(seconds * SR)) / SR
    tone = sum(0.2 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, count + 1))
    noise = np.random.default_rng(1).normal(0, 1e-3, t.size)
    sf.write(path, (tone + noise).astype(np.float32), SR)
    return str(path)


@pytest.fixture
def session():
    session = Session(autosave_delay=None)
    yield session
    session.close()


def test_a_region_is_tracked_into_partials_in_one_undo_step(session, tmp_path):
    document = session.document
    document.open_path(_harmonic_tone(tmp_path / "tone.wav"))
    region = {"start": 1.0, "end": 2.0, "fmin": 300.0, "fmax": 700.0}
    reply = document.track(region, SETTINGS)
    assert reply["ok"] and reply["count"] == 2, reply
    state = session.store.state
    medians = sorted(round(float(np.median(p.points[:, 1]))) for p in state.partials)
    assert medians == [440, 660]  # the harmonics inside the rectangle, no others
    for partial in state.partials:
        assert 1.0 <= partial.points[0, 0] and partial.points[-1, 0] <= 2.0
        assert partial.source == {
            "method": "track",
            "version": 1,
            "settings": {
                "threshold_db": 18.0,
                "min_duration": 0.05,
                "max_partials": None,
                "fmin": 300.0,
                "fmax": 700.0,
            },
            "region": region,
        }
    assert state.selection == (1, 2) and state.undo_stack[-1].label == "Track"
    assert len(state.undo_stack) == 1
    assert document.undo()["ok"] and session.store.state.partials == ()
    assert document.redo()["ok"] and len(session.store.state.partials) == 2

    # The whole file, keeping the strongest three; how they were made survives a save ...
    whole = document.track(None, {**SETTINGS, "maxPartials": 3})
    assert whole["count"] == 3
    tracked = session.store.state.partials[2:]
    assert {p.source["region"] for p in tracked} == {None}
    project = tmp_path / "tone.soma.json"
    session.document._save(str(project))
    assert [p.source for p in load_project(project).partials] == [
        p.source for p in session.store.state.partials
    ]
    # ... and a dev-mode restart.
    capture = saved_state.capture(session.store.state, (), None)
    state_file = tmp_path / "dev-state.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_ENV, str(state_file))
        write_dev_state(json.loads(json.dumps(capture)))
        restored = saved_state.load()
    assert [p.source for p in restored.partials] == [p.source for p in session.store.state.partials]


def test_silence_gives_no_partials_and_says_so(session, tmp_path):
    sf.write(tmp_path / "quiet.wav", np.zeros(SR, np.float32), SR)
    session.document.open_path(str(tmp_path / "quiet.wav"))
    reply = session.document.track(None, SETTINGS)
    assert reply["ok"] and reply["count"] == 0
    assert reply["message"] == "No partials were found in all of quiet.wav."
    assert session.store.state.partials == () and session.store.state.undo_stack == ()
    assert session.store.state.error == ""


def test_cancelling_a_track_leaves_the_document_as_it_was(session, tmp_path):
    document = session.document
    document.open_path(_harmonic_tone(tmp_path / "long.wav", seconds=240.0))
    before = session.store.state
    replies = []
    tracking = threading.Thread(target=lambda: replies.append(document.track(None, SETTINGS)))
    tracking.start()
    wait_until(
        lambda: any(t.done for t in session.progress.snapshot() if t.label.startswith("Tracking"))
    )
    worker = session.snaps._slot.pid
    task = next(t for t in session.progress.snapshot() if t.label.startswith("Tracking"))
    assert task.label == "Tracking all of long.wav"
    assert document.cancel_task(task.id)["ok"]
    tracking.join(30)
    assert replies == [{"ok": True, "cancelled": True, "state": before.to_json()}]
    assert session.store.state is before
    wait_until(lambda: session.snaps._slot.pid != worker)  # that worker was ended


def test_a_file_opened_while_tracking_cancels_the_track(session, tmp_path):
    document = session.document
    document.open_path(_harmonic_tone(tmp_path / "long.wav", seconds=240.0))
    replies = []
    tracking = threading.Thread(target=lambda: replies.append(document.track(None, SETTINGS)))
    tracking.start()
    wait_until(
        lambda: any(t.done for t in session.progress.snapshot() if t.label.startswith("Tracking"))
    )
    assert document.open_path(_harmonic_tone(tmp_path / "short.wav", seconds=1.0))["ok"]
    tracking.join(30)
    assert replies[0]["ok"] and replies[0]["cancelled"]
    state = session.store.state
    assert state.audio.name == "short.wav" and state.partials == () and state.undo_stack == ()


@pytest.mark.parametrize(
    ("region", "settings", "message"),
    [
        ({"start": 1.0, "end": 1.0, "fmin": 100, "fmax": 900}, SETTINGS, "the region is empty"),
        ({"start": 2.0, "end": 1.0, "fmin": 100, "fmax": 900}, SETTINGS, "the region is empty"),
        ({"start": 5.0, "end": 6.0, "fmin": 100, "fmax": 900}, SETTINGS, "lies outside the file"),
        ({"start": -1.0, "end": 1.0, "fmin": 100, "fmax": 900}, SETTINGS, "runs past the file"),
        ({"start": 1.0, "end": 1.5, "fmin": 900, "fmax": 100}, SETTINGS, "must be below its fmax"),
        ({"start": 1.0, "end": 1.5, "fmin": 500, "fmax": 500}, SETTINGS, "must be below its fmax"),
        ({"start": 1.0, "end": 1.5, "fmin": 1, "fmax": 500}, SETTINGS, "must lie within 20"),
        ({"start": float("nan"), "end": 1, "fmin": 1, "fmax": 5}, SETTINGS, "must be a finite"),
        ({"start": 1.0, "end": 1.5, "fmin": 100}, SETTINGS, "the region has no fmax"),
        ([1, 2, 3, 4], SETTINGS, "the region must be {start, end, fmin, fmax}"),
        (None, {**SETTINGS, "thresholdDb": float("nan")}, "the threshold must be a finite"),
        (None, {**SETTINGS, "thresholdDb": -3}, "the threshold must be at least 0"),
        (None, {**SETTINGS, "maxPartials": 2.5}, "the most partials must be a whole number"),
        (None, {**SETTINGS, "maxPartials": 0}, "the most partials must be at least 1"),
        (None, {"thresholdDb": 18}, "the track settings has no minDurationMs"),
    ],
)
def test_bad_track_arguments_get_one_line_and_change_nothing(
    session, tmp_path, region, settings, message
):
    session.document.open_path(_harmonic_tone(tmp_path / "tone.wav", seconds=3.0))
    before = session.store.state
    reply = session.document.track(region, settings)
    assert not reply["ok"] and message in reply["error"] and "\n" not in reply["error"]
    assert session.store.state is before
    assert not any(t.label.startswith("Tracking") for t in session.progress.snapshot())


def test_join_split_and_prune_through_the_bridge(session, tmp_path):
    document = session.document
    document.open_path(_harmonic_tone(tmp_path / "tone.wav", seconds=3.0))
    assert document.track(None, SETTINGS)["count"] == 5
    first = session.store.state.partials[0]
    assert document.split_partial(first.id, 1.5)["ok"]
    head, tail = session.store.state.partials[:2]
    assert head.points[-1, 0] < 1.5 <= tail.points[0, 0]
    assert document.join_partials([tail.id, head.id])["ok"]
    assert np.array_equal(session.store.state.partials[0].points, first.points)
    assert "overlap in time" in document.join_partials([1, 2])["error"]
    assert "fewer than two points" in document.split_partial(1, 99.0)["error"]
    assert "must be a finite" in document.split_partial(1, float("inf"))["error"]
    none = document.prune_partials(None, 50, -100)
    assert none["count"] == 0 and none["message"].startswith("No partial is shorter than 50 ms")
    # 0.2/k amplitude: harmonics 4 and 5 peak at -26 and -28 dBFS.
    pruned = document.prune_partials(None, 50, -25)
    assert pruned["ok"] and pruned["count"] == 2 and len(session.store.state.partials) == 3
    assert "must be a finite" in document.prune_partials(None, float("nan"), -25)["error"]
    assert "ids must be a list" in document.prune_partials("all", 50, -25)["error"]


def test_the_harmonics_of_a_traced_partial_in_one_undo_step(session, tmp_path):
    document = session.document
    document.open_path(_harmonic_tone(tmp_path / "tone.wav", seconds=3.0))
    assert document.snap([[0.5, 225.0], [2.5, 225.0]], 100)["ok"]
    wait_until(lambda: session.store.state.partials or session.store.state.error)
    fundamental = session.store.state.partials[0]
    before = session.store.state
    reply = document.find_harmonics(fundamental.id, 5)
    assert reply["ok"] and reply["count"] == 4, reply
    found = session.store.state.partials[1:]
    assert [p.name for p in found] == ["H2", "H3", "H4", "H5"]
    medians = [float(np.nanmedian(p.points[:, 1])) for p in found]
    assert np.allclose(medians, [440, 660, 880, 1100], rtol=0.01), medians
    assert found[0].source["method"] == "harmonics" and found[0].source["harmonic"] == 2
    assert found[0].source["fundamental"] == {"id": fundamental.id, "name": fundamental.name}
    assert session.store.state.undo_stack[-1].label == "Harmonics"
    assert document.undo()["ok"] and session.store.state.partials == before.partials

    for args, message in [
        ((99, None), "there is no partial 99"),
        ((fundamental.id, 1), "the highest harmonic must be at least 2"),
        ((fundamental.id, float("nan")), "the highest harmonic must be a finite"),
        (("one", None), "partial id must be a number"),
    ]:
        refused = document.find_harmonics(*args)
        assert not refused["ok"] and message in refused["error"], refused
    assert session.store.state.partials == before.partials

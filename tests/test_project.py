"""The .soma.json project file: round trips, atomic saves, validation, fuzzing, recovery."""

import base64
import hashlib
import json
import math
import os
import shutil

import numpy as np
import pytest

from app.document.partials import Partial, frozen_points, points_from_base64
from app.files import project as project_module
from app.files.project import (
    MAX_PROJECT_BYTES,
    SCHEMA_VERSION,
    Project,
    ProjectError,
    audio_fingerprint,
    load_project,
    recovery_newer_than,
    recovery_path,
    save_project,
    write_recovery,
)

NAN = math.nan


def sample_project(audio_path=None, **changes) -> Project:
    partials = (
        Partial(
            1,
            "Partial 1",
            "#4cc9f0",
            frozen_points(
                [[0.0, 440.0, -12.5], [0.01, NAN, NAN], [0.02, 441.5, -13.25], [0.03, 442.0, -60.0]]
            ),
            {"guide": [[0.0, 440.0], [0.03, 442.0]], "hop": 0.01, "tolerance_cents": 50},
        ),
        Partial(
            4,
            "fundamental \u00e9\u00e8",
            "#F72585",
            frozen_points([[1.0, 220.0, -3.0], [1.5, 221.0, -4.0]]),
            {},
        ),
    )
    values = dict(
        audio_path=audio_path,
        audio_size=None,
        audio_sha256=None,
        view={"start": 0.0, "end": 2.5, "fmin": 20.0, "fmax": 8000.0},
        settings={"q": 12, "nested": {"a": [1, 2]}},
        partials=partials,
        next_partial_id=7,
    )
    values.update(changes)
    return Project(**values)


def assert_same_partials(a, b):
    assert len(a) == len(b)
    for p, q in zip(a, b, strict=True):
        assert (p.id, p.name, p.color, p.source) == (q.id, q.name, q.color, q.source)
        np.testing.assert_array_equal(p.points, q.points)  # NaN equal to NaN here
        assert not q.points.flags.writeable and q.points.dtype == np.float64


def temp_files(folder):
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_round_trip_keeps_everything(tmp_path):
    audio = tmp_path / "sounds" / "a.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"RIFF" + bytes(1000))
    size, digest = audio_fingerprint(audio)
    original = sample_project(str(audio), audio_size=size, audio_sha256=digest)
    path = tmp_path / "song.soma.json"
    save_project(original, path)
    loaded = load_project(path)
    assert loaded.audio_path == str(audio)
    assert (loaded.audio_size, loaded.audio_sha256) == (size, digest)
    assert loaded.view == original.view and loaded.settings == original.settings
    assert loaded.next_partial_id == 7
    assert_same_partials(original.partials, loaded.partials)
    assert np.isnan(loaded.partials[0].points[1, 1:]).all()
    text = path.read_text("utf-8")
    assert "NaN" not in text and "Infinity" not in text
    document = json.loads(text)
    assert document["format"] == "soma-project" and document["version"] == SCHEMA_VERSION
    assert document["audio"]["path"] == "sounds/a.wav"
    # The points as base64 of the float64 rows, to the bit (NaN for the gap).
    written = points_from_base64(document["partials"][0]["points"])
    np.testing.assert_array_equal(written, original.partials[0].points)


def test_project_and_audio_moved_together_use_the_relative_path(tmp_path):
    old = tmp_path / "old"
    (old / "sounds").mkdir(parents=True)
    (old / "sounds" / "a.wav").write_bytes(b"abc")
    save_project(sample_project(str(old / "sounds" / "a.wav")), old / "p.soma.json")
    new = tmp_path / "elsewhere" / "new"
    new.parent.mkdir()
    shutil.move(str(old), str(new))
    loaded = load_project(new / "p.soma.json")
    assert loaded.audio_path == str(new / "sounds" / "a.wav")


def test_project_moved_alone_falls_back_to_the_absolute_path(tmp_path):
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"abc")
    (tmp_path / "one").mkdir()
    save_project(sample_project(str(audio)), tmp_path / "one" / "p.soma.json")
    (tmp_path / "two" / "deeper").mkdir(parents=True)
    moved = tmp_path / "two" / "deeper" / "p.soma.json"
    shutil.move(str(tmp_path / "one" / "p.soma.json"), str(moved))
    assert load_project(moved).audio_path == str(audio)


def test_missing_audio_reports_the_relative_location(tmp_path):
    save_project(sample_project(str(tmp_path / "gone.wav")), tmp_path / "p.soma.json")
    assert load_project(tmp_path / "p.soma.json").audio_path == str(tmp_path / "gone.wav")


def test_project_without_audio_or_view(tmp_path):
    path = tmp_path / "p.soma.json"
    save_project(Project(), path)
    loaded = load_project(path)
    assert loaded == Project()


def test_audio_fingerprint_streams_the_whole_file(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)
    (tmp_path / "a.bin").write_bytes(data)
    assert audio_fingerprint(tmp_path / "a.bin") == (len(data), hashlib.sha256(data).hexdigest())
    with pytest.raises(ProjectError, match="cannot read"):
        audio_fingerprint(tmp_path / "missing.wav")


def test_unserialisable_source_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "p.soma.json"
    save_project(sample_project(), path)
    before = path.read_bytes()
    broken = sample_project(
        partials=(Partial(1, "x", "#000000", frozen_points([[0, 1, 2]]), {"bad": object()}),)
    )
    with pytest.raises(ProjectError, match="cannot save") as info:
        save_project(broken, path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before
    assert temp_files(tmp_path) == []


def test_failing_replace_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "p.soma.json"
    save_project(sample_project(), path)
    before = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(project_module.os, "replace", failing_replace)
    with pytest.raises(ProjectError, match="No space left"):
        save_project(sample_project(settings={"q": 99}), path)
    assert path.read_bytes() == before
    assert temp_files(tmp_path) == []


def test_failing_write_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "p.soma.json"

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(project_module.os, "fsync", failing_fsync)
    with pytest.raises(ProjectError, match="Input/output error"):
        save_project(sample_project(), path)
    assert not path.exists() and temp_files(tmp_path) == []


def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "p.soma.json"
    save_project(sample_project(), path)
    os.chmod(path, 0o640)
    save_project(sample_project(), path)
    assert os.stat(path).st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(next_partial_id=4), "nextPartialId"),
        (dict(view={"start": 1.0, "end": 0.5, "fmin": 20.0, "fmax": 100.0}), "start < end"),
        (dict(view={"start": 0.0, "end": math.inf, "fmin": 20.0, "fmax": 100.0}), "infinite"),
        (dict(settings={"x": math.nan}), "infinite or NaN"),
        (dict(audio_sha256="XYZ"), "sha256"),
    ],
)
def test_save_refuses_what_load_would_refuse(tmp_path, change, message):
    path = tmp_path / "p.soma.json"
    audio = str(tmp_path / "a.wav") if "audio_sha256" in change else None
    with pytest.raises(ProjectError, match=message):
        save_project(sample_project(audio, **change), path)
    assert not path.exists() and temp_files(tmp_path) == []


def test_bad_color_and_duplicate_ids_are_refused_on_save(tmp_path):
    points = frozen_points([[0, 1, 2]])
    for partials, message in [
        ((Partial(1, "a", "red", points),), "color"),
        ((Partial(1, "a", "#000000", points), Partial(1, "b", "#000000", points)), "share an id"),
        ((Partial(1, "a", "#000000", frozen_points([[1, 1, 2], [0, 1, 2]])),), "decrease"),
    ]:
        with pytest.raises(ProjectError, match=message):
            save_project(Project(partials=partials, next_partial_id=2), tmp_path / "p.soma.json")


def test_future_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "p.soma.json"
    save_project(sample_project(), path)
    document = json.loads(path.read_text("utf-8"))
    document["version"] = 7
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert str(info.value) == (
        f"{path}: made by a newer Soma: version 7, this Soma reads up to {SCHEMA_VERSION}"
    )


def _base64(values) -> str:
    """float64 values as a project's base64 points (whole rows or not)."""
    return base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode("ascii")


def valid_document(tmp_path) -> dict:
    path = tmp_path / "valid.soma.json"
    save_project(sample_project(str(tmp_path / "a.wav")), path)
    return json.loads(path.read_text("utf-8"))


MUTATIONS = [
    lambda d: d.pop("format"),
    lambda d: d.update(format="soma-partials"),
    lambda d: d.update(version="1"),
    lambda d: d.update(version=True),
    lambda d: d.update(version=0),
    lambda d: d.pop("partials"),
    lambda d: d.update(partials={}),
    lambda d: d.update(settings=[]),
    lambda d: d.update(nextPartialId=1.5),
    lambda d: d.update(nextPartialId=-3),
    lambda d: d.update(audio={"path": None, "absolutePath": None}),
    lambda d: d["audio"].update(size=-1),
    lambda d: d["audio"].update(path=3),
    lambda d: d["view"].pop("fmax"),
    lambda d: d["view"].update(start="0"),
    lambda d: d["partials"][0].update(id=4),
    lambda d: d["partials"][0].update(id=0),
    lambda d: d["partials"][0].update(color="#12345"),
    lambda d: d["partials"][0].update(name=None),
    lambda d: d["partials"][0].update(source=[]),
    lambda d: d["partials"][0].pop("points"),
    lambda d: d["partials"][0].update(points=[[0, 1]]),
    lambda d: d["partials"][0].update(points=[[0, 1, None]]),
    lambda d: d["partials"][0].update(points=[[None, 1, 2]]),
    lambda d: d["partials"][0].update(points=[[0, True, 2]]),
    lambda d: d["partials"][0].update(points=[[0, 10**400, 2]]),
    lambda d: d["partials"][0].update(points=[[1, 1, 2], [0, 1, 2]]),
    lambda d: d["partials"][0].update(points="0 1 2"),
    # Version 2's base64 rows: not base64, not whole rows, values points_problem refuses,
    # times out of order.
    lambda d: d["partials"][0].update(points="@@@@"),
    lambda d: d["partials"][0].update(points=_base64([0.0, 440.0])),
    lambda d: d["partials"][0].update(points=_base64([[0, math.inf, -6]])),
    lambda d: d["partials"][0].update(points=_base64([[0, NAN, -6]])),
    lambda d: d["partials"][0].update(points=_base64([[NAN, 440, -6]])),
    lambda d: d["partials"][0].update(points=_base64([[1, 440, -6], [0, 440, -6]])),
]


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_load_rejects_malformed_documents(tmp_path, mutate):
    document = valid_document(tmp_path)
    mutate(document)
    path = tmp_path / "bad.soma.json"
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text",
    ['{"format": "soma-project", "version": NaN}', "[" * 100000, "", "\x00\x01", '"just a string"'],
)
def test_load_rejects_non_json_and_never_writes(tmp_path, text):
    path = tmp_path / "bad.soma.json"
    path.write_text(text, "utf-8")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    with pytest.raises(ProjectError):
        load_project(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_load_missing_file(tmp_path):
    with pytest.raises(ProjectError, match="cannot read"):
        load_project(tmp_path / "nope.soma.json")


def check_loaded(project):
    assert isinstance(project, Project)
    ids = [p.id for p in project.partials]
    assert len(set(ids)) == len(ids) and all(i < project.next_partial_id for i in ids)
    for p in project.partials:
        assert p.points.shape[1] == 3 and np.isfinite(p.points[:, 0]).all()


# ---------------------------------------------------------------- recovery


@pytest.fixture
def state_home(tmp_path, monkeypatch):
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def test_recovery_path_is_in_the_state_dir_and_stable(state_home, tmp_path):
    first = recovery_path(tmp_path / "song.soma.json", None)
    assert first.parent == state_home / "soma" / "recovery"
    assert first.name.startswith("song-") and first.name.endswith(".soma.json")
    assert recovery_path(tmp_path / "song.soma.json", tmp_path / "x.wav") == first
    assert recovery_path(tmp_path / "other" / "song.soma.json", None) != first
    untitled = recovery_path(None, tmp_path / "take 1.wav")
    assert untitled.name.startswith("take_1-")
    assert recovery_path(None, None).name.startswith("untitled-")


def test_relative_xdg_state_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert recovery_path(None, None).parent == tmp_path / ".local/state/soma/recovery"


def test_recovery_newer_than_the_project(state_home, tmp_path):
    project_path = tmp_path / "song.soma.json"
    assert recovery_newer_than(project_path) is None  # nothing at all
    save_project(sample_project(), project_path)
    assert recovery_newer_than(project_path) is None  # no recovery file
    written = write_recovery(sample_project(settings={"q": 3}), project_path)
    assert written == recovery_path(project_path, None)
    assert load_project(written).settings == {"q": 3}
    now = os.stat(project_path).st_mtime_ns
    os.utime(written, ns=(now + 2_000_000_000, now + 2_000_000_000))
    assert recovery_newer_than(project_path) == written
    os.utime(written, ns=(now, now))
    assert recovery_newer_than(project_path) is None  # equal times: the save wins
    os.utime(written, ns=(now - 10**9, now - 10**9))
    assert recovery_newer_than(project_path) is None
    project_path.unlink()
    assert recovery_newer_than(project_path) == written  # the project file is gone


def test_recovery_of_an_unsaved_project(state_home, tmp_path):
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"abc")
    assert recovery_newer_than(None, audio) is None
    written = write_recovery(sample_project(str(audio)), None)
    assert recovery_newer_than(None, audio) == written
    assert load_project(written).audio_path == str(audio)


# ---------------------------------------------------------------- hostile files


def _project_text(points="[[0, 440, -6], [1, 441, -7]]", source="{}") -> str:
    return (
        '{"format": "soma-project", "version": 1, "audio": null, "view": null, '
        '"settings": {}, "nextPartialId": 2, "partials": [{"id": 1, "name": "a", '
        f'"color": "#000000", "points": {points}, "source": {source}}}]}}'
    )


def test_a_version_1_project_with_points_as_json_rows_still_loads(tmp_path):
    path = tmp_path / "old.soma.json"
    path.write_text(_project_text(points="[[0, 440, -6], [0.5, null, null], [1, 441.5, -7]]"))
    (partial,) = load_project(path).partials
    np.testing.assert_array_equal(partial.points, [[0, 440, -6], [0.5, NAN, NAN], [1, 441.5, -7]])
    save_project(load_project(path), path)  # saved again: version 2, the same points
    assert json.loads(path.read_text("utf-8"))["version"] == SCHEMA_VERSION == 2
    np.testing.assert_array_equal(load_project(path).partials[0].points, partial.points)


def test_a_project_larger_than_soma_reads_is_not_saved(tmp_path, monkeypatch):
    path = tmp_path / "p.soma.json"
    save_project(sample_project(), path)
    before = path.read_bytes()
    monkeypatch.setattr(project_module, "MAX_PROJECT_BYTES", len(before) - 1)
    with pytest.raises(ProjectError, match=r"cannot save: 0 MiB, more than the 0 MiB a project"):
        save_project(sample_project(), path)
    assert path.read_bytes() == before and temp_files(tmp_path) == []


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.soma.json"
    with open(path, "wb") as stream:
        stream.truncate(MAX_PROJECT_BYTES + 1)  # sparse: no disk, but read it is that big
    with pytest.raises(ProjectError, match=r"huge\.soma\.json: cannot read: larger than"):
        load_project(path)


@pytest.mark.parametrize(
    "source, words",
    [
        ('{"deep": ' + "[" * 500 + "]" * 500 + "}", "nested 504 levels deep"),
        ('{"x": 1e999}', "out of range"),
        ('{"x": -1e400}', "out of range"),
    ],
)
def test_a_source_that_could_not_be_saved_or_sent_is_refused_on_load(tmp_path, source, words):
    path = tmp_path / "p.soma.json"
    path.write_text(_project_text(source=source))
    with pytest.raises(ProjectError, match=words):
        load_project(path)


@pytest.mark.parametrize(
    "points, words",
    [
        ("[[0, -440, -6], [1, 441, -7]]", "frequency -440.0 is negative"),
        ("[[0, 440, 1e300], [1, 441, -7]]", r"amplitude 1e\+300 dBFS is above"),
    ],
)
def test_points_no_export_can_carry_are_refused_on_load(tmp_path, points, words):
    path = tmp_path / "p.soma.json"
    path.write_text(_project_text(points=points))
    with pytest.raises(ProjectError, match=words):
        load_project(path)


def test_saving_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "song.soma.json"
    save_project(sample_project(), target)
    link = tmp_path / "song.soma.json"
    link.symlink_to(target)
    save_project(sample_project(settings={"q": 5}), link)
    assert link.is_symlink() and load_project(target).settings == {"q": 5}
    assert os.listdir(tmp_path / "real") == ["song.soma.json"]


def test_opening_a_project_removes_what_a_killed_save_left(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "song.soma.json"
    save_project(sample_project(), path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f".song.soma.json.{dead.pid}.k2j4_x9a.tmp"
    leftover.write_bytes(b'{"format": "soma-pro')
    load_project(path)
    assert os.listdir(tmp_path) == ["song.soma.json"]


def test_the_audio_path_is_relative_to_where_a_symlinked_project_really_is(tmp_path):
    folder = tmp_path / "real"
    (folder / "sounds").mkdir(parents=True)
    audio = folder / "sounds" / "a.wav"
    audio.write_bytes(b"RIFF")
    link = tmp_path / "song.soma.json"
    link.symlink_to(folder / "song.soma.json")
    save_project(sample_project(str(audio)), link)
    assert json.loads((folder / "song.soma.json").read_text())["audio"]["path"] == "sounds/a.wav"
    moved = tmp_path / "moved"
    folder.rename(moved)  # the project's folder, moved as a whole, keeps working
    assert load_project(moved / "song.soma.json").audio_path == str(moved / "sounds" / "a.wav")


def test_the_fingerprint_of_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    from special_files import read_new_fifo

    error = read_new_fifo(tmp_path / "a.wav", audio_fingerprint)
    assert isinstance(error, ProjectError) and "not a regular file: a FIFO" in str(error)
    with pytest.raises(ProjectError, match="not a regular file: a character device"):
        audio_fingerprint("/dev/zero")

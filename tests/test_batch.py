"""soma batch's pieces in this process: inputs, output names, the index, chunks and their
stitching, the command line's refusals. The runs on real clusters are in
test_batch_cluster.py."""

import itertools
import json

import numpy as np
import pytest
import soundfile as sf
from test_batch_cluster import assert_same_overview

from app.batch.analysis import (
    BatchSettings,
    FileInfo,
    LongFile,
    analyse_chunk,
    analyse_file,
    chunk_plan,
    finish_file,
)
from app.batch.index import ERROR, OK, Row, failed, read_index, write_index
from app.batch.inputs import BatchError, collect_inputs, common_root
from app.batch.outputs import TRACK_SUFFIXES, outputs_current, outputs_for
from app.batch.stitch import joined_partials, strongest
from app.cli import main
from app.compute.overview import OVERVIEW_WIDTH
from app.files.exchange import FORMATS, import_partials
from workers.track import HOP, TrackSettings

SR = 16000


def _tone(path, seconds, freq=440.0, channels=1):
    t = np.arange(int(seconds * SR)) / SR
    x = 0.3 * np.sin(2 * np.pi * freq * t) + 0.1 * np.sin(2 * np.pi * 3.1 * freq * t)
    sf.write(path, np.repeat(x[:, None], channels, axis=1), SR)
    return path


def test_inputs_are_files_folders_and_globs_each_once_sorted_without_outdir(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    for name in ("a/x.wav", "a/deep/y.FLAC", "a/notes.txt", "b.ogg", "out/old.wav"):
        (tmp_path / name).write_bytes(b"")
    files = collect_inputs(
        [
            str(tmp_path / "a"),
            str(tmp_path / "*.ogg"),
            str(tmp_path / "a/x.wav"),
            str(tmp_path / "missing.wav"),
            str(tmp_path / "**"),
        ],
        tmp_path / "out",
    )
    names = [str(path.relative_to(tmp_path)) for path in files]
    # A folder gives its audio files; a named file is kept even when missing (its error
    # becomes its row); OUTDIR's own files are never inputs.
    assert names == ["a/deep/y.FLAC", "a/x.wav", "b.ogg", "missing.wav"]
    assert common_root(files) == tmp_path


@pytest.mark.parametrize("inputs", [["nothing*.wav"], ["."]])
def test_inputs_that_name_nothing_are_one_clear_error(tmp_path, monkeypatch, inputs):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BatchError) as error:
        collect_inputs(inputs, tmp_path / "out")
    assert "\n" not in str(error.value)


def test_outputs_mirror_the_inputs_below_their_root_and_every_format_has_a_name(tmp_path):
    assert set(TRACK_SUFFIXES) == set(FORMATS)
    names = {suffix for suffix in TRACK_SUFFIXES.values()}
    assert len(names) == len(FORMATS)
    outputs = outputs_for(
        tmp_path / "in/sub/take.wav", tmp_path / "in", tmp_path / "out", True, FORMATS
    )
    assert [str(p.relative_to(tmp_path)) for p in outputs.paths()] == [
        "out/sub/take.wav.overview.png",
        "out/sub/take.wav.overview.npy",
        "out/sub/take.wav.partials.csv",
        "out/sub/take.wav.partials.json",
        "out/sub/take.wav.partials.spear.txt",
        "out/sub/take.wav.frames.spear.txt",
        "out/sub/take.wav.partials.sdif",
    ]


def test_outputs_are_current_only_when_all_exist_and_are_newer_than_the_input(tmp_path):
    audio = _tone(tmp_path / "t.wav", 0.1)
    outputs = outputs_for(audio, tmp_path, tmp_path / "out", True, ())
    assert not outputs_current(audio, outputs)
    (tmp_path / "out").mkdir()
    png, npy = outputs.render_paths()
    png.write_bytes(b"x")
    assert not outputs_current(audio, outputs)
    npy.write_bytes(b"x")
    assert outputs_current(audio, outputs)
    stamp = npy.stat().st_mtime_ns + 10**9
    import os

    os.utime(audio, ns=(stamp, stamp))  # the input changed after its outputs
    assert not outputs_current(audio, outputs)


def test_the_index_is_written_sorted_in_both_files_and_reads_back(tmp_path):
    rows = [
        Row("/z.wav", 2.0, 16000, 2, 3, 0.5),
        failed("/a.wav", 'Cannot open "a.wav": the file is empty (0 bytes).'),
    ]
    write_index(tmp_path, {"render": True}, rows)
    settings, read = read_index(tmp_path)
    assert settings == {"render": True} and list(read) == ["/a.wav", "/z.wav"]
    assert read["/z.wav"] == rows[0] and read["/a.wav"].status == ERROR
    lines = (tmp_path / "index.csv").read_text().splitlines()
    assert lines[0] == "file,duration,sample_rate,channels,partials,seconds,status,error"
    assert lines[1].startswith("/a.wav,,,,,0.0,error,") and lines[2].endswith(",ok,")
    (tmp_path / "index.json").write_text("{not json")
    assert read_index(tmp_path) is None  # --resume then redoes everything


def test_chunks_cover_the_file_and_the_overview_columns_without_gap():
    info = FileInfo(44100, 2, 44100 * 3600)
    chunks = chunk_plan(info, 300.0)
    assert len(chunks) == 13  # 154 columns of 1.8 s each, the last 152
    assert chunks[0].start == 0 and chunks[-1].end == pytest.approx(3600)
    assert chunks[0].first_column == 0 and chunks[-1].end_column == OVERVIEW_WIDTH
    for left, right in itertools.pairwise(chunks):
        assert left.end == right.start and left.end_column == right.first_column
        assert right.end - right.start <= 300.0 + 1e-9
    assert len(chunk_plan(FileInfo(SR, 1, SR * 10), 300.0)) == 1


def _line(t0, t1, freq):
    t = np.arange(round(t0 / HOP), round(t1 / HOP) + 1) * HOP
    return np.column_stack([t, np.full(t.size, freq), np.full(t.size, -20.0)])


def test_partials_cut_by_a_chunk_boundary_are_joined_and_others_are_not():
    boundary = 1.0
    first = [_line(0.2, 1.0 - HOP, 440.0), _line(0.5, 1.0 - HOP, 1000.0), _line(0.1, 0.4, 300.0)]
    second = [_line(1.0, 1.5, 441.0), _line(1.0, 1.2, 1500.0)]  # 1000 Hz ended at the cut
    joined = joined_partials([first, second], [boundary])
    spans = np.array(sorted((p[0, 0], p[-1, 0], p[0, 1]) for p in joined))
    expected = [(0.1, 0.4, 300), (0.2, 1.5, 440), (0.5, 1 - HOP, 1000), (1.0, 1.2, 1500)]
    assert np.allclose(spans, expected)
    whole = next(p for p in joined if p[0, 1] == 440.0)
    assert np.all(np.diff(whole[:, 0]) > 0)  # one point per frame across the cut
    assert len(strongest(joined, 2)) == 2 and strongest(joined, None) is joined


def test_a_long_file_in_chunks_gives_the_overview_and_partials_of_one_piece(tmp_path):
    audio = str(_tone(tmp_path / "long.wav", 6.0, channels=2))
    track = TrackSettings()
    results = {}
    for name, chunk_seconds in (("whole", 10.0), ("chunked", 2.5)):
        settings = BatchSettings(True, track, ("csv",), chunk_seconds)
        outputs = outputs_for(tmp_path / "long.wav", tmp_path, tmp_path / name, True, ("csv",))
        plan = analyse_file(audio, outputs, settings)
        if chunk_seconds < 6:
            assert isinstance(plan, LongFile) and len(plan.chunks) == 3
            parts = [analyse_chunk(audio, plan.info, chunk, settings) for chunk in plan.chunks]
            row = finish_file(audio, outputs, settings, plan.info, parts, plan.seconds)
        else:
            row = plan
        assert (row.status, row.duration, row.sample_rate, row.channels) == (OK, 6.0, SR, 2)
        results[name] = (
            np.load(outputs.render_paths()[1]),
            import_partials(outputs.track_path("csv"), "csv"),
            row,
        )
    (whole_db, whole_partials, whole_row), (db, partials, row) = (
        results["whole"],
        results["chunked"],
    )
    assert_same_overview(db, whole_db)
    assert row.partials == whole_row.partials == len(partials) >= 2
    for a, b in zip(partials, whole_partials, strict=True):
        assert a.points[0, 0] == pytest.approx(b.points[0, 0])
        assert a.points[-1, 0] == pytest.approx(b.points[-1, 0])  # not cut at 2 s and 4 s


def test_a_file_that_cannot_be_read_is_its_error_row(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("hello")
    outputs = outputs_for(bad, tmp_path, tmp_path / "out", True, ())
    row = analyse_file(str(bad), outputs, BatchSettings())
    assert row.status == ERROR and "not audio" in row.error and row.duration is None
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "nothing to do"),
        (["--track", "-f", "csv,xml"], "unknown format 'xml'"),
        (["--render", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "local cluster"),
        (["--render", "--workers", "0"], "--workers must be 1 or more"),
        (["--render", "--chunk-seconds", "0"], "--chunk-seconds must be above 0"),
    ],
)
def test_options_that_do_not_go_together_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_the_index_json_keeps_the_settings_for_resume():
    settings = BatchSettings(True, TrackSettings(max_partials=3), ("csv", "json"), 60.0)
    assert json.loads(json.dumps(settings.to_json())) == settings.to_json()


def test_a_killed_writers_temporary_file_is_known_by_the_name_it_was_to_replace(tmp_path):
    from app.base.files import temporary_target, write_atomic

    target = tmp_path / "take.wav.overview.png"
    write_atomic(target, b"whole")
    assert temporary_target(target.name) is None
    # The name write_atomic's mkstemp gives its temporary file, as a killed writer leaves it.
    assert temporary_target(f".{target.name}.4242.ab_cd123.tmp") == target.name
    assert temporary_target(".take.wav.tmp") is None

"""SDIF: Soma's reader and writer against pysdif3 (IRCAM's library), `soma convert` between
every pair of exchange formats, and damaged files."""

import itertools
import logging
import math
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pysdif
import pysdif._pysdif
import pytest

from app.cli import main
from app.document.partials import Partial, default_color, frozen_points
from app.files.exchange import FORMATS, ExchangeError, export_partials, import_partials
from app.files.project import Project, save_project

EXTENSIONS = {
    "csv": ".csv",
    "json": ".json",
    "spear-partials": ".txt",
    "spear-frames": ".txt",
    "sdif": ".sdif",
}
DB_TOLERANCE = 1e-9  # what linear <-> dB costs


@pytest.fixture
def pysdif_reader(monkeypatch):
    """pysdif3 1.0.1 opens files for reading only without its check of predefined frame types
    (it compares bytes with str and raises TypeError); the files here declare their types."""
    monkeypatch.setattr(pysdif._pysdif, "predefined_frametypes", lambda: {})
    return pysdif.SdifFile


def grid_partials():
    """Three partials on one 10 ms grid, starting one after another (so every format keeps
    their order), without gaps: what every format carries exactly."""
    rng = np.random.default_rng(3)
    partials = []
    for k in range(3):
        times = np.arange(k * 4, k * 4 + 20 + 7 * k) * 0.01
        points = np.column_stack(
            (times, rng.uniform(30, 12000, len(times)), rng.uniform(-150, 0, len(times)))
        )
        partials.append(Partial(k + 1, f"P{k + 1}", default_color(k + 1), frozen_points(points)))
    return partials


def assert_same_points(actual, expected):
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got.points.shape == want.points.shape
        np.testing.assert_array_equal(got.points[:, :2], want.points[:, :2])
        np.testing.assert_allclose(got.points[:, 2], want.points[:, 2], rtol=0, atol=DB_TOLERANCE)


def test_convert_round_trips_between_every_pair_of_formats(tmp_path):
    partials = grid_partials()
    for source_fmt, target_fmt in itertools.permutations(FORMATS, 2):
        source = tmp_path / f"in-{source_fmt}{EXTENSIONS[source_fmt]}"
        target = tmp_path / f"{source_fmt}-to-{target_fmt}{EXTENSIONS[target_fmt]}"
        export_partials(partials, source, source_fmt)
        assert main(["convert", str(source), "-o", str(target), "-f", target_fmt, "-q"]) == 0
        assert_same_points(import_partials(target, target_fmt), partials)


def test_convert_reads_a_project_and_takes_the_format_from_the_extension(tmp_path, capsys):
    project = tmp_path / "p.soma.json"
    save_project(Project(partials=tuple(grid_partials()), next_partial_id=4), project)
    assert main(["convert", str(project), "-o", str(tmp_path / "out.sdif"), "-q"]) == 0
    assert (tmp_path / "out.sdif").read_bytes()[:4] == b"SDIF"
    assert_same_points(import_partials(tmp_path / "out.sdif"), grid_partials())


def test_soma_writes_what_pysdif_reads_value_for_value(tmp_path, pysdif_reader):
    gap = np.array([[0.0, 440.0, -6.0], [0.01, 441.0, -7.0], [0.02, math.nan, math.nan],
                    [0.03, 442.0, -8.0], [0.04, 443.0, -9.0]])  # fmt: skip
    other = np.array([[0.005, 880.0, -20.0], [0.01, 881.0, 0.0]])
    partials = [Partial(1, "a", "#112233", frozen_points(gap)),
                Partial(2, "b", "#445566", frozen_points(other))]  # fmt: skip
    path = tmp_path / "soma.sdif"
    export_partials(partials, path, "sdif", source_name="take.wav")

    sdif = pysdif_reader(str(path))
    (nvt,) = sdif.get_NVTs()
    assert nvt[b"creator"] == b"Soma" and nvt[b"source"] == b"take.wav" and b"date" in nvt
    read = []
    for frame in sdif:
        assert frame.signature == b"1TRC" and frame.num_matrices == 1
        for matrix in frame:
            assert matrix.signature == b"1TRC" and np.dtype(matrix.dtype) == np.float64
            read.append((frame.time, matrix.get_data(copy=True).tolist()))
    sdif.close()
    # One frame per time; the gap splits partial 1 into indices 1 and 2, partial 2 is 3.
    # Within a rounding: numpy's power and Python's differ in the last bit on some versions.
    linear = lambda db: pytest.approx(10 ** (db / 20), rel=1e-15)  # noqa: E731
    assert read == [
        (0.0, [[1.0, 440.0, linear(-6.0), 0.0]]),
        (0.005, [[3.0, 880.0, linear(-20.0), 0.0]]),
        (0.01, [[1.0, 441.0, linear(-7.0), 0.0], [3.0, 881.0, 1.0, 0.0]]),
        (0.03, [[2.0, 442.0, linear(-8.0), 0.0]]),
        (0.04, [[2.0, 443.0, linear(-9.0), 0.0]]),
    ]


def _write_with_pysdif(path, frames, types):
    """frames: (signature, time, [(matrix signature, rows)]); types: {signature: columns}."""
    sdif = pysdif.SdifFile(str(path), "w")
    sdif.add_NVT({"creator": "pysdif3"})
    for signature, columns in types.items():
        sdif.add_matrix_type(signature, columns)
        sdif.add_frame_type(signature, [f"{signature} {signature}"])
    for signature, time, matrices in frames:
        frame = sdif.new_frame(signature, time)
        for kind, rows in matrices:
            frame.add_matrix(kind, np.array(rows, dtype=np.float64))
        frame.write()
    sdif.close()


def test_a_file_written_frame_by_frame_by_pysdif_reads_into_partials(tmp_path, caplog):
    path = tmp_path / "pysdif.sdif"
    trc = ["Index", "Frequency", "Amplitude", "Phase", "Extra"]
    _write_with_pysdif(
        path,
        [
            ("1TRC", 0.0, [("1TRC", [[7, 220, 0.5, 0.1, 9], [8, 330, 0.25, 0, 9]])]),
            ("XNOI", 0.0, [("XNOI", [[1.0]])]),
            ("1TRC", 0.1, [("1TRC", [[7, 221, 0.5, 0, 9], [8, 331, 0.25, 0, 9]])]),
            ("1TRC", 0.2, [("1TRC", [[8, 332, 0.25, 0, 9]])]),  # 7 is absent: a gap
            ("1TRC", 0.3, [("1TRC", [[7, 223, 1.0, 0, 9]])]),
            ("1FQ0", 0.3, [("1FQ0", [[110.0, 0.9]])]),
            ("1FQ0", 0.4, [("1FQ0", [[0.0, 0.1]])]),  # unvoiced: a gap
            ("1FQ0", 0.5, [("1FQ0", [[112.0, 0.9]])]),
            ("1FQ0", 0.6, [("1FQ0", [[113.0, 0.9]])]),
        ],
        {"1TRC": trc, "XNOI": ["Noise"], "1FQ0": ["Frequency", "Confidence"]},
    )
    with caplog.at_level(logging.INFO, logger="app.files.exchange"):
        partials = import_partials(path)
    assert [r.getMessage() for r in caplog.records] == [f"{path}: skipped SDIF types XNOI"]
    db = lambda linear: 20 * math.log10(linear)  # noqa: E731
    nan = math.nan
    expected = [
        [[0.0, 220, db(0.5)], [0.1, 221, db(0.5)], [0.2, nan, nan], [0.3, 223, 0.0]],
        [[0.0, 330, db(0.25)], [0.1, 331, db(0.25)], [0.2, 332, db(0.25)]],
        [[0.3, 110, 0.0], [0.4, nan, nan], [0.5, 112, 0.0], [0.6, 113, 0.0]],
    ]
    assert len(partials) == len(expected)
    for partial, points in zip(partials, expected, strict=True):
        np.testing.assert_allclose(partial.points, points, rtol=0, atol=1e-12)
        assert partial.source == {"imported": "sdif", "file": "pysdif.sdif"}


def test_1hrm_frames_and_predefined_types_without_a_header(tmp_path):
    # Frames only, relying on the predefined 1HRM type: what older analysis tools write.
    def frame(time, rows):
        matrix = struct.pack(">4sIII", b"1HRM", 8, len(rows), 4) + np.array(rows, ">f8").tobytes()
        return struct.pack(">4sIdII", b"1HRM", 16 + len(matrix), time, 0, 1) + matrix

    data = struct.pack(">4sIII", b"SDIF", 8, 3, 1)
    data += frame(0.0, [[1, 100, 0.1, 0]]) + frame(0.5, [[1, 101, 0.1, 0]])
    (tmp_path / "h.sdif").write_bytes(data)
    (partial,) = import_partials(tmp_path / "h.sdif")
    np.testing.assert_allclose(partial.points, [[0.0, 100, -20.0], [0.5, 101, -20.0]])


def _valid_sdif(tmp_path) -> bytes:
    export_partials(grid_partials()[:1], tmp_path / "valid.sdif", "sdif")
    return (tmp_path / "valid.sdif").read_bytes()


def _first_frame(data: bytes) -> int:
    """The offset of the first 1TRC frame (after the header's 1NVT and 1TYP frames)."""
    return data.index(b"1TRC\0")


def _bad_files(valid: bytes):
    at = _first_frame(valid)
    matrix = at + 24
    value = matrix + 16  # the first row: index, frequency, amplitude, phase
    time_2 = at + 8 + struct.unpack_from(">I", valid, at + 4)[0] + 8  # the second frame's

    def put(offset, fmt, *values):
        return valid[:offset] + struct.pack(fmt, *values) + valid[offset + struct.calcsize(fmt) :]

    return [
        ("truncated", valid[: len(valid) - 5], "truncated"),
        ("wrong signature", b"RIFF" + valid[4:], "not an SDIF file"),
        ("huge rows", put(matrix + 8, ">I", 2**32 - 1), "4294967295 x 4 values"),
        ("huge frame", put(at + 4, ">I", 2**32 - 1), "truncated"),
        ("NaN frequency", put(value + 8, ">d", math.nan), "frequency nan is not finite"),
        ("negative frequency", put(value + 8, ">d", -440.0), "frequency -440.0 is negative"),
        ("out of order", put(time_2, ">d", -1.0), "out of time order"),
        ("empty", b"", "empty"),
    ]


def test_bad_files_get_one_line_naming_the_file_and_the_problem(tmp_path):
    valid = _valid_sdif(tmp_path)
    for case, data, problem in _bad_files(valid):
        path = tmp_path / f"{case}.sdif"
        path.write_bytes(data)
        tracemalloc.start()
        with pytest.raises(ExchangeError) as raised:
            import_partials(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        message = str(raised.value)
        assert message.startswith(f"{path}: ") and problem in message, (case, message)
        assert "\n" not in message
        assert peak < 4 * 2**20, (case, peak)  # the file is read in 1 MiB pieces
        assert path.read_bytes() == data


def _frame_ends(data: bytes) -> list[int]:
    """Where each frame of a valid file ends: SDIF has no end marker, so a file cut there is
    a valid file of fewer frames."""
    ends, at = [16], 16
    while at < len(data):
        at += 8 + struct.unpack_from(">I", data, at + 4)[0]
        ends.append(at)
    return ends


def test_every_truncation_inside_a_frame_is_refused(tmp_path):
    valid = _valid_sdif(tmp_path)
    ends = _frame_ends(valid)
    path = tmp_path / "cut.sdif"
    for length in range(len(valid)):
        path.write_bytes(valid[:length])
        if length in ends:
            assert len(import_partials(path, "sdif")) <= 1
            continue
        with pytest.raises(ExchangeError, match=r"cut\.sdif: "):
            import_partials(path, "sdif")


def test_soma_convert_as_a_process(tmp_path):
    soma = Path(sys.executable).parent / "soma"
    export_partials(grid_partials(), tmp_path / "in.txt", "spear-frames")
    run = lambda *args: subprocess.run(  # noqa: E731
        [soma, "convert", *map(str, args)], capture_output=True, text=True, timeout=120
    )
    done = run(tmp_path / "in.txt", "-o", tmp_path / "out.sdif")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{tmp_path / 'out.sdif'}\n", "")
    assert_same_points(import_partials(tmp_path / "out.sdif"), grid_partials())

    (tmp_path / "bad.sdif").write_bytes(b"SDIF" + bytes(20))
    failed = run(tmp_path / "bad.sdif", "-o", tmp_path / "out.csv")
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.startswith(f"soma: error: {tmp_path / 'bad.sdif'}: ")
    assert failed.stderr.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()
    unknown = run(tmp_path / "in.txt", "-o", tmp_path / "out.dat")
    assert unknown.returncode == 2 and "give -f" in unknown.stderr

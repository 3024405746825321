"""CSV, JSON and SPEAR text: round trips, tolerated variants, malformed input, fuzzing.
SDIF has tests/test_sdif.py."""

import json
import logging
import math
import tracemalloc

import numpy as np
import pytest

from app.document.partials import Partial, default_color, frozen_points
from app.files.exchange import (
    FLOOR_DB,
    FORMATS,
    ExchangeError,
    export_partials,
    format_for_path,
    import_partials,
)

NAN = math.nan


def make_partials(seed=7, count=5):
    """Partials with uneven time grids, NaN gaps (also at the ends) and quiet points."""
    rng = np.random.default_rng(seed)
    partials = []
    for k in range(count):
        n = int(rng.integers(5, 40))
        times = np.sort(rng.uniform(0, 10, n))
        times = np.unique(times)
        freqs = rng.uniform(30, 12000, len(times))
        amps = rng.uniform(-150, 0, len(times))
        points = np.column_stack([times, freqs, amps])
        if k % 2 == 0:
            points[len(times) // 2, 1:] = NAN  # one gap in the middle
        if k == 1:
            points[0, 1:] = NAN  # a partial starting below the noise
        partials.append(
            Partial(
                k + 1,
                f'P{k} "quoted", comma',
                default_color(k + 1),
                frozen_points(points),
                {"hop": 0.01},
            )
        )
    return partials


def runs_of(points):
    """The gap-free stretches of `points`, as SPEAR export splits them."""
    runs, current = [], []
    for row in points.tolist():
        if math.isnan(row[1]):
            if current:
                runs.append(np.array(current))
            current = []
        else:
            current.append(row)
    if current:
        runs.append(np.array(current))
    return runs


def assert_points_close(actual, expected, db_tolerance=0.0):
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual[:, :2], expected[:, :2])
    np.testing.assert_allclose(actual[:, 2], expected[:, 2], rtol=0, atol=db_tolerance)


def check_imported(partials, first_id=1):
    for k, p in enumerate(partials):
        assert isinstance(p, Partial) and p.id == first_id + k
        assert p.points.dtype == np.float64 and p.points.ndim == 2 and p.points.shape[1] == 3
        assert not p.points.flags.writeable
        assert np.isfinite(p.points[:, 0]).all() and (np.diff(p.points[:, 0]) > 0).all()
        valued = ~np.isnan(p.points[:, 1])
        assert valued.sum() >= 2 and np.isfinite(p.points[valued, 1:]).all()
        assert (p.points[valued, 1] >= 0).all()
        assert p.name and len(p.color) == 7 and p.color.startswith("#")


def test_json_round_trip_keeps_gaps_names_and_colors(tmp_path):
    original = make_partials()
    export_partials(original, tmp_path / "p.json", "json")
    loaded = import_partials(tmp_path / "p.json", "json", first_id=20)
    check_imported(loaded, 20)
    assert [p.name for p in loaded] == [p.name for p in original]
    assert [p.color for p in loaded] == [p.color for p in original]
    for p, q in zip(original, loaded, strict=True):
        np.testing.assert_array_equal(q.points, p.points)
        assert q.source == {"imported": "json", "file": "p.json"}


def test_json_export_is_compact_utf8_with_null_gaps(tmp_path):
    # What `soma export -f json` and `soma track -o X.json` write: one line of compact JSON,
    # the name as UTF-8 (not \\u escapes), a gap's frequency and amplitude null, and every
    # float reading back as the very float written.
    name = "Flûte \u266f"
    points = [[0.0, 440.0, -6.0], [0.005, NAN, NAN], [0.01, 1e-05, -123.456789012345]]
    export_partials(
        [Partial(1, name, "#112233", frozen_points(points), {})], tmp_path / "p.json", "json"
    )
    raw = (tmp_path / "p.json").read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert b", " not in raw and b": " not in raw and name.encode("utf-8") in raw
    assert json.loads(raw) == {
        "partials": [
            {
                "name": name,
                "color": "#112233",
                "points": [
                    [0.0, 440.0, -6.0],
                    [0.005, None, None],
                    [0.01, 1e-05, -123.456789012345],
                ],
            }
        ]
    }


def test_csv_round_trip_drops_gap_points(tmp_path):
    original = make_partials()
    export_partials(original, tmp_path / "p.csv", "csv")
    assert (tmp_path / "p.csv").read_text().splitlines()[
        0
    ] == "partial,name,time,frequency,amplitude_db"
    loaded = import_partials(tmp_path / "p.csv", "csv", first_id=3)
    check_imported(loaded, 3)
    assert [p.name for p in loaded] == [p.name for p in original]
    assert [p.color for p in loaded] == [default_color(i) for i in range(3, 3 + len(original))]
    for p, q in zip(original, loaded, strict=True):
        kept = p.points[~np.isnan(p.points[:, 1])]
        np.testing.assert_array_equal(q.points, kept)


@pytest.mark.parametrize("fmt", ["spear-partials", "spear-frames"])
def test_spear_round_trip_splits_at_gaps(tmp_path, fmt):
    original = make_partials()
    path = tmp_path / f"p.{fmt}.txt"
    export_partials(original, path, fmt)
    loaded = import_partials(path, fmt)
    check_imported(loaded)
    expected = [run for p in original for run in runs_of(p.points) if len(run) >= 2]
    if fmt == "spear-frames":  # partials come back in order of first appearance in time
        expected.sort(key=lambda run: run[0, 0])
    assert len(loaded) == len(expected)
    for q, run in zip(loaded, expected, strict=True):
        assert_points_close(q.points, run, db_tolerance=1e-6)
        assert q.name == f"Partial {q.id}"
        assert q.source == {"imported": fmt, "file": path.name}


def test_spear_amplitude_is_linear(tmp_path):
    partial = Partial(1, "a", "#000000", frozen_points([[0, 100, -20.0], [1, 100, 0.0]]))
    export_partials([partial], tmp_path / "p.txt", "spear-partials")
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines[:4] == [
        "par-text-partials-format",
        "point-type time frequency amplitude",
        "partials-count 1",
        "partials-data",
    ]
    assert lines[4] == "0 2 0.0 1.0"
    assert [float(x) for x in lines[5].split()] == pytest.approx([0, 100, 0.1, 1, 100, 1.0])


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_is_guessed(tmp_path, fmt):
    suffix = {"csv": ".csv", "json": ".json"}.get(fmt, ".txt")
    path = tmp_path / f"p{suffix}"
    export_partials(make_partials(count=2), path, fmt)
    assert all(p.source["imported"] == fmt for p in import_partials(path))


def test_unguessable_format(tmp_path):
    (tmp_path / "p.dat").write_text("hello\n")
    with pytest.raises(ExchangeError, match="cannot tell the format"):
        import_partials(tmp_path / "p.dat")


def test_csv_variants(tmp_path):
    text = (
        "\ufeffPartial;Time;Frequency;Amplitude_dB\r\n\r\n"
        "violin;0,5;440,25;-12,5\r\n"
        "violin;0,25;439;-13\r\n"
        ";;;\r\n"
        "violin;0,5;441;-11\r\n"  # same time as the first row: the last one wins
        "cello;1;110;-6\r\n"
        "cello;2;111;-7\r\n"
        "lonely;1;100;-1\r\n"
    )
    (tmp_path / "p.csv").write_text(text, "utf-8")
    loaded = import_partials(tmp_path / "p.csv")
    assert [p.name for p in loaded] == ["violin", "cello"]
    assert loaded[0].points.tolist() == [[0.25, 439, -13], [0.5, 441, -11]]
    assert loaded[1].points.tolist() == [[1, 110, -6], [2, 111, -7]]


def test_csv_without_partial_column_is_one_partial(tmp_path):
    (tmp_path / "p.csv").write_text("time\tfrequency\tamplitude_db\n0\t1\t2\n1\t1\t2\n")
    (partial,) = import_partials(tmp_path / "p.csv")
    assert partial.name == "Partial 1" and partial.points.shape == (2, 3)


def test_latin1_csv_is_read(tmp_path):
    (tmp_path / "p.csv").write_bytes(
        "partial,name,time,frequency,amplitude_db\n1,caf\u00e9,0,1,2\n1,caf\u00e9,1,1,2\n".encode(
            "latin-1"
        )
    )
    assert import_partials(tmp_path / "p.csv")[0].name == "caf\u00e9"


def test_spear_partials_variants(tmp_path, caplog):
    text = (
        "par-text-partials-format\r\n"
        "point-type   time frequency amplitude\r\n"
        "some-future-line 3\r\n"
        "partials-count 4\r\n"
        "partials\r\n"
        "0 3 0,0 0,2\r\n"
        "  0,0 440,5 0,5   0,2 441 0,25 \r\n"
        "0,2 442 1\r\n"  # a wrapped point line; its time repeats the previous: kept last
        "\r\n"
        "1 0 0 0\r\n\r\n"  # zero points
        "2 1 1 1\r\n1 100 0.1\r\n"  # one point
        "3 2 2 3\r\n2 100 0 3 100 0.5\r\n"
    )  # amplitude 0
    (tmp_path / "p.txt").write_text(text)
    with caplog.at_level(logging.WARNING):
        loaded = import_partials(tmp_path / "p.txt", first_id=5)
    assert "skipped 2 partial" in caplog.text
    check_imported(loaded, 5)
    assert len(loaded) == 2
    assert_points_close(
        loaded[0].points, np.array([[0, 440.5, 20 * math.log10(0.5)], [0.2, 442, 0.0]]), 1e-9
    )
    assert loaded[1].points[0, 2] == FLOOR_DB


def test_spear_frames_real_sample(tmp_path):
    """The head of a file SPEAR wrote (quoted in Dan Ellis's spearread.m)."""
    text = (
        "par-text-frame-format\n"
        "point-type index frequency amplitude\n"
        "partials-count 32\n"
        "frame-count 3\n"
        "frame-data\n"
        "0.124943 1 0 430.064423 0.001209\n"
        "0.134943 1 0 429.900024 0.002103\n"
        "0.144943 5 0 430.215668 0.003097 4 855.366638 0.002075 3 1742.146851 0.002967 "
        "2 2165.423096 0.001978 1 2565.337402 0.001767\n"
    )
    (tmp_path / "s.txt").write_text(text)
    loaded = import_partials(tmp_path / "s.txt")
    assert len(loaded) == 1  # indices 1-4 have one point each: skipped
    np.testing.assert_allclose(loaded[0].points[:, 1], [430.064423, 429.900024, 430.215668])
    np.testing.assert_allclose(
        loaded[0].points[:, 2], 20 * np.log10([0.001209, 0.002103, 0.003097])
    )


BAD_FILES = {
    "spear-partials": [
        "par-text-frame-format\n",
        "par-text-partials-format\n",
        "par-text-partials-format\npartials-count 1\npartials-data\n0 1 0 0\n0 1 1\n",
        "par-text-partials-format\npoint-type time frequency\npartials-count 0\npartials-data\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-data\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 999999999"
        "\npartials-data\n0 2 0 1\n0 1 1 1 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 999999999 0 1\n0 1 1 1 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count -1\n"
        "partials-data\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 -2 0 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 1 nan 1 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 1 1 inf 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 1 1 1e999 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 1 -1 1 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 -1 1 1 1 1\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count 1\n"
        "partials-data\n0 2 0 1\n0 1 1 1 1 1 7\n",
        "par-text-partials-format\npoint-type time frequency amplitude\npartials-count "
        "99999999999999999999999\npartials-data\n",
    ],
    "spear-frames": [
        "par-text-partials-format\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-data\n0 1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 999999999\nframe-data\n0 1 0 1 1\n1 1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 2\nframe-data\n0 999999999 0 1 1\n1 1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 2\nframe-data\n0 1 0 1 1\n1 1 1 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 2\nframe-data\n0 1 0 1 1\n1 -1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 2\nframe-data\nnan 1 0 1 1\n1 1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 1\nframe-data\n0 1 0 1 1\n1 1 0 1 1\n",
        "par-text-frame-format\npoint-type index frequency amplitude\npartials-count 1\n"
        "frame-count 1\nframe-data\n0\n",
    ],
    "csv": [
        "",
        "\n\n",
        "time,frequency\n0,1\n",
        "time,time,frequency,amplitude_db\n",
        "partial,time,frequency,amplitude_db\n1,0,1\n",
        "partial,time,frequency,amplitude_db\n1,0,nan,1\n",
        "partial,time,frequency,amplitude_db\n1,inf,1,1\n",
        "partial,time,frequency,amplitude_db\n1,0,1e999,1\n",
        "partial,time,frequency,amplitude_db\n1,0,,1\n",
        "partial,time,frequency,amplitude_db\n1,0,-5,1\n",
        "partial,time,frequency,amplitude_db\n1,0,1_0,1\n",
        'partial,time,frequency,amplitude_db\n"1,0,1,1\n',
        "partial,time,frequency,amplitude_db\n1,0,1,1\n" + "x" * 200000 + ",1,1,1\n",
    ],
    "json": [
        "",
        "[]",
        '{"partials": {}}',
        '{"partials": [{"points": [[0, NaN, 1]]}]}',
        '{"partials": [{"points": [[0, Infinity, 1]]}]}',
        '{"partials": [{"points": [[0, 1e999, 1]]}]}',
        '{"partials": [{"points": [[0, 1, null]]}]}',
        '{"partials": [{"points": [[0, 1]]}]}',
        '{"partials": [{"points": [[0, -1, 1]]}]}',
        '{"partials": [{"points": [["0", 1, 1]]}]}',
        '{"partials": [{"points": [[0, 1, 1]], "color": "blue"}]}',
        '{"partials": [{"points": [[0, 1, 1]], "name": 5}]}',
        '{"partials": [{"points": [[0, 1, 1]]}]',
        '{"partials": [' * 100000,
    ],
}


@pytest.mark.parametrize(
    "fmt, text", [(fmt, text) for fmt, texts in BAD_FILES.items() for text in texts]
)
def test_malformed_files_raise_exchange_error(tmp_path, fmt, text):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    tracemalloc.start()
    try:
        with pytest.raises(ExchangeError) as info:
            import_partials(path, fmt)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert peak < 50e6  # huge announced counts must not allocate


def test_error_messages_name_the_line(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("partial,time,frequency,amplitude_db\n1,0,1,1\n\n1,0,x,1\n")
    with pytest.raises(ExchangeError, match=r"line 4: frequency 'x' is not a number"):
        import_partials(path)


def test_import_arguments_and_missing_file(tmp_path):
    with pytest.raises(ExchangeError, match="unknown format"):
        import_partials(tmp_path / "p.csv", "mp3")
    with pytest.raises(ExchangeError, match="first_id"):
        import_partials(tmp_path / "p.csv", "csv", first_id=0)
    with pytest.raises(ExchangeError, match="cannot read"):
        import_partials(tmp_path / "missing.csv")


def test_export_refuses_bad_input_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "p.csv"
    export_partials(make_partials(count=1), path, "csv")
    before = path.read_bytes()
    with pytest.raises(ExchangeError, match="unknown format"):
        export_partials(make_partials(), path, "xml")
    infinite = Partial(1, "a", "#000000", frozen_points([[0, math.inf, 1], [1, 1, 1]]))
    for fmt in FORMATS:
        with pytest.raises(ExchangeError, match="non-finite"):
            export_partials([infinite], path, fmt)
    with pytest.raises(ExchangeError, match="cannot write"):
        export_partials(make_partials(), tmp_path / "no" / "such" / "dir.csv", "csv")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]


# ---------------------------------------------------------------- hostile files


@pytest.mark.parametrize(
    "text, words",
    [
        (
            '{"partials": [{"points": [[0, 440, -6], [1, 440, -6]], "x": '
            + "[" * 900
            + "]" * 900
            + "}]}",
            "nested 903 levels deep",
        ),
        ('{"partials": [{"points": [[0, 440, 1e999], [1, 440, -6]]}]}', "out of range"),
        ('{"partials": [{"points": [[0, 440, 1e300], [1, 440, -6]]}]}', "is above"),
        ("time,frequency,amplitude_db\n0,440,1e300\n1,440,-6\n", "is above"),
    ],
)
def test_values_that_could_not_be_written_back_are_refused(tmp_path, text, words):
    path = tmp_path / ("in.json" if text.startswith("{") else "in.csv")
    path.write_text(text)
    with pytest.raises(ExchangeError, match=words):
        import_partials(path)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("h.csv", "csv"),
        ("H.JSON", "json"),
        ("take-partials.txt", "spear-partials"),
        ("take-frames.txt", "spear-frames"),
        ("take.wav", None),
        ("take", None),
    ],
)
def test_format_for_path_follows_the_names_export_suggests(name, fmt):
    assert format_for_path(name) == fmt

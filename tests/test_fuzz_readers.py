"""Property-based tests of the readers of outside files (hypothesis).

Each reader either returns a valid value (one Soma can save, export or analyse again) or raises
its module's one error type with a one-line message naming the file, never another exception;
and a failed read changes nothing on disk (the file's bytes and the folder's listing).
"""

import json
import math
import os
import struct
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from app.base.jsontext import json_safe
from app.document.partials import Partial, frozen_points, points_problem
from app.files.audio import AudioError, load_audio
from app.files.exchange import FORMATS, ExchangeError, export_partials, import_partials
from app.files.project import ProjectError, load_project, save_project
from app.files.recent import load_recent, recent_path

# Derandomized: the same examples every run, so CI never fails by chance; no example database
# (a failure is reported with its example in the output).
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def _snapshot(folder: Path) -> dict:
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def _read_in_a_folder(name: str, data: bytes, read):
    """read(path) of a file `name` holding `data`, alone in a new folder: (outcome, the
    folder's contents before, after). outcome is the value or the exception raised."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / name).write_bytes(data)
        before = _snapshot(folder)
        try:
            outcome = read(folder / name)
        except Exception as error:  # the test checks its type
            outcome = error
        return outcome, before, _snapshot(folder)


def _assert_clear_failure(error, error_type, name):
    assert isinstance(error, error_type), f"{type(error).__name__}: {error}"
    message = str(error)
    assert name in message and "\n" not in message and len(message) <= 400, message


# ---------------------------------------------------------------- projects


def _valid_project() -> dict:
    return {
        "format": "soma-project",
        "version": 1,
        "audio": None,
        "view": {"start": 0.0, "end": 2.0, "fmin": 20.0, "fmax": 8000.0},
        "settings": {"levels": {"floor": -80.0, "ceiling": 0.0}},
        "nextPartialId": 3,
        "partials": [
            {
                "id": 1,
                "name": "a",
                "color": "#4cc9f0",
                "points": [[0.0, 440.0, -6.0], [0.1, None, None]],
                "source": {},
            },
            {
                "id": 2,
                "name": "b",
                "color": "#f72585",
                "points": [[0.5, 880.0, -20.0]],
                "source": {"hop": 0.01},
            },
        ],
    }


def _places(document, path=()):
    """Every (path of keys and indices) inside `document`, the root included."""
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _places(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _places(value, (*path, index))


def _replaced(document, path, value):
    if not path:
        return value
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], value)
    return copy


def _bare(text: str) -> str:
    """`text` marked to be written into the JSON bare, not as a string (see _unmarked)."""
    return f"@{text}@"


def _unmarked(text: str) -> str:
    return text.replace('"@', "").replace('@"', "")


# Text json.dumps never writes but a file can hold: numbers out of float range, deep nesting.
bare_json = st.one_of(
    st.sampled_from(["1e999", "-1e400", "1e300", "-1e300", "1e-400", "-0.0", "1" + "0" * 400]),
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 3000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
).map(_bare)


@st.composite
def mutated_projects(draw) -> bytes:
    """A valid project with one value replaced by any JSON value, as UTF-8 text."""
    document = _valid_project()
    places = list(_places(document))
    where = draw(st.sampled_from(places))
    numbers = st.floats(allow_nan=False) | st.integers(min_value=-(2**70), max_value=2**70)
    value = draw(json_values | numbers | bare_json)
    return _unmarked(json.dumps(_replaced(document, where, value))).encode("utf-8")


def _check_project(data: bytes):
    outcome, before, after = _read_in_a_folder("p.soma.json", data, load_project)
    if isinstance(outcome, Exception):
        _assert_clear_failure(outcome, ProjectError, "p.soma.json")
        assert after == before
        return
    for partial in outcome.partials:
        assert points_problem(partial.points) == ""
    json.dumps(json_safe([p.to_json() for p in outcome.partials]), allow_nan=False)
    with tempfile.TemporaryDirectory() as folder:  # what loads can be saved and exported
        save_project(outcome, Path(folder) / "again.soma.json")
        assert len(load_project(Path(folder) / "again.soma.json").partials) == len(outcome.partials)
        for fmt in FORMATS:
            export_partials(outcome.partials, Path(folder) / f"out.{fmt}", fmt)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_project(data):
    _check_project(data)


@FUZZ
@given(mutated_projects())
def test_a_project_with_any_value_anywhere(data):
    _check_project(data)


@st.composite
def damaged(draw, valid: bytes) -> bytes:
    """`valid` cut short, or with up to four of its bytes replaced: what a disk, a copy or an
    editor does to a file."""
    if draw(st.booleans()):
        return valid[: draw(st.integers(0, len(valid)))]
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(
            st.integers(0, 255) | st.sampled_from(list(b'-.,;\n 0e"[]{}'))
        )
    return bytes(data)


@FUZZ
@given(damaged(json.dumps(_valid_project()).encode()))
def test_a_damaged_project(data):
    _check_project(data)


# ---------------------------------------------------------------- exchange files


_NUMBER_TOKENS = st.sampled_from(
    [
        "0",
        "1",
        "-1",
        "440",
        "0.5",
        "1e300",
        "-1e999",
        "nan",
        "inf",
        "1,5",
        "",
        " ",
        "x",
        "1e-400",
        "99999999999999999999",
    ]
)


@st.composite
def exchange_texts(draw) -> tuple[str, str]:
    """(format, text): a file of that format whose tokens are drawn from odd values."""
    fmt = draw(st.sampled_from([f for f in FORMATS if f != "sdif"]))  # sdif: sdif_files
    token = lambda: draw(_NUMBER_TOKENS | st.text(max_size=4))  # noqa: E731
    rows = draw(st.integers(0, 6))
    if fmt == "csv":
        separator = draw(st.sampled_from([",", ";", "\t"]))
        header = draw(st.permutations(["partial", "time", "frequency", "amplitude_db"]))
        lines = [separator.join(header)] + [
            separator.join(token() for _ in header) for _ in range(rows)
        ]
    elif fmt == "json":
        points = [
            [draw(json_values | _NUMBER_TOKENS.map(_bare) | bare_json) for _ in range(3)]
            for _ in range(rows)
        ]
        return fmt, _unmarked(json.dumps({"partials": [{"points": points}]}))
    elif fmt == "spear-partials":
        lines = [
            "par-text-partials-format",
            "point-type time frequency amplitude",
            f"partials-count {token()}",
            "partials-data",
            f"0 {token()} {token()} {token()}",
            " ".join(token() for _ in range(rows * 3)),
        ]
    else:
        lines = [
            "par-text-frame-format",
            "point-type index frequency amplitude",
            f"partials-count {token()}",
            f"frame-count {token()}",
            "frame-data",
        ]
        lines += [" ".join([token(), token()] + [token() for _ in range(3)]) for _ in range(rows)]
    return fmt, "\n".join(lines) + "\n"


def _check_exchange(fmt, data: bytes):
    outcome, before, after = _read_in_a_folder(
        "in.txt", data, lambda path: import_partials(path, fmt)
    )
    if isinstance(outcome, Exception):
        _assert_clear_failure(outcome, ExchangeError, "in.txt")
        assert after == before
        return
    for partial in outcome:
        assert points_problem(partial.points) == ""
        assert np.all(np.diff(partial.points[:, 0]) > 0)
    with tempfile.TemporaryDirectory() as folder:  # what imports can be exported again
        for out_fmt in FORMATS:
            export_partials(outcome, Path(folder) / f"out.{out_fmt}", out_fmt)


@FUZZ
@given(st.sampled_from(FORMATS), st.binary(max_size=1000))
def test_any_bytes_as_an_exchange_file(fmt, data):
    _check_exchange(fmt, data)


def _valid_exchange_file(fmt: str) -> bytes:
    points = np.array([[0.0, 440.0, -6.0], [0.01, 441.0, -7.5], [0.02, np.nan, np.nan]])
    partials = [
        Partial(1, "a", "#4cc9f0", frozen_points(points)),
        Partial(2, "b", "#f72585", frozen_points(points * [1, 2, 1])),
    ]
    with tempfile.TemporaryDirectory() as folder:
        export_partials(partials, Path(folder) / "valid", fmt)
        return (Path(folder) / "valid").read_bytes()


@FUZZ
@given(
    st.sampled_from(FORMATS).flatmap(
        lambda fmt: st.tuples(st.just(fmt), damaged(_valid_exchange_file(fmt)))
    )
)
def test_a_damaged_exchange_file(drawn):
    _check_exchange(*drawn)


@FUZZ
@given(exchange_texts())
def test_exchange_files_with_odd_values(drawn):
    fmt, text = drawn
    _check_exchange(fmt, text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- audio


@st.composite
def odd_wavs(draw) -> bytes:
    """A RIFF/WAVE file whose fmt fields, chunk sizes and data are any values."""
    tag = draw(st.sampled_from([1, 3, 0xFFFE, 2, 0, 0x55]) | st.integers(0, 0xFFFF))
    channels = draw(st.sampled_from([0, 1, 2, 6, 1024, 65535]) | st.integers(0, 0xFFFF))
    rate = draw(
        st.sampled_from([0, 1, 999, 8000, 44100, 768_001, 2**32 - 1]) | st.integers(0, 2**32 - 1)
    )
    bits = draw(st.sampled_from([0, 8, 16, 24, 32, 64, 7, 65535]))
    align = draw(st.integers(0, 0xFFFF))
    byte_rate = draw(st.integers(0, 2**32 - 1))
    payload = draw(st.binary(max_size=4000))
    data_size = draw(st.sampled_from([len(payload), 0, 2**32 - 1]) | st.integers(0, 2**32 - 1))
    fmt_chunk = struct.pack("<HHIIHH", tag, channels, rate, byte_rate, align, bits)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt_chunk))
        + fmt_chunk
        + b"data"
        + struct.pack("<I", data_size)
        + payload
    )
    riff_size = draw(st.sampled_from([len(body), 0, 2**32 - 1]))
    return b"RIFF" + struct.pack("<I", riff_size) + body


@FUZZ
@given(odd_wavs())
def test_wav_headers_with_any_values(data):
    outcome, before, after = _read_in_a_folder("odd.wav", data, load_audio)
    assert after == before
    if isinstance(outcome, Exception):
        _assert_clear_failure(outcome, AudioError, "odd.wav")
        return
    assert MIN_SAMPLE_RATE <= outcome.sample_rate <= MAX_SAMPLE_RATE
    assert outcome.samples.dtype == np.float32 and outcome.frames == len(outcome.samples) > 0
    assert np.isfinite(outcome.samples).all()


# ---------------------------------------------------------------- the recent files list


@pytest.fixture
def state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    recent_path().parent.mkdir(parents=True)


@FUZZ
@given(
    st.binary(max_size=500)
    | (json_values | bare_json).map(lambda v: _unmarked(json.dumps(v)).encode())
)
def test_any_recent_list_is_read_or_ignored(state_home, data):
    recent_path().write_bytes(data)
    recent = load_recent()
    assert isinstance(recent, tuple) and all(isinstance(p, str) for p in recent)
    assert recent_path().read_bytes() == data


def test_marked_values_are_written_bare():
    """The JSON texts drawn above really hold bare numbers such as -1e999 (a check of the
    strategy, not of Soma)."""
    text = _unmarked(json.dumps({"p": [_bare("-1e999")]}))
    assert text == '{"p": [-1e999]}' and math.isinf(json.loads(text)["p"][0])


# ---------------------------------------------------------------- SDIF headers

_UINT32 = st.one_of(
    st.integers(0, 8), st.sampled_from([2**31, 2**32 - 1]), st.integers(0, 2**32 - 1)
)
_SDIF_VALUES = st.floats(width=64) | st.sampled_from([0.0, -1.0, 440.0, 1e308])


@st.composite
def sdif_files(draw) -> bytes:
    """An SDIF file whose frame and matrix headers hold any sizes, counts, types and times,
    and whose values may be NaN, infinite or negative: what a damaged file declares."""
    data = struct.pack(">4sIII", b"SDIF", draw(st.sampled_from([8, 0, 2**32 - 1])), 3, 1)
    for _ in range(draw(st.integers(0, 4))):
        signature = draw(st.sampled_from([b"1TRC", b"1HRM", b"1FQ0", b"1NVT", b"XXXX"]))
        matrices = b""
        for _ in range(draw(st.integers(0, 2))):
            rows, columns = draw(st.integers(0, 3)), draw(st.integers(0, 5))
            values = [draw(_SDIF_VALUES) for _ in range(rows * columns)]
            body = struct.pack(f">{len(values)}d", *values)
            declared_rows = draw(st.just(rows) | _UINT32)
            data_type = draw(st.sampled_from([8, 4, 0x0301, 0x0108]) | _UINT32)
            matrices += struct.pack(">4sIII", signature, data_type, declared_rows, columns) + body
        count = draw(st.integers(0, 2) | _UINT32)
        size = draw(st.just(16 + len(matrices)) | _UINT32)
        time = draw(st.floats(width=64))
        data += struct.pack(">4sIdII", signature, size, time, 0, count) + matrices
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


@FUZZ
@given(sdif_files())
def test_sdif_files_with_any_header_values(data):
    tracemalloc.start()
    try:
        _check_exchange("sdif", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak} bytes for a file of {len(data)}"


# ---- the fast paths of reading JSON and a project's points, against the careful ones

point_values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=True, width=64)
    | st.sampled_from(["440", "", 1e308, -1e308, 10**400])
)
point_times = st.sampled_from([0.0, 0.005, 0.5, 1.0, 1.25]) | st.floats(0, 100)
point_rows = st.lists(
    st.one_of(
        st.lists(point_values, min_size=3, max_size=3),
        st.lists(point_values, max_size=4),
        st.tuples(point_times, st.floats(0, 20000), st.floats(-150, 0)).map(list),
        st.tuples(point_times, st.none(), st.none()).map(list),
    ),
    max_size=8,
)


@FUZZ
@given(rows=point_rows, sort=st.booleans())
def test_a_projects_points_checked_together_or_one_by_one_agree(rows, sort):
    # _well_formed_points (the checks on arrays) gives the points the row-by-row checks give,
    # bit for bit, and declines (None) exactly where they refuse.
    from app.files.project import _checked_rows, _well_formed_points

    if sort:  # mostly valid: times in order
        rows = sorted(rows, key=lambda r: r[0] if r and type(r[0]) is float else 0.0)
    fast = _well_formed_points(rows)
    try:
        careful = _checked_rows(rows, "points", "p.soma.json")
    except ProjectError:
        assert fast is None
        return
    assert fast is not None and fast.dtype == np.float64
    np.testing.assert_array_equal(fast, careful)
    assert fast.tobytes() == careful.tobytes()


@FUZZ
@given(
    number=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.integers(0, 400).map(lambda d: "1" + "0" * d + ".5"),
        st.integers(0, 400).map(lambda e: f"1.5e{e}"),
        st.integers(0, 400).map(lambda e: f"-2E+0{e}"),
        st.tuples(st.integers(150, 260), st.integers(50, 120)).map(
            lambda de: "9" * de[0] + f"e{de[1]}"
        ),
    ),
    digits_in_a_string=st.booleans(),
)
def test_parse_json_refuses_exactly_the_numbers_json_reads_as_infinite(number, digits_in_a_string):
    # parse_json reads most texts with json's own float parsing and only some number by
    # number (app.base.jsontext._may_hold_infinity; 250 digits in a string make it): the same
    # values either way, and an infinity refused by name.
    from app.base.jsontext import parse_json

    text = f'{{"x": [{number}], "s": "{"7" * (250 if digits_in_a_string else 3)}"}}'
    value = float(number)
    if math.isinf(value):
        with pytest.raises(ValueError, match="out of range"):
            parse_json(text)
    else:
        assert parse_json(text)["x"][0] == value

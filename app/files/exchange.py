"""Partials to and from other programs: CSV, JSON, SPEAR's two text formats and SDIF.

Units everywhere in Soma: time in seconds, frequency in Hz, amplitude in dBFS. SPEAR stores
linear amplitude (1.0 = full scale): export writes 10 ** (dB / 20), import reads 20 * log10(a),
with amplitude 0 (or anything below it) read as FLOOR_DB. Numbers are written with Python's
repr, the shortest text that reads back as the same float, so a round trip is exact up to the
dB <-> linear conversion (well under 1e-9 dB).

csv — one row per point, comma separated, UTF-8, a header first:

    partial,name,time,frequency,amplitude_db
    3,Partial 3,0.01,440.0,-12.5

  `partial` is the partial's id (names need not be unique, so rows are grouped by this column),
  `name` its name. Points below the noise (NaN) are left out, so a gap reads back as a straight
  line across it. Reading: columns in any order, case-insensitive; time, frequency and
  amplitude_db are required; without `partial` all rows are one partial; without `name` the
  name is the `partial` value when that is not a number. Tolerated: a BOM, blank lines, CRLF,
  ';' or tab as separator (a ';' in the header line means ';'), and decimal commas when the
  separator is ';'.

json — {"partials": [{"name": "...", "color": "#rrggbb", "points": [[t, f, a], ...]}, ...]}
  with null for the frequency and amplitude of a point below the noise, so gaps survive. A
  .soma.json project has the same "partials" list and imports too. Reading: name and color
  are optional (default name, default_color).

spear-partials — SPEAR's par-text-partials-format (klingbeil.com/spear/formats):

    par-text-partials-format
    point-type time frequency amplitude
    partials-count 2
    partials-data
    0 3 0.5 0.7                      <- index, point count, start time, end time
    0.5 440 0.1 0.6 441 0.1 0.7 442 0.1     <- point count x (time frequency amplitude)
    1 2 ...

spear-frames — SPEAR's par-text-frame-format, one line per frame time:

    par-text-frame-format
    point-type index frequency amplitude
    partials-count 2
    frame-count 3
    frame-data
    0.5 2 0 440 0.1 1 880 0.05       <- time, n, then n x (index frequency amplitude)

  Import joins the points of each index across frames into one partial.

sdif — binary SDIF (app/files/sdif.py has the layout): export writes 1TRC frames of (Index,
  Frequency, linear Amplitude, Phase 0), split at gaps like SPEAR, with a 1NVT header naming
  Soma, the source recording and the date. Import reads 1TRC and 1HRM frames, joining points by
  index, with a gap where an index is absent from a frame between two of its points, and a 1FQ0
  fundamental track as one partial at full scale (frequency 0, unvoiced, is a gap). Extra
  columns are ignored; other frame and matrix types are skipped with one log line naming them.

SPEAR has no gaps: export splits a partial at its NaN points into separate SPEAR partials
(a lone point between two gaps becomes a one-point SPEAR partial). SPEAR readers tolerate
decimal commas, extra whitespace and blank lines, CRLF, a header line "partials" instead of
"partials-data", unknown header lines, extra point-type columns (ignored), and point lines
wrapped over several lines. The counts in the header must match the data: a file that ends
early is an error, not a silently shorter list. They are never used to allocate anything, so a
huge count costs nothing.

Common import rules: points are sorted by time; of several points with the same time the last
one in the file is kept (a re-analysis appended to a file wins). A partial with fewer than
MIN_POINTS points that have a value is skipped and logged (a warning naming how many); it
cannot be drawn or edited as a track. Imported partials get ids first_id, first_id + 1, ... in
file order, the name from the file or "Partial <id>", default_color(id) unless the file has a
color, and source {"imported": "<format>", "file": "<file name>"}. Text that is not UTF-8 is
read as Latin-1 (spreadsheets on Windows), so it never fails on encoding alone.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import orjson

from app.base.errors import SomaError, one_line
from app.base.files import read_limited, write_atomic
from app.base.formats import is_color
from app.base.jsontext import finite_float, is_number, parse_json
from app.document.partials import (
    Partial,
    default_color,
    frozen_points,
    points_problem,
)
from app.files.sdif import SdifError, read_sdif, sdif_bytes

log = logging.getLogger(__name__)

FORMATS = ("csv", "json", "spear-partials", "spear-frames", "sdif")
FLOOR_DB = -200.0  # dBFS given to SPEAR amplitude 0, which has no logarithm
MIN_POINTS = 2
_FLOOR_LINEAR = 10.0 ** (FLOOR_DB / 20.0)
_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")
_INT = re.compile(r"[+-]?\d{1,18}")  # 18 digits fit an int64; more is junk, not a count
_CSV_COLUMNS = ("partial", "name", "time", "frequency", "amplitude_db")
_SPEAR_PARTIALS = "par-text-partials-format"
_SPEAR_FRAMES = "par-text-frame-format"


class ExchangeError(SomaError):
    """One line naming the file and the problem (with the line number for text formats)."""


class _Source:
    """The file being read: its name for messages, and how to fail with a line number."""

    def __init__(self, path) -> None:
        self.path = os.fspath(path)

    def fail(self, problem: str, line: int | None = None) -> ExchangeError:
        where = f"{self.path}: line {line}: " if line is not None else f"{self.path}: "
        return ExchangeError(one_line(where + problem, 400))

    def number(self, token: str, what: str, line: int, decimal_comma: bool) -> float:
        text = token.strip()
        if decimal_comma:
            text = text.replace(",", ".")
        if not _FLOAT.fullmatch(text):
            raise self.fail(f"{what} {one_line(repr(token), 30)} is not a number", line)
        value = finite_float(float(text))
        if value is None:
            raise self.fail(f"{what} {one_line(repr(token), 30)} is out of range", line)
        return value

    def count(self, token: str, what: str, line: int) -> int:
        if not _INT.fullmatch(token):
            raise self.fail(f"{what} {one_line(repr(token), 30)} is not a whole number", line)
        value = int(token)
        if value < 0:
            raise self.fail(f"{what} {value} is negative", line)
        return value


# ---------------------------------------------------------------- export


def _checked(partials: Sequence[Partial], path) -> list[np.ndarray]:
    """Each partial's points, refusing values no format can carry (inf, a NaN time)."""
    arrays = []
    for partial in partials:
        points = np.asarray(partial.points, dtype=np.float64).reshape(-1, 3)
        valued = ~np.isnan(points[:, 1])
        if not (np.isfinite(points[:, 0]).all() and np.isfinite(points[valued, 1:]).all()):
            raise ExchangeError(
                one_line(
                    f"{os.fspath(path)}: cannot export partial {partial.id}: non-finite values", 400
                )
            )
        arrays.append(points)
    return arrays


def _runs(points: np.ndarray) -> list[np.ndarray]:
    """The stretches of `points` between NaN gaps, each without NaN."""
    valued = ~(np.isnan(points[:, 1]) | np.isnan(points[:, 2]))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], valued.astype(np.int8), [0]))))
    return [points[start:stop] for start, stop in zip(edges[::2], edges[1::2], strict=True)]


def _num(value: float) -> str:
    return repr(float(value))


def _linear(db):
    """Linear amplitude of dBFS (a float or an array)."""
    return 10.0 ** (db / 20.0)


def _write_sdif(partials, arrays, source_name) -> bytes:
    runs = [run for points in arrays for run in _runs(points)]
    linear = [np.column_stack((run[:, :2], _linear(run[:, 2]))) for run in runs]
    names = {
        "creator": "Soma",
        "source": one_line(source_name or "unknown").replace("\t", " "),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return sdif_bytes(linear, names)


def _utf8(write):
    """A text writer as a writer of bytes that ignores the source name."""
    return lambda partials, arrays, source_name: write(partials, arrays).encode("utf-8")


def _write_csv(partials, arrays) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for partial, points in zip(partials, arrays, strict=True):
        for t, f, a in points.tolist():
            if not (math.isnan(f) or math.isnan(a)):
                writer.writerow((partial.id, partial.name, _num(t), _num(f), _num(a)))
    return out.getvalue()


def _write_json(partials, arrays, source_name) -> bytes:
    # The points go to orjson as float64 arrays: a gap's NaN is written null, as
    # points_to_json writes it (``_checked`` refused infinities, which orjson would also
    # write null); each float in its shortest form that reads back exactly, as json's repr.
    document = {
        "partials": [
            {"name": p.name, "color": p.color, "points": np.ascontiguousarray(points)}
            for p, points in zip(partials, arrays, strict=True)
        ]
    }
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE)


def _write_spear_partials(partials, arrays) -> str:
    runs = [run for points in arrays for run in _runs(points)]
    lines = [
        _SPEAR_PARTIALS,
        "point-type time frequency amplitude",
        f"partials-count {len(runs)}",
        "partials-data",
    ]
    for index, run in enumerate(runs):
        lines.append(f"{index} {len(run)} {_num(run[0, 0])} {_num(run[-1, 0])}")
        lines.append(
            " ".join(f"{_num(t)} {_num(f)} {_num(_linear(a))}" for t, f, a in run.tolist())
        )
    return "\n".join(lines) + "\n"


def _write_spear_frames(partials, arrays) -> str:
    runs = [run for points in arrays for run in _runs(points)]
    frames: dict[float, list[str]] = {}
    for index, run in enumerate(runs):
        for t, f, a in run.tolist():
            frames.setdefault(t, []).append(f"{index} {_num(f)} {_num(_linear(a))}")
    lines = [
        _SPEAR_FRAMES,
        "point-type index frequency amplitude",
        f"partials-count {len(runs)}",
        f"frame-count {len(frames)}",
        "frame-data",
    ]
    for t in sorted(frames):
        lines.append(f"{_num(t)} {len(frames[t])} " + " ".join(frames[t]))
    return "\n".join(lines) + "\n"


_WRITERS = {
    "csv": _utf8(_write_csv),
    "json": _write_json,
    "spear-partials": _utf8(_write_spear_partials),
    "spear-frames": _utf8(_write_spear_frames),
    "sdif": _write_sdif,
}


def format_for_path(path) -> str | None:
    """The format a file name asks for: .csv, .json, .sdif, NAME-frames.txt (spear-frames) or
    another .txt (spear-partials); None for any other name."""
    name = Path(path).name.lower()
    if name.endswith("-frames.txt"):
        return "spear-frames"
    suffixes = {".csv": "csv", ".json": "json", ".sdif": "sdif", ".txt": "spear-partials"}
    return suffixes.get(Path(name).suffix)


def export_partials(
    partials: Sequence[Partial], path, fmt: str, *, source_name: str | None = None
) -> None:
    """Write `partials` to `path` in format `fmt` (one of FORMATS), replacing the file atomically.

    source_name: the recording the partials were traced on, for formats that name it (sdif).

    Raises ExchangeError for an unknown format, values no format can carry, or a write error.
    """
    if fmt not in _WRITERS:
        raise ExchangeError(
            f"{os.fspath(path)}: unknown format {fmt!r}; one of {', '.join(FORMATS)}"
        )
    data = _WRITERS[fmt](partials, _checked(partials, path), source_name)
    try:
        write_atomic(path, data)
    except OSError as error:
        raise ExchangeError(
            one_line(f"{os.fspath(path)}: cannot write: {error.strerror or error}", 400)
        ) from None


# ---------------------------------------------------------------- import

# What a reader returns per partial: (name or None, color or None, points (n, 3) [s, Hz, dBFS]
# in file order, NaN for a point without value).
_Track = tuple[str | None, str | None, np.ndarray]


def _to_db(linear):
    """dBFS of linear amplitudes (a float or an array, none negative); 0 reads as FLOOR_DB."""
    return 20.0 * np.log10(np.maximum(linear, _FLOOR_LINEAR))


def _db(linear: float, source: _Source, line: int) -> float:
    if linear < 0:
        raise source.fail(f"amplitude {linear!r} is negative", line)
    return float(_to_db(linear))


def _tokens(lines: list[str], start: int) -> Iterator[tuple[str, int]]:
    """Whitespace-separated tokens of lines[start:], each with its 1-based line number."""
    for number in range(start, len(lines)):
        for token in lines[number].split():
            yield token, number + 1


def _spear_header(
    lines: list[str],
    source: _Source,
    magic: str,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    markers: tuple[str, ...],
):
    """Parse a SPEAR header; returns (first data line index, column positions, values per
    point, counts by key).

    `columns` must all appear in point-type; positions are in that order. Every key in `keys`
    must have a count; the header ends at a line equal to one of `markers`.
    """
    counts: dict[str, int] = {}
    point_type = None
    seen_magic = False
    for number, raw in enumerate(lines):
        words = raw.split()
        if not words:
            continue
        if not seen_magic:
            if words != [magic]:
                raise source.fail(
                    f"expected {magic!r}, found {one_line(repr(raw), 40)}", number + 1
                )
            seen_magic = True
        elif words[0] in markers and len(words) == 1:
            if point_type is None:
                raise source.fail("no point-type line before the data", number + 1)
            missing = [k for k in keys if k not in counts]
            if missing:
                raise source.fail(f"no {missing[0]} line before the data", number + 1)
            return number + 1, [point_type.index(c) for c in columns], len(point_type), counts
        elif words[0] == "point-type":
            point_type = words[1:]
            if len(set(point_type)) != len(point_type) or not set(columns) <= set(point_type):
                raise source.fail(f"point-type must list {' '.join(columns)}", number + 1)
        elif words[0] in keys:
            if len(words) != 2:
                raise source.fail(f"{words[0]} needs one number", number + 1)
            counts[words[0]] = source.count(words[1], words[0], number + 1)
        # other header lines: unknown to this reader, and nothing in the data depends on them
    if not seen_magic:
        raise source.fail("the file is empty")
    raise source.fail(f"the file ends in the header (no {markers[0]!r} line)")


def _read_spear_partials(text: str, source: _Source) -> list[_Track]:
    lines = text.splitlines()
    start, (ti, fi, ai), width, counts = _spear_header(
        lines,
        source,
        _SPEAR_PARTIALS,
        ("time", "frequency", "amplitude"),
        ("partials-count",),
        ("partials-data", "partials"),
    )
    stream = _tokens(lines, start)
    expected = counts["partials-count"]
    last_line = len(lines)
    tracks = []

    def take(what: str) -> tuple[str, int]:
        try:
            return next(stream)
        except StopIteration:
            raise source.fail(
                f"the file ends early: {what} (partial {len(tracks) + 1} of "
                f"{expected}); truncated?",
                last_line,
            ) from None

    for _ in range(expected):
        token, line = take("the partial's index")
        source.count(token, "partial index", line)
        token, line = take("the point count")
        n = source.count(token, "point count", line)
        for what in ("start time", "end time"):
            token, line = take(f"the {what}")
            source.number(token, what, line, decimal_comma=True)
        rows = []
        for _ in range(n):
            values = []
            for _ in range(width):
                token, line = take(f"a point ({n} announced)")
                values.append(source.number(token, "value", line, decimal_comma=True))
            rows.append((values[ti], values[fi], _db(values[ai], source, line)))
        tracks.append((None, None, np.array(rows, dtype=np.float64).reshape(-1, 3)))
    extra = next(stream, None)
    if extra is not None:
        raise source.fail(f"more data after the {expected} partials the header announces", extra[1])
    return tracks


def _read_spear_frames(text: str, source: _Source) -> list[_Track]:
    lines = text.splitlines()
    start, (ii, fi, ai), width, counts = _spear_header(
        lines,
        source,
        _SPEAR_FRAMES,
        ("index", "frequency", "amplitude"),
        ("partials-count", "frame-count"),
        ("frame-data",),
    )
    by_index: dict[int, list[tuple[float, float, float]]] = {}
    frames = 0
    for number in range(start, len(lines)):
        words = lines[number].split()
        if not words:
            continue
        line = number + 1
        frames += 1
        if frames > counts["frame-count"]:
            raise source.fail(f"more frames than the {counts['frame-count']} announced", line)
        if len(words) < 2:
            raise source.fail("a frame needs a time and a point count", line)
        t = source.number(words[0], "time", line, decimal_comma=True)
        n = source.count(words[1], "point count", line)
        if len(words) != 2 + n * width:
            raise source.fail(
                f"{n} points announced, {len(words) - 2} values follow "
                f"(need {n * width}); truncated?",
                line,
            )
        for k in range(n):
            point = words[2 + k * width : 2 + (k + 1) * width]
            index = source.count(point[ii], "partial index", line)
            f = source.number(point[fi], "frequency", line, decimal_comma=True)
            a = _db(source.number(point[ai], "amplitude", line, decimal_comma=True), source, line)
            if index not in by_index and len(by_index) == counts["partials-count"]:
                raise source.fail(
                    f"more partials than the {counts['partials-count']} announced", line
                )
            by_index.setdefault(index, []).append((t, f, a))
    if frames != counts["frame-count"]:
        raise source.fail(
            f"the file ends after {frames} of {counts['frame-count']} frames; truncated?",
            len(lines),
        )
    return [(None, None, np.array(rows, dtype=np.float64)) for rows in by_index.values()]


def _sniff_separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    if ";" in header:
        return ";"
    if "\t" in header and "," not in header:
        return "\t"
    return ","


def _read_csv(text: str, source: _Source) -> list[_Track]:
    separator = _sniff_separator(text)
    decimal_comma = separator == ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    groups: dict[str, tuple[str | None, list]] = {}
    columns = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(field.strip() for field in row):
                continue
            if columns is None:
                names = [field.strip().lower() for field in row]
                if len(set(names)) != len(names):
                    raise source.fail("the header names a column twice", line)
                missing = [c for c in ("time", "frequency", "amplitude_db") if c not in names]
                if missing:
                    raise source.fail(
                        f"the header has no {missing[0]!r} column "
                        f"(expected {','.join(_CSV_COLUMNS)})",
                        line,
                    )
                columns = {name: k for k, name in enumerate(names)}
                continue
            if len(row) != len(columns):
                raise source.fail(f"{len(row)} fields, the header has {len(columns)}", line)
            t = source.number(row[columns["time"]], "time", line, decimal_comma)
            f = source.number(row[columns["frequency"]], "frequency", line, decimal_comma)
            a = source.number(row[columns["amplitude_db"]], "amplitude_db", line, decimal_comma)
            key = row[columns["partial"]].strip() if "partial" in columns else ""
            name = row[columns["name"]].strip() if "name" in columns else None
            groups.setdefault(key, (name, []))[1].append((t, f, a))
    except csv.Error as error:
        raise source.fail(f"not valid CSV: {error}", reader.line_num) from None
    if columns is None:
        raise source.fail("no header line (expected " + ",".join(_CSV_COLUMNS) + ")")
    tracks = []
    for key, (name, rows) in groups.items():
        if name is None and key and not _INT.fullmatch(key):
            name = key  # a file that groups by name
        tracks.append((name or None, None, np.array(rows, dtype=np.float64)))
    return tracks


def _json_value(value, what: str, source: _Source) -> float:
    if not is_number(value):
        raise source.fail(f"{what} must be a number")
    number = finite_float(value)
    if number is None:
        raise source.fail(f"{what} must be finite")
    return number


def _read_json(text: str, source: _Source) -> list[_Track]:
    try:
        document = parse_json(text)
    except json.JSONDecodeError as error:
        raise source.fail(f"not valid JSON: {error.msg}", error.lineno) from None
    except ValueError as error:
        raise source.fail(f"not valid JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("partials"), list):
        raise source.fail('expected an object with a "partials" list')
    tracks = []
    for k, item in enumerate(document["partials"]):
        what = f"partials[{k}]"
        if not isinstance(item, dict) or not isinstance(item.get("points"), list):
            raise source.fail(f'{what} must be an object with a "points" list')
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise source.fail(f"{what} name must be a string")
        color = item.get("color")
        if color is not None and not is_color(color):
            raise source.fail(f"{what} color must be '#rrggbb'")
        rows = []
        for j, point in enumerate(item["points"]):
            where = f"{what} points[{j}]"
            if not isinstance(point, list) or len(point) != 3:
                raise source.fail(f"{where} must be [time, frequency, amplitude]")
            t = _json_value(point[0], f"{where} time", source)
            if point[1] is None and point[2] is None:
                rows.append((t, math.nan, math.nan))
                continue
            if point[1] is None or point[2] is None:
                raise source.fail(f"{where}: frequency and amplitude are null together or not")
            rows.append(
                (
                    t,
                    _json_value(point[1], f"{where} frequency", source),
                    _json_value(point[2], f"{where} amplitude", source),
                )
            )
        tracks.append((name or None, color, np.array(rows, dtype=np.float64).reshape(-1, 3)))
    return tracks


def _read_sdif(data: bytes, source: _Source) -> list[_Track]:
    try:
        contents = read_sdif(data)
    except SdifError as error:
        raise source.fail(str(error)) from None
    if contents.skipped:
        log.warning("%s: skipped SDIF types %s", source.path, ", ".join(contents.skipped))
    return [
        (None, None, np.column_stack((points[:, :2], _to_db(points[:, 2]))))
        for points in contents.tracks
    ]


def _text(data: bytes) -> str:
    """Text that is not UTF-8 is read as Latin-1 (spreadsheets on Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _from_text(read):
    """A reader of text as a reader of the file's bytes."""
    return lambda data, source: read(_text(data), source)


_READERS = {
    "csv": _from_text(_read_csv),
    "json": _from_text(_read_json),
    "spear-partials": _from_text(_read_spear_partials),
    "spear-frames": _from_text(_read_spear_frames),
    "sdif": _read_sdif,
}


def _guess(path: Path, data: bytes, source: _Source) -> str:
    """The format by content (SDIF's signature, SPEAR's first line, a JSON object), else by
    file extension."""
    if data.startswith(b"SDIF") or path.suffix.lower() == ".sdif":
        return "sdif"
    text = _text(data)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith(_SPEAR_PARTIALS):
        return "spear-partials"
    if first.startswith(_SPEAR_FRAMES):
        return "spear-frames"
    if first.startswith("{"):
        return "json"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".json"):
        return suffix[1:]
    if "time" in first.lower() and any(s in first for s in ",;\t"):
        return "csv"
    raise source.fail(f"cannot tell the format; choose one of {', '.join(FORMATS)}")


def _cleaned(points: np.ndarray) -> np.ndarray:
    """Points sorted by time, of equal times the last in file order, NaN rows kept."""
    if len(points) == 0:
        return points
    points = points[np.argsort(points[:, 0], kind="stable")]
    last_of_time = np.append(points[1:, 0] != points[:-1, 0], True)
    return points[last_of_time]


def import_partials(path, fmt: str | None = None, *, first_id: int = 1) -> list[Partial]:
    """Read the partials in the file at `path`; `fmt` one of FORMATS, or None to guess.

    Returns the partials with ids first_id, first_id + 1, ... (see the module docstring for
    names, colors, sources and what is skipped). Raises ExchangeError for anything it cannot
    read; never another exception type for bad content.
    """
    path = Path(path)
    source = _Source(path)
    if fmt is not None and fmt not in _READERS:
        raise source.fail(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if isinstance(first_id, bool) or not isinstance(first_id, int) or first_id < 1:
        raise source.fail(f"first_id must be a positive integer, not {first_id!r}")
    try:
        data = read_limited(path)
    except OSError as error:
        raise source.fail(f"cannot read: {error.strerror or error}") from None
    fmt = fmt or _guess(path, data, source)
    partials = []
    skipped = 0
    for number, (name, color, points) in enumerate(_READERS[fmt](data, source), 1):
        problem = points_problem(points)
        if problem:
            raise source.fail(f"partial {number}, {problem}")
        points = _cleaned(points)
        if np.count_nonzero(~np.isnan(points[:, 1])) < MIN_POINTS:
            skipped += 1
            continue
        partial_id = first_id + len(partials)
        partials.append(
            Partial(
                id=partial_id,
                name=name or f"Partial {partial_id}",
                color=color or default_color(partial_id),
                points=frozen_points(points),
                source={"imported": fmt, "file": path.name},
            )
        )
    if skipped:
        log.warning(
            "%s: skipped %d partial(s) with fewer than %d points", path, skipped, MIN_POINTS
        )
    return partials

"""The .soma.json project file: the audio it belongs to, the view, the settings and the partials.

Layout (UTF-8 JSON, one object; written with allow_nan=False, so never a NaN/Infinity token):

    {
      "format": "soma-project",
      "version": 2,
      "audio": {                        # or null for a project without audio
        "path": "sounds/a.wav",         # relative to the project file's folder, '/' separated;
                                        #   null when there is none (another Windows drive)
        "absolutePath": "/home/u/p/sounds/a.wav",   # fallback when the relative path fails
        "size": 123456,                 # bytes, or null
        "sha256": "9f86d0..."           # 64 lowercase hex digits, or null
      },
      "view": {"start": 0.0, "end": 2.5, "fmin": 20.0, "fmax": 8000.0},   # s, s, Hz, Hz; or null
      "settings": {"levels": {"floor": -80.0, "ceiling": 0.0},     # any JSON object; Soma
                   "display": {"method": "auto", "windowMs": null, "hopMs": null,
                               "q": 16.0, "colormap": "magma"}},
                                        #   keeps the colour levels (dBFS) and the display
                                        #   settings (app.document.display) here
      "nextPartialId": 7,               # greater than every id: ids are never reused
      "partials": [
        {"id": 3, "name": "Partial 3", "color": "#4cc9f0",
         "points": "exQUrkfhej8AAAAAAIB7QAAAAAAAACnA...",   # base64, see below
         "source": {...}}               # any JSON object
      ]
    }

A partial's points are base64 (standard alphabet, padded) of its rows [time s, frequency Hz,
amplitude dBFS] as little-endian float64, row after row: as exact as the numbers in memory,
24 bytes a point (32 in base64), where JSON rows took about 49 characters and ten times the
time to write and read (a tracked 10-minute file: 2.4 million points, 117 MB saved in 10 s and
loaded in 8 s). Version 1 wrote them as JSON rows, ``[[0.01, 440.0, -12.5], [0.02, null,
null], ...]``, which Soma still reads. A point whose frequency and amplitude are NaN (null in
version 1) is a point below the noise; its time is kept so the gap shows. Times are finite
and non-decreasing within a partial; frequencies and amplitudes finite elsewhere (the rules
of app.document.partials.points_problem). A project holds at most MAX_PROJECT_BYTES, and
Soma does not save one larger than it would read.

Where the audio is looked for on load: the relative path first (so a project folder moved or
copied as a whole keeps working), then absolutePath, and if neither exists the relative one is
reported anyway so the caller can say "missing". `audio_fingerprint` tells a different file from
the same one.

Saving is atomic (app.base.files.write_atomic): the whole text is built and validated in memory,
written to a temporary file beside the file (beside the file a symlink points to), flushed and
fsync'ed, then os.replace'd over the old file, and the folder is fsync'ed (POSIX) so the rename
itself survives a power cut. A failure at any step leaves the previous file untouched and
removes the temporary file; one left by a Soma killed mid-save is removed by the next save.

Recovery (autosave) files live in the user's state folder, never next to the project:
$XDG_STATE_HOME/soma/recovery (default ~/.local/state/soma/recovery; %LOCALAPPDATA%\\soma\\
recovery on Windows), named '<stem>-<16 hex of sha256(key)>.soma.json' where the key is the
absolute project path, else the absolute audio path for an unsaved project, else 'untitled'.
Why not next to the project: the project's folder may be read-only, shared or synced (a stray
hidden file would travel with it), and an unsaved project has no folder at all.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.base.errors import SomaError, one_line
from app.base.files import open_regular, read_limited, remove_stale_temporaries, write_atomic
from app.base.formats import PROJECT_SUFFIX, is_color, is_project_path, without_project_suffix
from app.base.jsontext import finite_float, is_number, parse_json
from app.base.places import state_dir
from app.document.partials import (
    Partial,
    frozen_points,
    points_from_base64,
    points_problem,
    points_to_base64,
)

SCHEMA_VERSION = 2
# The largest project file read or written: a tracked hour of a 20-harmonic voice (14 million
# points) is about 460 MB.
MAX_PROJECT_BYTES = 2**30
FORMAT_NAME = "soma-project"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_VIEW_KEYS = ("start", "end", "fmin", "fmax")


class ProjectError(SomaError):
    """A project file Soma cannot read or write; str() is one line naming the file."""


@dataclass(frozen=True)
class Project:
    """One project, as saved to and loaded from a .soma.json file.

    audio_path : absolute path of the audio file, or None
    audio_size : bytes, or None
    audio_sha256 : 64 lowercase hex digits, or None; with audio_size tells whether the file at
        audio_path is still the one the partials were traced on
    view : {"start": s, "end": s, "fmin": Hz, "fmax": Hz}, or None
    settings : JSON-able dict, e.g. {"q": 12}
    partials : the partials, in list order
    next_partial_id : the id the next new partial gets; greater than every id (never reused)
    """

    audio_path: str | None = None
    audio_size: int | None = None
    audio_sha256: str | None = None
    view: dict | None = None
    settings: dict = field(default_factory=dict)
    partials: tuple[Partial, ...] = ()
    next_partial_id: int = 1


def _fail(path, problem: str) -> ProjectError:
    return ProjectError(one_line(f"{os.fspath(path)}: {problem}", 400))


# ---------------------------------------------------------------- encoding


def _encode(project: Project, path: Path) -> dict:
    audio = None
    if project.audio_path is not None:
        absolute = os.path.abspath(project.audio_path)
        try:
            relative = Path(os.path.relpath(absolute, path.parent)).as_posix()
        except ValueError:  # Windows: audio on another drive has no relative path
            relative = None
        audio = {
            "path": relative,
            "absolutePath": absolute,
            "size": project.audio_size,
            "sha256": project.audio_sha256,
        }
    return {
        "format": FORMAT_NAME,
        "version": SCHEMA_VERSION,
        "audio": audio,
        "view": project.view,
        "settings": project.settings,
        "nextPartialId": project.next_partial_id,
        "partials": [encode_partial(p) for p in project.partials],
    }


def encode_partial(partial: Partial) -> dict:
    """A partial as a project file holds it (points as base64 float64 rows, gaps NaN); dev
    mode's state file holds its partials the same way, and reads them back with the same
    decoder."""
    return {
        "id": partial.id,
        "name": partial.name,
        "color": partial.color,
        "points": points_to_base64(partial.points),
        "source": partial.source,
    }


def save_project(project: Project, path) -> None:
    """Write `project` to `path` atomically; raises ProjectError, the old file then intact.

    The document is validated with the same rules load_project applies before anything touches
    the disk, so Soma never writes a project it could not read back. Through a symlink, the
    file it points to is written, and the audio path is relative to that file's folder.
    """
    path = Path(os.path.realpath(path))
    document = _encode(project, path)
    try:
        text = json.dumps(document, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError:  # json's words for it ("Out of range float values") say little
        raise _fail(
            path,
            "cannot save: a value is infinite or NaN outside the points' "
            "frequency and amplitude, and JSON has no such numbers",
        ) from None
    except (TypeError, RecursionError) as error:
        raise _fail(path, f"cannot save: {error}") from None
    data = text.encode("utf-8") + b"\n"
    if len(data) > MAX_PROJECT_BYTES:
        raise _fail(
            path,
            f"cannot save: {len(data) / 2**20:.0f} MiB, more than the "
            f"{MAX_PROJECT_BYTES / 2**20:.0f} MiB a project may hold; delete some partials",
        )
    _decode(json.loads(text), path)
    try:
        write_atomic(path, data)
    except OSError as error:
        raise _fail(path, f"cannot save: {error.strerror or error}") from None


# ---------------------------------------------------------------- decoding


def _number(value, what: str, path) -> float:
    """A finite float from a JSON int or float (bool is not a number here)."""
    if not is_number(value):
        raise _fail(path, f"{what} must be a number, not {type(value).__name__}")
    number = finite_float(value)
    if number is None:
        raise _fail(path, f"{what} must be finite")
    return number


def _integer(value, what: str, path, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"{what} must be an integer, not {type(value).__name__}")
    if value < minimum:
        raise _fail(path, f"{what} must be at least {minimum}, not {value}")
    return value


def _object(value, what: str, path) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, f"{what} must be an object, not {type(value).__name__}")
    return value


def _optional_str(value, what: str, path) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _fail(path, f"{what} must be a string or null")
    return value


# What a point's values may be in JSON: numbers, or null for a gap's frequency and amplitude.
_POINT_VALUE_TYPES = frozenset((int, float, type(None)))


def _decode_points(value, what: str, path) -> np.ndarray:
    if isinstance(value, str):
        return _decoded_base64(value, what, path)
    if not isinstance(value, list):
        raise _fail(path, f"{what} must be base64 of float64 rows or a list of rows")
    points = _well_formed_points(value)
    return frozen_points(_checked_rows(value, what, path) if points is None else points)


def _decoded_base64(value: str, what: str, path) -> np.ndarray:
    """Version 2's points (see the module docstring), checked as version 1's are."""
    try:
        points = points_from_base64(value)
    except ValueError as error:  # binascii.Error is one
        raise _fail(
            path, f"{what}: not base64 of float64 [time, frequency, amplitude] rows ({error})"
        ) from None
    problem = _points_problem(points)
    if problem:
        raise _fail(path, f"{what}, {problem}")
    return points


def _points_problem(points: np.ndarray) -> str:
    """Why float64 (n, 3) points cannot be a partial's in a project, or "": points_problem
    holds the rules on values (a null time, a lone null: NaN here); only the times' order is
    the file's own."""
    problem = points_problem(points)
    if problem:
        return problem
    decreasing = np.flatnonzero(np.diff(points[:, 0]) < 0)
    return f"point {decreasing[0] + 1}: times must not decrease" if decreasing.size else ""


def _checked_rows(value: list, what: str, path) -> np.ndarray:
    """``value``'s rows checked one by one, as float64 (n, 3) points: raises the ProjectError
    naming the first bad one (what ``_well_formed_points`` does not say)."""
    rows = []
    previous = -math.inf
    for k, row in enumerate(value):
        where = f"{what}[{k}]"
        if not isinstance(row, list) or len(row) != 3:
            raise _fail(path, f"{where} must be [time, frequency, amplitude]")
        t = _number(row[0], f"{where} time", path)
        if t < previous:
            raise _fail(path, f"{where}: times must not decrease")
        previous = t
        if row[1] is None and row[2] is None:
            rows.append((t, math.nan, math.nan))
        elif row[1] is None or row[2] is None:
            raise _fail(path, f"{where}: frequency and amplitude are null together or not at all")
        else:
            rows.append(
                (
                    t,
                    _number(row[1], f"{where} frequency", path),
                    _number(row[2], f"{where} amplitude", path),
                )
            )
    points = np.array(rows, dtype=np.float64).reshape(-1, 3)
    problem = points_problem(points)
    if problem:
        raise _fail(path, f"{what}, {problem}")
    return points


def _well_formed_points(rows: list) -> np.ndarray | None:
    """``rows`` (a JSON list) as float64 (n, 3) points, null read as NaN, when they pass every
    check ``_checked_rows`` makes (rows of three numbers, a gap's frequency and amplitude
    null together, finite numbers, times not decreasing, ``points_problem``), the same points;
    None when any fails. The checks made on arrays: a tracked minute's 240 000 points took
    0.9 s one by one, at every load and save (a save reads its text back)."""
    if not all(type(row) is list and len(row) == 3 for row in rows):
        return None
    if not _POINT_VALUE_TYPES.issuperset(map(type, itertools.chain.from_iterable(rows))):
        return None  # bool is not a number here, nor a string, a list or an object
    try:
        points = np.array(rows, dtype=np.float64).reshape(-1, 3)
    except OverflowError:  # an int beyond the float range
        return None
    return None if _points_problem(points) else points


def _decode_partial(value, k: int, path) -> Partial:
    what = f"partials[{k}]"
    item = _object(value, what, path)
    for key in ("id", "name", "color", "points", "source"):
        if key not in item:
            raise _fail(path, f"{what} has no {key!r}")
    name = item["name"]
    if not isinstance(name, str):
        raise _fail(path, f"{what} name must be a string")
    color = item["color"]
    if not is_color(color):
        raise _fail(path, f"{what} color must be '#rrggbb', not {one_line(repr(color), 40)}")
    return Partial(
        id=_integer(item["id"], f"{what} id", path, 1),
        name=name,
        color=color,
        points=_decode_points(item["points"], f"{what} points", path),
        source=_object(item["source"], f"{what} source", path),
    )


def _decode_audio(value, path: Path):
    if value is None:
        return None, None, None
    audio = _object(value, "audio", path)
    relative = _optional_str(audio.get("path"), "audio path", path)
    absolute = _optional_str(audio.get("absolutePath"), "audio absolutePath", path)
    size = audio.get("size")
    if size is not None:
        size = _integer(size, "audio size", path, 0)
    digest = audio.get("sha256")
    if digest is not None and (not isinstance(digest, str) or not _SHA256.fullmatch(digest)):
        raise _fail(path, "audio sha256 must be 64 lowercase hex digits or null")
    candidates = []
    if relative:
        candidates.append(os.path.normpath(os.path.join(path.parent, relative)))
    if absolute:
        candidates.append(os.path.abspath(absolute))
    if not candidates:
        raise _fail(path, "audio has neither a path nor an absolutePath")
    found = next((c for c in candidates if os.path.isfile(c)), candidates[0])
    return found, size, digest


def _decode_view(value, path) -> dict | None:
    if value is None:
        return None
    view = _object(value, "view", path)
    decoded = {key: _number(view.get(key), f"view {key}", path) for key in _VIEW_KEYS}
    if not (decoded["start"] < decoded["end"] and decoded["fmin"] < decoded["fmax"]):
        raise _fail(path, "view must have start < end and fmin < fmax")
    return decoded


def _decode(document, path: Path) -> Project:
    document = _object(document, "the file", path)
    if document.get("format") != FORMAT_NAME:
        raise _fail(path, 'not a Soma project (no "format": "soma-project")')
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail(path, "the project's version must be a positive integer")
    if version > SCHEMA_VERSION:
        raise _fail(
            path, f"made by a newer Soma: version {version}, this Soma reads up to {SCHEMA_VERSION}"
        )
    for key in ("audio", "view", "settings", "nextPartialId", "partials"):
        if key not in document:
            raise _fail(path, f"has no {key!r}")
    audio_path, audio_size, audio_sha256 = _decode_audio(document["audio"], path)
    listed = document["partials"]
    if not isinstance(listed, list):
        raise _fail(path, "partials must be a list")
    partials = tuple(_decode_partial(item, k, path) for k, item in enumerate(listed))
    ids = [p.id for p in partials]
    if len(set(ids)) != len(ids):
        raise _fail(path, "two partials share an id")
    next_id = _integer(document["nextPartialId"], "nextPartialId", path, 1)
    if ids and next_id <= max(ids):
        raise _fail(path, f"nextPartialId {next_id} is not above the largest id {max(ids)}")
    return Project(
        audio_path=audio_path,
        audio_size=audio_size,
        audio_sha256=audio_sha256,
        view=_decode_view(document["view"], path),
        settings=_object(document["settings"], "settings", path),
        partials=partials,
        next_partial_id=next_id,
    )


def load_project(path) -> Project:
    """Read and validate the project at `path`; raises ProjectError. Never writes to the file
    (temporary files a save killed midway left beside it are removed: app.base.files).

    Only a regular file of at most MAX_PROJECT_BYTES is read, and JSON nested at
    most app.base.jsontext.MAX_JSON_DEPTH deep with finite numbers: what loads can be saved and
    sent to the page again.
    """
    path = Path(os.path.realpath(path))  # the audio's relative path starts where it really is
    try:
        data = read_limited(path, MAX_PROJECT_BYTES)
    except OSError as error:
        raise _fail(path, f"cannot read: {error.strerror or error}") from None
    remove_stale_temporaries(path)
    try:
        document = parse_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise _fail(
            path,
            f"not valid JSON (line {error.lineno} column {error.colno}: "
            f"{error.msg}); truncated or damaged?",
        ) from None
    except ValueError as error:
        raise _fail(path, f"not valid JSON: {error}") from None
    return _decode(document, path)


# ---------------------------------------------------------------- audio and recovery


def audio_fingerprint(path) -> tuple[int, str]:
    """(size in bytes, sha256 as 64 lowercase hex digits) of the regular file at `path`, read
    in 1 MiB pieces; raises ProjectError (a FIFO or a device is refused, not waited on)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open_regular(path) as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as error:
        raise _fail(path, f"cannot read: {error.strerror or error}") from None
    return size, digest.hexdigest()


def recovery_path(project_path=None, audio_path=None) -> Path:
    """Where autosave writes for this project (see the module docstring for the choice)."""
    if project_path is not None:
        key = os.path.abspath(project_path)
        stem = Path(key).name
        stem = without_project_suffix(stem) if is_project_path(stem) else Path(stem).stem
    elif audio_path is not None:
        key = os.path.abspath(audio_path)
        stem = Path(key).stem
    else:
        key = stem = "untitled"
    # the stem is only for a person browsing the folder; keep it to safe characters
    stem = re.sub(r"[^\w.-]", "_", stem)[:60] or "untitled"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return state_dir() / "recovery" / f"{stem}-{digest}{PROJECT_SUFFIX}"


def write_recovery(project: Project, project_path=None) -> Path:
    """Autosave `project` to its recovery file (atomically); returns the file's path.

    `project_path` is where the project is saved, or None for an unsaved project (the recovery
    file is then keyed by project.audio_path).
    """
    target = recovery_path(project_path, project.audio_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise _fail(target.parent, f"cannot create: {error.strerror or error}") from None
    save_project(project, target)
    return target


def recovery_newer_than(project_path=None, audio_path=None) -> Path | None:
    """The recovery file to offer, or None.

    Offered when it exists and its modification time is strictly newer than the project file's
    (or the project file is gone, or the project was never saved). Equal times are not newer:
    a save right after an autosave within the file system's time resolution wins.
    """
    candidate = recovery_path(project_path, audio_path)
    try:
        recovered = candidate.stat().st_mtime_ns
    except OSError:
        return None
    if project_path is None:
        return candidate
    try:
        saved = os.stat(project_path).st_mtime_ns
    except OSError:
        return candidate
    return candidate if recovered > saved else None

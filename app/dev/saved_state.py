"""The app's side of dev mode: its state as JSON, saved before a restart, restored after.

Everything a person would lose to a restart is kept: the open file (or the demo), the project
it belongs to, the view, the colour levels, the partials with the whole undo and redo
history, the selection, whether there are unsaved edits, the strokes still snapping, and the
window's size and position (app.dev.supervisor describes the protocol with the supervisor).

The file is read by code that may have changed since it was written, so `load` checks all of
it before anything is restored: a file this code cannot read is a `DevStateError`, and the
app starts clean rather than failing at every restart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from app.base.devchild import read_dev_state
from app.base.errors import SomaError
from app.compute.snapping import PendingSnap
from app.document.partials import Partial
from app.document.state import DocumentState, Edit
from app.files.persistence import display_that_fits, levels_that_fit, view_that_fits

# The project file's encoder and decoders: one rule for what a valid partial, view or number is.
from app.files.project import (
    ProjectError,
    _decode_partial,
    _decode_view,
    _fail,
    _integer,
    _number,
    _object,
    _optional_str,
    encode_partial,
)

SCHEMA = 1  # bumped whenever a field changes meaning; another value is not read
# Pixels; a window may start left of or above the primary screen.
_WINDOW_MINIMUM = {"x": -(2**31), "y": -(2**31), "width": 1, "height": 1}


class DevStateError(SomaError):
    """The dev-mode state file cannot be read by this code; str() says why, in one line."""


@dataclass(frozen=True)
class SavedSession:
    """A state file, checked: what `restore_document` and the window come back to.

    audio : the file's path, None for the demo; has_audio False: nothing was open
    view, levels : as saved ({"start", "end", "fmin", "fmax"} s and Hz; {"floor",
        "ceiling"} dBFS), or None; fitted to the file once it is open
    display : the display settings as saved (app.document.display), or None; checked
        against the file once it is open
    window : {"x", "y", "width", "height"} pixels (x and y may be absent), or None
    """

    has_audio: bool
    audio: str | None
    project_path: str
    view: dict | None
    levels: dict | None
    display: dict | None
    partials: tuple[Partial, ...]
    next_partial_id: int
    selection: tuple[int, ...]
    undo: tuple[Edit, ...]
    redo: tuple[Edit, ...]
    modified: bool
    window: dict | None
    snaps: tuple[PendingSnap, ...]


def _edit_json(edit: Edit) -> dict:
    return {
        "label": edit.label,
        "next": edit.next_partial_id,
        "partials": [encode_partial(p) for p in edit.partials],
    }


def capture(state: DocumentState, snaps: tuple[PendingSnap, ...], window: dict | None) -> dict:
    """A JSON-able record of `state`, the strokes still snapping and the window geometry
    {x, y, width, height}."""
    audio = state.audio
    return {
        "schema": SCHEMA,
        "audio": None if audio is None else audio.path,  # None: the demo (or nothing)
        "hasAudio": audio is not None,
        "projectPath": state.project_path,
        "view": state.view.to_json() if state.view else None,
        "levels": state.levels.to_json() if state.levels else None,
        "display": state.display.to_json(),
        "partials": [encode_partial(p) for p in state.partials],
        "nextPartialId": state.next_partial_id,
        "selection": list(state.selection),
        "undo": [_edit_json(e) for e in state.undo_stack],
        "redo": [_edit_json(e) for e in state.redo_stack],
        "modified": state.modified,
        "window": window,
        "snaps": [s.to_json() for s in snaps],
    }


def load() -> SavedSession | None:
    """The state saved before the last dev-mode restart, checked; None on a first start.

    Raises DevStateError when the file does not parse, lacks a field or has one of the wrong
    type, was written with another SCHEMA, or names an audio file that is gone.
    """
    try:
        data = read_dev_state()
    except (OSError, ValueError) as error:  # ValueError: bad JSON or bad UTF-8
        raise DevStateError(f"the dev-mode state file cannot be read: {error}") from None
    if data is None:
        return None
    try:
        return _decode(data)
    except ProjectError as error:
        raise DevStateError(str(error)) from None


def _decode(data) -> SavedSession:
    where = "the dev-mode state"  # what the shared decoders (app.files.project) name in a message
    data = _object(data, "the file", where)
    if data.get("schema") != SCHEMA:
        raise _fail(where, f"schema {data.get('schema')!r}, this code reads {SCHEMA}")
    missing = sorted(
        {
            "audio",
            "hasAudio",
            "projectPath",
            "view",
            "levels",
            "partials",
            "nextPartialId",
            "selection",
            "undo",
            "redo",
            "modified",
            "window",
            "snaps",
        }
        - data.keys()
    )
    if missing:
        raise _fail(where, f"no {', '.join(missing)}")
    audio = _optional_str(data["audio"], "audio", where)
    if audio is not None and not os.path.isfile(audio):
        raise _fail(where, f"the file {audio} no longer exists")
    for flag in ("hasAudio", "modified"):
        if not isinstance(data[flag], bool):
            raise _fail(where, f"{flag} must be true or false")
    levels = data["levels"]
    if levels is not None:
        levels = {
            k: _number(_object(levels, "levels", where).get(k), f"levels {k}", where)
            for k in ("floor", "ceiling")
        }
    window = data["window"]
    if window is not None:
        window = {
            k: _integer(v, f"window {k}", where, _WINDOW_MINIMUM[k])
            for k, v in _object(window, "window", where).items()
            if k in _WINDOW_MINIMUM
        }
    return SavedSession(
        has_audio=data["hasAudio"],
        audio=audio,
        project_path=_optional_str(data["projectPath"], "projectPath", where) or "",
        view=_decode_view(data["view"], where),
        levels=levels,
        # Optional: a state written before display settings existed restores without them.
        display=_object(data["display"], "display", where) if data.get("display") else None,
        partials=_partials(data["partials"], "partials", where),
        next_partial_id=_integer(data["nextPartialId"], "nextPartialId", where, 1),
        selection=tuple(
            _integer(i, "selection", where, 1) for i in _list(data["selection"], "selection", where)
        ),
        undo=_edits(data["undo"], "undo", where),
        redo=_edits(data["redo"], "redo", where),
        modified=data["modified"],
        window=window,
        snaps=tuple(_snap(s, where) for s in _list(data["snaps"], "snaps", where)),
    )


def _list(value, what: str, where: str) -> list:
    if not isinstance(value, list):
        raise _fail(where, f"{what} must be a list")
    return value


def _partials(value, what: str, where: str) -> tuple[Partial, ...]:
    return tuple(
        _decode_partial(p, k, f"{where} {what}") for k, p in enumerate(_list(value, what, where))
    )


def _edits(value, what: str, where: str) -> tuple[Edit, ...]:
    edits = []
    for k, item in enumerate(_list(value, what, where)):
        item = _object(item, f"{what}[{k}]", where)
        label = item.get("label")
        if not isinstance(label, str):
            raise _fail(where, f"{what}[{k}] label must be a string")
        edits.append(
            Edit(
                _partials(item.get("partials"), f"{what}[{k}] partials", where),
                _integer(item.get("next"), f"{what}[{k}] next", where, 1),
                label,
            )
        )
    return tuple(edits)


def _snap(value, where: str) -> PendingSnap:
    snap = _object(value, "snaps[]", where)
    guide = []
    for point in _list(snap.get("guide"), "snap guide", where):
        if not isinstance(point, list) or len(point) != 2:
            raise _fail(where, "a snap guide point must be [time, frequency]")
        guide.append(
            (
                _number(point[0], "snap guide time", where),
                _number(point[1], "snap guide frequency", where),
            )
        )
    if len(guide) < 2:
        raise _fail(where, "a snap guide needs two points or more")
    replace_id, extend_id, move_id = (snap.get(k) for k in ("replaceId", "extendId", "moveId"))
    return PendingSnap(
        tuple(guide),
        _number(snap.get("toleranceCents"), "snap toleranceCents", where),
        None if replace_id is None else _integer(replace_id, "snap replaceId", where, 1),
        _number(snap.get("hop"), "snap hop", where),
        None if extend_id is None else _integer(extend_id, "snap extendId", where, 1),
        None if move_id is None else _integer(move_id, "snap moveId", where, 1),
    )


def restore_document(state: DocumentState, saved: SavedSession) -> DocumentState:
    """`state` (with the saved file just opened) given back its partials, history, view and
    levels and display settings (only where they still fit the file)."""
    restored = state.restored(
        saved.partials,
        saved.next_partial_id,
        view_that_fits(saved.view, state.overview.view),
        saved.project_path,
        saved.modified,
        levels_that_fit(saved.levels, state.overview),
        display_that_fits(saved.display, state.audio.sample_rate),
    )
    return replace(restored, undo_stack=saved.undo, redo_stack=saved.redo).selecting(
        saved.selection
    )

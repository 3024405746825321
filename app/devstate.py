"""The app's side of dev mode: its state as JSON, saved before a restart, restored after.

Everything a person would lose to a restart is kept: the open file (or the demo), the project
it belongs to, the view, the colour levels, the partials with the whole undo and redo
history, the selection, whether there are unsaved edits, and the window's size and position
(app.devmode describes the protocol with the supervisor).
"""
from __future__ import annotations

from dataclasses import replace

from app.partials import Partial
from app.persistence import levels_that_fit, view_that_fits
from app.state import DocumentState, Edit


def _edit_json(edit: Edit) -> dict:
    return {"label": edit.label, "next": edit.next_partial_id,
            "partials": [p.to_json() for p in edit.partials]}


def _edit(data: dict) -> Edit:
    return Edit(tuple(Partial.from_json(p) for p in data["partials"]), int(data["next"]),
                str(data["label"]))


def capture(state: DocumentState, window: dict | None) -> dict:
    """A JSON-able record of `state` and the window geometry {x, y, width, height}."""
    audio = state.audio
    return {
        "audio": None if audio is None else audio.path,  # None: the demo (or nothing)
        "hasAudio": audio is not None,
        "projectPath": state.project_path,
        "view": state.view.to_json() if state.view else None,
        "levels": state.levels.to_json() if state.levels else None,
        "partials": [p.to_json() for p in state.partials],
        "nextPartialId": state.next_partial_id,
        "selection": list(state.selection),
        "undo": [_edit_json(e) for e in state.undo_stack],
        "redo": [_edit_json(e) for e in state.redo_stack],
        "modified": state.modified,
        "window": window,
    }


def restore_document(state: DocumentState, saved: dict) -> DocumentState:
    """`state` (with the saved file just opened) given back its partials, history, view and
    levels."""
    partials = tuple(Partial.from_json(p) for p in saved.get("partials", []))
    restored = state.restored(partials, int(saved.get("nextPartialId", 1)),
                              view_that_fits(saved.get("view"), state.overview.view),
                              saved.get("projectPath") or "", bool(saved.get("modified")),
                              levels_that_fit(saved.get("levels"), state.overview))
    return replace(restored,
                   undo_stack=tuple(_edit(e) for e in saved.get("undo", [])),
                   redo_stack=tuple(_edit(e) for e in saved.get("redo", []))
                   ).selecting(tuple(saved.get("selection", [])))

"""The document as a project file: what Save writes, what Open restores, and autosave.

Autosave writes the recovery file (app.files.project.recovery_path) a moment after each edit, on a
thread of its own, so a crash loses at most that moment; the recovery file is removed when
the project is saved.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import soundfile as sf

from app.base.formats import PROJECT_SUFFIX, without_project_suffix
from app.document.display import Display, display_from_json, display_problem
from app.document.state import DocumentState, Image, Levels, View
from app.document.store import DocumentStore
from app.files.project import (
    Project,
    ProjectError,
    audio_fingerprint,
    load_project,
    recovery_path,
    save_project,
    write_recovery,
)

log = logging.getLogger(__name__)

AUTOSAVE_DELAY = 2.0  # seconds after the last edit: a burst of edits is written once
MIN_LEVELS_DB = 6.0  # the narrowest span of levels: below it the picture is nearly two-tone


def project_of(state: DocumentState, audio_path: str | None = None) -> Project:
    """The project to save for `state` (which must have a file open), its audio at
    `audio_path` (default: where the open file came from)."""
    audio_path = audio_path or state.audio.path
    size = sha = None
    if audio_path is not None:
        try:
            size, sha = audio_fingerprint(audio_path)
        except (OSError, ProjectError) as error:  # moved or deleted since it was opened
            log.warning("cannot fingerprint %s: %s", audio_path, error)
    return Project(
        audio_path=audio_path,
        audio_size=size,
        audio_sha256=sha,
        view=state.view.to_json() if state.view else None,
        settings=(
            {"levels": state.levels.to_json(), "display": state.display.to_json()}
            if state.levels
            else {}
        ),
        partials=state.partials,
        next_partial_id=state.next_partial_id,
    )


def save_document(state: DocumentState, path: str) -> None:
    """Write `state` (a file open) as the project at `path` (absolute, *.soma.json), then
    remove the recovery files it makes obsolete. Raises ProjectError.

    Generated audio (the demo) has no file: it is written as a WAV beside the project, so the
    project can be opened again anywhere.
    """
    audio_path = state.audio.path
    if audio_path is None:
        audio_path = without_project_suffix(path) + ".wav"
        try:
            sf.write(audio_path, state.audio.samples, state.audio.sample_rate, subtype="FLOAT")
        except (OSError, RuntimeError) as error:  # soundfile reports most as RuntimeError
            raise ProjectError(f"cannot write {Path(audio_path).name}: {error}") from None
    save_project(project_of(state, audio_path), path)
    discard_recovery(path, state.audio.path)
    if not state.project_path:
        discard_recovery(None, state.audio.path)


def project_beside(audio_path: str) -> str | None:
    """The project saved beside an audio file under its name (take.wav: take.soma.json)
    whose audio is that file, or None: none there, or one that cannot be read (opening the
    audio must not fail for a file the user did not ask for) or is of another file."""
    audio = Path(audio_path)
    candidate = audio.with_name(audio.stem + PROJECT_SUFFIX)
    if not candidate.is_file():
        return None
    try:
        project = load_project(candidate)
    except ProjectError as error:
        log.info("not offering %s: %s", candidate.name, error)
        return None
    if project.audio_path is None or Path(project.audio_path).resolve() != audio.resolve():
        return None
    return str(candidate)


def audio_matches(project: Project) -> bool:
    """Whether the audio file at the project's path is the one it was saved with (True when
    that cannot be told: no fingerprint saved, or the file cannot be read)."""
    if project.audio_size is None:
        return True
    try:
        fingerprint = audio_fingerprint(project.audio_path)
    except (OSError, ProjectError):
        return True
    return fingerprint == (project.audio_size, project.audio_sha256)


def restored_project(
    state: DocumentState, project: Project, project_path: str, modified: bool
) -> DocumentState:
    """`state`, with the file the project belongs to just opened, given the project's
    partials, and its view, levels and display settings where they still fit the file."""
    return state.restored(
        project.partials,
        project.next_partial_id,
        view_that_fits(project.view, state.overview.view),
        project_path,
        modified,
        levels_that_fit(project.settings.get("levels"), state.overview),
        display_that_fits(project.settings.get("display"), state.audio.sample_rate),
    )


def view_that_fits(view: dict | None, limits: View) -> View | None:
    """A saved view ({"start", "end", "fmin", "fmax"}: a project's or dev mode's) if it still
    fits the file (which may have changed), else None."""
    if not view:
        return None
    restored = View(
        float(view["start"]), float(view["end"]), float(view["fmin"]), float(view["fmax"])
    )
    fits = (
        limits.start <= restored.start < restored.end <= limits.end
        and limits.fmin <= restored.fmin < restored.fmax <= limits.fmax
    )
    return restored if fits else None


def levels_problem(floor: float, ceiling: float, image: Image) -> str:
    """Why `floor` to `ceiling` (dBFS) cannot colour `image`'s bytes, or "" when they can."""
    if not (image.db_min <= floor and ceiling <= image.db_max):
        return (
            f"the levels must lie within {image.db_min:g} to {image.db_max:g} dB, the "
            f"range the images hold, not {floor:g} to {ceiling:g} dB"
        )
    if ceiling - floor < MIN_LEVELS_DB:
        return (
            f"the ceiling ({ceiling:g} dB) must be at least {MIN_LEVELS_DB:g} dB above "
            f"the floor ({floor:g} dB)"
        )
    return ""


def levels_that_fit(levels, image: Image) -> Levels | None:
    """Saved levels ({"floor", "ceiling"} dBFS: a project's or dev mode's) if they still fit
    the file's images, else None (the file may have changed; old projects have none)."""
    saved = _saved_levels(levels)
    if saved is None or levels_problem(saved.floor, saved.ceiling, image):
        return None
    return saved


def project_levels(project: Project | None) -> Levels | None:
    """The levels saved in `project` (None: no project, or none saved, or not two numbers at
    least MIN_LEVELS_DB apart), for a figure drawn without the file's images at hand."""
    if project is None:
        return None
    saved = _saved_levels(project.settings.get("levels"))
    if saved is None or not saved.ceiling - saved.floor >= MIN_LEVELS_DB:
        return None
    return saved


def _saved_levels(levels) -> Levels | None:
    if not isinstance(levels, dict):
        return None
    floor, ceiling = levels.get("floor"), levels.get("ceiling")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (floor, ceiling)):
        return None
    return Levels(float(floor), float(ceiling))


def display_that_fits(display, sample_rate: int) -> Display | None:
    """Saved display settings (a project's or dev mode's) if they are valid for a file at
    `sample_rate` Hz, else None (old projects have none)."""
    decoded = display_from_json(display)
    if decoded is None or display_problem(decoded, sample_rate):
        return None
    return decoded


def discard_recovery(project_path: str | None, audio_path: str | None) -> None:
    try:
        recovery_path(project_path, audio_path).unlink(missing_ok=True)
    except OSError as error:
        log.warning("cannot remove the recovery file: %s", error)


def save_recovery(state: DocumentState) -> None:
    """Write `state`'s unsaved work to its recovery file now (a failure is logged: autosave
    must never stop the user)."""
    try:
        target = write_recovery(project_of(state), state.project_path or None)
        log.debug("autosaved to %s", target)
    except ProjectError as error:
        log.warning("autosave failed: %s", error)


class Autosaver:
    """Writes the recovery file AUTOSAVE_DELAY s after the newest unsaved edit, and at once
    when it is closed with a write pending; removes the one it wrote when the edits are
    undone back to the document as saved or opened (it would offer them back)."""

    def __init__(self, store: DocumentStore, delay: float = AUTOSAVE_DELAY) -> None:
        self._store = store
        self._delay = delay
        self._wake = threading.Condition()
        self._due: float | None = None
        self._seen_version = None  # partials_version of the last edit scheduled
        # The opened file (its AudioFile, new at each open) whose edits the recovery file
        # written last holds, until it is removed; None when none is.
        self._recovering = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="soma-autosave", daemon=True)
        self._thread.start()
        self._unsubscribe = store.subscribe(self._changed)

    def _changed(self, state: DocumentState) -> None:
        if state.audio is None or state.partials_version == self._seen_version:
            return
        with self._wake:
            if not state.modified and state.audio is not self._recovering:
                return
            self._seen_version = state.partials_version
            self._due = time.monotonic() + self._delay
            self._wake.notify()

    def close(self) -> None:
        self._unsubscribe()
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (self._due is None or time.monotonic() < self._due):
                    self._wake.wait(None if self._due is None else self._due - time.monotonic())
                closed, due, self._due = self._closed, self._due, None
            # Due, or closing with a write pending: the window closed within the delay of an
            # edit must not lose it (closing with unsaved edits says they are kept).
            if due is not None:
                self._settle(self._store.state)
            if closed:
                return

    def _settle(self, state: DocumentState) -> None:
        """The recovery file as `state` needs it: written while it is modified, removed once
        the edits it holds are undone. Decided under the lock, so that an edit or undo
        arriving while the file is written is scheduled against what is on disk."""
        if state.audio is None:
            return
        with self._wake:
            write = state.modified
            discard = not write and state.audio is self._recovering
            if write or discard:
                self._recovering = state.audio if write else None
        if write:
            save_recovery(state)
        elif discard:
            discard_recovery(state.project_path or None, state.audio.path)

"""The document's state: immutable values, replaced whole on every change.

Readers on any thread take `store.state` and get a value that can never change under them, so
they need no lock (seed 002). Every change is a pure function from one DocumentState to the
next; the store applies them one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import TYPE_CHECKING

from app.document.display import Display
from app.document.partials import Partial
from workers.rows import DEFAULT_SCALE

if TYPE_CHECKING:
    from app.document.audio_file import AudioFile

UNDO_DEPTH = 200  # edits kept for undo; each holds only references to immutable partials
NO_PARTIALS: tuple[Partial, ...] = ()  # a document's partials before any: saved, as it were


@dataclass(frozen=True)
class Edit:
    """The partials as they were before or after an edit, with what the edit was called."""

    partials: tuple[Partial, ...]
    next_partial_id: int
    label: str


@dataclass(frozen=True)
class View:
    """The region shown in the viewport: seconds [start, end) by Hz [fmin, fmax]."""

    start: float
    end: float
    fmin: float
    fmax: float

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "fmin": self.fmin, "fmax": self.fmax}


@dataclass(frozen=True)
class Levels:
    """The dBFS levels the colours span: `floor` and below are the colormap's first colour,
    `ceiling` and above its last (Sonic Visualiser's threshold and gain, in one pair)."""

    floor: float
    ceiling: float

    def to_json(self) -> dict:
        return {"floor": self.floor, "ceiling": self.ceiling}


@dataclass(frozen=True)
class Image:
    """A spectrogram image held in the data store, for the page to fetch.

    The bytes at `/data/<key>` are uint8, row-major, shape (height, width), row 0 = fmin,
    rows evenly spaced on `scale` up to fmax;
    byte b stands for db_min + b / 255 * (db_max - db_min) dBFS. With `edges`, a bit mask of
    the pixels in the analysis' edge cones follows (``workers.imaging.image_payload``).
    """

    key: str
    width: int
    height: int
    db_min: float
    db_max: float
    view: View
    method: str
    window_size: int  # samples of the STFT window of the lowest row; 0 for a CWT
    seconds: float  # compute time, shown in the status bar
    edges: bool = False  # the bytes carry an edge-cone mask
    scale: str = DEFAULT_SCALE  # how its rows are spaced (workers.rows.SCALES)
    # (floor, ceiling) fitted to the overview (workers.imaging.auto_levels): Auto's levels
    auto_levels: tuple[float, float] | None = None

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "url": f"/data/{self.key}",
            "width": self.width,
            "height": self.height,
            "dbMin": self.db_min,
            "dbMax": self.db_max,
            "view": self.view.to_json(),
            "method": self.method,
            "windowSize": self.window_size,
            "seconds": self.seconds,
            "edges": self.edges,
            "scale": self.scale,
            "autoLevels": (
                None
                if self.auto_levels is None
                else {"floor": self.auto_levels[0], "ceiling": self.auto_levels[1]}
            ),
        }


@dataclass(frozen=True)
class Growing:
    """The overview of a file being decoded, as far as it is computed: ``image`` spans the
    decoded part (its view runs from 0 s), of a file ``duration`` seconds long; its levels
    are its own fit (``image.auto_levels``), the open file's belong to that file."""

    image: Image
    duration: float

    def to_json(self) -> dict:
        return {"image": self.image.to_json(), "duration": self.duration}


@dataclass(frozen=True)
class DocumentState:
    """Everything the window shows, at one revision.

    Invariant: `view`, `overview` and `levels` are None exactly when `audio` is None, the view
    lies within the audio's duration, and the levels within the overview's dB range (what the
    image bytes can tell apart). `viewport` is the newest image computed for a view of
    this audio (maybe not the current view: the page stretches it until the next arrives).
    """

    revision: int = 0
    audio: AudioFile | None = None
    view: View | None = None
    levels: Levels | None = None
    # How the viewport is computed and coloured.
    display: Display = field(default_factory=Display)
    overview: Image | None = None
    viewport: Image | None = None
    computing: int = 0  # id of the viewport request being computed, 0 when none
    partials: tuple[Partial, ...] = NO_PARTIALS
    partials_version: int = 0  # changes with the partials: pushes leave them out otherwise
    next_partial_id: int = 1  # ids are never reused, so undo cannot confuse two partials
    selection: tuple[int, ...] = ()
    # Undo and redo are earlier and later values of the partials: nothing is recomputed.
    undo_stack: tuple[Edit, ...] = ()
    redo_stack: tuple[Edit, ...] = ()
    # The partials as last saved or opened (the same tuple, compared by identity: an undo
    # back to them restores that very tuple), or None after a recovery file, whose edits
    # were never saved. `modified` is whether the partials are other than these.
    saved_partials: tuple[Partial, ...] | None = NO_PARTIALS
    project_path: str = ""  # the .soma.json this document was opened from or saved to
    recent: tuple[str, ...] = ()  # files and projects opened lately, newest first
    busy: str = ""  # what is being done right now ("Opening song.flac"), "" when idle
    growing: Growing | None = None  # the overview of the file being opened, so far
    error: str = ""  # the last failure, shown until dismissed or replaced

    def opening(self, label: str) -> DocumentState:
        return replace(self, busy=label, error="", growing=None)

    def grown(self, growing: Growing) -> DocumentState:
        """More of the opening file's overview is computed."""
        return replace(self, growing=growing)

    def opened(self, audio: AudioFile, overview: Image) -> DocumentState:
        """A new file: its own view and images, and no partials (they belong to a file)."""
        return replace(
            self,
            audio=audio,
            view=overview.view,
            levels=Levels(*(overview.auto_levels or (overview.db_min, overview.db_max))),
            display=Display(),
            overview=overview,
            viewport=None,
            computing=0,
            busy="",
            growing=None,
            error="",
            partials=NO_PARTIALS,
            partials_version=self.partials_version + 1,
            next_partial_id=1,
            selection=(),
            undo_stack=(),
            redo_stack=(),
            saved_partials=NO_PARTIALS,
            project_path="",
        )

    def restored(
        self,
        partials: tuple[Partial, ...],
        next_partial_id: int,
        view: View | None,
        project_path: str,
        modified: bool,
        levels: Levels | None = None,
        display: Display | None = None,
    ) -> DocumentState:
        """A project's (or a recovery file's) partials, view, levels and display settings
        over the file just opened (None keeps the file's own). `modified`: they are a
        recovery file's, not yet saved."""
        partials = tuple(partials)
        return replace(
            self,
            partials=partials,
            partials_version=self.partials_version + 1,
            next_partial_id=next_partial_id,
            view=view or self.view,
            levels=levels or self.levels,
            display=display or self.display,
            project_path=project_path,
            saved_partials=None if modified else partials,
        )

    def saved(self, project_path: str, partials: tuple[Partial, ...]) -> DocumentState:
        """`partials` saved to `project_path` (edits that came in while they were written
        are still unsaved)."""
        return replace(self, project_path=project_path, saved_partials=partials)

    @property
    def modified(self) -> bool:
        """Edits since the project was last saved or opened (undone edits are none)."""
        return self.partials is not self.saved_partials

    def edited(
        self, partials: tuple[Partial, ...], label: str, next_partial_id: int | None = None
    ) -> DocumentState:
        """Replace the partials, as one undoable step called `label`."""
        before = Edit(self.partials, self.next_partial_id, label)
        ids = {p.id for p in partials}
        return replace(
            self,
            partials=tuple(partials),
            partials_version=self.partials_version + 1,
            next_partial_id=self.next_partial_id if next_partial_id is None else next_partial_id,
            selection=tuple(i for i in self.selection if i in ids),
            undo_stack=((*self.undo_stack, before))[-UNDO_DEPTH:],
            redo_stack=(),
        )

    def undone(self) -> DocumentState:
        if not self.undo_stack:
            return self
        before = self.undo_stack[-1]
        now = Edit(self.partials, self.next_partial_id, before.label)
        return self._restored(
            before, undo_stack=self.undo_stack[:-1], redo_stack=(*self.redo_stack, now)
        )

    def redone(self) -> DocumentState:
        if not self.redo_stack:
            return self
        after = self.redo_stack[-1]
        now = Edit(self.partials, self.next_partial_id, after.label)
        return self._restored(
            after, undo_stack=(*self.undo_stack, now), redo_stack=self.redo_stack[:-1]
        )

    def _restored(self, edit: Edit, **stacks) -> DocumentState:
        ids = {p.id for p in edit.partials}
        # next_partial_id only grows: an id given out once is never given out again.
        return replace(
            self,
            partials=edit.partials,
            partials_version=self.partials_version + 1,
            next_partial_id=max(self.next_partial_id, edit.next_partial_id),
            selection=tuple(i for i in self.selection if i in ids),
            **stacks,
        )

    def selecting(self, ids: tuple[int, ...]) -> DocumentState:
        """The selection `ids` (those that exist); the same state when nothing changes, so
        that the store publishes nothing."""
        known = {p.id for p in self.partials}
        selection = tuple(i for i in dict.fromkeys(ids) if i in known)
        return self if selection == self.selection else replace(self, selection=selection)

    def partial(self, partial_id: int) -> Partial | None:
        return next((p for p in self.partials if p.id == partial_id), None)

    def remembering(self, recent: tuple[str, ...]) -> DocumentState:
        """The list of files opened lately (app.files.recent), for the page's Recent menu."""
        return replace(self, recent=tuple(recent))

    def leveled(self, levels: Levels) -> DocumentState:
        """Colours spanning `levels`: a view setting, saved with the project but not an edit
        (like the view, it neither dirties the document nor goes into the undo history)."""
        return replace(self, levels=levels)

    def displayed(self, display: Display) -> DocumentState:
        """Computed and coloured as `display` says: a view setting, like the levels."""
        return replace(self, display=display)

    def viewing(self, view: View, request_id: int) -> DocumentState:
        return replace(self, view=view, computing=request_id)

    def computed(self, image: Image, request_id: int) -> DocumentState:
        """The viewport image for request `request_id` has arrived."""
        return replace(
            self, viewport=image, computing=0 if self.computing == request_id else self.computing
        )

    def compute_failed(self, message: str, request_id: int) -> DocumentState:
        """The viewport request failed (`message`) or was cancelled (message '')."""
        return replace(
            self,
            error=message or self.error,
            computing=0 if self.computing == request_id else self.computing,
        )

    def failed(self, message: str) -> DocumentState:
        """The open file, view and overview stay: a failure loses nothing."""
        return replace(self, busy="", growing=None, error=message)

    def dismissed(self) -> DocumentState:
        return replace(self, error="")

    @property
    def title(self) -> str:
        """The window's title: the project's file name (else the audio's), a bullet first
        while there are unsaved changes; 'Soma' with no file open."""
        if self.audio is None:
            return "Soma"
        name = PurePath(self.project_path).name if self.project_path else self.audio.name
        mark = "\u2022 " if self.modified else ""
        return f"{mark}{name} \u2014 Soma"

    def to_json(self, with_partials: bool = False) -> dict:
        """What the page sees. The partials only `with_partials`, and then without their
        points (the bridge's get_state serves those as bytes): the page pulls them when
        partialsVersion changes, and keeps its copy while it does not."""
        data = {
            "revision": self.revision,
            "file": self.audio.info() if self.audio is not None else None,
            "view": self.view.to_json() if self.view is not None else None,
            "levels": self.levels.to_json() if self.levels is not None else None,
            "display": self.display.to_json(),
            "overview": self.overview.to_json() if self.overview is not None else None,
            "viewport": self.viewport.to_json() if self.viewport is not None else None,
            "computing": self.computing,
            "partialsVersion": self.partials_version,
            "selection": list(self.selection),
            "undo": self.undo_stack[-1].label if self.undo_stack else "",
            "redo": self.redo_stack[-1].label if self.redo_stack else "",
            "modified": self.modified,
            "projectPath": self.project_path,
            "title": self.title,
            "recent": list(self.recent),
            "busy": self.busy,
            "growing": self.growing.to_json() if self.growing is not None else None,
            "error": self.error,
        }
        if with_partials:
            data["partials"] = [p.to_json() for p in self.partials]
        return data

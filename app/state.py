"""The document's state: immutable values, replaced whole on every change.

Readers on any thread take `store.state` and get a value that can never change under them, so
they need no lock (seed 002). Every change is a pure function from one DocumentState to the
next; the store applies them one at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.audio import AudioFile


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
class Image:
    """A spectrogram image held in the data store, for the page to fetch.

    The bytes at `/data/<key>` are uint8, row-major, shape (height, width), row 0 = fmin;
    byte b stands for db_min + b / 255 * (db_max - db_min) dBFS.
    """

    key: str
    width: int
    height: int
    db_min: float
    db_max: float
    view: View
    method: str
    window_size: int  # samples of the STFT window; 0 for a CWT
    seconds: float    # compute time, shown in the status bar

    def to_json(self) -> dict:
        return {
            "key": self.key, "url": f"/data/{self.key}", "width": self.width,
            "height": self.height, "dbMin": self.db_min, "dbMax": self.db_max,
            "view": self.view.to_json(), "method": self.method,
            "windowSize": self.window_size, "seconds": self.seconds,
        }


@dataclass(frozen=True)
class DocumentState:
    """Everything the window shows, at one revision.

    Invariant: `view` and `overview` are None exactly when `audio` is None, and the view
    lies within the audio's duration. `viewport` is the newest image computed for a view of
    this audio (maybe not the current view: the page stretches it until the next arrives).
    """

    revision: int = 0
    audio: AudioFile | None = None
    view: View | None = None
    overview: Image | None = None
    viewport: Image | None = None
    computing: int = 0  # id of the viewport request being computed, 0 when none
    busy: str = ""   # what is being done right now ("Opening song.flac"), "" when idle
    error: str = ""  # the last failure, shown until dismissed or replaced

    def opening(self, label: str) -> DocumentState:
        return replace(self, busy=label, error="")

    def opened(self, audio: AudioFile, overview: Image) -> DocumentState:
        return replace(self, audio=audio, view=overview.view, overview=overview, viewport=None,
                       computing=0, busy="", error="")

    def viewing(self, view: View, request_id: int) -> DocumentState:
        return replace(self, view=view, computing=request_id)

    def computed(self, image: Image, request_id: int) -> DocumentState:
        """The viewport image for request `request_id` has arrived."""
        return replace(self, viewport=image,
                       computing=0 if self.computing == request_id else self.computing)

    def compute_failed(self, message: str, request_id: int) -> DocumentState:
        return replace(self, error=message,
                       computing=0 if self.computing == request_id else self.computing)

    def failed(self, message: str) -> DocumentState:
        """The open file, view and overview stay: a failure loses nothing."""
        return replace(self, busy="", error=message)

    def dismissed(self) -> DocumentState:
        return replace(self, error="")

    def to_json(self) -> dict:
        return {
            "revision": self.revision,
            "file": self.audio.info() if self.audio is not None else None,
            "view": self.view.to_json() if self.view is not None else None,
            "overview": self.overview.to_json() if self.overview is not None else None,
            "viewport": self.viewport.to_json() if self.viewport is not None else None,
            "computing": self.computing,
            "busy": self.busy,
            "error": self.error,
        }

"""Automatic tracking, and the harmonics of a traced fundamental, in the snap worker; the
partials found are added to the document as one undoable edit.

A track reads the same shared samples as a snap and runs in the snap queue
(app.compute.background): one worker process for both, so tracking adds no process, and a
file change cancels a track as it cancels the snaps (the track was for the old file). A
track of a long file holds strokes up while it runs; its progress task's cancel ends it.
The caller waits for the outcome (`track` blocks a js_api thread, as an export does), so the
page knows when to stop showing the region.

Each partial found records how it was made in its `source`: {"method": "track",
"version": TRACK_VERSION, "settings": {...TrackSettings...}, "region": {"start", "end",
"fmin", "fmax"} or None for the whole file}. A harmonic, named "H<n>", records
{"method": "harmonics", "version": HARMONICS_VERSION, "harmonic": n, "fundamental": {"id",
"name"}, "count", "inharmonicity": B}.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from app.base.errors import SomaError
from app.compute.background import BackgroundQueue, JobCancelled, JobFailed
from app.compute.shared_audio import AudioShare
from app.document import editing
from app.document.partials import Partial
from app.document.store import DocumentStore
from workers.jobs import HarmonicsJob, TrackJob
from workers.track import TrackSettings

# The version of what a tracked partial's source records; bumped when its meaning changes.
TRACK_VERSION = 1
HARMONICS_VERSION = 1


class TrackFailed(SomaError):
    """A track or harmonics search that failed; str() is one line for the user."""


@dataclass(frozen=True)
class TrackRegion:
    """A time-frequency rectangle to track: seconds [start, end) by Hz [fmin, fmax]."""

    start: float
    end: float
    fmin: float
    fmax: float

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def describe(self) -> str:
        return f"{self.start:.2f} to {self.end:.2f} s, {self.fmin:.0f} to {self.fmax:.0f} Hz"


def track_source(settings: TrackSettings, region: TrackRegion | None) -> dict:
    """What a tracked partial's `source` records (see the module docstring)."""
    return {
        "method": "track",
        "version": TRACK_VERSION,
        "settings": dataclasses.asdict(settings),
        "region": region.to_json() if region is not None else None,
    }


class TrackService:
    def __init__(self, store: DocumentStore, share: AudioShare, queue: BackgroundQueue) -> None:
        self._store = store
        self._share = share
        self._queue = queue

    def _run(self, make_job, label: str, failure: str) -> dict | None:
        """The job's result, waited for in the snap queue as the progress task `label`; None
        when it was cancelled. TrackFailed ("<failure>: <reason>") when it failed."""
        try:
            return self._queue.run(make_job, label, "steps")
        except JobFailed as error:
            raise TrackFailed(f"{failure}: {error}") from None
        except JobCancelled:
            return None

    def track(self, settings: TrackSettings, region: TrackRegion | None) -> dict:
        """Track the open file's partials (within `region`, None: the whole file) with
        `settings`, whose fmin and fmax the region's replace; wait for them and add them as
        one undoable step. Returns {"count": n} and, when none was found, {"message": why}
        (silence is an answer, not an error); {"cancelled": True} when cancelled or the file
        changed meanwhile. Raises TrackFailed when the worker failed."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        if region is not None:
            settings = dataclasses.replace(settings, fmin=region.fmin, fmax=region.fmax)
        settings.checked(audio.sample_rate)  # TrackError before anything is queued
        where = region.describe() if region is not None else f"all of {audio.name}"
        value = self._run(
            lambda request_id: TrackJob(
                request_id=request_id,
                audio=ref,
                settings=settings,
                start=region.start if region is not None else 0.0,
                end=region.end if region is not None else None,
            ),
            f"Tracking {where}",
            "The partials could not be tracked",
        )
        if value is None:
            return {"cancelled": True}
        tracks = value["tracks"]
        if not tracks:
            return {"count": 0, "message": f"No partials were found in {where}."}
        source = track_source(settings, region)
        state = self._store.update(
            lambda s: (
                editing.added_all(s, tracks, [source] * len(tracks), "Track")
                if s.audio is audio
                else s
            )
        )
        if state.audio is not audio:  # another file opened meanwhile
            return {"cancelled": True}
        return {"count": len(tracks)}

    def harmonics(self, fundamental: Partial, count: int | None) -> dict:
        """Trace harmonics 2..`count` of `fundamental` along its contour (None: as high as
        they go, below the Nyquist frequency and above the noise); wait for them and add
        those found, named "H<n>", as one undoable step. Returns {"count": n} and, when none
        was found, {"message": why}; {"cancelled": True} when cancelled, or when the file
        changed or the fundamental went meanwhile. Raises TrackFailed when the worker
        failed."""
        audio = self._store.state.audio
        ref = self._share.ref_for(audio)
        value = self._run(
            lambda request_id: HarmonicsJob(
                request_id=request_id, audio=ref, trace=fundamental.points, count=count, fmax=None
            ),
            f"Finding the harmonics of {fundamental.name}",
            "The harmonics could not be found",
        )
        if value is None:
            return {"cancelled": True}
        # A harmonic never above the noise has no point to show: it is left out.
        found = [
            (int(number), points)
            for number, points in zip(value["numbers"], value["partials"], strict=True)
            if np.count_nonzero(np.isfinite(points[:, 1])) >= 2
        ]
        if not found:
            return {"count": 0, "message": f"No harmonics of {fundamental.name} were found."}
        sources = [
            {
                "method": "harmonics",
                "version": HARMONICS_VERSION,
                "harmonic": number,
                "fundamental": {"id": fundamental.id, "name": fundamental.name},
                "count": count,
                "inharmonicity": float(value["inharmonicity"]),
            }
            for number, _ in found
        ]

        added = []  # whether the edit applied, to the state as it was then

        def add(state):
            if state.audio is not audio or state.partial(fundamental.id) is None:
                return state
            added.append(True)
            return editing.added_all(
                state,
                [points for _, points in found],
                sources,
                "Harmonics",
                names=[f"H{number}" for number, _ in found],
            )

        self._store.update(add)
        return {"count": len(found)} if added else {"cancelled": True}

"""A whole sound file tracked into partials, read block by block (memory bounded whatever its
length): what `soma track` and `soma batch --track` call."""

from __future__ import annotations

import logging
import os
from concurrent.futures import Executor

import numpy as np

from app.document.partials import Partial, default_color, frozen_points
from app.files.audio import open_audio_stream, truncation_note
from workers.track import PartialTracker, TrackSettings

log = logging.getLogger(__name__)


def track_file(
    path: str | os.PathLike,
    settings: TrackSettings = TrackSettings(),  # noqa: B008 (frozen, so one shared default)
    *,
    start: float = 0.0,
    end: float | None = None,
    report=None,
    quiet: bool = False,
    executor: Executor | None = None,
) -> list[np.ndarray]:
    """The partials of the audio file at ``path`` (its channels mixed to mono), between
    ``start`` and ``end`` s (None: its end).

    Returns what ``workers.track.track_partials`` returns: a list of float64 (n, 3) arrays,
    rows [time s, frequency Hz, amplitude dBFS] on the 5 ms grid. ``report(done, total)`` is
    called a bounded number of times; ``quiet`` silences the decoders' own messages (the
    command line); ``executor`` computes the spans' peaks (``PartialTracker``'s). Raises
    AudioError for a file that cannot be read and TrackError for bad settings or a region
    outside the file, before any analysis. A file whose decoding stops before the end its
    header announces (truncated, damaged) is tracked as far as it could be read, the rest as
    silence, and a warning logged says where it ended.
    """
    with open_audio_stream(path, quiet=quiet) as stream:
        tracker = PartialTracker(
            stream.sample_rate,
            stream.frames,
            settings,
            start=start,
            end=end,
            report=report,
            executor=executor,
        )
        read = tracker.first_sample
        for block in stream.blocks(tracker.first_sample, tracker.last_sample):
            tracker.feed(block)
            read += block.size
        tracks = tracker.finish()
    # Said once the file is closed: ``quiet`` silences the decoders' stderr while it is open.
    if read < tracker.last_sample:  # the decoder stopped early: the rest was read as silence
        note = truncation_note(read, stream.frames, stream.sample_rate, "tracked")
        log.warning("%s: %s", stream.name, note)
    return tracks


def as_partials(tracks: list[np.ndarray], audio_name: str) -> list[Partial]:
    """Tracked points as Partials (ids 1, 2, ..., "Partial <id>", the default colours,
    source {"tracked": audio_name}), ready for ``app.files.exchange.export_partials``."""
    return [
        Partial(
            id=i,
            name=f"Partial {i}",
            color=default_color(i),
            points=frozen_points(points),
            source={"tracked": audio_name},
        )
        for i, points in enumerate(tracks, start=1)
    ]

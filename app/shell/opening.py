"""Opening an audio file for the window: decoded once, into the block the workers read.

The decode runs on the caller's thread (a js_api thread) and writes the mono samples block by
block straight into a shared-memory segment (app.compute.shared_audio.SharedAudio.empty), so
the samples exist once in the whole app: the document's AudioFile, the player and the workers
all read that segment. The overview is computed while the file decodes, on a thread of its
own, a batch of columns at a time as their samples arrive (app.compute.overview.GrowingOverview:
the same columns as the whole file's overview, bit for bit), and finished when the decode ends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.compute.overview import GrowingOverview, compute_overview
from app.compute.shared_audio import SharedAudio
from app.document.audio_file import AudioFile
from app.document.state import Image
from app.files.audio import load_audio
from app.progress.tasks import Cancelled, Task

# How often the page is shown the overview computed so far: often enough to watch it grow,
# seldom enough that the page's redrawing (in the renderer, on the same two cores) costs the
# decode little: shown every 0.25 s, an hour of WAV opened 1.2 s later than not shown.
SHOW_INTERVAL = 0.5  # seconds


@dataclass(frozen=True)
class Opened:
    """A decoded file ready to publish: its samples (in `block`, when decoded into one), its
    overview and the overview's bytes."""

    audio: AudioFile
    block: SharedAudio | None
    overview: Image
    payload: bytes

    def discard(self) -> None:
        """Give the block back (the open lost to a newer one)."""
        if self.block is not None:
            self.block.close()


def decode_shared(
    path: str | os.PathLike,
    key: str,
    task: Task,
    wanted: Callable[[], bool],
    show: Callable[[Image, bytes, float], None] | None = None,
) -> Opened:
    """Decode `path` into a new shared block, computing its overview alongside
    (app.compute.overview.GrowingOverview), and finish the overview.

    `task` gets a "Decoding" subtask in seconds of audio (cancellable from the page: it ends
    the decode); `wanted()` is asked after each block, and a False (a newer open started)
    ends the decode too. Either way Cancelled is raised and the block is given back, so the
    open document is untouched. The overview's bytes are served under `key`. `show(image,
    bytes, duration)` gets the overview computed so far, at most every SHOW_INTERVAL seconds
    while the file decodes (keys `key`-1, -2...; `duration`: the file's, as its header says).
    """
    name = os.path.basename(path)
    made: dict = {}  # what the decode has made so far: the block and the growing overview
    shown = {"at": time.monotonic(), "columns": 0, "count": 0}

    def show_growth(frames: int, sample_rate: int) -> None:
        growing = made["overview"]
        now = time.monotonic()
        if now < shown["at"] + SHOW_INTERVAL or growing.columns_done == shown["columns"]:
            return
        shown["count"] += 1
        part = growing.part(f"{key}-{shown['count']}", frames / sample_rate)
        if part is not None:
            show(*part, frames / sample_rate)
            shown.update(at=now, columns=part[0].width)

    def allocate(frames: int, sample_rate: int) -> np.ndarray:
        block = made["block"] = SharedAudio.empty(frames, sample_rate)
        made["overview"] = GrowingOverview(block.samples, sample_rate)
        decoding.update(0, total=round(frames / sample_rate, 1))
        return block.samples

    def on_block(decoded: int, frames: int, sample_rate: int) -> None:
        made["overview"].decoded(decoded)
        if show is not None:
            show_growth(frames, sample_rate)
        decoding.update(round(decoded / sample_rate, 1))
        decoding.check()
        if not wanted():
            raise Cancelled(f"Decoding {name} gave way to another file")

    try:
        with task.child(f"Decoding {name}", unit="s", cancellable=True) as decoding:
            audio = load_audio(path, allocate=allocate, on_block=on_block)
        with task.child(_overview_label(audio)):
            overview, payload = made["overview"].finish(audio, key)
        made["block"].finish(audio.frames)
    except BaseException:
        if "overview" in made:
            made["overview"].stop()
        if "block" in made:
            made["block"].close()
        raise
    return Opened(audio, made["block"], overview, payload)


def decoded(audio: AudioFile, key: str, task: Task) -> Opened:
    """An open of audio decoded already (the demo): its overview; shared by copying."""
    with task.child(_overview_label(audio)):
        overview, payload = compute_overview(audio, key)
    return Opened(audio, None, overview, payload)


def _overview_label(audio: AudioFile) -> str:
    return f"Overview of {audio.duration:.1f} s"

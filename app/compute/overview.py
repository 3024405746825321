"""The overview: an STFT of the whole file, computed once when it opens.

It runs in the main process behind the loading state (seed 004): it is the bottom layer the
viewport falls back on, so it must exist before anything else is drawn, and an STFT of the
whole file at display resolution takes well under a second.
"""

from __future__ import annotations

import os
import time

import scipy.fft

from app.document.audio_file import AudioFile
from app.document.state import Image, View
from workers.imaging import auto_levels, display_range, image_payload
from workers.spectrum import render, stft_window_size

OVERVIEW_WIDTH = 2000
OVERVIEW_HEIGHT = 384
LOWEST_FREQUENCY = 20.0  # Hz: the bottom of hearing; the default view's fmin


def full_view(audio: AudioFile) -> View:
    """The whole file, 20 Hz (or lower for very low rates) to Nyquist."""
    return overview_view(audio.sample_rate, audio.duration)


def overview_view(sample_rate: int, duration: float) -> View:
    """The overview's view of a file of `duration` s at `sample_rate` Hz: all of it, from
    20 Hz (or Nyquist / 10 for very low rates) to Nyquist."""
    nyquist = sample_rate / 2
    return View(0.0, duration, min(LOWEST_FREQUENCY, nyquist / 10), nyquist)


def compute_overview(audio: AudioFile, key: str) -> tuple[Image, bytes]:
    """The overview image of `audio` and its bytes, to be served under `key`."""
    began = time.perf_counter()
    view = full_view(audio)
    with scipy.fft.set_workers(os.cpu_count() or 1):  # the window waits for it anyway
        db = render(
            audio.samples,
            audio.sample_rate,
            start=view.start,
            end=view.end,
            fmin=view.fmin,
            fmax=view.fmax,
            width=OVERVIEW_WIDTH,
            height=OVERVIEW_HEIGHT,
            method="stft",
            mark_edges=True,
        )
    db_min, db_max = display_range(db)
    payload, edges = image_payload(db, db_min, db_max)
    window = stft_window_size(
        audio.sample_rate,
        view.start,
        view.end,
        OVERVIEW_WIDTH,
        view.fmin,
        view.fmax,
        OVERVIEW_HEIGHT,
    )
    image = Image(
        key=key,
        width=OVERVIEW_WIDTH,
        height=OVERVIEW_HEIGHT,
        db_min=db_min,
        db_max=db_max,
        view=view,
        method="stft",
        window_size=window,
        seconds=time.perf_counter() - began,
        edges=edges,
        auto_levels=auto_levels(db, db_min, db_max),
    )
    return image, payload

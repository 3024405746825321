"""The overview: an STFT of the whole file, computed once as it opens.

It runs in the main process behind the loading state: it is the bottom layer the viewport
falls back on, so it must exist before anything else is drawn. A file being decoded gets it
while it decodes (GrowingOverview: each column is computed as soon as the samples it reads
have arrived), so an hour's overview is nearly done when its decode ends; audio decoded
already (the demo) gets it at once (compute_overview).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.fft

from app.document.audio_file import AudioFile
from app.document.state import Image, View
from workers.imaging import (
    DISPLAY_RANGE_DB,
    auto_levels,
    display_range,
    image_payload,
    pack_payload,
    quantise,
)
from workers.spectrum import render, stft_window_size
from workers.stft import COLUMN_REACH

OVERVIEW_WIDTH = 2000
OVERVIEW_HEIGHT = 384
# The part of a growing overview the page is shown: bytes over a range fixed before the peak
# is known (a full-scale sine's ridge at its top), levels fitted to every 8th column.
PART_RANGE = (-DISPLAY_RANGE_DB, 0.0)
PART_LEVELS_STRIDE = 8
LOWEST_FREQUENCY = 20.0  # Hz: the bottom of hearing; the default view's fmin
PARTS_PER_CORE = 4  # parts of the overview's columns left after a decode, per core


def overview_view(sample_rate: int, duration: float) -> View:
    """The overview's view of a file of `duration` s at `sample_rate` Hz: all of it, from
    20 Hz (or Nyquist / 10 for very low rates) to Nyquist."""
    nyquist = sample_rate / 2
    return View(0.0, duration, min(LOWEST_FREQUENCY, nyquist / 10), nyquist)


def compute_overview(audio: AudioFile, key: str) -> tuple[Image, bytes]:
    """The overview image of `audio` and its bytes, to be served under `key`."""
    began = time.perf_counter()
    db = np.empty((OVERVIEW_HEIGHT, OVERVIEW_WIDTH), dtype=np.float32)
    _render_on_every_core(audio.samples, audio.sample_rate, db, 0)
    return overview_image(db, audio.sample_rate, audio.duration, key, began)


def overview_image(
    db: np.ndarray, sample_rate: int, duration: float, key: str, began: float
) -> tuple[Image, bytes]:
    """The overview Image of `db` ((OVERVIEW_HEIGHT, OVERVIEW_WIDTH) float32 dBFS, NaN in
    the edge cones) for a file of `duration` s, and its bytes: its display range, edge-cone
    mask and fitted levels; `began` is the time.perf_counter() at which its computation
    started."""
    db_min, db_max = display_range(db)
    payload, edges = image_payload(db, db_min, db_max)
    image = Image(
        key=key,
        width=OVERVIEW_WIDTH,
        height=OVERVIEW_HEIGHT,
        db_min=db_min,
        db_max=db_max,
        view=overview_view(sample_rate, duration),
        method="stft",
        window_size=_window(sample_rate, duration),
        seconds=time.perf_counter() - began,
        edges=edges,
        auto_levels=auto_levels(db, db_min, db_max),
    )
    return image, payload


def _window(sample_rate: int, duration: float) -> int:
    """The overview's STFT window of its lowest row, in samples."""
    view = overview_view(sample_rate, duration)
    return stft_window_size(
        sample_rate, view.start, view.end, OVERVIEW_WIDTH, view.fmin, view.fmax, OVERVIEW_HEIGHT
    )


def _render(samples: np.ndarray, sample_rate: int, columns: tuple[int, int] | None) -> np.ndarray:
    """The overview's float32 dBFS columns (all, or `columns`) of a file whose samples (all of
    them: its length places the edge cones) are `samples`."""
    view = overview_view(sample_rate, samples.size / sample_rate)
    return render(
        samples,
        sample_rate,
        start=view.start,
        end=view.end,
        fmin=view.fmin,
        fmax=view.fmax,
        width=OVERVIEW_WIDTH,
        height=OVERVIEW_HEIGHT,
        method="stft",
        mark_edges=True,
        columns=columns,
    )


def _render_on_every_core(
    samples: np.ndarray, sample_rate: int, db: np.ndarray, first: int
) -> None:
    """Columns `first` to the end of the overview of `samples` into `db`, on every core at
    once (the window waits for them): each part is ``render``'s `columns`, the same values
    as the whole. Threads, not processes: the FFTs and the array arithmetic release the
    GIL, and a scipy.fft worker count of one per thread (its default) keeps them from
    oversubscribing the cores, where one call with more FFT workers left the numpy half of
    the work on one core. PARTS_PER_CORE parts a core, taken in turn, so that a core slowed
    by other programs holds the rest up by a small part, not by half of the work."""
    cores = os.cpu_count() or 1
    parts = max(1, min(cores * PARTS_PER_CORE, (OVERVIEW_WIDTH - first) // GrowingOverview.BATCH))
    bounds = np.linspace(first, OVERVIEW_WIDTH, parts + 1).round().astype(int)

    def part(a: int, b: int) -> None:
        db[:, a:b] = _render(samples, sample_rate, (a, b))

    if parts == 1:
        part(first, OVERVIEW_WIDTH)
        return
    with ThreadPoolExecutor(min(cores, parts), thread_name_prefix="overview") as pool:
        for done in [pool.submit(part, a, b) for a, b in itertools.pairwise(bounds)]:
            done.result()


class GrowingOverview:
    """The overview of a file while it decodes, computed on a thread of its own a batch of
    columns at a time as the samples they read arrive, so that little of it is left when
    the decode ends. The columns are those of the whole file's overview, bit for bit
    (``workers.spectrum.render``'s ``columns``).

    ``block`` is the array the decode writes into (its length is the header's frame count);
    the decode tells ``decoded(n)`` after each block; ``finish(audio, key)`` then completes
    the overview of the decoded `audio` (whose samples are ``block``'s first frames), or
    ``stop()`` abandons it. ``columns_done`` and ``part()`` give the part computed so far.
    """

    BATCH = 100  # columns a step (the last may be fewer): a twentieth of the file, FFTs batched

    def __init__(self, block: np.ndarray, sample_rate: int) -> None:
        self._block = block
        self._sample_rate = sample_rate
        self._began = time.perf_counter()
        self._db = np.full((OVERVIEW_HEIGHT, OVERVIEW_WIDTH), np.nan, dtype=np.float32)
        # The part computed so far as the page is shown it (``part``).
        self._levels = np.zeros((OVERVIEW_HEIGHT, OVERVIEW_WIDTH), dtype=np.uint8)
        self._cones = np.zeros((OVERVIEW_HEIGHT, OVERVIEW_WIDTH), dtype=bool)
        self._column = block.size / OVERVIEW_WIDTH  # samples per column
        self._wake = threading.Condition()
        self._decoded = 0
        self._ending = False  # the decode is over (finish or stop)
        self.columns_done = 0
        self._taken = 0  # columns the thread has computed or is computing: its batch's end
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="growing-overview", daemon=True)
        self._thread.start()

    def decoded(self, frames: int) -> None:
        """The block's first `frames` samples are final."""
        with self._wake:
            self._decoded = frames
            self._wake.notify()

    def part(self, key: str, duration: float) -> tuple[Image, bytes] | None:
        """The overview so far, to show while the file decodes: an Image of the columns
        computed (its view from 0 s to where they end, in a file of `duration` s; its bytes
        over PART_RANGE, quantised by the thread as each batch was made, so that showing
        costs the decode a copy; its levels fitted to every PART_LEVELS_STRIDE-th column)
        and its bytes, to be served under `key`; None before the first batch."""
        done = self.columns_done
        if done == 0:
            return None
        payload, edges = pack_payload(self._levels[:, :done], self._cones[:, :done])
        whole = overview_view(self._sample_rate, duration)
        image = Image(
            key=key,
            width=done,
            height=OVERVIEW_HEIGHT,
            db_min=PART_RANGE[0],
            db_max=PART_RANGE[1],
            view=View(0.0, duration * done / OVERVIEW_WIDTH, whole.fmin, whole.fmax),
            method="stft",
            window_size=_window(self._sample_rate, duration),
            seconds=time.perf_counter() - self._began,
            edges=edges,
            auto_levels=auto_levels(self._db[:, :done:PART_LEVELS_STRIDE], *PART_RANGE),
        )
        return image, payload

    def stop(self) -> None:
        """Abandon the overview (the decode failed or was cancelled); the thread ends after
        its current batch."""
        with self._wake:
            self._ending = True
            self._decoded = 0
            self._wake.notify()
        self._thread.join()

    def finish(self, audio: AudioFile, key: str) -> tuple[Image, bytes]:
        """The whole overview of `audio`, decoded into the block: the thread's columns and
        the rest, computed now with every core while the thread ends its batch (waiting
        for it first left a core idle for a batch)."""
        with self._wake:
            self._ending = True
            taken = self._taken
            self._wake.notify()
        if audio.frames != self._block.size:
            # A truncated file: its length places the columns and the edge cones anew.
            self._join()
            return compute_overview(audio, key)
        if taken < OVERVIEW_WIDTH:
            _render_on_every_core(audio.samples, self._sample_rate, self._db, taken)
        self._join()
        return overview_image(self._db, self._sample_rate, audio.duration, key, self._began)

    def _join(self) -> None:
        """Wait for the thread's end; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _ready(self, decoded: int) -> int:
        """Columns whose every frame reads decoded samples only."""
        if decoded >= self._block.size:
            return OVERVIEW_WIDTH
        return max(0, min(OVERVIEW_WIDTH, int((decoded - COLUMN_REACH) / self._column)))

    def _batch_ready(self) -> bool:
        """Whether a whole batch of columns (or all that are left) can be computed: a call
        per column would cost more in planning than in FFTs (a column of an hour's overview
        is 1.8 s, more than a decoded block)."""
        left = OVERVIEW_WIDTH - self.columns_done
        return left > 0 and self._ready(self._decoded) - self.columns_done >= min(self.BATCH, left)

    def _run(self) -> None:
        try:
            # The decode has a core of its own; the FFTs take the others.
            with scipy.fft.set_workers(max(1, (os.cpu_count() or 1) - 1)):
                while True:
                    with self._wake:
                        while not self._ending and not self._batch_ready():
                            self._wake.wait()
                        if self._ending:
                            return
                        first = self.columns_done
                        stop = self._taken = min(self._ready(self._decoded), first + self.BATCH)
                    db = _render(self._block, self._sample_rate, (first, stop))
                    self._db[:, first:stop] = db
                    self._levels[:, first:stop] = quantise(db, *PART_RANGE)
                    self._cones[:, first:stop] = np.isnan(db)
                    self.columns_done = stop
        except BaseException as error:  # raised again by finish
            self._error = error

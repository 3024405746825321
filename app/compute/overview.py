"""The overview: an STFT of the whole file, computed once when it opens.

It runs in the main process behind the loading state (seed 004): it is the bottom layer the
viewport falls back on, so it must exist before anything else is drawn. A file being decoded
has its overview computed alongside (`OverviewAlongside`): a column is computed as soon as
every sample it reads is decoded, on a thread of its own, so the decode and the STFT share the
two cores and the overview is ready about when the decode ends.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import scipy.fft

from app.document.audio_file import AudioFile
from app.document.state import Image, View
from workers.imaging import display_range, quantise
from workers.spectrum import power_to_db
from workers.stft import column_power, columns_within, plan_columns

OVERVIEW_WIDTH = 2000
OVERVIEW_HEIGHT = 384
LOWEST_FREQUENCY = 20.0  # Hz: the bottom of hearing; the default view's fmin


def view_of(frames: int, sample_rate: int) -> View:
    """The whole of `frames` samples, 20 Hz (or lower for very low rates) to Nyquist."""
    nyquist = sample_rate / 2
    return View(0.0, frames / sample_rate, min(LOWEST_FREQUENCY, nyquist / 10), nyquist)


def full_view(audio: AudioFile) -> View:
    """The whole file, 20 Hz (or lower for very low rates) to Nyquist."""
    return view_of(audio.frames, audio.sample_rate)


class GrowingOverview:
    """The overview of samples that arrive in order, computed column batch by column batch.

    samples : np.ndarray, float32, (frames,): the whole file's block, of which only a prefix
        may be written yet; `advance(decoded)` reads nothing at or beyond `decoded`.
    """

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        self._samples = samples
        self._frames = int(samples.size)
        self.view = view_of(self._frames, sample_rate)
        freqs = np.geomspace(self.view.fmin, self.view.fmax, OVERVIEW_HEIGHT)
        self._plan = plan_columns(
            sample_rate, self.view.start, self.view.end, freqs, OVERVIEW_WIDTH
        )
        self._power = np.empty((OVERVIEW_HEIGHT, OVERVIEW_WIDTH), np.float32)
        self.columns_done = 0

    def ready(self, decoded: int) -> int:
        """How many columns the first `decoded` samples complete."""
        if decoded >= self._frames:
            return OVERVIEW_WIDTH
        return columns_within(self._plan, decoded)

    def batch_ready(self, decoded: int) -> bool:
        """Whether the first `decoded` samples complete a whole batch of columns (or the
        last ones): a batch has a fixed cost (row tables), so columns go a batch at a time."""
        left = OVERVIEW_WIDTH - self.columns_done
        return left > 0 and self.ready(decoded) - self.columns_done >= min(
            left, self._plan.per_chunk
        )

    def advance(self, decoded: int) -> int:
        """Compute the columns the first `decoded` samples complete (at most one batch of
        CHUNK_POINTS framed samples, so a caller can look up between batches); the columns
        done now."""
        decoded = min(decoded, self._frames)
        ready = self.ready(decoded)
        c0 = self.columns_done
        if c0 < ready:
            c1 = min(ready, c0 + self._plan.per_chunk)
            self._power[:, c0:c1] = column_power(self._samples[:decoded], self._plan, c0, c1)
            self.columns_done = c1
        return self.columns_done

    @property
    def complete(self) -> bool:
        return self.columns_done == OVERVIEW_WIDTH

    def image(self, key: str, seconds: float) -> tuple[Image, bytes]:
        """The finished overview and its uint8 bytes, to be served under `key`."""
        if not self.complete:
            raise ValueError(f"the overview has {self.columns_done} of {OVERVIEW_WIDTH} columns")
        db = power_to_db(self._power.copy())
        db_min, db_max = display_range(db)
        image = Image(
            key=key,
            width=OVERVIEW_WIDTH,
            height=OVERVIEW_HEIGHT,
            db_min=db_min,
            db_max=db_max,
            view=self.view,
            method="stft",
            window_size=self._plan.n,
            seconds=seconds,
        )
        return image, quantise(db, db_min, db_max).tobytes()


def compute_overview(audio: AudioFile, key: str) -> tuple[Image, bytes]:
    """The overview image of decoded `audio` and its bytes, to be served under `key`."""
    began = time.perf_counter()
    overview = GrowingOverview(audio.samples, audio.sample_rate)
    with scipy.fft.set_workers(os.cpu_count() or 1):  # the window waits for it anyway
        while not overview.complete:
            overview.advance(audio.frames)
    return overview.image(key, time.perf_counter() - began)


class OverviewAlongside:
    """A GrowingOverview computed on its own thread while the caller decodes into `samples`.

    The decoding thread calls `decoded(n)` as samples arrive, then `finish(frames, key)` once
    (the frames actually decoded: fewer than the block's for a truncated file, whose overview
    is then computed afresh over what it holds) or `stop()` when the decode failed.
    """

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        self._began = time.perf_counter()
        self._samples = samples
        self._sample_rate = sample_rate
        self._overview = GrowingOverview(samples, sample_rate)
        self._changed = threading.Condition()
        self._decoded = 0
        self._stopped = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="overview", daemon=True)
        self._thread.start()

    @property
    def columns_done(self) -> int:
        return self._overview.columns_done

    def decoded(self, frames: int) -> None:
        with self._changed:
            self._decoded = frames
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join()

    def finish(self, frames: int, key: str) -> tuple[Image, bytes]:
        """The overview of the first `frames` samples (all of them decoded by now)."""
        if frames < self._samples.size:
            self.stop()  # its columns are of a longer file
            overview = GrowingOverview(self._samples[:frames], self._sample_rate)
            while not overview.complete:
                overview.advance(frames)
        else:
            self.decoded(frames)
            self._thread.join()
            if self._error is not None:
                raise self._error
            overview = self._overview
        return overview.image(key, time.perf_counter() - self._began)

    def _run(self) -> None:
        try:
            while True:
                with self._changed:
                    while not self._stopped and not self._overview.batch_ready(self._decoded):
                        self._changed.wait()
                    if self._stopped:
                        return
                    decoded = self._decoded
                if self._overview.advance(decoded) == OVERVIEW_WIDTH:
                    return
        except BaseException as error:  # handed to finish(), on the decoding thread
            self._error = error

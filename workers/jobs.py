"""What a worker process does: a loop that serves jobs from its request pipe.

A job is a pickle-safe frozen dataclass with a `run(report)` method; the loop sends back
("result", request_id, value), ("error", request_id, reason, traceback) or, during the work,
("progress", request_id, done, total). Everything here runs in the worker process.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass

import numpy as np
import scipy.fft
import soundfile as sf

from workers.harmonics import find_harmonics
from workers.imaging import image_payload
from workers.shared import AudioRef, attach
from workers.snap import snap_trace
from workers.spectrum import (
    DEFAULT_SCALE,
    DEFAULT_WAVELET,
    render,
    resolve_method,
    stft_window_size,
)
from workers.synth import synthesize
from workers.track import TrackSettings, track_partials


@dataclass(frozen=True)
class ViewportJob:
    """Compute the viewport image for a view: uint8 bytes and what they mean."""

    request_id: int
    audio: AudioRef
    start: float
    end: float
    fmin: float
    fmax: float
    width: int
    height: int
    db_min: float  # the document's display range, so every image has the same colours
    db_max: float
    method: str = "auto"
    q: float | None = None
    wavelet: str = DEFAULT_WAVELET  # the CWT's (workers.spectrum.render)
    window: float | None = None  # the STFT's window and hop in seconds, None: Soma's choice
    hop: float | None = None
    scale: str = DEFAULT_SCALE  # how the rows are spaced (workers.rows.SCALES)

    def run(self, report) -> dict:
        began = time.perf_counter()
        report(0, 1)  # started: the main process can tell a computing worker from a starting one
        samples = attach(self.audio)
        sr = self.audio.sample_rate
        db = render(
            samples,
            sr,
            start=self.start,
            end=self.end,
            fmin=self.fmin,
            fmax=self.fmax,
            width=self.width,
            height=self.height,
            method=self.method,
            q=self.q,
            wavelet=self.wavelet,
            report=report,
            mark_edges=True,
            window=self.window,
            hop=self.hop,
            scale=self.scale,
        )
        method = resolve_method(self.method, self.start, self.end)
        payload, edges = image_payload(db, self.db_min, self.db_max)
        return {
            "payload": payload,
            "edges": edges,
            "method": method,
            "window_size": (
                stft_window_size(
                    sr,
                    self.start,
                    self.end,
                    self.width,
                    self.fmin,
                    self.fmax,
                    self.height,
                    self.q,
                    self.window,
                )
                if method == "stft"
                else 0
            ),
            "seconds": time.perf_counter() - began,
        }


@dataclass(frozen=True)
class SnapJob:
    """Snap a drawn guide onto the ridge: (n, 3) points [time s, frequency Hz, dBFS]."""

    request_id: int
    audio: AudioRef
    guide: tuple[tuple[float, float], ...]
    hop: float
    tolerance_cents: float
    q: float | None = None

    def run(self, report) -> dict:
        report(0, 1)
        samples = attach(self.audio)
        points = snap_trace(
            samples,
            self.audio.sample_rate,
            self.guide,
            hop=self.hop,
            tolerance_cents=self.tolerance_cents,
            q=self.q,
            report=report,
        )
        return {"points": points}


@dataclass(frozen=True)
class TrackJob:
    """Track every partial of the shared audio within [start, end) s and the settings'
    frequencies (workers.track.track_partials): {"tracks": [float64 (n, 3) [t s, Hz, dBFS]]},
    [] for silence."""

    request_id: int
    audio: AudioRef
    settings: TrackSettings
    start: float
    end: float | None

    def run(self, report) -> dict:
        report(0, 1)
        samples = attach(self.audio)
        tracks = track_partials(
            samples,
            self.audio.sample_rate,
            self.settings,
            start=self.start,
            end=self.end,
            report=report,
        )
        return {"tracks": tracks}


@dataclass(frozen=True)
class HarmonicsJob:
    """Trace harmonics 2..N of a fundamental along its contour
    (workers.harmonics.find_harmonics): {"numbers": [n, ...], "partials": [float64 (k, 3)
    [t s, Hz, dBFS] each], "inharmonicity": B}."""

    request_id: int
    audio: AudioRef
    trace: np.ndarray  # the fundamental's points, (m, 3) [t s, Hz, dBFS], NaN in its gaps
    count: int | None  # the highest harmonic; None: as high as they go
    fmax: float | None  # Hz; None: the Nyquist frequency

    def run(self, report) -> dict:
        report(0, 1)
        samples = attach(self.audio)
        found = find_harmonics(
            samples,
            self.audio.sample_rate,
            self.trace,
            count=self.count,
            fmax=self.fmax,
            report=report,
        )
        return {
            "numbers": list(found.numbers),
            "partials": list(found.partials),
            "inharmonicity": found.inharmonicity,
        }


@dataclass(frozen=True)
class ResynthesisJob:
    """Write the additive resynthesis of `partials` (each (n, 3): time s, Hz, dBFS) over
    [0, duration) s to `path`, a sound file of soundfile's `subtype`."""

    request_id: int
    partials: tuple[np.ndarray, ...]
    sample_rate: int
    duration: float
    path: str
    subtype: str

    def run(self, report) -> dict:
        report(0, 1)
        samples = synthesize(self.partials, self.sample_rate, end=self.duration, report=report)
        try:
            sf.write(self.path, samples, self.sample_rate, subtype=self.subtype)
        except (OSError, RuntimeError) as error:  # soundfile reports most as RuntimeError
            raise OSError(f"cannot write {os.path.basename(self.path)}: {error}") from None
        return {"path": self.path}


def describe_error(error: BaseException) -> str:
    """One line for the user: "Type: the first line of the message" ("Type" alone if empty)."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def serve(requests, results) -> None:
    """Run jobs received on `requests` (a Connection) and send every outcome on `results`.

    Returns when the main process closes its end. An exception in a job is an outcome, not
    the end of the worker: the next job may be fine. FFTs use every core but one: the one
    left is the window's, which must keep answering while a worker computes.
    """
    with scipy.fft.set_workers(max(1, (os.cpu_count() or 1) - 1)):
        _serve(requests, results)


def _serve(requests, results) -> None:
    while True:
        try:
            job = requests.recv()
        except EOFError:
            return
        try:
            value = job.run(
                lambda done, total, request_id=job.request_id: results.send(
                    ("progress", request_id, done, total)
                )
            )
        except Exception as error:  # reported to the main process, which decides
            # The reason is for the user, the traceback for the log: it cannot be logged
            # here, the worker has no log of its own.
            results.send(("error", job.request_id, describe_error(error), traceback.format_exc()))
        else:
            results.send(("result", job.request_id, value))

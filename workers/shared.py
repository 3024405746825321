"""The open file's samples in shared memory, as the worker processes see them.

The main process decodes a file straight into a shared-memory segment (a file under
SHM_DIR, app.compute.shared_audio); a request names the segment instead of carrying the
samples (pickling minutes of audio into every zoom would cost more than the zoom). Segments
are mapped with mmap, on both sides, rather than through multiprocessing.shared_memory: its
close() refuses while an array on the mapping lives, and on Python before 3.13 every process
that attaches registers the segment with the resource tracker, which then warns of "leaked"
segments that the main process has long unlinked.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHM_DIR = Path("/dev/shm")  # where Linux keeps POSIX shared memory (shm_open's files)

# The one mapping kept in this process: (name, samples) of the file being worked on, or None.
# A worker serves many requests on the same file, and mapping a segment is a system call per
# request otherwise. One, because a worker serves one file: its slot ends it when the file
# changes (app.compute.slots), and a request for another segment drops this one, so an idle
# worker never pins a closed file's samples in memory (the mapping ends with the last array
# on it). What else a worker keeps is bounded too: workers.cwt's forward spectra
# (FFT_CACHE_BYTES, 64 MiB, keyed by the samples' digest, copies that hold no mapping) and
# the small lru_caches of wavelet bands and STFT windows and row tables (4, 8 and 16 entries).
_attached: tuple[str, np.ndarray] | None = None


@dataclass(frozen=True)
class AudioRef:
    """How a worker finds the audio: a shared-memory segment of `frames` float32 samples."""

    name: str
    frames: int
    sample_rate: int


def attach(ref: AudioRef) -> np.ndarray:
    """The samples of `ref` as a read-only float32 array of shape (frames,).

    Raises FileNotFoundError when the segment is gone (the file was closed meanwhile).
    """
    global _attached
    if _attached is None or _attached[0] != ref.name:
        _attached = None  # the previous file's mapping ends with its last array
        fd = os.open(SHM_DIR / ref.name, os.O_RDONLY)
        try:
            mapping = mmap.mmap(fd, ref.frames * 4, prot=mmap.PROT_READ)
        finally:
            os.close(fd)
        samples = np.frombuffer(mapping, dtype=np.float32, count=ref.frames)
        _attached = (ref.name, samples)
    return _attached[1]

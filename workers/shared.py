"""The open file's samples in shared memory, as the worker processes see them.

The main process decodes a file once and copies the mono float32 samples into a
multiprocessing.shared_memory segment; a request names the segment instead of carrying the
samples (pickling minutes of audio into every zoom would cost more than the zoom).
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

# The one attachment kept open in this process: (segment, samples) of the file being worked
# on, or None. A worker serves many requests on the same file, and mapping a segment is a
# system call per request otherwise. One, because a worker serves one file: its slot ends it
# when the file changes (app.compute.slots), and a request for another segment drops this one, so an
# idle worker never pins a closed file's samples in memory. What else a worker keeps is
# bounded too: workers.cwt's forward spectra (FFT_CACHE_BYTES, 64 MiB, keyed by the
# samples' digest, copies that hold no mapping) and the small lru_caches of wavelet bands and
# STFT windows and row tables (4, 8 and 16 entries).
_attached: tuple[shared_memory.SharedMemory, np.ndarray] | None = None


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
    if _attached is None or _attached[0].name != ref.name:
        if _attached is not None:
            segment, _ = _attached
            _attached = None
            try:
                segment.close()
            except BufferError:  # an array on it is still alive; unmapped when collected
                pass
        segment = shared_memory.SharedMemory(name=ref.name)
        samples = np.ndarray((ref.frames,), dtype=np.float32, buffer=segment.buf)
        samples.flags.writeable = False
        _attached = (segment, samples)
    return _attached[1]

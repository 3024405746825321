"""The open file's samples in shared memory, as the worker processes see them.

The main process decodes a file once and copies the mono float32 samples into a
multiprocessing.shared_memory segment; a request names the segment instead of carrying the
samples (pickling minutes of audio into every zoom would cost more than the zoom).
"""
from __future__ import annotations

from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

# Attachments kept open in this process, by segment name. A worker serves many requests on
# the same file, and mapping a segment is a system call per request otherwise; two entries
# cover the file being replaced by the next.
_ATTACHED: dict[str, tuple[shared_memory.SharedMemory, np.ndarray]] = {}
_KEEP = 2


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
    if ref.name not in _ATTACHED:
        while len(_ATTACHED) >= _KEEP:
            oldest = next(iter(_ATTACHED))
            segment, _ = _ATTACHED.pop(oldest)
            try:
                segment.close()
            except BufferError:  # an array on it is still alive; unmapped when collected
                pass
        segment = shared_memory.SharedMemory(name=ref.name)
        samples = np.ndarray((ref.frames,), dtype=np.float32, buffer=segment.buf)
        samples.flags.writeable = False
        _ATTACHED[ref.name] = (segment, samples)
    return _ATTACHED[ref.name][1]

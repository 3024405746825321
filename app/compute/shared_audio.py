"""The open file's samples in a shared-memory segment, owned by the main process.

Segments are named soma-<pid>-<n>: a segment left behind by a crashed run can be recognised
by its dead pid and removed at the next start (POSIX keeps segments until unlinked).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np

from workers.shared import AudioRef

log = logging.getLogger(__name__)

PREFIX = "soma-"
_SHM_DIR = Path("/dev/shm")  # where Linux shows POSIX shared memory; absent elsewhere
_serial = itertools.count(1)


class SharedAudio:
    """A copy of `samples` (float32, 1-D) in shared memory, until close()."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        frames = int(samples.size)
        name = f"{PREFIX}{os.getpid()}-{next(_serial)}"
        # A zero-byte segment is not allowed; an empty file never gets this far anyway.
        self._segment = shared_memory.SharedMemory(name=name, create=True, size=max(4, frames * 4))
        np.ndarray((frames,), np.float32, buffer=self._segment.buf)[:] = samples
        self.ref = AudioRef(name=self._segment.name, frames=frames, sample_rate=sample_rate)

    def close(self) -> None:
        """Unmap and unlink the segment; workers still attached keep their mapping."""
        if self._segment is None:
            return
        segment, self._segment = self._segment, None
        segment.close()
        try:
            segment.unlink()
        except FileNotFoundError:
            pass


class AudioShare:
    """The open file, shared with the workers: one segment at a time, replaced on open.

    Both worker slots read the same segment; a request for a file that is no longer the
    shared one is refused here rather than computed on the wrong samples.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: tuple[object, SharedAudio] | None = None

    def share(self, audio) -> None:
        """Share `audio` (an AudioFile); the previous file's segment is unlinked."""
        shared = SharedAudio(audio.samples, audio.sample_rate)
        with self._lock:
            previous, self._current = self._current, (audio, shared)
        if previous is not None:
            previous[1].close()

    def ref_for(self, audio) -> AudioRef:
        """The segment of `audio`; LookupError if it is not the shared file."""
        with self._lock:
            if self._current is None or self._current[0] is not audio:
                raise LookupError("that file is not open any more")
            return self._current[1].ref

    def close(self) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current[1].close()


def segment_names() -> list[str]:
    """Names of Soma's segments that exist now (any process), where the system shows them."""
    if not _SHM_DIR.is_dir():
        return []
    return sorted(p.name for p in _SHM_DIR.iterdir() if p.name.startswith(PREFIX))


def remove_stale_segments() -> list[str]:
    """Unlink segments whose creating process is gone (a crash); returns their names."""
    removed = []
    for name in segment_names():
        try:
            pid = int(name[len(PREFIX) :].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            (_SHM_DIR / name).unlink()
            removed.append(name)
        except OSError as error:
            log.warning("cannot remove stale shared memory %s: %s", name, error)
    if removed:
        log.info("removed %d shared-memory segment(s) left by a crashed run", len(removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, and not ours to judge
        return True
    return True

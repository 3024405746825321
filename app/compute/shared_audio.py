"""The open file's samples in a shared-memory segment, owned by the main process.

A file is decoded straight into its segment (SharedAudio.empty), so the main process, the
player and the workers all read the one copy.

Segments are named soma-<pid>-<n>: a segment left behind by a crashed run can be recognised
by its dead pid and removed at the next start (POSIX keeps segments until unlinked).
"""

from __future__ import annotations

import itertools
import logging
import mmap
import os
import shutil
import threading

import numpy as np

from app.base.errors import SomaError
from workers.shared import SHM_DIR, AudioRef

log = logging.getLogger(__name__)

PREFIX = "soma-"
_serial = itertools.count(1)


class SharedMemoryFull(SomaError):
    """The shared-memory file system cannot hold a file's samples; str() is one line."""


class SharedAudio:
    """Mono float32 samples in a shared-memory segment that the workers map by name.

    ``SharedAudio.empty(frames, sr)`` makes a block to decode into (app.files.audio.load_audio
    writes ``samples`` block by block, so the samples exist once in the whole app);
    ``SharedAudio(samples, sr)`` copies audio that exists already (the demo, a test's signal).

    The segment is a file under SHM_DIR mapped with mmap (workers.shared says why not
    multiprocessing.shared_memory): the mapping belongs to the arrays on it and is unmapped
    when the last of them is collected, which is when the document lets go of the file.
    """

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        self._create(int(samples.size), sample_rate)
        self.samples[:] = samples
        self.finish(int(samples.size))

    @classmethod
    def empty(cls, frames: int, sample_rate: int) -> SharedAudio:
        """A block of `frames` float32 samples to write into; finish(n) when written.

        Raises SharedMemoryFull when /dev/shm cannot hold it: its pages are reserved here
        (posix_fallocate), because a write into a tmpfs page that cannot be had is a SIGBUS
        that ends the whole app.
        """
        shared = cls.__new__(cls)
        shared._create(frames, sample_rate)
        return shared

    def _create(self, frames: int, sample_rate: int) -> None:
        if frames <= 0:
            raise ValueError(f"a shared block needs at least one frame, not {frames}")
        self._path = SHM_DIR / f"{PREFIX}{os.getpid()}-{next(_serial)}"
        size = frames * 4
        # Asked first, so that a file that cannot fit fails at once; posix_fallocate would
        # take every free page before it failed.
        if size > shutil.disk_usage(SHM_DIR).free:
            raise _full(size, "not enough space")
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                os.posix_fallocate(fd, 0, size)
            except OSError as error:  # another program took the space meanwhile
                self._path.unlink(missing_ok=True)
                raise _full(size, error.strerror or str(error)) from None
            mapping = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        # The array keeps the mapping alive; nothing else here holds it.
        self.samples = np.frombuffer(mapping, dtype=np.float32, count=frames)
        self.sample_rate = int(sample_rate)
        self.ref = AudioRef(name=self._path.name, frames=frames, sample_rate=self.sample_rate)

    def finish(self, frames: int) -> np.ndarray:
        """The first `frames` samples, read-only, as the app will use them from now on.

        A file shorter than its header said (truncated) leaves the tail unwritten: the
        segment is cut to `frames` so those pages go back to the system.
        """
        if not 0 < frames <= self.ref.frames:
            raise ValueError(f"finish({frames}) of a block of {self.ref.frames} frames")
        if frames < self.ref.frames:
            os.truncate(self._path, frames * 4)
            self.ref = AudioRef(name=self.ref.name, frames=frames, sample_rate=self.sample_rate)
        view = self.samples[:frames]
        view.flags.writeable = False
        self.samples = view
        return view

    def close(self) -> None:
        """Unlink the segment and drop this object's view; the mapping ends with the last
        array on it (the document's AudioFile), and each worker's with the worker."""
        if self.samples is None:
            return
        self.samples = None
        try:
            self._path.unlink()
        except FileNotFoundError:
            pass


def _full(size: int, reason: str) -> SharedMemoryFull:
    free = shutil.disk_usage(SHM_DIR).free
    return SharedMemoryFull(
        f"Not enough shared memory: the audio needs {size / 1e9:.2f} GB and {SHM_DIR} has "
        f"{free / 1e9:.2f} GB free ({reason}); close other programs or open a shorter file."
    )


class AudioShare:
    """The open file, shared with the workers: one segment at a time, replaced on open.

    Both worker slots read the same segment; a request for a file that is no longer the
    shared one is refused here rather than computed on the wrong samples.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: tuple[object, SharedAudio] | None = None

    def share(self, audio, block: SharedAudio | None = None) -> None:
        """Share `audio` (an AudioFile); the previous file's segment is unlinked.

        `block`: the segment `audio.samples` were decoded into (no copy is made); without
        it the samples are copied into a new one.
        """
        shared = block if block is not None else SharedAudio(audio.samples, audio.sample_rate)
        if shared.ref.frames != audio.frames:
            raise ValueError(f"a block of {shared.ref.frames} frames for {audio.frames}")
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
    if not SHM_DIR.is_dir():
        return []
    return sorted(p.name for p in SHM_DIR.iterdir() if p.name.startswith(PREFIX))


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
            (SHM_DIR / name).unlink()
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

"""Reading files from outside and writing Soma's own (standard library only: the dev-mode
supervisor writes its state with write_atomic): the rules every reader and writer shares.

Reading: only regular files are opened. A FIFO would block the open or the read forever (and
with it the command line, or the bridge, which stays busy), and /dev/zero or /dev/full would be
read until memory runs out. `open_regular` opens without blocking and checks the opened file
itself (fstat), so a file swapped for a FIFO between a check and the open cannot slip through.
Text formats (projects, exchange files, guides, the recent list) are read with `read_limited`,
at most MAX_TEXT_BYTES (projects: their own limit, app.files.project.MAX_PROJECT_BYTES; their
JSON is then parsed with app.base.jsontext.parse_json).

Writing: `write_atomic` replaces a file all or nothing: temporary file beside the target,
flushed and fsync'ed, os.replace'd over it, then the folder fsync'ed (POSIX) so the rename
survives a power cut. A symlink is followed: the file it points to is replaced, the link kept.
The temporary file is named '.<name>.<pid>.<random>.tmp'; one left by a writer killed
mid-save (SIGKILL) is removed by the next write of the same target once that pid is dead.

Every failure here is an OSError whose strerror is one short phrase; callers turn it into their
own module's error naming the file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

MAX_TEXT_BYTES = 128 * 2**20  # an export of a million points as JSON rows is ~45 MB
_READ_CHUNK = 1 << 20
_NEW_FILE_MODE = 0o644  # a new file; an existing one keeps its own mode
_TEMP_SUFFIX = ".tmp"
# tempfile.mkstemp's random part: 8 characters of this alphabet
_TEMP_RANDOM = r"[a-z0-9_]{8}"

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path) -> BinaryIO:
    """The regular file at `path` (symlinks followed), open for binary reading.

    Raises OSError: the open's own (missing, permission denied...), or EINVAL with strerror
    "not a regular file: a FIFO (named pipe)" and the like, before anything is read.
    """
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "a special file")
            raise OSError(errno.EINVAL, f"not a regular file: {kind}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises OSError (see open_regular), EFBIG with strerror "larger than ... MiB" when the file
    holds more than `limit` bytes (by its size, or, if it grows while read, once limit + 1
    are read).
    """
    too_large = OSError(
        errno.EFBIG,
        f"larger than {limit / 2**20:g} MiB, more than Soma reads from a file of this kind",
    )
    chunks = []
    size = 0
    with open_regular(path) as stream:
        if os.fstat(stream.fileno()).st_size > limit:
            raise too_large
        # In pieces: read(limit + 1) would allocate the whole limit even for a small file.
        while chunk := stream.read(min(_READ_CHUNK, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise too_large
    return b"".join(chunks)


def _temp_name(target: Path) -> re.Pattern:
    """The names write_atomic gives its temporary files for `target`, the pid as group 1."""
    return re.compile(
        re.escape(f".{target.name}.") + r"(\d+)\." + _TEMP_RANDOM + re.escape(_TEMP_SUFFIX)
    )


_ANY_TEMP_NAME = re.compile(r"\.(.+)\.\d+\." + _TEMP_RANDOM + re.escape(_TEMP_SUFFIX))


def temporary_target(name: str) -> str | None:
    """The name of the file a temporary file of write_atomic's named `name` was to replace,
    or None when `name` is not one (for a caller that knows no write of its own is under
    way, and may remove such files whatever their writer)."""
    match = _ANY_TEMP_NAME.fullmatch(name)
    return match.group(1) if match else None


def _running(pid: int) -> bool:
    """Whether a process with this pid exists (one of another user counts: it may be ours)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temporaries(path) -> list[Path]:
    """Remove the temporary files write_atomic left beside `path` (symlinks followed) when
    killed mid-write: only names of its exact pattern for this target, only when the pid in the
    name is not running and is not this process (another thread of ours may be writing).

    Returns the files removed. A folder that cannot be listed, or a file that cannot be removed,
    is left as it is: this is tidying, never a reason to fail a save or an open.
    """
    target = Path(os.path.realpath(path))
    pattern = _temp_name(target)
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if not match or int(match.group(1)) == os.getpid() or _running(int(match.group(1))):
            continue
        leftover = target.parent / name
        try:
            if stat.S_ISREG(os.lstat(leftover).st_mode):
                leftover.unlink()
                removed.append(leftover)
        except OSError:
            continue
    return removed


def write_atomic(path, data: bytes) -> None:
    """Replace the file at `path` (or the file a symlink there points to) with `data`, all or
    nothing (see the module docstring).

    Raises OSError; the previous file is intact and no temporary file is left behind.
    """
    target = Path(os.path.realpath(path))
    remove_stale_temporaries(target)
    folder = target.parent
    fd, temp = tempfile.mkstemp(
        dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = _NEW_FILE_MODE
        os.chmod(temp, mode)  # mkstemp makes 0600; keep what the user had
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    if os.name == "posix":
        # The rename lives in the folder's entry table; without this a crash can undo it.
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

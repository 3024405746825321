"""A worker that ends when the process it works for has ended.

A command's process pool (``soma track``) is ended by the command: its workers are told to
stop when it shuts the pool down. Ctrl-C can cut that short: a worker that the command was
still starting when the signal came (forked, but not yet counted by the pool), or one
writing a result nobody will read, was left running after the command exited, and with it
the forkserver, which waits for every worker, and the terminal's stderr, which they hold
(seen about once in six interrupts). ``end_with`` makes such a worker end on its own.

Linux's /proc tells a process that has exited but not been reaped (a zombie, as the command
is until its shell waits for it) from a live one; without /proc, ``os.kill(pid, 0)`` is
asked, which counts a zombie as alive.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.2
_HAS_PROC = Path("/proc/self/stat").exists()


def end_with(pid: int) -> None:
    """Start a daemon thread that ends this process (``os._exit``) within POLL_SECONDS of
    process ``pid`` ending: a process pool's initializer, given the pool owner's pid."""

    def watch() -> None:
        while _alive(pid):
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="soma-lifeline", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not, where /proc says so)."""
    if not _HAS_PROC:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return False
    # "pid (comm) state ...": the command's name may hold spaces and parentheses.
    return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] != b"Z"

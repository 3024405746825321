"""Starting and ending worker processes.

Start method: a forkserver whose server process has already imported numpy, scipy.fft and
the workers modules, so a new worker is a fork of a warm, GUI-free process: measured about
10 ms to a worker computing its job, against about 280 ms for spawn, which re-imports
everything (docs/benchmarks.md). Not preloaded: pywt (workers.wavelets imports it, about
0.2 s, only when a CWT is asked for one of PyWavelets' wavelets, which the window does not
offer). The tracker's linking runs compiled ahead of time (workers.track_link), without
numba.
workers.forkserver_setup, first in the list, stops the workers from re-running the program's
main script, which multiprocessing would otherwise do in every child (30-50 ms each).
Terminate-on-replace is only interactive when a replacement is that cheap. Plain fork from
the main process is never used: it would copy a process that runs Qt's threads.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from multiprocessing.context import BaseContext

PRELOAD = [
    "workers.forkserver_setup",
    "numpy",
    "scipy.fft",
    "workers.spectrum",
    "workers.snap",
    "workers.jobs",
    "workers.track_peaks",
]
# ... and for a process that only tracks (`soma track`): the tracker's modules alone, which
# bring numpy and scipy.fft; the window's jobs' modules were 0.05 s more of its workers' start.
TRACKING_PRELOAD = [
    "workers.forkserver_setup",
    "workers.lifeline",
    "workers.track",
    "workers.track_peaks",
]
JOIN_SECONDS = 0.2  # how long a terminated worker gets to exit before it is killed

_context: BaseContext | None = None


def context() -> BaseContext:
    """The multiprocessing context for workers: forkserver with preload, or spawn."""
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        else:
            _context = multiprocessing.get_context("spawn")
    return _context


def start_server(preload: list[str] = PRELOAD) -> None:
    """Start the forkserver now, ahead of the first worker, which would otherwise wait for it
    to start and import the ``preload`` list (about 0.3 s). Nothing to do under spawn."""
    if context().get_start_method() == "forkserver":
        context().set_forkserver_preload(preload)
        multiprocessing.forkserver.ensure_running()


def stop(process, join_seconds: float = JOIN_SECONDS) -> int | None:
    """End `process`: SIGTERM, wait up to `join_seconds`, SIGKILL if still alive, reap.

    Returns the exit code it had (negative: the signal that ended it).
    """
    if process.is_alive():
        process.terminate()
        process.join(join_seconds)
        if process.is_alive():
            process.kill()
    process.join()
    code = process.exitcode
    process.close()  # frees the sentinel and other descriptors now, not at garbage collection
    return code

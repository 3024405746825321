"""The `soma` program: the console script and ``python -m app`` (``app.cli`` does the work)."""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

from app.compute import processes

# Commands that compute in worker processes, and what their workers import: the workers'
# forkserver is started before anything else is imported, so that its start (numpy, scipy
# and the workers, about 0.35 s) overlaps the command's own imports (0.2 s) rather than
# following them.
WORKER_COMMANDS = {"track": processes.TRACKING_PRELOAD}
EXIT_CANCELLED = 130  # the shell's code for a command ended by SIGINT
LEFT_SEMAPHORES_WARNING = "ignore:resource_tracker:UserWarning"


def run_program() -> NoReturn:
    """``app.cli.main`` on the command line's arguments, then exit with its code."""
    try:
        if sys.argv[1:2] and sys.argv[1] in WORKER_COMMANDS:
            # Ended by Ctrl-C (below), the process leaves its pool's semaphores to
            # multiprocessing's resource tracker, which removes them and would say so on the
            # terminal; it starts with this interpreter's warning options.
            sys.warnoptions.append(LEFT_SEMAPHORES_WARNING)
            processes.start_server(WORKER_COMMANDS[sys.argv[1]])
        from app.cli import main

        code = main()
    except KeyboardInterrupt:  # Ctrl-C at a terminal, at any moment: the user knows why, and
        # one line says it (the workers ignore it: workers.forkserver_setup). The process
        # ends without Python's exit handlers, which join a process pool's threads: those of
        # a pool left mid-start or mid-result waited for ever.
        print("soma: cancelled", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_CANCELLED)
    # The process ends here, so its objects need no more collecting: Python's collections at
    # exit walked the objects the imports leave (0.35 s of `soma track`'s 2.7 s when it still
    # imported numba; scipy's and the window's remain).
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run_program()

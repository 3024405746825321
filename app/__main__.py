"""The `soma` program: the console script and ``python -m app`` (``app.cli`` does the work)."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from app.compute import processes

# Commands that compute in worker processes, and what their workers import: the workers'
# forkserver is started before anything else is imported, so that its start (numpy, scipy
# and the workers, about 0.35 s) overlaps the command's own imports (0.2 s) rather than
# following them.
WORKER_COMMANDS = {"track": processes.TRACKING_PRELOAD}
EXIT_CANCELLED = 130  # the shell's code for a command ended by SIGINT


def run_program() -> NoReturn:
    """``app.cli.main`` on the command line's arguments, then exit with its code."""
    try:
        if sys.argv[1:2] and sys.argv[1] in WORKER_COMMANDS:
            processes.start_server(WORKER_COMMANDS[sys.argv[1]])
        from app.cli import main

        code = main()
    except KeyboardInterrupt:  # Ctrl-C at a terminal, at any moment: the user knows why, and
        # one line says it (the workers' forkserver and its workers ignore it: see
        # workers.forkserver_setup)
        print("soma: cancelled", file=sys.stderr)
        code = EXIT_CANCELLED
    # The process ends here, so its objects need no more collecting: Python's collections at
    # exit walked the objects the imports leave (0.35 s of `soma track`'s 2.7 s when it still
    # imported numba; scipy's and the window's remain).
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run_program()

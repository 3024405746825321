"""`soma` run on a pseudo-terminal, as from a shell: for the tests of what a terminal shows."""

import os
import pty
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def on_terminal(*args):
    """Run `soma ARGS` on a pseudo-terminal; (exit code, what it showed)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "app", *map(str, args)])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child has gone and the terminal closed
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")

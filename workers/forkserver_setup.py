"""Imported into the workers' forkserver (app.compute.processes.PRELOAD): its children, Soma's
worker processes, skip re-running the program's main script.

multiprocessing prepares every child it starts by re-running the parent's main script as
``__mp_main__``. For Soma that is the ``soma`` launcher (app.cli and its imports) or a test
driver (app.shell.window and its imports): 30-50 ms of imports in every new worker, paid again at
every viewport replacement while the user zooms, on a core the window needs. Workers need
none of it: their target and their jobs live in importable modules (never define a job in a
main script). The forkserver's own remedy, preloading "__main__", does nothing before Python
3.14 (CPython gh-98552: the main path is looked up under a key that no longer exists). So
the forkserver, which only ever starts workers, makes that step a no-op for its children.

It makes the server ignore SIGINT, as multiprocessing's forkserver does only once it has
imported the rest of the preload list, and so do its children, which inherit that: Ctrl-C at
a terminal signals the whole process group, and the program (``app.__main__``) is the one to
end the work and say so in one line. Interrupted, the server printed a traceback while it
imported, and so did an idle worker.

It also sets the C allocator's thresholds (``workers.allocator``) in the server, which its
children inherit: every worker, whether it serves jobs (``workers.jobs.serve``) or a
command's process pool (``soma track``), keeps its batch buffers.
"""

import signal
from multiprocessing import spawn

from workers.allocator import keep_batch_buffers


def _skip_main(_main_name_or_path: str) -> None:
    """Stands in for multiprocessing's main-module fix-up: workers need no main module."""


spawn._fixup_main_from_name = _skip_main
spawn._fixup_main_from_path = _skip_main
signal.signal(signal.SIGINT, signal.SIG_IGN)
keep_batch_buffers()

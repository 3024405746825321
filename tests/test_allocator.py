"""workers.allocator: malloc keeps the STFT's batch buffers instead of faulting them in anew,
in the commands' processes and in every worker."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from allocator_load import two_thread_render_faults

from app.compute import processes

# In a process of its own: mallopt's settings are for life.
FRESH_PROCESS = """
import sys
sys.path.insert(0, sys.argv[2])
if sys.argv[1] == "keep":
    from workers.allocator import keep_batch_buffers
    keep_batch_buffers()
from allocator_load import two_thread_render_faults
print(two_thread_render_faults())
"""


def _faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, mode, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(done.stdout.strip())


def test_batch_buffers_are_reused_not_faulted_in_for_every_batch():
    # glibc's defaults hand each batch's arrays back and fault them in again (~6x the
    # faults, measured); kept, the arenas serve every batch from the pages they hold.
    default, kept = _faults("default"), _faults("keep")
    assert kept < default / 3, (kept, default)


def test_every_worker_inherits_it_from_the_forkserver():
    # The workers' forkserver sets it once; a worker never calls it itself, whether it serves
    # the window's jobs or a command's process pool.
    with ProcessPoolExecutor(1, mp_context=processes.context()) as pool:
        in_worker = pool.submit(two_thread_render_faults).result(timeout=120)
    default = _faults("default")
    assert in_worker < default / 3, (in_worker, default)

"""workers.allocator: malloc keeps the STFT's batch buffers instead of faulting them in anew."""

from __future__ import annotations

import subprocess
import sys

# Half an overview on each of two threads, as the window computes one after a decode; prints
# the minor page faults it took. In a process of its own: mallopt's settings are for life.
RENDER_ON_TWO_THREADS = """
import resource, sys, threading
import numpy as np
if sys.argv[1] == "keep":
    from workers.allocator import keep_batch_buffers
    keep_batch_buffers()
from app.compute.overview import _render
audio = np.random.default_rng(0).standard_normal(44100 * 300).astype(np.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
threads = [
    threading.Thread(target=_render, args=(audio, 44100, columns))
    for columns in ((0, 200), (200, 400))
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", RENDER_ON_TWO_THREADS, mode],
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

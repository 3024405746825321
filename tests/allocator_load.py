"""The load tests/test_allocator.py measures: half an overview on each of two threads, as the
window computes one after a decode. A module of its own so that a worker process (which
imports it by name: conftest puts tests/ on sys.path before the forkserver starts) and a
fresh interpreter run the same code."""

import resource
import threading

import numpy as np


def two_thread_render_faults() -> int:
    """Render a 300 s overview in two halves on two threads; return the minor page faults
    this process took meanwhile."""
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
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

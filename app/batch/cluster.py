"""The Dask client of a run: a LocalCluster of worker processes on this machine, or the
cluster whose scheduler is at a given address.

The local cluster has one single-threaded worker process per core (the analyses are numpy
and scipy code that hold the GIL between calls: processes, not threads, run them side by
side) and splits the machine's memory evenly between them (memory_limit="auto": a worker
whose memory passes the limit is restarted by its nanny, and its task runs again elsewhere).
Its dashboard, when the scheduler has one (it needs bokeh), listens on a free port.

Dask's nannies start their workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand freed memory
back to the system at once). Any explicit value turns off glibc's adaptive mmap threshold,
so each of an analysis's large numpy temporaries is a fresh mmap whose pages fault in again:
measured here, the overview of a 10 s file took twice the CPU time (docs/benchmarks.md).
Soma's local workers are started without it (WORKER_CONFIG); an analysis's memory is freed
when its task ends anyway. docs/user-guide.md gives the same setting for workers started by
hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from app.batch.inputs import BatchError

CONNECT_SECONDS = 10  # to reach a scheduler given by address
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@contextlib.contextmanager
def connected(scheduler: str | None, workers: int | None) -> Iterator:
    """A distributed.Client: to `scheduler` (an address such as tcp://10.0.0.5:8786) when
    given, else to a new LocalCluster of `workers` processes (None: one per core). The
    cluster is closed on leaving, its worker processes ended.

    Raises BatchError when the scheduler cannot be reached.
    """
    import dask.config
    from distributed import Client, LocalCluster  # a second to import: only for a batch

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as error:
            raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        with client:
            yield client
        return
    with dask.config.set(WORKER_CONFIG):  # read by the nannies as they are made
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            memory_limit="auto",
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client


def dashboard_link(client) -> str | None:
    """The address of the scheduler's dashboard, None when it has none.

    Without bokeh a scheduler still serves its dashboard port (health, metrics, and a page
    saying bokeh is missing): bokeh is looked for where the scheduler runs.
    """
    if "dashboard" not in client.scheduler_info().get("services", {}):
        return None

    def bokeh_installed() -> bool:  # nested: pickled by value, so any scheduler can run it
        import importlib.util

        return importlib.util.find_spec("bokeh") is not None

    return client.dashboard_link if client.run_on_scheduler(bokeh_installed) else None

"""A real Dask cluster for the tests: `dask scheduler` and `dask worker` processes on
127.0.0.1, each in a process group of its own, all killed when the test ends (even when it
fails), and checked gone."""

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from distributed import Client
from live_processes import alive, descendants
from waiting import wait_until

DASK = Path(sys.executable).parent / "dask"


class DaskCluster:
    def __init__(self, folder: Path):
        self.address = ""
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self._folder = folder
        self._logs = []

    def start(self, workers: int) -> None:
        scheduler_file = self._folder / "scheduler.json"
        self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
            ["--scheduler-file", str(scheduler_file)],
        )
        wait_until(lambda: _address(scheduler_file), timeout=60)
        self.address = _address(scheduler_file)
        self.workers = [
            self._start(
                f"worker{n}",
                ["worker", self.address, "--host", "127.0.0.1", "--nthreads", "1"],
                ["--nworkers", "1", "--no-dashboard", "--name", f"worker{n}"],
            )
            for n in range(workers)
        ]
        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)

    def _start(self, name: str, *args: list[str]) -> subprocess.Popen:
        log = open(self._folder / f"{name}.log", "wb")  # closed in close()
        self._logs.append(log)
        process = subprocess.Popen(
            [str(DASK), *(word for part in args for word in part)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the process and everything in its group (a worker's nanny and worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def close(self) -> None:
        below = [pid for process in self.processes for pid in descendants(process.pid)]
        for process in self.processes:
            self.kill(process)
        for log in self._logs:
            log.close()
        wait_until(lambda: not any(alive(pid) for pid in below), timeout=30)


def _address(scheduler_file: Path) -> str:
    try:
        return json.loads(scheduler_file.read_text()).get("address", "")
    except (OSError, ValueError):  # not written yet, or half written
        return ""


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2):
    """A scheduler and `workers` single-threaded workers, each its own `dask worker` process;
    yields the DaskCluster (its .address for --scheduler)."""
    folder.mkdir(parents=True, exist_ok=True)
    cluster = DaskCluster(folder)
    try:
        cluster.start(workers)
        yield cluster
    finally:
        cluster.close()

"""soma batch's throughput: 200 files of 10 s, the overview of each as PNG and .npy.

    .venv/bin/python benchmarks/bench_batch.py [--files N]

In one run, on the same corpus (44.1 kHz mono 16-bit WAV, a few tones and noise each):

1. a plain sequential loop in this process over the function each task runs
   (`app.batch.analysis.analyse_file`: probe, overview STFT, PNG and .npy written atomically);
2. `run_batch` on the local cluster (one single-threaded worker process per core), its start
   and stop timed apart as well;
3. `run_batch` through a `dask scheduler` and `dask worker` processes started here on
   127.0.0.1 (separate processes, as on a cluster), with 1 and then 2 workers.

Files per second and the speed-up over the loop. Target: local cluster >= 1.7x the loop on
2 cores. --render only: tracking costs about 0.3 s per second of audio, which would make the
sequential pass alone take most of an hour, and it parallelises the same way (one task per
file, no shared state).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.batch.analysis import BatchSettings, analyse_file
from app.batch.cluster import connected
from app.batch.index import OK
from app.batch.inputs import common_root
from app.batch.outputs import outputs_for
from app.batch.runner import run_batch
from app.progress.tasks import ProgressManager

SR, SECONDS = 44_100, 10.0
TARGET = 1.7
DASK = Path(sys.executable).parent / "dask"
SETTINGS = BatchSettings(render=True)


def corpus(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * SECONDS)) / SR
    files = []
    for n in range(count):
        tones = sum(
            rng.uniform(0.05, 0.2) * np.sin(2 * np.pi * rng.uniform(80, 8000) * t) for _ in range(5)
        )
        path = folder / f"take{n:04d}.wav"
        sf.write(path, tones + 0.01 * rng.standard_normal(t.size), SR, subtype="PCM_16")
        files.append(path)
    return files


def machine() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def sequential(files: list[Path], out: Path) -> tuple[float, float]:
    """(wall seconds, mean seconds a file took in analyse_file)."""
    root = common_root(files)
    began = time.perf_counter()
    rows = [
        analyse_file(str(path), outputs_for(path, root, out, True, ()), SETTINGS) for path in files
    ]
    assert all(row.status == OK for row in rows), [row.error for row in rows if row.error]
    return time.perf_counter() - began, statistics.mean(row.seconds for row in rows)


def batch(files: list[Path], out: Path, **where) -> tuple[float, float]:
    """(wall seconds, mean seconds a file took in its worker's analyse_file)."""
    began = time.perf_counter()
    rows = run_batch(
        files, out, SETTINGS, ProgressManager(quiet=True), announce=lambda line: None, **where
    )
    assert all(row.status == OK for row in rows), [row.error for row in rows if row.error]
    return time.perf_counter() - began, statistics.mean(row.seconds for row in rows)


def cluster_start_stop(workers: int) -> float:
    began = time.perf_counter()
    with connected(None, workers):
        pass
    return time.perf_counter() - began


@contextlib.contextmanager
def dask_processes(folder: Path, workers: int):
    """`dask scheduler` and `workers` x `dask worker --nthreads 1` on 127.0.0.1; the address."""
    folder.mkdir()
    started = []

    # The workers' setting docs/user-guide.md gives (app.batch.cluster.WORKER_CONFIG).
    (folder / "config").mkdir()
    (folder / "config" / "soma.yaml").write_text(
        "distributed:\n  nanny:\n    pre-spawn-environ:\n      MALLOC_TRIM_THRESHOLD_: null\n"
    )
    environ = {**os.environ, "DASK_CONFIG": str(folder / "config")}

    def start(*args):
        process = subprocess.Popen(
            [str(DASK), *args],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(process)

    try:
        file = folder / "scheduler.json"
        start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(file),
        )
        address = ""
        while not address:
            time.sleep(0.05)
            with contextlib.suppress(OSError, ValueError):
                address = json.loads(file.read_text())["address"]
        for _ in range(workers):
            start("worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard")
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    count = parser.parse_args().files
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="soma-bench-batch-"))
    try:
        (work / "in").mkdir()
        files = corpus(work / "in", count)
        load_before = os.getloadavg()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        print(f"soma batch benchmark, {stamp}, {machine()}")
        print(f"{count} files x {SECONDS:g} s, {SR} Hz mono WAV; --render (overview PNG + .npy)\n")
        results = [("sequential loop, this process", sequential(files, work / "seq"))]
        results.append(
            (
                f"local cluster, {cores} workers, start and stop included",
                batch(files, work / "local", workers=cores),
            )
        )
        startup = cluster_start_stop(cores)
        results.append(
            (
                f"local cluster, {cores} workers, without its start and stop",
                (results[-1][1][0] - startup, results[-1][1][1]),
            )
        )
        for workers in (1, 2):
            with dask_processes(work / f"cluster{workers}", workers) as address:
                results.append(
                    (
                        f"dask scheduler + {workers} dask worker process(es), 127.0.0.1",
                        batch(files, work / f"remote{workers}", scheduler=address),
                    )
                )
        base = results[0][1][0]
        print("| run | seconds | files/s | speed-up | s per file in analyse_file |")
        print("|---|---|---|---|---|")
        for name, (seconds, per_file) in results:
            print(
                f"| {name} | {seconds:.1f} | {count / seconds:.2f} | {base / seconds:.2f}x "
                f"| {per_file:.3f} |"
            )
        print(f"\nlocal cluster start and stop: {startup:.1f} s")
        print(f"load average before and after: {load_before}, {os.getloadavg()}")
        speedup = base / results[1][1][0]
        print(
            f"\n{'MET' if speedup >= TARGET else 'NOT MET'}     local cluster >= {TARGET}x the "
            f"sequential loop on {cores} cores, start included ({speedup:.2f}x)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

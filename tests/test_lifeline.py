"""workers.lifeline: a pool's worker ends once the process it works for has, with real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER = """
import sys, time
from workers.lifeline import end_with
end_with(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(60)
"""


def test_a_worker_ends_when_its_owner_has_ended_even_unreaped():
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(owner.pid)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline() == "watching\n"
        assert worker.poll() is None  # the owner runs: the worker goes on
        owner.kill()  # not reaped yet: a zombie, as a command is until its shell waits
        assert worker.wait(timeout=10) == 1
    finally:
        for process in (owner, worker):
            process.kill()
            process.wait()

"""Worker slots with real worker processes: replacement, crashes, timeouts, no leaks."""

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from multiprocessing import forkserver, resource_tracker
from pathlib import Path

import numpy as np
import pytest
from live_processes import alive, children_of
from slot_jobs import FailJob, SleepJob

from app.compute import processes
from app.compute.shared_audio import PREFIX, SharedAudio, remove_stale_segments, segment_names
from app.compute.slots import QueueSlot, ViewportSlot
from app.progress.logs import FORMAT
from workers.jobs import ViewportJob
from workers.shared import attach

SR = 44100


class Events:
    """Collects a slot's events; wait_for() blocks until one matches."""

    def __init__(self):
        self.queue = queue.Queue()
        self.seen = []

    def __call__(self, event):
        self.queue.put(event)

    def wait_for(self, kind, request_id, timeout=30.0):
        """The next event of `kind` for `request_id` (ids are unique across slots here)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            self.seen.append(event)
            if event["type"] == kind and event["id"] == request_id:
                return event
            assert event["type"] == "progress" or event["id"] != request_id, event


def _workers():
    """Worker processes: the forkserver's children (Linux has a forkserver, so Soma uses it;
    other children of the test process, such as Xvfb, are not workers)."""
    assert processes.context().get_start_method() == "forkserver"
    server = forkserver._forkserver._forkserver_pid
    return children_of(server) if server else []


def _open_fds():
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def audio():
    rng = np.random.default_rng(3)
    shared = SharedAudio((0.1 * rng.standard_normal(30 * SR)).astype(np.float32), SR)
    yield shared
    shared.close()


def _cwt_job(request_id, audio, start=0.0):
    # A 30 s CWT keeps a worker busy for a few hundred ms: every replacement ends a busy one.
    return ViewportJob(
        request_id=request_id,
        audio=audio.ref,
        start=start,
        end=start + 30.0,
        fmin=50.0,
        fmax=16000.0,
        width=1200,
        height=256,
        db_min=-100.0,
        db_max=0.0,
    )


def test_a_viewport_result_carries_its_request_and_its_pixels(audio):
    events = Events()
    slot = ViewportSlot(events)
    try:
        slot.submit(_cwt_job(1, audio))
        result = events.wait_for("result", 1)
        assert result["slot"] == "viewport" and result["value"]["method"] == "cwt"
        # The levels, then the edge cones' bits (a view from the file's start has them).
        assert result["value"]["edges"]
        assert len(result["value"]["payload"]) == 1200 * 256 * 9 // 8
    finally:
        slot.close()


def _own_segments() -> set[str]:
    """The shared-memory segments this test process made: other Soma runs on the machine
    (another developer's tests) make and remove their own meanwhile."""
    return {name for name in segment_names() if name.startswith(f"{PREFIX}{os.getpid()}-")}


def test_500_replacements_never_leave_more_than_two_workers_and_leak_nothing(audio):
    baseline_threads = threading.active_count()
    # Warm up the forkserver and its pipes first: they live as long as the test session.
    warm = ViewportSlot(Events())
    warm.submit(SleepJob(0, 0.0))
    time.sleep(0.5)
    warm.close()
    baseline_fds = _open_fds()
    baseline_segments = _own_segments()

    events = Events()
    viewport = ViewportSlot(events)
    snap = QueueSlot("snap", events)
    most_alive = 0
    sampling = True

    def sample():
        nonlocal most_alive
        while sampling:
            most_alive = max(most_alive, len([c for c in _workers() if c[1] != "Z"]))
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    pids = []
    try:
        for request_id in range(1, 501):
            viewport.submit(_cwt_job(request_id, audio, start=(request_id % 7) * 0.01))
            if request_id % 50 == 0:
                snap.submit(SleepJob(10_000 + request_id, 0.05))
            # Wait for the replacement process, so that each request really ends a busy
            # worker instead of replacing a request that had not started yet.
            deadline = time.monotonic() + 5
            while viewport.pid in (None, *pids[-1:]) and time.monotonic() < deadline:
                time.sleep(0.0005)
            pids.append(viewport.pid)
        final = events.wait_for("result", 500, timeout=60)
        assert final["value"]["method"] == "cwt"
        results = [
            e["id"] for e in events.seen if e["type"] == "result" and e["slot"] == "viewport"
        ]
        assert results[-1] == 500 and len(results) < 100  # replaced jobs never deliver
    finally:
        sampling = False
        sampler.join()
        viewport.close()
        snap.close()

    assert most_alive <= 2, f"{most_alive} worker processes were alive at once"
    assert len(set(pids)) == 500, "every request should have ended a busy worker"
    deadline = time.monotonic() + 5
    while _workers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _workers() == [], "worker processes (or zombies) are left"
    assert threading.active_count() == baseline_threads
    assert _open_fds() <= baseline_fds
    assert _own_segments() == baseline_segments


def test_a_worker_killed_mid_job_is_an_error_and_the_next_request_recovers(audio):
    events = Events()
    slot = ViewportSlot(events)
    try:
        slot.submit(SleepJob(1, 10.0))
        events.wait_for("progress", 1)
        os.kill(slot.pid, signal.SIGKILL)
        error = events.wait_for("error", 1)
        assert "SIGKILL" in error["reason"]
        slot.submit(_cwt_job(2, audio))
        assert events.wait_for("result", 2)["value"]["method"] == "cwt"
    finally:
        slot.close()


def test_a_hanging_worker_takes_the_timeout_path(audio):
    events = Events()
    slot = ViewportSlot(events, timeout=0.5)
    try:
        # A worker up and idle first: the timeout also counts a worker's start, which on a
        # loaded machine can take longer than this test's short timeout.
        slot.submit(SleepJob(1, 0.0))
        events.wait_for("result", 1)
        hung = slot.pid
        began = time.monotonic()
        slot.submit(SleepJob(2, 30.0))
        error = events.wait_for("error", 2, timeout=20)
        assert "timed out after 0.5 s" in error["reason"]
        assert time.monotonic() - began < 20  # ended, not waited out (the job sleeps 30 s)
        assert not os.path.exists(f"/proc/{hung}") or children_of(hung) == []
        slot.submit(SleepJob(3, 0.0))
        assert events.wait_for("result", 3)["value"] == {"slept": 0.0}
    finally:
        slot.close()


def test_an_exception_in_a_job_is_an_error_and_the_worker_lives_on():
    events = Events()
    slot = ViewportSlot(events)
    try:
        slot.submit(FailJob(1))
        assert "ValueError: this job always fails" in events.wait_for("error", 1)["reason"]
        pid = slot.pid
        slot.submit(SleepJob(2, 0.0))
        events.wait_for("result", 2)
        assert slot.pid == pid  # an idle worker is reused, not replaced
    finally:
        slot.close()


def test_a_failing_job_is_one_line_for_the_user_and_its_traceback_is_logged(caplog):
    events = Events()
    slot = QueueSlot("snap", events)
    try:
        with caplog.at_level(logging.ERROR, logger="app.compute.slots"):
            slot.submit(FailJob(1))
            error = events.wait_for("error", 1)
        assert error["reason"] == "ValueError: this job always fails"
        [record] = [r for r in caplog.records if r.name == "app.compute.slots"]
        assert record.getMessage() == "snap job 1 failed: ValueError: this job always fails"
        # The worker's own traceback, as the log file's formatter writes it.
        text = logging.Formatter(FORMAT).format(record)
        assert "Traceback (most recent call last)" in text
        assert 'raise ValueError("this job always fails' in text and "slot_jobs.py" in text
        assert "and says more on a second line" in text
    finally:
        slot.close()


def test_a_job_that_cannot_be_pickled_is_its_error_and_the_slot_runs_on(caplog):
    events = Events()
    slot = QueueSlot("snap", events)
    try:
        with caplog.at_level(logging.ERROR, logger="app.compute.slots"):
            slot.submit(SleepJob(1, lambda: 0.0))  # a lambda does not pickle
            error = events.wait_for("error", 1, timeout=10)
        assert error["reason"].startswith("the job could not be sent to the worker: ")
        assert "\n" not in error["reason"]
        assert any(r.exc_info for r in caplog.records if r.name == "app.compute.slots")
        slot.submit(SleepJob(2, 0.0))
        assert events.wait_for("result", 2, timeout=30)["value"] == {"slept": 0.0}
    finally:
        slot.close()


def test_cancel_ends_an_idle_worker_too():
    # An idle worker of the previous file would keep its samples mapped and its caches.
    events = Events()
    slot = ViewportSlot(events)
    try:
        slot.submit(SleepJob(1, 0.0))
        events.wait_for("result", 1)
        idle = slot.pid
        slot.cancel()
        deadline = time.monotonic() + 5
        while (slot.pid is not None or alive(idle)) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert slot.pid is None and not alive(idle)
        slot.cancel()  # with no worker at all: nothing to end, and the slot runs on
        slot.submit(SleepJob(2, 0.0))
        events.wait_for("result", 2)
    finally:
        slot.close()


def test_a_cancel_never_ends_a_job_submitted_after_it():
    # A file change (cancel) and the first request for the new file come back to back while
    # the loop is busy ending a replaced worker: the request must run, not be ended by the
    # cancel when the loop gets to it.
    events = Events()
    slot = ViewportSlot(events)
    try:
        for round in range(10):
            first = 10 * round + 1
            slot.submit(SleepJob(first, 30.0))
            events.wait_for("progress", first)
            busy = slot.pid
            slot.submit(SleepJob(first + 1, 30.0))  # replaces the busy worker...
            deadline = time.monotonic() + 10
            while slot.pid == busy and time.monotonic() < deadline:
                time.sleep(0.0002)
            slot.cancel()  # ...and while the loop ends it, the file changes
            slot.submit(SleepJob(first + 2, 0.0))
            events.wait_for("result", first + 2, timeout=30)
    finally:
        slot.close()


def test_a_viewport_job_on_a_closed_file_is_an_error_not_a_crash(audio):
    events = Events()
    slot = ViewportSlot(events)
    try:
        gone = SharedAudio(np.zeros(SR, np.float32), SR)
        gone.close()
        slot.submit(
            ViewportJob(
                request_id=1,
                audio=gone.ref,
                start=0,
                end=1,
                fmin=50,
                fmax=8000,
                width=10,
                height=10,
                db_min=-100,
                db_max=0,
            )
        )
        assert "FileNotFoundError" in events.wait_for("error", 1)["reason"]
    finally:
        slot.close()


def test_snap_requests_queue_in_order_and_cancel_drops_them():
    events = Events()
    slot = QueueSlot("snap", events)
    try:
        for request_id in (1, 2, 3):
            slot.submit(SleepJob(request_id, 0.05))
        for request_id in (1, 2, 3):
            events.wait_for("result", request_id)
        slot.submit(SleepJob(4, 5.0))
        slot.submit(SleepJob(5, 0.0))
        events.wait_for("progress", 4)
        slot.cancel()
        slot.submit(SleepJob(6, 0.0))
        events.wait_for("result", 6)
        assert not [e for e in events.seen if e["id"] in (4, 5) and e["type"] == "result"]
    finally:
        slot.close()


def test_a_worker_keeps_only_the_segment_it_was_last_asked_for():
    # workers.shared.attach as a worker runs it, here in this process: /proc/self/maps shows
    # what is mapped.
    first = SharedAudio(np.ones(SR, np.float32), SR)
    second = SharedAudio(np.zeros(SR, np.float32), SR)
    try:
        assert attach(first.ref)[0] == 1.0
        first.close()  # the creator's mapping goes: what is left is the attachment's
        assert f"/dev/shm/{first.ref.name}" in Path("/proc/self/maps").read_text()
        assert attach(second.ref)[0] == 0.0
        assert f"/dev/shm/{first.ref.name}" not in Path("/proc/self/maps").read_text()
    finally:
        first.close()
        second.close()


def test_stale_segments_of_a_dead_process_are_removed():
    # A segment named as if created by a process that no longer exists.
    from multiprocessing import shared_memory

    dead_pid = 4_000_000  # above Linux's pid_max default range of live pids here
    segment = shared_memory.SharedMemory(name=f"soma-{dead_pid}-1", create=True, size=16)
    segment.close()
    resource_tracker.unregister(segment._name, "shared_memory")  # as a crash would leave it
    assert f"soma-{dead_pid}-1" in segment_names()
    assert f"soma-{dead_pid}-1" in remove_stale_segments()
    assert f"soma-{dead_pid}-1" not in segment_names()


MAIN_SCRIPT = """
import os, queue, sys
sys.path[:0] = [{root!r}, {tests!r}]
with open({log!r}, "a") as log:
    log.write(f"{{__name__}} {{os.getpid()}}\\n")
if __name__ == "__main__":
    from app.compute.slots import ViewportSlot
    from slot_jobs import SleepJob
    events = queue.Queue()
    slot = ViewportSlot(events.put)
    workers = []
    for request_id in range(3):  # each replaces a busy worker: three processes
        slot.submit(SleepJob(request_id, 5.0))
        while not (e := events.get(timeout=30))["type"] == "progress" or e["id"] != request_id:
            pass
        workers.append(slot.pid)
    slot.close()
    print(" ".join(map(str, workers)))
"""


def test_workers_do_not_rerun_the_programs_main_script(tmp_path):
    # A worker that re-imports the main script (the `soma` launcher imports app.cli and its
    # tree) pays tens of ms of imports at every replacement, while the user zooms.
    root = Path(__file__).resolve().parent.parent
    log = tmp_path / "imports.log"
    script = tmp_path / "program.py"
    script.write_text(MAIN_SCRIPT.format(root=str(root), tests=str(root / "tests"), log=str(log)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    workers = {int(pid) for pid in done.stdout.split()}
    assert len(workers) == 3
    runs = [line.split() for line in log.read_text().splitlines()]
    assert runs[0][0] == "__main__"
    rerun_by = {int(pid) for name, pid in runs[1:]}
    assert not rerun_by & workers, f"workers re-ran the main script: {runs}"
    assert len(runs) <= 2, runs  # at most once more, in the forkserver

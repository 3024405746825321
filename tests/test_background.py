"""The snap and export queues with real worker processes: results, failures, per-job cancels,
in order, and exports that never hold up snaps."""

import threading
import time

import pytest
from live_processes import alive
from slot_jobs import FailJob, SleepJob
from waiting import wait_until

from app.compute.background import BackgroundQueue, JobCancelled, JobFailed
from app.progress.tasks import ProgressManager


def _run_long(queue, outcome):
    """Run a 30 s job on this thread; note "cancelled" if it was."""
    try:
        queue.run(lambda request_id: SleepJob(request_id, 30.0), "Long", "steps")
    except JobCancelled:
        outcome.append("cancelled")


@pytest.fixture
def queue():
    queue = BackgroundQueue(ProgressManager(), "snap")
    yield queue
    queue.close()


def test_run_returns_the_result_and_finishes_the_task(queue):
    assert queue.run(lambda request_id: SleepJob(request_id, 0.05), "Sleeping", "steps") == {
        "slept": 0.05
    }
    [task] = queue._progress.snapshot()
    assert task.label == "Sleeping" and task.state == "done"
    assert queue.pending == 0


def test_a_failing_job_raises_with_its_reason_and_the_next_one_runs(queue):
    with pytest.raises(JobFailed, match="ValueError: this job always fails"):
        queue.run(FailJob, "Failing", "steps")
    assert queue.run(lambda request_id: SleepJob(request_id, 0.0), "Next", "steps")


def test_jobs_run_one_after_another_in_the_order_they_came(queue):
    finished = []
    done = threading.Event()
    for name, seconds in (("first", 0.3), ("second", 0.0), ("third", 0.1)):
        queue.submit(
            lambda request_id, s=seconds: SleepJob(request_id, s),
            name,
            "steps",
            on_result=lambda value, n=name: (finished.append(n), len(finished) == 3 and done.set()),
            on_error=lambda reason: pytest.fail(reason),
        )
    assert done.wait(30)
    assert finished == ["first", "second", "third"]


class Outcomes:
    """What happened to each submitted job, by name; wait() blocks until `names` have one."""

    def __init__(self):
        self.seen: dict[str, str] = {}
        self.order: list[str] = []
        self._changed = threading.Condition()

    def submit(self, queue, name, seconds):
        def note(outcome):
            with self._changed:
                self.seen[name] = outcome
                self.order.append(name)
                self._changed.notify_all()

        return queue.submit(
            lambda request_id: SleepJob(request_id, seconds),
            name,
            "steps",
            on_result=lambda value: note("done"),
            on_error=lambda reason: note(f"failed: {reason}"),
            on_cancel=lambda: note("cancelled"),
        )

    def wait(self, *names, timeout=30.0):
        with self._changed:
            assert self._changed.wait_for(lambda: all(n in self.seen for n in names), timeout), (
                self.seen
            )
        return {name: self.seen[name] for name in names}


def _task(queue, label):
    return next(t for t in queue._progress.snapshot() if t.label == label)


def _running(queue, label):
    """True once the job `label` has reported from its worker (its task has a total)."""
    return _task(queue, label).total is not None


def test_cancelling_the_second_of_three_queued_jobs_runs_the_first_and_third(queue):
    outcomes = Outcomes()
    outcomes.submit(queue, "first", 1.0)
    outcomes.submit(queue, "second", 0.0)
    outcomes.submit(queue, "third", 0.0)
    wait_until(lambda: _running(queue, "first"))  # the others are queued
    worker = queue._slot.pid
    assert queue._progress.cancel(_task(queue, "second").id)
    assert outcomes.wait("first", "second", "third") == {
        "first": "done",
        "second": "cancelled",
        "third": "done",
    }
    assert outcomes.order == ["second", "first", "third"]
    assert queue._slot.pid == worker  # a queued job's cancel leaves the running worker be


def test_cancelling_the_running_job_ends_its_worker_and_the_next_runs_on_a_fresh_one(queue):
    outcomes = Outcomes()
    outcomes.submit(queue, "long", 30.0)
    outcomes.submit(queue, "next", 0.0)
    wait_until(lambda: _running(queue, "long"))
    worker = queue._slot.pid
    began = time.monotonic()
    assert queue._progress.cancel(_task(queue, "long").id)
    assert outcomes.wait("long", "next") == {"long": "cancelled", "next": "done"}
    assert time.monotonic() - began < 10  # not after the 30 s of the cancelled job
    assert not alive(worker)
    assert queue.pending == 0


def test_cancel_from_the_panel_reaches_a_caller_waiting_in_run(queue):
    outcome = []
    waiting = threading.Thread(target=_run_long, args=(queue, outcome))
    waiting.start()
    wait_until(
        lambda: any(t.label == "Long" and t.total is not None for t in queue._progress.snapshot())
    )
    assert queue._progress.cancel(_task(queue, "Long").id)
    waiting.join(10)
    assert outcome == ["cancelled"]


@pytest.fixture
def exports(queue):
    """The export queue beside `queue`, on the same progress manager, as in the window."""
    exports = BackgroundQueue(queue._progress, "export", keep_idle_worker=False)
    yield exports
    exports.close()


def test_a_snap_submitted_during_a_long_export_finishes_before_it(queue, exports):
    outcomes = Outcomes()
    outcomes.submit(exports, "export", 30.0)
    wait_until(lambda: _running(exports, "export"))
    outcomes.submit(queue, "snap", 0.0)
    assert outcomes.wait("snap") == {"snap": "done"}
    assert "export" not in outcomes.seen  # still running: the snap did not wait for it
    assert exports._slot.pid != queue._slot.pid


def test_cancelling_a_running_export_leaves_a_queued_snap_to_complete(queue, exports):
    outcomes = Outcomes()
    outcomes.submit(exports, "export", 30.0)
    outcomes.submit(queue, "snap ahead", 2.0)
    outcomes.submit(queue, "queued snap", 0.0)
    wait_until(lambda: _running(exports, "export") and _running(queue, "snap ahead"))
    assert queue._progress.cancel(_task(exports, "export").id)
    assert outcomes.wait("export", "snap ahead", "queued snap") == {
        "export": "cancelled",
        "snap ahead": "done",
        "queued snap": "done",
    }
    assert outcomes.order == ["export", "snap ahead", "queued snap"]


def test_the_export_worker_lives_only_while_an_export_runs(exports):
    outcomes = Outcomes()
    outcomes.submit(exports, "export", 1.0)
    wait_until(lambda: _running(exports, "export"))
    worker = exports._slot.pid
    outcomes.wait("export")
    wait_until(lambda: exports._slot.pid is None and not alive(worker), timeout=5)


def test_close_cancels_a_caller_still_waiting():
    queue = BackgroundQueue(ProgressManager(), "snap")
    outcome = []
    waiting = threading.Thread(target=_run_long, args=(queue, outcome))
    waiting.start()
    wait_until(lambda: queue.pending == 1)
    queue.close()
    waiting.join(10)
    assert outcome == ["cancelled"]


def test_a_job_after_close_is_cancelled_at_once_not_left_waiting():
    queue = BackgroundQueue(ProgressManager(), "snap")
    queue.close()
    with pytest.raises(JobCancelled):
        queue.run(lambda request_id: SleepJob(request_id, 0.0), "Late", "steps")

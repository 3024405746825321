"""The snap slot's queue with real worker processes: results, failures, cancels, in order."""
import threading
import time

import pytest

from app.background import BackgroundQueue, JobCancelled, JobFailed
from app.progress import ProgressManager
from slot_jobs import FailJob, SleepJob


def _run_long(queue, outcome):
    """Run a 30 s job on this thread; note "cancelled" if it was."""
    try:
        queue.run(lambda request_id: SleepJob(request_id, 30.0), "Long", "steps")
    except JobCancelled:
        outcome.append("cancelled")


@pytest.fixture
def queue():
    queue = BackgroundQueue(ProgressManager())
    yield queue
    queue.close()


def test_run_returns_the_result_and_finishes_the_task(queue):
    assert queue.run(lambda request_id: SleepJob(request_id, 0.05), "Sleeping", "steps") == {
        "slept": 0.05}
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
        queue.submit(lambda request_id, s=seconds: SleepJob(request_id, s), name, "steps",
                     on_result=lambda value, n=name: (finished.append(n),
                                                      len(finished) == 3 and done.set()),
                     on_error=lambda reason: pytest.fail(reason))
    assert done.wait(30)
    assert finished == ["first", "second", "third"]


def test_cancel_from_the_panel_ends_every_job_and_each_caller_hears_it(queue):
    outcome, cancelled = [], []
    waiting = threading.Thread(target=_run_long, args=(queue, outcome))
    waiting.start()
    queue.submit(lambda request_id: SleepJob(request_id, 30.0), "Queued", "steps",
                 on_result=lambda value: pytest.fail("it was cancelled"),
                 on_error=lambda reason: pytest.fail(reason),
                 on_cancel=lambda: cancelled.append(True))
    deadline = time.monotonic() + 30
    while queue._slot.pid is None and time.monotonic() < deadline:
        time.sleep(0.01)
    worker = queue._slot.pid
    long = next(t for t in queue._progress.snapshot() if t.label == "Long")
    assert queue._progress.cancel(long.id)
    waiting.join(10)
    assert outcome == ["cancelled"] and cancelled == [True] and queue.pending == 0
    deadline = time.monotonic() + 5
    while queue._slot.pid == worker and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue._slot.pid != worker  # the running job's worker was ended


def test_close_cancels_a_caller_still_waiting():
    queue = BackgroundQueue(ProgressManager())
    outcome = []
    waiting = threading.Thread(target=_run_long, args=(queue, outcome))
    waiting.start()
    time.sleep(0.2)
    queue.close()
    waiting.join(10)
    assert outcome == ["cancelled"]


def test_a_job_after_close_is_cancelled_at_once_not_left_waiting():
    queue = BackgroundQueue(ProgressManager())
    queue.close()
    with pytest.raises(JobCancelled):
        queue.run(lambda request_id: SleepJob(request_id, 0.0), "Late", "steps")

"""The progress manager: a tree of tasks updated from many threads, and its throttled delivery."""

import itertools
import json
import threading
import time

import pytest
from waiting import wait_until

from app.progress.tasks import Cancelled, ProgressManager, Throttle, current_task, to_json_list

STATES = {"running", "done", "failed", "cancelled"}


def _by_label(manager):
    return {task.label: task for task in manager.snapshot()}


def _check_consistent(tasks):
    """Tree order, valid states, done within total: what every snapshot must satisfy."""
    seen = set()
    for task in tasks:
        assert task.parent is None or task.parent in seen, "a subtask before its parent"
        seen.add(task.id)
        assert task.state in STATES
        assert task.done >= 0
        assert task.total is None or task.done <= task.total


def test_snapshot_lists_parents_before_children_in_start_order():
    manager = ProgressManager()
    a = manager.task("a")
    b = manager.task("b")
    a1 = a.child("a1")
    b1 = b.child("b1")
    a2 = a.child("a2")
    a1.child("a1x")
    assert [t.label for t in manager.snapshot()] == ["a", "a1", "a1x", "a2", "b", "b1"]
    parents = {t.label: t.parent for t in manager.snapshot()}
    assert parents == {"a": None, "a1": a.id, "a1x": a1.id, "a2": a.id, "b": None, "b1": b.id}
    assert a2.id != b1.id


def test_a_parent_without_a_total_shows_its_subtasks_weighted():
    manager = ProgressManager(keep_finished=0.0)
    parent = manager.task("parent")
    assert _by_label(manager)["parent"].total is None  # no subtasks yet: indeterminate
    first = parent.child("first", 10)
    second = parent.child("second", 100, weight=3.0)
    parent.child("third")  # indeterminate: counts as not started while it runs
    first.update(5)
    second.update(50)
    shown = _by_label(manager)["parent"]
    assert shown.total == 5.0
    assert shown.done == pytest.approx(1 * 0.5 + 3 * 0.5)
    first.finish()
    assert _by_label(manager)["parent"].done == pytest.approx(1 + 1.5)
    # `first` is dropped from the tree (keep_finished=0) but still counts as done.
    assert "first" not in _by_label(manager)
    shown = _by_label(manager)["parent"]
    assert (shown.done, shown.total) == (pytest.approx(2.5), 5.0)


def test_a_parent_with_its_own_total_ignores_its_subtasks():
    manager = ProgressManager()
    parent = manager.task("parent", 4, unit="files")
    parent.child("part", 10).update(10)
    parent.update(1)
    shown = _by_label(manager)["parent"]
    assert (shown.done, shown.total, shown.unit) == (1.0, 4.0, "files")


def test_eight_threads_updating_one_tree_add_up_exactly():
    manager = ProgressManager()
    root = manager.task("root")
    threads_n, steps = 8, 2000
    children = [root.child(f"worker {i}", steps, unit="steps") for i in range(threads_n)]
    shared = root.child("shared", threads_n * steps)
    start = threading.Barrier(threads_n + 1)
    stop = threading.Event()
    problems = []

    def work(task):
        start.wait()
        for _ in range(steps):
            task.update(advance=1)
            shared.update(advance=1)

    snapshots = []

    def watch():
        start.wait()
        while not stop.is_set():
            tasks = manager.snapshot()
            snapshots.append(1)
            try:
                _check_consistent(tasks)
            except AssertionError as error:
                problems.append(error)
            # A renderer looks 10 times a second; one that never lets go of the lock would
            # only measure how unfair the lock is.
            time.sleep(0.0005)

    threads = [threading.Thread(target=work, args=(c,)) for c in children]
    threads.append(threading.Thread(target=watch))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join()
    stop.set()
    threads[-1].join()
    assert not problems and len(snapshots) > 10
    shown = _by_label(manager)
    assert shown["shared"].done == threads_n * steps
    for i in range(threads_n):
        assert shown[f"worker {i}"].done == steps
    # Every worker is complete, `shared` too: the root shows 9 of 9 parts.
    assert (shown["root"].done, shown["root"].total) == (9.0, 9.0)


def test_with_finishes_fails_with_the_message_or_cancels():
    manager = ProgressManager()
    with manager.task("fine", 3) as task:
        assert current_task() is task
        task.update(2)
    assert current_task() is None
    with pytest.raises(ValueError):
        with manager.task("broken") as task:
            raise ValueError("bad header")
    with pytest.raises(Cancelled):
        with manager.task("stopped") as task:
            task.cancel()
            task.check()
    shown = _by_label(manager)
    assert (shown["fine"].state, shown["fine"].done) == ("done", 3.0)
    assert (shown["broken"].state, shown["broken"].message) == ("failed", "bad header")
    assert shown["stopped"].state == "cancelled"


def test_tracked_functions_reach_their_task_and_nest():
    manager = ProgressManager()

    @manager.tracked("inner", 5, unit="frames")
    def inner(n):
        current_task().update(n)
        return n * 2

    @manager.tracked("outer")
    def outer():
        return inner(5)

    @manager.tracked("fails")
    def fails():
        raise RuntimeError("no audio")

    @manager.tracked("gives up", cancellable=True)
    def gives_up():
        manager.cancel(current_task().id)
        current_task().check()

    assert outer() == 10
    with pytest.raises(RuntimeError):
        fails()
    with pytest.raises(Cancelled):
        gives_up()
    shown = _by_label(manager)
    assert shown["inner"].parent == shown["outer"].id
    assert (shown["inner"].state, shown["inner"].done, shown["inner"].unit) == (
        "done",
        5.0,
        "frames",
    )
    assert shown["outer"].state == "done"
    assert (shown["fails"].state, shown["fails"].message) == ("failed", "no audio")
    assert shown["gives up"].state == "cancelled"
    assert inner(1) == 2 and current_task() is None  # a root of its own when called alone


def test_cancel_calls_on_cancel_once_and_reaches_subtasks():
    manager = ProgressManager()
    calls = []
    plain = manager.task("plain")
    job = manager.task("job", on_cancel=lambda: calls.append("job"))
    sub = job.child("sub", on_cancel=lambda: calls.append("sub"))
    assert manager.cancel(plain.id) is False  # not cancellable from the UI
    assert manager.cancel(12345) is False
    assert manager.cancel(job.id) is True
    assert manager.cancel(job.id) is False
    job.cancel()
    assert sorted(calls) == ["job", "sub"]
    assert job.cancelled and sub.cancelled and not plain.cancelled
    with pytest.raises(Cancelled):
        sub.check()
    plain.check()
    # A late report from a stopped worker does not bring the task back.
    sub.update(5, total=10)
    job.finish()
    shown = _by_label(manager)
    assert shown["sub"].state == shown["job"].state == "cancelled"
    assert shown["sub"].done == 0.0
    # Ending a task cancels what still runs under it; a subtask of an ended task starts
    # cancelled.
    outer = manager.task("outer")
    left = outer.child("left", on_cancel=lambda: calls.append("left"))
    outer.fail("disk full")
    assert left.cancelled and calls[-1] == "left"
    late = outer.child("late", on_cancel=lambda: calls.append("late"))
    assert late.cancelled and calls[-1] == "late"
    assert "late" not in _by_label(manager)


def test_ended_tasks_disappear_after_keep_finished():
    manager = ProgressManager(keep_finished=0.3)
    parent = manager.task("parent")
    parent.child("child").finish()
    assert manager.next_expiry() is not None
    assert _by_label(manager)["child"].state == "done"
    time.sleep(0.4)
    assert set(_by_label(manager)) == {"parent"}
    parent.finish()
    time.sleep(0.1)
    assert _by_label(manager)["parent"].state == "done"
    time.sleep(0.3)
    assert manager.snapshot() == [] and manager.next_expiry() is None


def test_rate_and_eta_follow_a_steady_pace():
    manager = ProgressManager()
    task = manager.task("steady", 1000, unit="rows")
    assert manager.snapshot()[0].rate is None  # too early to tell
    began = time.monotonic()
    while time.monotonic() - began < 0.6:
        task.update(advance=2)
        time.sleep(0.01)
    shown = manager.snapshot()[0]
    true_rate = shown.done / (time.monotonic() - began)
    assert shown.rate == pytest.approx(true_rate, rel=0.2)
    assert shown.eta == pytest.approx((1000 - shown.done) / shown.rate, rel=0.01)
    assert shown.elapsed >= 0.6
    # A stalled task's rate falls instead of freezing at its last value.
    time.sleep(0.3)
    assert manager.snapshot()[0].rate < shown.rate * 0.8
    task.finish()
    ended = manager.snapshot()[0]
    assert ended.eta is None and ended.done == 1000


def test_to_json_is_json_safe():
    manager = ProgressManager()
    task = manager.task("odd", float("inf"), unit="bytes")
    task.update(float("nan"))
    manager.task("plain", 10).update(3)
    tasks = to_json_list(manager.snapshot())
    text = json.dumps(tasks, allow_nan=False)
    first = json.loads(text)[0]
    assert first["total"] is None and first["done"] == 0
    assert set(first) == {
        "id",
        "parent",
        "label",
        "total",
        "done",
        "state",
        "started",
        "elapsed",
        "rate",
        "eta",
        "cancellable",
        "message",
        "unit",
    }
    assert tasks[1]["done"] == 3.0


def test_quiet_manager_records_but_calls_no_listener():
    calls = []
    manager = ProgressManager(on_change=lambda: calls.append(1), quiet=True)
    manager.subscribe(lambda: calls.append(2))
    manager.task("silent", 3).update(2)
    assert calls == []
    assert manager.snapshot()[0].done == 2.0
    loud = ProgressManager(on_change=lambda: calls.append(1))
    unsubscribe = loud.subscribe(lambda: calls.append(2))
    loud.task("x").update(1)
    unsubscribe()
    loud.task("y")
    assert calls == [1, 2, 1, 2, 1]


def test_throttle_delivers_at_most_ten_a_second_and_the_final_state():
    baseline = threading.active_count()
    manager = ProgressManager()
    deliveries = []  # (monotonic time, tasks)
    throttle = Throttle(
        manager, lambda tasks: deliveries.append((time.monotonic(), tasks)), max_per_second=10
    )
    threads_n, steps = 4, 2500
    tasks = [manager.task(f"t{i}", steps) for i in range(threads_n)]

    began = time.monotonic()

    def work(task):
        for step in range(steps):
            task.update(advance=1)
            if step % 25 == 0:  # spread the 10,000 updates evenly over about a second
                time.sleep(max(0.0, began + step / steps - time.monotonic()))

    threads = [threading.Thread(target=work, args=(t,)) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.monotonic()

    def final_seen():
        return deliveries and all(t["done"] == steps for t in deliveries[-1][1])

    wait_until(final_seen, timeout=2.0)
    assert finished - began > 0.9
    # n deliveries at least 0.1 s apart span at least (n - 1) / 10 s.
    assert len(deliveries) <= (deliveries[-1][0] - began) * 10 + 1
    assert len(deliveries) >= 8  # and it delivered during the burst, not only at its end
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(deliveries)]
    assert min(gaps, default=1.0) >= 0.095
    assert json.dumps(deliveries[-1][1], allow_nan=False)
    throttle.close()
    assert threading.active_count() == baseline


def test_throttle_sends_when_an_ended_task_expires_and_flushes_on_close():
    baseline = threading.active_count()
    manager = ProgressManager(keep_finished=0.2)
    deliveries = []
    throttle = Throttle(manager, deliveries.append)
    manager.task("brief").finish()
    wait_until(lambda: deliveries and deliveries[-1] == [], timeout=5.0)  # shown as done, then gone
    assert any(d and d[0]["state"] == "done" for d in deliveries)
    count = len(deliveries)
    manager.task("last")
    manager.task("last 2")
    throttle.close()  # within 0.1 s of the last send: close still delivers the change
    assert [t["label"] for t in deliveries[-1]] == ["last", "last 2"]
    assert len(deliveries) <= count + 2
    assert threading.active_count() == baseline


def test_discard_removes_a_superseded_task_at_once_without_on_cancel():
    cancelled = []
    manager = ProgressManager(keep_finished=10.0)
    parent = manager.task("Viewport")
    replaced = manager.task("CWT 1", parent=parent, on_cancel=lambda: cancelled.append(1))
    kept = manager.task("CWT 2", parent=parent)
    replaced.discard()
    assert [t.label for t in manager.snapshot()] == ["Viewport", "CWT 2"]
    assert cancelled == [] and kept.state == "running"
    replaced.discard()  # twice: nothing more happens
    assert len(manager.snapshot()) == 2

"""The push channel: one sender thread, in order, coalescing by key."""

import json
import threading
import time

import pytest
from waiting import wait_until

from app.shell.push import PushChannel


class _SlowPage:
    """Stands in for window.evaluate_js, which blocks until the page has run the script."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.events: list[dict] = []
        self.threads: set[str] = set()
        self.gate = threading.Event()

    def evaluate(self, script: str) -> None:
        self.gate.wait(5)
        self.threads.add(threading.current_thread().name)
        payload = script[script.index("receive(") + len("receive(") : -1]
        self.events.append(json.loads(payload))
        time.sleep(self.delay)


def test_a_burst_of_states_reaches_the_page_as_the_newest_one():
    page = _SlowPage(delay=0.0)
    channel = PushChannel(page.evaluate)
    channel.send({"type": "log", "n": 0})
    for revision in range(1000):
        channel.send({"type": "state", "revision": revision}, coalesce="state")
    channel.send({"type": "log", "n": 1})
    page.gate.set()
    wait_until(lambda: len(page.events) >= 3)
    time.sleep(0.05)
    channel.close()
    assert page.events == [
        {"type": "log", "n": 0},
        {"type": "state", "revision": 999},
        {"type": "log", "n": 1},
    ]
    assert page.threads == {"soma-push"}


def test_send_never_waits_for_the_page_and_nan_cannot_reach_it():
    page = _SlowPage(delay=0.2)
    page.gate.set()
    channel = PushChannel(page.evaluate)
    began = time.perf_counter()
    for i in range(50):
        channel.send({"i": i, "level": float("nan")})
    assert time.perf_counter() - began < 0.1
    wait_until(lambda: page.events)
    assert page.events[0] == {"i": 0, "level": None}
    channel.close()


def test_a_failing_page_does_not_stop_the_channel_and_close_ends_the_thread():
    calls = []

    def flaky(script):
        calls.append(script)
        if len(calls) == 1:
            raise RuntimeError("page is reloading")

    channel = PushChannel(flaky)
    channel.send({"a": 1})
    channel.send({"a": 2})
    wait_until(lambda: len(calls) == 2)
    channel.close()
    assert not channel._thread.is_alive()
    channel.send({"a": 3})  # after close: dropped, no error
    time.sleep(0.05)
    assert len(calls) == 2


def test_an_older_state_never_replaces_a_newer_pending_one():
    page = _SlowPage(delay=0.0)
    channel = PushChannel(page.evaluate)
    channel.send({"type": "state", "revision": 4}, coalesce="state", revision=4)
    page.gate.set()
    wait_until(lambda: len(page.events) == 1)
    page.gate.clear()
    channel.send({"type": "state", "revision": 6}, coalesce="state", revision=6)
    channel.send({"type": "state", "revision": 5}, coalesce="state", revision=5)
    channel.send({"type": "log", "n": 0})  # sent after the states: the page has them all then
    page.gate.set()
    wait_until(lambda: page.events[-1:] == [{"type": "log", "n": 0}])
    channel.close()
    assert [e["revision"] for e in page.events if e["type"] == "state"] == [4, 6]


def test_states_pushed_out_of_order_from_many_threads_leave_the_page_on_the_newest():
    page = _SlowPage(delay=0.001)
    page.gate.set()
    channel = PushChannel(page.evaluate)
    threads = 8
    start = threading.Barrier(threads)

    def push_every(offset):
        # Each thread pushes its own revisions newest first: the channel sees them all
        # interleaved and mostly out of order, as the store's listeners can.
        start.wait()
        for revision in range(2000 - 1 - offset, -1, -threads):
            channel.send(
                {"type": "state", "revision": revision}, coalesce="state", revision=revision
            )

    pushers = [threading.Thread(target=push_every, args=(i,)) for i in range(threads)]
    for pusher in pushers:
        pusher.start()
    for pusher in pushers:
        pusher.join()
    channel.send({"type": "log", "n": 0})
    wait_until(lambda: page.events[-1:] == [{"type": "log", "n": 0}])
    channel.close()
    delivered = [e["revision"] for e in page.events if e["type"] == "state"]
    assert delivered[-1] == 1999
    assert delivered == sorted(set(delivered)), "an older state was sent after a newer one"


def test_a_revision_needs_a_coalesce_key():
    channel = PushChannel(lambda script: None)
    try:
        with pytest.raises(ValueError):
            channel.send({"type": "state"}, revision=1)
    finally:
        channel.close()

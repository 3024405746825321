"""The push channel: one sender thread, in order, coalescing by key."""
import json
import threading
import time

from app.push import PushChannel


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
        payload = script[script.index("receive(") + len("receive("):-1]
        self.events.append(json.loads(payload))
        time.sleep(self.delay)


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_burst_of_states_reaches_the_page_as_the_newest_one():
    page = _SlowPage(delay=0.0)
    channel = PushChannel(page.evaluate)
    channel.send({"type": "log", "n": 0})
    for revision in range(1000):
        channel.send({"type": "state", "revision": revision}, coalesce="state")
    channel.send({"type": "log", "n": 1})
    page.gate.set()
    _wait_for(lambda: len(page.events) >= 3)
    time.sleep(0.05)
    channel.close()
    assert page.events == [{"type": "log", "n": 0}, {"type": "state", "revision": 999},
                           {"type": "log", "n": 1}]
    assert page.threads == {"soma-push"}


def test_send_never_waits_for_the_page_and_nan_cannot_reach_it():
    page = _SlowPage(delay=0.2)
    page.gate.set()
    channel = PushChannel(page.evaluate)
    began = time.perf_counter()
    for i in range(50):
        channel.send({"i": i, "level": float("nan")})
    assert time.perf_counter() - began < 0.1
    _wait_for(lambda: page.events)
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
    _wait_for(lambda: len(calls) == 2)
    channel.close()
    assert not channel._thread.is_alive()
    channel.send({"a": 3})  # after close: dropped, no error
    time.sleep(0.05)
    assert len(calls) == 2

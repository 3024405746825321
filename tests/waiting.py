"""Waiting in tests for the exact state they then check: polled, with a generous deadline (CI
runs on a loaded 2-core machine), never a fixed sleep."""

import time


def wait_until(condition, timeout: float = 30.0) -> None:
    """Return once `condition()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)

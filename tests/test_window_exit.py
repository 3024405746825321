"""The window's process ends when its window has closed, even if a thread is left waiting:
pywebview answers each bridge call from a thread Python's exit waits for, and one answered
after the window was destroyed waits for ever (app.shell.window._end_if_threads_are_left)."""

import subprocess
import sys

LEFT_WAITING = """
import threading
from app.shell import window
threading.Thread(target=threading.Event().wait, name="answer-after-close").start()
window._end_if_threads_are_left(3)
print("not reached")
"""

NOTHING_LEFT = """
import threading
from app.shell import window
threading.Thread(target=lambda: None, name="quick").start()
window._end_if_threads_are_left(3)
print("went on")
"""


def _run(source: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=60
    )


def test_a_thread_left_waiting_does_not_keep_the_process():
    done = _run(LEFT_WAITING)
    assert done.returncode == 3, done.stderr
    assert "not reached" not in done.stdout
    assert "threads still waiting (answer-after-close) are left" in done.stderr


def test_with_no_thread_left_the_process_goes_on():
    done = _run(NOTHING_LEFT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "went on" and "waiting" not in done.stderr

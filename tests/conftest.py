import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/gui_session.py

from gui_session import GuiSession, start_xvfb

# Autosave and recovery files go under XDG_STATE_HOME: never the real user's during tests.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="soma-test-state-")


@pytest.fixture(scope="session")
def display():
    """An X display for the real window: the user's, or an Xvfb the tests start themselves."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = start_xvfb()
    try:
        yield os.environ["DISPLAY"]
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        del os.environ["DISPLAY"]


@pytest.fixture
def gui(display, request):
    """Opens Soma's real window: gui(path or None) -> GuiSession; closed after the test. Each
    window's log is tests/artifacts/<test name>[-<n>].log."""
    sessions = []

    def open_window(audio_path=None):
        name = request.node.name + (f"-{len(sessions) + 1}" if sessions else "")
        session = GuiSession(audio_path, log_name=name)
        sessions.append(session)
        return session

    yield open_window
    for session in sessions:
        session.close()

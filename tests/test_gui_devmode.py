"""Dev mode with a real supervisor over a temporary copy of Soma's source and the real window.

The supervisor runs tests/gui_driver.py (which runs app.window.run_window, as `python -m app`
does, and answers JS expressions on stdin) so the test can look into each new child's page.
"""
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from gui_session import IMAGE_FOR_VIEW, ROOT, GuiSession, element_centre, xdotool
from live_processes import alive, descendants

SUPERVISE = """
import sys
from pathlib import Path
from app.devmode import ReloadSupervisor
root = Path.cwd()
supervisor = ReloadSupervisor(
    [sys.executable, str(root / "tests" / "gui_driver.py")],
    watch={"python": [root / "app", root / "workers"], "web": [root / "web"]},
    state_file=Path(sys.argv[1]), env=None, cwd=root)
sys.exit(supervisor.run())
"""

STATE = """(() => { const s = window.soma && window.soma.state();
  return s && s.file ? {partials: s.partials.map(p => p.name), view: s.view, levels: s.levels,
                        selection: s.selection, undo: s.undo} : null; })()"""


def _state_becomes(window, expected, timeout=30.0):
    """The page's STATE once it equals `expected`, or the last one seen after `timeout` s. A
    fresh page shows a state before it has pulled the partials (pushes leave them out)."""
    deadline = time.monotonic() + timeout
    while True:
        state = window.eval(STATE)
        if state == expected or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


@pytest.fixture
def source(tmp_path):
    """A copy of the source a developer would edit: app/, workers/, web/, tests/."""
    for folder in ("app", "workers", "web", "tests"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
    return tmp_path


def _edit(path: Path, text: str) -> None:
    # Write and move over, as editors do, so the watcher sees a moved event.
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_edits_restart_or_reload_and_the_state_comes_back(display, source, tmp_path):
    env_python = [sys.executable, "-c", SUPERVISE, str(tmp_path / "state.json")]
    os.environ["PYTHONPATH"] = str(source)
    try:
        window = GuiSession(command=env_python, cwd=source,
                            log_name="test_edits_restart_or_reload_and_the_state_comes_back")
    finally:
        del os.environ["PYTHONPATH"]
    try:
        first_pid = window.pid
        window.wait_for("document.body.dataset.viewportKey", timeout=60)
        # Some state worth keeping: a partial (snapped by the worker), a zoomed view, a selection,
        # colour levels.
        window.eval("window.pywebview.api.snap([[1.0, 445.0], [3.0, 435.0]], 100), true")
        window.wait_for("window.soma.state().partials.length === 1", timeout=30)
        # Zoomed as a user zooms, so that the page shows the view the document holds (a
        # set_view through the API would leave the page on its own view, which it sends back
        # whenever it asks for an image).
        x, y = element_centre(window, ".plot")
        xdotool("mousemove", x, y, "click", 1)
        xdotool("key", "plus", "plus")
        window.wait_for(IMAGE_FOR_VIEW.replace(
            "? {view", "&& v.end - v.start < 0.7 * s.overview.view.end ? {view"), timeout=60)
        window.eval("(() => { const o = window.soma.state().overview; "
                    "window.pywebview.api.set_levels(o.dbMin + 20, o.dbMax - 10); "
                    "return true; })()")
        window.wait_for("(s => s.levels.floor === s.overview.dbMin + 20)(window.soma.state())")
        before = window.eval(STATE)
        assert before["partials"] == ["Partial 1"] and before["selection"] == [1]

        # A web edit reloads the page in the same process.
        window.eval("window.__still_the_same_page = true")
        css = source / "web" / "style.css"
        _edit(css, css.read_text() + "\n/* edited */\n")
        window.wait_for("window.__still_the_same_page !== true && !!window.soma "
                        "&& !!window.soma.state()", timeout=30)
        assert window.eval(STATE) == before
        assert window.process.poll() is None

        # A Python edit restarts the app with its state.
        cli = source / "app" / "cli.py"
        _edit(cli, cli.read_text() + "\n# edited\n")
        second_pid = window.wait_ready(timeout=60)
        assert second_pid != first_pid and not os.path.exists(f"/proc/{first_pid}")
        assert _state_becomes(window, before) == before
        # It saved, closed and exited by itself (an unsaved-changes question must not hold it
        # up until the supervisor's grace period runs out); the 3 s target is measured in
        # benchmarks/bench_devmode.py, not here.
        log = window.log.read_text()
        assert "did not exit" not in log, log

        # A syntax error: the supervisor reports it and the running app stays.
        good = cli.read_text()
        _edit(cli, good + "\ndef broken(:\n")
        deadline = time.monotonic() + 30
        while "syntax error in app/cli.py" not in window.log.read_text():
            assert time.monotonic() < deadline, "the supervisor did not report the syntax error"
            time.sleep(0.1)
        assert window.eval("1 + 1") == 2
        assert os.path.exists(f"/proc/{second_pid}")

        # Fixing it brings the app back with its state.
        _edit(cli, good)
        third_pid = window.wait_ready(timeout=60)
        assert third_pid != second_pid
        assert _state_becomes(window, before) == before
        window.screenshot("devmode-restored.png")

        # Ctrl+C ends the supervisor, the app and its workers.
        everything = descendants(window.process.pid)
        assert len(everything) >= 2  # the app, its forkserver and workers
        window.process.send_signal(signal.SIGINT)
        assert window.process.wait(20) == 0
        deadline = time.monotonic() + 10
        while any(alive(p) for p in everything):
            assert time.monotonic() < deadline, "processes were left behind"
            time.sleep(0.1)
    finally:
        window.close()

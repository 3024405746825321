"""Dev mode with a real supervisor over a temporary copy of Soma's source and the real window.

The supervisor runs tests/gui_driver.py (which runs app.shell.window.run_window, as `python -m app`
does, and answers JS expressions on stdin) so the test can look into each new child's page.
The last tests play the supervisor's part themselves (SOMA_DEV_STATE, SIGUSR2, a new process).
"""

import json
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from gui_session import IMAGE_FOR_VIEW, ROOT, GuiSession, element_centre, xdotool
from live_processes import alive, children_of, descendants

SUPERVISE = """
import sys
from pathlib import Path
from app.dev.supervisor import ReloadSupervisor
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
        shutil.copytree(
            ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("__pycache__", "artifacts"),
        )
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
        window = GuiSession(
            command=env_python,
            cwd=source,
            log_name="test_edits_restart_or_reload_and_the_state_comes_back",
        )
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
        window.wait_for(
            IMAGE_FOR_VIEW.replace(
                "? {view", "&& v.end - v.start < 0.7 * s.overview.view.end ? {view"
            ),
            timeout=60,
        )
        window.eval(
            "(() => { const o = window.soma.state().overview; "
            "window.pywebview.api.set_levels(o.dbMin + 20, o.dbMax - 10); "
            "return true; })()"
        )
        window.wait_for("(s => s.levels.floor === s.overview.dbMin + 20)(window.soma.state())")
        before = window.eval(STATE)
        assert before["partials"] == ["Partial 1"] and before["selection"] == [1]

        # A web edit reloads the page in the same process.
        window.eval("window.__still_the_same_page = true")
        css = source / "web" / "style.css"
        _edit(css, css.read_text() + "\n/* edited */\n")
        window.wait_for(
            "window.__still_the_same_page !== true && !!window.soma && !!window.soma.state()",
            timeout=30,
        )
        assert window.eval(STATE) == before
        assert window.process.poll() is None

        # A Python edit restarts the app with its state.
        cli = source / "app" / "cli" / "__init__.py"
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
        while "syntax error in app/cli/__init__.py" not in window.log.read_text():
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


# The app's side of the protocol, without a supervisor: SOMA_DEV_STATE set, SIGUSR2 to save and
# exit 3, a new process to restore.


def _workers_of(app_pid: int) -> list[int]:
    """The live worker processes of the app: the children of its forkserver
    (app.compute.processes)."""

    def command(pid):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()

    (forkserver,) = (
        pid
        for pid, state in children_of(app_pid)
        if state != "Z" and b"multiprocessing.forkserver" in command(pid)
    )
    return sorted(pid for pid, state in children_of(forkserver) if state != "Z")


def test_a_state_the_code_cannot_read_starts_clean_with_a_message(display, tmp_path, monkeypatch):
    state = tmp_path / "state.json"
    state.write_text('{"schema": 1, "audio": ')  # cut off mid-write, or by an edited format
    monkeypatch.setenv("SOMA_DEV_STATE", str(state))
    window = GuiSession()
    try:
        shown = window.wait_for(
            "(() => { const s = window.soma && window.soma.state(); "
            "return s && s.file && !document.getElementById('error').hidden"
            " && document.getElementById('error-text').textContent; })()"
        )
        assert shown.startswith(
            "Dev mode started clean: the saved state could not be "
            "restored (the dev-mode state file cannot be read:"
        ), shown
        assert window.eval("window.soma.state().partials.length") == 0
        assert "Dev mode started clean" in window.log.read_text()
    finally:
        window.close()


def test_strokes_still_snapping_at_a_restart_are_snapped_after_it(display, tmp_path, monkeypatch):
    state = tmp_path / "state.json"
    monkeypatch.setenv("SOMA_DEV_STATE", str(state))
    stopped: list[int] = []
    window = GuiSession()
    try:
        window.wait_for("document.body.dataset.viewportKey", timeout=60)
        window.eval("window.pywebview.api.snap([[1.0, 445.0], [3.0, 435.0]], 100), true")
        window.wait_for("window.soma.state().partials.length === 1", timeout=30)
        # The workers (the viewport's and the snap's, kept for the next job) stopped: the next
        # stroke waits in the snap queue for as long as the test needs, however loaded the
        # machine is.
        stopped = _workers_of(window.pid)
        assert len(stopped) == 2, stopped
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        # Another length than the first stroke's, whose task may still show as running.
        window.eval("window.pywebview.api.snap([[9.5, 262.0], [11.0, 262.0]], 100), true")
        window.wait_for(
            "[...document.querySelectorAll('#progress .task.running')]"
            ".some(t => t.textContent.startsWith('Snapping 1.50 s'))"
        )
        # Its worker stopped, the snap has no total yet: the panel shows the elapsed time (no
        # '0.00 steps/s') and a sliding block whose phase follows that time.
        shown = window.eval("""[...document.querySelectorAll('#progress .task.running')]
          .filter(t => t.textContent.startsWith('Snapping 1.50 s')).map(t => {
            const fill = t.querySelector('.fill');
            return [t.querySelector('.task-label').textContent, fill.className,
                    fill.style.animationDuration, parseFloat(fill.style.animationDelay)]; })""")
        ((label, fill, duration, delay),) = shown
        assert re.fullmatch(r"Snapping 1\.50 s of stroke  \d:\d\d", label), label
        assert fill == "fill indeterminate" and duration == "1.2s" and -1.2 < delay <= 0
        os.kill(window.pid, signal.SIGUSR2)
        assert window.process.wait(30) == 3
        saved = json.loads(state.read_text())
        assert [p["name"] for p in saved["partials"]] == ["Partial 1"]
        assert saved["snaps"] == [
            {
                "guide": [[9.5, 262.0], [11.0, 262.0]],
                "toleranceCents": 100.0,
                "replaceId": None,
                "hop": 0.005,
                "extendId": None,
                "moveId": None,
            }
        ]
        assert not any(alive(pid) for pid in stopped)  # the closing app ended its workers
    finally:
        for pid in stopped:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        window.close()

    restored = GuiSession()
    try:
        restored.wait_for("window.soma.state().partials.length === 2", timeout=60)
        assert restored.eval("window.soma.state().partials.map(p => p.source.guide)") == [
            [[1.0, 445.0], [3.0, 435.0]],
            [[9.5, 262.0], [11.0, 262.0]],
        ]
        assert restored.eval(
            "window.soma.state().partials[1].points.some(p => p[1] !== null"
            " && Math.abs(p[1] - 261.63) < 5)"
        )
    finally:
        restored.close()

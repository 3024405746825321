"""Starting and driving Soma's real window from a test: Xvfb, the driver, xdotool, screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from app.document.partials import Partial, frozen_points
from app.files.project import Project, save_project

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
PREFIX = "@@ "

# The image of the view the page shows has arrived and is drawn: what it is, else null.
IMAGE_FOR_VIEW = """(() => {
  const s = window.soma && window.soma.state();
  if (!s || !s.viewport || s.computing) return null;
  const shown = JSON.parse(document.body.dataset.view || 'null');
  const v = s.viewport.view;
  const same = shown && Math.abs(v.start - shown.start) < 1e-6 && Math.abs(v.end - shown.end) < 1e-6
    && Math.abs(v.fmin - shown.fmin) < 1e-3 && Math.abs(v.fmax - shown.fmax) < 1e-3;
  return same && (shown.scale || 'log') === s.viewport.scale
    && document.body.dataset.viewportKey === s.viewport.key
    ? {view: v, method: s.viewport.method, key: s.viewport.key,
       info: document.getElementById('image-info').textContent} : null;
})()"""


def tone_project(folder: Path, frequency: float = 660.0, seconds: float = 4.0) -> Path:
    """A saved project (so that the window closes without asking about it) over a sine tone
    of `seconds` at `frequency`, with one partial on the tone from 0.5 s to 0.5 s before
    the end; its path, folder/tone.soma.json."""
    sr = 22050
    t = np.arange(round(seconds * sr)) / sr
    sf.write(folder / "tone.wav", 0.3 * np.sin(2 * np.pi * frequency * t), sr)
    times = np.linspace(0.5, seconds - 0.5, 300)
    points = frozen_points(np.stack([times, np.full(300, frequency), np.full(300, -10.5)], 1))
    path = folder / "tone.soma.json"
    save_project(
        Project(
            audio_path=str(folder / "tone.wav"),
            next_partial_id=2,
            partials=(Partial(1, "Partial 1", "#4cc9f0", points),),
        ),
        path,
    )
    return path


def start_xvfb() -> subprocess.Popen:
    """An Xvfb on a display number of its own choosing (-displayfd), DISPLAY set for children."""
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise RuntimeError("Xvfb did not start")
    os.environ["DISPLAY"] = f":{number}"
    return process


class GuiSession:
    """The real window, started by tests/gui_driver.py, and the means to drive it."""

    def __init__(
        self,
        audio_path: str | None = None,
        timeout: float = 60.0,
        command: list[str] | None = None,
        cwd: Path = ROOT,
        log_name: str = "gui-driver",
    ) -> None:
        """The driver on `audio_path`; or `command`, a program that runs the driver (a dev-mode
        supervisor) and passes its stdin and stdout through. The window's stderr goes to
        tests/artifacts/<log_name>.log: one per test, so a failure's log is not overwritten by
        the next test's window."""
        if command is None:
            command = [sys.executable, str(ROOT / "tests" / "gui_driver.py")]
            if audio_path:
                command.append(str(audio_path))
        self.log = ARTIFACTS / f"{log_name}.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.log, "w")
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.pid = self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60.0) -> int:
        """Wait for a window to say it is ready (again, after a dev-mode restart) and for its
        page to have started (window.soma, which tests read, exists); the window's pid."""
        ready = self._read(timeout)
        assert ready.get("ready") is True, ready
        self.wait_for("!!window.soma", timeout)
        return ready["pid"]

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the window process ended; see {self.log}")
            if line.startswith(PREFIX):
                return json.loads(line[len(PREFIX) :])
        raise TimeoutError("no answer from the window")

    def eval(self, expression: str, timeout: float = 30.0):
        """The value of a JS expression evaluated in the page."""
        self.process.stdin.write(json.dumps({"eval": expression}) + "\n")
        self.process.stdin.flush()
        reply = self._read(timeout)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["result"]

    def wait_for(self, expression: str, timeout: float = 30.0, interval: float = 0.1):
        """Poll a JS expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout} s: {expression}")
            time.sleep(interval)

    def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / name
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "screenshot.py"), str(path)],
            check=True,
            timeout=30,
        )
        return path

    def close(self) -> int:
        if self.process.poll() is None:
            try:
                unsaved = self.eval("Boolean(window.soma.state()?.modified)", timeout=10)
            except (OSError, RuntimeError, TimeoutError, ValueError):
                unsaved = False
            try:
                self.process.stdin.write(json.dumps({"quit": True}) + "\n")
                self.process.stdin.flush()
            except BrokenPipeError:
                pass
            if unsaved:
                # Quitting asks about the edits: Save (the default), Don't save, Cancel. The
                # test is done with them: Tab to Don't save, Return.
                try:
                    wait_for_window(UNSAVED_DIALOG, timeout=15)
                    xdotool("key", "Tab", "Return")
                except (subprocess.SubprocessError, IndexError):
                    pass  # it did not ask after all: the wait below sees it end
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()
        return self.process.returncode


def xdotool(*args: object) -> str:
    """Run xdotool on $DISPLAY; its output."""
    result = subprocess.run(
        ["xdotool", *map(str, args)], capture_output=True, text=True, timeout=30, check=True
    )
    return result.stdout


# Soma's window: its title is the file's name and "— Soma", or "Soma" alone (DocumentState.title).
MAIN_WINDOW = "Soma$"
# pywebview's title for its save dialog (its localization's 'global.saveFile').
SAVE_DIALOG = "Save file"
OPEN_DIALOG = "Open file"  # its 'linux.openFile'
UNSAVED_DIALOG = "Unsaved changes"  # app.shell.window.UNSAVED_TITLE


def wait_for_window(title: str, timeout: float = 30.0) -> str:
    """The X window id of the visible window called `title` (a native dialog) once it is
    mapped, given the keyboard, so that what a test types next goes to it."""
    window_id = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout.split()[0]
    xdotool("windowfocus", "--sync", window_id)
    return window_id


def window_closed(window_id: str, timeout: float = 30.0) -> None:
    """Wait until the window `window_id` (a dialog) is no longer shown."""
    deadline = time.monotonic() + timeout
    while (
        window_id
        in subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", ""],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.split()
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"window {window_id} is still shown")
        time.sleep(0.05)


def wait_for_popup(timeout: float = 30.0) -> str:
    """The X window id of the open popup of a <select> menu once it is mapped: a visible
    window of the driver's program besides the main one (it has no name a search matches).
    Its keys go through the main window."""
    main = set(xdotool("search", "--onlyvisible", "--name", MAIN_WINDOW).split())
    deadline = time.monotonic() + timeout
    while True:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--class", "^gui_driver"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.split()
        popups = [window_id for window_id in found if window_id not in main]
        if popups:
            return popups[0]
        if time.monotonic() > deadline:
            raise TimeoutError("no menu popup appeared")
        time.sleep(0.05)


def drag(points, release: bool = True) -> None:
    """Press the left button at the first of `points` (screen px), move through the rest and
    release at the last, unless `release` is False (the test checks the drag in progress,
    then sends the mouseup itself)."""
    xdotool("mousemove", *points[0])
    xdotool("mousedown", "1")
    for x, y in points[1:]:
        xdotool("mousemove", x, y)
    if release:
        xdotool("mouseup", "1")


def double_click() -> None:
    """A double-click of the left button where the pointer is. Its four events go in one
    xdotool run without pauses: Qt takes two clicks for a double-click by the X server's
    timestamps, and on a loaded machine `click --repeat 2` (100 ms apart) could be stamped
    further apart than the double-click interval."""
    xdotool("mousedown", 1, "mouseup", 1, "mousedown", 1, "mouseup", 1)


def window_origin() -> tuple[int, int]:
    """Screen position of the top-left of Soma's page, for xdotool.

    The page's client area starts at the top-left of the X window (no window manager runs
    under Xvfb, so there are no decorations); xdotool gives the window's position.
    """
    window_id = xdotool("search", "--name", MAIN_WINDOW).split()[0]
    geometry = dict(
        line.strip().split(": ", 1)
        for line in xdotool("getwindowgeometry", window_id).splitlines()[1:]
    )
    left, top = (int(v) for v in geometry["Position"].split()[0].split(","))
    return left, top


def element_centre(window: GuiSession, selector: str) -> tuple[int, int]:
    """Screen coordinates of the centre of the page element matching a CSS selector."""
    left, top = window_origin()
    rect = window.eval(
        f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
        ".getBoundingClientRect(); return [r.left + r.width / 2, "
        "r.top + r.height / 2]; })()"
    )
    return left + round(rect[0]), top + round(rect[1])


def plot_point(window: GuiSession, t: float, f: float) -> tuple[int, int]:
    """Screen coordinates of time `t` (s) and frequency `f` (Hz) on the spectrogram, in the
    view the page shows (on its frequency scale, log or linear)."""
    left, top = window_origin()
    x, y = window.eval(
        f"""(() => {{ const v = JSON.parse(document.body.dataset.view);
          const r = document.querySelector('.plot').getBoundingClientRect();
          const up = v.scale === 'linear' ? ({f} - v.fmin) / (v.fmax - v.fmin)
            : Math.log({f} / v.fmin) / Math.log(v.fmax / v.fmin);
          return [r.left + ({t} - v.start) / (v.end - v.start) * r.width,
            r.top + (1 - up) * r.height];
        }})()"""
    )
    return left + round(x), top + round(y)


def choose_menu_option(window: GuiSession, selector: str, position: int) -> None:
    """Choose the option at `position` (1: the first after the menu's title) of the <select>
    menu matching `selector`, as a user does: click it, wait for its popup, arrow down,
    Return."""
    x, y = element_centre(window, selector)
    xdotool("mousemove", x, y, "click", 1)
    wait_for_popup()
    for _ in range(position):
        xdotool("key", "Down")
    xdotool("key", "Return")

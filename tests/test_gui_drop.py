"""End to end: files dragged from another program (a real XDND drag, driven with xdotool)
and dropped on the real window open, as Open… would open them."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from gui_session import element_centre, wait_for_window, window_origin, xdotool

from app.document.partials import Partial, frozen_points
from app.files.project import Project, save_project

SOURCE = Path(__file__).resolve().parent / "drag_source.py"
SOURCE_SIZE = 40  # drag_source.SIZE
SOURCE_TITLE = "Drag source"  # drag_source.TITLE
# Records whether the page has seen a drag over it since.
WATCH_DRAG = """(() => { window.__dragOver = false;
  document.addEventListener('dragover', () => { window.__dragOver = true; }, { once: true });
  return true; })()"""


def _drop(window, path, until):
    """Drag `path` from a stand-in file manager onto Soma's spectrogram, let go, and wait for
    the JS condition `until`; its value. The source stays up meanwhile, as a file manager
    would: the drop's data is read from it after the drag has ended."""
    # Below and right of Soma's window (no window manager: windows stay where they are put),
    # so that pressing on the source never lands on Soma.
    left, top = window_origin()
    width, height = window.eval("[window.outerWidth, window.outerHeight]")
    at = (left + width + 4, top + height + 4)
    source = subprocess.Popen(
        [sys.executable, str(SOURCE), str(path), *map(str, at)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert source.stdout.readline().strip() == "ready"
        wait_for_window(SOURCE_TITLE)
        window.eval(WATCH_DRAG)
        start_x, start_y = at[0] + SOURCE_SIZE // 2, at[1] + SOURCE_SIZE // 2
        end_x, end_y = element_centre(window, ".plot")
        xdotool("mousemove", start_x, start_y)
        xdotool("mousedown", 1)
        steps = 20  # XDND needs motion over the target before the drop
        for i in range(1, steps + 1):
            xdotool(
                "mousemove",
                start_x + (end_x - start_x) * i // steps,
                start_y + (end_y - start_y) * i // steps,
            )
        # Let go only once the page has seen the drag over it: the source may have started
        # its drag after the last move, and then needs one more to tell the page.
        deadline = time.monotonic() + 20
        nudge = 0
        while not window.eval("window.__dragOver"):
            assert time.monotonic() < deadline, "the page never saw the drag"
            nudge = 1 - nudge
            xdotool("mousemove", end_x + nudge, end_y)
        xdotool("mouseup", 1)
        assert source.stdout.readline().startswith("dropped")
        return window.wait_for(until, timeout=30)
    finally:
        source.terminate()
        source.wait(10)


def test_dropped_audio_and_projects_open_and_a_bad_file_loses_nothing(gui, tmp_path):
    sr = 22050
    t = np.arange(2 * sr) / sr
    sf.write(tmp_path / "dropped.wav", 0.3 * np.sin(2 * np.pi * 440 * t), sr)
    (tmp_path / "notes.txt").write_text("not audio")
    window = gui(None)  # the demo
    window.wait_for("document.body.dataset.overviewKey", timeout=60)

    _drop(
        window,
        tmp_path / "dropped.wav",
        "window.soma.state().file.name === 'dropped.wav' && "
        "document.body.dataset.overviewKey === window.soma.state().overview.key",
    )
    window.screenshot("drop-audio.png")

    times = np.linspace(0.2, 1.8, 50)
    points = frozen_points(np.stack([times, np.full(50, 440.0), np.full(50, -10.5)], 1))
    save_project(
        Project(
            audio_path=str(tmp_path / "dropped.wav"),
            next_partial_id=2,
            partials=(Partial(1, "A4", "#4cc9f0", points),),
        ),
        tmp_path / "take.soma.json",
    )
    _drop(
        window,
        tmp_path / "take.soma.json",
        "(s => s.projectPath.endsWith('take.soma.json') && s.partials.length === 1)"
        "(window.soma.state())",
    )

    message = _drop(
        window,
        tmp_path / "notes.txt",
        "!document.getElementById('error').hidden && "
        "document.getElementById('error-text').textContent",
    )
    assert "notes.txt" in message, message
    assert window.eval("window.soma.state().file.name") == "dropped.wav"

"""End to end: Soma's real window under X opens a file and shows its overview."""

import os
import time

import numpy as np
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, element_centre, wait_for_popup, xdotool

CANVAS_STATS = """(() => {
  const canvas = document.getElementById('viewport-canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let lit = 0; const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 7) {
    if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  return {width: canvas.width, height: canvas.height, lit, sampled: data.length / 28,
          colours: colours.size};
})()"""


def _tone_file(path, seconds=3.0, sr=44100):
    t = np.arange(int(seconds * sr)) / sr
    signal = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1320 * t)
    sf.write(path, np.stack([signal, signal], axis=1), sr, subtype="PCM_16")
    return path


def _llvmpipe_ticks(pid):
    """CPU time of the process's llvmpipe threads so far, in clock ticks."""
    ticks = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        if open(f"/proc/{pid}/task/{tid}/comm").read().startswith("llvmpipe"):
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def test_window_opens_a_file_and_draws_its_overview(gui, tmp_path):
    path = _tone_file(tmp_path / "tone.wav")
    window = gui(path)
    key = window.wait_for("document.body.dataset.overviewKey", timeout=30)
    assert key.startswith("overview-")

    stats = window.eval(CANVAS_STATS)
    assert stats["width"] > 300 and stats["height"] > 200
    assert stats["lit"] > 0.01 * stats["sampled"], stats  # the partials are drawn
    assert stats["colours"] > 20, stats  # a colormap, not a flat fill

    assert window.eval("document.getElementById('file-info').textContent").startswith("tone.wav")
    time_axis = window.eval("document.getElementById('time-axis').textContent")
    assert "0:03.000" in time_axis  # the end of the view: the file's duration
    assert window.eval("document.getElementById('freq-axis').textContent").count("Hz") >= 3
    assert window.eval("document.body.dataset.status") == "ready"
    window.wait_for("document.body.dataset.viewportKey", timeout=60)
    window.screenshot("open-tone.png")

    # Frames are not drawn twice: with no GPU under OpenGL (Xvfb's is Mesa's llvmpipe), Qt
    # Quick draws in software, and llvmpipe's threads (Chromium starts them, idle) do not
    # rasterise every frame of the page again. With OpenGL they took a core for this spinner.
    before = _llvmpipe_ticks(window.pid)
    window.eval("document.getElementById('computing').hidden = false, true")
    time.sleep(1.0)
    window.eval("document.getElementById('computing').hidden = true, true")
    ticks = _llvmpipe_ticks(window.pid) - before
    assert ticks < 0.1 * os.sysconf("SC_CLK_TCK"), f"llvmpipe drew for {ticks} ticks in 1 s"

    # A file that cannot be opened: one clear message, and the open file stays.
    window.eval("window.pywebview.api.open_path('/no/such/file.wav'), true")
    message = window.wait_for(
        "!document.getElementById('error').hidden && "
        "document.getElementById('error-text').textContent"
    )
    assert "file.wav" in message and "does not exist" in message, message
    assert window.eval("document.body.dataset.overviewKey") == key
    assert window.eval("document.getElementById('file-info').textContent").startswith("tone.wav")
    window.screenshot("open-error.png")


def test_recent_menu_opens_a_file_opened_before(gui, tmp_path):
    path = _tone_file(tmp_path / "earlier.wav")
    window = gui(path)
    window.wait_for("document.body.dataset.overviewKey", timeout=30)
    window.eval("window.pywebview.api.open_demo(), true")
    window.wait_for(
        "window.soma.state().file.name === 'Demo recording' && !window.soma.state().busy",
        timeout=30,
    )
    assert window.eval("window.soma.state().recent")[0] == str(path)
    assert window.eval("document.getElementById('recent').options[1].textContent") == (
        "earlier.wav"
    )
    x, y = element_centre(window, "#recent")
    xdotool("mousemove", x, y, "click", 1)
    wait_for_popup()
    xdotool("key", "Down")
    xdotool("key", "Return")
    window.wait_for("window.soma.state().file.name === 'earlier.wav'", timeout=30)
    window.screenshot("recent.png")
    # The menu, chosen from, gives the keys back to the page: + zooms.
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    span = "(v => v.end - v.start)(JSON.parse(document.body.dataset.view))"
    before = window.eval(span)
    xdotool("key", "plus")
    window.wait_for(f"{span} < {before} * 0.9", timeout=10)

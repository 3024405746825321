"""End to end: Space starts playback in the real window and the playhead follows the audio."""

import time

import numpy as np
import soundfile as sf
from gui_session import element_centre, xdotool

PLAYHEAD = "Number(document.body.dataset.playhead || 'NaN')"


def test_space_plays_and_the_playhead_moves(gui, tmp_path):
    sr = 22050
    t = np.arange(6 * sr) / sr
    path = tmp_path / "tone.wav"
    sf.write(path, 0.3 * np.sin(2 * np.pi * 330 * t), sr)
    window = gui(path)
    window.wait_for("document.body.dataset.viewportKey", timeout=60)

    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y)
    xdotool("click", "1")  # focus, and the playback cursor at the middle of the view (3 s)
    xdotool("key", "space")
    first = window.wait_for(f"{PLAYHEAD} >= 3 && {PLAYHEAD}", timeout=20)
    assert 2.9 <= first < 4.5
    # It follows the audio clock: it moves by the time that passed between two readings,
    # measured around them, whatever the load makes each reading take.
    sent = time.monotonic()
    first = window.eval(PLAYHEAD)
    read = time.monotonic()
    time.sleep(1.0)  # the interval measured, not a wait for something to happen
    sent_later = time.monotonic()
    later = window.eval(PLAYHEAD)
    read_later = time.monotonic()
    frame = 0.1  # the playhead is redrawn each frame
    assert sent_later - read - frame < later - first < read_later - sent + frame
    assert window.eval("!document.getElementById('playhead').hidden")
    assert window.eval("document.getElementById('play').textContent").endswith("Stop")
    window.screenshot("playback.png")

    xdotool("key", "space")
    window.wait_for("document.body.dataset.playhead === undefined", timeout=10)
    assert window.eval("document.getElementById('playhead').hidden")

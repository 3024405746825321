"""End to end, from the status bar of the real window: the colour levels, fitted to the picture
at first, typed in, recolour the spectrogram at once, refuse what is wrong, and go back with
Auto; the list of keys."""

import numpy as np
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, double_click, element_centre, xdotool

# Mean brightness (0..765, r + g + b) of the viewport canvas.
BRIGHTNESS = """(() => {
  const c = document.getElementById('viewport-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
  return sum / (d.length / 4);
})()"""

LEVELS = "window.soma.state().levels"


def _type_into(window, selector, text):
    """Click a field, replace what it holds with `text` and press Enter, as a user would."""
    x, y = element_centre(window, selector)
    xdotool("mousemove", x, y, "click", 1)
    xdotool("key", "ctrl+a")
    xdotool("type", "--", text)
    xdotool("key", "Return")


def test_levels_recolour_the_picture_and_auto_restores_them(gui, tmp_path):
    sr = 22050
    t = np.arange(6 * sr) / sr
    noise = 0.003 * np.random.default_rng(5).standard_normal(t.size)
    path = tmp_path / "tone-in-noise.wav"
    sf.write(path, 0.3 * np.sin(2 * np.pi * 660 * t) + noise, sr)
    window = gui(path)
    first = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    overview = window.eval("window.soma.state().overview")
    start = window.eval(LEVELS)
    # The file opens on levels fitted to its overview: from the noise floor (the noise of
    # 0.003 rms reads about -75 dBFS) to the tone's peak (-10.5 dBFS), not 100 dB under it.
    assert start == overview["autoLevels"]
    assert start["ceiling"] == -10 and -85 < start["floor"] < -65, start
    assert window.eval("document.getElementById('levels-reset').disabled")
    before = window.eval(BRIGHTNESS)

    # Raising the floor 30 dB blackens the noise; the tone stays.
    floor = start["floor"] + 30
    _type_into(window, "#level-floor", f"{floor:g}")
    window.wait_for(f"{LEVELS}.floor === {floor}", timeout=10)
    window.wait_for(f"{BRIGHTNESS} < {before} * 0.5", timeout=10)
    assert window.eval("document.getElementById('level-floor').value") == f"{floor:g}"
    assert not window.eval("document.getElementById('levels-reset').disabled")
    assert not window.eval("window.soma.state().modified")  # a view setting, not an edit
    window.screenshot("levels-floor-raised.png")

    # A ceiling under the floor is refused with a message; the levels and the field stay.
    _type_into(window, "#level-ceiling", f"{floor - 10:g}")
    message = window.wait_for(
        "!document.getElementById('error').hidden && "
        "document.getElementById('error-text').textContent",
        timeout=10,
    )
    assert "ceiling" in message and "above" in message, message
    assert window.eval(LEVELS) == {"floor": floor, "ceiling": start["ceiling"]}
    window.wait_for(
        f"document.getElementById('level-ceiling').value === '{start['ceiling']:g}'", timeout=10
    )
    # The message outlives the state pushes that follow (a zoom pushes several a second),
    # until the user dismisses it.
    revision = window.eval("window.soma.state().revision")
    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y, "click", 4)  # wheel up: zoom in
    window.wait_for(f"window.soma.state().revision > {revision}", timeout=10)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    assert not window.eval("document.getElementById('error').hidden")
    x, y = element_centre(window, "#error-dismiss")
    xdotool("mousemove", x, y, "click", 1)
    window.wait_for("document.getElementById('error').hidden", timeout=10)

    # Auto gives the file's fitted levels back, and the picture as it was: measured on the
    # image of the same view as before (a double-click shows the whole file again), drawn.
    x, y = element_centre(window, "#levels-reset")
    xdotool("mousemove", x, y, "click", 1)
    window.wait_for(f"{LEVELS}.floor === {start['floor']}", timeout=10)
    assert window.eval(LEVELS) == start
    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y)
    double_click()
    again = window.wait_for(
        IMAGE_FOR_VIEW.replace(
            "? {view",
            f"&& s.viewport.view.end - s.viewport.view.start === {first['view']['end']} ? {{view",
        ),
        timeout=60,
    )
    assert again["view"] == first["view"]
    window.screenshot("levels-auto.png")
    assert abs(window.eval(BRIGHTNESS) - before) < 0.02 * before


def test_question_mark_shows_the_keys_and_escape_hides_them(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y, "click", 1)  # the window has the keyboard
    xdotool("key", "question")
    window.wait_for("document.getElementById('help').open", timeout=10)
    text = window.eval("document.getElementById('help').textContent")
    assert "Ctrl+Z" in text and "Trace" in text and "Wheel" in text
    window.screenshot("keys.png")
    xdotool("key", "space")  # the list is up: no playback starts under it
    xdotool("key", "Escape")
    window.wait_for("!document.getElementById('help').open", timeout=10)
    assert window.eval("document.getElementById('play').textContent").strip().endswith("Play")
    x, y = element_centre(window, "#help-toggle")
    xdotool("mousemove", x, y, "click", 1)
    window.wait_for("document.getElementById('help').open", timeout=10)

"""End to end: what the window holds for one file does not carry over to the next, and what
would play silence says so."""
import numpy as np
import soundfile as sf

from gui_session import IMAGE_FOR_VIEW, element_centre, xdotool

SETTINGS = """[document.getElementById('tolerance').value, document.getElementById('play-mode').value,
  document.getElementById('loop').checked]"""


def test_tolerance_play_mode_and_loop_start_afresh_with_another_file(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    defaults = window.eval(SETTINGS)
    assert defaults == ["100", "original", False]

    x, y = element_centre(window, "#tolerance")
    xdotool("mousemove", x, y, "click", 1)
    xdotool("key", "ctrl+a")
    xdotool("type", "300")
    x, y = element_centre(window, "#loop")
    xdotool("mousemove", x, y, "click", 1)
    window.eval("(s => { s.value = 'partials'; s.dispatchEvent(new Event('change')); })"
                "(document.getElementById('play-mode')), true")
    assert window.eval(SETTINGS) == ["300", "partials", True]

    window.eval("window.pywebview.api.open_demo(), true")
    window.wait_for("window.soma.state().file.name === 'Demo recording' && "
                    "document.body.dataset.overviewKey === window.soma.state().overview.key",
                    timeout=60)
    window.screenshot("new-file-settings.png")
    assert window.eval(SETTINGS) == defaults


def test_playing_partials_without_partials_says_so(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    window.eval("document.getElementById('play-mode').value = 'partials', true")
    x, y = element_centre(window, "#play")
    xdotool("mousemove", x, y, "click", 1)
    message = window.wait_for("!document.getElementById('error').hidden && "
                              "document.getElementById('error-text').textContent", timeout=10)
    assert "no partials" in message, message
    assert window.eval("document.getElementById('play').textContent").endswith("Play")
    window.screenshot("play-no-partials.png")

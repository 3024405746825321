"""End to end: what the window holds for one file does not carry over to the next, and what
would play silence says so."""

import json

import numpy as np
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, element_centre, xdotool

SETTINGS = """[document.getElementById('tolerance').value,
  document.getElementById('play-mode').value, document.getElementById('loop').checked]"""


def _click(window, selector):
    xdotool("mousemove", *element_centre(window, selector), "click", 1)


def _type_tolerance(window, text):
    """Type `text` over the snap tolerance field, as a user does."""
    _click(window, "#tolerance")
    xdotool("key", "ctrl+a")
    xdotool("type", text)


def test_tolerance_play_mode_and_loop_start_afresh_with_another_file(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    defaults = window.eval(SETTINGS)
    assert defaults == ["100", "original", False]

    _type_tolerance(window, "300")
    _click(window, "#loop")
    window.eval(
        "(s => { s.value = 'partials'; s.dispatchEvent(new Event('change')); })"
        "(document.getElementById('play-mode')), true"
    )
    assert window.eval(SETTINGS) == ["300", "partials", True]

    window.eval("window.pywebview.api.open_demo(), true")
    window.wait_for(
        "window.soma.state().file.name === 'Demo recording' && "
        "document.body.dataset.overviewKey === window.soma.state().overview.key",
        timeout=60,
    )
    window.screenshot("new-file-settings.png")
    assert window.eval(SETTINGS) == defaults

    # Kept, the tolerance stays for the next file; the rest starts afresh as before.
    _type_tolerance(window, "40")
    _click(window, "#tolerance-keep")
    window.wait_for("document.getElementById('tolerance-keep').checked")
    window.eval(f"window.pywebview.api.open_path({json.dumps(str(tmp_path / 'tone.wav'))}), true")
    window.wait_for(
        "window.soma.state().file.name === 'tone.wav' && "
        "document.body.dataset.overviewKey === window.soma.state().overview.key",
        timeout=60,
    )
    assert window.eval(SETTINGS) == ["40", "original", False]


def test_playing_partials_without_partials_says_so(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    window.eval("document.getElementById('play-mode').value = 'partials', true")
    _click(window, "#play")
    message = window.wait_for(
        "!document.getElementById('error').hidden && "
        "document.getElementById('error-text').textContent",
        timeout=10,
    )
    assert "no partials" in message, message
    assert window.eval("document.getElementById('play').textContent").endswith("Play")
    window.screenshot("play-no-partials.png")


def test_the_log_opens_on_its_newest_line(gui, tmp_path):
    sr = 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr), sr)
    window = gui(tmp_path / "tone.wav")
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    for attempt in range(12):  # a warning each, more lines than the panel shows at once
        window.eval(f"window.pywebview.api.open_path('/no/such/file-{attempt}.wav'), true")
    window.wait_for(
        "[...document.getElementById('log-lines').children]"
        ".filter(line => line.textContent.includes('/no/such')).length === 12",
        timeout=30,
    )
    _click(window, "#log-toggle")
    window.wait_for("!document.getElementById('log').hidden", timeout=10)
    lines = window.eval("""(() => { const l = document.getElementById('log-lines');
      return {top: l.scrollTop, shown: l.clientHeight, all: l.scrollHeight}; })()""")
    window.screenshot("log-open.png")
    assert lines["all"] > lines["shown"], lines  # it does scroll
    assert lines["top"] + lines["shown"] >= lines["all"] - 1, lines  # at the newest line
    # The burst of warnings shows as the newest few toasts, which leave the message's close
    # button free.
    assert window.eval("document.getElementById('toasts').childElementCount") <= 3
    assert window.eval("""(() => { const b = document.getElementById('error-dismiss');
      const r = b.getBoundingClientRect();
      return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b; })()""")

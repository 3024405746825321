"""End to end, through the Display panel of the real window: the method and the colour map
chosen there change the picture (recomputed with the new method, recoloured in the new map),
the colour legend follows, and the settings are the document's."""

import numpy as np
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, element_centre, xdotool

# Pixels of the viewport canvas that are coloured (r + g + b > 60), and how many of those are
# grey (r, g and b within 2 of each other).
GREYNESS = """(() => {
  const c = document.getElementById('viewport-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let coloured = 0, grey = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] + d[i + 1] + d[i + 2] <= 60) continue;
    coloured += 1;
    if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) <= 2) grey += 1;
  }
  return {coloured, grey};
})()"""

# The legend's middle pixel, [r, g, b].
LEGEND_MIDDLE = """(() => {
  const c = document.getElementById('legend-canvas');
  const pixel = c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data;
  return Array.from(pixel).slice(0, 3);
})()"""


def _choose(window, select_id, value):
    """Pick `value` in the panel's select as the keyboard does: focus it, then the change."""
    x, y = element_centre(window, f"#{select_id}")
    xdotool("mousemove", x, y, "click", 1)  # opens the select's popup ...
    xdotool("key", "Escape")  # ... which the test does not need: the choice is set below
    window.eval(
        f"(() => {{ const s = document.getElementById('{select_id}'); s.value = '{value}';"
        " s.dispatchEvent(new Event('change')); return true; })()"
    )


def test_the_display_panel_changes_the_method_and_the_colours(gui, tmp_path):
    sr = 22050
    t = np.arange(6 * sr) / sr
    noise = 0.003 * np.random.default_rng(8).standard_normal(t.size)
    path = tmp_path / "chord.wav"
    sf.write(
        path, 0.2 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 660 * t) + noise, sr
    )
    window = gui(path)
    first = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    assert first["method"] == "cwt"  # auto: 6 s is a CWT
    assert window.eval("window.soma.state().display") == {
        "method": "auto",
        "windowMs": None,
        "hopMs": None,
        "q": 16,
        "colormap": "magma",
    }
    before = window.eval(GREYNESS)
    assert before["grey"] < 0.05 * before["coloured"]  # magma: purple to yellow
    magma_middle = window.eval(LEGEND_MIDDLE)
    # The overview is labelled in frequency too.
    assert "kHz" in window.eval("document.getElementById('overview-freq-axis').textContent")

    x, y = element_centre(window, "#display-panel summary")
    xdotool("mousemove", x, y, "click", 1)
    window.wait_for("document.getElementById('display-panel').open", timeout=10)
    window.wait_for("document.getElementById('display-method').value === 'auto'", timeout=10)

    # STFT: the view is computed again with it.
    _choose(window, "display-method", "stft")
    window.wait_for("window.soma.state().display.method === 'stft'", timeout=10)
    stft = window.wait_for(
        IMAGE_FOR_VIEW.replace("? {view", "&& s.viewport.method === 'stft' ? {view"), timeout=60
    )
    assert stft["key"] != first["key"] and stft["info"].startswith("View: STFT")

    # Grey: the pictures and the legend are recoloured, nothing recomputed.
    _choose(window, "display-colormap", "grey")
    window.wait_for("window.soma.state().display.colormap === 'grey'", timeout=10)
    window.wait_for(f"(g => g.coloured > 0 && g.grey === g.coloured)({GREYNESS})", timeout=10)
    middle = window.eval(LEGEND_MIDDLE)
    assert middle[0] == middle[1] == middle[2] and middle != magma_middle
    # Colours alone are not computed again.
    assert window.eval("window.soma.state().computing") == 0
    assert window.eval("window.soma.state().viewport.key") == stft["key"]
    assert not window.eval("window.soma.state().modified")  # a view setting, not an edit
    window.screenshot("display-panel.png")

    # A Q the wavelet cannot have is refused with one line; the field shows the Q in force.
    x, y = element_centre(window, "#display-q")
    xdotool("mousemove", x, y, "click", 1)
    xdotool("key", "ctrl+a")
    xdotool("type", "--", "500")
    xdotool("key", "Return")
    message = window.wait_for(
        "!document.getElementById('error').hidden && "
        "document.getElementById('error-text').textContent",
        timeout=10,
    )
    assert "Q must be between 3 and 100" in message and "\n" not in message
    window.wait_for("document.getElementById('display-q').value === '16'", timeout=10)

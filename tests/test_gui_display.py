"""End to end, through the Display panel of the real window: the method and the colour map
chosen there change the picture (recomputed with the new method, recoloured in the new map),
the colour legend follows, and the settings are the document's; a linear frequency axis
spaces the picture, the labels and the traces evenly in Hz."""

import numpy as np
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, drag, element_centre, plot_point, xdotool

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
        "frequencyScale": "log",
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


# Rows of the viewport canvas, from the top, where the middle column is brighter than both
# neighbours and than a quarter of the brightest: the partials' ridges.
RIDGE_ROWS = """(() => {
  const c = document.getElementById('viewport-canvas');
  const d = c.getContext('2d').getImageData(c.width >> 1, 0, 1, c.height).data;
  const bright = [];
  for (let i = 0; i < c.height; i++) bright.push(d[4 * i] + d[4 * i + 1] + d[4 * i + 2]);
  const top = Math.max(...bright);
  const rows = [];
  for (let i = 1; i < c.height - 1; i++) {
    const peak = bright[i] > bright[i - 1] && bright[i] >= bright[i + 1];
    if (peak && bright[i] > top / 4) rows.push(i);
  }
  return {rows, height: c.height};
})()"""

# The frequency axis' labelled ticks: [label, top px].
FREQ_LABELS = """Array.from(document.querySelectorAll('#freq-axis .tick:not(.minor)'))
  .map((t) => [t.textContent, parseFloat(t.style.top)])"""


def test_a_linear_frequency_axis_spaces_harmonics_labels_and_traces_evenly(gui, tmp_path):
    sr = 22050
    t = np.arange(4 * sr) / sr
    tone = sum(0.3 / k * np.sin(2 * np.pi * 500 * k * t) for k in range(1, 9))
    path = tmp_path / "harmonics.wav"
    sf.write(path, tone, sr)
    window = gui(path)
    log_image = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    log_rows = window.eval(RIDGE_ROWS)["rows"]
    assert len(log_rows) == 8  # on a log axis the harmonics crowd together at the top
    assert log_rows[1] - log_rows[0] < (log_rows[-1] - log_rows[-2]) / 4

    x, y = element_centre(window, "#display-panel summary")
    xdotool("mousemove", x, y, "click", 1)
    window.wait_for("document.getElementById('display-panel').open", timeout=10)
    _choose(window, "display-frequencyScale", "linear")
    window.wait_for("window.soma.state().display.frequencyScale === 'linear'", timeout=10)
    linear = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    assert linear["key"] != log_image["key"]
    assert window.eval("JSON.parse(document.body.dataset.view).scale") == "linear"

    # 500 Hz apart, 8 of them: evenly spaced rows, as far apart as 500 Hz is on the axis.
    ridges = window.eval(RIDGE_ROWS)
    rows = ridges["rows"]
    assert len(rows) == 8, rows
    view = linear["view"]
    spacing = 500 / (view["fmax"] - view["fmin"]) * ridges["height"]
    assert np.abs(np.diff(rows) - spacing).max() < 2.5, (rows, spacing)
    # The labels too: equal steps of Hz at equal heights.
    labels = window.wait_for(f"(l => l.length >= 5 ? l : null)({FREQ_LABELS})", timeout=10)
    assert all(text.endswith("kHz") for text, _ in labels[1:])
    gaps = np.diff([top for _, top in labels])
    assert np.abs(gaps - gaps[0]).max() < 0.5, labels

    # A stroke drawn near the third harmonic on the linear axis snaps onto it.
    xdotool("mousemove", *element_centre(window, "[data-mode=trace]"), "click", 1)
    window.wait_for("document.body.dataset.mode === 'trace'", timeout=10)
    drag([plot_point(window, 0.8 + 0.2 * i, 1530.0) for i in range(12)])
    window.wait_for("window.soma.state().partials.length === 1", timeout=60)
    frequencies = window.eval("window.soma.state().partials[0].points.map((p) => p[1])")
    assert abs(np.median(frequencies) - 1500) < 2, np.median(frequencies)
    # The readout reads the frequency under the mouse on the linear axis.
    xdotool("mousemove", *plot_point(window, 2.0, 3000.0))
    readout = window.wait_for(
        "(t => t.includes('Hz') ? t : null)(document.getElementById('readout').textContent)",
        timeout=10,
    )
    assert any(f"{f} Hz" in readout or f"{f / 1000:g} kHz" in readout for f in range(2990, 3011))
    window.screenshot("display-linear.png")

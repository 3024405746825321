"""End to end: the measurement panes (W, S, H) and Export… > Figure, in the real window."""

import math
import time
import xml.etree.ElementTree as ET

from gui_session import (
    IMAGE_FOR_VIEW,
    SAVE_DIALOG,
    choose_menu_option,
    element_centre,
    tone_project,
    wait_for_window,
    window_origin,
    xdotool,
)

FIGURE_OPTION = 9  # the option's place in the Export menu, after its "Export…" title
LABELS = "[...document.querySelectorAll('#slice-labels .peak-label')].map(e => e.textContent)"
HARMONICS = "[...document.querySelectorAll('#harmonics .harmonic')].map(e => e.textContent)"
# The waveform canvas' pixel colour at a height, as a fraction of the half height above
# its middle, in its middle column.
WAVE_PIXEL = """((fraction) => {{
  const c = document.getElementById('waveform-canvas');
  const y = Math.round(c.height / 2 * (1 - fraction));
  return [...c.getContext('2d').getImageData(Math.round(c.width / 2), y, 1, 1).data];
}})({})"""


def test_measurement_panes_follow_the_cursor_and_the_view(gui, tmp_path):
    window = gui(tone_project(tmp_path, 660.0))
    window.wait_for("window.soma.state() && window.soma.state().partials.length === 1", timeout=60)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)

    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y, "click", 1)  # the window has the keys
    xdotool("key", "w", "s", "h")
    window.wait_for(
        "['waveform-toggle', 'slice-toggle', 'harmonics-toggle'].every(id => "
        "document.getElementById(id).getAttribute('aria-pressed') === 'true')",
        timeout=10,
    )
    # The panes took their room: the spectrogram's image follows its new size.
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)

    # The mouse on the tone, at 220 Hz: the slice's peak is the tone's 660 Hz, E5, and
    # the harmonic cursor marks 2f, 3f (660 Hz) ... of 220 Hz.
    view = window.eval("JSON.parse(document.body.dataset.view)")
    left, top = window_origin()
    box = window.eval(
        "(r => [r.left, r.top, r.width, r.height])"
        "(document.querySelector('.plot').getBoundingClientRect())"
    )
    fraction = math.log(view["fmax"] / 220) / math.log(view["fmax"] / view["fmin"])
    x, y = left + round(box[0] + box[2] * 0.5), top + round(box[1] + box[3] * fraction)
    xdotool("mousemove", x, y)
    labels = window.wait_for(f"(l => l.length && l)({LABELS})", timeout=20)
    assert labels[0].startswith("660.0 Hz") and "E5" in labels[0], labels
    marks = window.wait_for(f"(m => m.length && m)({HARMONICS})", timeout=10)
    assert marks[:2] == ["2", "3"], marks

    # The waveform of the view: the tone's 0.3 peak is drawn at 0.2 of the half height,
    # nothing at 0.6; then it follows a zoom.
    window.wait_for("document.getElementById('waveform-canvas').dataset.span", timeout=20)
    background = window.eval(WAVE_PIXEL.format(0.6))
    assert window.eval(WAVE_PIXEL.format(0.2)) != background
    xdotool("key", "plus")
    window.wait_for(
        "(s => s[1] - s[0] < 3.9)(JSON.parse("
        "document.getElementById('waveform-canvas').dataset.span))",
        timeout=20,
    )
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    window.wait_for(f"(l => l.length && l)({LABELS})", timeout=20)
    window.screenshot("measure-panes.png")

    # H hides the harmonic cursor's marks, and the mouse brings none back; the slice stays.
    xdotool("key", "h")
    window.wait_for(f"{HARMONICS}.length === 0", timeout=10)
    xdotool("mousemove", x + 5, y)
    window.wait_for(f"(l => l.length && l)({LABELS})", timeout=20)
    assert window.eval(f"{HARMONICS}.length") == 0


def test_export_figure_asks_size_and_writes_the_svg(gui, tmp_path):
    window = gui(tone_project(tmp_path, 660.0))
    window.wait_for("window.soma.state() && window.soma.state().partials.length === 1", timeout=60)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)

    choose_menu_option(window, "#export", FIGURE_OPTION)
    window.wait_for("document.getElementById('figure').open", timeout=10)
    # A bad size is one line in the dialog, and nothing is asked.
    x, y = element_centre(window, "#figure-width")
    xdotool("mousemove", x, y, "click", 1)
    xdotool("key", "ctrl+a")
    xdotool("type", "50")
    xdotool("key", "Return")
    problem = window.wait_for("document.getElementById('figure-problem').textContent", timeout=10)
    assert problem == "Width must be a whole number of px from 200 to 8192"
    xdotool("key", "ctrl+a")
    xdotool("type", "900")
    window.screenshot("figure-dialog.png")
    xdotool("key", "Return")
    wait_for_window(SAVE_DIALOG)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "5", str(tmp_path / "figure"))
    xdotool("key", "Return")
    written = tmp_path / "figure.svg"
    deadline = time.monotonic() + 60
    while not (written.exists() and written.read_text().rstrip().endswith("</svg>")):
        assert time.monotonic() < deadline, f"{written} was not written"
        time.sleep(0.1)
    root = ET.parse(written).getroot()
    assert (root.get("width"), root.get("height")) == ("900", "700")
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {"time-axis", "frequency-axis", "legend", "partials"} <= ids

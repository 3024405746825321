"""End to end: track a region of the demo with the Track tool (a real drag), undo and redo it
from the keyboard, then find the harmonics of one traced partial."""

import json

from gui_session import drag, element_centre, window_origin, xdotool

# The demo's vibrato tone (app/files/demo.py): 220 Hz and its harmonics from 0.5 to 4.5 s. The
# rectangle holds its 2nd, 3rd and 4th harmonics (440, 660, 880 Hz) from 1 to 3.5 s.
REGION = {"start": 1.0, "end": 3.5, "fmin": 330.0, "fmax": 1000.0}
CORNERS = f"""(() => {{
  const v = JSON.parse(document.body.dataset.view);
  const r = document.querySelector('.plot').getBoundingClientRect();
  const g = {json.dumps(REGION)};
  const x = (t) => r.left + (t - v.start) / (v.end - v.start) * r.width;
  const y = (f) => r.top + (1 - Math.log(f / v.fmin) / Math.log(v.fmax / v.fmin)) * r.height;
  return [[x(g.start), y(g.fmax)], [x(g.end), y(g.fmin)]];
}})()"""
# The first partial's name and its middle point's position on the plot (px in the page).
ON_PARTIAL = """(() => {
  const v = JSON.parse(document.body.dataset.view);
  const r = document.querySelector('.plot').getBoundingClientRect();
  const p = window.soma.state().partials[0];
  const [t, f] = p.points[Math.floor(p.points.length / 2)];
  return [p.name, [r.left + (t - v.start) / (v.end - v.start) * r.width,
    r.top + (1 - Math.log(f / v.fmin) / Math.log(v.fmax / v.fmin)) * r.height]];
})()"""
READOUT = "document.getElementById('readout').textContent"
MEDIANS = """window.soma.state().partials.map(p => {
  const f = p.points.map(q => q[1]).filter(v => v !== null).sort((a, b) => a - b);
  return Math.round(f[Math.floor(f.length / 2)]); }).sort((a, b) => a - b)"""


def test_track_a_region_undo_redo_and_find_harmonics(gui):
    window = gui()  # the demo recording
    window.wait_for("document.body.dataset.viewportKey", timeout=90)
    x, y = element_centre(window, ".plot")
    xdotool("mousemove", x, y)
    xdotool("click", "1")  # the page takes the keys
    xdotool("key", "r")
    window.wait_for("document.body.dataset.mode === 'track'", timeout=10)

    left, top = window_origin()
    (x0, y0), (x1, y1) = ((left + round(a), top + round(b)) for a, b in window.eval(CORNERS))
    drag([(x0 + (x1 - x0) * k // 10, y0 + (y1 - y0) * k // 10) for k in range(11)], release=False)
    window.wait_for("document.getElementById('trace-canvas').dataset.stroking === 'track'")
    window.screenshot("track-dragging.png")
    xdotool("mouseup", "1")
    window.wait_for("window.soma.state().partials.length > 0", timeout=90)
    partials = window.eval("window.soma.state().partials")
    medians = window.eval(MEDIANS)
    assert [round(m / 220) for m in medians] == [2, 3, 4], medians
    for partial in partials:
        assert partial["source"]["method"] == "track"
        region = partial["source"]["region"]
        assert abs(region["start"] - REGION["start"]) < 0.05
        assert abs(region["fmax"] - REGION["fmax"]) < 20
    assert window.eval("window.soma.state().undo") == "Track"
    window.wait_for("document.body.dataset.viewportKey", timeout=30)
    window.screenshot("track-found.png")

    # One undo step takes them all away; redo brings them back (keys, the mouse held on a
    # partial: the status bar's readout names it, and forgets it with the undo).
    count = len(partials)
    name, (px, py) = window.eval(ON_PARTIAL)
    xdotool("mousemove", left + round(px), top + round(py))
    window.wait_for(f"{READOUT}.startsWith({json.dumps(name + '   ')})")
    xdotool("key", "ctrl+z")
    window.wait_for("window.soma.state().partials.length === 0")
    window.wait_for(f"/^\\d+:\\d\\d\\.\\d{{3}} /.test({READOUT})")
    assert not window.eval("window.soma.state().modified")  # back to the demo as opened
    xdotool("key", "ctrl+shift+z")
    window.wait_for(f"window.soma.state().partials.length === {count}")
    window.wait_for(f"{READOUT}.startsWith({json.dumps(name + '   ')})")
    assert window.eval("window.soma.state().modified")

    # The settings form, from the Partials… menu.
    window.eval(
        "(() => { const m = document.getElementById('track-menu'); m.value = 'settings';"
        " m.dispatchEvent(new Event('change')); })()"
    )
    window.wait_for("document.getElementById('track-settings').open")
    window.screenshot("track-settings.png")
    xdotool("key", "Escape")
    window.wait_for("!document.getElementById('track-settings').open")

    # Delete short or weak…, with limits no partial falls under: a note says so, no error.
    window.eval(
        "(() => { const m = document.getElementById('track-menu'); m.value = 'prune';"
        " m.dispatchEvent(new Event('change'));"
        " document.getElementById('prune-duration').value = '10';"
        " document.getElementById('prune-level').value = '-120'; })()"
    )
    window.wait_for("document.getElementById('prune-dialog').open")
    xdotool("mousemove", *element_centre(window, "#prune-apply"))
    xdotool("click", "1")
    window.wait_for(
        "document.getElementById('toasts').textContent.includes('No partial is shorter than 10 ms')"
    )
    assert window.eval("document.getElementById('error').hidden")
    assert window.eval("window.soma.state().partials.length") == count
    window.screenshot("track-nothing-to-delete.png")

    # The harmonics of the 440 Hz partial, taken as a fundamental: select it in the list, F.
    xdotool("mousemove", *element_centre(window, "#partials [data-partial-id='1'] .times"))
    xdotool("click", "1")
    window.wait_for("String(window.soma.state().selection) === '1'")
    xdotool("mousemove", x, y)
    xdotool("key", "f")
    window.wait_for("window.soma.state().partials.some(p => p.name === 'H2')", timeout=90)
    harmonics = window.eval(
        "window.soma.state().partials.filter(p => p.source.method === 'harmonics')"
        ".map(p => [p.name, p.source.harmonic, p.source.fundamental.id])"
    )
    assert harmonics[0] == ["H2", 2, 1]
    assert window.eval("window.soma.state().undo") == "Harmonics"
    h2 = window.eval(
        MEDIANS.replace(
            "window.soma.state().partials",
            "window.soma.state().partials.filter(p => p.name === 'H2')",
        )
    )
    assert abs(h2[0] - 880) < 20, h2
    window.screenshot("track-harmonics.png")

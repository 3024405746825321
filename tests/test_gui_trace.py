"""End to end: trace a partial of the demo with the mouse, undo, redo, save, reopen; extend
one from its end; drag its points."""

import math

from gui_session import (
    SAVE_DIALOG,
    drag,
    element_centre,
    plot_point,
    wait_for_window,
    window_origin,
    xdotool,
)

# The demo's vibrato tone: 220 Hz fundamental from 0.5 to 4.5 s (app/files/demo.py); its second
# partial sits near 440 Hz. The stroke is drawn 30 cents sharp, as a hand would.
STROKE = """(() => {
  const v = JSON.parse(document.body.dataset.view);
  const r = document.querySelector('.plot').getBoundingClientRect();
  const points = [];
  for (let t = 1.0; t <= 3.5; t += 0.125) {
    const f = 440 * Math.pow(2, 30 / 1200);
    points.push([r.left + (t - v.start) / (v.end - v.start) * r.width,
                 r.top + (1 - Math.log(f / v.fmin) / Math.log(v.fmax / v.fmin)) * r.height]);
  }
  return points;
})()"""

PARTIALS = "window.soma.state().partials.map(p => [p.name, p.points.length])"


def _stroke_points(window):
    """STROKE's points on the screen."""
    left, top = window_origin()
    return [(left + round(x), top + round(y)) for x, y in window.eval(STROKE)]


def _click(window, selector):
    x, y = element_centre(window, selector)
    xdotool("mousemove", x, y)
    xdotool("click", "1")


def test_trace_undo_redo_save_and_reopen(gui, tmp_path):
    window = gui()  # the demo recording
    window.wait_for("document.body.dataset.viewportKey", timeout=60)
    _click(window, "[data-mode=trace]")
    window.wait_for("document.body.dataset.mode === 'trace'", timeout=10)

    drag(_stroke_points(window))
    window.wait_for("window.soma.state().partials.length === 1", timeout=30)
    name, count = window.eval(PARTIALS)[0]
    assert name == "Partial 1" and count > 400  # 2.5 s at a 5 ms hop
    median_cents = window.eval("""(() => {
      const c = window.soma.state().partials[0].points.filter(p => p[1] !== null)
        .map(p => Math.abs(1200 * Math.log2(p[1] / 440))).sort((a, b) => a - b);
      return c[Math.floor(c.length / 2)]; })()""")
    assert median_cents < 45  # on the vibrato partial (±40 cents), not the 30-cent-sharp stroke
    assert "Partial 1" in window.eval("document.getElementById('partials').textContent")
    window.screenshot("trace-snapped.png")

    # Undo and redo from the keyboard (the plot takes focus when clicked).
    _click(window, "[data-mode=navigate]")
    _click(window, ".plot")
    xdotool("key", "ctrl+z")
    window.wait_for("window.soma.state().partials.length === 0")
    xdotool("key", "ctrl+shift+z")
    window.wait_for("window.soma.state().partials.length === 1")

    # Save through the real (Qt) file dialog: type the path, press Return.
    project = tmp_path / "traced.soma.json"
    _click(window, "#save")
    wait_for_window(SAVE_DIALOG)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "5", str(project))
    xdotool("key", "Return")
    window.wait_for("!window.soma.state().modified", timeout=20)
    assert project.exists() and (tmp_path / "traced.wav").exists()
    assert window.eval("window.soma.state().projectPath") == str(project)
    window.close()

    reopened = gui(str(project))
    reopened.wait_for(
        "window.soma.state() && window.soma.state().partials.length === 1", timeout=60
    )
    assert reopened.eval(PARTIALS) == [["Partial 1", count]]
    assert reopened.eval("window.soma.state().file.name") == "traced.wav"
    reopened.wait_for("document.body.dataset.viewportKey", timeout=60)
    reopened.screenshot("trace-reopened.png")


def test_extend_a_partial_from_its_end_then_drag_its_points(gui):
    window = gui()  # the demo recording
    window.wait_for("document.body.dataset.viewportKey", timeout=60)
    _click(window, "[data-mode=trace]")
    window.wait_for("document.body.dataset.mode === 'trace'", timeout=10)
    points = _stroke_points(window)
    half = len(points) // 2
    for stroke in (points[: half + 1], points[half:]):  # the second starts on the first's end
        drag(stroke)
        window.wait_for("window.soma.state().partials.length === 1", timeout=30)
    window.wait_for("window.soma.state().undo === 'Extend'", timeout=30)
    span = window.eval(
        "(p => [p.points[0][0], p.points[p.points.length - 1][0]])(window.soma.state().partials[0])"
    )
    assert abs(span[0] - 1.0) < 0.05 and abs(span[1] - 3.5) < 0.05, span
    window.screenshot("trace-extended.png")

    # Select, then press on the partial at 2.25 s and drag it 4 px up (about 80 cents at
    # this zoom): the stretch is snapped where it is left, back onto its ridge.
    xdotool("key", "m")
    window.wait_for("document.body.dataset.mode === 'select'", timeout=10)
    grab = window.eval(
        "(p => [p[0], p[1]])(window.soma.state().partials[0].points"
        ".find(q => q[0] >= 2.25 && q[1] !== null))"
    )
    x, y = plot_point(window, *grab)
    drag([(x, y - dy) for dy in range(5)], release=False)
    window.wait_for("document.getElementById('trace-canvas').dataset.stroking === 'move'")
    window.screenshot("trace-dragging.png")
    xdotool("mouseup", "1")
    window.wait_for("window.soma.state().undo === 'Move'", timeout=30)
    near = window.eval(
        "window.soma.state().partials[0].points"
        ".filter(p => Math.abs(p[0] - 2.25) < 0.1 && p[1] !== null).map(p => p[1])"
    )
    assert near and all(abs(1200 * math.log2(f / 440)) < 60 for f in near), near
    assert window.eval("window.soma.state().selection") == [1]

"""End to end: mark a region of the demo with the Select tool (a real drag), play it band-
limited, zoom to it, track it and select its partials from its bar, let it go with Esc; then
select a partial with a click in Navigate."""

import json

from gui_session import drag, element_centre, plot_point, xdotool

# The demo's vibrato tone (app/files/demo.py): 220 Hz and its harmonics from 0.5 to 4.5 s. The
# region holds its 2nd, 3rd and 4th harmonics (440, 660, 880 Hz) from 1 to 3.5 s.
REGION = {"start": 1.0, "end": 3.5, "fmin": 330.0, "fmax": 1000.0}


def _marked(window):
    return json.loads(window.eval("document.body.dataset.region || 'null'"))


def test_mark_play_zoom_track_and_let_go_of_a_region(gui):
    window = gui()  # the demo recording
    window.wait_for("document.body.dataset.viewportKey", timeout=90)
    xdotool("mousemove", *element_centre(window, ".plot"))
    xdotool("click", "1")  # the page takes the keys
    xdotool("key", "m")
    window.wait_for("document.body.dataset.mode === 'select'", timeout=10)

    (x0, y0), (x1, y1) = (
        plot_point(window, REGION["start"], REGION["fmax"]),
        plot_point(window, REGION["end"], REGION["fmin"]),
    )
    drag([(x0 + (x1 - x0) * k // 10, y0 + (y1 - y0) * k // 10) for k in range(11)], release=False)
    window.wait_for("document.getElementById('trace-canvas').dataset.stroking === 'select'")
    xdotool("mouseup", "1")
    window.wait_for("document.body.dataset.region", timeout=10)
    region = _marked(window)
    for key, value in REGION.items():
        assert abs(region[key] - value) < (0.05 if key in ("start", "end") else value * 0.03), (
            region
        )
    assert window.eval("!document.getElementById('region-bar').hidden")
    label = window.eval("document.getElementById('region-label').textContent")
    assert label.startswith("0:0") and label.endswith("Hz") and " \u00b7 " in label, label
    window.screenshot("region-marked.png")

    # Band only, then Play: the playhead runs within the region, and Space stops it.
    xdotool("mousemove", *element_centre(window, "#region-band"), "click", "1")
    window.wait_for("document.getElementById('region-band').checked")
    xdotool("mousemove", *element_centre(window, "#region-play"), "click", "1")
    window.wait_for(
        f"Number(document.body.dataset.playhead) > {region['start'] + 0.05}", timeout=30
    )
    playhead = float(window.eval("document.body.dataset.playhead"))
    assert region["start"] <= playhead <= region["end"], playhead
    xdotool("key", "space")
    window.wait_for("document.body.dataset.playhead === undefined", timeout=10)

    # Zoom: the view is the region.
    xdotool("mousemove", *element_centre(window, "#region-zoom"), "click", "1")
    window.wait_for(
        f"(v => Math.abs(v.start - {region['start']}) < 1e-6"
        f" && Math.abs(v.fmax - {region['fmax']}) < 1e-6)(JSON.parse(document.body.dataset.view))",
        timeout=10,
    )
    window.wait_for("document.body.dataset.viewportKey === window.soma.state().viewport.key")

    # Track: its partials arrive, made from the region, and the region stays for more.
    xdotool("mousemove", *element_centre(window, "#region-track"), "click", "1")
    window.wait_for("window.soma.state().partials.length >= 3", timeout=90)
    partials = window.eval("window.soma.state().partials")
    assert all(p["source"]["method"] == "track" for p in partials)
    assert abs(partials[0]["source"]["region"]["start"] - region["start"]) < 1e-6
    assert _marked(window) == region
    window.screenshot("region-tracked.png")

    # Select partials: those with a point in the region, here all three.
    xdotool("mousemove", *element_centre(window, "#region-select"), "click", "1")
    window.wait_for(f"window.soma.state().selection.length === {len(partials)}", timeout=10)

    # Esc lets the region go.
    xdotool("mousemove", *element_centre(window, ".plot"))
    xdotool("key", "Escape")
    window.wait_for("!document.body.dataset.region && document.getElementById('region-bar').hidden")

    # In Navigate, a click on a partial selects it.
    xdotool("key", "n")
    window.wait_for("document.body.dataset.mode === 'navigate'")
    target = window.eval(
        "(() => { const p = window.soma.state().partials[0];"
        " const q = p.points[Math.floor(p.points.length / 2)]; return [p.id, q[0], q[1]]; })()"
    )
    xdotool("mousemove", *plot_point(window, target[1], target[2]), "click", "1")
    window.wait_for(f"window.soma.state().selection.includes({target[0]})", timeout=10)

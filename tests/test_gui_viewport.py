"""End to end: wheel and drag over the real window move the view, and a CWT image follows."""

import json
import signal
import time

import numpy as np
import pytest
import soundfile as sf
from gui_session import IMAGE_FOR_VIEW, double_click, element_centre, xdotool
from live_processes import alive, descendants


def _view(window):
    return json.loads(window.eval("document.body.dataset.view"))


def test_wheel_zooms_and_drag_pans_with_a_cwt_image_for_each_view(gui, tmp_path):
    sr = 22050
    t = np.arange(12 * sr) / sr
    path = tmp_path / "partials.wav"
    sf.write(path, 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1760 * t), sr)
    window = gui(path)
    first = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    assert first["method"] == "cwt"  # 12 s is within the CWT's 30 s
    assert first["view"]["start"] == 0 and abs(first["view"]["end"] - 12) < 1e-9

    x, y = element_centre(window, "#viewport-canvas")
    xdotool("mousemove", x, y)
    for _ in range(4):
        xdotool("click", "4")  # wheel up: zoom in around the cursor
    # All four notches taken (each leaves 0.875 of the span here: 12 s -> 7.0 s; three
    # leave 8.0 s), so that the view does not move on under the checks below.
    window.wait_for(
        "JSON.parse(document.body.dataset.view).end - "
        "JSON.parse(document.body.dataset.view).start < 7.5"
    )
    zoomed = window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    span = zoomed["view"]["end"] - zoomed["view"]["start"]
    assert span < 8
    # Zoomed around the centre of the screen: the centre of the view stays near 6 s.
    assert abs((zoomed["view"]["start"] + zoomed["view"]["end"]) / 2 - 6) < 0.3
    assert zoomed["key"] != first["key"] and "CWT" in zoomed["info"]

    xdotool("mousedown", "1")
    for step in range(1, 11):
        xdotool("mousemove", x - 30 * step, y)
    xdotool("mouseup", "1")
    # The drag has ended (the page has taken the release) and its image is drawn.
    panned = window.wait_for(
        "!('dragging' in document.querySelector('.plot').dataset) && "
        + IMAGE_FOR_VIEW.replace(
            "? {view", f"&& s.viewport.view.start > {zoomed['view']['start'] + 0.1} ? {{view"
        ),
        timeout=60,
    )
    assert abs((panned["view"]["end"] - panned["view"]["start"]) - span) < 1e-6
    assert panned["view"]["start"] > zoomed["view"]["start"]  # dragged left: later in time
    window.screenshot("viewport-zoomed-panned.png")

    double_click()  # the whole file again
    whole = window.wait_for(
        IMAGE_FOR_VIEW.replace(
            "? {view", "&& s.viewport.view.end - s.viewport.view.start > 11.9 ? {view"
        ),
        timeout=60,
    )
    assert whole["view"]["start"] == 0


def _wait_gone(pids, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return left


@pytest.mark.parametrize("how", ["close", "ctrl-c"])
def test_closing_the_window_or_ctrl_c_ends_every_worker(gui, how):
    window = gui()  # the demo
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    processes = descendants(window.process.pid)
    assert processes, "a viewport worker (and the forkserver) should be running"
    if how == "close":
        assert window.close() == 0
    else:
        window.process.send_signal(signal.SIGINT)
        assert window.process.wait(15) == 0
    assert _wait_gone(processes) == []

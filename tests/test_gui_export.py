"""End to end: Export > Image writes the view as the window shows it, partials included,
through the real export menu and the real (Qt) save dialog."""

import math
import time

import numpy as np
from gui_session import (
    IMAGE_FOR_VIEW,
    SAVE_DIALOG,
    choose_menu_option,
    tone_project,
    wait_for_window,
    xdotool,
)
from PyQt6.QtGui import QImage

PNG_OPTION = 7  # the option's place in the Export menu, after its "Export…" title
PNG_END = b"IEND\xaeB`\x82"


def test_export_image_writes_the_view_with_its_partials(gui, tmp_path):
    window = gui(tone_project(tmp_path, 660.0))
    window.wait_for("window.soma.state() && window.soma.state().partials.length === 1", timeout=60)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)

    # The menu, then the save dialog: a name without .png gets it.
    choose_menu_option(window, "#export", PNG_OPTION)
    wait_for_window(SAVE_DIALOG)
    window.screenshot("export-save-dialog.png")  # the dialog offers the PNG filter
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "5", str(tmp_path / "view"))
    xdotool("key", "Return")
    written = tmp_path / "view.png"
    deadline = time.monotonic() + 20
    # The whole file: a PNG ends with its IEND chunk.
    while not (written.exists() and written.read_bytes().endswith(PNG_END)):
        assert time.monotonic() < deadline, f"{written} was not written"
        time.sleep(0.1)
    window.screenshot("export-image.png")

    picture = QImage(str(written))
    assert not picture.isNull()
    width, height = window.eval(
        "[document.getElementById('viewport-canvas').width, "
        "document.getElementById('viewport-canvas').height]"
    )
    assert (picture.width(), picture.height()) == (width, height)
    # The partial is drawn in its colour on its row: 660 Hz on the log-frequency axis.
    state = window.eval("window.soma.state()")
    view, color = state["view"], state["partials"][0]["color"]
    row = round(height * (1 - math.log(660 / view["fmin"]) / math.log(view["fmax"] / view["fmin"])))
    want = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
    column = width // 2
    nearest = min(
        np.abs(np.array(picture.pixelColor(column, y).getRgb()[:3]) - want).sum()
        for y in range(max(0, row - 4), min(height, row + 5))
    )
    assert nearest < 60, f"no pixel near {color} around row {row}"
    # And the spectrogram under it: the rest of the column is not one flat colour.
    assert len({picture.pixelColor(column, y).name() for y in range(0, height, 7)}) > 5

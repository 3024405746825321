"""End to end: Export > Image writes the view as the window shows it, partials included,
through the real export menu and the real (Qt) save dialog; Export > SDIF writes the partials
and Import… reads them back through the real open dialog."""

import math
import time

import numpy as np
from gui_session import (
    IMAGE_FOR_VIEW,
    OPEN_DIALOG,
    SAVE_DIALOG,
    choose_menu_option,
    element_centre,
    tone_project,
    wait_for_window,
    window_closed,
    xdotool,
)
from PyQt6.QtGui import QImage
from waiting import wait_until

from app.files.exchange import import_partials

SDIF_OPTION = 5  # the options' places in the Export menu, after its "Export…" title
PNG_OPTION = 8
PNG_END = b"IEND\xaeB`\x82"


def _export_menu(window, option: int) -> str:
    """Choose the Export menu's `option`; the save dialog's window id."""
    choose_menu_option(window, "#export", option)
    return wait_for_window(SAVE_DIALOG)


def _type_path(path) -> None:
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "5", str(path))
    xdotool("key", "Return")


def test_export_image_writes_the_view_with_its_partials(gui, tmp_path):
    window = gui(tone_project(tmp_path, 660.0))
    window.wait_for("window.soma.state() && window.soma.state().partials.length === 1", timeout=60)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)

    # SDIF out through the menu and the save dialog (a name without .sdif gets it), and back
    # in through Import… and the open dialog: the same partial, added as the second.
    dialog = _export_menu(window, SDIF_OPTION)
    window.screenshot("export-sdif-dialog.png")  # the dialog offers the SDIF filter
    _type_path(tmp_path / "partials")
    window_closed(dialog)
    sdif = tmp_path / "partials.sdif"
    wait_until(sdif.exists, timeout=20)  # written whole: renamed into place
    (exported,) = import_partials(sdif)
    original = window.eval("window.soma.state().partials[0]")
    x, y = element_centre(window, "#import")
    xdotool("mousemove", x, y, "click", 1)
    dialog = wait_for_window(OPEN_DIALOG)
    _type_path(sdif)
    window_closed(dialog)
    window.wait_for("window.soma.state().partials.length === 2", timeout=30)
    window.screenshot("import-sdif.png")
    imported = window.eval("window.soma.state().partials[1]")
    assert imported["id"] == 2 and imported["source"] == {"imported": "sdif", "file": sdif.name}
    # The page's points, decoded from what the bridge sent: the file's, the original's to 1e-9 dB.
    points = np.array(imported["points"], dtype=np.float64)
    np.testing.assert_array_equal(points, exported.points)
    np.testing.assert_allclose(points, np.array(original["points"]), rtol=0, atol=1e-9)

    # The menu, then the save dialog: a name without .png gets it.
    _export_menu(window, PNG_OPTION)
    window.screenshot("export-save-dialog.png")  # the dialog offers the PNG filter
    _type_path(tmp_path / "view")
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
    # The partials are drawn in their colours on their row: 660 Hz on the log-frequency axis.
    state = window.eval("window.soma.state()")
    # The imported copy lies over the original, drawn last: its colour shows.
    view, color = state["view"], state["partials"][-1]["color"]
    row = round(height * (1 - math.log(660 / view["fmin"]) / math.log(view["fmax"] / view["fmin"])))
    want = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
    column = width // 2
    nearest = min(
        np.abs(np.array(picture.pixelColor(column, y).getRgb()[:3]) - want).sum()
        for y in range(max(0, row - 4), min(height, row + 5))
    )
    assert nearest < 60, f"no pixel near {color} around row {row}"
    # And the spectrogram under it: the rest of the column is not one flat colour (a clean
    # tone over the Auto levels' 80 dB: black, and the tone's skirts in a few colours).
    assert len({picture.pixelColor(column, y).name() for y in range(0, height, 7)}) > 3

"""Figures: `soma render --figure` end to end (a real process), and the figure's rules."""

import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from gui_session import tone_project
from PyQt6.QtGui import QImage

from app.document.partials import Partial
from app.document.state import Levels, View
from app.files.figure import (
    FigureError,
    FigureSize,
    figure_svg,
    format_time,
    frequency_ticks,
    time_ticks,
)
from app.files.project import load_project

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def soma(*args):
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """tone.soma.json over a 660 Hz tone of 4 s, one partial on it from 0.5 s to 3.5 s."""
    return tone_project(tmp_path_factory.mktemp("figure"), 660.0)


def test_svg_figure_has_axes_legend_and_the_project_partials(project, tmp_path):
    out = tmp_path / "figure.svg"
    result = soma(
        "render", project.with_name("tone.wav"), "--figure", "--project", project,
        "-o", out, "--width", 900, "--height", 500, "--fmin", 100, "--fmax", 4000,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()
    assert (root.get("width"), root.get("height")) == ("900", "500")
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    time_labels = [t.text for t in groups["time-axis"].iter(f"{SVG}text")]
    assert "0:01.000" in time_labels and "Time (m:ss)" in time_labels
    frequency_labels = [t.text for t in groups["frequency-axis"].iter(f"{SVG}text")]
    assert {"100 Hz", "1 kHz", "Frequency"} <= set(frequency_labels)
    legend = [t.text for t in groups["legend"].iter(f"{SVG}text")]
    assert "dBFS" in legend and len(legend) > 3
    assert {i.get("id") for i in root.iter(f"{SVG}image")} == {"spectrogram", "legend-bar"}
    # The partial in its colour, on the 660 Hz row of the plot, from 0.5 s to 3.5 s.
    (line,) = groups["partials"].iter(f"{SVG}polyline")
    assert line.get("stroke") == load_project(project).partials[0].color
    points = np.array([p.split(",") for p in line.get("points").split()], float)
    plot_x, plot_y, plot_w, plot_h = FigureSize(900, 500).plot
    row = plot_y + math.log(4000 / 660) / math.log(4000 / 100) * plot_h
    assert np.allclose(points[:, 1], row, atol=0.01)
    assert points[0, 0] == pytest.approx(plot_x + plot_w * 0.5 / 4, abs=0.5)
    assert points[-1, 0] == pytest.approx(plot_x + plot_w * 3.5 / 4, abs=0.5)


def test_png_figure_has_the_size_and_resolution_asked_for(project, tmp_path):
    out = tmp_path / "figure.png"
    result = soma(
        "render", project.with_name("tone.wav"), "--figure", "--project", project,
        "-o", out, "--width", 640, "--height", 400, "--scale", 2,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    picture = QImage(str(out))
    assert (picture.width(), picture.height()) == (1280, 800)
    # White margins, a dark spectrogram inside them, and the partial's colour on its row.
    assert picture.pixelColor(4, 4).name() == "#ffffff"
    x, y, w, h = (2 * v for v in FigureSize(640, 400).plot)
    assert picture.pixelColor(x + w // 10, y + h // 10).lightness() < 60
    row = y + round(math.log(11025 / 660) / math.log(11025 / 20) * h)
    colour = load_project(project).partials[0].color
    assert any(picture.pixelColor(x + w // 2, r).name() == colour for r in range(row - 3, row + 4))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--figure", "-o", "f.jpg"], "a figure must end in .svg or .png, not 'f.jpg'"),
        (["--figure", "-o", "f.svg", "--width", 50], "width must be 200 to 8192 px"),
        (["--figure", "-o", "f.png", "--scale", 9], "resolution must be 1x to 4x"),
        (["-o", "f.png", "--project", "p.soma.json"], "--project draws partials on a figure"),
    ],
)
def test_figure_errors_are_one_line(project, tmp_path, args, message):
    result = soma("render", project.with_name("tone.wav"), *args)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_ticks_and_labels_follow_the_page():
    view = View(0.0, 4.0, 20.0, 20000.0)
    assert [t for t, _ in time_ticks(view, 800)] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    assert format_time(61.25, 0.5) == "1:01.250" and format_time(120, 10) == "2:00"
    assert frequency_ticks(view, 400) == [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    # A narrow view is nearly linear: evenly spaced ticks.
    assert frequency_ticks(View(0, 1, 400, 500), 400)[:3] == [400, 410, 420]
    # A linear axis: evenly spaced, at least 24 px apart.
    assert frequency_ticks(view, 400, scale="linear") == [2000.0 * k for k in range(1, 11)]


def test_a_linear_figure_draws_partials_and_ticks_at_their_linear_heights():
    size = FigureSize(400, 300)
    _, y0, _, h = size.plot
    partial = Partial(1, "", "#ff0000", np.array([[0.2, 250.0, -20.0], [0.8, 250.0, -20.0]]))
    svg = figure_svg(
        np.zeros((4, 4), np.uint8), View(0, 1, 100, 1000), Levels(-80, 0), [partial], size, "linear"
    )
    middle = y0 + h * (1000 - 250) / 900  # 250 Hz is a sixth of the way up
    assert f",{middle:.2f} " in svg
    tick = y0 + h * (1000 - 500) / 900
    assert f'y1="{tick:.2f}"' in svg and ">500 Hz<" in svg
    with pytest.raises(FigureError, match="frequency axis"):
        figure_svg(np.zeros((3, 3), np.uint8), View(0, 1, 20, 100), Levels(-80, 0), (), size, "mel")


def test_bad_figure_arguments_raise_figure_error():
    size = FigureSize(400, 300)
    with pytest.raises(FigureError, match="2-D uint8"):
        figure_svg(np.zeros((3, 3)), View(0, 1, 20, 100), Levels(-80, 0), (), size)
    with pytest.raises(FigureError, match="view must span"):
        figure_svg(np.zeros((3, 3), np.uint8), View(1, 1, 20, 100), Levels(-80, 0), (), size)
    with pytest.raises(FigureError, match="height must be"):
        FigureSize(400, 10_000)

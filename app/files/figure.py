"""Figures of a view: the spectrogram with its axes, labels, a dBFS colour legend and the
partials, as SVG text written here, or as PNG rendered from that SVG by Qt (QtSvg).

One figure for the window's Export… > Figure and for `soma render --figure`. The SVG keeps to
what QtSvg draws (SVG Tiny 1.2: no clip paths, no CSS), so that the PNG is the SVG; partials
are therefore cut to the view here, not clipped by the renderer. The spectrogram and the
legend are embedded PNG images. The axis ticks follow the page's rules (web/axes.js) in a
simpler form: 1-2-5 steps, m:ss.mmm times, Hz and kHz; the frequency axis is log or linear as
the picture's rows are (workers.rows).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from app.base.errors import SomaError
from app.document.partials import Partial
from app.document.state import Levels, View
from app.files.png import colormap, png_bytes, spectrogram_rgb
from workers.rows import DEFAULT_SCALE, SCALES

MIN_SIDE, MAX_SIDE = 200, 8192  # a figure's width and height, px
MAX_SCALE = 4  # PNG pixels per figure px: 4 x 8192 is as large as Qt paints
FONT = "DejaVu Sans, sans-serif"
FONT_PX = 12
INK = "#202020"  # text and axes, on white: a figure goes on a page
# Room around the plot for the labels (px): frequency labels left, the legend right.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 74, 96, 28, 46
LEGEND_BAR = 14  # the legend's colour bar, px wide
LEGEND_TICK_SPACING = 36  # px at least between the legend's labels
MAX_POINTS_PER_PX = 2  # partial points kept per pixel column of the plot


class FigureError(SomaError):
    """A figure cannot be made as asked (its size, its view)."""


@dataclass(frozen=True)
class FigureSize:
    """A figure's size in px (the SVG's user units) and, for a PNG, its pixels per px."""

    width: int
    height: int
    scale: int = 1

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if not (isinstance(value, int) and MIN_SIDE <= value <= MAX_SIDE):
                raise FigureError(f"the figure's {name} must be {MIN_SIDE} to {MAX_SIDE} px")
        if not (isinstance(self.scale, int) and 1 <= self.scale <= MAX_SCALE):
            raise FigureError(f"the figure's resolution must be 1x to {MAX_SCALE}x")

    @property
    def plot(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the spectrogram inside the figure, px."""
        return (
            MARGIN_LEFT,
            MARGIN_TOP,
            self.width - MARGIN_LEFT - MARGIN_RIGHT,
            self.height - MARGIN_TOP - MARGIN_BOTTOM,
        )


def figure_svg(
    levels: np.ndarray,
    view: View,
    colour_levels: Levels,
    partials: Sequence[Partial],
    size: FigureSize,
    frequency_scale: str = DEFAULT_SCALE,
) -> str:
    """The figure as SVG text.

    Parameters
    ----------
    levels : uint8 (rows, columns), row 0 = view.fmin, rows evenly spaced on
        `frequency_scale` to view.fmax: the spectrogram quantised over `colour_levels`
        (byte 0 = floor, 255 = ceiling); drawn stretched over the plot, so best computed at
        the plot's size times `size.scale`.
    view : the seconds and Hz shown.
    colour_levels : the dBFS range of the colours, for the legend.
    partials : drawn in their colours over the spectrogram, cut to the view; gaps (NaN
        frequency) stay gaps.
    frequency_scale : 'log' or 'linear' (workers.rows.SCALES): the frequency axis.
    """
    levels = np.asarray(levels)
    if levels.dtype != np.uint8 or levels.ndim != 2 or 0 in levels.shape:
        raise FigureError(f"the spectrogram must be a 2-D uint8 image, not {levels.shape}")
    if not (view.end > view.start and view.fmax > view.fmin > 0):
        raise FigureError("the view must span some time and some frequencies above 0 Hz")
    if frequency_scale not in SCALES:
        raise FigureError(f"the frequency axis must be one of {', '.join(SCALES)}")
    axis = _FrequencyAxis(view, size.plot, frequency_scale)
    x, y, w, h = size.plot
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.2" baseProfile="tiny" width="{size.width}" height="{size.height}" '
        f'viewBox="0 0 {size.width} {size.height}">',
        f'<rect width="{size.width}" height="{size.height}" fill="#ffffff"/>',
        _image("spectrogram", x, y, w, h, spectrogram_rgb(levels)),
        _partials(partials, axis),
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="{INK}"/>',
        _time_axis(view, size.plot),
        _frequency_axis(axis),
        _legend(colour_levels, size.plot),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def svg_to_png(svg: str, size: FigureSize) -> bytes:
    """PNG bytes of `svg` (a figure_svg) at size.width x size.height x size.scale pixels,
    painted by QtSvg. Makes an offscreen Qt application when the process has none (the
    command line); in the window's process, any thread may paint an image."""
    from PyQt6.QtCore import QBuffer, QByteArray, QIODevice
    from PyQt6.QtGui import QGuiApplication, QImage, QPainter
    from PyQt6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        _offscreen_app.append(QGuiApplication(["soma", "-platform", "offscreen"]))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise FigureError("Qt could not read the figure's SVG")
    image = QImage(size.width * size.scale, size.height * size.scale, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
    finally:
        painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise FigureError("Qt could not encode the figure as PNG")
    return bytes(buffer.data())


_offscreen_app: list = []  # the command line's Qt application, kept alive while it paints


def _image(name: str, x: float, y: float, w: float, h: float, rgb: np.ndarray) -> str:
    data = base64.b64encode(png_bytes(rgb)).decode("ascii")
    return (
        f'<image id="{name}" x="{x}" y="{y}" width="{w}" height="{h}" '
        f'preserveAspectRatio="none" xlink:href="data:image/png;base64,{data}"/>'
    )


def _text(x: float, y: float, label: str, anchor: str = "middle", **attributes: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attributes.items())
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-family="{FONT}" '
        f'font-size="{FONT_PX}" fill="{INK}"{extra}>{escape(label)}</text>'
    )


@dataclass(frozen=True)
class _FrequencyAxis:
    """The plot (x, y, width, height px) of `view` on a frequency axis of `scale`: where
    frequencies lie on it, fmax at its top and fmin at its bottom."""

    view: View
    plot: tuple[int, int, int, int]
    scale: str

    def y(self, f):
        """px from the figure's top of `f` (Hz, a float or an array)."""
        _, y0, _, h = self.plot
        fmin, fmax = self.view.fmin, self.view.fmax
        if self.scale == "linear":
            return y0 + (fmax - f) / (fmax - fmin) * h
        return y0 + np.log(fmax / f) / math.log(fmax / fmin) * h


def _partials(partials: Sequence[Partial], axis: _FrequencyAxis) -> str:
    view = axis.view
    x0, _, w, _ = axis.plot
    lines = []
    for partial in partials:
        t, f = partial.points[:, 0], partial.points[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            inside = (t >= view.start) & (t <= view.end) & (f >= view.fmin) & (f <= view.fmax)
            xs = x0 + (t - view.start) / (view.end - view.start) * w
            ys = axis.y(f)
        for run in _runs(inside):
            keep = run[:: max(1, math.ceil(len(run) / max(1, MAX_POINTS_PER_PX * w)))]
            if len(keep) < 2:
                continue
            points = " ".join(f"{xs[i]:.2f},{ys[i]:.2f}" for i in keep)
            lines.append(
                f'<polyline class="partial" data-partial-id="{partial.id}" '
                f'points="{points}" fill="none" stroke={quoteattr(partial.color)} '
                'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    return '<g id="partials">' + "".join(lines) + "</g>"


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the runs of True in a bool (n,) mask."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [np.arange(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def nice_step(minimum: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at least `minimum` (> 0)."""
    k = math.floor(math.log10(minimum))
    for decade in (k, k + 1):
        for m in (1, 2, 5):
            if m * 10.0**decade >= minimum * (1 - 1e-12):
                return m * 10.0**decade
    return 10.0 ** (k + 2)


def format_time(seconds: float, step: float) -> str:
    """m:ss.mmm (m:ss when the ticks are a second or more apart), as the page labels time."""
    whole = step >= 1
    total_ms = round(abs(seconds) * (1 if whole else 1000)) * (1000 if whole else 1)
    minutes, ms = divmod(total_ms, 60_000)
    sign = "-" if seconds < 0 and total_ms else ""
    text = f"{sign}{minutes}:{ms // 1000:02d}"
    return text if whole else f"{text}.{ms % 1000:03d}"


def format_hz(frequency: float) -> str:
    """'440 Hz', '1.5 kHz': whole Hz from 10 Hz, three digits below, as the page's formatHz."""
    r = float(f"{frequency:.3g}") if frequency < 10 else round(frequency)
    return f"{r:g} Hz" if r < 1000 else f"{round(r / 1000, 3):g} kHz"


def time_ticks(view: View, width: float, spacing: float = 90) -> list[tuple[float, str]]:
    """(seconds, label) of the time axis' ticks, at least `spacing` px apart."""
    step = nice_step(spacing * (view.end - view.start) / width)
    first = math.ceil(view.start / step - 1e-9)
    ticks = []
    for i in range(first, first + 1000):
        t = i * step
        if t > view.end + step * 1e-9:
            break
        ticks.append((t, format_time(t, step)))
    return ticks


def frequency_ticks(
    view: View, height: float, spacing: float = 24, scale: str = DEFAULT_SCALE
) -> list[float]:
    """Frequencies (Hz) of the frequency axis' labelled ticks, at least `spacing` px apart.
    On a log axis 1-2-5 x 10^k, else 1 x 10^k, else evenly spaced (a narrow, nearly linear
    view); on a linear one, evenly spaced."""
    if scale == "linear":
        step = nice_step(max(1.0, spacing * (view.fmax - view.fmin) / height))
        return _multiples(view, step)
    per_decade = height / math.log10(view.fmax / view.fmin)
    decades = range(math.floor(math.log10(view.fmin)), math.ceil(math.log10(view.fmax)) + 1)
    mantissas = (1, 2, 5) if per_decade * math.log10(2) >= spacing else (1,)
    logarithmic = [
        m * 10.0**k
        for k in decades
        for m in mantissas
        if view.fmin * (1 - 1e-9) <= m * 10.0**k <= view.fmax * (1 + 1e-9)
    ]
    # Evenly spaced: the top pair is the closest on a log axis.
    step = nice_step(
        max(1.0, view.fmax * -math.expm1(-spacing * math.log(view.fmax / view.fmin) / height))
    )
    linear = _multiples(view, step)
    return linear if len(linear) > len(logarithmic) else logarithmic


def _multiples(view: View, step: float) -> list[float]:
    """The multiples of `step` (Hz) within the view's frequencies."""
    return [i * step for i in range(math.ceil(view.fmin / step), math.floor(view.fmax / step) + 1)]


def _time_axis(view: View, plot) -> str:
    x0, y0, w, h = plot
    bottom = y0 + h
    items = []
    for t, label in time_ticks(view, w):
        x = x0 + (t - view.start) / (view.end - view.start) * w
        items.append(
            f'<line x1="{x:.2f}" y1="{bottom}" x2="{x:.2f}" y2="{bottom + 5}" stroke="{INK}"/>'
        )
        items.append(_text(x, bottom + 18, label))
    items.append(_text(x0 + w / 2, bottom + 38, "Time (m:ss)"))
    return '<g id="time-axis">' + "".join(items) + "</g>"


def _frequency_axis(axis: _FrequencyAxis) -> str:
    x0, y0, _, h = axis.plot
    items = []
    for f in frequency_ticks(axis.view, h, scale=axis.scale):
        y = axis.y(f)
        items.append(f'<line x1="{x0 - 5}" y1="{y:.2f}" x2="{x0}" y2="{y:.2f}" stroke="{INK}"/>')
        items.append(_text(x0 - 8, y + 4, format_hz(f), anchor="end"))
    middle = y0 + h / 2
    items.append(_text(16, middle, "Frequency", transform=f"rotate(-90 16 {middle:.2f})"))
    return '<g id="frequency-axis">' + "".join(items) + "</g>"


def _legend(colour_levels: Levels, plot) -> str:
    """The colour bar beside the plot, the ceiling at the top, labelled in dBFS."""
    x0, y0, w, h = plot
    left = x0 + w + 14
    bar = colormap()[::-1][:, np.newaxis, :]  # (256, 1, 3), the ceiling's colour on top
    floor, ceiling = colour_levels.floor, colour_levels.ceiling
    items = [
        _image("legend-bar", left, y0, LEGEND_BAR, h, bar),
        f'<rect x="{left}" y="{y0}" width="{LEGEND_BAR}" height="{h}" fill="none" stroke="{INK}"/>',
    ]
    step = nice_step(max(1e-9, LEGEND_TICK_SPACING * (ceiling - floor) / h))
    for i in range(math.ceil(floor / step - 1e-9), math.floor(ceiling / step + 1e-9) + 1):
        db = i * step
        y = y0 + (ceiling - db) / (ceiling - floor) * h
        right = left + LEGEND_BAR
        items.append(
            f'<line x1="{right}" y1="{y:.2f}" x2="{right + 4}" y2="{y:.2f}" stroke="{INK}"/>'
        )
        items.append(_text(right + 7, y + 4, f"{db:g}", anchor="start"))
    items.append(_text(left + LEGEND_BAR / 2, y0 - 9, "dBFS"))
    return '<g id="legend">' + "".join(items) + "</g>"

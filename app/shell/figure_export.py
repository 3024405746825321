"""Export… > Figure: the document's view as an SVG or PNG figure (app.files.figure), its
spectrogram computed in the export queue's worker at the figure's own plot size and
resolution, not stretched from the screen's image."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.compute.background import BackgroundQueue, JobCancelled, JobFailed
from app.compute.shared_audio import AudioShare
from app.document.state import DocumentState, Levels
from app.files.figure import FigureSize, figure_svg, svg_to_png
from app.shell.validate import ArgumentError
from workers.jobs import ViewportJob

FIGURE_FORMATS = ("svg", "png")


def export_figure(
    state: DocumentState,
    exports: BackgroundQueue,
    share: AudioShare,
    fmt: str,
    size: FigureSize,
    path: str,
) -> bool:
    """Write the figure of `state`'s view, levels and partials (no selection: a figure shows
    every partial alike) to `path` as `fmt` ('svg' or 'png'). False if the user cancelled the
    spectrogram's computation; ArgumentError when it failed or the file cannot be written."""
    view, display = state.view, state.display
    levels = state.levels or Levels(state.overview.db_min, state.overview.db_max)
    _, _, plot_width, plot_height = size.plot
    try:
        ref = share.ref_for(state.audio)
    except LookupError as error:
        raise ArgumentError(str(error)) from None
    width, height = plot_width * size.scale, plot_height * size.scale
    try:
        result = exports.run(
            lambda request_id: ViewportJob(
                request_id=request_id,
                audio=ref,
                start=view.start,
                end=view.end,
                fmin=view.fmin,
                fmax=view.fmax,
                width=width,
                height=height,
                db_min=levels.floor,
                db_max=levels.ceiling,
                method=display.method,
                q=display.q,
                window=None if display.window_ms is None else display.window_ms / 1000.0,
                hop=None if display.hop_ms is None else display.hop_ms / 1000.0,
                scale=display.frequency_scale,
            ),
            f"Figure {Path(path).name}",
            "rows",
        )
    except JobFailed as error:
        raise ArgumentError(f"the figure was not written: {error}") from None
    except JobCancelled:
        return False
    # The payload's first height * width bytes are the levels; an edge-cone mask may follow
    # (workers.imaging.image_payload), which a figure does not draw.
    spectrogram = np.frombuffer(result["payload"], np.uint8, count=height * width)
    spectrogram = spectrogram.reshape(height, width)
    svg = figure_svg(spectrogram, view, levels, state.partials, size, display.frequency_scale)
    try:
        if fmt == "svg":
            Path(path).write_text(svg, encoding="utf-8")
        else:
            Path(path).write_bytes(svg_to_png(svg, size))
    except OSError as error:
        raise ArgumentError(f"cannot write {Path(path).name}: {error.strerror or error}") from None
    return True

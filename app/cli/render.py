"""`soma render AUDIO -o OUT`: what the viewport would show, without a window."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import scipy.fft

from app.cli.common import UsageError, command_parser, decode
from app.document.state import Levels, View
from app.files.persistence import project_levels
from app.files.project import load_project
from app.progress.tasks import ProgressManager
from workers.spectrum import DEFAULT_SCALE, DEFAULT_WAVELET, SCALES, render


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma render", "Render a spectrogram as the viewport would show it.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.png (coloured picture, edge cones hatched) or OUT.npy (float32 dBFS, "
        "shape (height, width), row 0 = fmin, NaN in the edge cones); with --figure OUT.svg "
        "or OUT.png",
    )
    parser.add_argument(
        "--figure",
        action="store_true",
        help="a figure: the spectrogram with axes, labels, a dBFS colour legend and the "
        "partials of --project; --width and --height are the figure's size in px",
    )
    parser.add_argument("--project", help="a .soma.json project whose partials and levels to draw")
    parser.add_argument(
        "--scale", type=int, default=1, help="a figure PNG's pixels per px, 1 to 4 (default 1)"
    )
    parser.add_argument("--start", type=float, default=0.0, help="seconds (default 0)")
    parser.add_argument("--end", type=float, help="seconds (default: end of file)")
    parser.add_argument("--fmin", type=float, default=20.0, help="Hz (default 20)")
    parser.add_argument("--fmax", type=float, help="Hz (default: Nyquist)")
    parser.add_argument("--width", type=int, default=1200, help="columns (default 1200)")
    parser.add_argument("--height", type=int, default=256, help="rows (default 256)")
    parser.add_argument(
        "--method",
        choices=("auto", "stft", "cwt"),
        default="auto",
        help="auto: CWT for 30 s or less, STFT above",
    )
    parser.add_argument(
        "--frequency-scale",
        choices=SCALES,
        default=DEFAULT_SCALE,
        help="how the rows are spaced: log (the default: equal ratios, equal heights) or "
        "linear (equal Hz, equal heights)",
    )
    parser.add_argument(
        "--wavelet",
        default=DEFAULT_WAVELET,
        help="the CWT's wavelet: morlet (Soma's own, the default) or one of "
        "PyWavelets' complex wavelets cmorB-C, shanB-C, fbspM-B-C, cgauP, "
        "for example cmor1.5-1.0",
    )
    return parser


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    from app.files.png import spectrogram_rgb, write_png
    from workers.imaging import auto_levels, display_range, quantise

    output = Path(args.output)
    if args.figure:
        return _figure(args, output, progress)
    if args.project is not None:
        raise UsageError("--project draws partials on a figure: add --figure")
    if output.suffix.lower() not in (".png", ".npy"):
        raise UsageError(f"output must end in .png or .npy, not '{output.name}'")
    audio = decode(args.audio, progress)
    db = _render(args, audio, args.width, args.height, progress, mark_edges=True)
    try:
        if output.suffix.lower() == ".npy":
            np.save(output, db.astype(np.float32, copy=False))
        else:
            # Coloured over the Auto levels, as the window first shows a file.
            levels = quantise(db, *auto_levels(db, *display_range(db)))
            write_png(output, spectrogram_rgb(levels, np.isnan(db)))
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror or error}") from None
    print(output)


def _render(
    args: argparse.Namespace, audio, width: int, height: int, progress, mark_edges: bool = False
) -> np.ndarray:
    """float32 dBFS (height, width) of the view the arguments ask for (workers.spectrum); NaN in
    the edge cones with `mark_edges` (a figure draws them as they are)."""
    with (
        progress.task(f"Rendering {width}\u00d7{height}"),
        scipy.fft.set_workers(os.cpu_count() or 1),
    ):
        return render(
            audio.samples,
            audio.sample_rate,
            start=args.start,
            end=audio.duration if args.end is None else args.end,
            fmin=args.fmin,
            fmax=audio.sample_rate / 2 if args.fmax is None else args.fmax,
            width=width,
            height=height,
            method=args.method,
            wavelet=args.wavelet,
            mark_edges=mark_edges,
            scale=args.frequency_scale,
        )


def _figure(args: argparse.Namespace, output: Path, progress: ProgressManager) -> None:
    """`--figure`: the view as an SVG or PNG figure, with the project's partials and levels."""
    from app.files.figure import FigureError, FigureSize, figure_svg, svg_to_png
    from workers.imaging import display_range, quantise

    kind = output.suffix.lower()
    if kind not in (".svg", ".png"):
        raise UsageError(f"a figure must end in .svg or .png, not '{output.name}'")
    try:
        size = FigureSize(args.width, args.height, args.scale)
    except FigureError as error:
        raise UsageError(str(error)) from None
    project = load_project(args.project) if args.project is not None else None
    audio = decode(args.audio, progress)
    _, _, plot_width, plot_height = size.plot
    db = _render(args, audio, plot_width * size.scale, plot_height * size.scale, progress)
    levels = project_levels(project) or Levels(*display_range(db))
    view = View(
        args.start,
        audio.duration if args.end is None else args.end,
        args.fmin,
        audio.sample_rate / 2 if args.fmax is None else args.fmax,
    )
    svg = figure_svg(
        quantise(db, levels.floor, levels.ceiling),
        view,
        levels,
        project.partials if project is not None else (),
        size,
        args.frequency_scale,
    )
    try:
        if kind == ".svg":
            output.write_text(svg, encoding="utf-8")
        else:
            output.write_bytes(svg_to_png(svg, size))
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror or error}") from None
    print(output)

"""`soma render AUDIO -o OUT`: what the viewport would show, without a window."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import scipy.fft

from app.cli.common import UsageError, command_parser
from app.files.audio import load_audio
from app.progress.tasks import ProgressManager
from workers.spectrum import DEFAULT_WAVELET, render


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma render", "Render a spectrogram as the viewport would show it.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.png (coloured picture, edge cones hatched) or OUT.npy (float32 dBFS, "
        "shape (height, width), row 0 = fmin, NaN in the edge cones)",
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
    if output.suffix.lower() not in (".png", ".npy"):
        raise UsageError(f"output must end in .png or .npy, not '{output.name}'")
    with progress.task(f"Decoding {Path(args.audio).name}"):
        audio = load_audio(args.audio, quiet=True)
    with (
        progress.task(f"Rendering {args.width}\u00d7{args.height}"),
        scipy.fft.set_workers(os.cpu_count() or 1),
    ):
        db = render(
            audio.samples,
            audio.sample_rate,
            start=args.start,
            end=audio.duration if args.end is None else args.end,
            fmin=args.fmin,
            fmax=audio.sample_rate / 2 if args.fmax is None else args.fmax,
            width=args.width,
            height=args.height,
            method=args.method,
            wavelet=args.wavelet,
            mark_edges=True,
        )
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

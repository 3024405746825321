"""`soma track AUDIO -o OUT`: every partial of a sound, tracked automatically and written in
an exchange format."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import scipy.fft

from app.cli.common import UsageError, command_parser
from app.files.exchange import FORMATS, export_partials
from app.files.tracking import as_partials, track_file
from app.progress.tasks import ProgressManager
from workers.track import TrackSettings

# Output formats by extension, when -f is not given.
_BY_SUFFIX = {".csv": "csv", ".json": "json", ".txt": "spear-partials"}


def parser() -> argparse.ArgumentParser:
    defaults = TrackSettings()
    parser = command_parser("soma track", "Track every partial of a sound automatically.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: by OUT's extension: .csv, .json, .txt = spear-partials)",
    )
    parser.add_argument("--start", type=float, default=0.0, help="seconds (default 0)")
    parser.add_argument("--end", type=float, help="seconds (default: the end of the file)")
    parser.add_argument(
        "--fmin", type=float, default=defaults.fmin, help=f"Hz (default {defaults.fmin:g})"
    )
    parser.add_argument("--fmax", type=float, help="Hz (default: the Nyquist frequency)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=defaults.threshold_db,
        help=f"dB above the local noise floor (default {defaults.threshold_db:g})",
    )
    parser.add_argument(
        "--min-duration",
        type=float,
        default=defaults.min_duration,
        help=f"shortest partial kept, seconds (default {defaults.min_duration:g})",
    )
    parser.add_argument("--max-partials", type=int, help="keep the strongest N partials")
    return parser


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise UsageError(
            f"cannot tell the format of '{Path(args.output).name}'; give -f "
            f"({', '.join(FORMATS)}) or end it in {', '.join(_BY_SUFFIX)}"
        )
    return _BY_SUFFIX[suffix]


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    fmt = _output_format(args)
    settings = TrackSettings(
        threshold_db=args.threshold,
        min_duration=args.min_duration,
        max_partials=args.max_partials,
        fmin=args.fmin,
        fmax=args.fmax,
    )
    with (
        progress.task(f"Tracking {Path(args.audio).name}", unit="spans") as task,
        scipy.fft.set_workers(os.cpu_count() or 1),
    ):
        tracks = track_file(
            args.audio,
            settings,
            start=args.start,
            end=args.end,
            report=lambda done, total: task.update(done, total=total),
            quiet=True,
        )
    if not tracks:
        print(f"soma track: no partials found in '{Path(args.audio).name}'", file=sys.stderr)
    export_partials(as_partials(tracks, Path(args.audio).name), args.output, fmt)
    print(args.output)

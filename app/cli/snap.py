"""`soma snap AUDIO --trace GUIDE -o OUT`: a drawn guide snapped onto the spectral ridge."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app.cli.common import UsageError, command_parser, decode, read_trace
from app.document.partials import points_to_json
from app.progress.tasks import ProgressManager
from workers.snap import snap_trace


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma snap", "Snap a guide (a rough trace) onto the spectral ridge.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "--trace",
        required=True,
        help='GUIDE.json ({"points": [[t, f], ...]}) or GUIDE.csv (header time,frequency)',
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help='OUT.json ({"points": [[t, f, amp_db], ...]}) or OUT.csv '
        "(header time,frequency,amplitude_db); points in the noise "
        "have no frequency and amplitude (null / empty)",
    )
    parser.add_argument("--hop", type=float, default=0.005, help="seconds between points")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=100.0,
        help="cents either side of the guide to search (default 100)",
    )
    return parser


def _write_points(path: Path, points: np.ndarray) -> None:
    rows = points_to_json(points)
    if path.suffix.lower() == ".json":
        body = json.dumps({"points": rows}, allow_nan=False) + "\n"
    else:
        body = "time,frequency,amplitude_db\n" + "".join(
            ",".join("" if v is None else repr(v) for v in row) + "\n" for row in rows
        )
    try:
        path.write_text(body)
    except OSError as error:
        raise UsageError(f"cannot write '{path}': {error.strerror or error}") from None


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    output = Path(args.output)
    if output.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"output must end in .json or .csv, not '{output.name}'")
    guide = read_trace(Path(args.trace))
    audio = decode(args.audio, progress)
    with progress.task("Snapping", unit="steps") as task:
        points = snap_trace(
            audio.samples,
            audio.sample_rate,
            guide,
            hop=args.hop,
            tolerance_cents=args.tolerance,
            report=lambda done, total: task.update(done, total=total),
        )
    _write_points(output, points)
    print(output)

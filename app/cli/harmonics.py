"""`soma harmonics AUDIO --trace F0 -o OUT`: harmonics 2..N traced from a traced fundamental.

OUT holds the harmonics only (the fundamental is the input), as partials named H2, H3, ...
with the harmonic number as id, in the exchange format its name asks for.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import command_parser, output_format, read_trace
from app.document.partials import Partial, default_color, frozen_points
from app.files.audio import load_audio
from app.files.exchange import FORMATS, export_partials
from app.progress.tasks import ProgressManager
from workers.harmonics import find_harmonics


def parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "soma harmonics", "Trace the harmonics of a traced fundamental (partial 1)."
    )
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "--trace",
        required=True,
        help="the fundamental: a `soma snap` output, or a guide, .json or .csv "
        "(points in the noise, null or empty, are skipped)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="harmonics 2..N, named H2, H3, ...: OUT.csv, OUT.json, OUT.txt (SPEAR partials) "
        "or OUT-frames.txt (SPEAR frames)",
    )
    parser.add_argument("-f", "--format", choices=FORMATS, help="instead of OUT's extension")
    parser.add_argument(
        "--count", type=_count, help="the highest harmonic number (default: until the noise)"
    )
    parser.add_argument("--fmax", type=float, help="no harmonics above this, Hz")
    return parser


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{value}'") from None
    if count < 2:
        raise argparse.ArgumentTypeError(f"must be 2 or more, not {count}")
    return count


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    output = Path(args.output)
    fmt = output_format(output, args.format)
    trace = read_trace(Path(args.trace))
    with progress.task(f"Decoding {Path(args.audio).name}"):
        audio = load_audio(args.audio, quiet=True)
    with progress.task("Finding harmonics", unit="harmonics") as task:
        found = find_harmonics(
            audio.samples,
            audio.sample_rate,
            trace,
            count=args.count,
            fmax=args.fmax,
            report=lambda done, total: task.update(done, total=total),
        )
    partials = [
        Partial(n, f"H{n}", default_color(n), frozen_points(points))
        for n, points in zip(found.numbers, found.partials, strict=True)
    ]
    export_partials(partials, output, fmt)
    print(output)
    numbers = ", ".join(map(str, found.numbers)) or "none"
    print(f"harmonics {numbers}; inharmonicity B = {found.inharmonicity:.3g}")

"""`soma batch INPUT... -o OUTDIR`: the same analysis over many files, on Dask (app/batch/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.batch.analysis import CHUNK_SECONDS, BatchSettings
from app.batch.index import OK
from app.batch.inputs import collect_inputs
from app.batch.runner import run_batch
from app.cli.common import UsageError, command_parser
from app.cli.track_options import add_track_arguments, track_settings
from app.files.exchange import FORMATS
from app.progress.tasks import ProgressManager


def parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "soma batch", "Analyse many audio files: overviews, partials, and an index of them."
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder")
    parser.add_argument(
        "--render", action="store_true", help="each file's overview as PNG and .npy"
    )
    parser.add_argument(
        "--track", action="store_true", help="each file's partials (settings as soma track)"
    )
    parser.add_argument(
        "-f",
        "--format",
        default="csv",
        metavar="FORMAT[,FORMAT]",
        help=f"partial formats for --track, of {', '.join(FORMATS)} (default csv)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, tcp://HOST:PORT (default: "
        "a local cluster); its workers must see INPUTs and OUTDIR at the same paths",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: one per core)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="skip files whose outputs are done and current"
    )
    parser.add_argument(
        "--chunk-seconds",
        type=float,
        default=CHUNK_SECONDS,
        help=f"longer files are analysed in chunks this long (default {CHUNK_SECONDS:g})",
    )
    add_track_arguments(parser)
    return parser


def settings_from(args: argparse.Namespace) -> BatchSettings:
    """The run's settings; UsageError for options that do not go together."""
    if not (args.render or args.track):
        raise UsageError("nothing to do: give --render, --track or both")
    formats = tuple(dict.fromkeys(part.strip() for part in args.format.split(",")))
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format '{unknown[0]}'; choose from {', '.join(FORMATS)}")
    if args.workers is not None and (args.scheduler or args.workers < 1):
        raise UsageError(
            "--workers is for the local cluster only"
            if args.scheduler
            else f"--workers must be 1 or more, not {args.workers}"
        )
    if not args.chunk_seconds > 0:
        raise UsageError(f"--chunk-seconds must be above 0, not {args.chunk_seconds:g}")
    return BatchSettings(
        render=args.render,
        track=track_settings(args) if args.track else None,
        formats=formats if args.track else (),
        chunk_seconds=args.chunk_seconds,
    )


def print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    settings = settings_from(args)
    outdir = Path(args.output)
    files = collect_inputs(args.inputs, outdir)
    rows = run_batch(
        files,
        outdir.absolute(),
        settings,
        progress,
        scheduler=args.scheduler,
        workers=args.workers,
        resume=args.resume,
        announce=(lambda line: None) if args.quiet else print_to_stderr,
    )
    failures = sum(row.status != OK for row in rows)
    print(f"{outdir / 'index.csv'}: {len(rows) - failures} ok, {failures} failed")

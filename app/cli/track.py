"""`soma track AUDIO -o OUT`: every partial of a sound, tracked automatically and written in
an exchange format."""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from app.cli.common import command_parser, output_format
from app.cli.track_options import add_track_arguments, track_settings
from app.compute import processes
from app.files.exchange import FORMATS, export_partials
from app.files.tracking import as_partials, track_file
from app.progress.tasks import ProgressManager
from workers.lifeline import end_with


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma track", "Track every partial of a sound automatically.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: by OUT's ending: .csv, .json, .sdif, .txt = spear-partials)",
    )
    parser.add_argument("--start", type=float, default=0.0, help="seconds (default 0)")
    parser.add_argument("--end", type=float, help="seconds (default: the end of the file)")
    add_track_arguments(parser)
    return parser


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    fmt = output_format(args.output, args.format)
    settings = track_settings(args)
    # The spans' peaks, most of the work, on every core in worker processes (the peak stage
    # holds the GIL too much for threads: two ran 1.2x faster than one); the linking here.
    # The workers end with this process however it ends (workers.lifeline) and ignore Ctrl-C
    # (workers.forkserver_setup), which this process handles (app.__main__).
    with (
        progress.task(f"Tracking {Path(args.audio).name}", unit="spans") as task,
        ProcessPoolExecutor(
            os.cpu_count() or 1,
            mp_context=processes.context(),
            initializer=end_with,
            initargs=(os.getpid(),),
        ) as pool,
    ):
        try:
            tracks = track_file(
                args.audio,
                settings,
                start=args.start,
                end=args.end,
                report=lambda done, total: task.update(done, total=total),
                quiet=True,
                executor=pool,
            )
        except KeyboardInterrupt:
            # Not waiting for the workers: the pool's own shutdown, cut short by Ctrl-C while
            # it was starting a worker, sent one worker too few the word to stop and waited
            # for it for ever (Python 3.11). They end with this process (workers.lifeline).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if not tracks:
        print(f"soma track: no partials found in '{Path(args.audio).name}'", file=sys.stderr)
    export_partials(as_partials(tracks, Path(args.audio).name), args.output, fmt)
    print(args.output)

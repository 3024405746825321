"""The `soma` command.

    soma [FILE]                  open the window (on the demo recording without FILE)
    soma render AUDIO -o OUT     render what the viewport would show, without a window
    soma snap AUDIO --trace GUIDE -o OUT   snap a drawn guide onto the spectral ridge
    soma harmonics AUDIO --trace F0 -o OUT [--count N]   harmonics 2..N of a traced partial
    soma export PROJECT -f FORMAT -o OUT   write a project's partials as CSV, JSON, SPEAR or SDIF
    soma convert IN -o OUT [-f FORMAT]     partials from one exchange format to another
    soma synth INPUT -o OUT.wav|OUT.flac   additive resynthesis of a project's partials
    soma track AUDIO -o OUT      track every partial of a sound automatically (any export format)
    soma batch INPUT... -o OUTDIR [--render] [--track]   many files on Dask, with an index

On a terminal the work shows as progress bars on stderr; through a pipe, or with --quiet,
only results (stdout) and errors (stderr) are printed.

Errors a user can act on (a bad file, a bad argument) are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from app.base.errors import SomaError, error_line
from app.base.formats import is_project_path
from app.cli.common import Parser
from app.files.audio import probe_audio
from app.files.project import load_project
from app.progress.logs import configure as configure_logging
from app.progress.tasks import ProgressManager
from app.progress.text import TextRenderer, logs_above_bars
from workers.allocator import keep_batch_buffers

EXIT_USAGE = 2


def _open_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="soma", description="Look closely at sound and trace its partials.")
    parser.add_argument(
        "file", nargs="?", help="audio file or .soma.json project to open (default: the demo)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="restart when Soma's own source changes, keeping the state (docs/dev-mode.md)",
    )
    return parser


# Each command is a module app.cli.<name> with parser() and run(args, progress), imported
# only when run: the commands together imported Dask and the tracker (with scipy.optimize
# and numba then), 1.2 s of every command's start when measured, and each needs a part.
COMMANDS = ("render", "snap", "harmonics", "export", "convert", "synth", "track", "batch")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Bad input is a SomaError: each reader turns what the file system, the decoders and the
    # parsers raise into its own subclass naming the file. Any other error is a bug, and its
    # traceback is wanted.
    try:
        if argv and argv[0] in COMMANDS:
            command = importlib.import_module(f"app.cli.{argv[0]}")
            args = command.parser().parse_args(argv[1:])
            keep_batch_buffers()  # the window's process sets it in run_window
            progress = ProgressManager()
            with TextRenderer(progress, quiet=args.quiet) as renderer, logs_above_bars(renderer):
                command.run(args, progress)
            return 0
        args = _open_parser().parse_args(argv)
        configure_logging(args.verbose)
        project_path = audio_path = None
        if args.file and is_project_path(args.file):
            project_path = str(Path(args.file).resolve())
            load_project(project_path)  # a bad project is reported here, before any window
        elif args.file:
            # A bad file is one line here, before any window; the window decodes it.
            probe_audio(args.file, quiet=True)
            audio_path = args.file
    except SomaError as error:
        print(f"soma: error: {error_line(error)}", file=sys.stderr)
        return EXIT_USAGE

    if args.dev:
        from app.dev.supervisor import run_dev

        return run_dev(argv)
    from app.shell.window import run_window  # Qt loads only when a window is wanted

    return run_window(audio_path, project_path)

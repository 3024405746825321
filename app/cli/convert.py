"""`soma convert IN -o OUT [-f FORMAT]`: partials from one exchange format to another."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.base.formats import is_project_path
from app.cli.common import UsageError, command_parser, output_format
from app.files.exchange import FORMATS, export_partials, import_partials
from app.files.project import load_project
from app.progress.tasks import ProgressManager

# The format an output file's extension names; .txt could be either SPEAR format.


def parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "soma convert", "Convert partials between CSV, JSON, SPEAR and SDIF files."
    )
    parser.add_argument("input", help="partials in any exchange format, or a .soma.json project")
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    parser.add_argument(
        "-f", "--format", choices=FORMATS, help="the output's format (default: by its extension)"
    )
    return parser


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    fmt = output_format(args.output, args.format)
    with progress.task(f"Reading {Path(args.input).name}"):
        if is_project_path(args.input):
            project = load_project(args.input)
            partials = project.partials
            source_name = Path(project.audio_path).name if project.audio_path else None
        else:
            partials = import_partials(args.input)
            source_name = Path(args.input).name
    if not partials:
        raise UsageError(f"'{Path(args.input).name}' has no partials to convert")
    with progress.task(f"Writing {len(partials)} partials"):
        export_partials(partials, args.output, fmt, source_name=source_name)
    print(args.output)

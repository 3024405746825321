"""`soma export PROJECT -f FORMAT -o OUT`: a project's partials in an exchange format."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import UsageError, command_parser
from app.files.exchange import FORMATS, export_partials
from app.files.project import load_project
from app.progress.tasks import ProgressManager


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma export", "Write a project's partials.")
    parser.add_argument("project", help="a .soma.json project")
    parser.add_argument("-f", "--format", required=True, choices=FORMATS)
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    return parser


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    project = load_project(args.project)
    if not project.partials:
        raise UsageError(f"'{Path(args.project).name}' has no partials to export")
    with progress.task(f"Exporting {len(project.partials)} partials"):
        source_name = Path(project.audio_path).name if project.audio_path else None
        export_partials(project.partials, args.output, args.format, source_name=source_name)
    print(args.output)

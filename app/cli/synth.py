"""`soma synth INPUT -o OUT`: additive resynthesis of a project's or a snap's partials."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile as sf

from app.base.errors import error_line
from app.base.files import read_limited
from app.base.formats import is_project_path
from app.base.jsontext import parse_json
from app.cli.common import UsageError, command_parser, sample_rate_argument
from app.document.partials import points_from_json
from app.files.exchange import import_partials
from app.files.project import load_project
from app.progress.tasks import ProgressManager
from workers.synth import synthesize


def parser() -> argparse.ArgumentParser:
    parser = command_parser("soma synth", "Additive resynthesis of traced partials.")
    parser.add_argument(
        "input", help="a .soma.json project, or a `soma snap` output (.json or .csv)"
    )
    parser.add_argument("-o", "--output", required=True, help="OUT.wav or OUT.flac")
    parser.add_argument(
        "--rate",
        type=sample_rate_argument,
        help="sample rate in Hz (default: the project's audio file's, else 44100)",
    )
    return parser


def _synth_input(path: Path) -> tuple[list[np.ndarray], int | None]:
    """The partials' points in a project or a snap output, and the audio's rate if known."""
    if is_project_path(path.name):
        project = load_project(path)
        rate = None
        if project.audio_path and Path(project.audio_path).is_file():  # not a FIFO: no wait
            try:
                rate = sf.info(project.audio_path).samplerate
            except (OSError, sf.SoundFileError) as error:
                raise UsageError(
                    f"cannot read the audio of '{path.name}': {error_line(error)}"
                ) from None
        return [p.points for p in project.partials], rate
    if path.suffix.lower() == ".json":
        try:
            data = parse_json(read_limited(path).decode("utf-8"))
        except OSError as error:
            raise UsageError(f"cannot read '{path.name}': {error.strerror or error}") from None
        except ValueError as error:
            raise UsageError(f"cannot read '{path.name}': {error_line(error)}") from None
        if isinstance(data, dict) and "points" in data:  # a `soma snap` output
            try:
                points = points_from_json(data["points"])
            except (TypeError, ValueError) as error:
                raise UsageError(f"'{path.name}' has malformed points: {error}") from None
            return [points], None
    # CSV (the snap output's columns are a subset of the exchange format's), JSON, SPEAR.
    return [p.points for p in import_partials(path)], None


def run(args: argparse.Namespace, progress: ProgressManager) -> None:
    output = Path(args.output)
    formats = {".wav": ("WAV", "FLOAT"), ".flac": ("FLAC", "PCM_24")}
    if output.suffix.lower() not in formats:
        raise UsageError(f"output must end in .wav or .flac, not '{output.name}'")
    partials, rate = _synth_input(Path(args.input))
    if not partials:
        raise UsageError(f"'{Path(args.input).name}' has no partials to synthesise")
    rate = args.rate or rate or 44_100  # args.rate is never 0: sample_rate_argument refuses it
    with progress.task(f"Synthesising {len(partials)} partials at {rate} Hz"):
        samples = synthesize(partials, rate)
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 1.0:  # many loud partials add up: scale rather than clip
        samples = samples / np.float32(peak)
    file_format, subtype = formats[output.suffix.lower()]
    try:
        sf.write(output, samples, rate, format=file_format, subtype=subtype)
    except (OSError, RuntimeError) as error:
        raise UsageError(f"cannot write '{output}': {error}") from None
    print(output)

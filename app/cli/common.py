"""What every `soma` command shares: the one-line usage error and the parser that raises it,
and the decode of an audio argument."""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

from app.base.errors import SomaError, error_line
from app.base.files import read_limited
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from app.base.jsontext import parse_json
from app.document.audio_file import AudioFile
from app.files.audio import load_audio
from app.files.exchange import FORMATS, format_for_path
from app.progress.tasks import ProgressManager


class UsageError(SomaError):
    """A command line Soma cannot carry out; str() is the one line printed."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the whole usage; one line is enough
        raise UsageError(message)


def command_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = Parser(prog=prog, description=description)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars, only results and errors"
    )
    return parser


def sample_rate_argument(value: str) -> int:
    """--rate: a whole number of Hz that synthesize accepts (0 is not 'the default')."""
    try:
        rate = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of Hz, not '{value}'") from None
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise argparse.ArgumentTypeError(
            f"must be from {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz, not {rate}"
        )
    return rate


def decode(path: str, progress: ProgressManager) -> AudioFile:
    """The audio file at `path`, decoded once (one float32 array, 4 bytes a frame: an hour
    at 44.1 kHz is 635 MB) with a bar in seconds of audio decoded."""
    with progress.task(f"Decoding {Path(path).name}", unit="s") as task:

        def on_block(decoded: int, frames: int, sample_rate: int) -> None:
            task.update(round(decoded / sample_rate, 1), total=round(frames / sample_rate, 1))

        return load_audio(path, quiet=True, on_block=on_block)


def read_trace(path: Path) -> np.ndarray:
    """A trace file's points as float64 (m, 2) [time s, frequency Hz], NaN where null.

    GUIDE.json is {"points": [[t, f], ...]} and GUIDE.csv has the header time,frequency; a
    `soma snap` output (a third column, amplitude_db, ignored; null or empty where in the noise)
    reads too. Raises UsageError naming the file.
    """
    try:
        data = read_limited(path)
    except OSError as error:
        raise UsageError(f"cannot read '{path}': {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
        if path.suffix.lower() == ".json":
            points = parse_json(text)["points"]
        elif path.suffix.lower() == ".csv":
            rows = list(csv.reader(line for line in text.splitlines() if line.strip()))
            if not rows or [c.strip().lower() for c in rows[0][:2]] != ["time", "frequency"]:
                raise ValueError("the first line must be the header time,frequency")
            points = [[float(r[0]), _cell(r[1])] for r in rows[1:]]
        else:
            raise UsageError(f"the trace must be a .json or .csv file, not '{path.name}'")
        return np.array(
            [[float(p[0]), math.nan if p[1] is None else float(p[1])] for p in points],
            dtype=np.float64,
        ).reshape(-1, 2)
    except UsageError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError) as error:
        raise UsageError(f"'{path.name}' is not a guide: {error_line(error)}") from None


def _cell(text: str) -> float | None:
    """A CSV number; an empty cell (a point in the noise) is None."""
    return None if not text.strip() else float(text)


def output_format(output: str | Path, given: str | None) -> str:
    """The exchange format to write OUTPUT in: -f's value, else what its name asks for
    (`app.files.exchange.format_for_path`)."""
    fmt = given or format_for_path(output)
    if fmt is None:
        raise UsageError(
            f"cannot tell the format of '{Path(output).name}' from its name; end it in .csv, "
            f".json, .sdif or .txt, or give -f {{{','.join(FORMATS)}}}"
        )
    return fmt

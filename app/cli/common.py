"""What every `soma` command shares: the one-line usage error and the parser that raises it,
and the decode of an audio argument."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from app.document.audio_file import AudioFile
from app.files.audio import load_audio
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

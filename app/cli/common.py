"""What every `soma` command shares: the one-line usage error and the parser that raises it."""

from __future__ import annotations

import argparse

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE


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

"""The INPUTs of `soma batch` as a sorted list of files, and where each file's outputs go."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from app.base.errors import SomaError, printable
from app.base.formats import AUDIO_SUFFIXES

_GLOB_MAGIC = frozenset("*?[")


class BatchError(SomaError):
    """A batch that cannot start (no input, an OUTDIR that cannot be made...); one line."""


def collect_inputs(inputs: list[str], outdir: Path) -> list[Path]:
    """The files `inputs` name, absolute, sorted, each once.

    Each input is a file (kept whatever its name, even when missing or not audio: its error
    becomes its index row), a folder (searched recursively for names ending in one of
    AUDIO_SUFFIXES, any case) or a glob (`**` recursive), which searches as a folder does:
    the audio files it matches, and those of the folders it matches. Files under `outdir`
    are left out: a run writes there.

    Raises BatchError for a glob that matches nothing and when no file is left at all.
    """
    found: set[Path] = set()
    for text in inputs:
        if _GLOB_MAGIC & set(text) and not os.path.lexists(text):
            matches = glob.glob(text, recursive=True)
            if not matches:
                raise BatchError(f"'{printable(text)}' matches no file")
            for match in map(Path, matches):
                found.update(_files_of(match) if match.is_dir() else _audio([match]))
        else:
            found.update(_files_of(Path(text)))
    outdir = Path(os.path.abspath(outdir))
    files = sorted(path for path in found if not path.is_relative_to(outdir))
    if not files:
        raise BatchError(f"no audio file in {' '.join(printable(text) for text in inputs)}")
    return files


def _files_of(path: Path) -> list[Path]:
    """A folder's audio files (recursively), or the file itself, absolute."""
    if path.is_dir():
        return _audio(Path(folder) / name for folder, _, names in os.walk(path) for name in names)
    return [Path(os.path.abspath(path))]


def _audio(paths) -> list[Path]:
    return [Path(os.path.abspath(p)) for p in paths if p.suffix.lower() in AUDIO_SUFFIXES]


def common_root(files: list[Path]) -> Path:
    """The deepest folder holding every one of `files` (absolute): outputs mirror the files'
    paths below it, so two 'take1.wav' in different folders never share an output."""
    return Path(os.path.commonpath([path.parent for path in files]))

"""The small rules Soma's files and values share: the project suffix, the sample rates Soma
handles, the colour of a partial."""

from __future__ import annotations

import os
import re

PROJECT_SUFFIX = ".soma.json"

MIN_SAMPLE_RATE = 1_000  # Hz
MAX_SAMPLE_RATE = 768_000  # Hz: the highest rate any file Soma opens can have

# What a folder given to `soma batch` is searched for (any case); a file named on the command
# line is tried whatever its name, since the decoder reads the content, not the name.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".aif", ".aiff", ".aifc", ".mp3"}
    | {".au", ".snd", ".caf", ".w64", ".rf64"}
)

COLOR = re.compile(r"#[0-9a-fA-F]{6}")  # '#rrggbb', matched with fullmatch


def is_project_path(path) -> bool:
    """Whether `path` names a Soma project: it ends in PROJECT_SUFFIX, in any case (a save
    dialog, or a file system that ignores case, may hand back '.SOMA.JSON')."""
    return os.fspath(path).lower().endswith(PROJECT_SUFFIX)


def without_project_suffix(name: str) -> str:
    """`name` without PROJECT_SUFFIX (in any case), or as it is."""
    return name[: -len(PROJECT_SUFFIX)] if is_project_path(name) else name


def is_color(value) -> bool:
    """Whether `value` is a colour as Soma writes one: '#rrggbb'."""
    return isinstance(value, str) and COLOR.fullmatch(value) is not None

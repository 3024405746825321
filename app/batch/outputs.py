"""The outputs of one input file and the rule of --resume.

A file's outputs sit in OUTDIR at its path below the inputs' common root, named after the
whole file name (so take.wav and take.flac do not collide):

    OUTDIR/<sub/take.wav>.overview.png      --render: the overview, coloured as the window
    OUTDIR/<sub/take.wav>.overview.npy      --render: float32 dBFS (height, width), row 0 = fmin
    OUTDIR/<sub/take.wav>.partials.<ext>    --track: one per chosen format (TRACK_SUFFIXES)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RENDER_SUFFIXES = (".overview.png", ".overview.npy")
# The two SPEAR formats are both text: each gets a name of its own.
TRACK_SUFFIXES = {
    "csv": ".partials.csv",
    "json": ".partials.json",
    "sdif": ".partials.sdif",
    "spear-partials": ".partials.spear.txt",
    "spear-frames": ".frames.spear.txt",
}


@dataclass(frozen=True)
class FileOutputs:
    """Where one input's outputs go. `base`: OUTDIR/<path below the root>, to which the
    suffixes are appended; `formats`: the partial formats written (empty: no --track)."""

    base: Path
    render: bool
    formats: tuple[str, ...]

    def render_paths(self) -> tuple[Path, Path]:
        """(the PNG, the .npy)."""
        png, npy = (self.base.with_name(self.base.name + suffix) for suffix in RENDER_SUFFIXES)
        return png, npy

    def track_path(self, fmt: str) -> Path:
        return self.base.with_name(self.base.name + TRACK_SUFFIXES[fmt])

    def paths(self) -> list[Path]:
        """Every output this run writes for the file."""
        return [
            *(self.render_paths() if self.render else ()),
            *(self.track_path(fmt) for fmt in self.formats),
        ]


def outputs_for(path: Path, root: Path, outdir: Path, render: bool, formats) -> FileOutputs:
    return FileOutputs(outdir / path.relative_to(root), render, tuple(formats))


def outputs_current(path: Path, outputs: FileOutputs) -> bool:
    """Whether every output of `path` exists and was written after the file last changed
    (modification times; a missing input counts as changed)."""
    try:
        changed = os.stat(path).st_mtime_ns
        return all(os.stat(output).st_mtime_ns >= changed for output in outputs.paths())
    except OSError:
        return False

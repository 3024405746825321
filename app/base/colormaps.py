"""The colour maps of the spectrogram: web/colormap.json, the one table the page and the PNG
writer both read (and the display settings name).

The file holds ``maps``, a list of {name, license, colors: 256 [r, g, b]}, the first the
default, and ``edgeCones``, how edge cones are hatched over any of them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

COLORMAP_PATH = Path(__file__).resolve().parents[2] / "web" / "colormap.json"


@functools.cache
def colormap_table() -> dict:
    """web/colormap.json, parsed once."""
    return json.loads(COLORMAP_PATH.read_text())


def colormap_names() -> tuple[str, ...]:
    """The maps' names, the default first."""
    return tuple(entry["name"] for entry in colormap_table()["maps"])

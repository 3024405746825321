"""Spectrogram images as PNG files, coloured like the page draws them.

The colormap is web/colormap.json, the one table the page uses too. The writer is the few
lines PNG needs (zlib + CRC), which is less than a dependency on an imaging library.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from app.base.colormaps import COLORMAP_PATH, colormap_names, colormap_table


def colormap(name: str | None = None) -> np.ndarray:
    """uint8 (256, 3): the RGB lookup table of the map `name` (None: the default),
    byte value -> colour."""
    name = name or colormap_names()[0]
    entry = next(m for m in colormap_table()["maps"] if m["name"] == name)
    colors = np.asarray(entry["colors"], dtype=np.uint8)
    if colors.shape != (256, 3):
        raise ValueError(f"{COLORMAP_PATH} must hold 256 RGB colours, not {colors.shape}")
    return colors


def spectrogram_rgb(
    levels: np.ndarray, cones: np.ndarray | None = None, name: str | None = None
) -> np.ndarray:
    """uint8 (height, width, 3) picture of uint8 `levels` (row 0 = lowest frequency) in the
    colour map `name` (None: the default), with the pixels where boolean `cones` (same
    shape) is True hatched as the page hatches edge cones (colormap.json's ``edgeCones``:
    dimmed, with diagonal grey lines).

    Rows are flipped so that low frequencies end up at the bottom of the picture.
    """
    rgb = colormap(name)[levels[::-1]]
    if cones is not None and cones.any():
        style = colormap_table()["edgeCones"]
        height, width = levels.shape
        y, x = np.indices((height, width))
        flipped = cones[::-1]
        line = flipped & ((x + y) % style["stripe"] == 0)
        dimmed = flipped & ~line
        rgb[dimmed] = (rgb[dimmed] * style["dim"]).astype(np.uint8)
        rgb[line] = style["line"]
    return rgb


def write_png(path: str | Path, rgb: np.ndarray) -> None:
    """Write uint8 (height, width, 3) `rgb` as an 8-bit truecolour PNG."""
    Path(path).write_bytes(png_bytes(rgb))


def png_bytes(rgb: np.ndarray) -> bytes:
    """uint8 (height, width, 3) `rgb` as the bytes of an 8-bit truecolour PNG file."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (height, width, 3) image, got shape {rgb.shape}")
    height, width, _ = rgb.shape
    # Each scanline starts with filter type 0 (none).
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )

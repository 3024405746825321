"""Spectrogram images as PNG files, coloured like the page draws them.

The colormap is web/colormap.json, the one table the page uses too. The writer is the few
lines PNG needs (zlib + CRC), which is less than a dependency on an imaging library.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np

COLORMAP_PATH = Path(__file__).resolve().parents[2] / "web" / "colormap.json"


def colormap() -> np.ndarray:
    """uint8 (256, 3): the RGB lookup table, byte value -> colour."""
    colors = np.asarray(json.loads(COLORMAP_PATH.read_text())["colors"], dtype=np.uint8)
    if colors.shape != (256, 3):
        raise ValueError(f"{COLORMAP_PATH} must hold 256 RGB colours, not {colors.shape}")
    return colors


def spectrogram_rgb(levels: np.ndarray) -> np.ndarray:
    """uint8 (height, width, 3) picture of uint8 `levels` (row 0 = lowest frequency).

    Rows are flipped so that low frequencies end up at the bottom of the picture.
    """
    return colormap()[levels[::-1]]


def write_png(path: str | Path, rgb: np.ndarray) -> None:
    """Write uint8 (height, width, 3) `rgb` as an 8-bit truecolour PNG."""
    Path(path).write_bytes(png_bytes(rgb))


def png_bytes(rgb: np.ndarray) -> bytes:
    """uint8 (height, width, 3) `rgb` as the bytes of an 8-bit truecolour PNG."""
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

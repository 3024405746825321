"""Turning dBFS images into the bytes the page draws.

The page maps each byte through a 256-entry colormap, so a uint8 image carries all it can
show at a quarter of the float32 size.
"""

from __future__ import annotations

import math

import numpy as np

DISPLAY_RANGE_DB = 100.0  # dB between black and white


def display_range(image: np.ndarray) -> tuple[float, float]:
    """(db_min, db_max) to show `image` (float dBFS) with.

    db_max is the image's peak rounded up to 10 dB, kept within [-60, 0] so that a quiet file
    is brightened a little but a silent one is not turned into a picture of its noise floor.
    """
    peak = float(np.max(image)) if image.size else 0.0
    db_max = min(0.0, max(-60.0, math.ceil(peak / 10.0) * 10.0)) if math.isfinite(peak) else 0.0
    return db_max - DISPLAY_RANGE_DB, db_max


def quantise(image: np.ndarray, db_min: float, db_max: float) -> np.ndarray:
    """uint8 of the same shape: db_min -> 0, db_max -> 255, clipped, rounded to nearest (halves up).

    Parameters
    ----------
    image : np.ndarray, float, any shape, dBFS
    db_min, db_max : float, dBFS, db_min < db_max
    """
    if not db_min < db_max:
        raise ValueError(f"db_min ({db_min}) must be below db_max ({db_max})")
    scaled = (np.asarray(image, dtype=np.float32) - np.float32(db_min)) * np.float32(
        255.0 / (db_max - db_min)
    )
    np.clip(scaled, 0.0, 255.0, out=scaled)
    # Halves round up, as the page's levelToByte does (np.rint would round them to even).
    return np.floor(scaled + np.float32(0.5), out=scaled).astype(np.uint8)

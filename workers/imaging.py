"""Turning dBFS images into the bytes the page draws.

The page maps each byte through a 256-entry colormap, so a uint8 image carries all it can
show at a quarter of the float32 size.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

DISPLAY_RANGE_DB = 100.0  # dB between black and white
AUTO_RANGE_MAX_DB = 80.0  # Auto levels span at most this (Audacity's default range)
AUTO_RANGE_MIN_DB = 20.0  # ... and at least this, so a flat picture is not all contrast


def display_range(image: np.ndarray) -> tuple[float, float]:
    """(db_min, db_max) to show `image` (float dBFS) with.

    The range the image's bytes hold (the colour levels pick a part of it: ``auto_levels``).
    db_max is the image's peak rounded up to 10 dB, kept within [-60, 0] so that a quiet file
    is brightened a little but a silent one is not turned into a picture of its noise floor.
    """
    peak = float(np.nanmax(image)) if np.isfinite(image).any() else 0.0
    db_max = min(0.0, max(-60.0, math.ceil(peak / 10.0) * 10.0)) if math.isfinite(peak) else 0.0
    return db_max - DISPLAY_RANGE_DB, db_max


def auto_levels(image: np.ndarray, db_min: float, db_max: float) -> tuple[float, float]:
    """(floor, ceiling), dBFS: the colour levels that give `image` its contrast.

    The ceiling is the image's peak (rounded up to a whole dB); the floor an estimate of its
    noise floor: the median over rows of each row's median level (most of a spectrogram's
    pixels are background, whatever partials cross it), so the background shows dark and
    everything above it in colour. The span is kept within [AUTO_RANGE_MIN_DB,
    AUTO_RANGE_MAX_DB]: a clean synthetic tone has no noise floor worth the name, and
    showing 100 dB under its peak washes its harmonics into one band. Both lie within
    [db_min, db_max], the range the image's bytes hold.

    Parameters
    ----------
    image : np.ndarray, float, (height, width), dBFS; NaN (an edge cone) is left out
    db_min, db_max : float, dBFS, db_min < db_max
    """
    levels = np.where(np.isfinite(image), image, np.nan)
    if not np.isfinite(levels).any():
        return db_min, db_max
    ceiling = min(db_max, max(db_min + AUTO_RANGE_MIN_DB, math.ceil(float(np.nanmax(levels)))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows wholly in a cone are NaN
        noise = float(np.nanmedian(np.nanmedian(levels, axis=1)))
    floor = min(ceiling - AUTO_RANGE_MIN_DB, max(ceiling - AUTO_RANGE_MAX_DB, noise))
    return max(db_min, math.floor(floor)), ceiling


def quantise(image: np.ndarray, db_min: float, db_max: float) -> np.ndarray:
    """uint8 of the same shape: db_min -> 0, db_max -> 255, clipped, rounded to nearest (halves up);
    NaN -> 0.

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
    np.nan_to_num(scaled, copy=False, nan=0.0)
    # Halves round up, as the page's levelToByte does (np.rint would round them to even).
    return np.floor(scaled + np.float32(0.5), out=scaled).astype(np.uint8)


def image_payload(image: np.ndarray, db_min: float, db_max: float) -> tuple[bytes, bool]:
    """The bytes the page fetches for `image` and whether they carry an edge-cone mask.

    The payload is ``quantise(image, db_min, db_max)`` (height * width bytes, row-major, row 0
    = lowest frequency), followed, when any pixel is NaN (an edge cone: see
    ``workers.spectrum.render``'s ``mark_edges``), by those pixels as a bit mask:
    ``np.packbits`` of the (height, width) boolean array, row-major, most significant bit
    first, ceil(height * width / 8) bytes. web/edge-cones.js reads it.
    """
    return pack_payload(quantise(image, db_min, db_max), np.isnan(image))


def pack_payload(levels: np.ndarray, cones: np.ndarray) -> tuple[bytes, bool]:
    """``image_payload``'s bytes of quantised `levels` ((height, width) uint8) and their edge
    `cones` ((height, width) bool), and whether they carry the mask (any cone)."""
    if not cones.any():
        return levels.tobytes(), False
    return levels.tobytes() + np.packbits(cones, axis=None).tobytes(), True


def unpack_payload(
    payload: bytes, height: int, width: int, edges: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The (levels uint8, cones bool) arrays, both (height, width), of ``image_payload``'s
    bytes for a `height` x `width` image (`edges`: they carry a mask)."""
    n = height * width
    levels = np.frombuffer(payload, dtype=np.uint8, count=n).reshape(height, width)
    if not edges:
        return levels, np.zeros((height, width), dtype=bool)
    mask = np.frombuffer(payload, dtype=np.uint8, offset=n)
    return levels, np.unpackbits(mask, count=n).astype(bool).reshape(height, width)


def shrink_levels(
    levels: np.ndarray, cones: np.ndarray, width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """A quantised image and its edge cones at `width` x `height`, for a view the image shows
    whole: each new column the largest level of the columns it covers (as ``render`` pools a
    column's frames: quantising is monotonic, so this is the quantised maximum of their dB),
    rows linearly interpolated (an image's rows are evenly spaced in log-frequency from fmin
    to fmax at any height, so the new rows lie between the old ones), a pixel in a cone
    where its nearest old pixel is.

    Parameters
    ----------
    levels : np.ndarray, uint8, (rows, columns)
    cones : np.ndarray, bool, (rows, columns)
    width : int, 1 <= width <= columns
    height : int >= 1

    Returns
    -------
    (np.ndarray uint8, np.ndarray bool), both (height, width)
    """
    rows, columns = levels.shape
    if not 1 <= width <= columns or height < 1:
        raise ValueError(f"cannot shrink {columns} x {rows} to {width} x {height}")
    # Column j covers old columns [j * columns / width, (j + 1) * columns / width).
    bounds = np.arange(width + 1) * columns // width
    pooled = np.maximum.reduceat(levels, bounds[:-1], axis=1)
    centres = np.minimum(((np.arange(width) + 0.5) * columns / width).astype(np.int64), columns - 1)
    position = np.arange(height) * ((rows - 1) / max(height - 1, 1))
    below = np.minimum(position.astype(np.int64), rows - 1)
    above = np.minimum(below + 1, rows - 1)
    share = (position - below)[:, None].astype(np.float32)
    blended = pooled[below] * (1 - share) + pooled[above] * share
    shrunk = np.floor(blended + np.float32(0.5)).astype(np.uint8)
    nearest = np.minimum(np.rint(position).astype(np.int64), rows - 1)
    return shrunk, cones[np.ix_(nearest, centres)]

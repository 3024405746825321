"""Argument checks shared by the workers' public functions, each raising its module's error.

Each public function validates everything up front with one clear error type (librosa's
way); the checks are the same in every module, only the error class differs.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def finite(name: str, value, error: type[Exception]) -> float:
    """`value` as a finite float; `error` with a one-line message otherwise (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise error(f"{name} must be finite, got {value}")
    return value


def whole(name: str, value, error: type[Exception], minimum: int, maximum: int) -> int:
    """`value` as an int in [minimum, maximum]; `error` otherwise (bool and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise error(f"{name} must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise error(f"{name} must be between {minimum} and {maximum}, got {value}")
    return int(value)


def mono_samples(audio, error: type[Exception]) -> np.ndarray:
    """`audio` (a non-empty 1-D float32 or float64 array) as C-contiguous float32."""
    if not isinstance(audio, np.ndarray):
        raise error(f"audio must be a numpy array, got {type(audio).__name__}")
    if audio.ndim != 1:
        raise error(f"audio must be 1-D mono samples, got shape {audio.shape}")
    if audio.size == 0:
        raise error("audio is empty")
    if audio.dtype.kind != "f":
        raise error(f"audio must be float32 or float64 samples, got {audio.dtype}")
    return np.ascontiguousarray(audio, dtype=np.float32)

"""Argument checks shared by the workers' public functions, each raising its module's error.

Each public function validates everything up front with one clear error type (librosa's
way); the checks are the same in every module, only the error class differs.
"""
from __future__ import annotations

import math
import numbers


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

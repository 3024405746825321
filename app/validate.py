"""Validation of values that cross from JavaScript into Python, and back.

Everything the page sends is untrusted: a slider can produce NaN, a stale closure can send a
string where a number belongs. Each check raises ArgumentError with a message that names the
argument, so the bridge can hand one clear line back to the page.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np


class ArgumentError(ValueError):
    """An argument from the page that Soma cannot use; str() is one line for the user."""


def number(value: Any, name: str, *, minimum: float | None = None,
           maximum: float | None = None) -> float:
    """A finite real number within [minimum, maximum], as float.

    bool is refused although it is an int subclass: `true` from JS is never meant as 1.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"{name} must be a number, not {type(value).__name__}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the float range (JSON numbers have no bound)
        raise ArgumentError(f"{name} must be a finite number, not one of {len(str(value))} "
                            "digits") from None
    if not math.isfinite(result):
        raise ArgumentError(f"{name} must be a finite number, not {result}")
    if minimum is not None and result < minimum:
        raise ArgumentError(f"{name} must be at least {minimum:g}, not {result:g}")
    if maximum is not None and result > maximum:
        raise ArgumentError(f"{name} must be at most {maximum:g}, not {result:g}")
    return result


def integer(value: Any, name: str, *, minimum: int, maximum: int) -> int:
    """An integer within [minimum, maximum]; a float with an integral value is accepted
    (JSON has one number type)."""
    result = number(value, name, minimum=minimum, maximum=maximum)
    if result != int(result):
        raise ArgumentError(f"{name} must be a whole number, not {result:g}")
    return int(result)


def text(value: Any, name: str, *, max_length: int = 4096) -> str:
    """A non-empty string of Unicode text without NUL characters (which no file path may
    contain). A lone surrogate, which a JS string may hold, is refused: no file name or
    UTF-8 file can hold it."""
    if not isinstance(value, str):
        raise ArgumentError(f"{name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ArgumentError(f"{name} must not be empty")
    if len(value) > max_length:
        raise ArgumentError(f"{name} is too long ({len(value)} characters, at most {max_length})")
    if "\x00" in value:
        raise ArgumentError(f"{name} must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ArgumentError(f"{name} is not valid text: it holds a lone surrogate at "
                            f"character {error.start}") from None
    return value


def json_safe(value: Any) -> Any:
    """A copy of `value` that json.dumps turns into valid JSON.

    NaN and ±Infinity become None: pywebview serialises returns with json.dumps, which writes
    `NaN`, and the page's JSON.parse then fails silently, so the JS promise never settles.
    numpy scalars and arrays become Python numbers and lists; tuples become lists.
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the page")

"""Validation of values that cross from JavaScript into Python.

Everything the page sends is untrusted: a slider can produce NaN, a stale closure can send a
string where a number belongs. Each check raises ArgumentError with a message that names the
argument, so the bridge can hand one clear line back to the page. (The way back, json_safe,
is in app.base.jsontext.)
"""

from __future__ import annotations

from typing import Any

from app.base.errors import SomaError
from app.base.jsontext import finite_float, is_number
from app.document.display import Display, display_problem

DISPLAY_FIELDS = ("method", "windowMs", "hopMs", "q", "colormap", "frequencyScale")


class ArgumentError(SomaError, ValueError):
    """An argument from the page that Soma cannot use; str() is one line for the user."""


def number(
    value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite real number within [minimum, maximum], as float.

    bool is refused although it is an int subclass: `true` from JS is never meant as 1.
    """
    if not is_number(value):
        raise ArgumentError(f"{name} must be a number, not {type(value).__name__}")
    result = finite_float(value)
    if result is None and isinstance(value, int):  # beyond the float range
        raise ArgumentError(f"{name} must be a finite number, not one of {len(str(value))} digits")
    if result is None:
        raise ArgumentError(f"{name} must be a finite number, not {value}")
    if minimum is not None and result < minimum:
        raise ArgumentError(f"{name} must be at least {minimum:g}, not {result:g}")
    if maximum is not None and result > maximum:
        raise ArgumentError(f"{name} must be at most {maximum:g}, not {result:g}")
    return result


def flag(value: Any, name: str) -> bool:
    """A JS boolean: true or false, nothing that merely converts to one."""
    if not isinstance(value, bool):
        raise ArgumentError(f"{name} must be true or false, not {type(value).__name__}")
    return value


def long_enough(start: float, end: float, minimum: float, what: str) -> None:
    """ArgumentError unless [start, end] s spans at least `minimum` s (`what`: "the view")."""
    if end - start < minimum:
        raise ArgumentError(
            f"{what} must be at least {minimum * 1000:g} ms long, "
            f"not {max(0.0, end - start) * 1000:g} ms"
        )


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
        raise ArgumentError(
            f"{name} is not valid text: it holds a lone surrogate at character {error.start}"
        ) from None
    return value


def display(value: Any, sample_rate: int) -> Display:
    """Display settings from the page, {"method", "windowMs", "hopMs", "q", "colormap",
    "frequencyScale"} (windowMs and hopMs may be null: Soma's choice), valid for a file at
    `sample_rate` Hz."""
    if not isinstance(value, dict):
        raise ArgumentError(f"the display settings must be an object, not {type(value).__name__}")
    unknown = sorted(set(value) - set(DISPLAY_FIELDS))
    if unknown:
        raise ArgumentError(f"unknown display setting {text(str(unknown[0]), 'setting')!r}")
    missing = [key for key in DISPLAY_FIELDS if key not in value]
    if missing:
        raise ArgumentError(f"the display settings lack {missing[0]}")

    def milliseconds(key: str) -> float | None:
        return None if value[key] is None else number(value[key], key, minimum=0)

    settings = Display(
        method=text(value["method"], "method", max_length=16),
        window_ms=milliseconds("windowMs"),
        hop_ms=milliseconds("hopMs"),
        q=number(value["q"], "q"),
        colormap=text(value["colormap"], "colormap", max_length=16),
        frequency_scale=text(value["frequencyScale"], "frequencyScale", max_length=16),
    )
    problem = display_problem(settings, sample_rate)
    if problem:
        raise ArgumentError(problem)
    return settings

"""JSON in and out: text read from files parsed within limits, values sent to the page made
valid JSON, and the one test of a finite JSON number."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

MAX_JSON_DEPTH = 64  # a project nests 5 deep; partial sources are small objects
# A string in JSON text, escapes included: its brackets are not nesting. An unterminated one
# runs to the end, as for json's scanner. Possessive and never failing, so linear: a pattern
# that must find the closing quote rescans the rest of the text from every quote that has
# none (37 KB of escaped quotes took 7 s, found by tests/test_fuzz_readers.py).
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.DOTALL)


def finite_float(value: int | float) -> float | None:
    """The JSON number `value` (an int or a float) as a finite float; None when it is NaN, an
    infinity, or an int beyond the float range (JSON numbers have no bound)."""
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def is_number(value: Any) -> bool:
    """Whether `value` is a JSON number: an int or a float, never a bool (`true` from JSON is
    not meant as 1, although bool is an int subclass)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = finite_float(float(text))
    if value is None:  # 1e999 parses as inf, which no JSON writer can write back
        raise ValueError(f"the number {text[:30]} is out of range")
    return value


def json_depth(text: str) -> int:
    """How deep the arrays and objects of the JSON `text` nest (0 for a scalar).

    Linear time, no recursion: the strings are blanked (their brackets do not nest), then the
    depth is the highest running count of opening minus closing brackets.
    """
    brackets = np.frombuffer(
        _JSON_STRING.sub('""', text).encode("utf-8", "surrogatepass"), dtype=np.uint8
    )
    opening = (brackets == ord("[")) | (brackets == ord("{"))
    closing = (brackets == ord("]")) | (brackets == ord("}"))
    steps = opening[opening | closing].astype(np.int64) * 2 - 1
    return int(np.cumsum(steps).max(initial=0))


# What a number json reads as an infinity (1.8e308 or more) needs: an exponent of 100 or
# more, or, under that, over 200 digits before its point (``_may_hold_infinity``).
_BIG_EXPONENT = re.compile(r"[eE]\+?0*[1-9][0-9]{2}")
_LONG_DIGITS = b"0" * 200
_DIGITS_AS_ZEROS = bytes(ord("0") if ord("0") <= b <= ord("9") else ord(" ") for b in range(256))


def parse_json(text: str) -> Any:
    """The JSON value in `text`, with finite floats only and nested at most MAX_JSON_DEPTH.

    Raises ValueError (json.JSONDecodeError, with line and column, for bad syntax) whose str()
    says what is wrong.
    """
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested {depth} levels deep, more than the {MAX_JSON_DEPTH} Soma reads")
    if not _may_hold_infinity(text):
        # json's own float parsing, not a Python call a number (a tracked minute's project:
        # 720 000 numbers, 0.5 s of its loading)
        return json.loads(text, parse_constant=_reject_constant)
    return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)


def _may_hold_infinity(text: str) -> bool:
    """Whether `text` holds something json could read as an infinite float: an exponent of
    100 or more, or 200 digits in a row (in a string too: then it is parsed number by number
    for nothing). The run is looked for with every digit made a 0 and all else a space, a
    plain search (a pattern for it, tried from every digit, took 0.3 s on a tracked minute's
    project; this 0.02 s)."""
    if _BIG_EXPONENT.search(text):
        return True
    flat = text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZEROS)
    return _LONG_DIGITS in flat


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

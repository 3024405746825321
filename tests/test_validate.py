import json
import math

import numpy as np
import pytest

from app.base.jsontext import json_safe
from app.shell.validate import ArgumentError, number, text


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, "3", None, True, [1], {}, 10**400, -(10**400)]
)
def test_number_refuses_what_is_not_a_finite_number(bad):
    with pytest.raises(ArgumentError, match="start"):
        number(bad, "start")


def test_number_range():
    assert number(2, "x", minimum=0, maximum=3) == 2.0
    with pytest.raises(ArgumentError, match="at least 0"):
        number(-1, "x", minimum=0)
    with pytest.raises(ArgumentError, match="at most 3"):
        number(4.5, "x", maximum=3)


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", 5, None, "x" * 5000, "lone \udc80", "\ud800"])
def test_text_refuses_empty_nul_long_and_non_strings(bad):
    with pytest.raises(ArgumentError, match="path"):
        text(bad, "path")


def test_json_safe_makes_strict_json():
    value = {
        "a": math.nan,
        "b": [np.float32(1.5), np.int64(2), (math.inf, -math.inf)],
        "c": np.array([1.0, np.nan]),
        3: "x",
    }
    safe = json_safe(value)
    assert safe == {"a": None, "b": [1.5, 2, [None, None]], "c": [1.0, None], "3": "x"}
    json.dumps(safe, allow_nan=False)  # raises if anything non-finite is left


def test_json_safe_refuses_unknown_objects():
    with pytest.raises(TypeError):
        json_safe({"x": object()})

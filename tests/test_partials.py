"""Partials as JSON: null marks a gap, both ways; the page's compact form."""

import base64
import json
import math
import time

import numpy as np
import pytest

from app.base.jsontext import json_safe
from app.document.partials import (
    MAX_AMPLITUDE_DB,
    Partial,
    frozen_points,
    points_from_json,
    points_problem,
    points_to_json,
)


def test_points_round_trip_with_gaps_as_null():
    points = np.array([[0.0, 440.0, -6.0], [0.005, math.nan, math.nan], [0.01, 441.5, -7.25]])
    rows = points_to_json(points)
    assert rows[1] == [0.005, None, None]
    json.dumps(rows, allow_nan=False)
    back = points_from_json(rows)
    np.testing.assert_array_equal(back, points)
    assert not back.flags.writeable


def test_a_partial_round_trips_through_json():
    partial = Partial(
        7,
        "A4",
        "#ff8800",
        points_from_json([[0, 440, -6], [0.1, None, None]]),
        {"guide": [[0, 440], [0.1, 441]], "hop": 0.005},
    )
    again = Partial.from_json(json.loads(json.dumps(partial.to_json(), allow_nan=False)))
    assert (again.id, again.name, again.color, again.source) == (7, "A4", "#ff8800", partial.source)
    np.testing.assert_array_equal(again.points, partial.points)


@pytest.mark.parametrize("rows", [[[0, 440]], [["x", 440, -6]], [None]])
def test_malformed_rows_raise_type_or_value_errors(rows):
    with pytest.raises((TypeError, ValueError)):
        points_from_json(rows)


@pytest.mark.parametrize(
    "bad_row, problem",
    [
        ([math.inf, 440.0, -6.0], "point 1: time inf is not finite"),
        ([0.5, 440.0, math.nan], "point 1: frequency and amplitude are null together"),
        ([0.5, math.inf, -6.0], "point 1: frequency inf is not finite"),
        ([0.5, -1.0, -6.0], "point 1: frequency -1.0 is negative"),
        ([0.5, 440.0, -math.inf], "point 1: amplitude -inf is not finite"),
        ([0.5, 440.0, 1e300], f"point 1: amplitude 1e+300 dBFS is above the {MAX_AMPLITUDE_DB:g}"),
    ],
)
def test_points_problem_names_the_first_point_no_file_could_carry(bad_row, problem):
    good = [[0.0, 440.0, -6.0], [1.0, math.nan, math.nan], [2.0, 0.0, MAX_AMPLITUDE_DB]]
    assert points_problem(np.array(good)) == ""
    rows = np.array([good[0], bad_row, good[2], bad_row])
    assert points_problem(rows).startswith(problem)


def test_the_page_gets_a_big_partial_as_compact_bytes_quickly():
    n = 2_000_000
    points = np.c_[np.arange(n) * 0.001, np.full(n, 440.0), np.full(n, -6.0)]
    points[5:9, 1:] = math.nan
    partial = Partial(1, "long", "#ff8800", frozen_points(points))
    began = time.perf_counter()
    text = json.dumps(json_safe(partial.to_json()), allow_nan=False)
    elapsed = time.perf_counter() - began
    data = json.loads(text)["pointData"]
    back = np.frombuffer(base64.b64decode(data), dtype="<f8").reshape(-1, 3)
    np.testing.assert_array_equal(back, points)  # NaN gaps included
    assert elapsed < 3.0, f"{elapsed:.1f} s"  # about 0.4 s here; per-point lists took 7 s

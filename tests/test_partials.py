"""Partials as JSON: null marks a gap, both ways; the page's compact form."""

import json
import math

import numpy as np
import pytest

from app.document.partials import (
    MAX_AMPLITUDE_DB,
    Partial,
    frozen_points,
    partials_bytes,
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


def test_the_page_gets_a_partial_as_json_without_its_points_and_the_points_as_bytes():
    gappy = points_from_json([[0, 440, -6], [0.1, None, None], [0.2, 441, -7]])
    partials = (
        Partial(7, "A4", "#ff8800", gappy, {"guide": [[0, 440], [0.1, 441]], "hop": 0.005}),
        Partial(9, "E5", "#00ff88", frozen_points([[0.5, 660, -12], [0.6, 661, -13]])),
    )
    described = [json.loads(json.dumps(p.to_json(), allow_nan=False)) for p in partials]
    assert described[0] == {
        "id": 7,
        "name": "A4",
        "color": "#ff8800",
        "pointCount": 3,
        "source": partials[0].source,
    }
    rows = np.frombuffer(partials_bytes(partials), dtype="<f8").reshape(-1, 3)
    np.testing.assert_array_equal(rows[:3], gappy)  # NaN gaps included
    np.testing.assert_array_equal(rows[3:], partials[1].points)
    assert partials_bytes(()) == b""


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

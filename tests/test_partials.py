"""Partials as JSON: null marks a gap, both ways."""
import json
import math

import numpy as np
import pytest

from app.partials import Partial, points_from_json, points_to_json


def test_points_round_trip_with_gaps_as_null():
    points = np.array([[0.0, 440.0, -6.0], [0.005, math.nan, math.nan], [0.01, 441.5, -7.25]])
    rows = points_to_json(points)
    assert rows[1] == [0.005, None, None]
    json.dumps(rows, allow_nan=False)
    back = points_from_json(rows)
    np.testing.assert_array_equal(back, points)
    assert not back.flags.writeable


def test_a_partial_round_trips_through_json():
    partial = Partial(7, "A4", "#ff8800", points_from_json([[0, 440, -6], [0.1, None, None]]),
                      {"guide": [[0, 440], [0.1, 441]], "hop": 0.005})
    again = Partial.from_json(json.loads(json.dumps(partial.to_json(), allow_nan=False)))
    assert (again.id, again.name, again.color, again.source) == (7, "A4", "#ff8800",
                                                                  partial.source)
    np.testing.assert_array_equal(again.points, partial.points)


@pytest.mark.parametrize("rows", [[[0, 440]], [["x", 440, -6]], [None]])
def test_malformed_rows_raise_type_or_value_errors(rows):
    with pytest.raises((TypeError, ValueError)):
        points_from_json(rows)

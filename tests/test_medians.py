"""workers.medians: the running median the tracker's noise floor and the snap's steadiness
share, against scipy.ndimage's median_filter, which it replaces."""

import numpy as np
from scipy.ndimage import median_filter

from workers.medians import running_median


def test_columns_match_scipys_median_filter():
    rng = np.random.default_rng(2)
    for rows, columns, size in ((400, 7, 21), (100, 30, 5), (3, 5, 5), (1, 4, 1), (9, 2, 17)):
        values = rng.random((rows, columns)) ** 3
        values[rng.random(values.shape) < 0.2] = 0.5  # ties
        expected = median_filter(values, size=(size, 1), mode="nearest")
        assert np.array_equal(running_median(values, size), expected)


def test_one_dimension_with_infinities_matches_scipys_median_filter():
    # The snap marks unsteady points +inf: they must sort above every number, as in scipy.
    rng = np.random.default_rng(3)
    for count, size in ((500, 31), (40, 5), (2, 3), (1, 1), (7, 13)):
        values = rng.normal(size=count)
        values[rng.random(count) < 0.3] = np.inf
        expected = median_filter(values, size=size, mode="nearest")
        result = running_median(values, size)
        assert result.shape == values.shape
        assert np.array_equal(result, expected)

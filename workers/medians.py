"""Running medians over the first axis of an array, with numpy alone.

Not scipy.ndimage's ``median_filter``, which gives the same values: importing scipy.ndimage
costs a worker 0.05 s of its start, which the tracker's workers pay once per command.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def running_median(values: np.ndarray, size: int) -> np.ndarray:
    """The median of ``values`` (float, (rows,) or (rows, columns)) over ``size`` (odd, at
    most 2 * rows - 1) rows centred on each row, each column on its own, the first and last
    rows repeated beyond the ends: scipy's ``median_filter(values, (size, 1),
    mode="nearest")`` (``size=size`` for one dimension) element for element, infinities
    sorted as numbers. Same shape and dtype as ``values``."""
    half = size // 2
    padded = np.concatenate((values[:1].repeat(half, 0), values, values[-1:].repeat(half, 0)))
    return np.partition(sliding_window_view(padded, size, axis=0), half, axis=-1)[..., half]

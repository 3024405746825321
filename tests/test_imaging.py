"""Auto levels and the bytes of an image, on synthetic pictures of known content."""

from __future__ import annotations

import numpy as np
import pytest

from workers.imaging import (
    AUTO_RANGE_MAX_DB,
    auto_levels,
    display_range,
    image_payload,
    quantise,
    shrink_levels,
    unpack_payload,
)
from workers.spectrum import render

SR = 44100


def chord(noise_dbfs: float | None, seconds: float = 2.0) -> np.ndarray:
    """A 220 Hz tone with 8 harmonics falling 3 dB each from -20 dBFS, over white noise."""
    t = np.arange(round(seconds * SR)) / SR
    amplitudes = 10 ** ((-20 - 3 * np.arange(8)) / 20)
    audio = sum(a * np.sin(2 * np.pi * 220 * (k + 1) * t) for k, a in enumerate(amplitudes))
    if noise_dbfs is not None:
        rng = np.random.default_rng(7)
        audio = audio + 10 ** (noise_dbfs / 20) * rng.standard_normal(t.size)
    return audio.astype(np.float32)


def picture(audio: np.ndarray) -> np.ndarray:
    return render(
        audio, SR, start=0.0, end=audio.size / SR, fmin=100.0, fmax=4000.0, width=200, height=200
    )


def test_a_clean_chord_gets_80_db_under_its_peak_not_100():
    db = picture(chord(None))
    db_min, db_max = display_range(db)
    floor, ceiling = auto_levels(db, db_min, db_max)
    assert ceiling == pytest.approx(db.max(), abs=1.0) and ceiling >= db.max()
    assert ceiling - floor == AUTO_RANGE_MAX_DB
    assert db_max - db_min == 100.0  # what the bytes hold stays wider than the colours


def test_a_noisy_chord_gets_its_noise_floor_as_floor_and_its_harmonics_stand_apart():
    db = picture(chord(-70.0))
    db_min, db_max = display_range(db)
    floor, ceiling = auto_levels(db, db_min, db_max)
    background = float(np.median(db))
    assert abs(floor - background) <= 3.0 and ceiling - floor < AUTO_RANGE_MAX_DB
    # Contrast: halfway (in log frequency) between the 3rd and 4th harmonics the colour is
    # in the darkest fifth; on the harmonics, in the brightest half. With the old fixed
    # 100 dB under the peak rounded to 10 dB, the gap read over a quarter of the way up.
    rows = np.geomspace(100.0, 4000.0, 200)
    gap = int(np.argmin(np.abs(rows - np.sqrt(660.0 * 880.0))))
    on = [int(np.argmin(np.abs(rows - f))) for f in (660.0, 880.0)]
    shade = (np.median(db, axis=1) - floor) / (ceiling - floor)
    assert shade[gap] < 0.2 and min(shade[on]) > 0.5
    old = (np.median(db, axis=1) - db_min) / (db_max - db_min)
    assert old[gap] > 0.25


def test_auto_levels_stay_within_the_bytes_range_and_leave_cones_out():
    db = np.full((4, 10), -150.0, dtype=np.float32)
    db[:, :3] = np.nan  # cones
    db[2, 5] = -145.0
    floor, ceiling = auto_levels(db, -160.0, -60.0)
    # The peak is raised to keep the smallest span above the bottom of the bytes' range.
    assert (floor, ceiling) == (-160.0, -140.0)
    assert auto_levels(np.full((2, 2), np.nan), -100.0, 0.0) == (-100.0, 0.0)


def test_the_payload_carries_the_cones_as_bits_after_the_levels():
    db = np.array([[-10.0, np.nan, -50.0], [np.nan, -100.0, 0.0], [0.0, 0.0, np.nan]])
    payload, edges = image_payload(db, -100.0, 0.0)
    assert edges
    assert payload[:9] == quantise(db, -100.0, 0.0).tobytes()
    assert payload[9:] == bytes([0b01010000, 0b10000000])
    assert payload[1] == 0  # a cone's level byte is the darkest
    plain, edges = image_payload(np.zeros((2, 2)), -100.0, 0.0)
    assert not edges and len(plain) == 4


def test_unpacking_a_payload_gives_back_its_levels_and_cones():
    db = np.random.default_rng(4).uniform(-100, 0, (7, 13))
    db[2:4, :3] = np.nan
    for image in (db, np.nan_to_num(db)):
        payload, edges = image_payload(image, -100.0, 0.0)
        levels, cones = unpack_payload(payload, 7, 13, edges)
        assert np.array_equal(levels, quantise(image, -100.0, 0.0))
        assert np.array_equal(cones, np.isnan(image))


def test_shrinking_keeps_each_columns_largest_level_and_interpolates_rows():
    levels = np.zeros((3, 6), dtype=np.uint8)
    levels[0] = [10, 200, 30, 40, 50, 60]
    levels[2] = [0, 0, 0, 0, 250, 0]
    cones = np.zeros((3, 6), dtype=bool)
    cones[:, :2] = True  # the first new column's, wholly
    shrunk, shrunk_cones = shrink_levels(levels, cones, 3, 5)
    # Columns pooled in pairs: a one-column peak is kept, not averaged away.
    assert shrunk[0].tolist() == [200, 40, 60] and shrunk[4].tolist() == [0, 0, 250]
    # Rows 0, 0.5, 1, 1.5, 2 of the old image.
    assert shrunk[:, 0].tolist() == [200, 100, 0, 0, 0]
    assert shrunk_cones[:, 0].all() and not shrunk_cones[:, 1:].any()
    same, same_cones = shrink_levels(levels, cones, 6, 3)
    assert np.array_equal(same, levels) and np.array_equal(same_cones, cones)


def test_a_shrunk_overview_reads_as_the_view_computed_at_that_size():
    # What the whole file's first view is made of: the overview's bytes shrunk to the
    # viewport's size, against the STFT the worker would compute at that size.
    audio = chord(-70.0, seconds=40.0)
    view = dict(start=0.0, end=40.0, fmin=50.0, fmax=8000.0, method="stft", mark_edges=True)
    big = render(audio, SR, **view, width=2000, height=384)
    payload, edges = image_payload(big, -100.0, 0.0)
    shrunk, cones = shrink_levels(*unpack_payload(payload, 384, 2000, edges), 700, 500)
    direct = render(audio, SR, **view, width=700, height=500)
    expected = quantise(direct, -100.0, 0.0)
    inside = ~cones & ~np.isnan(direct)
    difference = np.abs(shrunk.astype(int) - expected.astype(int))[inside]
    assert np.median(difference) <= 3  # 1.2 dB: 255 steps over 100 dB
    assert np.mean(cones != np.isnan(direct)) < 0.01
    # The harmonics' rows are the same rows.
    ridge = np.argmax(shrunk[:, 350])
    assert abs(int(ridge) - int(np.argmax(expected[:, 350]))) <= 1


@pytest.mark.parametrize("width, height", [(0, 5), (7, 5), (3, 0)])
def test_shrinking_refuses_to_grow_columns_or_empty_sizes(width, height):
    with pytest.raises(ValueError, match="cannot shrink"):
        shrink_levels(np.zeros((3, 6), np.uint8), np.zeros((3, 6), bool), width, height)

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

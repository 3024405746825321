"""The overview computed while a file decodes (app.compute.overview.GrowingOverview): the
same image, byte for byte, as the whole file's overview computed after the decode."""

from __future__ import annotations

import numpy as np
import pytest
from waiting import wait_until

from app.compute.overview import OVERVIEW_WIDTH, PART_RANGE, GrowingOverview, compute_overview
from app.document.audio_file import AudioFile
from workers.imaging import quantise, unpack_payload

SR = 8000


def _audio(samples: np.ndarray) -> AudioFile:
    samples = samples.astype(np.float32)
    samples.flags.writeable = False
    return AudioFile(
        path=None,
        name="test",
        samples=samples,
        sample_rate=SR,
        channels=1,
        frames=samples.size,
        format="GENERATED",
        subtype="FLOAT",
    )


def _signal(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(round(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(t.size)).astype(
        np.float32
    )


def _decode(growing: GrowingOverview, block: np.ndarray, source: np.ndarray, blocks: int):
    """Write `source` into `block` in `blocks` pieces, telling `growing` after each."""
    for piece in np.array_split(np.arange(source.size), blocks):
        block[piece] = source[piece]
        growing.decoded(int(piece[-1]) + 1)


@pytest.mark.parametrize("seconds", [3.0, 600.0])
def test_the_overview_grown_during_the_decode_is_the_whole_files_byte_for_byte(seconds):
    source = _signal(seconds)
    block = np.zeros_like(source)
    growing = GrowingOverview(block, SR)
    _decode(growing, block, source, 40)
    image, payload = growing.finish(_audio(source), "grown")
    expected, expected_payload = compute_overview(_audio(source), "whole")
    assert payload == expected_payload
    assert (image.db_min, image.db_max, image.window_size, image.auto_levels) == (
        expected.db_min,
        expected.db_max,
        expected.window_size,
        expected.auto_levels,
    )


def test_the_part_computed_so_far_is_the_overviews_first_columns():
    source = _signal(300.0)
    block = np.zeros_like(source)
    growing = GrowingOverview(block, SR)
    assert growing.part("p", 300.0) is None  # nothing computed yet
    _decode(growing, block, source[: source.size // 2], 10)  # half the file decoded
    wait_until(lambda: growing.columns_done > OVERVIEW_WIDTH // 4, timeout=60)
    image, payload = growing.part("p", 300.0)
    done = image.width
    assert 0 < done < OVERVIEW_WIDTH and image.view.end == pytest.approx(300.0 * done / 2000)
    assert (image.db_min, image.db_max) == PART_RANGE and image.auto_levels is not None
    growing.decoded(0)  # nothing more arrives: the rest comes from finish
    block[:] = source
    whole, _ = growing.finish(_audio(source), "grown")
    # Its columns are the whole overview's, quantised over the part's range.
    expected = quantise(growing._db[:, :done], *PART_RANGE)
    levels, _ = unpack_payload(payload, image.height, done, image.edges)
    assert np.array_equal(levels, expected)
    assert whole.width == OVERVIEW_WIDTH


def test_a_truncated_file_gets_the_overview_of_what_it_holds():
    source = _signal(120.0)
    block = np.zeros(source.size * 2, dtype=np.float32)  # the header promised twice as much
    growing = GrowingOverview(block, SR)
    _decode(growing, block, source, 8)
    image, payload = growing.finish(_audio(source), "grown")
    expected, expected_payload = compute_overview(_audio(source), "whole")
    assert payload == expected_payload and image.view == expected.view


def test_stopping_ends_the_thread_and_computes_nothing_more():
    source = _signal(300.0)
    block = np.zeros_like(source)
    growing = GrowingOverview(block, SR)
    _decode(growing, block, source[: source.size // 3], 5)
    growing.stop()
    done = growing.columns_done
    assert not growing._thread.is_alive()
    growing.decoded(source.size)
    assert growing.columns_done == done


def test_an_overview_computed_whole_before_the_decode_ends_finishes_as_it_is():
    source = _signal(120.0)
    block = np.zeros_like(source)
    growing = GrowingOverview(block, SR)
    _decode(growing, block, source, 3)
    wait_until(lambda: growing.columns_done == OVERVIEW_WIDTH, timeout=60)
    _, payload = growing.finish(_audio(source), "grown")
    assert payload == compute_overview(_audio(source), "whole")[1]

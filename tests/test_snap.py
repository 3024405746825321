"""Snapping: accuracy on synthetic partials with known truth, noise flags, the output contract
and argument checking."""

from __future__ import annotations

import numpy as np
import pytest

from workers.snap import SnapError, auto_q, snap_trace

SR = 44100


def cents(f: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return 1200.0 * np.log2(f / truth)


def with_noise(x: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    """x plus white noise at snr_db below a unit sine's power (0.5): a partial of amplitude A
    is at snr_db + 20*log10(A) dB SNR."""
    rng = np.random.default_rng(seed)
    return (x + rng.normal(0.0, np.sqrt(0.5 / 10 ** (snr_db / 10)), x.size)).astype(np.float32)


def rough_guide(times: np.ndarray, truth, seed: int, offset: float = 40.0) -> np.ndarray:
    """A hand-drawn-like guide: the truth off by up to `offset` cents, wobbling, jittered."""
    rng = np.random.default_rng(seed)
    wobble = offset * np.sin(2 * np.pi * 0.4 * times + rng.uniform(0, 6))
    return np.c_[times, truth(times) * 2 ** ((wobble + rng.normal(0, 5, times.size)) / 1200)]


def seconds(duration: float) -> np.ndarray:
    return np.arange(round(duration * SR)) / SR


# --- accuracy --------------------------------------------------------------------------------


def test_steady_partial_at_20_db_snr_is_within_cents_and_a_fraction_of_a_db():
    t = seconds(2.0)
    x = with_noise(0.5 * np.sin(2 * np.pi * 523.25 * t + 0.3), 26.02, seed=1)
    guide = rough_guide(
        np.linspace(0.1, 1.9, 12), lambda s: np.full_like(s, 523.25), seed=2, offset=60
    )
    out = snap_trace(x, SR, guide)
    assert not np.isnan(out[:, 1]).any()
    assert np.median(np.abs(cents(out[:, 1], 523.25))) < 3
    assert np.median(np.abs(out[:, 2] - 20 * np.log10(0.5))) < 0.5


def test_vibrato_is_followed():
    t = seconds(2.0)
    inst = 440 * 2 ** (50 / 1200 * np.sin(2 * np.pi * 6 * t))
    x = with_noise(np.sin(2 * np.pi * np.cumsum(inst) / SR), 20, seed=3)
    guide = rough_guide(np.linspace(0.1, 1.9, 8), lambda s: np.full_like(s, 440.0), seed=4)
    out = snap_trace(x, SR, guide)
    error = np.abs(cents(out[:, 1], np.interp(out[:, 0], t, inst)))
    assert np.nanmedian(error) < 10
    assert np.isnan(error).mean() < 0.05


def test_fifth_harmonic_of_a_ten_partial_tone_is_not_left_for_a_neighbour():
    t = seconds(1.5)
    x = with_noise(sum(0.1 * np.sin(2 * np.pi * h * 196 * t + h) for h in range(1, 11)), 30, 5)
    guide = rough_guide(
        np.linspace(0.1, 1.4, 10), lambda s: np.full_like(s, 5 * 196.0), seed=6, offset=60
    )
    out = snap_trace(x, SR, guide)
    assert not np.isnan(out[:, 1]).any()
    assert np.max(np.abs(cents(out[:, 1], 5 * 196.0))) < 50
    assert np.median(np.abs(out[:, 2] + 20)) < 0.5  # 0.1 is -20 dBFS


def test_of_two_crossing_glides_the_traced_one_is_followed():
    t = seconds(2.0)
    up, down = 400 * 2 ** (t / 2.0), 800 * 2 ** (-t / 2.0)
    x = with_noise(
        0.5 * np.sin(2 * np.pi * np.cumsum(up) / SR)
        + 0.5 * np.sin(2 * np.pi * np.cumsum(down) / SR),
        26.02,
        seed=7,
    )
    guide = rough_guide(np.linspace(0.05, 1.95, 10), lambda s: 400 * 2 ** (s / 2.0), seed=8)
    out = snap_trace(x, SR, guide)
    error = np.abs(cents(out[:, 1], np.interp(out[:, 0], t, up)))
    after = out[:, 0] > 1.3  # well past the crossing at 1.0 s
    assert np.nanmax(error[after]) < 30
    assert np.isnan(error[after]).mean() < 0.05
    # and not the other glide, which is over 100 cents away there
    assert np.nanmedian(error) < 5


def test_a_tone_that_stops_is_flagged_where_only_noise_is_left():
    t = seconds(2.0)
    x = np.sin(2 * np.pi * 660 * t)
    x[t >= 1.0] = 0.0
    x = with_noise(x, 20, seed=9)
    out = snap_trace(x, SR, [[0.05, 650.0], [1.95, 670.0]])
    sounding, silent = out[:, 0] < 0.95, out[:, 0] > 1.1
    assert not np.isnan(out[sounding, 1:]).any()
    assert np.isnan(out[silent, 1:]).all()
    assert np.abs(cents(out[sounding, 1], 660.0)).max() < 5


def _vibrato_220() -> tuple[np.ndarray, np.ndarray]:
    """4 s of a 220 Hz sine with +-1 % vibrato at 6 Hz, 26 dB over the noise: samples and its
    instantaneous frequency (Hz) per sample."""
    t = seconds(4.0)
    inst = 220.0 * (1.0 + 0.01 * np.sin(2 * np.pi * 6.0 * t))
    return with_noise(0.5 * np.sin(2 * np.pi * np.cumsum(inst) / SR), 26.02, seed=13), inst


def test_a_ridge_outside_a_narrow_window_is_flagged_not_moved_to_its_edge():
    # The guide at 229.5 Hz is 55-90 cents above the vibrato (216-222 Hz): within +-20 cents
    # of it there is only the vibrato's skirt, rising towards the window's lower edge.
    x, _ = _vibrato_220()
    out = snap_trace(x, SR, [[0.0, 229.5], [4.0, 229.5]], tolerance_cents=20)
    assert out.shape == (801, 3)
    assert np.isnan(out[:, 1:]).all()


def test_the_same_vibrato_is_found_with_a_wide_window():
    x, inst = _vibrato_220()
    out = snap_trace(x, SR, [[0.0, 229.5], [4.0, 229.5]], tolerance_cents=150)
    error = np.abs(cents(out[:, 1], np.interp(out[:, 0], seconds(4.0), inst)))
    assert np.isnan(error).mean() < 0.02
    assert np.nanmedian(error) < 3 and np.nanpercentile(error, 95) < 10


def test_noise_alone_is_almost_all_flagged():
    x = with_noise(np.zeros(4 * SR), 20, seed=10)
    for freq in (300.0, 1000.0, 6000.0):
        out = snap_trace(x, SR, [[0.1, freq], [3.9, freq * 1.01]])
        assert np.isnan(out[:, 1]).mean() > 0.98


def test_crowded_harmonics_are_kept_when_the_ridge_is_steady():
    # The 8th harmonic's neighbours (+204, -231 cents) fill the context, so the floor there is
    # the dip between partials, not noise; the ridge's steadiness still marks it a partial.
    t = seconds(1.5)
    x = with_noise(sum(0.1 * np.sin(2 * np.pi * h * 196 * t + h) for h in range(1, 11)), 40, 11)
    out = snap_trace(x, SR, [[0.1, 8 * 196.0], [1.4, 8 * 196.0]])
    assert np.isnan(out[:, 1]).mean() < 0.05
    assert np.nanmax(np.abs(cents(out[:, 1], 8 * 196.0))) < 50


def test_a_partial_near_nyquist_is_tracked():
    x = with_noise(0.5 * np.sin(2 * np.pi * 21500.0 * seconds(1.0)), 26, seed=12)
    out = snap_trace(x, SR, [[0.1, 21600.0], [0.9, 21600.0]])
    assert not np.isnan(out[:, 1]).any()
    assert np.median(np.abs(cents(out[:, 1], 21500.0))) < 3


def test_non_finite_samples_are_flagged_around_them_only():
    t = seconds(3.0)
    x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    x[SR : SR + 10] = np.nan
    out = snap_trace(x, SR, [[0.1, 440.0], [2.9, 440.0]])
    far = np.abs(out[:, 0] - 1.0) > 0.7  # the damaged 0.5 s chunk and its neighbours' margins
    assert not np.isnan(out[far, 1]).any()
    assert np.abs(cents(out[far, 1], 440.0)).max() < 1


def test_digital_silence_is_flagged():
    out = snap_trace(np.zeros(SR, dtype=np.float32), SR, [[0.1, 440.0], [0.9, 440.0]])
    assert np.isnan(out[:, 1:]).all()


# --- contract --------------------------------------------------------------------------------


def test_output_shape_times_and_dtype():
    x = np.sin(2 * np.pi * 300 * seconds(1.0)).astype(np.float32)
    out = snap_trace(x, SR, [[0.2, 300.0], [0.5, 310.0], [0.7, 300.0]], hop=0.01)
    assert out.dtype == np.float64 and out.shape == (51, 3)
    np.testing.assert_allclose(out[:, 0], 0.2 + 0.01 * np.arange(51), atol=1e-12)
    assert not np.isnan(out).any()
    # float64 audio is accepted and gives the same points
    np.testing.assert_allclose(
        snap_trace(x.astype(np.float64), SR, [[0.2, 300.0], [0.5, 310.0], [0.7, 300.0]], hop=0.01),
        out,
    )


def test_guide_is_cut_to_the_audio():
    x = np.sin(2 * np.pi * 300 * seconds(1.0)).astype(np.float32)
    out = snap_trace(x, SR, [[-0.5, 300.0], [1.5, 300.0]], hop=0.1)
    np.testing.assert_allclose(out[:, 0], np.arange(11) * 0.1, atol=1e-12)


def test_unsorted_and_duplicate_times_are_handled():
    x = np.sin(2 * np.pi * 300 * seconds(1.0)).astype(np.float32)
    # sorted by time; of the two points at 0.5 s the last one given (300 Hz) is kept
    shuffled = snap_trace(x, SR, [[0.8, 300.0], [0.5, 900.0], [0.2, 300.0], [0.5, 300.0]])
    clean = snap_trace(x, SR, [[0.2, 300.0], [0.5, 300.0], [0.8, 300.0]])
    np.testing.assert_array_equal(shuffled, clean)


def test_progress_is_reported_a_bounded_number_of_times_and_ends_complete():
    x = np.sin(2 * np.pi * 300 * seconds(3.0)).astype(np.float32)
    calls = []
    snap_trace(
        x,
        SR,
        [[0.0, 300.0], [3.0, 300.0]],
        hop=0.001,
        report=lambda done, total: calls.append((done, total)),
    )
    assert 2 <= len(calls) <= 50
    assert calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_auto_q_follows_the_tolerance():
    assert auto_q(100.0, 1000.0) == pytest.approx(16.8, abs=0.1)
    assert auto_q(50.0, 1000.0) > auto_q(100.0, 1000.0) > auto_q(200.0, 1000.0)


def test_auto_q_keeps_the_wavelet_short_at_low_frequencies():
    # f0 of a voice: 9 ms time sigma, not the tolerance's 44 ms
    assert auto_q(100.0, 100.0) == pytest.approx(0.009 * 2 * np.pi * 100 / 1.665, rel=1e-3)
    assert auto_q(100.0, 100.0) < auto_q(100.0, 200.0) < auto_q(100.0, 1000.0)


# --- bad input -------------------------------------------------------------------------------

AUDIO = np.zeros(SR, dtype=np.float32)
GUIDE = [[0.1, 440.0], [0.5, 440.0]]


@pytest.mark.parametrize(
    "audio, sr, guide, kwargs, words",
    [
        (AUDIO, SR, [[0.1, 440.0]], {}, "at least two points"),
        (AUDIO, SR, [], {}, "at least two points"),
        (AUDIO, SR, [[0.1, 440.0], [0.1, 450.0]], {}, "at least two points"),
        (AUDIO, SR, [[0.1, 440.0], [0.5, np.nan]], {}, "finite"),
        (AUDIO, SR, [[0.1, 440.0], [np.inf, 440.0]], {}, "finite"),
        (AUDIO, SR, [[0.1, 440.0], [0.5, -5.0]], {}, "above 0 Hz"),
        (AUDIO, SR, [[0.1, 0.0], [0.5, 440.0]], {}, "above 0 Hz"),
        (AUDIO, SR, [[0.1, 440.0], [0.5, 30000.0]], {}, "Nyquist"),
        (AUDIO, SR, [[0.1, 440.0], [0.5, SR / 2]], {}, "Nyquist"),
        (AUDIO, SR, [[0.1, 440.0, 1.0], [0.5, 440.0, 1.0]], {}, "shape"),
        (AUDIO, SR, [["a", 440.0], [0.5, 440.0]], {}, "pairs of numbers"),
        (AUDIO, SR, [[2.0, 440.0], [3.0, 440.0]], {}, "outside the audio"),
        (AUDIO, SR, [[-3.0, 440.0], [-1.0, 440.0]], {}, "outside the audio"),
        (AUDIO, SR, GUIDE, dict(hop=0.0), "hop"),
        (AUDIO, SR, GUIDE, dict(hop=-0.005), "hop"),
        (AUDIO, SR, GUIDE, dict(hop=np.nan), "hop"),
        (AUDIO, SR, GUIDE, dict(hop=1e-9), "at most"),
        (AUDIO, SR, GUIDE, dict(tolerance_cents=0.0), "tolerance_cents"),
        (AUDIO, SR, GUIDE, dict(tolerance_cents=1300.0), "tolerance_cents"),
        (AUDIO, SR, GUIDE, dict(tolerance_cents="wide"), "tolerance_cents"),
        (AUDIO, SR, GUIDE, dict(q=1.0), "q must be between"),
        (AUDIO, SR, GUIDE, dict(q=np.inf), "q must be finite"),
        (np.zeros((2, SR), dtype=np.float32), SR, GUIDE, {}, "1-D"),
        (np.zeros(0, dtype=np.float32), SR, GUIDE, {}, "empty"),
        (np.zeros(SR, dtype=np.int16), SR, GUIDE, {}, "float"),
        ([0.0] * 100, SR, GUIDE, {}, "numpy array"),
        (AUDIO, 0, GUIDE, {}, "sr"),
        (AUDIO, 44100.0, GUIDE, {}, "sr"),
    ],
)
def test_bad_arguments_raise_snap_error_with_a_one_line_message(audio, sr, guide, kwargs, words):
    with pytest.raises(SnapError, match=words) as caught:
        snap_trace(audio, sr, guide, **kwargs)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)

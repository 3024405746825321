"""The spectrum engine: contract, calibration, resolution, transients, and a brute-force CWT."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from workers import cwt, stft
from workers.rows import row_edges
from workers.spectrum import (
    CWT_MAX_SECONDS,
    DB_FLOOR,
    DEFAULT_Q,
    EDGE_CONE_SIGMAS,
    MAX_PIXELS,
    SpectrumError,
    frequencies,
    render,
    resolve_method,
    stft_window_size,
)

SR = 44100
BOTH = ("cwt", "stft")


def tone(freq: float, amp: float, seconds: float, sr: int = SR) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t + 0.3)).astype(np.float32)


def nearest_row(freqs: np.ndarray, f: float) -> int:
    return int(np.argmin(np.abs(np.log(freqs / f))))


# --- arguments -----------------------------------------------------------------------------

GOOD = dict(start=0.0, end=1.0, fmin=50.0, fmax=8000.0, width=64, height=32)


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(width=0), "width"),
        (dict(width=MAX_PIXELS + 1), "width"),
        (dict(height=-3), "height"),
        (dict(width=2.5), "width"),
        (dict(fmin=2000.0, fmax=1000.0), "fmin"),
        (dict(fmin=1000.0, fmax=1000.0), "fmin"),
        (dict(fmin=0.0), "fmin"),
        (dict(fmax=SR / 2 + 1), "Nyquist"),
        (dict(start=1.0, end=1.0), "end"),
        (dict(start=2.0, end=1.0), "end"),
        (dict(start=float("nan")), "start"),
        (dict(end=float("inf")), "end"),
        (dict(fmin=float("nan")), "fmin"),
        (dict(fmax=float("nan")), "fmax"),
        (dict(q=float("nan")), "q"),
        (dict(q=0.5), "q"),
        (dict(q=1000.0), "q"),
        (dict(method="wavelet"), "method"),
        (dict(start=-1e12), "start"),
    ],
)
def test_invalid_arguments_raise_one_clear_error(change, words):
    with pytest.raises(SpectrumError, match=words) as info:
        render(tone(440, 0.5, 1.0), SR, **{**GOOD, **change})
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "audio, sr, words",
    [
        (np.zeros((2, 100), np.float32), SR, "1-D"),
        (np.zeros(0, np.float32), SR, "empty"),
        (np.zeros(100, np.int16), SR, "float"),
        ([0.0] * 100, SR, "numpy"),
        (np.zeros(100, np.float32), 0, "sr"),
        (np.zeros(100, np.float32), 44100.0, "sr"),
        (np.zeros(100, np.float32), True, "sr"),
    ],
)
def test_invalid_audio_and_rate(audio, sr, words):
    with pytest.raises(SpectrumError, match=words):
        render(audio, sr, **GOOD)


def test_cwt_too_long_for_its_lowest_row_is_refused():
    with pytest.raises(SpectrumError, match="stft"):
        render(
            tone(440, 0.5, 1.0),
            SR,
            start=0.0,
            end=29.0,
            fmin=0.05,
            fmax=8000.0,
            width=64,
            height=32,
            method="cwt",
            q=100.0,
        )


def test_nyquist_is_a_valid_fmax():
    for method in BOTH:
        img = render(tone(440, 0.5, 1.0), SR, **{**GOOD, "fmax": SR / 2}, method=method)
        assert np.isfinite(img).all()


def test_frequencies_are_geometric_from_fmin_to_fmax():
    f = frequencies(50.0, 16000.0, 256)
    assert f.dtype == np.float64 and f.shape == (256,)
    assert f[0] == pytest.approx(50.0) and f[-1] == pytest.approx(16000.0)
    assert np.allclose(f[1:] / f[:-1], (16000 / 50) ** (1 / 255))
    assert frequencies(50.0, 100.0, 1).tolist() == [50.0]
    with pytest.raises(SpectrumError):
        frequencies(100.0, 50.0, 10)


def test_linear_rows_are_evenly_spaced_and_a_bad_scale_is_refused():
    f = frequencies(20.0, 8000.0, 100, "linear")
    assert f[0] == 20.0 and f[-1] == pytest.approx(8000.0)
    assert np.allclose(np.diff(f), (8000 - 20) / 99)
    edges = row_edges(f, "linear")
    assert np.allclose(edges[1:-1], (f[:-1] + f[1:]) / 2)
    assert edges[0] == 10.0  # half of fmin, not the -20 Hz half a row below it
    with pytest.raises(SpectrumError, match="scale must be one of log, linear"):
        frequencies(20.0, 8000.0, 100, "mel")
    with pytest.raises(SpectrumError, match="scale must be one of log, linear"):
        render(tone(440, 0.5, 1.0), SR, **GOOD, scale="Log")


@pytest.mark.parametrize("method", BOTH)
@pytest.mark.parametrize("freq", [37.0, 1000.0, 1030.0, 7000.0])
def test_a_linear_axis_reads_a_sine_on_its_row_at_its_level(method, freq):
    # Rows 80.6 Hz apart: 37 Hz lies in the lowest row's band, 1030 Hz between two rows, far
    # from either centre against the wavelet's bandwidth at 1 kHz (63 Hz at Q 16); each still
    # reads its level on the row whose band holds it, the highest of the image.
    freqs = frequencies(20.0, 8000.0, 100, "linear")
    img = render(
        tone(freq, 0.5, 2.0),
        SR,
        start=0.5,
        end=1.5,
        fmin=20.0,
        fmax=8000.0,
        width=50,
        height=100,
        method=method,
        scale="linear",
    )
    row = int(np.searchsorted(row_edges(freqs, "linear"), freq)) - 1
    assert np.abs(img[row] + 6.02).max() < 0.5
    assert img[row].max() >= img.max() - 0.01


def test_auto_is_cwt_up_to_30_seconds_and_stft_above():
    assert resolve_method("auto", 10.0, 10.0 + CWT_MAX_SECONDS) == "cwt"
    assert resolve_method("auto", 0.0, CWT_MAX_SECONDS + 0.01) == "stft"
    assert resolve_method("stft", 0.0, 1.0) == "stft"
    assert resolve_method("cwt", 0.0, 3600.0) == "cwt"
    with pytest.raises(SpectrumError):
        resolve_method("fft", 0.0, 1.0)


def test_the_picture_keeps_its_levels_across_the_30_second_switch():
    # A tone over white noise in views just under and just over CWT_MAX_SECONDS: the tone's
    # ridge and the noise's median read the same within 3 dB, row by row from 200 Hz up.
    rng = np.random.default_rng(30)
    audio = tone(3000.0, 0.25, 34.0) + (0.01 * rng.standard_normal(34 * SR)).astype(np.float32)
    view = dict(start=1.0, fmin=200.0, fmax=16000.0, width=900, height=180)
    cwt_image = render(audio, SR, end=1.0 + CWT_MAX_SECONDS - 0.1, **view)
    stft_image = render(audio, SR, end=1.0 + CWT_MAX_SECONDS + 0.1, **view)
    freqs = frequencies(200.0, 16000.0, 180)
    ridge = nearest_row(freqs, 3000.0)
    assert cwt_image[ridge].max() == pytest.approx(-12.04, abs=0.5)
    assert stft_image[ridge].max() == pytest.approx(-12.04, abs=0.5)
    noise = np.abs(freqs / 3000.0 - 1) > 0.3
    difference = np.median(cwt_image, axis=1) - np.median(stft_image, axis=1)
    assert np.abs(difference[noise]).max() < 3.0, difference[noise]


def test_stft_windows_match_the_cwt_bandwidth_in_half_octave_bands():
    freqs = frequencies(20.0, 16000.0, 256)
    windows = stft.row_windows(SR, 25.0 / 1200, 1200, freqs, DEFAULT_Q)
    # Each half-octave band's window has the CWT's bandwidth at the band's centre: so within
    # a factor 2**0.25 of the CWT's at every row (the window is rounded up to a fast size,
    # by up to 10 % for the shortest).
    sigma = windows / (2 * cwt.GAUSS_CUT) / SR
    hpbw = cwt.HPBW_PER_SIGMA / (2 * math.pi * sigma)
    ratio = hpbw / (freqs / DEFAULT_Q)
    assert ratio.min() > 2**-0.25 * 0.9 and ratio.max() < 2**0.25
    assert np.all(np.diff(windows) <= 0)
    assert stft_window_size(SR, 0.0, 25.0, 1200, 20.0, 16000.0, 256) == windows[0]
    # A long view cannot afford a window per band: the highest bands share longer ones.
    long_view = stft.row_windows(SR, 3600.0 / 1200, 1200, freqs, DEFAULT_Q)
    assert np.unique(long_view).size < np.unique(windows).size
    assert long_view[0] == windows[0]


# --- shape, orientation, edges -------------------------------------------------------------


@pytest.mark.parametrize("method", BOTH)
@pytest.mark.parametrize(
    "start, end", [(0.0, 0.5), (1.5, 2.0), (-1.0, 3.0), (-0.5, 0.25), (1.9, 4.0)]
)
def test_shape_and_orientation_hold_at_the_edges_and_beyond(method, start, end):
    audio = tone(200.0, 0.5, 2.0) + tone(5000.0, 0.05, 2.0)
    img = render(
        audio,
        SR,
        start=start,
        end=end,
        fmin=100.0,
        fmax=10000.0,
        width=37,
        height=23,
        method=method,
    )
    assert img.shape == (23, 37) and img.dtype == np.float32
    assert np.isfinite(img).all() and (img >= DB_FLOOR).all()
    freqs = frequencies(100.0, 10000.0, 23)
    times = start + (np.arange(37) + 0.5) * (end - start) / 37
    inside = (times > 0.3) & (times < 1.7)
    low, high = nearest_row(freqs, 200.0), nearest_row(freqs, 5000.0)
    # Row 0 is fmin: the loud low tone is near the bottom, the quiet high one near the top.
    assert (img[low, inside] > -8).all() and (img[high, inside] > -28).all()
    assert (img[high, inside] < img[low, inside]).all()
    # Far outside the file (beyond any window or wavelet) is silence, give or take ringing.
    outside = (times < -0.8) | (times > 2.8)
    assert (img[:, outside] < -100).all()


@pytest.mark.parametrize("method", BOTH)
def test_columns_narrower_than_a_sample_still_work(method):
    audio = tone(1000.0, 0.5, 1.0)
    img = render(
        audio,
        SR,
        start=0.5,
        end=0.501,
        fmin=100.0,
        fmax=8000.0,
        width=501,
        height=40,
        method=method,
    )
    assert img.shape == (40, 501) and np.isfinite(img).all()
    ridge = img[nearest_row(frequencies(100.0, 8000.0, 40), 1000.0)]
    assert np.abs(ridge + 6.02).max() < 1.0


@pytest.mark.parametrize("method", BOTH)
def test_silence_reads_the_floor(method):
    img = render(np.zeros(SR, np.float32), SR, **GOOD, method=method)
    assert (img == DB_FLOOR).all()


@pytest.mark.parametrize("method", BOTH)
def test_float64_audio_is_accepted(method):
    audio = tone(440.0, 0.5, 1.0)
    a = render(audio, SR, **GOOD, method=method)
    b = render(audio.astype(np.float64), SR, **GOOD, method=method)
    assert b.dtype == np.float32 and np.array_equal(a, b)


def test_cwt_repeats_exactly_with_the_cache_warm():
    audio = tone(440.0, 0.5, 3.0)
    kw = dict(start=0.5, end=2.5, fmin=50.0, fmax=8000.0, width=300, height=64, method="cwt")
    first = render(audio, SR, **kw)
    render(audio, SR, **{**kw, "height": 50, "q": 20.0})  # same region, other rows
    assert np.array_equal(render(audio, SR, **kw), first)


# --- calibration and ridges ----------------------------------------------------------------


@pytest.mark.parametrize("method", BOTH)
def test_a_1khz_sine_at_minus_6_dbfs_peaks_in_its_row_at_minus_6_db(method):
    freqs = frequencies(50.0, 16000.0, 256)
    img = render(
        tone(1000.0, 0.5, 4.0),
        SR,
        start=1.0,
        end=3.0,
        fmin=50.0,
        fmax=16000.0,
        width=200,
        height=256,
        method=method,
    )
    column = img[:, 100]
    assert int(np.argmax(column)) == nearest_row(freqs, 1000.0)
    assert column.max() == pytest.approx(-6.02, abs=0.5)


# The STFT's view (the middle half) is 32 s: just over CWT_MAX_SECONDS, the widest columns
# (0.27 s) of the matched windows' regime, as a zoom first shows it.
@pytest.mark.parametrize("method, seconds", [("cwt", 4.0), ("stft", 64.0)])
@pytest.mark.parametrize("height", [256, 40])  # rows denser, and much sparser, than the CWT
def test_the_ridge_of_a_sine_lies_in_its_row_at_its_level_at_every_frequency(
    method, seconds, height
):
    fmin, fmax = 50.0, 16000.0
    freqs = frequencies(fmin, fmax, height)
    rng = np.random.default_rng(1)
    # Both ends, and every few rows at a random point between row centres.
    every = 7 if height > 100 else 1
    probes = np.concatenate(
        (
            [fmin, fmax],
            freqs[1:-1:every]
            * (fmax / fmin) ** (rng.uniform(-0.45, 0.45, len(freqs[1:-1:every])) / (height - 1)),
        )
    )
    t = np.arange(round(seconds * SR)) / SR
    for f, amp in zip(probes, rng.uniform(0.05, 1.0, probes.size), strict=True):
        audio = (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)
        img = render(
            audio,
            SR,
            start=seconds / 4,
            end=3 * seconds / 4,
            fmin=fmin,
            fmax=fmax,
            width=120,
            height=height,
            method=method,
        )
        ridge = img[:, 10:-10]
        assert (ridge.argmax(axis=0) == nearest_row(freqs, f)).all(), f"{method} {f:.1f} Hz"
        assert np.abs(ridge.max(axis=0) - 20 * np.log10(amp)).max() < 0.5, f"{method} {f:.1f} Hz"


def two_tone_dip(ratio: float, q: float | None) -> float:
    """dB between the weaker of two equal tones' rows and the weakest row between them.

    Columns are 1 ms, well under the beat period, so a row's mean power over the view is the
    sum of the two tones' powers through that row's wavelet: what the eye sees. (With columns
    wider than the beat, max-pooling reads the beat's peaks between the tones instead.)
    """
    f1, f2 = 1000.0 / math.sqrt(ratio), 1000.0 * math.sqrt(ratio)
    audio = tone(f1, 0.5, 2.0) + tone(f2, 0.5, 2.0)
    freqs = frequencies(500.0, 2000.0, 300)
    img = render(
        audio,
        SR,
        start=0.5,
        end=1.5,
        fmin=500.0,
        fmax=2000.0,
        width=1000,
        height=300,
        method="cwt",
        q=q,
    )
    level = 10 * np.log10(np.mean(10 ** (img / 10), axis=1))
    r1, r2 = nearest_row(freqs, f1), nearest_row(freqs, f2)
    return float(min(level[r1], level[r2]) - level[r1 + 1 : r2].min())


def test_a_whole_tone_is_resolved_at_the_default_q():
    assert two_tone_dip(2 ** (2 / 12), None) >= 6.0


def test_a_semitone_is_resolved_at_q_34():
    assert two_tone_dip(2 ** (1 / 12), 34.0) >= 6.0
    assert two_tone_dip(2 ** (1 / 12), None) < 6.0  # and q matters


@pytest.mark.parametrize("method", BOTH)
def test_a_click_shows_in_its_column(method):
    start, end, width = 1.0, 3.0, 200
    dt = (end - start) / width
    audio = np.zeros(4 * SR, np.float32)
    column = 123
    audio[round((start + (column + 0.5) * dt) * SR)] = 1.0
    img = render(
        audio,
        SR,
        start=start,
        end=end,
        fmin=50.0,
        fmax=16000.0,
        width=width,
        height=128,
        method=method,
    )
    assert (img.argmax(axis=1) == column).all()
    assert (img[:, column] > -80).all()


def test_stft_of_a_long_view_misses_no_click():
    # 20 minutes in 100 columns: several frames per column, placed so that none is missed.
    sr, minutes, width = 8000, 20, 100
    audio = np.zeros(minutes * 60 * sr, np.float32)
    rng = np.random.default_rng(3)
    where = rng.choice(np.arange(1, width - 1), 12, replace=False)
    times = (where + rng.uniform(0, 1, where.size)) * minutes * 60 / width
    audio[(times * sr).astype(int)] = 1.0
    img = render(
        audio,
        sr,
        start=0.0,
        end=minutes * 60.0,
        fmin=100.0,
        fmax=3000.0,
        width=width,
        height=64,
        method="stft",
    )
    assert (
        stft.frames_per_column(
            stft_window_size(sr, 0.0, minutes * 60.0, width, 100.0, 3000.0, 64),
            minutes * 60 * sr / width,
            width,
        )
        > 1
    )
    level = img.max(axis=0)
    assert level[where].max() - level[where].min() < 7.0  # at most 6.8 dB lost between frames
    quiet = np.setdiff1d(np.arange(width), np.concatenate((where - 1, where, where + 1)))
    assert level[quiet].max() < level[where].min() - 20


# --- the CWT against a brute-force, full-resolution reference ------------------------------


def reference_cwt(audio, sr, start, end, freqs, width, q):
    """Direct convolution at every sample with the same wavelet, max-pooled the same way."""
    length = 2**16
    grid = np.fft.fftfreq(length, 1.0 / sr)
    first = math.floor(start * sr)
    last = math.ceil(end * sr)
    edges = np.ceil((start + np.arange(width + 1) * (end - start) / width) * sr).astype(int)
    rows, firsts = cwt.analysis_rows(freqs, cwt.morlet(q), sr / 2)
    out = np.empty((len(rows), width))
    for r, fc in enumerate(rows):
        kernel = np.fft.ifft(cwt.morlet_response(grid, fc, q))
        half = math.ceil(8 * cwt.HPBW_PER_SIGMA * q / (2 * math.pi * fc) * sr)  # 8 sigmas
        kernel = np.concatenate((kernel[-half:], kernel[: half + 1]))  # h[-half .. half]
        padded = np.zeros(last - first + 2 * half)
        lo, hi = max(0, first - half), min(audio.size, last + half)
        padded[lo - (first - half) : hi - (first - half)] = audio[lo:hi]
        analytic = np.convolve(padded, kernel, "valid")  # sample first + i at index i
        power = np.abs(analytic[: edges[-1] - first]) ** 2
        out[r] = np.maximum.reduceat(power, edges[:-1] - first)
    out = np.maximum.reduceat(out, firsts, axis=0)
    return 10 * np.log10(np.maximum(out, 1e-16))


def test_cwt_matches_a_brute_force_reference_at_every_pixel_above_minus_60_db():
    sr, seconds = 8000, 1.2
    t = np.arange(round(seconds * sr)) / sr
    rng = np.random.default_rng(7)
    audio = (
        0.5 * np.sin(2 * np.pi * 220 * t)
        + 0.1 * np.sin(2 * np.pi * 1300 * t + 1)
        + 0.05 * np.sin(2 * np.pi * (500 * t + 1000 * t**2))  # 500 -> 2900 Hz
        + 0.003 * rng.standard_normal(t.size)
    )
    audio *= np.minimum(1.0, np.minimum(t, seconds - t) / 0.1)  # no steps at the clip's ends
    audio[[4567, 5018]] += [0.5, -0.2]  # clicks, one near a column edge
    audio = audio.astype(np.float32)
    start, end, width, height, q = 0.35, 0.85, 101, 47, DEFAULT_Q
    # Up to where the top row's band stays below Nyquist: one cut off there is not a Gaussian
    # any more, and its slowly decaying time-domain tails defeat a finite direct convolution.
    freqs = frequencies(100.0, 3400.0, height)
    ours = render(
        audio,
        sr,
        start=start,
        end=end,
        fmin=100.0,
        fmax=3400.0,
        width=width,
        height=height,
        method="cwt",
        q=q,
    )
    ref = reference_cwt(audio.astype(np.float64), sr, start, end, freqs, width, q)
    loud = ref > -60
    assert loud.mean() > 0.25
    assert np.abs(ours - ref)[loud].max() < 0.5


def test_cwt_clicks_on_silence_match_the_reference():
    sr = 8000
    audio = np.zeros(sr, np.float32)
    audio[[3001, 4567]] = [1.0, 0.25]
    start, end, width, height = 0.3, 0.7, 80, 31
    freqs = frequencies(100.0, 3400.0, height)
    ours = render(
        audio,
        sr,
        start=start,
        end=end,
        fmin=100.0,
        fmax=3400.0,
        width=width,
        height=height,
        method="cwt",
    )
    ref = reference_cwt(audio.astype(np.float64), sr, start, end, freqs, width, DEFAULT_Q)
    loud = ref > -60
    assert np.abs(ours - ref)[loud].max() < 0.5
    # Each click's peak in every row.
    for cols in (slice(0, 40), slice(40, 80)):
        assert np.abs(ours[:, cols].max(axis=1) - ref[:, cols].max(axis=1)).max() < 0.25


@pytest.mark.parametrize("method, end", [("cwt", 2.0), ("stft", 2.0)])
def test_render_reports_its_progress_to_the_end(method, end):
    calls = []
    audio = tone(440.0, 0.5, 2.0)
    render(
        audio,
        SR,
        start=0.0,
        end=end,
        fmin=50.0,
        fmax=8000.0,
        width=300,
        height=64,
        method=method,
        report=lambda done, total: calls.append((done, total)),
    )
    assert calls, "no progress was reported"
    dones = [done for done, _ in calls]
    assert dones == sorted(dones) and len({total for _, total in calls}) == 1
    assert calls[-1][0] == calls[-1][1] > 0


# --- edge cones ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", BOTH)
def test_edge_cones_are_nan_where_the_analysis_reaches_past_the_audio(method):
    audio = tone(1000.0, 0.5, 2.0)
    view = dict(start=-0.5, end=2.5, fmin=50.0, fmax=8000.0, width=300, height=40, method=method)
    marked = render(audio, SR, **view, mark_edges=True)
    plain = render(audio, SR, **view)
    cones = np.isnan(marked)
    assert np.array_equal(marked[~cones], plain[~cones]) and not np.isnan(plain).any()
    # Outside the audio, everything; inside, a cone as wide as the row's time resolution,
    # so wider at low rows; the middle of the file is in no cone.
    times = -0.5 + (np.arange(300) + 0.5) / 100
    assert cones[:, (times < 0) | (times > 2)].all()
    inside = cones[:, (times > 0) & (times < 1)].sum(axis=1)
    assert inside[0] > inside[-1] and np.all(np.diff(inside) <= 0)
    assert not cones[:, np.abs(times - 1.0) < 0.25].any()
    if method == "cwt":  # the 50 Hz row: 2.15 time sigmas of the Morlet at q = 16
        sigma = cwt.HPBW_PER_SIGMA * DEFAULT_Q / (2 * math.pi * 50.0)
        assert inside[0] == pytest.approx(EDGE_CONE_SIGMAS * sigma * 100, abs=1)


# --- part of an image ----------------------------------------------------------------------


@pytest.mark.parametrize("seconds, width", [(5.0, 300), (100.0, 2000), (700.0, 2000)])
def test_stft_columns_are_those_of_the_whole_image_bit_for_bit(seconds, width):
    # Short views interpolate between frames on a grid, long ones max-pool frames per
    # column: both must give a column the value it has in the whole image.
    audio = np.random.default_rng(1).standard_normal(round(seconds * 8000)).astype(np.float32)
    view = dict(start=0.0, end=seconds, fmin=20.0, fmax=4000.0, width=width, height=48)
    whole = render(audio, 8000, **view, method="stft", mark_edges=True)
    cuts = [0, 1, width // 3, width // 3 + 7, width - 1, width]
    parts = [
        render(audio, 8000, **view, method="stft", mark_edges=True, columns=(a, b))
        for a, b in itertools.pairwise(cuts)
    ]
    assert np.array_equal(np.hstack(parts), whole, equal_nan=True)


def test_columns_read_no_sample_beyond_their_reach():
    # What a growing overview relies on: columns ending COLUMN_REACH before the samples
    # written so far read none of the samples still to come.
    sr, seconds, width = 8000, 200.0, 400
    audio = np.random.default_rng(2).standard_normal(round(seconds * sr)).astype(np.float32)
    view = dict(start=0.0, end=seconds, fmin=20.0, fmax=4000.0, width=width, height=32)
    whole = render(audio, sr, **view, method="stft")
    written = audio.size // 2
    stop = int((written - stft.COLUMN_REACH) / (audio.size / width))
    partial = audio.copy()
    partial[written:] = np.nan  # anything read from here on would show
    part = render(partial, sr, **view, method="stft", columns=(0, stop))
    assert np.array_equal(part, whole[:, :stop])


@pytest.mark.parametrize(
    "columns, method, words",
    [
        ((0, 10), "cwt", "only the STFT"),
        ((5, 5), "stft", "below stop"),
        ((7, 3), "stft", "below stop"),
        ((0, 65), "stft", "columns"),
        ((-1, 3), "stft", "columns"),
        ((0.5, 3), "stft", "columns"),
        ((0, 1, 2), "stft", "first, stop"),
        ("all", "stft", "first, stop"),
    ],
)
def test_bad_columns_raise_one_clear_error(columns, method, words):
    with pytest.raises(SpectrumError, match=words):
        render(tone(440, 0.5, 1.0), SR, **GOOD, method=method, columns=columns)

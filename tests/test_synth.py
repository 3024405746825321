"""Resynthesis: frequency and level of what is rendered, glides, fades, gaps, Nyquist, chunked
rendering against the full one, mixing and gains, and argument checking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import hilbert

from workers import synth
from workers.snap import snap_trace
from workers.synth import FADE_SECONDS, SynthError, synthesize

SR = 44100


def cents(f, truth):
    return 1200.0 * np.log2(np.asarray(f) / truth)


def track(t0, t1, freq, db, hop=0.005):
    """Points every `hop` from t0 to t1; freq and db are numbers or functions of time."""
    t = np.arange(round((t1 - t0) / hop) + 1) * hop + t0
    f = freq(t) if callable(freq) else np.full_like(t, freq)
    a = db(t) if callable(db) else np.full_like(t, db)
    return np.c_[t, f, a]


def part(x, t0, t1, start=0.0):
    return x[round((t0 - start) * SR) : round((t1 - start) * SR)]


def measure(x):
    """(frequency Hz, peak dBFS) of a steady stretch: Hann window, 8x zero-padded FFT and a
    parabola through the log-magnitude peak; the largest |sample|."""
    n = x.size * 8
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    freq = (k + 0.5 * (a - c) / (a - 2 * b + c)) * SR / n
    return freq, 20 * np.log10(np.abs(x).max())


def instantaneous_frequency(x):
    """Hz per sample from the analytic signal's phase slope (length x.size - 1)."""
    return np.diff(np.unwrap(np.angle(hilbert(x)))) * SR / (2 * np.pi)


# --- what is rendered ------------------------------------------------------------------------


def test_steady_partial_reads_its_frequency_and_level():
    x = synthesize([track(0.1, 1.9, 440.0, -6.02)], SR)
    assert x.dtype == np.float32
    freq, level = measure(part(x, 0.5, 1.5))
    assert abs(cents(freq, 440.0)) < 1
    assert abs(level - -6.02) < 0.5
    assert abs(np.abs(part(x, 0.5, 1.5)).max() - 0.5) < 1e-3  # -6.02 dBFS is a peak of 0.5


def test_snapped_partial_resynthesises_to_the_original():
    """The issue's acceptance test: 440 Hz at -12 dBFS in noise, snapped, resynthesised."""
    t = np.arange(2 * SR) / SR
    amplitude = 10 ** (-12 / 20)
    rng = np.random.default_rng(7)
    original = amplitude * np.sin(2 * np.pi * 440.0 * t + 0.4)
    noisy = (original + rng.normal(0, amplitude / np.sqrt(2) / 10, t.size)).astype(np.float32)
    points = snap_trace(noisy, SR, [[0.2, 450.0], [1.8, 430.0]])
    assert np.isfinite(points[:, 1]).mean() > 0.95
    x = synthesize([points], SR, end=2.0)
    assert x.size == 2 * SR
    freq, level = measure(part(x, 0.4, 1.6))
    original_freq, original_level = measure(part(original, 0.4, 1.6))
    assert abs(cents(freq, original_freq)) < 1
    assert abs(cents(freq, 440.0)) < 1
    assert abs(level - original_level) < 0.5
    assert abs(level - -12.0) < 0.5


def test_glide_reaches_the_right_frequencies_at_the_right_times():
    # Two points two octaves apart: the glide is linear in log-frequency, 220 * 4**(t - 0.1).
    x = synthesize([np.array([[0.1, 220.0, -6.0], [1.1, 880.0, -6.0]])], SR)
    inst = instantaneous_frequency(x)
    for when in (0.2, 0.35, 0.6, 0.85, 1.0):
        i = round(when * SR)
        measured = np.median(inst[i - 50 : i + 50])
        assert abs(cents(measured, 220.0 * 4 ** (when - 0.1))) < 2, when


def test_glide_matches_the_closed_form_integral_of_its_frequency():
    # Phase starts at 0 where the fade-in starts and holds f0 for the fade.
    f0, f1, t0, t1 = 300.0, 1200.0, 0.2, 0.7
    x = synthesize([np.array([[t0, f0, 0.0], [t1, f1, 0.0]])], SR, end=1.0)
    t = np.arange(round(0.25 * SR), round(0.65 * SR)) / SR
    rate = np.log(f1 / f0) / (t1 - t0)
    cycles = f0 * FADE_SECONDS + f0 / rate * np.expm1(rate * (t - t0))
    assert np.abs(x[round(0.25 * SR) : round(0.65 * SR)] - np.sin(2 * np.pi * cycles)).max() < 1e-4


def test_amplitude_is_interpolated_in_linear_amplitude():
    x = synthesize([np.array([[0.1, 1000.0, 0.0], [0.9, 1000.0, -20.0]])], SR)
    envelope = np.abs(hilbert(x))
    middle = np.median(envelope[round(0.49 * SR) : round(0.51 * SR)])
    assert abs(middle - (1.0 + 0.1) / 2) < 2e-3


def test_onsets_and_ends_fade_without_clicks():
    f, amp = 1000.0, 0.5
    x = synthesize([track(0.1, 0.5, f, 20 * np.log10(amp))], SR)
    assert x[0] == 0 and x[-1] == 0
    assert x.size == int(np.ceil((0.5 + FADE_SECONDS) * SR)) + 1
    assert not part(x, 0.0, 0.1 - FADE_SECONDS).any()
    steady_step = 2 * amp * np.sin(np.pi * f / SR)  # largest step of the steady sine
    for t0, t1 in ((0.1 - FADE_SECONDS, 0.1), (0.5, 0.5 + FADE_SECONDS)):
        fade = part(x, t0 - 0.001, t1 + 0.001)
        assert np.abs(np.diff(fade)).max() <= 1.02 * steady_step
    # The fades are outside the points: the first and last points sound at full level.
    assert np.abs(part(x, 0.1, 0.102)).max() > 0.99 * amp
    assert np.abs(part(x, 0.498, 0.5)).max() > 0.99 * amp
    # A hard onset would step by up to amp; the fade's first samples are tiny.
    first = round((0.1 - FADE_SECONDS) * SR)
    assert np.abs(x[first : first + 3]).max() < 1e-4


def test_gaps_are_silent_inside_and_the_phase_continues():
    points = track(0.1, 1.0, lambda t: 500 * 2 ** (t / 2), -10.0)
    gapped = points.copy()
    inside = (points[:, 0] > 0.4 + 1e-9) & (points[:, 0] < 0.6 - 1e-9)
    gapped[inside, 1:] = np.nan
    x = synthesize([gapped], SR)
    whole = synthesize([points], SR)
    assert not part(x, 0.4 + FADE_SECONDS + 1 / SR, 0.6 - FADE_SECONDS).any()
    steady_step = 2 * 10 ** (-10 / 20) * np.sin(np.pi * 500 * 2**0.3 / SR)
    assert np.abs(np.diff(part(x, 0.39, 0.61))).max() <= 1.05 * steady_step
    # Outside the gap and its fades, the same samples as without the gap (same phase).
    assert np.abs(part(x, 0.0, 0.4) - part(whole, 0.0, 0.4)).max() < 1e-6
    assert np.abs(part(x, 0.6, 1.0) - part(whole, 0.6, 1.0)).max() < 1e-6


def test_a_single_nan_point_makes_fades_that_meet_in_the_middle():
    points = track(0.1, 0.5, 800.0, -6.0)
    points[40, 1:] = np.nan  # t = 0.3: the neighbours' fades end and start there
    x = synthesize([points], SR)
    assert abs(x[round(0.3 * SR)]) < 1e-3
    assert np.abs(part(x, 0.29, 0.31)).max() > 0.4


def test_above_nyquist_is_silent_not_aliased():
    # 20 kHz to 24 kHz over 1 s at 44.1 kHz: crosses 22.05 kHz at about t = 0.61.
    points = track(0.1, 1.1, lambda t: 20000 * 1.2 ** (t - 0.1), -6.0)
    x = synthesize([points], SR)
    crossing = points[np.argmax(points[:, 1] >= SR / 2), 0]
    assert 0.5 < crossing < 0.7
    assert np.abs(part(x, 0.2, crossing - 0.01)).max() > 0.4
    assert not part(x, crossing - 0.005 + FADE_SECONDS, 1.2).any()
    high = synthesize([track(0.1, 0.5, 30000.0, 0.0)], SR, end=0.6)
    assert high.size == round(0.6 * SR) and not high.any()


def test_partials_with_fewer_than_two_valid_points_are_silent():
    lone = np.array([[0.1, 440.0, 0.0], [0.2, np.nan, np.nan], [0.3, 440.0, 0.0]])
    assert not synthesize([lone, np.empty((0, 3)), [[0.1, 440.0, 0.0]]], SR, end=0.5).any()
    assert synthesize([lone], SR).size == 0  # end=None: nothing sounds, nothing to render
    assert synthesize([], SR).size == 0


# --- windows and chunks ----------------------------------------------------------------------


def vibrato_partial(duration=12.0):
    return track(
        0.05,
        duration,
        lambda t: 660 * 2 ** (40 / 1200 * np.sin(2 * np.pi * 5.5 * t)),
        lambda t: -10 - 6 * np.sin(2 * np.pi * 0.3 * t),
    )


def test_a_window_renders_the_same_samples_as_the_full_rendering():
    points = vibrato_partial()
    points[700:720, 1:] = np.nan  # a gap, too
    full = synthesize([points], SR)
    for start, end in (
        (0.0, 0.5),
        (3.3, 3.7),
        (2.0 + 17 / SR, 7.5),
        (11.9, 12.2),
        (-0.5, 0.25),
        (3.49, 3.61),
    ):
        window = synthesize([points], SR, start=start, end=end)
        n0 = round(start * SR)
        assert window.size == round(end * SR) - n0
        lo = max(n0, 0)
        expected = full[lo : n0 + window.size]
        assert np.abs(window[lo - n0 : lo - n0 + expected.size] - expected).max() < 1e-5
        assert not window[: lo - n0].any()  # before the partial's fade-in: silence


def test_internal_chunk_size_does_not_change_the_samples(monkeypatch):
    points = vibrato_partial(3.0)
    full = synthesize([points], SR)
    monkeypatch.setattr(synth, "CHUNK", 997)
    assert np.abs(synthesize([points], SR) - full).max() < 1e-5


def test_a_long_partial_keeps_its_phase():
    # 20 minutes at 5 ms: the end is still exactly in phase with the closed form.
    points = np.array([[0.0, 1000.0, 0.0], [1200.0, 1000.0, 0.0]])
    x = synthesize([points], SR, start=1199.0, end=1199.01)
    t = np.arange(round(1199.0 * SR), round(1199.01 * SR)) / SR
    assert np.abs(x - np.sin(2 * np.pi * 1000.0 * (t + FADE_SECONDS))).max() < 1e-5


# --- mixing ----------------------------------------------------------------------------------


def test_two_partials_add_and_gains_mute_and_scale():
    a = track(0.1, 1.0, 440.0, -12.0)
    b = track(0.3, 0.8, lambda t: 700 + 100 * t, -18.0)
    both = synthesize([a, b], SR)
    alone_a = synthesize([a], SR, end=both.size / SR)
    alone_b = synthesize([b], SR, end=both.size / SR)
    assert np.abs(both - (alone_a + alone_b)).max() < 1e-6
    assert np.abs(synthesize([a, b], SR, gains=[0, 1]) - alone_b).max() < 1e-7
    assert np.abs(synthesize([a, b], SR, gains=[0.5, 0]) - 0.5 * alone_a).max() < 1e-7
    # Muting does not change the length.
    assert synthesize([a, b], SR, gains=[1, 0]).size == both.size


GOOD = [[0.1, 440.0, -6.0], [0.2, 440.0, -6.0]]


@pytest.mark.parametrize(
    "partials, sr, kwargs, words",
    [
        ([GOOD], 0, {}, "sr must be between"),
        ([GOOD], 500, {}, "sr must be between"),
        ([GOOD], 1_000_000, {}, "sr must be between"),
        ([GOOD], 44100.0, {}, "sr must be an integer"),
        ([GOOD], True, {}, "sr must be an integer"),
        ([[[0.1, 440.0], [0.2, 440.0]]], SR, {}, "shape (n, 3)"),
        ([np.zeros((2, 3, 1))], SR, {}, "shape (n, 3)"),
        ([[["a", 440, 0], [0.2, 440, 0]]], SR, {}, "must be an array"),
        (np.array(GOOD), SR, {}, "not one array"),
        (5, SR, {}, "sequence of (n, 3) arrays"),
        ([[[0.2, 440.0, 0.0], [0.1, 440.0, 0.0]]], SR, {}, "times must be sorted"),
        ([[[np.nan, 440.0, 0.0], [0.1, 440.0, 0.0]]], SR, {}, "times must be finite"),
        ([[[0.0, 440.0, 0.0], [np.inf, 440.0, 0.0]]], SR, {}, "times must be finite"),
        ([[[0.0, 440.0, 0.0], [2e7, 440.0, 0.0]]], SR, {}, "within"),
        ([[[0.0, 0.0, 0.0], [0.1, 440.0, 0.0]]], SR, {}, "above 0 Hz"),
        ([[[0.0, -5.0, 0.0], [0.1, 440.0, 0.0]]], SR, {}, "above 0 Hz"),
        ([[[0.0, np.inf, 0.0], [0.1, 440.0, 0.0]]], SR, {}, "above 0 Hz"),
        ([[[0.0, 440.0, np.inf], [0.1, 440.0, 0.0]]], SR, {}, "at most"),
        ([GOOD], SR, {"start": np.nan}, "start must be finite"),
        ([GOOD], SR, {"start": "0"}, "start must be a number"),
        ([GOOD], SR, {"end": np.inf}, "end must be finite"),
        ([GOOD], SR, {"start": 1.0, "end": 1.0}, "must be after start"),
        ([GOOD], SR, {"start": 1.0, "end": 0.5}, "must be after start"),
        ([GOOD], SR, {"end": 3 * 3600.0}, "at most"),
        ([[[0.0, 440.0, 0.0], [4 * 3600.0, 440.0, 0.0]]], SR, {}, "render it in windows"),
        ([GOOD], SR, {"gains": [1, 1]}, "one number per partial"),
        ([GOOD], SR, {"gains": [-1]}, "at least 0"),
        ([GOOD], SR, {"gains": [np.nan]}, "finite"),
        ([GOOD], SR, {"gains": ["x"]}, "sequence of numbers"),
    ],
)
def test_bad_arguments_raise_synth_error_with_a_one_line_message(partials, sr, kwargs, words):
    with pytest.raises(SynthError) as caught:
        synthesize(partials, sr, **kwargs)
    message = str(caught.value)
    assert words in message and "\n" not in message


def test_equal_times_keep_the_last_point_and_lists_are_accepted():
    points = [[0.1, 440.0, -6.0], [0.2, 440.0, -6.0], [0.2, 440.0, -6.0], [0.5, 440.0, -6.0]]
    x = synthesize([points], SR)
    assert np.isfinite(x).all() and abs(np.abs(x).max() - 10 ** (-6 / 20)) < 1e-3

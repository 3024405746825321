"""Tests for app.files.demo: the generated demo recording matches its documentation."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.files import demo
from app.files.demo import DEMO_EVENTS, DEMO_SAMPLE_RATE, DEMO_SECONDS, demo_audio, demo_signal

SR = DEMO_SAMPLE_RATE


@pytest.fixture(scope="module")
def y() -> np.ndarray:
    return demo_signal()


def spectrum_at(y: np.ndarray, t: float, n: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude spectrum of an n-sample Hann-windowed slice centred on t seconds."""
    start = round(t * SR) - n // 2
    frame = y[start : start + n].astype(np.float64) * np.hanning(n)
    return np.fft.rfftfreq(n, 1 / SR), np.abs(np.fft.rfft(frame)) / (n / 4)


def peak_near(y: np.ndarray, t: float, f: float, tol: float, n: int = 4096) -> float:
    """Frequency of the strongest bin within f +- tol Hz at time t, checking it stands out."""
    freqs, mag = spectrum_at(y, t, n)
    band = (freqs > f - tol) & (freqs < f + tol)
    assert mag[band].max() > 100 * np.median(mag), f"no energy at {f} Hz, t={t} s"
    return float(freqs[band][np.argmax(mag[band])])


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_shape_dtype_peak(y):
    assert y.shape == (round(DEMO_SECONDS * SR),)
    assert y.dtype == np.float32
    assert np.isfinite(y).all()
    assert 0.5 < np.abs(y).max() <= 0.9


def test_deterministic(y):
    np.testing.assert_array_equal(demo_signal(), y)


def test_fast():
    start = time.perf_counter()
    demo_signal()
    assert time.perf_counter() - start < 0.3


def test_demo_audio():
    a = demo_audio()
    assert a.path is None and a.name == "Demo recording"
    assert (a.format, a.subtype, a.channels, a.sample_rate) == ("GENERATED", "FLOAT", 1, SR)
    assert a.frames == len(a.samples) == round(DEMO_SECONDS * SR)
    assert a.duration == pytest.approx(DEMO_SECONDS)
    assert not a.samples.flags.writeable and a.samples.flags.c_contiguous
    assert a.info()["name"] == "Demo recording"


def test_events_table():
    names = [e.name for e in DEMO_EVENTS]
    assert names == ["vibrato tone", "glissando", "chord", "chirp", "band noise"]
    for (_, start, end, description), nxt in zip(
        DEMO_EVENTS, (*DEMO_EVENTS[1:], None), strict=True
    ):
        assert 0 <= start < end <= DEMO_SECONDS and description
        if nxt:
            assert end <= nxt.start_s  # no overlap: each event can be checked alone


@pytest.mark.parametrize("t", [1.0, 2.5, 4.0])
def test_vibrato_tone(y, t):
    for k in (1, 2, 5, 10):
        # +-40 cents around k * 220 Hz
        assert abs(peak_near(y, t, k * 220.0, tol=k * 8) - k * 220.0) < k * 6 + 6
    # the vibrato really moves the pitch: the 10th partial wanders over time
    track = [peak_near(y, t0, 2200.0, 80, n=2048) for t0 in np.arange(1.0, 1.2, 0.02)]
    assert max(track) - min(track) > 40


@pytest.mark.parametrize("t", [5.5, 6.5, 7.5])
def test_glissando(y, t):
    f0 = 300 * 3 ** ((t - 5) / 3)
    for k in (1, 2, 3):
        assert peak_near(y, t, k * f0, tol=k * 20, n=2048) == pytest.approx(k * f0, rel=0.03)


def test_chord(y):
    for f0 in demo.CHORD_F0:
        for k in (1, 2, 3):
            assert peak_near(y, 10.5, k * f0, tol=6) == pytest.approx(k * f0, abs=6)


@pytest.mark.parametrize("t", [13.5, 14.5, 15.5])
def test_chirp(y, t):
    f = 100 * 80 ** ((t - 13) / 3)
    assert peak_near(y, t, f, tol=0.1 * f, n=1024) == pytest.approx(f, rel=0.1)


def test_band_noise(y):
    freqs, mag = spectrum_at(y, 17.5, n=16384)
    inside = mag[(freqs > 2200) & (freqs < 3800)].mean()
    below = mag[(freqs > 200) & (freqs < 1800)].mean()
    above = mag[(freqs > 4500) & (freqs < 8000)].mean()
    assert inside > 30 * below and inside > 30 * above
    assert rms_db(y[round(16.7 * SR) : round(18.3 * SR)]) == pytest.approx(-20, abs=0.5)


@pytest.mark.parametrize(
    ("start", "end"), [(0.0, 0.5), (4.5, 5.0), (8.0, 9.0), (12.0, 13.0), (16.0, 16.5), (18.5, 20.0)]
)
def test_noise_floor_between_events(y, start, end):
    gap = y[round(start * SR) : round(end * SR)]
    assert rms_db(gap) == pytest.approx(-60, abs=1)
    assert np.abs(gap).max() < 0.01


def test_smooth_onsets(y):
    # Raised-cosine fades: the first and last samples of each event are at
    # noise-floor level, so no event starts or stops with a click.
    for e in DEMO_EVENTS:
        for t in (e.start_s, e.end_s):
            i = round(t * SR)
            assert np.abs(y[i - 3 : i + 3]).max() < 0.01, (e.name, t)


@pytest.mark.parametrize("sr", [8_000, 16_000, 48_000])
def test_other_sample_rates(sr):
    y = demo_signal(sr)
    assert y.shape == (round(DEMO_SECONDS * sr),) and y.dtype == np.float32
    assert np.isfinite(y).all() and np.abs(y).max() <= 0.9

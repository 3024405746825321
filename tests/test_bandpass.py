"""Hearing a region: the zero-phase band-pass, the player's band-limited chunks (which must
join as the whole would be filtered) and a region written as audio."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from test_playback import _chunk, _store

from app.compute.playback import AudioChunks
from app.document.audio_file import AudioFile
from app.files.region_audio import write_region
from workers.bandpass import BandPassError, band_pass, settle_seconds

SR = 8000


def _level_db(samples: np.ndarray, freq: float, sr: int = SR) -> float:
    """Level of the `freq` Hz component, dB re a full-scale sine (Hann-windowed FFT)."""
    window = np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(samples * window)) * 2 / window.sum()
    k = round(freq * samples.size / sr)
    return 20 * np.log10(spectrum[k - 2 : k + 3].max() + 1e-30)


def _tones(freqs, seconds=2.0, sr=SR):
    t = np.arange(round(seconds * sr)) / sr
    return sum(0.2 * np.sin(2 * np.pi * f * t) for f in freqs).astype(np.float32)


def test_the_band_is_kept_and_the_rest_cut_by_more_than_40_db():
    signal = _tones((100.0, 500.0, 2500.0))
    kept = band_pass(signal, SR, 300.0, 1000.0)
    assert kept.dtype == np.float32 and kept.shape == signal.shape
    middle = kept[SR // 2 : -SR // 2]
    assert abs(_level_db(middle, 500.0) - 20 * np.log10(0.2)) < 0.5
    assert _level_db(middle, 100.0) < 20 * np.log10(0.2) - 40
    assert _level_db(middle, 2500.0) < 20 * np.log10(0.2) - 40
    # No phase shift: the kept tone lies on the original one.
    t = np.arange(signal.size) / SR
    tone = 0.2 * np.sin(2 * np.pi * 500.0 * t)
    assert np.max(np.abs(middle - tone[SR // 2 : -SR // 2])) < 0.01


def test_a_band_from_0_hz_or_up_to_nyquist_is_a_low_or_high_pass():
    signal = _tones((100.0, 3000.0))
    low = band_pass(signal, SR, 0.0, 1000.0)[SR // 2 : -SR // 2]
    high = band_pass(signal, SR, 1000.0, SR / 2)[SR // 2 : -SR // 2]
    assert _level_db(low, 100.0) > -15 > -40 > _level_db(low, 3000.0)
    assert _level_db(high, 3000.0) > -15 > -40 > _level_db(high, 100.0)
    everything = band_pass(signal, SR, 0.0, SR / 2)
    assert np.array_equal(everything, signal) and everything is not signal


@pytest.mark.parametrize(
    "fmin, fmax, words",
    [
        (500.0, 500.0, "below"),
        (600.0, 500.0, "below"),
        (-1.0, 500.0, "within"),
        (100.0, SR, "within"),
        (float("nan"), 500.0, "fmin"),
    ],
)
def test_a_band_that_cannot_be_filtered_is_one_clear_error(fmin, fmax, words):
    with pytest.raises(BandPassError, match=words):
        band_pass(_tones((440.0,)), SR, fmin, fmax)


@pytest.mark.parametrize("fmin, fmax", [(20.0, 4000.0), (200.0, 400.0), (440.0, 460.0)])
def test_a_stretch_filtered_with_its_settling_margins_matches_the_whole(fmin, fmax):
    signal = np.random.default_rng(1).standard_normal(12 * SR).astype(np.float32) * 0.1
    whole = band_pass(signal, SR, fmin, fmax)
    margin = round(settle_seconds(fmin, fmax) * SR)
    a, b = 6 * SR, 6 * SR + SR // 2
    part = band_pass(signal[a - margin : b + margin], SR, fmin, fmax)[margin : margin + b - a]
    rms = np.sqrt(np.mean(whole**2))
    assert np.max(np.abs(part - whole[a:b])) < rms * 1e-3  # -60 dB


def test_band_limited_chunks_join_as_the_whole_is_filtered():
    chunks = AudioChunks(_store())  # two partials, 100 and 200 Hz, at a 1 kHz rate
    band = {"fmin": 150.0, "fmax": 250.0}
    pieces = [
        _chunk(chunks, start=s, seconds=0.25, mode="partials", **band) for s in (0.5, 0.75, 1.0)
    ]
    joined = np.concatenate(pieces)
    whole = _chunk(chunks, start=0.5, seconds=0.75, mode="partials", **band)
    np.testing.assert_allclose(joined, whole, atol=1e-4)
    spectrum = np.abs(np.fft.rfft(joined))  # 0.75 s: 4/3 Hz a bin
    assert spectrum[round(200 * 0.75)] > 100 * spectrum[round(100 * 0.75)]
    unlimited = _chunk(chunks, start=0.5, seconds=0.75, mode="partials")
    assert np.abs(np.fft.rfft(unlimited))[round(100 * 0.75)] > 100 * spectrum[round(100 * 0.75)]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"fmin": "100"}, "numbers"),
        ({"fmin": "300", "fmax": "200"}, "band"),
        ({"fmin": "nan", "fmax": "200"}, "band"),
        ({"fmin": "-5", "fmax": "200"}, "band"),
    ],
)
def test_a_bad_band_in_a_chunk_query_is_a_value_error(query, message):
    with pytest.raises(ValueError, match=message):
        AudioChunks(_store())({"start": "0", "seconds": "1", **query})


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_a_region_is_written_as_its_stretch_of_audio_band_limited_or_not(tmp_path, fmt):
    sr = 1000
    samples = _tones((100.0, 300.0), seconds=25.0, sr=sr)  # several blocks with margins
    audio = AudioFile(None, "tones", samples, sr, 1, samples.size, "GENERATED", "FLOAT")
    plain = tmp_path / f"plain.{fmt}"
    assert write_region(audio, 2.0, 23.0, None, plain, fmt) == 21 * sr
    read, rate = sf.read(plain, dtype="float32")
    assert rate == sr and np.allclose(read, samples[2 * sr : 23 * sr], atol=1e-5)
    banded = tmp_path / f"band.{fmt}"
    write_region(audio, 2.0, 23.0, (200.0, 400.0), banded, fmt)
    read, _ = sf.read(banded, dtype="float32")
    whole = band_pass(samples, sr, 200.0, 400.0)[2 * sr : 23 * sr]
    assert np.max(np.abs(read - whole)) < 1e-3  # the blocks join as one filtering
    assert _level_db(read[sr:-sr], 100.0, sr) < -50 < _level_db(read[sr:-sr], 300.0, sr)

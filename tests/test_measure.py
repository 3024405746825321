"""The measurement panes' data: the spectrum slice at the cursor and the view's waveform."""

import base64
import json

import numpy as np
import pytest
import soundfile as sf

from app.compute.measurement import BLOCK, Measurements
from app.document.audio_file import AudioFile
from app.shell.session import Session
from workers.measure import MeasureError, min_max_envelope, spectrum_slice
from workers.rows import row_edges
from workers.spectrum import frequencies

SR = 44100


def _two_partials(seconds=2.0):
    t = np.arange(round(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * 440.3 * t) + 0.05 * np.sin(2 * np.pi * 1234.5 * t)).astype(
        np.float32
    )


def test_slice_peaks_are_the_partials_frequencies_and_levels():
    levels, peaks = spectrum_slice(_two_partials(), SR, 1.0, 20.0, 20000.0, 500)
    # Exactly two peaks: the window's side lobes are far below the 60 dB labelled.
    assert len(peaks) == 2
    (f1, a1), (f2, a2) = peaks
    assert f1 == pytest.approx(440.3, abs=0.05) and a1 == pytest.approx(-6.02, abs=0.05)
    assert f2 == pytest.approx(1234.5, abs=0.05) and a2 == pytest.approx(-26.02, abs=0.05)
    # The rows: log-spaced from fmin, the loudest where 440 Hz is.
    assert levels.shape == (500,) and levels.dtype == np.float32
    row = int(np.argmax(levels))
    centres = frequencies(20.0, 20000.0, 500)
    assert abs(np.log(centres[row] / 440.3)) < np.log(20000 / 20) / 499
    assert levels[row] == pytest.approx(-6.02, abs=0.2)


def test_a_linear_slice_has_evenly_spaced_rows_each_reading_its_band():
    levels, peaks = spectrum_slice(_two_partials(), SR, 1.0, 20.0, 20000.0, 500, "linear")
    centres = frequencies(20.0, 20000.0, 500, "linear")
    for f, level in peaks[:2]:
        row = int(np.searchsorted(row_edges(centres, "linear"), f)) - 1
        assert levels[row] == pytest.approx(level, abs=0.1)
    with pytest.raises(MeasureError, match="scale must be one of log, linear"):
        spectrum_slice(_two_partials(), SR, 1.0, 20.0, 20000.0, 500, "bark")


def test_slice_outside_the_samples_is_silence_and_bad_arguments_one_error():
    levels, peaks = spectrum_slice(_two_partials(0.2), SR, 5.0, 20.0, 20000.0, 10)
    assert peaks == [] and np.all(levels <= -200)
    for args, message in [
        ((float("nan"), 20.0, 100.0, 10), "time must be finite"),
        ((1.0, 100.0, 20.0, 10), "0 < fmin < fmax"),
        ((1.0, 20.0, 100.0, 0), "rows must be between"),
    ]:
        with pytest.raises(MeasureError, match=message):
            spectrum_slice(_two_partials(0.2), SR, *args)


@pytest.mark.parametrize("first, last, columns", [(0, 88200, 700), (1000, 1400, 100), (5, 9, 12)])
def test_envelope_is_each_columns_min_and_max(first, last, columns):
    samples = np.random.default_rng(1).standard_normal(88200).astype(np.float32)
    envelope = min_max_envelope(samples, first, last, columns)
    assert envelope.shape == (columns, 2)
    if last - first >= columns:
        bounds = np.floor(np.linspace(first, last, columns + 1)).astype(int)
        bounds[-1] = last
        for c in range(columns):
            part = samples[bounds[c] : bounds[c + 1]]
            assert tuple(envelope[c]) == (part.min(), part.max())
    else:  # a sample spans columns: each shows its nearest sample, min = max
        assert np.all(envelope[:, 0] == envelope[:, 1])
        assert set(envelope[:, 0]) <= set(samples[first:last])


def test_wide_waveform_reads_the_block_envelope_and_agrees_with_the_samples():
    samples = np.random.default_rng(2).standard_normal(SR * 60).astype(np.float32) * 0.15
    audio = AudioFile(
        path=None, name="noise", samples=samples, sample_rate=SR, channels=1,
        frames=samples.size, format="WAV", subtype="FLOAT",
    )  # fmt: skip
    measurements = Measurements()
    columns = 600
    assert SR * 60 / columns >= BLOCK  # the block envelope answers
    reply = measurements.waveform(audio, 0.0, 60.0, columns)
    envelope = np.frombuffer(base64.b64decode(reply["envelope"]), "<i2").reshape(columns, 2)
    # Each column is the samples of its share of the blocks: its bounds to a block.
    blocks = -(-samples.size // BLOCK)
    bounds = np.floor(np.linspace(0, blocks, columns + 1)).astype(int) * BLOCK
    for c in range(columns):
        part = samples[bounds[c] : bounds[c + 1]]
        assert tuple(envelope[c]) == tuple(np.rint(np.array([part.min(), part.max()]) * 32767))
        assert abs(bounds[c] - c * samples.size / columns) < BLOCK


def test_bridge_slice_and_waveform_are_strict_json_and_refuse_bad_values(tmp_path):
    path = tmp_path / "two.wav"
    sf.write(path, _two_partials(), SR)
    session = Session(None)
    try:
        document = session.document
        assert document.open_path(str(path))["ok"]
        reply = document.spectrum_at(1.0, 100.0, 5000.0, 300)
        json.dumps(reply, allow_nan=False)
        assert reply["ok"] and len(reply["levels"]) == 300
        assert reply["peaks"][0]["frequency"] == pytest.approx(440.3, abs=0.05)
        wave = document.waveform(0.5, 1.0, 400)
        assert wave["ok"] and len(base64.b64decode(wave["envelope"])) == 400 * 2 * 2
        for reply, message in [
            (document.spectrum_at(float("nan"), 100, 5000, 300), "time must be a finite"),
            (document.spectrum_at(1.0, 5000, 100, 300), "fmax must be at least"),
            (document.spectrum_at(1.0, 100, 5000, "many"), "rows must be"),
            (document.waveform(1.0, 0.5, 400), "end (0.5 s) must be after start"),
            (document.waveform(0.0, 1.0, 10**6), "columns must be at most"),
        ]:
            assert reply["ok"] is False and message in reply["error"], reply
    finally:
        session.close()

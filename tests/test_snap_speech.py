"""Snapping voiced speech: a sentence spoken by espeak-ng, its f0 and 2nd harmonic traced from
rough guides and checked against an f0 estimated here, independently of the snapper."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile as sf

from workers.snap import snap_trace

SENTENCE = "The quick brown fox jumps over the lazy dog while the rain keeps falling."
FRAME_HOP = 0.01  # s between reference frames
WINDOW = 0.025  # s of audio each lag's difference is summed over
F0_RANGE = (60.0, 300.0)  # Hz a speaking voice's f0 lies in
THRESHOLD = 0.1  # YIN's absolute threshold on the normalised difference


def yin_f0(x: np.ndarray, sr: int) -> np.ndarray:
    """Clearly voiced frames' f0 by YIN (de Cheveigne and Kawahara, 2002): (m, 2) rows
    [centre time s, f0 Hz].

    Per FRAME_HOP: the difference d(lag) = sum over WINDOW of (x[j] - x[j + lag])**2, divided
    by its running mean over the smaller lags; the first lag of F0_RANGE where that falls
    below THRESHOLD, moved to its local minimum and refined by a parabola, is the period. A
    frame with no such lag is not voiced. The first dip, not the deepest, is what keeps YIN
    off the octave below; the normalisation keeps it off lag 0's side.
    """
    size, longest = round(WINDOW * sr), round(sr / F0_RANGE[0]) + 1
    shortest = round(sr / F0_RANGE[1])
    starts = np.arange(0, x.size - size - longest, round(FRAME_HOP * sr))
    frames = x[starts[:, None] + np.arange(size + longest)].astype(np.float64)
    n = 2 * (size + longest)
    cross = np.fft.irfft(np.conj(np.fft.rfft(frames[:, :size], n)) * np.fft.rfft(frames, n), n)[
        :, :longest
    ]
    energy = np.concatenate((np.zeros((starts.size, 1)), np.cumsum(frames**2, axis=1)), 1)
    lags = np.arange(longest)
    shifted = energy[:, lags + size] - energy[:, lags]
    diff = np.maximum(energy[:, size : size + 1] + shifted - 2 * cross, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        normal = diff[:, 1:] * lags[1:] / np.cumsum(diff[:, 1:], axis=1)  # lags 1..longest-1
    rows = []
    for frame, curve in zip(starts, normal, strict=True):
        below = np.flatnonzero(curve[shortest - 1 :] < THRESHOLD)
        if below.size == 0:
            continue
        i = shortest - 1 + below[0]
        while i + 1 < curve.size - 1 and curve[i + 1] < curve[i]:
            i += 1
        if i + 1 >= curve.size:
            continue
        a, b, c = curve[i - 1], curve[i], curve[i + 1]
        lag = i + 1 + 0.5 * (a - c) / (a - 2 * b + c)  # curve[i] is lag i + 1
        rows.append(((frame + (size + longest) / 2) / sr, sr / lag))
    return np.array(rows)


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    path = tmp_path_factory.mktemp("speech") / "sentence.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SENTENCE], check=True, capture_output=True)
    x, sr = sf.read(path, dtype="float32")
    reference = yin_f0(x, sr)
    # The reference itself is a voice's: most of the sentence voiced, f0 around 100 Hz.
    assert reference.shape[0] > 80
    assert 80 < np.median(reference[:, 1]) < 140
    return x, sr, reference


@pytest.mark.parametrize("harmonic", [1, 2])
def test_a_rough_guide_along_a_voice_keeps_its_voiced_points(speech, harmonic):
    x, sr, reference = speech
    times, f0 = reference[:, 0], reference[:, 1]
    # A hand-drawn-like stroke: the contour every 0.25 s (bridging unvoiced stretches), off
    # by up to 30 cents.
    rng = np.random.default_rng(harmonic)
    stroke_t = np.linspace(times[0], times[-1], round((times[-1] - times[0]) / 0.25) + 1)
    stroke_f = (
        harmonic
        * np.interp(stroke_t, times, f0)
        * 2 ** (rng.uniform(-30, 30, stroke_t.size) / 1200)
    )
    out = snap_trace(x, sr, np.c_[stroke_t, stroke_f])
    snapped = np.interp(times, out[:, 0], out[:, 1])
    error = np.abs(1200 * np.log2(snapped / (harmonic * f0)))
    assert np.mean(error < 50) >= 0.8  # NaN (flagged) counts as missed

"""The CWT with PyWavelets' complex wavelets: against pywt.cwt itself, levels, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import pywt
from scipy.optimize import minimize_scalar
from scipy.signal import hilbert, resample_poly

from app.compute.shared_audio import SharedAudio
from workers import cwt
from workers.imaging import quantise
from workers.jobs import ViewportJob
from workers.spectrum import SpectrumError, render
from workers.wavelets import row_wavelet

COMPARED = ("cmor1.5-1.0", "shan1.5-1.0", "fbsp2-1.5-1.0", "cgau4")
# Every family, narrow and wide: the level and ridge tests run on each.
SUPPORTED = (
    "morlet",
    "cmor1.5-1.0",
    "cmor100-1.0",
    "shan1.5-1.0",
    "shan0.5-2.0",
    "fbsp1-1.5-1.0",
    "fbsp3-0.5-1.0",
    "cgau1",
    "cgau4",
    "cgau8",
)
UPSAMPLE = 4  # pywt.cwt runs on 4x the samples: see pywt_magnitude
COLUMN = 8  # samples per column in the comparison
# Largest difference at any pixel, over the image's peak. Measured: 0.2 % for cmor on tones,
# at most 1.6 % on noise and beating tones (cmor, fbsp, cgau: peaks between two of Soma's
# points), 2.6 % for shan, whose response is a step: a tone at the edge of one row's band
# reads what the clip's own spectral leakage puts across that step, which differs with the
# method.
TOLERANCE = {"shan": 0.03}
DEFAULT_TOLERANCE = 0.02


def pywt_response(name: str):
    """(centre, magnitude) of a wavelet as pywt samples it: the frequency (cycles per unit of
    t, negative where the wavelet favours negative frequencies) at which its Fourier transform
    peaks, and the transform's magnitude as a function of frequency. cmor, shan and fbsp are
    centred on their C by definition (shan's top is flat); cgau's peak is found by a search."""
    wavelet = pywt.ContinuousWavelet(name)
    # Over +-400, shan's sinc tails are 0.05 % of its peak: the transform at C is flat to that.
    wavelet.lower_bound, wavelet.upper_bound = -400.0, 400.0
    psi, t = wavelet.wavefun(19)
    step = t[1] - t[0]

    def magnitude(f: float) -> float:
        return abs(np.sum(psi * np.exp(-2j * np.pi * f * t))) * step

    if wavelet.center_frequency:
        centre = wavelet.center_frequency
    else:
        near = np.fft.fftfreq(psi.size, step)[np.argmax(np.abs(np.fft.fft(psi)))]
        centre = minimize_scalar(
            lambda f: -magnitude(f),
            method="bounded",
            bounds=(near - 0.01, near + 0.01),
            options={"xatol": 1e-8},
        ).x
    return centre, magnitude


def pywt_magnitude(name: str, audio: np.ndarray, sr: int, freqs: np.ndarray) -> np.ndarray:
    """|pywt.cwt| (method='fft') at the rows' frequencies, in Soma's units, (rows, UPSAMPLE *
    samples).

    Three conversions, each for a documented difference:
    - pywt's wavelets are L2-normalised (coefficients grow as sqrt(scale)) and peak at `gain`:
      divided by sqrt(scale) * gain, a component of amplitude A at the peak reads A, as in Soma.
    - Soma's rows are analytic, so pywt is given the one-sided signal on the side its wavelet
      favours (scipy's analytic signal, conjugated for cgau, which peaks at negative
      frequencies): for cmor, shan and fbsp the same as the real signal's transform to -60 dB;
      cgau is not analytic in pywt and also answers the mirror side, which Soma drops.
    - pywt.cwt integrates its wavelet, resamples it at the data's sampling and differences it:
      a one-sample box filter (sinc(f / sr), 4 % lost at sr / 8) and half a sample of delay.
      On UPSAMPLE times the samples (scipy's resample_poly) that is UPSAMPLE**2 smaller.
    shan's and fbsp's sinc tails are kept to +-200 periods (pywt's wavefun stops at 20: a 9 %
    Gibbs ripple at shan's band edges that the wavelet it documents does not have).
    """
    centre, magnitude = pywt_response(name)
    gain = magnitude(centre)
    wavelet = pywt.ContinuousWavelet(name)
    precision = 14
    if name.startswith(("shan", "fbsp")):
        wavelet.lower_bound, wavelet.upper_bound = -200.0, 200.0
        precision = 19
    analytic = hilbert(resample_poly(audio.astype(np.float64), UPSAMPLE, 1))
    scales = abs(centre) * sr * UPSAMPLE / freqs
    coefs, _ = pywt.cwt(
        analytic if centre > 0 else np.conj(analytic),
        scales,
        wavelet,
        method="fft",
        precision=precision,
    )
    return np.abs(coefs) / (np.sqrt(scales)[:, None] * gain)


def clips(sr: int, seconds: float, fmax: float) -> dict[str, np.ndarray]:
    """A sine, two sines, a chirp and noise, faded in and out over 20 ms (so the clip's ends
    are not clicks whose ringing differs between two transforms' margins)."""
    t = np.arange(round(seconds * sr)) / sr
    noise = np.random.default_rng(3).standard_normal(t.size)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return {
        name: (fade * x).astype(np.float32)
        for name, x in {
            "sine": 0.5 * np.sin(2 * np.pi * 0.47 * fmax * t + 0.3),
            "two sines": 0.4 * np.sin(2 * np.pi * 0.33 * fmax * t)
            + 0.2 * np.sin(2 * np.pi * 0.9 * fmax * t + 1.0),
            "chirp": 0.5 * np.sin(2 * np.pi * fmax * (0.2 * t + 0.5 * t**2 / seconds)),
            "noise": 0.1 * noise,
        }.items()
    }


# Views: (sr, seconds, fmin, fmax, height). Rows close enough for one analysis row each.
VIEWS = [(8000, 0.6, 100.0, 500.0, 32), (22050, 0.5, 200.0, 1500.0, 48)]


@pytest.mark.parametrize("sr, seconds, fmin, fmax, height", VIEWS)
@pytest.mark.parametrize("name", COMPARED)
def test_the_cwt_matches_pywt_cwt_away_from_the_edges(name, sr, seconds, fmin, fmax, height):
    freqs = np.geomspace(fmin, fmax, height)
    wavelet = row_wavelet(name, None, SpectrumError)
    assert cwt.analysis_rows(freqs, wavelet, sr / 2)[0].size == height  # both read these rows
    # Columns further from the clip's ends than the lowest row's reach.
    edge = math.ceil(wavelet.reach / fmin * sr / COLUMN)
    for signal, audio in clips(sr, seconds, fmax).items():
        width = audio.size // COLUMN
        ours = 10.0 ** (
            render(
                audio,
                sr,
                start=0.0,
                end=width * COLUMN / sr,
                fmin=fmin,
                fmax=fmax,
                width=width,
                height=height,
                method="cwt",
                wavelet=name,
            )
            / 20.0
        )
        # Max-pooled as Soma pools: over each column's first to last sample.
        theirs = pywt_magnitude(name, audio, sr, freqs)[:, : width * COLUMN * UPSAMPLE]
        theirs = theirs.reshape(height, width, COLUMN * UPSAMPLE)[
            :, :, : (COLUMN - 1) * UPSAMPLE + 1
        ].max(axis=2)
        inside = slice(edge, width - edge)
        error = np.abs(ours[:, inside] - theirs[:, inside]).max() / theirs[:, inside].max()
        assert error < TOLERANCE.get(name[:4], DEFAULT_TOLERANCE), f"{signal}: {error:.4f}"


# --- levels and ridges ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUPPORTED)
def test_a_sine_reads_its_amplitude_on_its_ridge_at_its_frequency(name):
    sr, amplitude, tone = 16000, 0.25, 1000.0
    t = np.arange(2 * sr) / sr
    audio = (amplitude * np.sin(2 * np.pi * tone * t + 0.3)).astype(np.float32)
    # Rows 1 % apart, one of them on the tone.
    freqs = tone * np.exp(np.arange(-60, 61) * math.log(1.01))
    image = render(
        audio,
        sr,
        start=0.5,
        end=1.5,
        fmin=freqs[0],
        fmax=freqs[-1],
        width=50,
        height=freqs.size,
        method="cwt",
        wavelet=name,
    )
    level = 20 * math.log10(amplitude)
    assert image.max() == pytest.approx(level, abs=0.5)
    assert float(np.median(image[60])) == pytest.approx(level, abs=0.5)
    # The brightest row is the tone's (a wrong centre frequency would move it): except where
    # the top is flat (shan, fbsp of order 1), when every row whose band holds it is as bright.
    if not name.startswith(("shan", "fbsp1-")):
        assert abs(int(np.argmax(image.mean(axis=1))) - 60) <= 1


def test_a_catalogue_wavelet_changes_the_image_and_the_morlet_stays_the_default():
    sr = 16000
    t = np.arange(sr) / sr
    audio = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    view = dict(start=0.2, end=0.8, fmin=200.0, fmax=5000.0, width=40, height=80, method="cwt")
    default = render(audio, sr, **view)
    assert np.array_equal(default, render(audio, sr, wavelet="morlet", **view))
    # cmor1.5-1.0 is about 5 times as wide as the Morlet at q=16: the tone lights more rows.
    lit = [
        int((image.mean(axis=1) > -20.0).sum())
        for image in (default, render(audio, sr, wavelet="cmor1.5-1.0", **view))
    ]
    assert lit[1] > 3 * lit[0]


def test_a_viewport_job_computes_with_its_wavelet():
    sr = 8000
    t = np.arange(sr) / sr
    audio = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    shared = SharedAudio(audio, sr)
    try:
        view = dict(start=0.1, end=0.9, fmin=100.0, fmax=4000.0, width=64, height=48)
        job = ViewportJob(
            request_id=1, audio=shared.ref, db_min=-100.0, db_max=0.0, wavelet="cgau8", **view
        )
        result = job.run(lambda done, total: None)
        expected = quantise(render(audio, sr, method="auto", wavelet="cgau8", **view), -100.0, 0.0)
        assert result["method"] == "cwt" and result["payload"] == expected.tobytes()
        assert result["payload"] != quantise(render(audio, sr, **view), -100.0, 0.0).tobytes()
    finally:
        shared.close()


# --- errors -----------------------------------------------------------------------------------

GOOD = dict(start=0.0, end=0.5, fmin=100.0, fmax=3000.0, width=16, height=8)


@pytest.mark.parametrize(
    "wavelet, q, words",
    [
        ("morl", None, "real"),
        ("mexh", None, "real"),
        ("gaus2", None, "real"),
        ("db4", None, "cmorB-C"),
        ("haar-ish", None, "unknown wavelet"),
        ("cmor", None, "needs its parameters"),
        ("cmor1.5", None, "cmorB-C"),
        ("cmor0-1.0", None, "above 0"),
        ("cgau9", None, "cgauP"),
        ("cmor0.2-0.3", None, "analytic"),
        ("cmor10000-1.0", None, "narrower"),
        ("cmor1.5-1.0", 16.0, "q applies only"),
        ("morlet", 1.0, "q must be between"),
        (None, None, "wavelet must be a name"),
    ],
)
def test_a_bad_wavelet_is_one_clear_error(wavelet, q, words):
    audio = np.zeros(4000, dtype=np.float32)
    for method in ("cwt", "stft"):  # validated up front, whichever transform runs
        with pytest.raises(SpectrumError, match=words) as info:
            render(audio, 8000, method=method, wavelet=wavelet, q=q, **GOOD)
        assert "\n" not in str(info.value)


def test_the_error_for_a_real_wavelet_names_the_complex_choices():
    with pytest.raises(SpectrumError) as info:
        render(np.zeros(4000, dtype=np.float32), 8000, wavelet="morl", **GOOD)
    assert all(
        choice in str(info.value)
        for choice in ("'morlet'", "cmorB-C", "shanB-C", "fbspM-B-C", "cgauP")
    )


@pytest.mark.parametrize("name", ["cgau1", "cgau8"])
def test_pywt_cgau_also_answers_the_mirror_side_which_soma_drops(name):
    """The documented difference: on a real sine, pywt.cwt's cgau reads the sine's level with
    a ripple at twice its frequency, as deep as its response at the mirror frequency; Soma's
    row reads the level itself."""
    sr, amplitude, tone = 16000, 0.5, 1000.0
    t = np.arange(sr // 2) / sr
    audio = (amplitude * np.sin(2 * np.pi * tone * t)).astype(np.float32)
    centre, magnitude = pywt_response(name)
    gain = magnitude(centre)
    mirror_db = 20 * math.log10(magnitude(-centre) / gain)  # -17.4 for cgau1, -39.4 for cgau8
    scale = abs(centre) * sr / tone
    coefs, _ = pywt.cwt(audio.astype(np.float64), [scale], name, method="fft")
    # A real sine puts amplitude / 2 on each side; the middle half, away from the edges.
    theirs = np.abs(coefs[0, sr // 8 : 3 * sr // 8]) / (np.sqrt(scale) * gain / 2)
    ripple = (theirs.max() - theirs.min()) / (theirs.max() + theirs.min())
    assert 20 * math.log10(ripple) == pytest.approx(mirror_db, abs=0.5)
    assert theirs.mean() == pytest.approx(amplitude, rel=0.01)
    ours = render(
        audio,
        sr,
        start=0.125,
        end=0.375,
        fmin=tone,
        fmax=2 * tone,
        width=25,
        height=2,
        method="cwt",
        wavelet=name,
    )[0]
    assert np.ptp(ours) < 0.01 and float(ours.mean()) == pytest.approx(-6.02, abs=0.05)

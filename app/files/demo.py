"""A demo recording generated in code, so Soma has something to show at once.

20 s at 44.1 kHz, mono.  Times in seconds, frequencies in Hz:

====================  ============  ==================================================
event                 time (s)      content
====================  ============  ==================================================
noise floor           0.0 - 20.0    white noise at -60 dBFS RMS, under everything
vibrato tone          0.5 - 4.5     harmonic tone, f0 = 220 Hz, partials k = 1..10 at
                                    k * f0 with amplitude 1/k; vibrato 5.5 Hz,
                                    +-40 cents (f0 within 215 - 225 Hz)
glissando             5.0 - 8.0     harmonic tone, 6 partials (1/k), f0 sliding
                                    exponentially 300 -> 900 Hz:
                                    f0(t) = 300 * 3 ** ((t - 5) / 3)
chord                 9.0 - 12.0    major third C4 + E4: two harmonic tones, f0 =
                                    261.63 and 329.63 Hz, 6 partials each (1/k)
chirp                 13.0 - 16.0   pure sine sweeping exponentially 100 -> 8000 Hz:
                                    f(t) = 100 * 80 ** ((t - 13) / 3)
band noise            16.5 - 18.5   noise band 2000 - 4000 Hz, -20 dBFS RMS
====================  ============  ==================================================

Between events (4.5 - 5.0, 8.0 - 9.0, 12.0 - 13.0, 16.0 - 16.5, 18.5 - 20.0 and
0.0 - 0.5) only the noise floor sounds.  Every event fades in and out over
``FADE_SECONDS`` with a raised cosine, inside its time span, so there are no
clicks.  Tones are synthesised phase-continuously by integrating their
instantaneous frequency; harmonics are exact multiples of the fundamental's
phase.  Each tonal event peaks at ``EVENT_PEAK``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from app.document.audio_file import AudioFile

__all__ = [
    "DEMO_EVENTS",
    "DEMO_SAMPLE_RATE",
    "DEMO_SECONDS",
    "DemoEvent",
    "demo_audio",
    "demo_signal",
]

DEMO_SAMPLE_RATE = 44_100
DEMO_SECONDS = 20.0
DEMO_NAME = "Demo recording"

# Fixed seed: the demo must be identical on every run and machine.
SEED = 0x50AA
FADE_SECONDS = 0.05
EVENT_PEAK = 0.7
NOISE_FLOOR_RMS = 10 ** (-60 / 20)
BAND_NOISE_RMS = 10 ** (-20 / 20)

VIBRATO_F0 = 220.0
VIBRATO_PARTIALS = 10
VIBRATO_RATE = 5.5
VIBRATO_CENTS = 40.0
GLISS_F0 = (300.0, 900.0)
GLISS_PARTIALS = 6
CHORD_F0 = (261.63, 329.63)
CHORD_PARTIALS = 6
CHIRP_F = (100.0, 8000.0)
BAND_NOISE_HZ = (2000.0, 4000.0)


class DemoEvent(NamedTuple):
    """One entry of :data:`DEMO_EVENTS`; times in seconds."""

    name: str
    start_s: float
    end_s: float
    description: str


DEMO_EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        "vibrato tone", 0.5, 4.5, "220 Hz harmonic tone, 10 partials, 5.5 Hz vibrato of +-40 cents"
    ),
    DemoEvent("glissando", 5.0, 8.0, "harmonic tone sliding 300 -> 900 Hz, 6 partials"),
    DemoEvent("chord", 9.0, 12.0, "major third: 261.63 Hz (C4) + 329.63 Hz (E4), 6 partials each"),
    DemoEvent("chirp", 13.0, 16.0, "sine sweeping exponentially 100 Hz -> 8 kHz"),
    DemoEvent("band noise", 16.5, 18.5, "noise band 2-4 kHz at -20 dBFS"),
)


def demo_signal(sample_rate: int = DEMO_SAMPLE_RATE) -> np.ndarray:
    """Synthesise the demo recording described in the module docstring.

    Parameters
    ----------
    sample_rate : int > 0
        Frames per second.  Partials above 0.45 * sample_rate are left out
        (and the chirp stops rising there) so nothing aliases.

    Returns
    -------
    y : np.ndarray [shape=(round(DEMO_SECONDS * sample_rate),), dtype=float32]
        Deterministic; peak amplitude <= 0.9.
    """
    sr = int(sample_rate)
    rng = np.random.default_rng(SEED)
    y = rng.standard_normal(round(DEMO_SECONDS * sr)) * NOISE_FLOOR_RMS
    events = {e.name: e for e in DEMO_EVENTS}

    def span(name: str) -> slice:
        e = events[name]
        return slice(round(e.start_s * sr), round(e.end_s * sr))

    def seconds(s: slice) -> np.ndarray:
        return np.arange(s.stop - s.start) / sr

    s = span("vibrato tone")
    t = seconds(s)
    f0 = VIBRATO_F0 * 2.0 ** (VIBRATO_CENTS / 1200 * np.sin(2 * np.pi * VIBRATO_RATE * t))
    y[s] += _placed(_harmonic(f0, VIBRATO_PARTIALS, sr), sr)

    s = span("glissando")
    t = seconds(s)
    lo, hi = GLISS_F0
    f0 = lo * (hi / lo) ** (t / t[-1])
    y[s] += _placed(_harmonic(f0, GLISS_PARTIALS, sr), sr)

    s = span("chord")
    n = s.stop - s.start
    tones = sum(_harmonic(np.full(n, f), CHORD_PARTIALS, sr) for f in CHORD_F0)
    y[s] += _placed(tones, sr)

    s = span("chirp")
    t = seconds(s)
    lo, hi = CHIRP_F[0], min(CHIRP_F[1], 0.45 * sr)
    y[s] += _placed(np.sin(_phase(lo * (hi / lo) ** (t / t[-1]), sr)), sr)

    s = span("band noise")
    y[s] += _placed(_band_noise(s.stop - s.start, sr, rng), sr, peak=None)

    # Events do not overlap, so the peak is EVENT_PEAK plus a few noise-floor
    # standard deviations; the guard only matters for odd sample rates.
    peak = np.abs(y).max()
    if peak > 0.9:
        y *= 0.9 / peak
    return y.astype(np.float32)


def demo_audio() -> AudioFile:
    """The demo recording as an :class:`~app.files.audio.AudioFile`.

    Returns
    -------
    audio : AudioFile
        ``path`` None, ``name`` "Demo recording", ``format`` 'GENERATED',
        ``subtype`` 'FLOAT', one channel at DEMO_SAMPLE_RATE; read-only samples.
    """
    y = demo_signal(DEMO_SAMPLE_RATE)
    y.flags.writeable = False
    return AudioFile(
        path=None,
        name=DEMO_NAME,
        samples=y,
        sample_rate=DEMO_SAMPLE_RATE,
        channels=1,
        frames=int(y.shape[0]),
        format="GENERATED",
        subtype="FLOAT",
    )


def _phase(freq: np.ndarray, sr: int) -> np.ndarray:
    """Running phase (radians) of an instantaneous frequency track (Hz), from 0."""
    phase = np.empty_like(freq)
    phase[0] = 0.0
    np.cumsum(freq[:-1] * (2 * np.pi / sr), out=phase[1:])
    return phase


def _harmonic(f0: np.ndarray, partials: int, sr: int) -> np.ndarray:
    """Sum of partials k = 1..partials at k * f0 with amplitude 1/k.

    Partial k uses k times the fundamental's phase, so all stay exactly
    harmonic through vibrato and glides.  Samples where k * f0 would exceed
    0.45 * sr are muted rather than aliased.
    """
    phase = _phase(f0, sr)
    out = np.zeros_like(f0)
    for k in range(1, partials + 1):
        audible = k * f0 < 0.45 * sr
        if audible.any():
            out += np.sin(k * phase) * (audible / k)
    return out


def _band_noise(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """White noise band-limited to BAND_NOISE_HZ by zeroing FFT bins, RMS BAND_NOISE_RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    lo, hi = BAND_NOISE_HZ
    spectrum[(freqs < lo) | (freqs > min(hi, 0.45 * sr))] = 0
    band = np.fft.irfft(spectrum, n)
    return band * (BAND_NOISE_RMS / np.sqrt(np.mean(band**2)))


def _placed(x: np.ndarray, sr: int, peak: float | None = EVENT_PEAK) -> np.ndarray:
    """Scale ``x`` to ``peak`` (None keeps its level) and apply raised-cosine fades."""
    if peak is not None:
        x = x * (peak / np.abs(x).max())
    fade = min(round(FADE_SECONDS * sr), len(x) // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    x[:fade] *= ramp
    x[len(x) - fade :] *= ramp[::-1]
    return x

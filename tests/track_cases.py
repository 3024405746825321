"""Synthetic sounds with known partials, and how a tracker's output is scored against them:
the one home of the cases that benchmarks/bench_track.py and tests/test_track.py share.

Each case is a sum of sinusoids whose instantaneous frequency and amplitude are given as
functions of time (so the truth is exact at any time), plus white noise for the noisy ones,
44.1 kHz mono float32, made the same way each run (fixed seeds).

Scoring (``score``), on the 5 ms grid t = k * HOP:

- recall: the share of the true partials' audible points (amplitude above
  ``AUDIBLE_DB``) that some tracked point at the same time follows within
  min(50 cents, 0.4 x the distance to the nearest other true partial then);
- precision: the share of tracked points within that tolerance of some true partial;
- median and 95th-percentile error, in cents, of the followed points;
- tracks per true partial: how many different tracks follow each true partial for at least
  ``FRAGMENT_FRAMES`` points, averaged over the partials.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

SR = 44100
HOP = 0.005
AUDIBLE_DB = -80.0  # a true partial's points below this level are not scored
MAX_TOLERANCE_CENTS = 50.0
NEIGHBOUR_SHARE = 0.4
FRAGMENT_FRAMES = 10  # 50 ms: a track following a partial this long counts as one of its tracks


@dataclass(frozen=True)
class Case:
    """A synthetic sound and its truth.

    audio : float32 (samples,)
    cents : float64 (frames, partials): each true partial's frequency on the grid, in cents of
        1 Hz; NaN where it does not sound
    level : float64 (frames, partials): its amplitude, dBFS (-inf where it does not sound)
    vibrato : bool, the case has vibrato or glissandi (its error target is looser)
    """

    name: str
    audio: np.ndarray
    cents: np.ndarray
    level: np.ndarray
    vibrato: bool


def _render(name, duration, partials, *, noise_db=None, vibrato=False, seed=0) -> Case:
    """partials: list of (freq(t) -> Hz, amp(t) -> linear peak amplitude) functions of time
    arrays; a partial is silent where amp is 0. noise_db: white noise RMS in dBFS."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(duration * SR)) / SR
    grid = np.arange(round(duration / HOP) + 1) * HOP
    audio = np.zeros(t.size)
    cents = np.full((grid.size, len(partials)), np.nan)
    level = np.full((grid.size, len(partials)), -np.inf)
    for i, (freq, amp) in enumerate(partials):
        f = freq(t)
        phase = 2 * np.pi * np.cumsum(f) / SR + rng.uniform(0, 2 * np.pi)
        audio += amp(t) * np.cos(phase)
        fg, ag = freq(grid), amp(grid)
        on = ag > 0
        cents[on, i] = 1200 * np.log2(fg[on])
        level[on, i] = 20 * np.log10(ag[on])
    if noise_db is not None:
        audio += rng.normal(0.0, 10 ** (noise_db / 20), t.size)
    return Case(name, audio.astype(np.float32), cents, level, vibrato)


def _const(value):
    return lambda t: np.full_like(t, value)


def _harmonic(f0, amps, *, gate=None):
    """Partials of a harmonic tone: f0(t) -> Hz, amps[k-1] the k-th harmonic's amplitude(t)."""
    gate = gate or (lambda t: np.ones_like(t))
    return [
        (lambda t, k=k: k * f0(t), lambda t, a=a: a(t) * gate(t)) for k, a in enumerate(amps, 1)
    ]


def _decay(a0, rate, onset=0.0, attack=0.01):
    """a0 * exp(-rate (t - onset)) after a linear attack; 0 before onset."""

    def amp(t):
        rise = np.clip((t - onset) / attack, 0.0, 1.0)
        return a0 * rise * np.exp(-rate * np.maximum(t - onset, 0.0))

    return amp


def vibrato_tone() -> Case:
    return _vibrato("harmonic tone, vibrato", 220.0, 30, 5.5, -90, harmonics=12)


def stiff_string() -> Case:
    f0, b = 110.0, 4e-4
    partials = [
        (_const(k * f0 * np.sqrt(1 + b * k * k)), _decay(0.3 / k, 0.4 + 0.25 * k))
        for k in range(1, 16)
    ]
    return _render("stiff string, decaying", 3.0, partials, noise_db=-90)


def bell() -> Case:
    ratios = (0.5, 1.0, 1.183, 1.506, 2.0, 2.514, 2.662, 3.011, 4.166, 5.433, 6.796)
    partials = [
        (_const(392.0 * r), _decay(0.25 / (1 + 0.3 * i), 0.5 + 0.35 * i, attack=0.002))
        for i, r in enumerate(ratios)
    ]
    return _render("bell", 3.0, partials, noise_db=-90, seed=1)


def _crossing(
    noise_db,
    seed,
    *,
    name=None,
    low=200.0,
    high=325.0,
    octaves=0.7,
    seconds=3.0,
    harmonics=6,
    second=0.15,
) -> Case:
    """Two harmonic tones gliding exponentially by ``octaves`` over ``seconds``, one up from
    ``low`` Hz (fundamental 0.2) and one down from ``high`` Hz (fundamental ``second``),
    harmonic k at 1/k of the fundamental."""
    up = lambda t: low * 2 ** (t / seconds * octaves)  # noqa: E731
    down = lambda t: high * 2 ** (-t / seconds * octaves)  # noqa: E731
    amps = [_const(0.2 / k) for k in range(1, harmonics + 1)]
    quieter = [_const(second / k) for k in range(1, harmonics + 1)]
    partials = _harmonic(up, amps) + _harmonic(down, quieter)
    name = name or "crossing glides" + ("" if noise_db < -80 else ", in noise")
    return _render(name, seconds, partials, noise_db=noise_db, vibrato=True, seed=seed)


def crossing_glides() -> Case:
    return _crossing(-90, 2)


def crossing_glides_noise() -> Case:
    return _crossing(-45, 3)


def chord_in_noise(noise_db: float = -50.0, seed: int = 4) -> Case:
    # An augmented triad (C4, E4, G#4), four harmonics each: no two partials closer than
    # 46 Hz. A major triad's would meet within 2 cents (C's 3rd and G's 2nd), closer than
    # any tracker resolves in 3 s, so the score would measure the chord's tuning, not the
    # tracker.
    partials = []
    for f in (261.63, 329.63, 415.30):
        partials += _harmonic(_const(f), [_const(0.12 / k) for k in range(1, 5)])
    return _render("chord in noise", 3.0, partials, noise_db=noise_db, seed=seed)


def separate_notes() -> Case:
    partials = []
    for i, f in enumerate((196.0, 293.66, 246.94, 392.0)):
        onset = 0.1 + 0.7 * i

        def gate(t, onset=onset):
            return ((t >= onset) & (t < onset + 0.6)).astype(float)

        amps = [_decay(0.3 / k, 2.0 + 0.5 * k, onset, 0.01) for k in range(1, 9)]
        partials += _harmonic(_const(f), amps, gate=gate)
    return _render("separate notes", 3.0, partials, noise_db=-90, seed=5)


def voice(duration: float = 3.0) -> Case:
    """A voice-like tone of ``duration`` s (the speed benchmark takes a minute of it)."""
    rng = np.random.default_rng(6)
    # Cents: a slow random drift, knots 0.1 s apart.
    knots = np.cumsum(rng.normal(0, 15, round(duration * 10) + 1))

    def f0(t):
        drift = np.interp(t, np.arange(knots.size) * 0.1, knots)
        return 130.0 * 2 ** ((drift + 15 * np.sin(2 * np.pi * 5.0 * t)) / 1200)

    def formant_gain(f):
        peaks = sum(
            g * np.exp(-0.5 * ((f - c) / w) ** 2)
            for c, w, g in ((700, 130, 1), (1220, 150, 0.5), (2600, 250, 0.25))
        )
        return 0.02 + peaks

    partials = [
        (lambda t, k=k: k * f0(t), lambda t, k=k: 0.25 * formant_gain(k * f0(t)) / np.sqrt(k))
        for k in range(1, 21)
    ]
    return _render("voice-like, formants and drift", duration, partials, noise_db=-80, vibrato=True)


def bass_41() -> Case:
    amps = [_const(0.3 / k) for k in range(1, 13)]
    return _render("41 Hz bass", 3.0, _harmonic(_const(41.2), amps), noise_db=-90, seed=7)


def _vibrato(name, f0_hz, cents, rate, noise_db, seed=0, harmonics=8) -> Case:
    """``harmonics`` harmonics of f0_hz, the k-th at 0.3 / k, with a vibrato of +-``cents``
    at ``rate`` Hz."""
    f0 = lambda t: f0_hz * 2 ** (cents / 1200 * np.sin(2 * np.pi * rate * t))  # noqa: E731
    amps = [_const(0.3 / k) for k in range(1, harmonics + 1)]
    return _render(name, 3.0, _harmonic(f0, amps), noise_db=noise_db, vibrato=True, seed=seed)


def deep_vibrato() -> Case:
    return _vibrato("fast deep vibrato", 300.0, 100, 7.0, -90)


def _glissandi(name, f0_hz, octaves, seconds, noise_db, seed=0) -> Case:
    """Eight harmonics gliding ``octaves`` up over half of ``seconds``, then down again."""

    def f0(t):
        up = np.minimum(t, seconds / 2) / (seconds / 2)
        down = np.maximum(t - seconds / 2, 0.0) / (seconds / 2)
        return f0_hz * 2 ** (octaves * (up - down))

    amps = [_const(0.3 / k) for k in range(1, 9)]
    return _render(name, seconds, _harmonic(f0, amps), noise_db=noise_db, vibrato=True, seed=seed)


def octave_glissandi() -> Case:
    return _glissandi("octave glissandi", 200.0, 1.0, 3.0, -90)


def close_pair() -> Case:
    partials = [(_const(440.0), _const(0.2)), (_const(440.0 * 2 ** (25 / 1200)), _const(0.2))]
    return _render("two tones 25 cents apart", 3.0, partials, noise_db=-90, seed=8)


CASES = (
    vibrato_tone,
    stiff_string,
    bell,
    crossing_glides,
    crossing_glides_noise,
    chord_in_noise,
    separate_notes,
    voice,
    bass_41,
    deep_vibrato,
    octave_glissandi,
    close_pair,
)


def crossing_octave() -> Case:
    return _crossing(
        -45, 13, name="crossing glides, 8 harmonics, an octave", low=150.0, high=300.0,
        octaves=1.0, harmonics=8,
    )  # fmt: skip


def crossing_fast() -> Case:
    return _crossing(
        -60, 12, name="crossing glides, fast", low=300.0, high=450.0, octaves=0.585,
        seconds=2.0, harmonics=4,
    )  # fmt: skip


def crossing_equal() -> Case:
    return _crossing(
        -70, 14, name="crossing glides, equal levels", low=400.0, high=500.0, octaves=0.322,
        harmonics=5, second=0.2,
    )  # fmt: skip


def chord_in_strong_noise() -> Case:
    return replace(chord_in_noise(-35.0, seed=22), name="chord in strong noise (-35 dB)")


def very_deep_vibrato() -> Case:
    return _vibrato("very deep vibrato (150 cents)", 220.0, 150, 6.0, -80, seed=31)


def fast_vibrato_400() -> Case:
    return _vibrato("fast vibrato at 400 Hz", 400.0, 100, 8.0, -60, seed=32)


def two_octave_glissandi() -> Case:
    return _glissandi("two-octave glissandi", 150.0, 2.0, 3.0, -70, seed=42)


def voice_minute() -> Case:
    # Its harmonics drift across the bands' edges and its vibrato's sidebands show in the
    # longest windows, over a minute: what three seconds do not show.
    return replace(voice(60.0), name="voice-like, one minute")


# The same kinds of sound with other parameters, seeds and noise: evidence that the defaults,
# chosen on CASES, suit sounds they were not chosen on (benchmarks/bench_track.py scores
# them in a table of their own).
VARIANTS = (
    crossing_octave,
    crossing_fast,
    crossing_equal,
    chord_in_strong_noise,
    very_deep_vibrato,
    fast_vibrato_400,
    two_octave_glissandi,
    voice_minute,
)


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    median_cents: float
    p95_cents: float
    tracks_per_partial: float

    @property
    def f_score(self) -> float:
        total = self.recall + self.precision
        return 0.0 if total == 0 else 2 * self.recall * self.precision / total


def score(case: Case, tracks: list[np.ndarray]) -> Score:
    """A tracker's output (each (n, 2+) rows [time s, frequency Hz, ...], on the HOP grid;
    rows with NaN frequency are ignored) against the truth (see the module docstring)."""
    frames, count = case.cents.shape
    audible = np.isfinite(case.cents) & (case.level >= AUDIBLE_DB)
    present = np.isfinite(case.cents)
    # Tolerance per true point: 0.4 x the distance to the nearest other partial sounding then.
    gaps = np.abs(case.cents[:, :, None] - case.cents[:, None, :])
    gaps[:, np.arange(count), np.arange(count)] = np.inf
    gaps = np.where(np.isnan(gaps), np.inf, gaps)
    tolerance = np.minimum(MAX_TOLERANCE_CENTS, NEIGHBOUR_SHARE * gaps.min(axis=2))

    best = np.full((frames, count), np.inf)  # smallest error of a tracked point, per true point
    follows: list[dict[int, int]] = [{} for _ in range(count)]  # per true partial: track->points
    on_truth = total_points = 0
    for index, track in enumerate(tracks):
        track = np.asarray(track, dtype=np.float64)
        keep = np.isfinite(track[:, 1]) & (track[:, 1] > 0)
        frame = np.rint(track[keep, 0] / HOP).astype(int)
        inside = (frame >= 0) & (frame < frames)
        frame, cents = frame[inside], 1200 * np.log2(track[keep, 1][inside])
        total_points += frame.size
        error = np.abs(cents[:, None] - case.cents[frame])  # (points, partials)
        error = np.where(present[frame], error, np.inf)
        near = error <= tolerance[frame]
        on_truth += int(near.any(axis=1).sum())
        rows, cols = np.nonzero(near)
        np.minimum.at(best, (frame[rows], cols), error[rows, cols])
        for partial, n in zip(*np.unique(cols, return_counts=True), strict=True):
            follows[partial][index] = int(n)
    followed = audible & np.isfinite(best)
    errors = best[followed]
    counted = [p for p in range(count) if audible[:, p].sum() >= FRAGMENT_FRAMES]
    pieces = [sum(n >= FRAGMENT_FRAMES for n in follows[p].values()) for p in counted]
    return Score(
        recall=float(followed.sum() / max(audible.sum(), 1)),
        precision=float(on_truth / total_points) if total_points else 0.0,
        median_cents=float(np.median(errors)) if errors.size else np.nan,
        p95_cents=float(np.percentile(errors, 95)) if errors.size else np.nan,
        tracks_per_partial=float(np.mean(pieces)) if pieces else np.nan,
    )

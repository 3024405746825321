"""Sound for the page's player: chunks of the original, the resynthesised partials, or both.

The page asks for short chunks (a second or so) just ahead of the audio clock, so an hour-long
file starts playing at once and nothing long is computed in the main process: a chunk is a
slice of the decoded samples plus the additive synthesis of the partials it overlaps.
"""

from __future__ import annotations

import math

import numpy as np

from app.document.store import DocumentStore
from workers.bandpass import band_pass, settle_seconds
from workers.synth import synthesize

MAX_CHUNK_SECONDS = 5.0
MODES = ("original", "partials", "both")


def _ids(value: str, name: str) -> set[int]:
    if not value:
        return set()
    try:
        return {int(v) for v in value.split(",")}
    except ValueError:
        raise ValueError(f"{name} must be partial ids separated by commas") from None


class AudioChunks:
    """The /audio route's source: `chunks(query)` -> float32 little-endian mono samples.

    query: start (s), seconds (chunk length, at most MAX_CHUNK_SECONDS), mode (original,
    partials or both), solo and mute (comma-separated partial ids), and optionally fmin and
    fmax (Hz: only that band is heard, ``workers.bandpass``; a region played band-limited).
    Samples are at the file's sample rate; a chunk past the end of the file is shorter (or
    empty).
    """

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def __call__(self, query: dict) -> bytes:
        state = self._store.state
        audio = state.audio
        if audio is None:
            raise LookupError("no file is open")
        try:
            start = float(query.get("start", ""))
            seconds = float(query.get("seconds", ""))
        except ValueError:
            raise ValueError("start and seconds must be numbers") from None
        if not (math.isfinite(start) and start >= 0):
            raise ValueError(f"start must be a time in the file, not {start}")
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_CHUNK_SECONDS):
            raise ValueError(f"seconds must be in (0, {MAX_CHUNK_SECONDS:g}], not {seconds}")
        mode = query.get("mode", "original")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        solo, mute = _ids(query.get("solo", ""), "solo"), _ids(query.get("mute", ""), "mute")

        band = _band(query, audio.sample_rate)
        sr = audio.sample_rate
        # Clamped before multiplying: a start of 1e308 s times the rate is inf, and round(inf)
        # raises OverflowError.
        first = min(round(min(start, audio.duration) * sr), audio.frames)
        count = min(round(seconds * sr), audio.frames - first)
        if count == 0:
            return b""
        if band is None:
            return _mix(state, mode, solo, mute, first, count).astype("<f4").tobytes()
        # Filtered with enough on each side that chunks join as the whole would be filtered.
        margin = round(settle_seconds(*band) * sr)
        lo, hi = max(0, first - margin), min(audio.frames, first + count + margin)
        filtered = band_pass(_mix(state, mode, solo, mute, lo, hi - lo), sr, *band)
        return filtered[first - lo : first - lo + count].astype("<f4").tobytes()


def _band(query: dict, sample_rate: int) -> tuple[float, float] | None:
    """The query's band (fmin, fmax Hz: both or neither), or None for all of the sound."""
    if "fmin" not in query and "fmax" not in query:
        return None
    try:
        fmin, fmax = float(query.get("fmin", "")), float(query.get("fmax", ""))
    except ValueError:
        raise ValueError("fmin and fmax must be numbers (Hz)") from None
    nyquist = sample_rate / 2
    if not (math.isfinite(fmin) and math.isfinite(fmax) and 0 <= fmin < fmax):
        raise ValueError(f"the band must run from fmin up to fmax, not {fmin} to {fmax} Hz")
    return fmin, min(fmax, nyquist)


def _mix(state, mode: str, solo: set[int], mute: set[int], first: int, count: int) -> np.ndarray:
    """`count` samples from sample `first` of what `mode` plays: the original, the partials
    (solo and mute applied) or both; float32."""
    audio = state.audio
    sr = audio.sample_rate
    out = np.zeros(count, np.float32)
    if mode in ("original", "both"):
        out += audio.samples[first : first + count]
    if mode in ("partials", "both"):
        chosen = [p for p in state.partials if p.id not in mute and (not solo or p.id in solo)]
        if chosen:
            synth = synthesize(
                [p.points for p in chosen], sr, start=first / sr, end=(first + count) / sr
            )
            out += synth[:count]
    return out

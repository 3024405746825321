"""Validation of the tracking and tidying arguments the page sends (app.shell.validate's
checks, composed): each raises ArgumentError with one line naming the bad value."""

from __future__ import annotations

from typing import Any

from app.compute.tracking import TrackRegion
from app.document.state import View
from app.shell.validate import ArgumentError, integer, long_enough, number
from workers.track import MAX_MIN_DURATION, MAX_PARTIALS, MAX_THRESHOLD_DB, TrackSettings

MIN_REGION_SECONDS = 0.02  # four of the tracker's 5 ms frames: a shorter region holds no partial
MAX_PRUNE_DURATION_MS = 60_000.0
MIN_PRUNE_LEVEL_DB = -200.0  # below anything a partial holds (app.document.partials)
MAX_PRUNE_LEVEL_DB = 200.0
MAX_HARMONICS = 200  # above any instrument's audible harmonics


def _record(value: Any, name: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ArgumentError(f"{name} must be {{{', '.join(keys)}}}, not {type(value).__name__}")
    missing = [key for key in keys if key not in value]
    if missing:
        raise ArgumentError(f"{name} has no {missing[0]}")
    return value


def track_region(value: Any, limits: View) -> TrackRegion | None:
    """{start s, end s, fmin Hz, fmax Hz} within the file's `limits`, at least
    MIN_REGION_SECONDS long and fmin below fmax; None (JS null) for the whole file."""
    if value is None:
        return None
    region = _record(value, "the region", ("start", "end", "fmin", "fmax"))
    start = number(region["start"], "the region's start")
    end = number(region["end"], "the region's end")
    fmin = number(region["fmin"], "the region's fmin")
    fmax = number(region["fmax"], "the region's fmax")
    if end <= start:
        raise ArgumentError(
            f"the region is empty: it ends ({end:g} s) where or before it starts ({start:g} s)"
        )
    if start >= limits.end or end <= limits.start:
        raise ArgumentError(
            f"the region ({start:g} to {end:g} s) lies outside the file "
            f"({limits.start:g} to {limits.end:g} s)"
        )
    if start < limits.start or end > limits.end:
        raise ArgumentError(
            f"the region ({start:g} to {end:g} s) runs past the file "
            f"({limits.start:g} to {limits.end:g} s)"
        )
    long_enough(start, end, MIN_REGION_SECONDS, "the region")
    if fmin >= fmax:
        raise ArgumentError(f"the region's fmin ({fmin:g} Hz) must be below its fmax ({fmax:g} Hz)")
    if fmin < limits.fmin or fmax > limits.fmax:
        raise ArgumentError(
            f"the region ({fmin:g} to {fmax:g} Hz) must lie within {limits.fmin:g} to "
            f"{limits.fmax:g} Hz"
        )
    return TrackRegion(start, end, fmin, fmax)


def track_settings(value: Any) -> TrackSettings:
    """{thresholdDb: dB above the noise, minDurationMs: ms, maxPartials: count or null}."""
    settings = _record(value, "the track settings", ("thresholdDb", "minDurationMs", "maxPartials"))
    max_partials = settings["maxPartials"]
    return TrackSettings(
        threshold_db=number(
            settings["thresholdDb"], "the threshold", minimum=0, maximum=MAX_THRESHOLD_DB
        ),
        min_duration=number(
            settings["minDurationMs"],
            "the minimum duration (ms)",
            minimum=0,
            maximum=MAX_MIN_DURATION * 1000,
        )
        / 1000,
        max_partials=None
        if max_partials is None
        else integer(max_partials, "the most partials", minimum=1, maximum=MAX_PARTIALS),
    )


def harmonics_count(value: Any) -> int | None:
    """The highest harmonic to trace, 2 to MAX_HARMONICS; None (JS null): as high as they
    go (below the Nyquist frequency and above the noise)."""
    if value is None:
        return None
    return integer(value, "the highest harmonic", minimum=2, maximum=MAX_HARMONICS)


def prune_limits(min_duration_ms: Any, min_level_db: Any) -> tuple[float, float]:
    """(seconds, dBFS): partials shorter or weaker than these are deleted."""
    return (
        number(
            min_duration_ms, "the shortest duration (ms)", minimum=0, maximum=MAX_PRUNE_DURATION_MS
        )
        / 1000,
        number(
            min_level_db,
            "the weakest level (dBFS)",
            minimum=MIN_PRUNE_LEVEL_DB,
            maximum=MAX_PRUNE_LEVEL_DB,
        ),
    )

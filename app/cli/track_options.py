"""The tracker's settings as command-line options, one definition for every command that
tracks (`soma track`, `soma batch --track`)."""

from __future__ import annotations

import argparse

from workers.track import TrackSettings


def add_track_arguments(parser: argparse.ArgumentParser) -> None:
    """--fmin, --fmax, --threshold, --min-duration, --max-partials, with the tracker's
    defaults."""
    defaults = TrackSettings()
    parser.add_argument(
        "--fmin", type=float, default=defaults.fmin, help=f"Hz (default {defaults.fmin:g})"
    )
    parser.add_argument("--fmax", type=float, help="Hz (default: the Nyquist frequency)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=defaults.threshold_db,
        help=f"dB above the local noise floor (default {defaults.threshold_db:g})",
    )
    parser.add_argument(
        "--min-duration",
        type=float,
        default=defaults.min_duration,
        help=f"shortest partial kept, seconds (default {defaults.min_duration:g})",
    )
    parser.add_argument("--max-partials", type=int, help="keep the strongest N partials")


def track_settings(args: argparse.Namespace) -> TrackSettings:
    """The TrackSettings the options of add_track_arguments ask for."""
    return TrackSettings(
        threshold_db=args.threshold,
        min_duration=args.min_duration,
        max_partials=args.max_partials,
        fmin=args.fmin,
        fmax=args.fmax,
    )

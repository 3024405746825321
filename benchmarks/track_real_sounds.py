"""The tracker on real sounds: espeak-ng speech and fluidsynth renders of piano, violin and
flute notes (General MIDI, FluidR3 soundfont) from a small MIDI file written here.

    .venv/bin/python benchmarks/track_real_sounds.py [OUT_FOLDER]

Needs the Debian packages espeak-ng, fluidsynth and fluid-soundfont-gm
(`scripts/install-system.sh bench`). Prints, per sound, the partials `soma track` found on
its defaults, the f0 it reads (the median frequency of the longest partial near the nominal
one; for speech, between 70 and 250 Hz) against the note's nominal frequency, and the time
it took. Reverb and chorus are off. The sounds and their tracks (.json, as `soma export`
writes them) stay in OUT_FOLDER (default: a temporary one), for screenshots.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOMA = str(ROOT / ".venv" / "bin" / "soma")
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
# (name, General MIDI program, MIDI note, seconds held)
NOTES = (("piano", 0, 60, 2.0), ("violin", 40, 69, 2.0), ("flute", 73, 79, 2.0))
TICKS = 480  # per quarter note; at the default 120 bpm a quarter is 0.5 s


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.insert(0, (value & 0x7F) | 0x80)
        value >>= 7
    return bytes(out)


def write_midi(path: Path, program: int, note: int, seconds: float) -> None:
    """A format-0 MIDI file: one note on channel 0 with the given program, then 0.5 s rest."""
    ticks = round(seconds / 0.5 * TICKS)
    events = (
        _varlen(0) + bytes([0xC0, program])
        + _varlen(0) + bytes([0x90, note, 100])
        + _varlen(ticks) + bytes([0x80, note, 0])
        + _varlen(TICKS) + bytes([0xFF, 0x2F, 0x00])
    )  # fmt: skip
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS)
    path.write_bytes(header + b"MTrk" + struct.pack(">I", len(events)) + events)


def track(wav: Path) -> tuple[list[np.ndarray], float]:
    out = wav.with_suffix(".json")
    start = time.perf_counter()
    subprocess.run([SOMA, "track", str(wav), "-o", str(out), "-q"], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    partials = json.loads(out.read_text())["partials"]
    return [np.array(p["points"], dtype=float) for p in partials], elapsed


def f0_of(partials: list[np.ndarray], fmin: float, fmax: float) -> float:
    """The median frequency of the longest partial whose median lies in [fmin, fmax] Hz."""
    candidates = [p for p in partials if fmin <= np.median(p[:, 1]) <= fmax]
    if not candidates:
        return float("nan")
    return float(np.median(max(candidates, key=len)[:, 1]))


def summary(name: str, partials: list[np.ndarray], elapsed: float, expected: str, f0: float):
    lengths = [p[-1, 0] - p[0, 0] for p in partials]
    longer = sum(length >= 0.2 for length in lengths)
    top = max((np.median(p[:, 1]) for p in partials), default=float("nan"))
    print(
        f"| {name} | {len(partials)} | {longer} | {f0:.1f} | {expected} | {top:.0f} | "
        f"{elapsed:.1f} |"
    )


def main() -> None:
    missing = [tool for tool in ("espeak-ng", "fluidsynth") if shutil.which(tool) is None]
    if missing or not Path(SOUNDFONT).is_file():
        sys.exit(
            f"track_real_sounds: needs {', '.join(missing) or SOUNDFONT}; install them with "
            "scripts/install-system.sh bench"
        )
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    print("| sound | partials | lasting >= 0.2 s | f0 found Hz | nominal | highest Hz | s |")
    print("|---|---|---|---|---|---|---|")
    speech = folder / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", "140", "-w", str(speech), "The quick brown fox."],
        check=True,
    )
    partials, elapsed = track(speech)
    summary("espeak-ng speech", partials, elapsed, "80-200 (voice)", f0_of(partials, 70, 250))
    for name, program, note, seconds in NOTES:
        midi = folder / f"{name}.mid"
        wav = folder / f"{name}.wav"
        write_midi(midi, program, note, seconds)
        subprocess.run(
            ["fluidsynth", "-ni", "-R", "0", "-C", "0", "-g", "0.8", "-r", "44100",
             "-F", str(wav), SOUNDFONT, str(midi)],
            check=True, capture_output=True,
        )  # fmt: skip
        nominal = 440.0 * 2 ** ((note - 69) / 12)
        partials, elapsed = track(wav)
        found = f0_of(partials, nominal / 1.06, nominal * 1.06)
        summary(f"{name} (MIDI {note})", partials, elapsed, f"{nominal:.1f}", found)
    print(f"\nsounds and tracks in {folder}")


if __name__ == "__main__":
    main()

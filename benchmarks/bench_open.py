"""Open-to-overview time for a long file: Soma against a naive full-resolution STFT.

    .venv/bin/python benchmarks/bench_open.py

Target (issue 2): a 10-minute 44.1 kHz stereo WAV shows its overview in under 1 s on a
2-core machine. "Shows" is decode + overview STFT + quantisation; the page's fetch and draw
of the 768 kB image add a few ms (measured in the window, see docs/benchmarks.md).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.audio import load_audio  # noqa: E402
from app.overview import compute_overview  # noqa: E402

SR = 44_100
MINUTES = 10
RUNS = 5


def make_file(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    t = np.arange(MINUTES * 60 * SR) / SR
    tone = 0.3 * np.sin(2 * np.pi * 220 * t * (1 + 0.001 * np.sin(2 * np.pi * 0.1 * t)))
    noise = 0.01 * rng.standard_normal(t.size)
    path = folder / "ten-minutes.wav"
    sf.write(path, np.stack([tone + noise, tone - noise], axis=1), SR, subtype="PCM_16")
    return path


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = make_file(Path(folder))
        load_audio(path)  # the page cache, as after the file dialog found the file
        load_s, audio = timed(lambda: load_audio(path))
        overview_s, _ = timed(lambda: compute_overview(audio, "bench"))
        open_s, _ = timed(lambda: compute_overview(load_audio(path), "bench"))
        naive_s, _ = timed(lambda: signal.spectrogram(audio.samples, SR, nperseg=2048,
                                                      noverlap=1024), runs=1)
    rows = [
        ("Soma: decode + mixdown", load_s),
        ("Soma: overview STFT 2000x384 + uint8", overview_s),
        ("Soma: open to overview (both)", open_s),
        ("scipy.signal.spectrogram, full resolution (nperseg 2048, 50 %)", naive_s),
    ]
    print(f"{MINUTES} min, {SR} Hz stereo 16-bit WAV, median of {RUNS} runs\n")
    print(f"| {'what':<66} | {'seconds':>8} |")
    print(f"|{'-' * 68}|{'-' * 10}|")
    for name, seconds in rows:
        print(f"| {name:<66} | {seconds:8.3f} |")
    print(f"\nopen to overview: {open_s:.3f} s (target < 1 s): "
          f"{'met' if open_s < 1.0 else 'NOT MET'}; "
          f"naive full-resolution STFT alone is {naive_s / open_s:.1f}x slower")


if __name__ == "__main__":
    main()

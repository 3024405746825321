"""Resynthesis speed: 100 partials x 10 s at 44.1 kHz, Soma against two naive renderings.

    .venv/bin/python benchmarks/bench_synth.py

Partials are snapped-like tracks (a point every 5 ms, vibrato, a slow level wobble, a few
gaps). Peers: the textbook whole-array numpy rendering (np.interp of frequency and amplitude
at every sample, phase = 2 pi cumsum(f) / sr; no fades or gaps handling, one full-length
float64 array per step), and a per-sample Python loop (timed on 1 partial x 1 s and scaled
by 1000). Time is the median of 5 runs; "allocated" the tracemalloc peak of one run.
Target: well under a second for Soma.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workers.synth import synthesize

SR, SECONDS, COUNT, HOP = 44_100, 10.0, 100, 0.005


def partials():
    rng = np.random.default_rng(0)
    out = []
    for _ in range(COUNT):
        t = np.arange(round(SECONDS / HOP) + 1) * HOP
        f = rng.uniform(60, 8000) * 2 ** (30 / 1200 * np.sin(2 * np.pi * 5.5 * t))
        db = -30 + 6 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6))
        points = np.c_[t, f, db]
        for g in rng.integers(10, t.size - 30, 3):  # three 50 ms gaps
            points[g : g + 10, 1:] = np.nan
        out.append(points)
    return out


def whole_array(parts):
    n = round(SECONDS * SR) + 1
    t = np.arange(n) / SR
    mix = np.zeros(n)
    for p in parts:
        f = np.interp(t, p[:, 0], np.nan_to_num(p[:, 1], nan=1.0))
        a = np.interp(t, p[:, 0], np.nan_to_num(10 ** (p[:, 2] / 20)))
        mix += a * np.sin(2 * np.pi * np.cumsum(f) / SR)
    return mix.astype(np.float32)


def python_loop(p, seconds):
    n = round(seconds * SR)
    out = [0.0] * n
    times, freqs, amps = p[:, 0].tolist(), p[:, 1].tolist(), (10 ** (p[:, 2] / 20)).tolist()
    k, phase = 0, 0.0
    for i in range(n):
        t = i / SR
        while k + 2 < len(times) and times[k + 1] <= t:
            k += 1
        u = (t - times[k]) / (times[k + 1] - times[k])
        f = freqs[k] * (freqs[k + 1] / freqs[k]) ** u
        phase += f / SR
        out[i] = (amps[k] + u * (amps[k + 1] - amps[k])) * np.sin(2 * np.pi * phase)
    return out


def machine() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6


def main():
    parts = partials()
    print(f"Resynthesis benchmark, {date.today()}, {machine()}, numpy {np.__version__}")
    print(f"{COUNT} partials x {SECONDS:g} s at {SR} Hz, a point every {HOP * 1000:g} ms\n")
    print("| method | time (s) | allocated (MB) | ratio |")
    print("|---|---|---|---|")
    soma, soma_mb = timed(lambda: synthesize(parts, SR))
    print(f"| Soma synthesize (chunked, closed-form phase) | {soma:.3f} | {soma_mb:.0f} | 1x |")
    whole, whole_mb = timed(lambda: whole_array(parts))
    print(
        f"| whole-array numpy (interp + cumsum, no fades) | {whole:.3f} | {whole_mb:.0f} "
        f"| {whole / soma:.1f}x |"
    )
    one = parts[0][parts[0][:, 0] <= 1.0 + HOP]
    began = time.perf_counter()
    python_loop(one, 1.0)
    loop = (time.perf_counter() - began) * COUNT * SECONDS
    print(
        f"| per-sample Python loop (1 partial x 1 s, x1000) | {loop:.0f} | | {loop / soma:.0f}x |"
    )
    print(
        f"\n{'MET' if soma < 1.0 else 'NOT MET'}     100 partials x 10 s in under 1 s "
        f"({soma:.3f} s)"
    )


if __name__ == "__main__":
    main()

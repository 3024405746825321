"""Benchmark of the spectrum engine, with full-resolution CWT libraries as peers.

    .venv/bin/python benchmarks/bench_spectrum.py            # everything, one table
    .venv/bin/python benchmarks/bench_spectrum.py --no-peers # Soma's cases only

Every case runs in a fresh subprocess (so its peak memory is its own) on the same synthetic
input, made the same way each time: -40 dBFS noise, a 10-partial tone on 110 Hz, a chirp and
a click every half second, 44.1 kHz mono float32. The CWT cases and the peers compute 256
log-spaced rows from 50 Hz to 16 kHz; the peers at full resolution (one value per row and
sample), as they work, Soma at 1200 columns.

Soma's times are the median of 5 requests with its caches cleared before each ("cold", what a
new region costs) and of 5 repeats of the same request ("cached"). Peak memory is the process's
peak RSS (interpreter, numpy and scipy included) and, for Soma, the peak of memory allocated
during one cold request (tracemalloc). The peers are optional: pip install -e '.[bench]'
(fcwt also needs the Debian package libfftw3-single3).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SR = 44100
FMIN, FMAX, ROWS = 50.0, 16000.0, 256
PEER_TIMEOUT = 600  # seconds per peer subprocess
# pywt runs on a clip this long, its time scaled up to 30 s: the whole 30 s took 35 s and
# 2.8 GB here, so it runs in full; shorten it on a machine where that takes minutes.
PYWT_SECONDS = 30.0

# name: (what, seconds of audio, width, height, method, wavelet, target seconds or None,
#        target MB or None)
SOMA_CASES = {
    "cwt-1200": ("Soma CWT 1200x256, 30 s", 30, 1200, 256, "cwt", "morlet", 0.25, 250),
    # The wavelet the pywt peer computes with, from PyWavelets' catalogue (no target: the
    # window does not offer it).
    "cwt-1200-cmor": (
        "Soma CWT 1200x256 cmor1.5-1.0, 30 s",
        30,
        1200,
        256,
        "cwt",
        "cmor1.5-1.0",
        None,
        None,
    ),
    "cwt-2000": ("Soma CWT 2000x512, 30 s", 30, 2000, 512, "cwt", "morlet", 0.6, None),
    "stft-10min": ("Soma STFT 2000x512, 10 min", 600, 2000, 512, "stft", "morlet", 0.3, None),
    "stft-1h": ("Soma STFT 2000x512, 1 h", 3600, 2000, 512, "stft", "morlet", 2.0, None),
}
PEERS = {
    "fcwt": "fCWT (C++/FFTW, 2 threads), 256 rows x 30 s",
    "ssqueezepy": "ssqueezepy.cwt morlet, 256 rows x 30 s",
    "pywt": f"pywt.cwt cmor1.5-1.0 method='fft', 256 rows x {PYWT_SECONDS:g} s"
    + ("" if PYWT_SECONDS == 30 else f" (time x {30 / PYWT_SECONDS:g})"),
}


def make_audio(seconds: float) -> np.ndarray:
    """The benchmark input: deterministic, float32, built in chunks to keep memory flat."""
    n = round(seconds * SR)
    out = np.empty(n, dtype=np.float32)
    rng = np.random.default_rng(0)
    chunk = 1 << 20
    for a in range(0, n, chunk):
        t = np.arange(a, min(n, a + chunk)) / SR
        x = 0.01 * rng.standard_normal(t.size)
        for h in range(1, 11):
            x += 0.3 / h * np.sin(2 * np.pi * 110.0 * h * t)
        x += 0.1 * np.sin(2 * np.pi * (200.0 * t + 300.0 * (t % 10.0) ** 2))
        out[a : a + t.size] = x
    out[:: SR // 2] += 0.8
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_soma(name: str) -> dict:
    import scipy.fft

    # All cores, as `soma render` and the overview use them; the viewport worker leaves one
    # core to the window (workers.jobs.serve): bench_latency.py measures that path.
    with scipy.fft.set_workers(os.cpu_count() or 1):
        return _run_soma(name)


def _run_soma(name: str) -> dict:
    from workers.spectrum import clear_caches, render

    _, seconds, width, height, method, wavelet, _, _ = SOMA_CASES[name]
    audio = make_audio(seconds)
    kw = dict(
        start=0.0,
        end=float(seconds),
        fmin=FMIN,
        fmax=FMAX,
        width=width,
        height=height,
        method=method,
        wavelet=wavelet,
    )
    render(audio[:SR], SR, **{**kw, "end": 1.0})  # first-use costs (imports, FFT plans)
    cold = []
    for _ in range(5):
        clear_caches()
        began = time.perf_counter()
        render(audio, SR, **kw)
        cold.append(time.perf_counter() - began)
    cached = []
    for _ in range(5):
        began = time.perf_counter()
        render(audio, SR, **kw)
        cached.append(time.perf_counter() - began)
    clear_caches()
    tracemalloc.start()
    render(audio, SR, **kw)
    allocated = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return dict(
        seconds=statistics.median(cold),
        cached=statistics.median(cached),
        rss=peak_rss_mb(),
        allocated=allocated,
    )


def _peer_freqs() -> np.ndarray:
    return np.geomspace(FMIN, FMAX, ROWS)


def run_fcwt() -> dict:
    import fcwt

    audio = make_audio(30)
    began = time.perf_counter()
    fcwt.cwt(audio, SR, FMIN, FMAX, ROWS, nthreads=2, scaling="log")
    return dict(seconds=time.perf_counter() - began, rss=peak_rss_mb())


def run_ssqueezepy() -> dict:
    import ssqueezepy
    from ssqueezepy.experimental import freq_to_scale

    audio = make_audio(30)
    wavelet = ssqueezepy.Wavelet("morlet")
    # Ascending scales (descending frequencies), as ssqueezepy expects them.
    scales = freq_to_scale(_peer_freqs(), wavelet, audio.size, fs=SR)[::-1]
    scales = np.ascontiguousarray(scales, dtype=np.float32)
    began = time.perf_counter()
    ssqueezepy.cwt(audio, wavelet, scales=scales, fs=SR)
    return dict(seconds=time.perf_counter() - began, rss=peak_rss_mb())


def run_pywt() -> dict:
    import pywt

    audio = make_audio(PYWT_SECONDS)
    wavelet = "cmor1.5-1.0"
    scales = pywt.frequency2scale(wavelet, _peer_freqs() / SR)
    began = time.perf_counter()
    pywt.cwt(audio, scales, wavelet, sampling_period=1.0 / SR, method="fft")
    return dict(seconds=(time.perf_counter() - began) * 30.0 / PYWT_SECONDS, rss=peak_rss_mb())


def child(name: str) -> None:
    runner = {"fcwt": run_fcwt, "ssqueezepy": run_ssqueezepy, "pywt": run_pywt}.get(name)
    if runner is None:
        result = run_soma(name)
    else:
        result = runner()
        result["version"] = importlib.metadata.version("PyWavelets" if name == "pywt" else name)
    print(json.dumps(result))


def measure(name: str) -> dict:
    """Run one case in a fresh interpreter; a failure is reported, not raised."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name],
            capture_output=True,
            text=True,
            timeout=PEER_TIMEOUT,
            env=env,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return dict(error=f"over {PEER_TIMEOUT} s")
    if done.returncode != 0:
        lines = (done.stderr.strip() or f"exit code {done.returncode}").splitlines()
        return dict(error=lines[-1][:120])
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-peers", action="store_true", help="only Soma's own cases")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"# Spectrum engine benchmark, {time.strftime('%Y-%m-%d')}, {machine()}, "
        f"load average at start {load}\n"
    )
    print("| case | time (s) | cached (s) | peak RSS (MB) | allocated (MB) | target | ratio |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for name, (what, _, _, _, _, _, target_s, target_mb) in SOMA_CASES.items():
        r = results[name] = measure(name)
        target = (
            ""
            if target_s is None
            else (f"<= {target_s:g} s" + (f", <= {target_mb} MB" if target_mb else ""))
        )
        if "error" in r:
            print(f"| {what} | failed: {r['error']} | | | | {target} | |")
            continue
        if target:
            ok = r["seconds"] <= target_s and (target_mb is None or r["rss"] <= target_mb)
            target += f" ({'met' if ok else 'MISSED'})"
        print(
            f"| {what} | {r['seconds']:.3f} | {r['cached']:.3f} | {r['rss']:.0f} | "
            f"{r['allocated']:.0f} | {target} | |"
        )
    if args.no_peers:
        return
    base = results["cwt-1200"].get("seconds", math.nan)
    for name, what in PEERS.items():
        r = measure(name)
        if "error" in r:
            print(f"| {what} | not run: {r['error']} | | | | | |")
            continue
        print(
            f"| {what} ({name} {r['version']}) | {r['seconds']:.2f} | | {r['rss']:.0f} | | | "
            f"{r['seconds'] / base:.0f}x Soma CWT 1200x256 |"
        )


if __name__ == "__main__":
    main()

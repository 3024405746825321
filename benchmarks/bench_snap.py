"""Benchmark of snapping (workers.snap.snap_trace) against known truth, with peers.

    .venv/bin/python benchmarks/bench_snap.py

Synthetic 44.1 kHz mono float32 signals with white noise, made the same way each run (fixed
seeds). Each case is run on TRIALS signals (new noise, phases and guide each time) and the
errors of all their points are pooled. The guide is drawn off the truth like a hand would: a
constant offset (up to +-60 cents), a slow wobble (+-20 cents) and jitter (5 cents rms),
10 points per second, linear in between.

Errors: frequency in cents against the true instantaneous frequency at each output time,
amplitude in dB against the true level. Points Soma flags as noise (NaN) are counted in
"flagged" and left out of the error statistics (a target fails if too many are flagged).

Peers: librosa.pyin (monophonic cases only; pip install librosa, part of the bench extra),
frame length 2048, 5 ms hop, fmin/fmax an octave around the truth; and a naive baseline, the
whole-row argmax of a Hann STFT (4096 points, 5 ms hop) within +-100 cents of the guide, read
at the bin centre, amplitude from the peak bin. Case (6) is Soma alone on white noise: the
share of points it flags (all of them should be).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.snap import snap_trace  # noqa: E402

SR = 44100
TRIALS = 5
HOP = 0.005
TOLERANCE = 100.0
TIMING_REPEATS = 7


def noisy(x: np.ndarray, snr_db: float, rng) -> np.ndarray:
    """x plus white noise whose power is snr_db below that of a unit sine (0.5); a partial of
    amplitude A is then at snr_db + 20*log10(A) dB SNR."""
    return (x + rng.normal(0.0, np.sqrt(0.5 / 10 ** (snr_db / 10)), x.size)).astype(np.float32)


def phase(inst: np.ndarray) -> np.ndarray:
    return 2 * np.pi * np.cumsum(inst) / SR


def hand_guide(truth, start: float, end: float, rng) -> np.ndarray:
    """A guide drawn off `truth` (callable time -> Hz): offset, wobble and jitter in cents."""
    times = np.linspace(start, end, max(2, round((end - start) * 10) + 1))
    off = rng.uniform(-60, 60) * np.ones_like(times)
    off += 20 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * times + rng.uniform(0, 6))
    off += rng.normal(0, 5, times.size)
    off = np.clip(off, -80, 80)  # a rough but honest stroke stays within the tolerance
    return np.c_[times, truth(times) * 2 ** (off / 1200)]


# --- cases: each returns (audio, guide, truth freq(t), truth dB(t) or None, mono) ------------


def steady(rng, seconds=3.0):
    t = np.arange(round(seconds * SR)) / SR
    f, amp = 440.0 * 2 ** rng.uniform(-0.5, 0.5), 0.5
    x = noisy(amp * np.sin(2 * np.pi * f * t + rng.uniform(0, 6)), 20 - 20 * np.log10(amp), rng)
    const = lambda s: np.full_like(np.asarray(s, float), f)  # noqa: E731
    return (
        x,
        hand_guide(const, 0.05, seconds - 0.05, rng),
        const,
        lambda s: np.full_like(np.asarray(s, float), 20 * np.log10(amp)),
    )


def vibrato(rng, seconds=3.0):
    t = np.arange(round(seconds * SR)) / SR
    f0, start = 440.0, rng.uniform(0, 1)
    truth = lambda s: f0 * 2 ** (50 / 1200 * np.sin(2 * np.pi * 6 * (s + start)))  # noqa: E731
    x = noisy(np.sin(phase(truth(t))), 20, rng)
    centre = lambda s: np.full_like(np.asarray(s, float), f0)  # noqa: E731
    # The hand follows the vibrato's centre, not its wiggles.
    return (
        x,
        hand_guide(centre, 0.05, seconds - 0.05, rng),
        truth,
        lambda s: np.zeros_like(np.asarray(s, float)),
    )


def harmonic5(rng, seconds=3.0):
    t = np.arange(round(seconds * SR)) / SR
    f0 = 220.0 * 2 ** rng.uniform(-0.3, 0.3)
    x = sum(0.1 * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 6)) for h in range(1, 11))
    x = noisy(x, 20 - 20 * np.log10(0.1), rng)  # noise 20 dB below each (-20 dBFS) partial
    const = lambda s: np.full_like(np.asarray(s, float), 5 * f0)  # noqa: E731
    return (
        x,
        hand_guide(const, 0.05, seconds - 0.05, rng),
        const,
        lambda s: np.full_like(np.asarray(s, float), -20.0),
    )


CROSS_AT = 1.5


def crossing(rng, seconds=3.0):
    t = np.arange(round(seconds * SR)) / SR
    lo = 400.0 * 2 ** rng.uniform(-0.2, 0.2)
    up = lambda s: lo * 2 ** (np.asarray(s) / seconds)  # noqa: E731  one octave up in 3 s
    down = lambda s: 2 * lo * 2 ** (-np.asarray(s) / seconds)  # noqa: E731  and down
    x = noisy(
        0.5 * np.sin(phase(up(t)) + rng.uniform(0, 6))
        + 0.5 * np.sin(phase(down(t)) + rng.uniform(0, 6)),
        20 - 20 * np.log10(0.5),
        rng,
    )
    return (
        x,
        hand_guide(up, 0.05, seconds - 0.05, rng),
        up,
        lambda s: np.full_like(np.asarray(s, float), 20 * np.log10(0.5)),
    )


CASES = {
    "steady": ("(1) steady partial, 20 dB SNR", steady, True),
    "vibrato": ("(2) 6 Hz +-50 cent vibrato, 20 dB SNR", vibrato, True),
    "harmonic5": ("(3) 5th harmonic of a 10-partial tone", harmonic5, False),
    "crossing": ("(4) two crossing glides (traced: the rising one)", crossing, False),
}


# --- methods: each returns (times, freqs, dB or None, seconds) -------------------------------


def soma(x, guide):
    began = time.perf_counter()
    out = snap_trace(x, SR, guide, hop=HOP, tolerance_cents=TOLERANCE)
    return out[:, 0], out[:, 1], out[:, 2], time.perf_counter() - began


def stft_argmax(x, guide):
    began = time.perf_counter()
    from scipy.signal import stft

    n_fft, hop = 4096, round(HOP * SR)
    window = np.hanning(n_fft)
    freqs, times, spec = stft(
        x,
        SR,
        window=window,
        nperseg=n_fft,
        noverlap=n_fft - hop,
        boundary="even",
        padded=False,
        scaling="spectrum",
    )
    # scaling='spectrum' divides by sum(window): a sine of amplitude A peaks at A/2.
    mag = np.abs(spec)
    keep = (times >= guide[0, 0]) & (times <= guide[-1, 0])
    times, mag = times[keep], mag[:, keep]
    centre = np.exp(np.interp(times, guide[:, 0], np.log(guide[:, 1])))
    out_f, out_db = np.empty(times.size), np.empty(times.size)
    for k, fc in enumerate(centre):
        lo, hi = np.searchsorted(freqs, fc * 2 ** (np.array([-TOLERANCE, TOLERANCE]) / 1200))
        j = lo + int(np.argmax(mag[lo : hi + 1, k]))
        out_f[k], out_db[k] = freqs[j], 20 * np.log10(2 * mag[j, k])
    return times, out_f, out_db, time.perf_counter() - began


def pyin(x, guide):
    import librosa

    began = time.perf_counter()
    centre = float(np.exp(np.mean(np.log(guide[:, 1]))))
    f0, _, _ = librosa.pyin(
        x,
        fmin=centre / 2,
        fmax=centre * 2,
        sr=SR,
        frame_length=2048,
        hop_length=round(HOP * SR),
        center=True,
    )
    times = librosa.times_like(f0, sr=SR, hop_length=round(HOP * SR))
    keep = (times >= guide[0, 0]) & (times <= guide[-1, 0])
    return times[keep], f0[keep], None, time.perf_counter() - began


def have_librosa() -> bool:
    try:
        import librosa  # noqa: F401
    except ImportError:
        return False
    return True


def evaluate(case: str, method) -> dict:
    rng = np.random.default_rng(20240 + list(CASES).index(case))
    cents, dbs, flagged, count, seconds, worst_far = [], [], 0, 0, [], 0.0
    for _ in range(TRIALS):
        x, guide, truth_f, truth_db = CASES[case][1](rng)
        times, f, db, elapsed = method(x, guide)
        seconds.append(elapsed)
        err = 1200 * np.log2(f / truth_f(times))
        bad = ~np.isfinite(err)
        flagged += int(bad.sum())
        count += err.size
        cents.append(np.abs(err[~bad]))
        if db is not None:
            dbs.append(np.abs(db - truth_db(times))[np.isfinite(db)])
        if case == "crossing":
            far = (np.abs(times - CROSS_AT) > 0.15) & ~bad
            worst_far = max(worst_far, float(np.abs(err[far]).max()))
    cents = np.concatenate(cents)
    row = dict(
        median=np.median(cents),
        p95=np.percentile(cents, 95),
        max=cents.max(),
        flagged=flagged / count,
        ms=1000 * statistics.median(seconds),
        far=worst_far,
    )
    if dbs:
        dbs = np.concatenate(dbs)
        row.update(db_median=np.median(dbs), db_p95=np.percentile(dbs, 95))
    return row


def timing() -> tuple[float, float]:
    """Median and max wall time of snapping a 3 s guide (steady case), warm."""
    rng = np.random.default_rng(7)
    x, guide, _, _ = steady(rng, seconds=3.2)
    guide = guide[(guide[:, 0] >= 0.1) & (guide[:, 0] <= 3.1 + 1e-9)]
    guide[-1, 0] = guide[0, 0] + 3.0
    snap_trace(x, SR, guide)  # warm: imports, first FFT plans
    runs = []
    for _ in range(TIMING_REPEATS):
        began = time.perf_counter()
        snap_trace(x, SR, guide)
        runs.append(time.perf_counter() - began)
    return statistics.median(runs), max(runs)


def noise_only() -> float:
    """Share of points kept (not flagged) on 10 s of white noise, guides at 4 frequencies."""
    rng = np.random.default_rng(99)
    x = noisy(np.zeros(10 * SR), 20, rng)
    kept = [
        ~np.isnan(
            snap_trace(x, SR, hand_guide(lambda s, f=f: np.full_like(s, f), 0.05, 9.95, rng))[:, 1]
        )
        for f in (200.0, 800.0, 3000.0, 10000.0)
    ]
    return float(np.concatenate(kept).mean())


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in subprocess.run(
                ["lscpu"], capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def fmt(value, spec=".2f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    methods = [("Soma snap_trace", soma)]
    if have_librosa():
        import librosa

        methods.append((f"librosa {librosa.__version__} pyin", pyin))
    methods.append(("STFT row argmax (naive)", stft_argmax))

    results = {}
    for case, (_, _, mono) in CASES.items():
        for name, method in methods:
            if method is pyin and not mono:
                continue
            # pyin's first call JIT-compiles (numba); keep that out of its time.
            if method is pyin and "pyin-warm" not in results:
                pyin(
                    CASES["steady"][1](np.random.default_rng(0))[0][:SR],
                    np.array([[0.1, 440.0], [0.9, 440.0]]),
                )
                results["pyin-warm"] = True
            results[case, name] = evaluate(case, method)
    median_s, max_s = timing()
    kept_noise = noise_only()

    print(f"Snapping benchmark, {time.strftime('%Y-%m-%d')}, {machine()}")
    print(
        f"{TRIALS} trials per case, hop {HOP * 1000:g} ms, tolerance {TOLERANCE:g} cents; "
        f"errors pooled over all points; time = median per call"
    )
    print()
    head = (
        "| case | method | median cents | p95 cents | max cents | median dB | p95 dB "
        "| flagged | ms/call |"
    )
    print(head)
    print("|" + "---|" * 9)
    for case, (title, _, _) in CASES.items():
        for name, _ in methods:
            r = results.get((case, name))
            if r is None:
                continue
            print(
                f"| {title} | {name} | {fmt(r['median'])} | {fmt(r['p95'])} | "
                f"{fmt(r['max'], '.1f')} | {fmt(r.get('db_median'))} | "
                f"{fmt(r.get('db_p95'))} | {100 * r['flagged']:.1f} % | {r['ms']:.1f} |"
            )
    print(
        f"| (5) 3 s guide, warm | Soma snap_trace | | | | | | | "
        f"{1000 * median_s:.1f} (max {1000 * max_s:.1f}) |"
    )
    print(
        f"| (6) white noise only, 4 x 10 s | Soma snap_trace | | | | | | "
        f"{100 * (1 - kept_noise):.2f} % | |"
    )
    print()

    s = "Soma snap_trace"
    checks = [
        (
            "(1) steady: median <= 1 cent and <= 0.2 dB, under 1 % flagged",
            results["steady", s]["median"] <= 1
            and results["steady", s]["db_median"] <= 0.2
            and results["steady", s]["flagged"] < 0.01,
        ),
        (
            "(2) vibrato: median <= 5 cents, under 1 % flagged",
            results["vibrato", s]["median"] <= 5 and results["vibrato", s]["flagged"] < 0.01,
        ),
        (
            "(3) 5th harmonic: no point more than 50 cents off, none flagged",
            results["harmonic5", s]["max"] <= 50 and results["harmonic5", s]["flagged"] == 0,
        ),
        (
            f"(4) crossing: followed (max error beyond +-0.15 s of the crossing "
            f"{results['crossing', s]['far']:.1f} cents <= 50; overall max "
            f"{results['crossing', s]['max']:.1f})",
            results["crossing", s]["far"] <= 50,
        ),
        ("(5) 3 s guide in <= 100 ms (median of warm calls)", median_s <= 0.1),
        ("(6) noise only: at least 99 % of points flagged", kept_noise <= 0.01),
    ]
    for text, ok in checks:
        print(f"{'MET    ' if ok else 'NOT MET'} {text}")


if __name__ == "__main__":
    main()

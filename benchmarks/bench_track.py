"""Benchmark of the automatic partial tracker (workers.track) against sms-tools, in one run.

    .venv/bin/python benchmarks/bench_track.py          (pip install -e '.[bench]' first)

1. Accuracy on the synthetic cases of tests/track_cases.py (known partials; scoring as that
   module describes: recall, precision, median and 95th-percentile error in cents, tracks per
   true partial). Soma runs on its defaults. sms-tools (Serra's SMS sine model,
   ``smstools.models.sineModel.sineModelAnal``, Blackman-Harris window, hop 220 samples =
   4.99 ms, maxnSines 100, minSineDur 0.05 s, freqDevOffset 20 Hz, freqDevSlope 0.01) gets
   the best F-score of its window sizes (1023/2048, 2047/4096, 4095/8192 samples/FFT) and
   thresholds (-50, -70, -90 dB) per case. Its frames (frame l centred at sample l * H,
   measured at the start of the run by ``sms_frame_centre``) are read on the 5 ms grid by
   linear interpolation within each track (a column's run of non-zero frequencies). A
   second table scores the module's VARIANTS the same way: the same kinds of sound with
   other parameters, seeds and noise, which the defaults were not chosen on.
2. Speed: one minute of a 20-harmonic voice-like tone (the voice case's recipe) tracked by
   `soma track` from the command line, process start included, against sms-tools'
   sineModelAnal in-process on the same minute (2047-sample window, 4096 FFT, hop 128,
   threshold -80 dB), the best of SPEED_RUNS runs of each, taken in turn (the machine's
   speed drifts over a run: a single run of sms-tools varied from 5.4 to 9.2 s).
   Target: Soma at most a quarter of sms-tools' time.
3. Memory: peak RSS of `soma track` on a 10-minute file against a 1-minute one (the same
   minute repeated), and of the tracking alone (``app.files.tracking.track_file``, without
   the export): the analysis must not grow with the file's length; the partials found and
   the export's text do.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import get_window

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from smstools.models.sineModel import sineModelAnal  # noqa: E402
from track_cases import CASES, HOP, SR, VARIANTS, Score, score, voice  # noqa: E402

from workers.track import track_partials  # noqa: E402
from workers.track_link import compiled_module  # noqa: E402

SMS_WINDOWS = ((1023, 2048), (2047, 4096), (4095, 8192))
SMS_THRESHOLDS = (-50.0, -70.0, -90.0)
SPEED_RUNS = 5
SMS_HOP = 220
SOMA = str(ROOT / ".venv" / "bin" / "soma")


def sms_frame_centre() -> int:
    """The sample at which sineModelAnal's frame 0 is centred, from the phase it reads of a
    cosine (phase 0 at sample 0) at its frame 1. The mapping of its frames to times is
    measured rather than read off its code: taken as 1 + l * H, one sample late, it left
    every sms-tools track without the grid's point at t = 0, where Soma's counted (in the
    cases that start with an attack, a point off the truth)."""
    freq = 1000.0  # Hz: one sample is 0.14 rad of its phase, unambiguous
    audio = np.cos(2 * np.pi * freq * np.arange(SR // 10) / SR)
    _, _, phases = sineModelAnal(
        audio, SR, get_window("blackmanharris", 1023), 2048, SMS_HOP, -90.0, 1, 0.01, 20.0, 0.01
    )
    late = np.angle(np.exp(1j * (phases[1, 0] - 2 * np.pi * freq * SMS_HOP / SR)))
    return round(late / (2 * np.pi * freq / SR))


SMS_FRAME_CENTRE = sms_frame_centre()


def sms_tracks(x: np.ndarray, window: int, nfft: int, threshold: float, hop: int = SMS_HOP):
    """sineModelAnal's tracks as (n, 2) [time s, frequency Hz] arrays on the HOP grid."""
    w = get_window("blackmanharris", window)
    freqs, _, _ = sineModelAnal(
        x.astype(np.float64), SR, w, nfft, hop, threshold, 100, 0.05, 20.0, 0.01
    )
    times = (SMS_FRAME_CENTRE + np.arange(freqs.shape[0]) * hop) / SR
    grid = np.arange(int(times[-1] / HOP) + 1) * HOP
    tracks = []
    for column in freqs.T:
        on = np.concatenate(([0], (column > 0).astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(on))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            inside = grid[(grid >= times[a]) & (grid <= times[b - 1])]
            if b - a >= 2 and inside.size:
                tracks.append(np.column_stack([inside, np.interp(inside, times[a:b], column[a:b])]))
    return tracks


def best_sms(case) -> tuple[Score, str]:
    results = []
    for window, nfft in SMS_WINDOWS:
        for threshold in SMS_THRESHOLDS:
            result = score(case, sms_tracks(case.audio, window, nfft, threshold))
            results.append((result.f_score, result, f"{window}/{threshold:g}"))
    _, result, label = max(results, key=lambda r: r[0])
    return result, label


def meets(case, soma: Score, sms: Score) -> list[str]:
    """The targets this case misses (empty: all met)."""
    close_pair = "25 cents" in case.name
    misses = []
    if soma.f_score < sms.f_score:
        misses.append("F < sms")
    if soma.recall < (0.7 if close_pair else 0.95):
        misses.append("recall")
    if soma.precision < 0.97:
        misses.append("precision")
    if not soma.median_cents <= (3.0 if case.vibrato else 1.5):
        misses.append("median")
    if not soma.tracks_per_partial <= 1.3:
        misses.append("tracks/partial")
    return misses


def accuracy(title: str, makers) -> None:
    print(f"\n### {title} (Soma defaults; sms-tools best window/threshold per case)\n")
    print(
        "| case | Soma R / P / F | Soma median, p95 cents | Soma tracks per partial | "
        "sms-tools R / P / F | sms median, p95 | sms tracks | sms best | targets missed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for make in makers:
        case = make()
        soma = score(case, track_partials(case.audio, SR))
        sms, label = best_sms(case)
        misses = meets(case, soma, sms)
        print(
            f"| {case.name} | {soma.recall:.3f} / {soma.precision:.3f} / {soma.f_score:.3f} | "
            f"{soma.median_cents:.2f}, {soma.p95_cents:.1f} | {soma.tracks_per_partial:.2f} | "
            f"{sms.recall:.3f} / {sms.precision:.3f} / {sms.f_score:.3f} | "
            f"{sms.median_cents:.2f}, {sms.p95_cents:.1f} | {sms.tracks_per_partial:.2f} | "
            f"{label} | {', '.join(misses) or 'none'} |",
            flush=True,
        )


def run_soma(path: Path, out: Path) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of `soma track path -o out -q`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [SOMA, "track", str(path), "-o", str(out), "-q"], stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"soma track failed on {path}")
    return elapsed, usage.ru_maxrss / 1024.0


def rss_of_analysis(path: Path) -> float:
    """Peak RSS (MB) of a process that only tracks the file (``track_file``, no export)."""
    code = "import sys; from app.files.tracking import track_file; track_file(sys.argv[1])"
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"track_file failed on {path}")
    return usage.ru_maxrss / 1024.0


def speed_and_memory() -> None:
    audio = voice(60.0).audio  # 20 harmonics
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "voice-1min.wav"
        ten = Path(folder) / "voice-10min.wav"
        sf.write(one, audio, SR, subtype="FLOAT")
        with sf.SoundFile(ten, "w", SR, 1, subtype="FLOAT") as file:
            for _ in range(10):
                file.write(audio)
        out = Path(folder) / "out.json"
        run_soma(one, out)  # warm the page cache and the imports' files
        w = get_window("blackmanharris", 2047)
        soma_runs, sms_runs = [], []
        for _ in range(SPEED_RUNS):
            soma_runs.append(run_soma(one, out)[0])
            start = time.perf_counter()
            sineModelAnal(audio.astype(np.float64), SR, w, 4096, 128, -80.0, 100, 0.05, 20.0, 0.01)
            sms_runs.append(time.perf_counter() - start)
        soma_seconds, sms_seconds = min(soma_runs), min(sms_runs)
        _, rss_one = run_soma(one, out)
        seconds_ten, rss_ten = run_soma(ten, out)
        analysis_one, analysis_ten = rss_of_analysis(one), rss_of_analysis(ten)

    print(f"\n### Speed: one minute of a 20-harmonic voice (best of {SPEED_RUNS} each)\n")
    print("| | seconds | share of sms-tools |")
    print("|---|---|---|")
    print(
        f"| `soma track` (process start included) | {soma_seconds:.2f} | "
        f"{soma_seconds / sms_seconds:.2f} |"
    )
    print(f"| sms-tools sineModelAnal, in-process (2047/4096, hop 128) | {sms_seconds:.2f} | 1 |")
    verdict = "met" if soma_seconds <= sms_seconds / 4 else "NOT met"
    print(f"\nTarget (at most a quarter of sms-tools' time): {verdict}.")
    print("\n### Memory: peak RSS\n")
    print("| file | `soma track` MB (tracking and export) | tracking alone MB | wall s |")
    print("|---|---|---|---|")
    print(f"| 1 minute | {rss_one:.0f} | {analysis_one:.0f} | {soma_seconds:.1f} |")
    print(f"| 10 minutes | {rss_ten:.0f} | {analysis_ten:.0f} | {seconds_ten:.1f} |")


def main() -> None:
    print(
        f"bench_track: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"sms-tools' frame l centred at sample {SMS_FRAME_CENTRE} + l * hop"
    )
    # The speed is Soma's only with the linking compiled ahead of time (make builds it).
    linking = "compiled ahead of time" if compiled_module() else "numba's JIT (run make)"
    print(f"Soma's linking: {linking}")
    accuracy("Accuracy", CASES)
    accuracy("Variants: the same kinds of sound, other parameters and noise", VARIANTS)
    speed_and_memory()


if __name__ == "__main__":
    main()

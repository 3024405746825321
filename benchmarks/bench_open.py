"""Open-to-overview time for a long file: Soma against a naive full-resolution STFT; and
files of hours, measured from outside the window.

    .venv/bin/python benchmarks/bench_open.py          # both tables
    .venv/bin/python benchmarks/bench_open.py --long   # the hours only

Target (issue 2): a 10-minute 44.1 kHz stereo WAV shows its overview in under 1 s on a
2-core machine. Measured twice: in Python (decode + overview STFT + quantisation), and in the
real window, from the page's open_path call to the overview drawn on its canvas.

Target (issue 18), for 1-hour and 3-hour 44.1 kHz 16-bit stereo WAV and FLAC files, measured
from outside the real window (its processes, QtWebEngine's excluded, read from /proc):
"settle" is the time from the page's open_path call until the app's processes go quiet (less
than 5 % of a core over a whole second) with the file open; "extra PSS" is the peak of their
summed proportional set size during that open, less what they held with a 1-second file open.
Each is against the 1-second file opened in the same window just before; a 1-hour file's
timing is the median of HOUR_RUNS such pairs. The 1-hour file must
settle at most 1 s later than soundfile alone takes to decode it, and its extra memory must be
at most 1.3 x its mono float32 samples.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy import signal

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from gui_session import GuiSession, start_xvfb  # noqa: E402

from app.compute.overview import compute_overview  # noqa: E402
from app.files.audio import load_audio  # noqa: E402

OPEN_IN_PAGE = """(() => {
  window.__bench = null;
  const before = document.body.dataset.overviewKey;
  const began = performance.now();
  window.pywebview.api.open_path(%s);
  const poll = () => {  // the new file's overview, drawn (not a late one of the file before)
    const key = document.body.dataset.overviewKey, s = window.soma.state();
    if (key && key !== before && s.file && s.file.name === %s && s.overview &&
        key === s.overview.key) {
      requestAnimationFrame(() => { window.__bench = performance.now() - began; });
    } else setTimeout(poll, 2);
  };
  poll();
  return true;
})()"""


def in_window(path: Path) -> list[float]:
    """Seconds from the page's open_path call to the overview drawn, in the real window."""
    xvfb = start_xvfb() if not os.environ.get("DISPLAY") else None
    window = GuiSession(None)
    times = []
    try:
        window.wait_for("document.body.dataset.overviewKey", timeout=60)
        for _ in range(RUNS):
            window.eval(OPEN_IN_PAGE % (json.dumps(str(path)), json.dumps(path.name)))
            times.append(window.wait_for("window.__bench", timeout=60) / 1000)
            window.eval("window.pywebview.api.open_demo(), true")
            window.wait_for(
                "window.soma.state().file.name === 'Demo recording' && "
                "!window.soma.state().busy && document.body.dataset.overviewKey "
                "=== window.soma.state().overview.key",
                timeout=60,
            )
    finally:
        window.close()
        if xvfb:
            xvfb.terminate()
    return times


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
    if "--long" not in sys.argv[1:]:
        ten_minutes()
    hours()


def ten_minutes() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = make_file(Path(folder))
        load_audio(path)  # the page cache, as after the file dialog found the file
        load_s, audio = timed(lambda: load_audio(path))
        overview_s, _ = timed(lambda: compute_overview(audio, "bench"))
        open_s, _ = timed(lambda: compute_overview(load_audio(path), "bench"))
        naive_s, _ = timed(
            lambda: signal.spectrogram(audio.samples, SR, nperseg=2048, noverlap=1024), runs=1
        )
        window_s = statistics.median(in_window(path))
    rows = [
        ("Soma: decode + mixdown", load_s),
        ("Soma: overview STFT 2000x384 + uint8", overview_s),
        ("Soma: open to overview (both)", open_s),
        ("Soma: open_path in the window to the overview drawn", window_s),
        ("scipy.signal.spectrogram, full resolution (nperseg 2048, 50 %)", naive_s),
    ]
    print(f"{MINUTES} min, {SR} Hz stereo 16-bit WAV, median of {RUNS} runs\n")
    print(f"| {'what':<66} | {'seconds':>8} |")
    print(f"|{'-' * 68}|{'-' * 10}|")
    for name, seconds in rows:
        print(f"| {name:<66} | {seconds:8.3f} |")
    print(
        f"\nopen to overview drawn in the window: {window_s:.3f} s (target < 1 s): "
        f"{'met' if window_s < 1.0 else 'NOT MET'}; "
        f"naive full-resolution STFT alone is {naive_s / open_s:.1f}x slower"
    )


# -- files of hours, from outside the window ---------------------------------------------------

LONG_CASES = ((1, "WAV"), (1, "FLAC"), (3, "WAV"), (3, "FLAC"))
# Timings of a 1-hour file: the median of this many (each against the 1-second file just
# before it), since on a shared 2-core machine one run moves by a few tenths of a second.
HOUR_RUNS = 5
QUIET_CPU = 0.05  # seconds of CPU per second of wall time: "quiet"
QUIET_FOR = 1.0  # seconds
TICK = os.sysconf("SC_CLK_TCK")


def make_hours(folder: Path, hours: int, fmt: str) -> Path:
    """A 16-bit stereo file of `hours`, written a minute at a time (a tone over noise)."""
    rng = np.random.default_rng(1)
    t = np.arange(60 * SR) / SR
    tone = 0.3 * np.sin(2 * np.pi * 330 * t)
    minute = np.stack([tone, tone], axis=1) + 0.01 * rng.standard_normal((t.size, 2))
    path = folder / f"{hours}h.{fmt.lower()}"
    with sf.SoundFile(path, "w", SR, 2, "PCM_16", format=fmt) as out:
        for _ in range(hours * 60):
            out.write(minute)
    return path


def soundfile_decode(path: Path) -> float:
    """Seconds soundfile alone takes to decode the whole file: sf.read to float32 (its own
    stereo array, which it allocates, as any program reading the file would)."""
    began = time.perf_counter()
    data, _ = sf.read(path, dtype="float32")
    seconds = time.perf_counter() - began
    del data
    return seconds


def _app_pids(root: int) -> list[int]:
    """The window's process and its descendants, QtWebEngine's processes excluded."""
    pids, todo = [], [root]
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    children.setdefault(int(stat.read().rsplit(")", 1)[1].split()[1]), []).append(
                        int(entry)
                    )
            except OSError:
                continue
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"QtWebEngineProcess" in cmdline.read():
                    continue
        except OSError:
            continue
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def _summed(root: int, read) -> float:
    """read(pid) summed over the app's processes (one that ended while we looked counts 0)."""
    total = 0
    for pid in _app_pids(root):
        try:
            total += read(pid)
        except (OSError, StopIteration, IndexError):
            continue
    return total


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _pss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        return next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))


def _cpu(root: int) -> float:
    """CPU seconds the app's processes have used so far."""
    return _summed(root, _cpu_seconds)


def _pss(root: int) -> int:
    """Summed PSS bytes of the app's processes now."""
    return int(_summed(root, _pss_bytes))


def settle(window: GuiSession, path: Path, memory: bool) -> tuple[float, int]:
    """Open `path` from the page; (seconds until quiet, peak summed PSS or 0).

    Timing and memory are separate runs: reading smaps_rollup walks the page tables of every
    mapping under the mmap lock, which slowed the app itself (the first runs read up to 10 s
    more with it sampled every 50 ms).
    """
    samples: list[tuple[float, float]] = []
    peak = 0
    began = time.perf_counter()
    window.eval(f"window.pywebview.api.open_path({json.dumps(str(path))}), true")
    while True:
        cpu = _cpu(window.pid)
        if memory:
            peak = max(peak, _pss(window.pid))
        now = time.perf_counter() - began
        samples.append((now, cpu))
        # Quiet: the last QUIET_FOR seconds used less than QUIET_CPU of a core.
        start = next((s for s in samples if s[0] >= now - QUIET_FOR), samples[0])
        if now - start[0] >= QUIET_FOR * 0.95 and cpu - start[1] < QUIET_CPU * QUIET_FOR:
            state = window.eval("(s => s.file && [s.file.name, s.busy])(window.soma.state())")
            if state and state[0] == path.name and not state[1]:
                return start[0], peak
        if now > 600:
            raise TimeoutError(f"{path.name} did not settle in 600 s")
        time.sleep(0.05)


def hours() -> None:
    rows = []
    xvfb = start_xvfb() if not os.environ.get("DISPLAY") else None
    with tempfile.TemporaryDirectory() as folder:
        second = Path(folder) / "one-second.wav"
        sf.write(second, np.zeros((SR, 2)), SR, subtype="PCM_16")
        window = GuiSession(str(second))
        try:
            window.wait_for("document.body.dataset.overviewKey", timeout=60)
            for hours_long, fmt in LONG_CASES:
                path = make_hours(Path(folder), hours_long, fmt)
                soundfile_decode(path)  # the page cache, as after the file dialog found it
                # Timed once, while the window holds the 1-second file as for every row: timed
                # again between the long file's opens it took up to 2.7 s instead of 0.9
                # (cause not found), which would flatter the window.
                decode_s = soundfile_decode(path)
                lates = []
                for _ in range(HOUR_RUNS if hours_long == 1 else 1):
                    peer_s, _ = settle(window, second, memory=False)
                    long_s, _ = settle(window, path, memory=False)
                    lates.append((long_s - peer_s - decode_s, peer_s, long_s))
                settle(window, second, memory=False)
                _, peer_s, long_s = sorted(lates)[len(lates) // 2]
                runs = ", ".join(f"{run[0]:+.2f}" for run in lates)
                peer_pss = _pss(window.pid)  # settled on the 1-second file
                _, peak_pss = settle(window, path, memory=True)
                frames = sf.info(str(path)).frames
                rows.append(
                    (hours_long, fmt, decode_s, peer_s, long_s, peak_pss - peer_pss, frames, runs)
                )
                settle(
                    window, second, memory=False
                )  # let go of the long file before the next is made
                path.unlink()
        finally:
            window.close()
            if xvfb:
                xvfb.terminate()
    print(
        f"\n{SR} Hz 16-bit stereo, from outside the window (QtWebEngine excluded); timings of "
        f"the 1-hour files the median of {HOUR_RUNS} runs, of the 3-hour files one run\n"
    )
    print(
        "| file | soundfile decode s | settle s (1-s file) | settle s | later than decode s "
        "| each run | extra PSS MB | mono float32 MB | x samples |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for hours_long, fmt, decode_s, peer_s, long_s, extra, frames, runs in rows:
        mono = frames * 4
        print(
            f"| {hours_long} h {fmt} | {decode_s:.2f} | {peer_s:.2f} | {long_s:.2f} "
            f"| {long_s - peer_s - decode_s:+.2f} | {runs} | {extra / 1e6:.0f} "
            f"| {mono / 1e6:.0f} | {extra / mono:.2f} |"
        )
    for hours_long, fmt, decode_s, peer_s, long_s, extra, frames, _ in rows:
        if hours_long == 1:
            late = long_s - peer_s - decode_s
            ratio = extra / (frames * 4)
            print(
                f"1 h {fmt}: settles {late:+.2f} s after soundfile's decode (median; target "
                f"<= 1 s): {'met' if late <= 1 else 'NOT MET'}; extra memory {ratio:.2f} x the "
                f"samples (target <= 1.3): {'met' if ratio <= 1.3 else 'NOT MET'}"
            )


if __name__ == "__main__":
    main()

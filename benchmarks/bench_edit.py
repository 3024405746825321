"""Edits of one long partial: an eraser stroke of 5,000 ranges over 2,000,000 points, and the
state reply that follows it.

    .venv/bin/python benchmarks/bench_edit.py

The erase runs as the bridge runs it, under the document store's write lock
(`DocumentStore.update`), so its time is how long every other update waits. The reply is
what the bridge sends the page: `DocumentState.to_json()`, `json_safe`, `json.dumps`; beside
it, the same partials as per-point JSON rows (`points_to_json`, the page's format before the
bytes). Median of 3 runs. Target: each well under a second.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_synth import machine

from app.base.jsontext import json_safe
from app.document import editing
from app.document.partials import points_to_json
from app.document.state import DocumentState
from app.document.store import DocumentStore

POINTS, RANGES, HOP = 2_000_000, 5_000, 0.005


def median_time(fn, runs=3) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main():
    t = np.arange(POINTS) * HOP
    points = np.c_[
        t, 440.0 * 2 ** (30 / 1200 * np.sin(2 * np.pi * 5.5 * t)), np.full(POINTS, -20.0)
    ]
    start = editing.added(DocumentState(), points, {})
    first = np.linspace(1_000, POINTS - 1_000, RANGES).astype(int)
    ranges = [(1, t[i], t[i + 99]) for i in first]  # 100 points each

    def erase():
        store = DocumentStore()
        store.update(lambda _: start)
        return store.update(lambda s: editing.erased(s, ranges))

    erased = erase()
    print(f"Edit benchmark, {date.today()}, {machine()}, numpy {np.__version__}")
    print(
        f"{RANGES} ranges erased from one partial of {POINTS} points: "
        f"{len(erased.partials)} partials left\n"
    )
    print("| step | time (s) |")
    print("|---|---|")
    erase_s = median_time(erase)
    print(f"| erase, under the store's write lock | {erase_s:.3f} |")
    reply_s = median_time(lambda: json.dumps(json_safe(erased.to_json()), allow_nan=False))
    print(f"| state reply, points as base64 float64 | {reply_s:.3f} |")
    rows_s = median_time(
        lambda: json.dumps(
            json_safe([points_to_json(p.points) for p in erased.partials]), allow_nan=False
        ),
        runs=1,
    )
    print(f"| the same points as per-point JSON rows (before) | {rows_s:.3f} |")
    met = erase_s < 1.0 and reply_s < 1.0
    print(f"\n{'MET' if met else 'NOT MET'}     erase and reply each under 1 s")


if __name__ == "__main__":
    main()

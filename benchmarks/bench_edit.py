"""Edits of one long partial: an eraser stroke of 5,000 ranges over 2,000,000 points, the
partials the page then pulls, and the project saved and opened again.

    .venv/bin/python benchmarks/bench_edit.py

The erase runs as the bridge runs it, under the document store's write lock
(`DocumentStore.update`), so its time is how long every other update waits. The page then
pulls the partials (the bridge's get_state): listed in the state (`to_json(with_partials=True)`,
`json_safe`, `json.dumps`), their points as bytes (`partials_bytes`); beside it, the same
points as per-point JSON rows (`points_to_json`, the page's format before the bytes). The
project (`save_project`, `load_project`, in a temporary folder) holds the points as base64
float64 rows (schema version 2); beside it, the same project in version 1's JSON
rows, written as that version wrote it (json.dumps of the rows, its text read back) and
loaded. Median of 3 runs. Target: each well under a second.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_synth import machine

from app.base.jsontext import json_safe
from app.document import editing
from app.document.partials import partials_bytes, points_from_base64, points_to_json
from app.document.state import DocumentState
from app.document.store import DocumentStore
from app.files.project import Project, load_project, save_project

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
    pull_s = median_time(
        lambda: (
            json.dumps(json_safe(erased.to_json(with_partials=True)), allow_nan=False),
            partials_bytes(erased.partials),
        )
    )
    print(f"| the partials pulled: listed, their points as float64 bytes | {pull_s:.3f} |")
    rows_s = median_time(
        lambda: json.dumps(
            json_safe([points_to_json(p.points) for p in erased.partials]), allow_nan=False
        ),
        runs=1,
    )
    print(f"| the same points as per-point JSON rows (before) | {rows_s:.3f} |")

    project = Project(partials=erased.partials, next_partial_id=erased.next_partial_id)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.soma.json"
        save_s = median_time(lambda: save_project(project, path))
        load_s = median_time(lambda: load_project(path))
        megabytes = path.stat().st_size / 1e6
        print(f"| project saved, points as base64 float64 ({megabytes:.0f} MB) | {save_s:.3f} |")
        print(f"| project opened | {load_s:.3f} |")
        # Version 1's document: the same, each partial's points as JSON rows.
        version_1 = json.loads(path.read_text("utf-8"))
        version_1["version"] = 1
        for partial in version_1["partials"]:
            partial["points"] = points_to_json(points_from_base64(partial["points"]))

        def save_rows():
            text = json.dumps(version_1, allow_nan=False, separators=(",", ":"))
            json.loads(text)  # version 1's save read its text back, as version 2's does
            path.write_text(text, "utf-8")

        rows_save_s = median_time(save_rows, runs=1)
        megabytes = path.stat().st_size / 1e6
        rows_load_s = median_time(lambda: load_project(path), runs=1)
        print(f"| as JSON rows, saved ({megabytes:.0f} MB; before) | {rows_save_s:.3f} |")
        print(f"| as JSON rows, opened (before) | {rows_load_s:.3f} |")
    met = max(erase_s, pull_s, save_s, load_s) < 1.0
    print(f"\n{'MET' if met else 'NOT MET'}     erase, pull, save and open each under 1 s")


if __name__ == "__main__":
    main()

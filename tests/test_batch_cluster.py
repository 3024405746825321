"""`soma batch` as a user runs it, on real clusters: the local one it starts, and a
`dask scheduler` with two `dask worker` processes on 127.0.0.1 started here. Workers and
clients are killed mid-run; nothing is lost and no process is left behind."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from dask_processes import dask_cluster
from live_processes import alive, descendants
from terminal import ROOT, on_terminal
from waiting import wait_until

SR = 16000
GOOD = ("a.wav", "b.flac", "c.wav", "d.wav", "sub/a.wav", "stereo.wav")
BAD = {"bad.wav": "not audio", "empty.flac": "the file is empty"}
ARGS = ("--render", "--track", "-f", "csv,json")


def soma_batch(*args):
    """`soma batch ARGS` started (not waited for), output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "app", "batch", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Six 1.5 s recordings (a stereo one, a FLAC, one in a subfolder) and two bad files."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "sub").mkdir()
    t = np.arange(int(1.5 * SR)) / SR
    for n, name in enumerate(GOOD):
        tone = 0.3 * np.sin(2 * np.pi * (300 + 110 * n) * t) + 0.1 * np.sin(2 * np.pi * 2500 * t)
        sf.write(folder / name, np.column_stack([tone, tone]) if "stereo" in name else tone, SR)
    (folder / "bad.wav").write_text("this is not a recording")
    (folder / "empty.flac").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The outputs of one uninterrupted run on the local cluster (two worker processes)."""
    out = tmp_path_factory.mktemp("reference")
    code, stdout, stderr = finished(soma_batch(corpus, "-o", out, *ARGS, "--workers", "2"))
    assert code == 0, stderr
    assert stdout == f"{out / 'index.csv'}: 6 ok, 2 failed\n"
    return out


def outputs_of(folder):
    """{relative name: bytes} of every output, and the index rows without their timings."""
    files = {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith("index.")
    }
    rows = json.loads((folder / "index.json").read_text())["files"]
    return files, [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_a_corpus_with_bad_files_gives_every_output_and_a_row_for_each(corpus, reference):
    rows = {row["file"]: row for row in json.loads((reference / "index.json").read_text())["files"]}
    assert sorted(rows) == sorted(str(corpus / name) for name in (*GOOD, *BAD))
    for name in GOOD:
        row = rows[str(corpus / name)]
        assert (row["status"], row["error"], row["duration"], row["sample_rate"]) == (
            "ok",
            "",
            1.5,
            SR,
        )
        assert row["channels"] == (2 if "stereo" in name else 1) and row["partials"] >= 2
        for suffix in (".overview.png", ".overview.npy", ".partials.csv", ".partials.json"):
            assert (reference / (name + suffix)).stat().st_size > 0
        assert (reference / (name + ".overview.png")).read_bytes()[:4] == b"\x89PNG"
        assert np.load(reference / (name + ".overview.npy")).shape == (384, 2000)
    for name, reason in BAD.items():
        row = rows[str(corpus / name)]
        assert row["status"] == "error" and reason in row["error"] and "\n" not in row["error"]
        assert row["duration"] is None and not list(reference.glob(name + ".*"))
    header = (reference / "index.csv").read_text().splitlines()[0]
    assert header == "file,duration,sample_rate,channels,partials,seconds,status,error"


def test_a_scheduler_and_two_workers_losing_one_mid_run_give_the_same_outputs(
    corpus, reference, tmp_path
):
    out = tmp_path / "out"
    with dask_cluster(tmp_path / "cluster", workers=2) as cluster:
        run = soma_batch(corpus, "-o", out, *ARGS, "--scheduler", cluster.address)
        try:
            wait_until(lambda: any(out.glob("*.overview.png")), timeout=120)
            assert run.poll() is None, "the run ended before a worker could be killed"
            cluster.kill(cluster.workers[0])
            code, stdout, stderr = finished(run)
        finally:
            run.kill()
            run.wait()
        assert code == 0, stderr
        assert stdout.endswith("6 ok, 2 failed\n")
    assert outputs_of(out) == outputs_of(reference)


def test_a_run_killed_at_any_moment_and_resumed_ends_as_an_uninterrupted_one(
    corpus, reference, tmp_path
):
    out = tmp_path / "out"
    run = soma_batch(corpus, "-o", out, *ARGS, "--workers", "2")
    try:
        wait_until(lambda: (out / "index.json").exists(), timeout=120)
        workers = descendants(run.pid)
        assert run.poll() is None and workers, "the run ended before it could be killed"
        run.send_signal(signal.SIGKILL)
        run.wait()
    finally:
        run.kill()
        run.wait()
    # The local cluster's worker processes end with the client that started them.
    wait_until(lambda: not any(alive(pid) for pid in workers), timeout=30)
    done_before = {
        row["file"]: row for row in json.loads((out / "index.json").read_text())["files"]
    }
    assert 0 < len(done_before) < len(GOOD) + len(BAD)
    stamps = {path: os.stat(path).st_mtime_ns for path in out.rglob("*.npy")}

    code, stdout, stderr = finished(soma_batch(corpus, "-o", out, *ARGS, "--resume"))
    assert stdout.endswith("6 ok, 2 failed\n")
    assert code == 0, stderr
    assert outputs_of(out) == outputs_of(reference)
    rows = {row["file"]: row for row in json.loads((out / "index.json").read_text())["files"]}
    for file, row in done_before.items():
        if row["status"] == "ok":  # kept as it was, outputs untouched
            assert rows[file] == row
            npy = out / (os.path.relpath(file, corpus) + ".overview.npy")
            assert os.stat(npy).st_mtime_ns == stamps[npy]
    assert not list(out.rglob(".*.tmp"))  # no temporary file left by the killed writers


def test_a_terminal_shows_a_bar_of_files_done_and_chunked_files_match_whole_ones(
    corpus, reference, tmp_path
):
    out = tmp_path / "out"
    # 0.5 s chunks: each 1.5 s file is three tasks and a fourth that stitches them.
    code, text = on_terminal(
        "batch",
        corpus / "a.wav",
        corpus / "c.wav",
        "-o",
        out,
        "--render",
        "--workers",
        "1",
        "--chunk-seconds",
        "0.5",
    )
    assert code == 0, text
    assert "Files" in text and "done in" in text and "2 ok, 0 failed" in text
    for name in ("a.wav", "c.wav"):
        assert_same_overview(
            np.load(out / (name + ".overview.npy")), np.load(reference / (name + ".overview.npy"))
        )


def assert_same_overview(chunked, whole):
    """The same picture up to the placing of frames: a chunk places its frames from its own
    start, so where the STFT interpolates a long window's frames between columns (a low band
    in a short view, workers.stft) its grid sits a fraction of a frame from the whole
    render's; measured, 0.03 % of the pixels within 60 dB of the peak move, by at most 1.3 dB."""
    assert chunked.shape == whole.shape
    seen = whole > whole.max() - 60
    assert seen.mean() > 0.05 and np.allclose(chunked[seen], whole[seen], atol=1.5)

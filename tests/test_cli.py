"""The `soma` command, run as a user runs it: a real process, its output and exit code."""

import math
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from terminal import on_terminal

from workers.rows import row_edges
from workers.spectrum import DEFAULT_Q, frequencies

ROOT = Path(__file__).resolve().parent.parent


def soma(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    """4 s of a 1 kHz sine at -6 dBFS (peak 0.5), 16 kHz mono."""
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    sr = 16000
    t = np.arange(4 * sr) / sr
    sf.write(path, 0.5 * np.sin(2 * np.pi * 1000 * t), sr, subtype="FLOAT")
    return path


def _png_size_and_pixels(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat = b"".join(
        data[i + 8 : i + 8 + struct.unpack(">I", data[i : i + 4])[0]]
        for i in range(8, len(data), 1)
        if data[i + 4 : i + 8] == b"IDAT"
    )
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * 3)
    return width, height, rows[:, 1:].reshape(height, width, 3)


@pytest.mark.parametrize(
    "method, scale", [("stft", "log"), ("cwt", "log"), ("auto", "log"), ("auto", "linear")]
)
def test_render_npy_has_the_documented_geometry_and_level(tone, tmp_path, method, scale):
    out = tmp_path / "out.npy"
    result = soma(
        "render",
        tone,
        "-o",
        out,
        "--start",
        1,
        "--end",
        3,
        "--fmin",
        100,
        "--fmax",
        8000,
        "--width",
        301,
        "--height",
        97,
        "--method",
        method,
        "--frequency-scale",
        scale,
    )
    assert result.returncode == 0, result.stderr
    image = np.load(out)
    assert image.shape == (97, 301) and image.dtype == np.float32
    rows = frequencies(100, 8000, 97, scale)
    peak_row = int(np.argmax(image.mean(axis=1)))
    assert peak_row == int(np.searchsorted(row_edges(rows, scale), 1000)) - 1
    assert float(np.median(image[peak_row])) == pytest.approx(-6.02, abs=0.5)


def test_render_computes_with_the_wavelet_asked_for(tone, tmp_path):
    images = {}
    for wavelet in ("morlet", "cmor1.5-1.0"):
        out = tmp_path / f"{wavelet}.npy"
        result = soma(
            "render",
            tone,
            "-o",
            out,
            "--start",
            1,
            "--end",
            3,
            "--fmin",
            100,
            "--fmax",
            8000,
            "--width",
            100,
            "--height",
            97,
            "--method",
            "cwt",
            "--wavelet",
            wavelet,
        )
        assert result.returncode == 0, result.stderr
        images[wavelet] = np.load(out)
    rows = frequencies(100, 8000, 97)
    on_tone = int(np.argmin(np.abs(np.log(rows / 1000))))
    for image in images.values():
        assert int(np.argmax(image.mean(axis=1))) == on_tone
        assert float(np.median(image[on_tone])) == pytest.approx(-6.02, abs=0.5)
    # cmor1.5-1.0's band is about 5 times the Morlet's: the tone lights more rows.
    lit = {w: int((image.mean(axis=1) > -26.0).sum()) for w, image in images.items()}
    assert lit["cmor1.5-1.0"] > 3 * lit["morlet"]


def test_render_png_is_a_picture_with_low_frequencies_at_the_bottom(tone, tmp_path):
    out = tmp_path / "out.png"
    result = soma(
        "render",
        tone,
        "-o",
        out,
        "--width",
        200,
        "--height",
        64,
        "--fmin",
        100,
        "--fmax",
        8000,
        "--method",
        "stft",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    width, height, pixels = _png_size_and_pixels(out)
    assert (width, height) == (200, 64)
    brightness = pixels.astype(int).sum(axis=2).mean(axis=1)
    bright_row = int(np.argmax(brightness))
    # 1 kHz lies log-wise at 0.57 of the way from 100 Hz to 8 kHz: counted from the bottom.
    assert abs((height - 1 - bright_row) / (height - 1) - np.log(10) / np.log(80)) < 0.05


@pytest.mark.parametrize(
    "args, message",
    [
        (["render", "/no/such.wav", "-o", "x.npy"], "does not exist"),
        (["render", "{tone}", "-o", "x.txt"], ".png or .npy"),
        (["render", "{tone}", "-o", "x.npy", "--width", "0"], "width"),
        (["render", "{tone}", "-o", "x.npy", "--fmin", "900", "--fmax", "800"], "fmin"),
        (["render", "{tone}", "-o", "x.npy", "--fmax", "9000"], "Nyquist"),
        (["render", "{tone}", "-o", "x.npy", "--start", "2", "--end", "1"], "end"),
        (["render", "{tone}", "-o", "x.npy", "--start", "nan"], "start"),
        (["render", "{tone}", "-o", "x.npy", "--method", "wavelet"], "method"),
        (["render", "{tone}", "-o", "x.npy", "--wavelet", "morl"], "analytic"),
        (["render", "{tone}", "-o", "x.npy", "--wavelet", "nosuch"], "unknown wavelet"),
        (["render", "{tone}", "-o", "/no/such/dir/x.npy"], "cannot write"),
        (["render", "{tone}"], "-o"),
        (["/no/such/file.flac"], "does not exist"),
        (["{empty}"], "empty"),
    ],
)
def test_errors_are_one_line_and_exit_code_2(tone, tmp_path, args, message):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    args = [a.format(tone=tone, empty=empty) for a in args]
    result = soma(*args, cwd=tmp_path)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("soma: error: "), result.stderr
    assert message.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr


def test_snap_writes_json_and_csv_points_on_the_ridge(tone, tmp_path):
    import json

    guide = tmp_path / "guide.json"
    guide.write_text(json.dumps({"points": [[0.5, 1030.0], [3.0, 980.0]]}))
    out = tmp_path / "out.json"
    result = soma("snap", tone, "--trace", guide, "-o", out, "--hop", 0.01)
    assert result.returncode == 0, result.stderr
    points = np.array(json.loads(out.read_text())["points"], dtype=float)
    assert points.shape[1] == 3 and abs(points[1, 0] - points[0, 0] - 0.01) < 1e-9
    cents = 1200 * np.log2(points[:, 1] / 1000)
    assert np.median(np.abs(cents)) < 3 and abs(np.median(points[:, 2]) + 6.02) < 0.5

    guide_csv = tmp_path / "guide.csv"
    guide_csv.write_text("time,frequency\n0.5,1030\n3.0,980\n")
    out_csv = tmp_path / "out.csv"
    assert soma("snap", tone, "--trace", guide_csv, "-o", out_csv).returncode == 0
    lines = out_csv.read_text().splitlines()
    assert lines[0] == "time,frequency,amplitude_db" and len(lines) > 400


def test_export_a_project_in_every_format(tmp_path):
    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, save_project

    points = frozen_points([[0.0, 440.0, -6.0], [0.01, 441.0, -6.5], [0.02, 442.0, -7.0]])
    project = tmp_path / "p.soma.json"
    save_project(
        Project(partials=(Partial(1, "A4", "#ff0000", points),), next_partial_id=2), project
    )
    first_lines = {
        "csv": "partial,name,time,frequency,amplitude_db",
        "json": '{"partials"',
        "spear-partials": "par-text-partials-format",
        "spear-frames": "par-text-frame-format",
        "sdif": "SDIF",
    }
    for fmt, first in first_lines.items():
        out = tmp_path / f"out-{fmt}.txt"
        result = soma("export", project, "-f", fmt, "-o", out)
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(first.encode())


@pytest.mark.parametrize(
    "args, message",
    [
        (["snap", "{tone}", "--trace", "{one_point}", "-o", "x.json"], "two points"),
        (["snap", "{tone}", "--trace", "{bad_json}", "-o", "x.json"], "not a guide"),
        (["snap", "{tone}", "--trace", "/no/guide.json", "-o", "x.json"], "cannot read"),
        (["snap", "{tone}", "--trace", "{one_point}", "-o", "x.png"], ".json or .csv"),
        (["export", "{bad_json}", "-f", "csv", "-o", "x.csv"], "guide.json"),
        (["export", "/no/project.soma.json", "-f", "csv", "-o", "x.csv"], "project.soma.json"),
        (["export", "{bad_json}", "-f", "mp3", "-o", "x"], "format"),
    ],
)
def test_snap_and_export_errors_are_one_line(tone, tmp_path, args, message):
    (tmp_path / "one.json").write_text('{"points": [[1.0, 1000.0]]}')
    (tmp_path / "guide.json").write_text('{"points": [[1.0, "x"]')
    args = [
        a.format(tone=tone, one_point=tmp_path / "one.json", bad_json=tmp_path / "guide.json")
        for a in args
    ]
    result = soma(*args, cwd=tmp_path)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_synth_of_a_snap_output_and_of_a_project(tone, tmp_path):
    import json

    import soundfile as sf

    guide = tmp_path / "guide.json"
    guide.write_text(json.dumps({"points": [[0.5, 1020.0], [3.0, 990.0]]}))
    snapped = tmp_path / "snapped.json"
    assert soma("snap", tone, "--trace", guide, "-o", snapped, "-q").returncode == 0
    out = tmp_path / "resynth.wav"
    result = soma("synth", snapped, "-o", out, "--rate", 16000)
    assert result.returncode == 0, result.stderr
    samples, sr = sf.read(out)
    assert sr == 16000
    middle = samples[int(1.0 * sr) : int(2.5 * sr)]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    peak = np.argmax(spectrum) * sr / middle.size
    assert abs(1200 * np.log2(peak / 1000)) < 10
    assert abs(20 * np.log10(np.abs(middle).max()) + 6.02) < 0.5

    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, save_project

    project = tmp_path / "p.soma.json"
    points = json.loads(snapped.read_text())["points"]
    save_project(
        Project(
            audio_path=str(tone),
            partials=(
                Partial(
                    1,
                    "A",
                    "#ff0000",
                    frozen_points(
                        [
                            [t, np.nan if f is None else f, np.nan if a is None else a]
                            for t, f, a in points
                        ]
                    ),
                ),
            ),
            next_partial_id=2,
        ),
        project,
    )
    flac = tmp_path / "resynth.flac"
    assert soma("synth", project, "-o", flac).returncode == 0
    assert sf.info(flac).samplerate == 16000  # the project's audio file's rate


def test_commands_are_silent_through_a_pipe_and_draw_bars_on_a_terminal(tone, tmp_path):
    out = tmp_path / "out.npy"
    piped = soma("render", tone, "-o", out, "--method", "stft")
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout == f"{out}\n"

    code, text = on_terminal("render", tone, "-o", out, "--method", "cwt")
    assert code == 0, text
    assert "Decoding tone.wav" in text and "Rendering 1200" in text and "done" in text
    assert str(out) in text

    code, quiet = on_terminal("render", tone, "-o", out, "-q")
    assert code == 0 and quiet.strip() == str(out)


def _project_of(tmp_path, audio_path):
    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, save_project

    project = tmp_path / "p.soma.json"
    save_project(
        Project(
            audio_path=str(audio_path),
            partials=(
                Partial(1, "A", "#ff0000", frozen_points([[0.0, 440.0, -6.0], [1.0, 440.0, -6.0]])),
            ),
            next_partial_id=2,
        ),
        project,
    )
    return project


def _bad_inputs(tmp_path):
    """Inputs a user may hand the command, each wrong in a way only a reader deep down sees."""
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not audio at all\n")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    huge.write_text('{"points": [[0.5, 1000], [1.5, 1' + "0" * 400 + "]]}")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("time,frequency\n0.5,1000\n1.5,1000\n# caf\xe9\n".encode("latin-1"))
    return {
        "project_not_audio": _project_of(tmp_path, not_audio),
        "deep": deep,
        "huge": huge,
        "latin1": latin1,
    }


@pytest.mark.parametrize(
    "args",
    [
        ["synth", "{project_not_audio}", "-o", "x.wav"],
        ["synth", "{deep}", "-o", "x.wav"],
        ["synth", "{huge}", "-o", "x.wav"],
        ["snap", "{tone}", "--trace", "{deep}", "-o", "x.json"],
        ["snap", "{tone}", "--trace", "{huge}", "-o", "x.json"],
        ["snap", "{tone}", "--trace", "{latin1}", "-o", "x.json"],
        ["synth", "{latin1}", "-o", "x.wav"],
    ],
)
def test_input_only_a_reader_finds_bad_is_one_line_not_a_traceback(tone, tmp_path, args):
    inputs = {**_bad_inputs(tmp_path), "tone": tone}
    result = soma(*[a.format(**inputs) for a in args], cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("soma: error: "), result.stderr


@pytest.mark.parametrize("rate", ["0", "-8000", "100000000"])
def test_synth_refuses_a_rate_it_cannot_use(tmp_path, rate):
    guide = tmp_path / "snapped.json"
    guide.write_text('{"points": [[0.5, 1000, -6], [1.5, 1000, -6]]}')
    result = soma("synth", guide, "-o", tmp_path / "x.wav", "--rate", rate)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "rate" in lines[0], result.stderr
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["snap", "{tone}", "--trace", "{fifo}", "-o", "x.json"],
        ["synth", "{fifo}", "-o", "x.wav"],
        ["export", "{fifo}", "-f", "csv", "-o", "x.csv"],
        ["{fifo}"],
    ],
)
def test_a_fifo_given_as_input_is_refused_at_once(tone, tmp_path, args):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    result = soma(*[a.format(tone=tone, fifo=fifo) for a in args], cwd=tmp_path)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a regular file: a FIFO" in lines[0], result.stderr


@pytest.mark.parametrize("damage, returncode", [("resync", 0), ("garbage after the header", 2)])
def test_libmpg123s_notes_on_a_damaged_mp3_do_not_reach_the_terminal(tmp_path, damage, returncode):
    t = np.arange(16000) / 16000
    good = tmp_path / "good.mp3"
    sf.write(good, 0.5 * np.sin(2 * np.pi * 440 * t), 16000, format="MP3")
    data = bytearray(good.read_bytes())
    if damage == "resync":  # frames decode, between bytes the decoder must skip
        for k in range(400, len(data), 97):
            data[k] = 0xFF
    else:
        data[300:] = np.random.default_rng(1).bytes(3000)
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    result = soma("render", damaged, "-o", tmp_path / "x.png")
    assert result.returncode == returncode, result
    lines = result.stderr.splitlines()
    assert lines == [] if returncode == 0 else (len(lines) == 1 and "damaged.mp3" in lines[0]), (
        result.stderr
    )


def test_synth_of_a_project_whose_audio_is_now_a_fifo_does_not_wait_for_it(tmp_path):
    from app.document.partials import Partial, frozen_points
    from app.files.project import Project, save_project

    audio = tmp_path / "a.wav"
    os.mkfifo(audio)
    project = tmp_path / "p.soma.json"
    points = frozen_points([[0.0, 440.0, -6.0], [0.5, 440.0, -6.0]])
    save_project(
        Project(
            audio_path=str(audio), partials=(Partial(1, "a", "#4cc9f0", points),), next_partial_id=2
        ),
        project,
    )
    result = soma("synth", project, "-o", tmp_path / "out.wav", "-q")
    assert result.returncode == 0, result
    assert sf.info(tmp_path / "out.wav").samplerate == 44100  # the default: no audio to ask


def test_render_of_white_noise_reads_the_same_level_with_stft_and_cwt(tmp_path):
    # The 30-second switch must not change the picture: row by row, from 200 Hz up, the
    # median level of white noise agrees within 3 dB between the methods (issue 16).
    sr = 44100
    noise = tmp_path / "noise.wav"
    rng = np.random.default_rng(16)
    sf.write(noise, 0.1 * rng.standard_normal(25 * sr), sr, subtype="FLOAT")
    levels = {}
    for method in ("stft", "cwt"):
        out = tmp_path / f"{method}.npy"
        result = soma("render", noise, "-o", out, "--method", method, "--fmax", 16000, "-q")
        assert result.returncode == 0, result.stderr
        levels[method] = np.nanmedian(np.load(out), axis=1)
    rows = frequencies(20, 16000, 256)
    difference = (levels["cwt"] - levels["stft"])[rows >= 200]
    assert np.abs(difference).max() < 3.0, difference
    # ... and it is the level the docs state: white noise of variance s**2 has the one-sided
    # density 2 s**2 / sr, and reads twice its power in the CWT's noise bandwidth (full-scale
    # sine units); a pixel holds the peak over its cell, which the median exceeds by up to
    # 6.5 dB where many independent values fall in a column (high rows).
    enbw = math.sqrt(math.pi) / (2 * math.sqrt(math.log(2))) * rows / DEFAULT_Q
    above = (levels["cwt"] - 10 * np.log10(2 * (2 * 0.01 / sr) * enbw))[rows >= 200]
    assert above.min() > -1.0 and above.max() < 7.5, above


# What each command may not import: Dask (the batch command's), the tracker (tracking's),
# scipy.optimize and scipy.signal (no command's start needs them) and Qt (the window's).
# Imported together they were 1.2 s of every command's start. Nor does `soma track` import
# numba (its linking is compiled ahead of time) or the peak stage (it runs in the workers).
HEAVY_MODULES = (
    "distributed",
    "numba",
    "scipy.optimize",
    "scipy.signal",
    "workers.track",
    "workers.track_peaks",
    "PyQt6",
)
COMMAND_IMPORTS = """
import sys
from app.cli import main
try:
    main([sys.argv[1], "--help"])
except SystemExit:
    pass
print(" ".join(m for m in sys.argv[2:] if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "command, needed",
    [
        ("convert", ()),
        ("export", ()),
        ("render", ()),
        ("snap", ()),
        ("harmonics", ()),
        ("synth", ()),
        ("track", ("workers.track",)),
    ],
)
def test_a_command_imports_what_it_needs_and_not_the_others(command, needed):
    done = subprocess.run(
        [sys.executable, "-c", COMMAND_IMPORTS, command, *HEAVY_MODULES],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stderr.split() == list(needed)

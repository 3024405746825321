"""The `soma` command.

    soma [FILE]                  open the window (on the demo recording without FILE)
    soma render AUDIO -o OUT     render what the viewport would show, without a window
    soma snap AUDIO --trace GUIDE -o OUT   snap a drawn guide onto the spectral ridge
    soma export PROJECT -f FORMAT -o OUT   write a project's partials as CSV, JSON or SPEAR
    soma synth INPUT -o OUT.wav|OUT.flac   additive resynthesis of a project's partials

On a terminal the work shows as progress bars on stderr; through a pipe, or with --quiet,
only results (stdout) and errors (stderr) are printed.

Errors a user can act on (a bad file, a bad argument) are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

import numpy as np
import scipy.fft
import soundfile as sf

from app.base.errors import SomaError, error_line
from app.base.files import read_limited
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, is_project_path
from app.base.jsontext import parse_json
from app.document.partials import points_from_json, points_to_json
from app.files.audio import load_audio
from app.files.exchange import FORMATS, export_partials, import_partials
from app.files.project import load_project
from app.progress.logs import configure as configure_logging
from app.progress.tasks import ProgressManager
from app.progress.text import TextRenderer, logs_above_bars
from workers.snap import snap_trace
from workers.spectrum import DEFAULT_WAVELET, render
from workers.synth import synthesize

EXIT_USAGE = 2


class UsageError(SomaError):
    """A command line Soma cannot carry out; str() is the one line printed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the whole usage; one line is enough
        raise UsageError(message)


def _command_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description=description)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars, only results and errors"
    )
    return parser


def _open_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="soma", description="Look closely at sound and trace its partials.")
    parser.add_argument(
        "file", nargs="?", help="audio file or .soma.json project to open (default: the demo)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="restart when Soma's own source changes, keeping the state (docs/dev-mode.md)",
    )
    return parser


def _render_parser() -> argparse.ArgumentParser:
    parser = _command_parser("soma render", "Render a spectrogram as the viewport would show it.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.png (coloured picture) or OUT.npy (float32 dBFS, "
        "shape (height, width), row 0 = fmin)",
    )
    parser.add_argument("--start", type=float, default=0.0, help="seconds (default 0)")
    parser.add_argument("--end", type=float, help="seconds (default: end of file)")
    parser.add_argument("--fmin", type=float, default=20.0, help="Hz (default 20)")
    parser.add_argument("--fmax", type=float, help="Hz (default: Nyquist)")
    parser.add_argument("--width", type=int, default=1200, help="columns (default 1200)")
    parser.add_argument("--height", type=int, default=256, help="rows (default 256)")
    parser.add_argument(
        "--method",
        choices=("auto", "stft", "cwt"),
        default="auto",
        help="auto: CWT for 30 s or less, STFT above",
    )
    parser.add_argument(
        "--wavelet",
        default=DEFAULT_WAVELET,
        help="the CWT's wavelet: morlet (Soma's own, the default) or one of "
        "PyWavelets' complex wavelets cmorB-C, shanB-C, fbspM-B-C, cgauP, "
        "for example cmor1.5-1.0",
    )
    return parser


def _snap_parser() -> argparse.ArgumentParser:
    parser = _command_parser("soma snap", "Snap a guide (a rough trace) onto the spectral ridge.")
    parser.add_argument("audio", help="audio file")
    parser.add_argument(
        "--trace",
        required=True,
        help='GUIDE.json ({"points": [[t, f], ...]}) or GUIDE.csv (header time,frequency)',
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help='OUT.json ({"points": [[t, f, amp_db], ...]}) or OUT.csv '
        "(header time,frequency,amplitude_db); points in the noise "
        "have no frequency and amplitude (null / empty)",
    )
    parser.add_argument("--hop", type=float, default=0.005, help="seconds between points")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=100.0,
        help="cents either side of the guide to search (default 100)",
    )
    return parser


def _read_guide(path: Path) -> list[list[float]]:
    try:
        data = read_limited(path)
    except OSError as error:
        raise UsageError(f"cannot read '{path}': {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
        if path.suffix.lower() == ".json":
            points = parse_json(text)["points"]
        elif path.suffix.lower() == ".csv":
            rows = list(csv.reader(line for line in text.splitlines() if line.strip()))
            if not rows or [c.strip().lower() for c in rows[0][:2]] != ["time", "frequency"]:
                raise ValueError("the first line must be the header time,frequency")
            points = [[float(r[0]), float(r[1])] for r in rows[1:]]
        else:
            raise UsageError(f"the trace must be a .json or .csv file, not '{path.name}'")
        return [[float(t), float(f)] for t, f in points]
    except UsageError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError) as error:
        raise UsageError(f"'{path.name}' is not a guide: {error_line(error)}") from None


def _write_points(path: Path, points: np.ndarray) -> None:
    rows = points_to_json(points)
    if path.suffix.lower() == ".json":
        body = json.dumps({"points": rows}, allow_nan=False) + "\n"
    else:
        body = "time,frequency,amplitude_db\n" + "".join(
            ",".join("" if v is None else repr(v) for v in row) + "\n" for row in rows
        )
    try:
        path.write_text(body)
    except OSError as error:
        raise UsageError(f"cannot write '{path}': {error.strerror or error}") from None


def _snap(args: argparse.Namespace, progress: ProgressManager) -> None:
    output = Path(args.output)
    if output.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"output must end in .json or .csv, not '{output.name}'")
    guide = _read_guide(Path(args.trace))
    with progress.task(f"Decoding {Path(args.audio).name}"):
        audio = load_audio(args.audio, quiet=True)
    with progress.task("Snapping", unit="steps") as task:
        points = snap_trace(
            audio.samples,
            audio.sample_rate,
            guide,
            hop=args.hop,
            tolerance_cents=args.tolerance,
            report=lambda done, total: task.update(done, total=total),
        )
    _write_points(output, points)
    print(output)


def _export_parser() -> argparse.ArgumentParser:
    parser = _command_parser("soma export", "Write a project's partials.")
    parser.add_argument("project", help="a .soma.json project")
    parser.add_argument("-f", "--format", required=True, choices=FORMATS)
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    return parser


def _export(args: argparse.Namespace, progress: ProgressManager) -> None:
    project = load_project(args.project)
    if not project.partials:
        raise UsageError(f"'{Path(args.project).name}' has no partials to export")
    with progress.task(f"Exporting {len(project.partials)} partials"):
        export_partials(project.partials, args.output, args.format)
    print(args.output)


def _synth_parser() -> argparse.ArgumentParser:
    parser = _command_parser("soma synth", "Additive resynthesis of traced partials.")
    parser.add_argument(
        "input", help="a .soma.json project, or a `soma snap` output (.json or .csv)"
    )
    parser.add_argument("-o", "--output", required=True, help="OUT.wav or OUT.flac")
    parser.add_argument(
        "--rate",
        type=_sample_rate,
        help="sample rate in Hz (default: the project's audio file's, else 44100)",
    )
    return parser


def _sample_rate(value: str) -> int:
    """--rate: a whole number of Hz that synthesize accepts (0 is not 'the default')."""
    try:
        rate = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of Hz, not '{value}'") from None
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise argparse.ArgumentTypeError(
            f"must be from {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz, not {rate}"
        )
    return rate


def _synth_input(path: Path) -> tuple[list[np.ndarray], int | None]:
    """The partials' points in a project or a snap output, and the audio's rate if known."""
    if is_project_path(path.name):
        project = load_project(path)
        rate = None
        if project.audio_path and Path(project.audio_path).is_file():  # not a FIFO: no wait
            try:
                rate = sf.info(project.audio_path).samplerate
            except (OSError, sf.SoundFileError) as error:
                raise UsageError(
                    f"cannot read the audio of '{path.name}': {error_line(error)}"
                ) from None
        return [p.points for p in project.partials], rate
    if path.suffix.lower() == ".json":
        try:
            data = parse_json(read_limited(path).decode("utf-8"))
        except OSError as error:
            raise UsageError(f"cannot read '{path.name}': {error.strerror or error}") from None
        except ValueError as error:
            raise UsageError(f"cannot read '{path.name}': {error_line(error)}") from None
        if isinstance(data, dict) and "points" in data:  # a `soma snap` output
            try:
                points = points_from_json(data["points"])
            except (TypeError, ValueError) as error:
                raise UsageError(f"'{path.name}' has malformed points: {error}") from None
            return [points], None
    # CSV (the snap output's columns are a subset of the exchange format's), JSON, SPEAR.
    return [p.points for p in import_partials(path)], None


def _synth(args: argparse.Namespace, progress: ProgressManager) -> None:
    output = Path(args.output)
    formats = {".wav": ("WAV", "FLOAT"), ".flac": ("FLAC", "PCM_24")}
    if output.suffix.lower() not in formats:
        raise UsageError(f"output must end in .wav or .flac, not '{output.name}'")
    partials, rate = _synth_input(Path(args.input))
    if not partials:
        raise UsageError(f"'{Path(args.input).name}' has no partials to synthesise")
    rate = args.rate or rate or 44_100  # args.rate is never 0: _sample_rate refuses it
    with progress.task(f"Synthesising {len(partials)} partials at {rate} Hz"):
        samples = synthesize(partials, rate)
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 1.0:  # many loud partials add up: scale rather than clip
        samples = samples / np.float32(peak)
    file_format, subtype = formats[output.suffix.lower()]
    try:
        sf.write(output, samples, rate, format=file_format, subtype=subtype)
    except (OSError, RuntimeError) as error:
        raise UsageError(f"cannot write '{output}': {error}") from None
    print(output)


def _render(args: argparse.Namespace, progress: ProgressManager) -> None:
    from app.files.png import spectrogram_rgb, write_png
    from workers.imaging import display_range, quantise

    output = Path(args.output)
    if output.suffix.lower() not in (".png", ".npy"):
        raise UsageError(f"output must end in .png or .npy, not '{output.name}'")
    with progress.task(f"Decoding {Path(args.audio).name}"):
        audio = load_audio(args.audio, quiet=True)
    with (
        progress.task(f"Rendering {args.width}\u00d7{args.height}"),
        scipy.fft.set_workers(os.cpu_count() or 1),
    ):
        db = render(
            audio.samples,
            audio.sample_rate,
            start=args.start,
            end=audio.duration if args.end is None else args.end,
            fmin=args.fmin,
            fmax=audio.sample_rate / 2 if args.fmax is None else args.fmax,
            width=args.width,
            height=args.height,
            method=args.method,
            wavelet=args.wavelet,
        )
    try:
        if output.suffix.lower() == ".npy":
            np.save(output, db.astype(np.float32, copy=False))
        else:
            write_png(output, spectrogram_rgb(quantise(db, *display_range(db))))
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror or error}") from None
    print(output)


COMMANDS = {
    "render": (_render_parser, _render),
    "snap": (_snap_parser, _snap),
    "export": (_export_parser, _export),
    "synth": (_synth_parser, _synth),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Bad input is a SomaError: each reader turns what the file system, the decoders and the
    # parsers raise into its own subclass naming the file. Any other error is a bug, and its
    # traceback is wanted.
    try:
        if argv and argv[0] in COMMANDS:
            make_parser, run = COMMANDS[argv[0]]
            args = make_parser().parse_args(argv[1:])
            progress = ProgressManager()
            with TextRenderer(progress, quiet=args.quiet) as renderer, logs_above_bars(renderer):
                run(args, progress)
            return 0
        args = _open_parser().parse_args(argv)
        configure_logging(args.verbose)
        project_path = audio = None
        if args.file and is_project_path(args.file):
            project_path = str(Path(args.file).resolve())
            load_project(project_path)  # a bad project is reported here, before any window
        elif args.file:
            audio = load_audio(args.file, quiet=True)
    except SomaError as error:
        print(f"soma: error: {error_line(error)}", file=sys.stderr)
        return EXIT_USAGE

    if args.dev:
        from app.dev.supervisor import run_dev

        return run_dev(argv)
    from app.shell.window import run_window  # Qt loads only when a window is wanted

    return run_window(audio, project_path)


if __name__ == "__main__":
    sys.exit(main())

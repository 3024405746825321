"""What runs on the Dask workers: one file probed, analysed in chunks, its outputs written.

A file of at most `chunk_seconds` is one task, `analyse_file`, which does it all and returns
its index Row. A longer one is cut into chunks of at most `chunk_seconds` (5 minutes by
default: a task never holds an hour of audio, and a worker lost costs at most one chunk):
`analyse_file` returns a LongFile plan, the client submits one `analyse_chunk` task per chunk
and one `finish_file` task that Dask runs once they are all done, with their results.

Chunks are cut on the overview's column boundaries: each chunk renders its own columns of
the overview (the STFT reads a window beyond the chunk on each side, so its columns are
those of a render of the whole file, up to the rounding of frame positions: a frame may sit
one sample apart, which moves only levels far below the peak; and a chunk's FFT budget is
its own, so a very long file's columns may pool more frames than one render would), and
`finish_file` stitches them side by side before the PNG's colours are chosen over the whole
image. For
--track each chunk is tracked on its own (`app.files.tracking.track_file` reads only its
span and margins) and `app.batch.stitch.joined_partials` joins the partials a boundary cut.

Outputs are written here, by the worker, with write_atomic (exports by
`app.files.exchange.export_partials`, which uses it too): whole or absent, never half.
Every error of the file's (a SomaError, an OSError writing) becomes its error row.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from app.base.errors import SomaError, error_line
from app.base.files import open_regular, write_atomic
from app.batch.index import OK, Row, failed
from app.batch.outputs import FileOutputs
from app.batch.stitch import joined_columns, joined_partials, strongest
from app.compute.overview import OVERVIEW_HEIGHT, OVERVIEW_WIDTH, overview_view
from app.files.audio import open_audio_stream
from app.files.exchange import export_partials
from app.files.png import png_bytes, spectrogram_rgb
from app.files.tracking import as_partials, track_file
from workers.imaging import display_range, quantise
from workers.spectrum import render, stft_window_size
from workers.track import TrackSettings

CHUNK_SECONDS = 300.0


@dataclass(frozen=True)
class BatchSettings:
    """What to do with each file. track: the tracker's settings, None without --track;
    formats: the partial formats written (one of app.files.exchange.FORMATS each);
    chunk_seconds: s, the longest span one task analyses."""

    render: bool = True
    track: TrackSettings | None = None
    formats: tuple[str, ...] = ()
    chunk_seconds: float = CHUNK_SECONDS

    def to_json(self) -> dict:
        """As index.json keeps them: --resume redoes files made with other settings."""
        return {
            "render": self.render,
            "track": None if self.track is None else dataclasses.asdict(self.track),
            "formats": list(self.formats),
            "chunk_seconds": self.chunk_seconds,
        }


@dataclass(frozen=True)
class FileInfo:
    sample_rate: int  # Hz
    channels: int
    frames: int  # per channel, as the header says

    @property
    def duration(self) -> float:  # s
        return self.frames / self.sample_rate


@dataclass(frozen=True)
class Chunk:
    """Seconds [start, end) of a file and the overview columns [first_column, end_column)
    that span covers."""

    start: float
    end: float
    first_column: int
    end_column: int


@dataclass(frozen=True)
class ChunkResult:
    """columns: float32 dB (OVERVIEW_HEIGHT, its columns) or None without --render;
    tracks: (n, 3) arrays or None without --track; seconds: worker time; error: '' if ok."""

    columns: np.ndarray | None = None
    tracks: list[np.ndarray] | None = None
    seconds: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class LongFile:
    """A file of several chunks: the client submits them (see the module docstring)."""

    info: FileInfo
    chunks: tuple[Chunk, ...]
    seconds: float  # spent probing


def chunk_plan(info: FileInfo, chunk_seconds: float) -> tuple[Chunk, ...]:
    """The chunks of a file, covering [0, duration) and the overview's columns
    [0, OVERVIEW_WIDTH): as few as keep each within `chunk_seconds` (and at least one column:
    with a limit under one column's span, a chunk is one column), of whole columns, evenly
    sized."""
    seconds_per_column = info.duration / OVERVIEW_WIDTH
    fit = max(1, min(OVERVIEW_WIDTH, math.floor(chunk_seconds / seconds_per_column)))
    count = math.ceil(OVERVIEW_WIDTH / fit)
    per_chunk = math.ceil(OVERVIEW_WIDTH / count)  # <= fit
    columns = [*range(0, OVERVIEW_WIDTH, per_chunk), OVERVIEW_WIDTH]
    return tuple(
        Chunk(c0 * seconds_per_column, c1 * seconds_per_column, c0, c1)
        for c0, c1 in itertools.pairwise(columns)
    )


def probe(path: str) -> FileInfo:
    """The file's format; AudioError for a file Soma cannot open."""
    with open_audio_stream(path, quiet=True) as stream, open_regular(stream.path) as raw:
        # The stream mixes to mono and does not say how many channels it mixed; the header
        # is read again from the open file (a name need not be UTF-8).
        return FileInfo(stream.sample_rate, sf.info(raw).channels, stream.frames)


def analyse_file(path: str, outputs: FileOutputs, settings: BatchSettings) -> Row | LongFile:
    """The task of one file: its Row when it is one chunk (or cannot be opened), else the
    LongFile plan of its chunks."""
    began = time.perf_counter()
    try:
        info = probe(path)
    except SomaError as error:
        return failed(path, error_line(error), time.perf_counter() - began)
    chunks = chunk_plan(info, settings.chunk_seconds)
    probed = time.perf_counter() - began
    if len(chunks) > 1:
        return LongFile(info, chunks, probed)
    result = analyse_chunk(path, info, chunks[0], settings, whole=True)
    return finish_file(path, outputs, settings, info, [result], probed)


def analyse_chunk(
    path: str, info: FileInfo, chunk: Chunk, settings: BatchSettings, *, whole: bool = False
) -> ChunkResult:
    """The overview columns and the partials of one chunk. `whole`: the chunk is the file,
    so the tracker's own min-duration and max-partials rules apply as they are."""
    began = time.perf_counter()
    try:
        columns = _render_columns(path, info, chunk) if settings.render else None
        tracks = None
        if settings.track is not None:
            # A partial cut by a boundary is joined later: only then is it counted whole.
            chunk_settings = (
                settings.track if whole else dataclasses.replace(settings.track, max_partials=None)
            )
            tracks = track_file(
                path,
                chunk_settings,
                start=chunk.start,
                end=None if whole else chunk.end,
                quiet=True,
            )
    except SomaError as error:
        return ChunkResult(seconds=time.perf_counter() - began, error=error_line(error))
    return ChunkResult(columns, tracks, time.perf_counter() - began)


def finish_file(
    path: str,
    outputs: FileOutputs,
    settings: BatchSettings,
    info: FileInfo,
    results: list[ChunkResult],
    seconds: float = 0.0,
) -> Row:
    """Stitch the chunks' results, write the file's outputs, and return its Row."""
    spent = seconds + sum(result.seconds for result in results)
    errors = [result.error for result in results if result.error]
    if errors:
        return failed(path, errors[0], spent)
    began = time.perf_counter()
    tracks = None
    try:
        outputs.base.parent.mkdir(parents=True, exist_ok=True)
        if settings.render:
            _write_overview(outputs, joined_columns([result.columns for result in results]))
        if settings.track is not None:
            if len(results) == 1:
                tracks = results[0].tracks
            else:
                boundaries = [chunk.start for chunk in chunk_plan(info, settings.chunk_seconds)]
                tracks = strongest(
                    joined_partials([result.tracks for result in results], boundaries[1:]),
                    settings.track.max_partials,
                )
            partials = as_partials(tracks, Path(path).name)
            for fmt in settings.formats:
                export_partials(partials, outputs.track_path(fmt), fmt)
    except SomaError as error:
        return failed(path, error_line(error), spent + time.perf_counter() - began)
    except OSError as error:
        return failed(
            path,
            f"cannot write its outputs: {error.strerror or error}",
            spent + time.perf_counter() - began,
        )
    return Row(
        file=path,
        duration=info.duration,
        sample_rate=info.sample_rate,
        channels=info.channels,
        partials=None if tracks is None else len(tracks),
        seconds=spent + time.perf_counter() - began,
        status=OK,
    )


def _render_columns(path: str, info: FileInfo, chunk: Chunk) -> np.ndarray:
    """float32 dB (OVERVIEW_HEIGHT, chunk's columns): the overview's columns of `chunk`."""
    view = overview_view(info.sample_rate, info.duration)
    sr = info.sample_rate
    window = stft_window_size(
        sr, view.start, view.end, OVERVIEW_WIDTH, view.fmin, view.fmax, OVERVIEW_HEIGHT
    )
    first = max(0, math.floor(chunk.start * sr) - window)
    last = min(info.frames, math.ceil(chunk.end * sr) + window)
    samples = np.zeros(last - first, dtype=np.float32)  # a truncated file's tail: silence
    with open_audio_stream(path, quiet=True) as stream:
        at = 0
        for block in stream.blocks(first, last):
            samples[at : at + block.size] = block
            at += block.size
    offset = first / sr
    return render(
        samples,
        sr,
        start=chunk.start - offset,
        end=chunk.end - offset,
        fmin=view.fmin,
        fmax=view.fmax,
        width=chunk.end_column - chunk.first_column,
        height=OVERVIEW_HEIGHT,
        method="stft",
    )


def _write_overview(outputs: FileOutputs, db: np.ndarray) -> None:
    png, npy = outputs.render_paths()
    write_atomic(png, png_bytes(spectrogram_rgb(quantise(db, *display_range(db)))))
    array = io.BytesIO()
    np.save(array, db.astype(np.float32, copy=False))
    write_atomic(npy, array.getvalue())

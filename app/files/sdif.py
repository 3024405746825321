"""SDIF (Sound Description Interchange Format) partials: the bytes, read and written here.

Written against the SDIF specification (IRCAM/CNMAT) in pure Python and numpy rather than
through pysdif3: pysdif3 1.0.0 is built against numpy 1 and does not import next to numpy 2,
its source release cannot be built, and 1.0.1 cannot open a file for reading. A reader of our
own also checks every size against the bytes present before using it, so a damaged file
cannot make anything allocate or read past its end.

The layout (all numbers big-endian):

    file header   "SDIF", uint32 8, uint32 version 3, uint32 padding 1
    frame         signature (4 bytes), uint32 size (bytes after this field), float64 time,
                  uint32 stream id, uint32 matrix count, then the matrices
    matrix        signature (4 bytes), uint32 data type, uint32 rows, uint32 columns, then
                  rows x columns values row by row, zero-padded to a multiple of 8 bytes

Data types: 0x0004 float32, 0x0008 float64, 0x0101/0x0102/0x0104/0x0108 signed and
0x0201/0x0202/0x0204/0x0208 unsigned integers, 0x0301 UTF-8 text; the low byte is the width.

Written: a 1NVT frame (creator, source, date), a 1TYP frame declaring the 1TRC frame and matrix
types, then one 1TRC frame per time holding one 1TRC matrix of float64 rows (Index, Frequency
Hz, Amplitude linear, Phase 0), in time order, as SPEAR and AudioSculpt write them.

Read: 1TRC and 1HRM frames (columns Index, Frequency, Amplitude, then any, ignored) and 1FQ0
frames (Frequency, then any, ignored); the informational 1NVT, 1TYP and 1IDS frames are passed
over, other frame and matrix types are skipped and named by the caller in one log line.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np

from app.base.errors import SomaError

TRACK_TYPES = (b"1TRC", b"1HRM")  # frames and matrices of (Index, Frequency, Amplitude, ...)
FUNDAMENTAL = b"1FQ0"  # frames and matrices of (Frequency, ...)
INFORMATION = (b"1NVT", b"1TYP", b"1IDS")  # header frames: nothing to import
# A fundamental track has no level: it is read at full scale, to be heard and seen.
FUNDAMENTAL_AMPLITUDE = 1.0
_MAGIC = b"SDIF"
_FILE_HEADER = struct.Struct(">4sIII")
_FRAME_HEADER = struct.Struct(">4sIdII")  # signature, size, time, stream id, matrix count
_MATRIX_HEADER = struct.Struct(">4sIII")  # signature, data type, rows, columns
_FRAME_AFTER_SIZE = _FRAME_HEADER.size - 8  # what a frame's size counts besides its matrices
_NUMERIC = {
    0x0004: ">f4",
    0x0008: ">f8",
    0x0101: ">i1",
    0x0102: ">i2",
    0x0104: ">i4",
    0x0108: ">i8",
    0x0201: ">u1",
    0x0202: ">u2",
    0x0204: ">u4",
    0x0208: ">u8",
}
_TEXT = 0x0301
_NVT_STREAM = 0xFFFFFFFD  # the stream ids IRCAM's library gives the header frames
_TYP_STREAM = 0xFFFFFFFE
_TYPES_TEXT = (
    "  1MTD  1TRC\t{Index, Frequency, Amplitude, Phase}\n"
    "  1FTD  1TRC\n\t{\n\t  1TRC\tSinusoidalTracks;\n\t}\n"
)


class SdifError(SomaError):
    """What is wrong with the bytes, on one line; the caller adds the file's name."""


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 8)


def _matrix(signature: bytes, data_type: int, rows: int, columns: int, data: bytes) -> bytes:
    return _MATRIX_HEADER.pack(signature, data_type, rows, columns) + _padded(data)


def _frame(signature: bytes, time: float, stream: int, matrices: list[bytes]) -> bytes:
    body = b"".join(matrices)
    size = _FRAME_AFTER_SIZE + len(body)
    return _FRAME_HEADER.pack(signature, size, time, stream, len(matrices)) + body


def _text_frame(signature: bytes, stream: int, text: str) -> bytes:
    data = text.encode("utf-8")
    # -DBL_MAX: the time IRCAM's library gives header frames, before every data frame.
    matrix = _matrix(signature, _TEXT, len(data), 1, data)
    return _frame(signature, -np.finfo(np.float64).max, stream, [matrix])


def sdif_bytes(runs: list[np.ndarray], names: dict[str, str]) -> bytes:
    """An SDIF file of 1TRC frames holding `runs`.

    runs: float64 arrays (n, 3) of [time s, frequency Hz, linear amplitude], each without NaN
        and sorted by time; run k is written with Index k + 1.
    names: the name-value table of the 1NVT frame (e.g. creator, source, date); names and
        values must not hold tabs or newlines.
    """
    nvt = "".join(f"{name}\t{value}\n" for name, value in names.items())
    parts = [
        _FILE_HEADER.pack(_MAGIC, 8, 3, 1),
        _text_frame(b"1NVT", _NVT_STREAM, nvt),
        _text_frame(b"1TYP", _TYP_STREAM, _TYPES_TEXT),
    ]
    if runs:
        # One row per point: time, then the matrix row (Index, Frequency, Amplitude, Phase).
        rows = np.concatenate(
            [
                np.column_stack((run[:, 0], np.full(len(run), k + 1.0), run[:, 1:], 0 * run[:, 0]))
                for k, run in enumerate(runs)
            ]
        )
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
        starts = np.flatnonzero(np.diff(rows[:, 0], prepend=np.nan) != 0)
        for start, stop in zip(starts, [*starts[1:], len(rows)], strict=True):
            values = rows[start:stop, 1:].astype(">f8")
            matrix = _matrix(b"1TRC", 0x0008, len(values), 4, values.tobytes())
            parts.append(_frame(b"1TRC", float(rows[start, 0]), 0, [matrix]))
    return b"".join(parts)


@dataclass
class SdifContents:
    """What read_sdif found.

    tracks: float64 arrays (n, 3) of [time s, frequency Hz, linear amplitude], NaN frequency and
        amplitude for a gap; the partials of 1TRC/1HRM frames by index in order of first
        appearance, then the 1FQ0 track if any.
    skipped: the frame and matrix signatures passed over as unknown, in order of first sight.
    """

    tracks: list[np.ndarray] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _signature(raw: bytes) -> str:
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")


class _Frames:
    """The frames of an SDIF file, with every size checked against the bytes present."""

    def __init__(self, data: bytes) -> None:
        if len(data) < _FILE_HEADER.size:
            if not data:
                raise SdifError("the file is empty")
            if not _MAGIC.startswith(data[:4]):
                raise SdifError(f"not an SDIF file (it starts with {data[:4]!r}, not b'SDIF')")
            raise SdifError("the file ends in the SDIF header; truncated?")
        magic, size, _version, _padding = _FILE_HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise SdifError(f"not an SDIF file (it starts with {magic!r}, not b'SDIF')")
        if size < 8 or size > len(data) - 8:
            raise SdifError(f"the SDIF header declares {size} bytes, which the file has not")
        self.data = data
        self.offset = 8 + size

    def __iter__(self):
        """(signature, time, stream id, [(signature, data type, rows, columns, offset)])."""
        data = self.data
        while self.offset < len(data):
            at = self.offset
            if len(data) - at < _FRAME_HEADER.size:
                raise SdifError(f"the file ends in a frame header at byte {at}; truncated?")
            signature, size, time, stream, count = _FRAME_HEADER.unpack_from(data, at)
            end = at + 8 + size
            if size < _FRAME_AFTER_SIZE or end > len(data):
                raise SdifError(
                    f"frame {_signature(signature)} at byte {at} declares {size} bytes, "
                    f"{len(data) - at - 8} remain; truncated?"
                )
            matrices = []
            position = at + _FRAME_HEADER.size
            for _ in range(count):
                if end - position < _MATRIX_HEADER.size:
                    raise SdifError(
                        f"frame {_signature(signature)} at byte {at} declares {count} matrices, "
                        "which do not fit in its size"
                    )
                kind, data_type, rows, columns = _MATRIX_HEADER.unpack_from(data, position)
                width = data_type & 0xFF
                if data_type not in _NUMERIC and data_type != _TEXT:
                    raise SdifError(
                        f"matrix {_signature(kind)} at byte {position} has unknown data type "
                        f"0x{data_type:04x}"
                    )
                length = rows * columns * width
                length += -length % 8
                position += _MATRIX_HEADER.size
                if length > end - position:
                    raise SdifError(
                        f"matrix {_signature(kind)} at byte {position - _MATRIX_HEADER.size} "
                        f"declares {rows} x {columns} values, which do not fit in its frame"
                    )
                matrices.append((kind, data_type, rows, columns, position))
                position += length
            self.offset = end
            yield signature, time, stream, matrices

    def values(self, data_type: int, rows: int, columns: int, position: int) -> np.ndarray:
        """A matrix's values as float64 (rows, columns)."""
        if data_type not in _NUMERIC:
            raise SdifError(f"a matrix at byte {position} holds text where numbers belong")
        array = np.frombuffer(self.data, _NUMERIC[data_type], rows * columns, position)
        return array.astype(np.float64).reshape(rows, columns)


def _checked_values(values: np.ndarray, names: tuple[str, ...], kind: bytes, time: float):
    """Raise SdifError when a column of `names` (the first len(names)) holds NaN, infinity or a
    negative value, or an index that is not a whole number."""
    where = f"in the {_signature(kind)} frame at time {time!r}"
    for column, name in enumerate(names):
        column_values = values[:, column]
        for problem, bad in (
            ("not finite", ~np.isfinite(column_values)),
            ("negative", column_values < 0),
            ("not a whole number", column_values != np.round(column_values)),
        ):
            if bad.any() and (problem != "not a whole number" or name == "index"):
                raise SdifError(f"{name} {float(column_values[bad][0])!r} is {problem} {where}")


def read_sdif(data: bytes) -> SdifContents:
    """The partials in the SDIF file `data` (see SdifContents); raises SdifError naming the
    problem: a damaged or truncated file, NaN or infinite values, a negative frequency or
    amplitude, a frame earlier than the one before it in its stream."""
    frames = _Frames(data)
    contents = SdifContents()
    by_index: dict[float, list[tuple[float, float, float]]] = {}
    frame_times: list[float] = []  # of the track frames, to mark where an index is absent
    fundamental: list[tuple[float, float, float]] = []
    last_time: dict[int, float] = {}

    def skip(signature: bytes) -> None:
        if _signature(signature) not in contents.skipped:
            contents.skipped.append(_signature(signature))

    for signature, time, stream, matrices in frames:
        if signature in INFORMATION:
            continue
        if not math.isfinite(time):
            raise SdifError(f"frame {_signature(signature)} has time {time!r}")
        if time < last_time.get(stream, -math.inf):
            raise SdifError(
                f"frame {_signature(signature)} at time {time!r} comes after time "
                f"{last_time[stream]!r}: frames out of time order"
            )
        last_time[stream] = time
        if signature not in (*TRACK_TYPES, FUNDAMENTAL):
            skip(signature)
            continue
        if signature in TRACK_TYPES:
            frame_times.append(time)
        for kind, data_type, rows, columns, position in matrices:
            if kind != signature:
                skip(kind)
                continue
            names = ("index", "frequency", "amplitude") if kind in TRACK_TYPES else ("frequency",)
            if columns < len(names) and rows:
                raise SdifError(
                    f"a {_signature(kind)} matrix at time {time!r} has {columns} columns, "
                    f"needs {len(names)}"
                )
            values = frames.values(data_type, rows, columns, position)[:, : len(names)]
            _checked_values(values, names, kind, time)
            if kind in TRACK_TYPES:
                for index, frequency, amplitude in values.tolist():
                    by_index.setdefault(index, []).append((time, frequency, amplitude))
            else:
                # Frequency 0 is unvoiced: a gap.
                fundamental.extend(
                    (time, f, FUNDAMENTAL_AMPLITUDE) if f > 0 else (time, math.nan, math.nan)
                    for f in values[:, 0].tolist()
                )
    times = np.array(frame_times)
    for rows in by_index.values():
        contents.tracks.append(_with_gaps(np.array(rows, dtype=np.float64), times))
    if fundamental:
        contents.tracks.append(np.array(fundamental, dtype=np.float64))
    return contents


def _with_gaps(points: np.ndarray, frame_times: np.ndarray) -> np.ndarray:
    """`points` (n, 3), with a NaN point at the first frame time after each point from which
    the index is absent before its next point: the partial falls silent there."""
    if len(points) < 2:
        return points
    following = np.searchsorted(frame_times, points[:-1, 0], side="right")
    absent = frame_times[np.minimum(following, len(frame_times) - 1)] < points[1:, 0]
    if not absent.any():
        return points
    gaps = np.column_stack((frame_times[following[absent]], np.full((absent.sum(), 2), math.nan)))
    merged = np.concatenate((points, gaps))
    return merged[np.argsort(merged[:, 0], kind="stable")]

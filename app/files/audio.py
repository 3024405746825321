"""Open audio files for analysis.

Soma analyses one channel: :func:`load_audio` decodes a file with libsndfile
(through ``soundfile``) and mixes it down to a mono float32 array, block by
block, so that memory stays close to the size of the result (4 bytes per
frame) whatever the file's channel count or sample format.

Supported: WAV (PCM 16/24/32-bit, float 32/64-bit), FLAC, OGG/Vorbis, AIFF and
MP3, plus the other formats libsndfile opens by itself (AU, CAF, W64, RF64...).

Every failure is reported as :class:`AudioError`, whose message is one line
naming the file and saying what is wrong.

Choices for damaged input
-------------------------
- A file that ends before its header says (truncated download, recorder that
  crashed) is kept: Soma shows the frames that could be decoded and records a
  note in :attr:`AudioFile.notes`.  Only a file with no decodable frame at all
  is an error.
- Non-finite samples (NaN, +-Inf) in float files are replaced by 0 (silence)
  after mixdown, with a note, so no NaN reaches the spectrogram.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

import numpy as np
import soundfile as sf

from app.base.errors import SomaError, printable
from app.base.files import open_regular
from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from app.document.audio_file import AudioFile

__all__ = [
    "AudioError",
    "AudioStream",
    "load_audio",
    "open_audio_stream",
    "probe_audio",
]

# Frames decoded per libsndfile call.  64 Ki frames keeps the scratch buffer
# small (512 KiB for stereo float32) while the per-call overhead stays
# negligible; larger blocks measured no faster.
_BLOCK_FRAMES = 1 << 16

# A long file in a format whose seeks are exact and cheap is decoded in two halves at once,
# each on a core (an hour of FLAC is 6 s of one core's work). Shorter files are not worth
# the second decoder; MP3 and Ogg are left alone (their seeks scan the stream).
_HALVED_FORMATS = frozenset({"WAV", "WAVEX", "W64", "RF64", "AIFF", "CAF", "FLAC"})
_HALVED_MIN_FRAMES = 1 << 22  # 95 s at 44.1 kHz
_PROGRESS_SECONDS = 0.05  # how often the second half's progress is told while waiting for it

_SUPPORTED = "Soma reads WAV, FLAC, OGG/Vorbis, AIFF and MP3"

# Subtypes whose samples can be NaN or Inf; integer PCM and the lossy
# decoders always produce finite values, so only these are scanned.
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})

# libsndfile clamps a WAV/AIFF data chunk that runs past the end of the file
# and logs e.g. "data : 176400 (should be 58770)"; that log is the only sign
# of truncation, as the frame count it reports is already the clamped one.
_CLAMPED_CHUNK = re.compile(r"^\s*(data|SSND)\s*:\s*\d+\s*\(should be", re.MULTILINE)

# Leading bytes of common non-audio files, to say what a rejected file is.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
)


class AudioError(SomaError):
    """A file Soma cannot open.

    ``str(err)`` is one line a user can act on, naming the file, e.g.
    ``Cannot open "take1.wav": the file is empty (0 bytes).``

    Attributes
    ----------
    path : str or None
        Absolute path of the file, as far as it could be resolved.
    reason : str
        The part of the message after the file name.
    """

    def __init__(self, path: str | None, reason: str):
        self.path = path
        self.reason = printable(reason)
        name = printable(os.path.basename(path)) if path else "file"
        super().__init__(f'Cannot open "{name}": {self.reason}')


def load_audio(
    path: str | os.PathLike,
    *,
    quiet: bool = False,
    allocate: Callable[[int, int], np.ndarray] | None = None,
    on_block: Callable[[int, int, int], None] | None = None,
) -> AudioFile:
    """Decode an audio file into a mono float32 :class:`AudioFile`.

    Parameters
    ----------
    path : str or os.PathLike
        File to open.  The format is detected from the content, not the
        extension.
    quiet : bool
        Silence the decoder libraries' own messages while decoding (see
        :func:`_decoder_messages_silenced`); for the command line only.
    allocate : callable(frames, sample_rate) -> np.ndarray, optional
        Where the samples go: given the header's frame count and rate, returns a
        writable C-contiguous float32 array of shape (frames,), which the
        decode fills block by block (the window passes a shared-memory block,
        so the samples exist once).  The result's samples are a read-only view
        of its first ``audio.frames`` values; a truncated file leaves the rest
        unwritten.  Default: a new array (cut to size when the file is short).
    on_block : callable(decoded, frames, sample_rate), optional
        Called after each block with the frames decoded so far, the header's
        count and the rate (the progress; ``samples[:decoded]`` are final).
        Whatever it raises (e.g. Cancelled) ends the decode and propagates.

    Returns
    -------
    audio : AudioFile
        ``audio.samples`` has shape ``(frames,)``, dtype float32, and is the
        mean of the file's channels.

    Raises
    ------
    AudioError
        If the file is missing, a folder, empty, unreadable, not audio,
        damaged beyond the first frame, has no frames, or has a sample rate
        outside [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE] Hz.

    Notes
    -----
    A 10-minute 44.1 kHz stereo 16-bit WAV loads in about 0.1 s (warm page
    cache, 2-core machine).  Peak memory is the result plus one block of
    ``_BLOCK_FRAMES * channels`` scratch (int16 for 16-bit PCM, else float32).
    """
    with _opened(path, quiet) as (snd, path, head):
        try:
            return _decode(snd, path, allocate, on_block)
        except _DECODER_ERRORS as err:
            raise AudioError(path, _open_failure(err, head)) from None
        except MemoryError:
            raise AudioError(path, "there is not enough memory to load it.") from None


# SoundFileError covers LibsndfileError; soundfile also raises bare RuntimeError, TypeError
# or ValueError for some malformed headers.
_DECODER_ERRORS = (sf.SoundFileError, RuntimeError, TypeError, ValueError, OSError)


@contextlib.contextmanager
def _opened(path, quiet: bool) -> Iterator[tuple[sf.SoundFile, str, bytes]]:
    """(the open SoundFile, the absolute path, the file's first bytes); AudioError for a file
    that cannot be opened. ``quiet`` as in ``load_audio``."""
    path = _absolute(path)
    with (
        _open_file(path) as stream,
        _decoder_messages_silenced() if quiet else contextlib.nullcontext(),
    ):
        head = _head(stream, path)
        try:
            # The open file's descriptor, not its name: soundfile encodes a str name as
            # UTF-8, which fails for a name that is not (undecodable bytes, kept as
            # surrogates). Nor the file object: libsndfile would then read through a Python
            # callback, which needs the GIL for every read, and while the overview's thread
            # holds it a decode waited on it (an hour of FLAC decoded 1.5x slower).
            os.lseek(stream.fileno(), 0, os.SEEK_SET)  # _head read through the buffer
            snd = sf.SoundFile(stream.fileno(), closefd=False)
        except _DECODER_ERRORS as err:
            raise AudioError(path, _open_failure(err, head)) from None
        with snd:
            yield snd, path, head


def truncation_note(read: int, frames: int, sample_rate: int, doing: str) -> str:
    """What a file that ended after ``read`` of the ``frames`` its header announces is told
    with (``doing``: what is done with the frames read, e.g. "showing")."""
    return (
        f"The file ended after {read / sample_rate:.2f} s of the "
        f"{frames / sample_rate:.2f} s its header announces (truncated or damaged); "
        f"{doing} what could be read."
    )


class AudioStream:
    """An open audio file read block by block as mono float32, for analyses whose memory must
    not grow with the file (``open_audio_stream``).

    Attributes: ``path`` (absolute), ``name``, ``sample_rate`` (Hz), ``frames`` (as the header
    says; a truncated file yields fewer).
    """

    def __init__(self, snd: sf.SoundFile, path: str, sample_rate: int, frames: int):
        self._snd = snd
        self.path = path
        self.name = os.path.basename(path)
        self.sample_rate = sample_rate
        self.frames = frames

    def blocks(self, first: int = 0, last: int | None = None) -> Iterator[np.ndarray]:
        """Mono float32 blocks of at most ``_BLOCK_FRAMES`` samples, from frame ``first`` to
        ``last`` (exclusive; None: the end). Each block is a buffer reused by the next: use
        or copy it before asking for another. Non-finite samples read as 0, as in
        ``load_audio``; a decoder error mid-stream ends the blocks early (a damaged file
        yields what could be read) unless nothing at all could be."""
        last = self.frames if last is None else min(last, self.frames)
        buffer = np.empty(min(_BLOCK_FRAMES, max(last - first, 1)), dtype=np.float32)
        scratch = _scratch(self._snd, buffer.size)
        pos = first
        try:
            self._snd.seek(first)
            while pos < last:
                want = min(buffer.size, last - pos)
                got = _read_mono(self._snd, buffer[:want], scratch)
                if got == 0:
                    return
                block = buffer[:got]
                np.nan_to_num(block, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
                pos += got
                yield block
                if got < want:
                    return
        except (sf.SoundFileError, RuntimeError) as err:
            if pos == first:
                raise AudioError(
                    self.path, f"the audio data is damaged ({_libsndfile_reason(err)})."
                ) from None


@contextlib.contextmanager
def open_audio_stream(path: str | os.PathLike, *, quiet: bool = False) -> Iterator[AudioStream]:
    """The file at ``path`` open as an ``AudioStream``; AudioError as ``load_audio`` raises
    it for a file that cannot be opened (missing, empty, not audio, a rate Soma refuses, no
    frames). ``quiet`` as in ``load_audio``."""
    with _opened(path, quiet) as (snd, path, _):
        sample_rate, _, frames = _checked_format(snd, path)
        yield AudioStream(snd, path, sample_rate, frames)


def _absolute(path) -> str:
    try:
        return os.path.abspath(os.fsdecode(path))
    except TypeError:
        raise AudioError(None, f"{type(path).__name__} is not a file path.") from None


def _head(stream: BinaryIO, path: str) -> bytes:
    """The file's first bytes (to say what a file that is not audio is); the stream is
    rewound. AudioError for an empty file."""
    head = stream.read(512)
    if not head:
        raise AudioError(path, "the file is empty (0 bytes).")
    stream.seek(0)
    return head


class _FirstBlockRead(SomaError):
    """probe_audio's stop: the header and the first block decoded (never leaves it)."""


def probe_audio(path: str | os.PathLike, *, quiet: bool = False) -> None:
    """Check that `path` is audio Soma can open, from its header and first block, without
    decoding the rest (the command line checks its FILE so before the window decodes it).

    Raises AudioError as load_audio does for a file it cannot open at all.
    """

    def stop(decoded: int, frames: int, sample_rate: int) -> None:
        raise _FirstBlockRead

    # The default allocation is virtual memory until written: only one block is.
    with contextlib.suppress(_FirstBlockRead):
        load_audio(path, quiet=quiet, on_block=stop)


@contextlib.contextmanager
def _decoder_messages_silenced() -> Iterator[None]:
    """File descriptor 2 sent to /dev/null for the duration.

    libmpg123, libsndfile's MP3 decoder, writes its notes on a damaged stream
    ("Illegal Audio-MPEG-Header ...", "Trying to resync...") straight to fd 2,
    and libsndfile offers no way to set its MPG123_QUIET flag.  On a terminal
    they come before Soma's one line about the file.  The redirection is
    process-wide, so it silences every thread's stderr meanwhile (a progress
    bar drawn during the decode too): only for the command line, which does
    nothing else while it decodes, never for the window.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _open_file(path: str) -> BinaryIO:
    """The regular file at `path`, open for reading; AudioError with a precise reason.

    libsndfile says "System error." for a missing or unreadable file, so these cases are
    checked here, where the OS gives the real cause; a FIFO or a device is refused before
    anything reads it (a FIFO would block, /dev/zero never end: app.base.files.open_regular).
    """
    if os.path.isdir(path):
        raise AudioError(path, "it is a folder, not an audio file.")
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise AudioError(
            path, f"the file does not exist (looked in {os.path.dirname(path)})."
        ) from None
    except PermissionError:
        raise AudioError(
            path, "permission denied; check that your account can read this file."
        ) from None
    except OSError as err:
        raise AudioError(path, f"the file could not be read ({err.strerror or err}).") from None


def _decode(
    snd: sf.SoundFile,
    path: str,
    allocate: Callable[[int, int], np.ndarray] | None,
    on_block: Callable[[int, int, int], None] | None,
) -> AudioFile:
    """Read an open file block by block into a mono float32 array (see load_audio)."""
    sample_rate, channels, frames = _checked_format(snd, path)

    notes = []
    if _CLAMPED_CHUNK.search(snd.extra_info or ""):
        notes.append(
            "The file is shorter than its header says (truncated?); showing the audio it contains."
        )

    out = np.empty(frames, np.float32) if allocate is None else allocate(frames, sample_rate)
    scratch = _scratch(snd, min(_BLOCK_FRAMES, frames))
    halved = (
        snd.format in _HALVED_FORMATS
        and frames >= _HALVED_MIN_FRAMES
        and not notes  # a header that lies about the length would misplace the second half
        and (os.cpu_count() or 1) > 1
    )
    # Where this thread's part ends: the middle block, or the end of a file decoded in one.
    first_end = frames // 2 // _BLOCK_FRAMES * _BLOCK_FRAMES if halved else frames
    second = _SecondHalf(path, first_end, frames, out) if halved else None
    pos = 0
    try:
        try:
            for pos in _decoded_blocks(snd, out, 0, first_end, scratch):
                if on_block is not None:
                    on_block(pos, frames, sample_rate)
        except (sf.SoundFileError, RuntimeError) as err:
            # A decoder error mid-stream (e.g. FLAC "lost sync" in a truncated
            # file): keep what was decoded, unless that is nothing.
            if pos == 0:
                raise AudioError(
                    path, f"the audio data is damaged ({_libsndfile_reason(err)})."
                ) from None
        # The second half counts only after a whole first half: samples are final as a
        # prefix (on_block's promise), and a first half cut short ends the file there.
        if second is not None and pos == first_end:
            while not second.wait(_PROGRESS_SECONDS):
                if on_block is not None:
                    on_block(pos + second.decoded, frames, sample_rate)
            pos += second.decoded
            if on_block is not None:
                on_block(pos, frames, sample_rate)
    finally:
        if second is not None:
            second.stop()  # cancelled, failed or done: the thread ends after its block
    if pos == 0:
        raise AudioError(path, "no audio could be decoded from the file (damaged?).")
    if pos < frames:
        # Our own array is copied so that the unused tail is freed; the caller's block is
        # the caller's to cut (app.compute.shared_audio.SharedAudio.finish).
        out = out[:pos].copy() if allocate is None else out[:pos]
        notes.append(truncation_note(pos, frames, sample_rate, "showing"))

    if snd.subtype in _FLOAT_SUBTYPES and not np.isfinite(out).all():
        bad = ~np.isfinite(out)
        count = int(np.count_nonzero(bad))
        out[bad] = 0.0
        notes.append(f"{count} non-finite sample(s) (NaN or infinity) were replaced with silence.")

    out = out.view()
    out.flags.writeable = False
    return AudioFile(
        path=path,
        name=os.path.basename(path),
        samples=out,
        sample_rate=sample_rate,
        channels=channels,
        frames=int(out.shape[0]),
        format=str(snd.format),
        subtype=str(snd.subtype),
        notes=tuple(notes),
    )


class _SecondHalf:
    """Frames [first, frames) of the file at `path` decoded into ``out[first:]`` on a thread
    of its own, through a second open of the file (its own offset), while the caller decodes
    the first half. ``decoded`` frames from `first` are final; a decoder error or an early
    end stops it there, as a damaged file's sequential decode would."""

    def __init__(self, path: str, first: int, frames: int, out: np.ndarray) -> None:
        self.decoded = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, first, frames, out), name="decode-second-half"
        )
        self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Whether it is done, waiting up to `timeout` s for it."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """End it after the block it is decoding, and wait for that."""
        self._stopping.set()
        self._thread.join()

    def _run(self, path: str, first: int, frames: int, out: np.ndarray) -> None:
        try:
            with open_regular(path) as stream, sf.SoundFile(stream.fileno(), closefd=False) as snd:
                snd.seek(first)
                for pos in _decoded_blocks(snd, out, first, frames, _scratch(snd, _BLOCK_FRAMES)):
                    self.decoded = pos - first
                    if self._stopping.is_set():
                        return
        except _DECODER_ERRORS:
            return  # the frames decoded so far stand; the file ends after them


def _open_failure(err: Exception, head: bytes) -> str:
    """Turn a soundfile exception raised while opening into a user reason."""
    detail = _libsndfile_reason(err)
    # libsndfile's MP3 probe reports unrecognised bytes as "File does not
    # exist..."; the file is known to exist (see _open_file).
    if any(s in detail.lower() for s in ("not recognised", "unknown format", "does not exist")):
        kind = _sniff(head)
        if kind:
            return f"it is {kind}, not audio. {_SUPPORTED}."
        return f"this is not an audio format Soma can read. {_SUPPORTED}."
    return f"the file is damaged or not a supported audio file ({detail}). {_SUPPORTED}."


def _libsndfile_reason(err: Exception) -> str:
    """libsndfile's own words, without soundfile's "Error opening '<path>': "."""
    reason = getattr(err, "error_string", None) or str(err)
    return printable(reason).strip().rstrip(".") or type(err).__name__


def _sniff(head: bytes) -> str | None:
    """Name the kind of a non-audio file from its first bytes, if obvious."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        return "an MP4/M4A (AAC) file, which Soma cannot decode; convert it to WAV or FLAC"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as err:
            # A multi-byte character cut by the 512-byte read still counts as text.
            if err.start < len(head) - 3:
                return None
        return "a text file"
    return None


def _checked_format(snd: sf.SoundFile, path: str) -> tuple[int, int, int]:
    """(sample rate, channels, frames) of an open file; AudioError for a rate Soma refuses or
    no frames."""
    sample_rate, channels, frames = int(snd.samplerate), int(snd.channels), int(snd.frames)
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise AudioError(
            path,
            f"its sample rate of {sample_rate} Hz is outside the range Soma "
            f"supports ({MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz).",
        )
    if frames <= 0:
        raise AudioError(path, "the file contains no audio (0 frames).")
    return sample_rate, channels, frames


def _decoded_blocks(
    snd: sf.SoundFile, out: np.ndarray, first: int, end: int, scratch: np.ndarray
) -> Iterator[int]:
    """Decode ``snd`` from its position into ``out[first:end]`` a block at a time
    (``_read_mono``), yielding the end of what is decoded after each block; a short read
    (the file's end) is the last. Decoder errors propagate: the caller decides what stands."""
    pos = first
    while pos < end:
        want = min(_BLOCK_FRAMES, end - pos)
        got = _read_mono(snd, out[pos : pos + want], scratch)
        pos += got
        yield pos
        if got < want:
            return


def _scratch(snd: sf.SoundFile, frames: int) -> np.ndarray:
    """The buffer ``_read_mono`` decodes up to `frames` frames of ``snd`` into: int16 for
    16-bit PCM, whose samples libsndfile converts to float ~6x slower than it copies them
    out (an hour of stereo WAV: 0.83 s against 0.13 s, measured), float32 otherwise."""
    dtype = np.int16 if snd.subtype == "PCM_16" else np.float32
    return np.empty((frames, snd.channels), dtype=dtype)


def _read_mono(snd: sf.SoundFile, out: np.ndarray, scratch: np.ndarray) -> int:
    """Decode the next ``out.size`` frames (at most ``scratch``'s rows) of ``snd`` into ``out``
    as the mean of its channels; returns how many were decoded (fewer at the file's end).
    ``scratch`` is ``_scratch``'s: the samples are the same float32 values either way."""
    want = out.size
    if scratch.dtype == np.int16:
        block = snd.read(want, dtype="int16", out=scratch[:want])
        got = len(block)
        dst = out[:got]
        # Sums of 16-bit values are exact in float32, and scaling by 2**-15 (libsndfile's
        # float of a 16-bit sample) and by 1 / channels in one product rounds as the float
        # path's two steps do: the same samples bit for bit.
        np.copyto(dst, block[:, 0])
        for ch in range(1, snd.channels):
            np.add(dst, block[:, ch], out=dst)
        dst *= np.float32(2.0**-15 / snd.channels)
        return got
    if snd.channels == 1:
        # Mono needs no mixdown: decode straight into the result.
        return len(snd.read(want, dtype="float32", out=out))
    block = snd.read(want, dtype="float32", out=scratch[:want])
    got = len(block)
    dst = out[:got]
    # Summing column by column beats block.mean(axis=1), which
    # reduces along the short, strided axis (measured ~4x slower).
    np.copyto(dst, block[:, 0])
    for ch in range(1, snd.channels):
        dst += block[:, ch]
    dst *= np.float32(1.0 / snd.channels)
    return got

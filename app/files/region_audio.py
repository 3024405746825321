"""A time-frequency region of the open file written as audio: its stretch of the samples,
band-limited to its frequencies when asked (``workers.bandpass``), as WAV (32-bit float, the
samples as Soma holds them) or FLAC (24-bit).

Written BLOCK_SECONDS at a time, each block filtered with the settling margin on either side,
so a region of an hour costs a block's memory and the blocks join as one filtered whole.
"""

from __future__ import annotations

import os

import numpy as np
import soundfile as sf

from app.document.audio_file import AudioFile
from workers.bandpass import band_pass, settle_seconds

BLOCK_SECONDS = 10.0
SUBTYPES = {"wav": "FLOAT", "flac": "PCM_24"}


def write_region(
    audio: AudioFile,
    start: float,
    end: float,
    band: tuple[float, float] | None,
    path: str | os.PathLike,
    fmt: str,
) -> int:
    """Write [start, end) s of `audio` (mono, at its rate) to `path` as `fmt` ('wav' or
    'flac'), band-limited to `band` (fmin, fmax Hz) unless it is None; returns the frames
    written. OSError (soundfile's errors included) when the file cannot be written."""
    sr = audio.sample_rate
    first = max(0, min(audio.frames, round(start * sr)))
    stop = max(first, min(audio.frames, round(end * sr)))
    margin = 0 if band is None else round(settle_seconds(*band) * sr)
    block = round(BLOCK_SECONDS * sr)
    try:
        with sf.SoundFile(path, "w", sr, 1, SUBTYPES[fmt], format=fmt.upper()) as out:
            for at in range(first, stop, block):
                until = min(stop, at + block)
                if band is None:
                    out.write(audio.samples[at:until])
                    continue
                lo, hi = max(0, at - margin), min(audio.frames, until + margin)
                filtered = band_pass(audio.samples[lo:hi], sr, *band)
                out.write(np.asarray(filtered[at - lo : until - lo]))
    except sf.SoundFileError as error:
        raise OSError(str(error)) from None
    return stop - first

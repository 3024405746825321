"""AudioFile: decoded audio, as the document holds it (app.files.audio decodes files into it,
app.files.demo generates one)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AudioFile:
    """Decoded audio ready for analysis.

    Attributes
    ----------
    path : str or None
        Absolute path of the file; None for generated audio.
    name : str
        Name shown to the user (the file name, or e.g. "Demo recording").
    samples : np.ndarray [shape=(frames,), dtype=float32]
        Mono mixdown (mean of the channels), nominally in [-1, 1].
        C-contiguous and read-only (``flags.writeable`` is False), so it can
        be shared between workers without copying.
    sample_rate : int
        Frames per second, in [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE] (app.base.formats).
    channels : int
        Channel count of the file, before mixdown.
    frames : int
        Number of frames, ``== len(samples)``.
    format : str
        soundfile's major format: 'WAV', 'FLAC', 'OGG', 'AIFF', 'MP3'...
        ('GENERATED' for audio made in code).
    subtype : str
        soundfile's subtype: 'PCM_16', 'PCM_24', 'FLOAT', 'VORBIS',
        'MPEG_LAYER_III'...
    notes : tuple of str
        One-line remarks about repairs made while loading (file truncated,
        non-finite samples zeroed).  Empty for a clean file.
    """

    path: str | None
    name: str
    samples: np.ndarray
    sample_rate: int
    channels: int
    frames: int
    format: str
    subtype: str
    notes: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        """Length in seconds (float)."""
        return self.frames / self.sample_rate

    def info(self) -> dict:
        """Describe the audio without its samples.

        Returns
        -------
        info : dict
            JSON-safe (str, int, float, None, list of str) with keys
            ``path``, ``name``, ``sampleRate``, ``channels``, ``frames``,
            ``duration`` (seconds), ``format``, ``subtype`` and ``notes``.
        """
        return {
            "path": self.path,
            "name": self.name,
            "sampleRate": int(self.sample_rate),
            "channels": int(self.channels),
            "frames": int(self.frames),
            "duration": float(self.duration),
            "format": self.format,
            "subtype": self.subtype,
            "notes": list(self.notes),
        }

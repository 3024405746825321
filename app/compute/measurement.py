"""The measurement panes' data: the spectrum slice at the cursor and the waveform of the view.

Both are computed here, in the main process, on the js_api thread that asks, not in a
worker: a slice is one FFT of about 16k points (well under a millisecond) and a waveform
reads at most BLOCK samples a pixel column, so either costs less than a worker's round trip
(pickling, the pipe, and waiting behind a viewport image in the one viewport worker), and
the cursor must follow the mouse. The slice is a real short spectrum of the samples at the
cursor's time, not the viewport image's column: that column has the image's resolution,
which is coarse in frequency for an STFT of a long view and in time for a CWT's low rows,
and its level is the image's, quantised to 100/255 dB. The waveform of a wide view reads a
block envelope (min/max of each BLOCK samples, made once per file on first use), so a view
of a whole hour-long file costs no more than one of a second.
"""

from __future__ import annotations

import base64
import threading

import numpy as np

from app.document.audio_file import AudioFile
from workers.measure import block_envelope, min_max_envelope, spectrum_slice

BLOCK = 256  # samples per block of the cached envelope


class Measurements:
    """Slices and waveforms of the open file; keeps the block envelope of the newest file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks: tuple[AudioFile, np.ndarray] | None = None

    def slice_at(
        self, audio: AudioFile, time: float, fmin: float, fmax: float, rows: int, scale: str
    ) -> dict:
        """{"time": s, "levels": [dBFS per row, row 0 = fmin, evenly spaced on `scale` to
        fmax], "scale": scale, "peaks": [{"frequency": Hz, "level": dBFS}, ...] loudest
        first} (workers.measure)."""
        levels, peaks = spectrum_slice(
            audio.samples, audio.sample_rate, time, fmin, fmax, rows, scale
        )
        return {
            "time": time,
            "levels": np.round(levels.astype(np.float64), 2).tolist(),
            "scale": scale,
            "peaks": [{"frequency": f, "level": level} for f, level in peaks],
        }

    def waveform(self, audio: AudioFile, start: float, end: float, columns: int) -> dict:
        """{"start", "end": s, "columns": n, "envelope": base64 of little-endian int16
        (columns, 2) [min, max], full scale 32767}: the samples of [start, end) per column."""
        sr = audio.sample_rate
        first = min(max(0, int(start * sr)), audio.samples.size - 1)
        last = min(max(first + 1, int(np.ceil(end * sr))), audio.samples.size)
        if (last - first) / columns >= BLOCK:
            source, first, last = self._block_envelope(audio), first // BLOCK, -(-last // BLOCK)
        else:
            source = audio.samples
        envelope = min_max_envelope(source, first, last, columns)
        scaled = np.clip(np.rint(envelope * 32767), -32767, 32767).astype("<i2")
        return {
            "start": start,
            "end": end,
            "columns": columns,
            "envelope": base64.b64encode(scaled.tobytes()).decode("ascii"),
        }

    def _block_envelope(self, audio: AudioFile) -> np.ndarray:
        with self._lock:
            if self._blocks is None or self._blocks[0] is not audio:
                self._blocks = (audio, block_envelope(audio.samples, BLOCK))
            return self._blocks[1]

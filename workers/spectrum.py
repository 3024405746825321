"""Spectrum at display resolution: the public front door of the spectrum engine.

``render`` turns a stretch of mono audio into a dBFS image of exactly the pixels the screen
shows: ``height`` frequency rows (log-spaced, or linear: ``workers.rows``) by ``width`` time
columns. Views wider than ``CWT_MAX_SECONDS`` are an STFT (``workers.stft``), narrower ones
an analytic CWT (``workers.cwt``) with Soma's Morlet or one of PyWavelets' complex wavelets
(``workers.wavelets``); both are calibrated so that a sine of peak amplitude 1.0 reads 0 dBFS
on its ridge, and both max-pool into columns so that no transient vanishes between two pixels.

FFTs run on as many threads as ``scipy.fft.set_workers`` allows around the call (scipy's
default is one): the caller decides, because only it knows what else needs the cores.

Pure numpy/scipy: no GUI code, nothing from ``app``.
"""

from __future__ import annotations

import math

import numpy as np

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE
from workers import cwt, stft
from workers.checks import finite, mono_samples, whole
from workers.cwt import DEFAULT_Q, GAUSS_CUT, HPBW_PER_SIGMA, Q_MAX, Q_MIN, Wavelet
from workers.rows import DEFAULT_SCALE, SCALES, row_frequencies
from workers.wavelets import DEFAULT_WAVELET, row_wavelet

__all__ = [
    "CWT_MAX_SECONDS",
    "DB_FLOOR",
    "DEFAULT_Q",
    "DEFAULT_SCALE",
    "DEFAULT_WAVELET",
    "EDGE_CONE_SIGMAS",
    "MAX_PIXELS",
    "Q_MAX",
    "Q_MIN",
    "SCALES",
    "SpectrumError",
    "clear_caches",
    "frequencies",
    "render",
    "resolve_method",
    "stft_window_size",
]

DB_FLOOR = -160.0  # dBFS of silence and padding; every output pixel is >= this
CWT_MAX_SECONDS = 30.0  # method='auto' picks the CWT at or below this view length, STFT above
MAX_PIXELS = 16384  # largest width or height: more than any screen, small enough to stay sane
MAX_SECONDS = 1e7  # |start| and |end| bound (115 days): keeps sample positions exact in float64
METHODS = ("auto", "stft", "cwt")
# A pixel is in an edge cone when its column's centre lies within this many time sigmas of
# its row's analysis (wavelet or window) from the start or end of the audio: as far as the
# analysis reaches before it is cut at -60 dB, so it reads the edge (the step into the
# silence beyond) along with the sound. (At -20 dB, 2.15 sigmas, the step of a tone that
# starts with the file still showed beside the cone within the 80 dB Auto shows.)
EDGE_CONE_SIGMAS = GAUSS_CUT

_POWER_FLOOR = 10.0 ** (DB_FLOOR / 10.0)


class SpectrumError(SomaError, ValueError):
    """Invalid arguments to the spectrum engine; str() is one clear line."""


def frequencies(fmin: float, fmax: float, height: int, scale: str = DEFAULT_SCALE) -> np.ndarray:
    """Centre frequency of every row of an image.

    Parameters
    ----------
    fmin, fmax : float, Hz, 0 < fmin < fmax
    height : int > 0, number of rows
    scale : one of ``SCALES``: 'log' (the default) or 'linear'

    Returns
    -------
    np.ndarray, float64, shape (height,), Hz
        Evenly spaced on ``scale`` (geometrically on a log axis): row 0 is ``fmin``, row
        ``height - 1`` is ``fmax`` (a single row is ``fmin``).
    """
    fmin, fmax = _frequency_range(fmin, fmax)
    return row_frequencies(fmin, fmax, _pixels("height", height), _scale(scale))


def resolve_method(method: str, start: float, end: float) -> str:
    """The transform ``render`` uses for a view: ``'stft'`` or ``'cwt'``.

    ``'auto'`` is the CWT for views of at most ``CWT_MAX_SECONDS`` and the STFT above;
    ``'stft'`` and ``'cwt'`` are returned as given.
    """
    if method not in METHODS:
        raise SpectrumError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    start, end = _span(start, end)
    if method != "auto":
        return method
    return "cwt" if end - start <= CWT_MAX_SECONDS else "stft"


def stft_window_size(
    sr: int,
    start: float,
    end: float,
    width: int,
    fmin: float,
    fmax: float,
    height: int,
    q: float | None = None,
    window: float | None = None,
) -> int:
    """Window length in samples that ``render``'s STFT uses for the lowest row of this view,
    the longest of its windows (each band of rows has its own: ``workers.stft.row_windows``,
    matched to the CWT of quality factor ``q``, None for ``DEFAULT_Q``), or the ``window``
    (seconds) the caller chose."""
    sr = _sample_rate(sr)
    if window is not None:
        return _window_samples(window, sr)
    start, end = _span(start, end)
    width = _pixels("width", width)
    freqs = frequencies(fmin, fmax, height)
    q = row_wavelet(DEFAULT_WAVELET, q, SpectrumError).hpbw ** -1
    return int(stft.row_windows(sr, (end - start) / width, width, freqs, q)[0])


def render(
    audio: np.ndarray,
    sr: int,
    *,
    start: float,
    end: float,
    fmin: float,
    fmax: float,
    width: int,
    height: int,
    method: str = "auto",
    q: float | None = None,
    wavelet: str = DEFAULT_WAVELET,
    report=None,
    mark_edges: bool = False,
    window: float | None = None,
    hop: float | None = None,
    columns: tuple[int, int] | None = None,
    scale: str = DEFAULT_SCALE,
) -> np.ndarray:
    """dBFS image of a view of ``audio``, computed at display resolution.

    Parameters
    ----------
    audio : np.ndarray, 1-D, float32 (float64 is converted), mono samples in [-1, 1]
    sr : int > 0, sample rate in Hz
    start, end : float, seconds, start < end
        The view; it may begin before 0 or end after the audio (that part reads as silence).
        Column j covers [start + j*dt, start + (j+1)*dt) with dt = (end - start) / width.
    fmin, fmax : float, Hz, 0 < fmin < fmax <= sr / 2
        Centre frequencies of the bottom and top rows (see ``frequencies``).
    width, height : int in [1, MAX_PIXELS], output columns and rows
    method : {'auto', 'stft', 'cwt'}
        'auto' is the CWT for views of at most ``CWT_MAX_SECONDS``, the STFT above.
    q : float in [Q_MIN, Q_MAX] or None
        Quality factor of the CWT's Morlet (centre frequency over half-power bandwidth); None
        is ``DEFAULT_Q``. The STFT validates but ignores it (its window follows the zoom).
        It must be None with any other wavelet: their bandwidth is in their name.
    wavelet : str
        The CWT's wavelet: ``DEFAULT_WAVELET`` ('morlet', Soma's own) or one of PyWavelets'
        complex continuous wavelets, 'cmorB-C', 'shanB-C', 'fbspM-B-C' or 'cgauP' (real ones
        are refused: rows must be analytic); see ``workers.wavelets``. The STFT validates but
        ignores it.
    report : callable(done, total) or None
        Told the progress now and then (CWT: analysis rows done; STFT: columns done), so a
        worker can show it; never more often than once per batch of work.
    mark_edges : bool
        NaN in the edge cones (``_edge_cones``): where the analysis reads the edge of the
        audio rather than its sound. The viewport, the overview and ``soma render`` mark
        them; without it every pixel is a level.
    window, hop : float, seconds, or None
        The STFT's window length (``stft.MIN_WINDOW`` to ``stft.MAX_WINDOW`` samples) and
        hop (at least a sample) when the caller chooses them; None is Soma's choice (windows
        matched to the CWT's bandwidth per half-octave band, frames as dense as they need). The
        CWT validates but ignores them.
    columns : (first, stop) of ints, 0 <= first < stop <= width, or None (all)
        The STFT only: just those columns of the image, with the values they have in the
        whole one (the overview is built so while its file decodes: ``audio`` is then the
        whole file's block, of which only the samples up to ``stft.COLUMN_REACH`` past the
        columns' end need be written yet).
    scale : one of ``SCALES``
        How the rows are spaced between fmin and fmax: 'log' (geometrically) or 'linear'
        (evenly in Hz). Each row reads the band halfway to its neighbours on that axis.

    Returns
    -------
    np.ndarray, float32, shape (height, width) or (height, stop - first), dBFS
        Row 0 is ``fmin`` (rows as ``frequencies`` gives them). Each pixel is the largest
        level within its column and row band: a sine of peak amplitude A reads 20*log10(A)
        on its ridge, with either method; a stationary noise reads its power in the CWT's
        equivalent noise bandwidth (about 1.06 f / q at f Hz) with either, within 3 dB (the
        STFT's windows follow the CWT's bandwidth: ``workers.stft.row_windows``); silence
        reads ``DB_FLOOR``; nothing is below ``DB_FLOOR``, and only the edge cones are NaN
        (with ``mark_edges``).

    Raises
    ------
    SpectrumError
        For any invalid argument, before any work is done.
    """
    samples = mono_samples(audio, SpectrumError)
    sr = _sample_rate(sr)
    start, end = _span(start, end)
    fmin, fmax = _frequency_range(fmin, fmax)
    width, height = _pixels("width", width), _pixels("height", height)
    if fmax > sr / 2:
        raise SpectrumError(f"fmax ({fmax:g} Hz) is above the Nyquist frequency ({sr / 2:g} Hz)")
    row = row_wavelet(wavelet, q, SpectrumError)
    window_samples = None if window is None else _window_samples(window, sr)
    hop_samples = None if hop is None else _hop_samples(hop, sr)
    chosen = resolve_method(method, start, end)
    first, stop = _columns(columns, width, chosen)
    scale = _scale(scale)
    freqs = row_frequencies(fmin, fmax, height, scale)
    if chosen == "cwt" and cwt.segment_length(sr, start, end, freqs, row, scale) > cwt.MAX_SEGMENT:
        raise SpectrumError(
            f"a CWT of {end - start:g} s down to {fmin:g} Hz with {row.name} "
            f"needs over {cwt.MAX_SEGMENT} samples; use method='stft'"
        )
    if chosen == "cwt":
        power = cwt.cwt_power(samples, sr, start, end, freqs, width, row, report, scale)
    else:
        # Windows matched to the wavelet's bandwidth, so the picture keeps its levels when
        # the view crosses CWT_MAX_SECONDS.
        power = stft.stft_power(
            samples,
            sr,
            start,
            end,
            freqs,
            width,
            1.0 / row.hpbw,
            report,
            window_samples,
            hop_samples,
            (first, stop),
            scale,
        )
    np.maximum(power, np.float32(_POWER_FLOOR), out=power)
    db = np.log10(power, out=power)
    db *= np.float32(10.0)
    # float32 rounding can land a hair under the floor, which the contract forbids.
    np.maximum(db, np.float32(DB_FLOOR), out=db)
    if mark_edges:
        cones = _edge_cones(samples.size, sr, start, end, freqs, width, chosen, row, window_samples)
        db[cones[:, first:stop]] = np.nan
    return db


def _edge_cones(
    samples: int,
    sr: int,
    start: float,
    end: float,
    freqs: np.ndarray,
    width: int,
    method: str,
    row: Wavelet,
    window: int | None,
) -> np.ndarray:
    """Which pixels of ``render``'s image lie in an edge cone (its arguments, checked, with
    ``method`` resolved, the CWT's wavelet ``row`` and the STFT's own ``window`` or None):
    where the row's analysis runs past
    the start or end of the audio (``samples`` long) by more than
    ``EDGE_CONE_SIGMAS`` of its time sigmas, into the silence ``render`` pads with.

    The time sigma of a CWT row at f Hz is that of a Gaussian of the wavelet's half-power
    bandwidth (exact for Soma's Morlet); of an STFT row, its window's
    (``workers.stft.row_windows``). So the cones are as wide as the picture's time
    resolution: a fraction of a second at 20 Hz, a millisecond or less at high frequencies.

    Returns
    -------
    np.ndarray, bool, shape (height, width), row 0 = fmin; True in a cone (and everywhere
    outside the audio)
    """
    if method == "cwt":
        sigma = HPBW_PER_SIGMA / (2.0 * math.pi * row.hpbw * freqs)
    else:
        windows = (
            stft.row_windows(sr, (end - start) / width, width, freqs, 1.0 / row.hpbw)
            if window is None
            else np.full(freqs.size, window)
        )
        sigma = windows / (2.0 * GAUSS_CUT) / sr
    reach = (EDGE_CONE_SIGMAS * sigma)[:, None]
    centres = start + (np.arange(width) + 0.5) * ((end - start) / width)
    return (centres < reach) | (centres > samples / sr - reach)


def clear_caches() -> None:
    """Forget the cached forward FFTs, wavelet bands and STFT tables (benchmarks measure cold
    requests with it; a worker under memory pressure may call it too)."""
    cwt.clear_caches()
    stft.clear_caches()


def _sample_rate(sr) -> int:
    return whole("sr", sr, SpectrumError, 1, MAX_SAMPLE_RATE)


def _window_samples(window, sr: int) -> int:
    seconds = _finite("window", window)
    n = round(seconds * sr)
    if not stft.MIN_WINDOW <= n <= stft.MAX_WINDOW:
        raise SpectrumError(
            f"window must be {stft.MIN_WINDOW} to {stft.MAX_WINDOW} samples "
            f"({stft.MIN_WINDOW / sr:.3g} to {stft.MAX_WINDOW / sr:.4g} s), got {seconds:g} s"
        )
    return n


def _hop_samples(hop, sr: int) -> float:
    seconds = _finite("hop", hop)
    if not 1.0 <= seconds * sr <= stft.MAX_WINDOW:
        raise SpectrumError(
            f"hop must be 1 to {stft.MAX_WINDOW} samples "
            f"({1 / sr:.3g} to {stft.MAX_WINDOW / sr:.4g} s), got {seconds:g} s"
        )
    return seconds * sr


def _pixels(name: str, value) -> int:
    return whole(name, value, SpectrumError, 1, MAX_PIXELS)


def _columns(columns, width: int, method: str) -> tuple[int, int]:
    if columns is None:
        return 0, width
    if method != "stft":
        raise SpectrumError("columns: only the STFT computes part of an image")
    if not (isinstance(columns, tuple | list) and len(columns) == 2):
        raise SpectrumError(f"columns must be (first, stop), got {columns!r}")
    first, stop = (whole("columns", value, SpectrumError, 0, width) for value in columns)
    if first >= stop:
        raise SpectrumError(f"columns: first ({first}) must be below stop ({stop})")
    return first, stop


def _finite(name: str, value) -> float:
    return finite(name, value, SpectrumError)


def _fmin(fmin) -> float:
    fmin = _finite("fmin", fmin)
    if fmin <= 0:
        raise SpectrumError(f"fmin must be above 0 Hz, got {fmin:g}")
    return fmin


def _scale(scale) -> str:
    if scale not in SCALES:
        raise SpectrumError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")
    return scale


def _frequency_range(fmin, fmax) -> tuple[float, float]:
    fmin, fmax = _fmin(fmin), _finite("fmax", fmax)
    if fmin >= fmax:
        raise SpectrumError(f"fmin ({fmin:g} Hz) must be below fmax ({fmax:g} Hz)")
    return fmin, fmax


def _span(start, end) -> tuple[float, float]:
    start, end = _finite("start", start), _finite("end", end)
    if max(abs(start), abs(end)) > MAX_SECONDS:
        raise SpectrumError(
            f"start and end must lie within +-{MAX_SECONDS:g} s, got {start:g} and {end:g}"
        )
    if end <= start:
        raise SpectrumError(f"end ({end:g} s) must be after start ({start:g} s)")
    return start, end

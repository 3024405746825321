"""Snapping: the ridge of one partial, tracked around a guide the user drew.

``snap_trace`` turns a rough stroke over a spectrogram into (time, frequency, amplitude)
points on the real spectral ridge:

1. The stroke is resampled to the output hop (linear in cents) and lightly smoothed
   (``GUIDE_SMOOTHING``): the smoothed guide centres the search band and sets the expected
   slope.
2. Fine rows (``row_cents``: about 16 per half-power bandwidth, at most 10 cents apart) on a
   fixed log grid. At each step the *band* is the rows within +-tolerance of the guide, and the
   *context* is the band plus ``CONTEXT_HPBW`` half-power bandwidths on each side (for the noise
   floor). Coefficients are the display CWT's analytic Morlet (``workers.cwt.morlet_response``,
   L1-normalised) and their time derivative, computed only at the hop times: per chunk of steps,
   one real FFT of the chunk plus a margin, then per row only the wavelet's band, shifted to
   baseband, in one batched short inverse FFT; cubic interpolation to the hop times.
3. Viterbi over the band rows: cost = -ln power + ``MU`` * (distance from the guide, cents)**2
   + lambda * (jump - the guide's jump, cents)**2, with lambda = ``LAMBDA`` * (REF_HOP / hop)**2
   so the smoothness asked of the ridge per second does not depend on the hop.
4. Refinement: from the chosen row, climb to the local power maximum (at most half a bandwidth),
   then frequency = the instantaneous frequency of the analytic coefficient (its phase
   derivative), corrected for the wavelet's smoothing of frequency modulation (see
   ``_fm_correction``), and amplitude = |W| / the wavelet's gain at that frequency (times the
   small loss a sweeping partial suffers, ``_chirp_smear``), so a sine of peak amplitude A reads
   20*log10(A) dBFS. Steps are also computed a few wavelet lengths beyond both ends of the
   guide (where there is audio) so that the first and last points get the same treatment.
5. Flags, "flagged, not invented": a point keeps its frequency and amplitude only if its ridge
   stands out from the noise, by either of two measures, *and* looks like one partial:

   - above the noise floor: its power is at least 12 dB (``NOISE_MARGIN``) over the
     ``NOISE_PERCENTILE``-th percentile, across the context rows, of the power averaged over
     ``NOISE_WINDOW_SIGMAS`` time sigmas of the wavelet. A lone partial covers well under half
     the context, so that percentile is the noise. Or
   - steady: the median, over ``STEADY_WINDOW_SIGMAS`` time sigmas, of s * |d ln|W|/dt| (s the
     wavelet's time sigma) is at most ``UNSTEADY``. It is about 0 on a partial, 0.06 on one
     16 dB over the noise in its band, 0.23 on noise. This is what keeps crowded harmonics
     (the 8th of a tone at the default tolerance), whose neighbours fill the context so that
     the percentile above is the dip between partials, not the noise.
   - one partial: the curvature of log power across rows at the ridge, over a lone partial's
     (corrected for its sweep rate), is within [``SHAPE_MIN``, ``SHAPE_MAX``]; two partials
     unresolved inside one wavelet (a crossing) and noise scatter it (``_ridge_shape``).
   - inside the window: the chosen row is not at the band's edge with the power still rising
     beyond it (``_peak_inside_band``). Such a point is only the skirt of a ridge outside
     +-tolerance; a narrow tolerance must flag it, not invent a flat track at the edge.
   - and its level is at least ``ABSOLUTE_FLOOR_DB`` (digital silence).

   Runs of kept points shorter than ``MIN_RUN_SIGMAS`` time sigmas or ``MIN_RUN_STEPS`` steps
   are flagged too: noise that happened to look like a ridge. Over 20 s of white noise, at 5
   frequencies and 3 tolerances, 0.1 % of points were kept (up to 1 % without this rule).

The wavelet's quality factor q (centre frequency over half-power bandwidth) is, unless given,
chosen from the tolerance: the half-power bandwidth equals the tolerance (q = 16.8 at 100
cents), so that a neighbour outside the tolerance is resolved and the band holds the ridge's
whole main lobe; but the wavelet's time sigma stays at most ``MAX_TIME_SIGMA`` (9 ms) at the
guide's lowest frequency, or a voice's f0 near 100 Hz, moving a semitone in tens of ms, is
smeared into a ridge that fails the shape test (``auto_q``). The 5th harmonic of a tone
(neighbours at +316 and -386 cents) is then well separated; the 10th (+-170 cents) reads within
4 cents at the default 100 cents and within 0.5 cent at 70 cents (q = 24).

Pure numpy/scipy: no GUI code, nothing from ``app``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft
from scipy.ndimage import gaussian_filter1d, uniform_filter1d

from app.base.errors import SomaError
from app.base.formats import MAX_SAMPLE_RATE
from workers.checks import finite, mono_samples, whole
from workers.cwt import (
    GAUSS_CUT,
    HPBW_PER_SIGMA,
    Q_MAX,
    Q_MIN,
    _segment,
    margin_samples,
    morlet,
    morlet_response,
)
from workers.medians import running_median

__all__ = ["SnapError", "auto_q", "hpbw_cents", "row_cents", "snap_trace"]

MAX_TOLERANCE = 1200.0  # cents
# A voice's pitch moves by a semitone in tens of ms and a syllable lasts a few of them: a
# longer wavelet (at the default tolerance, f0 at 100 Hz would get 44 ms) smears the ridge
# past recognition. 9 ms is about the 40 ms Hann window of speech pitch trackers.
MAX_TIME_SIGMA = 0.009  # s
MAX_STEPS = 200_000  # output points of one trace (16 min at the default hop; ~250 MB)
REF_HOP = 0.005  # s, the hop LAMBDA is stated for
LAMBDA = 1e-2  # nats per cent**2 of jump away from the guide's slope, per REF_HOP step
MU = 2e-5  # nats per cent**2 of distance from the guide: 100 cents cost 0.2 nats
GUIDE_SMOOTHING = 0.02  # s, Gaussian sigma applied to the resampled stroke (hand jitter)
ROWS_PER_HPBW = 16.0
MAX_ROW_CENTS = 10.0
CONTEXT_HPBW = 2.0  # a lone partial's response is -48 dB there
CLIMB_HPBW = 0.5  # the refinement may move this far from the Viterbi row
NOISE_PERCENTILE = 20.0
NOISE_WINDOW_SIGMAS = 16.0  # about 6 independent noise samples in the floor's average
NOISE_MARGIN = 10.0 ** (12.0 / 10.0)  # the ridge's power over the noise floor: 12 dB
UNSTEADY = 0.06  # median of s |d ln|W| / dt| on a partial 16 dB over the noise; 0.23 on noise
STEADY_WINDOW_SIGMAS = 8.0  # ... taken over this many time sigmas
MIN_RUN_SIGMAS = 4.0  # shorter runs of kept points are noise that looked like a ridge,
MIN_RUN_STEPS = 3  # and so are runs of fewer steps
ABSOLUTE_FLOOR_DB = -120.0
SHAPE_MIN, SHAPE_MAX = 0.7, 1.4  # a partial's ridge across rows has the wavelet's shape
LEAD_SIGMAS = 4.0  # steps computed beyond each end, in time sigmas of the lowest row
FM_FULL = 1.0  # 2 pi r s up to which frequency modulation is restored in full (gain 1.65)
FM_NONE = 1.4  # and from which it is left alone
CHUNK_SECONDS = 0.5  # steps per forward FFT: bounds memory and keeps the row union narrow
OVERSAMPLE = 3.0  # short-array points per band bin: cubic interpolation stays below 1e-4
MAX_REPORTS = 40
_TINY = 1e-30  # power floor inside the logarithm (digital silence)


class SnapError(SomaError, ValueError):
    """Invalid arguments to ``snap_trace``; str() is one clear line."""


def auto_q(tolerance_cents: float, lowest_hz: float) -> float:
    """The wavelet quality factor used when ``snap_trace`` is given ``q=None``.

    The half-power bandwidth equals the tolerance, q = 1 / (2**(tolerance/1200) - 1) (100 cents
    gives 16.8, 50 cents 34.1, 200 cents 8.4), unless that makes the wavelet's time sigma at
    ``lowest_hz`` (the guide's lowest frequency, Hz) longer than ``MAX_TIME_SIGMA``: then q is
    the one with that sigma. Clipped to [Q_MIN, Q_MAX] of ``workers.cwt``.
    """
    by_tolerance = 1.0 / math.expm1(tolerance_cents / 1200.0 * math.log(2.0))
    by_time = MAX_TIME_SIGMA * 2.0 * math.pi * lowest_hz / HPBW_PER_SIGMA
    return float(np.clip(min(by_tolerance, by_time), Q_MIN, Q_MAX))


def hpbw_cents(q: float) -> float:
    """The wavelet's half-power bandwidth, f / q, as an interval in cents above f."""
    return 1200.0 * math.log2(1.0 + 1.0 / q)


def row_cents(q: float) -> float:
    """Spacing of the analysed rows in cents: ``ROWS_PER_HPBW`` rows per half-power bandwidth,
    at most ``MAX_ROW_CENTS``."""
    return min(MAX_ROW_CENTS, hpbw_cents(q) / ROWS_PER_HPBW)


def snap_trace(
    audio: np.ndarray,
    sr: int,
    guide,
    *,
    hop: float = 0.005,
    tolerance_cents: float = 100.0,
    q: float | None = None,
    report=None,
) -> np.ndarray:
    """Snap a drawn guide onto the spectral ridge of the partial under it.

    Parameters
    ----------
    audio : np.ndarray, 1-D, float32 (float64 is converted), mono samples
    sr : int > 0, sample rate in Hz
    guide : array-like, shape (m, 2), m >= 2, rows [time s, frequency Hz]
        The stroke. Sorted by time; of points with equal times the last one given is kept.
        Frequencies in (0, sr/2). It is cut to the audio's span [0, len(audio)/sr]; a guide
        entirely outside it is an error.
    hop : float > 0, seconds between output points
    tolerance_cents : float in (0, 1200]
        How far from the guide the ridge may be (the search band is +-tolerance around it).
    q : float in [Q_MIN, Q_MAX] of ``workers.cwt``, or None
        The Morlet's centre frequency over half-power bandwidth; None is
        ``auto_q(tolerance, lowest guide frequency)``.
    report : callable(done: int, total: int) or None
        Progress, called at most about ``MAX_REPORTS`` times.

    Returns
    -------
    np.ndarray, float64, shape (n, 3), rows [time s, frequency Hz, amplitude dBFS]
        t_k = t0 + k*hop for k = 0..n-1, n = floor((t1 - t0)/hop) + 1, [t0, t1] the guide's time
        span within the audio. A sine of peak amplitude A on the ridge reads 20*log10(A).
        Frequency and amplitude are NaN where the ridge is below the noise (see the module
        docstring); the time is kept.

    Raises
    ------
    SnapError
        For any invalid argument, before any work is done.
    """
    samples = mono_samples(audio, SnapError)
    sr = _sample_rate(sr)
    hop = _positive("hop", hop)
    tolerance = _positive("tolerance_cents", tolerance_cents)
    if tolerance > MAX_TOLERANCE:
        raise SnapError(f"tolerance_cents must be at most {MAX_TOLERANCE:g}, got {tolerance:g}")
    if q is not None:
        q = _finite("q", q)
        if not Q_MIN <= q <= Q_MAX:
            raise SnapError(f"q must be between {Q_MIN:g} and {Q_MAX:g}, got {q:g}")
    times, freqs = _guide(guide, sr, samples.size / sr)
    if q is None:
        q = auto_q(tolerance, float(freqs.min()))
    n = math.floor((times[-1] - times[0]) / hop * (1.0 + 1e-12)) + 1
    if n > MAX_STEPS:
        raise SnapError(
            f"hop {hop:g} s gives {n} points over {times[-1] - times[0]:g} s; "
            f"at most {MAX_STEPS} are allowed"
        )
    # Lead-in and lead-out steps, where there is audio, so that the frequency-modulation
    # correction and the noise floor's average have real data around the first and last
    # points; they are dropped at the end.
    reach = LEAD_SIGMAS * HPBW_PER_SIGMA * q / (2.0 * np.pi * float(freqs.min()))
    lead = min(math.ceil(reach / hop), math.floor(times[0] / hop))
    tail = min(math.ceil(reach / hop), math.floor((samples.size / sr - times[-1]) / hop))
    steps = times[0] + hop * np.arange(-lead, n + tail)
    total = steps.size
    per_chunk = max(1, math.floor(CHUNK_SECONDS / hop))
    progress = _Progress(report, -(-total // per_chunk) + 1)

    # The guide in cents from its own geometric mean, resampled and smoothed (flat beyond its
    # ends).
    ref = float(np.exp(np.mean(np.log(freqs))))
    centre = _smooth(np.interp(steps, times, 1200.0 * np.log2(freqs / ref)), GUIDE_SMOOTHING / hop)

    step_c = row_cents(q)
    half_band = math.ceil(tolerance / step_c)
    extra = math.ceil(CONTEXT_HPBW * hpbw_cents(q) / step_c)
    width = 2 * (half_band + extra) + 1  # context rows per step
    band = slice(extra, extra + 2 * half_band + 1)
    base = np.rint(centre / step_c).astype(np.int64) - half_band - extra  # first context row
    power, z, dz = _coefficients(
        samples, sr, steps, base, width, band, step_c, ref, q, per_chunk, progress
    )

    rows = base[:, None] + np.arange(width)[band]
    node = -np.log(power[:, band] + _TINY) + MU * (rows * step_c - centre[:, None]) ** 2
    lam = LAMBDA * (REF_HOP / hop) ** 2
    path = _viterbi(node, np.diff(base), np.diff(centre) / step_c, lam * step_c**2)
    path = _climb(power[:, band], path, max(1, round(CLIMB_HPBW * hpbw_cents(q) / step_c)))
    progress.step()

    k = np.arange(total)
    zk, dzk = z[k, path].astype(np.complex128), dz[k, path].astype(np.complex128)
    fr = ref * 2.0 ** (rows[k, path] * step_c / 1200.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        seen = fr + np.imag(dzk / zk) / (2.0 * np.pi)  # what the wavelet sees
        smear = _chirp_smear(seen, fr, q, hop)
        level = 20.0 * np.log10(np.abs(zk) / (morlet_response(seen, fr, q) / 2.0) * smear**0.25)
    context_path = path + extra
    sigma_t = HPBW_PER_SIGMA * q / (2.0 * np.pi * fr)
    missing = ref * 2.0 ** ((base[:, None] + np.arange(width)) * step_c / 1200.0) >= sr / 2.0
    above = power[k, context_path] >= _noise_floor(power, missing, fr, q, hop) * NOISE_MARGIN
    with np.errstate(divide="ignore", invalid="ignore"):
        steady = _window_median(sigma_t * np.abs(np.real(dzk / zk)), sigma_t, hop) <= UNSTEADY
    shape = _ridge_shape(power, context_path, smear, q, step_c)
    keep = (
        (above | steady)
        & _peak_inside_band(power, context_path, band)
        & (level >= ABSOLUTE_FLOOR_DB)
        & (shape >= SHAPE_MIN)
        & (shape <= SHAPE_MAX)
        & np.isfinite(seen)
        & np.isfinite(level)
    )
    # A trace shorter than the rule asks is judged on its points alone.
    shortest = np.minimum(np.maximum(MIN_RUN_SIGMAS * sigma_t, MIN_RUN_STEPS * hop), n * hop)
    keep = _drop_short_runs(keep, shortest, hop)
    inst = _fm_correction(seen, keep, fr, q, hop)

    mine = slice(lead, lead + n)
    out = np.empty((n, 3))
    out[:, 0] = steps[mine]
    out[:, 1] = np.where(keep, inst, np.nan)[mine]
    out[:, 2] = np.where(keep, level, np.nan)[mine]
    progress.done()
    return out


# --- computation -----------------------------------------------------------------------------


def _coefficients(samples, sr, steps, base, width, band, step_c, ref, q, per_chunk, progress):
    """Power on each step's context rows; coefficient and its time derivative on its band rows.

    Row r (absolute, on the grid) is ref * 2**(r * step_c / 1200) Hz; step k's context is rows
    base[k] .. base[k] + width - 1, its band the slice ``band`` of them. Returns power
    float32 (n, width), |W|**2 in full-scale-sine units, and W and dW/dt (per second),
    complex64 (n, band rows), with W at baseband of its row (it turns at the coefficient's
    frequency minus the row's, which |W| and Im(dW/dt / W) + row frequency ignore). Rows at or
    above Nyquist read 0. Steps are done ``per_chunk`` at a time, each chunk with its own
    forward FFT.
    """
    n = steps.size
    columns = band.stop - band.start
    power = np.zeros((n, width), dtype=np.float32)
    z = np.zeros((n, columns), dtype=np.complex64)
    dz = np.zeros((n, columns), dtype=np.complex64)
    for k0 in range(0, n, per_chunk):
        k1 = min(n, k0 + per_chunk)
        lo = int(base[k0:k1].min())
        rows = np.arange(lo, int(base[k0:k1].max()) + width)
        freqs = ref * 2.0 ** (rows * step_c / 1200.0)
        ok = freqs < sr / 2.0
        zc, dzc = _chunk(samples, sr, steps[k0:k1], freqs[ok], q)
        # Gather each step's rows out of the chunk's row union.
        full_z = np.zeros((rows.size, k1 - k0), dtype=np.complex128)
        full_dz = np.zeros_like(full_z)
        # Non-finite samples (a damaged file) make the whole chunk unreadable: it reads as
        # silence, so its points are flagged and the path is not poisoned by NaN costs.
        if not (np.isfinite(zc).all() and np.isfinite(dzc).all()):
            zc, dzc = np.zeros_like(zc), np.zeros_like(dzc)
        full_z[ok], full_dz[ok] = zc, dzc
        idx = base[k0:k1, None] - lo + np.arange(width)
        cols = np.arange(k1 - k0)[:, None]
        context = full_z[idx, cols]
        power[k0:k1] = np.square(context.real) + np.square(context.imag)
        z[k0:k1] = context[:, band]
        dz[k0:k1] = full_dz[idx[:, band], cols]
        progress.step()
    return power, z, dz


def _chunk(samples, sr, times, freqs, q):
    """Baseband W and dW/dt at ``times`` (s) for rows ``freqs`` (Hz): two (rows, times)
    complex arrays."""
    if freqs.size == 0:
        return (np.zeros((0, times.size), dtype=np.complex128),) * 2
    margin = margin_samples(sr, float(freqs[0]), morlet(q))
    s0 = math.floor(times[0] * sr) - margin
    size = sfft.next_fast_len(
        math.ceil(times[-1] * sr) - math.floor(times[0] * sr) + 2 * margin + 2, real=True
    )
    spectrum = sfft.rfft(_segment(samples, s0, size), workers=2)
    half = GAUSS_CUT * freqs / (HPBW_PER_SIGMA * q) * size / sr
    centre = freqs * size / sr
    first = np.maximum(0, np.ceil(centre - half)).astype(np.int64)
    last = np.minimum(size // 2, np.floor(centre + half)).astype(np.int64)
    span = int((last - first).max()) + 1
    length = sfft.next_fast_len(max(8, math.ceil(OVERSAMPLE * span)))
    offsets = np.arange(span)
    bins = first[:, None] + offsets
    valid = bins <= last[:, None]
    bins = np.minimum(bins, size // 2)
    weights = np.where(valid, morlet_response(bins * (sr / size), freqs[:, None], q), 0.0)
    # Band centred on 0 Hz of the short array: its points then vary as slowly as possible,
    # which is what makes cubic interpolation between them accurate.
    shift = span // 2
    band = np.zeros((freqs.size, length), dtype=np.complex128)
    slot = (offsets - shift) % length
    band[:, slot] = spectrum[bins] * weights / size
    signed = np.fft.fftfreq(length, 1.0 / length)  # short-array bin offsets from the centre
    deriv = band * (2j * np.pi * (sr / size) * signed)
    short = sfft.ifft(np.concatenate((band, deriv)), axis=1, norm="forward", workers=2)
    # Cubic Lagrange interpolation at the hop times (in short-array points).
    u = (times * sr - s0) * (length / size)
    left = np.floor(u).astype(np.int64)
    f = (u - left)[:, None]
    taps = left[:, None] + np.arange(-1, 3)
    w = np.hstack(
        (
            -f * (f - 1) * (f - 2) / 6,
            (f + 1) * (f - 1) * (f - 2) / 2,
            -(f + 1) * f * (f - 2) / 2,
            (f + 1) * f * (f - 1) / 6,
        )
    )
    values = np.einsum("rkj,kj->rk", short[:, taps], w)
    # Back from the band's own baseband (centre bin first + shift) to each row's frequency:
    # W_row(t) = W_base(t) * exp(i 2 pi (first + shift - row bin) t); only the derivative and
    # the reference frequency change, so fold the shift into dW/dt.
    rows = freqs.size
    zb, dzb = values[:rows], values[rows:]
    offset_hz = (first + shift) * (sr / size) - freqs
    dz = dzb + 2j * np.pi * offset_hz[:, None] * zb
    return zb, dz


def _viterbi(
    node: np.ndarray, base_step: np.ndarray, guide_step: np.ndarray, lam_rows: float
) -> np.ndarray:
    """Cheapest path through ``node`` (n, J) costs, one state per step.

    Moving from state i at step k-1 to state j at step k jumps
    base_step[k-1] + j - i rows; its cost is lam_rows * (jump - guide_step[k-1])**2.
    Returns (n,) int64 states.
    """
    n, states = node.shape
    back = np.empty((n, states), dtype=np.int32)
    cost = node[0].copy()
    delta = np.arange(states)[:, None] - np.arange(states)[None, :]  # j - i
    cols = np.arange(states)
    for k in range(1, n):
        jump = delta + (base_step[k - 1] - guide_step[k - 1])
        total = cost[None, :] + lam_rows * jump * jump
        back[k] = np.argmin(total, axis=1)
        cost = total[cols, back[k]] + node[k]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmin(cost))
    for k in range(n - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    return path


def _climb(power: np.ndarray, path: np.ndarray, reach: int) -> np.ndarray:
    """Move each point to the largest power within +-reach rows of it (the Viterbi penalties
    may leave it a little off the peak; the refinement wants the peak row)."""
    n, width = power.shape
    window = path[:, None] + np.arange(-reach, reach + 1)
    window = np.clip(window, 0, width - 1)
    best = np.argmax(power[np.arange(n)[:, None], window], axis=1)
    return window[np.arange(n), best]


def _peak_inside_band(power: np.ndarray, context_path: np.ndarray, band: slice) -> np.ndarray:
    """(n,) bool: False where the chosen row is the band's first or last and the power still
    rises into the context row beyond it.

    There the ridge lies outside the tolerance window: the band's edge row holds only its
    skirt, which would read as a partial at the edge, off the real ridge and below its level.
    ``power`` is (n, context rows), ``context_path`` the chosen rows in context indices.
    """
    k = np.arange(power.shape[0])
    here = power[k, context_path]
    low = (context_path == band.start) & (power[k, band.start - 1] > here)
    high = (context_path == band.stop - 1) & (power[k, band.stop] > here)
    return ~(low | high)


def _chirp_smear(inst: np.ndarray, fr: np.ndarray, q: float, hop: float) -> np.ndarray:
    """1 + (2 pi c s**2)**2 per point: how much a sweep at c Hz/s (measured on the track)
    widens a partial's ridge across frequency, in variance, for a wavelet of time sigma s.
    The ridge's peak |W| is lower by its 4th root (a Gaussian window over a linear chirp)."""
    good = np.isfinite(inst)
    if inst.size < 2 or good.sum() < 2:
        return np.ones(inst.size)
    k = np.arange(inst.size)
    rate = np.gradient(np.interp(k, np.flatnonzero(good), inst[good]), hop)
    sigma_t = HPBW_PER_SIGMA * q / (2.0 * np.pi * fr)
    return 1.0 + (2.0 * np.pi * rate * sigma_t**2) ** 2


def _ridge_shape(
    power: np.ndarray, path: np.ndarray, smear: np.ndarray, q: float, step_c: float
) -> np.ndarray:
    """Curvature of log power across rows at each path row, over that of a lone partial.

    A lone partial's power across rows is the wavelet's Gaussian, whose log has a known
    curvature, -2 (HPBW_PER_SIGMA q ln2 step/1200)**2 per row**2, divided by ``smear`` when it
    sweeps. About 1 on a partial (0.85..1.02 measured with vibrato and noise at 20 dB); two
    partials beating inside one wavelet, or noise, scatter it far from 1.
    """
    n, width = power.shape
    k = np.arange(n)
    inner = np.clip(path, 1, width - 2)
    lo, mid, hi = (np.log(power[k, inner + d] + _TINY) for d in (-1, 0, 1))
    expected = -2.0 * (HPBW_PER_SIGMA * q * math.log(2.0) * step_c / 1200.0) ** 2
    return (lo - 2.0 * mid + hi) / expected * smear


def _fm_correction(
    inst: np.ndarray, keep: np.ndarray, fr: np.ndarray, q: float, hop: float
) -> np.ndarray:
    """Undo the wavelet's smoothing of frequency modulation.

    The phase derivative of W is about the instantaneous frequency averaged under the
    wavelet's envelope, a Gaussian of time sigma s: modulation at rate r reads
    A(r) = exp(-(2 pi r s)**2 / 2) of its depth (0.74 for 6 Hz vibrato at 220 Hz, q = 16.8).
    So the track is divided by A(r) in the rate domain, up to x = 2 pi r s = FM_FULL; the
    gain then tapers back to 1 at FM_NONE. Faster wobble is not modulation a wavelet can
    resolve: it is two partials beating inside one wavelet (a crossing) or noise, and
    boosting it would only make it worse. s is taken at the track's median frequency; points
    not kept are bridged linearly (held beyond the ends) so they do not spread into the rest.
    """
    if keep.sum() < 3:
        return inst
    s = HPBW_PER_SIGMA * q / (2.0 * np.pi * float(np.median(fr[keep])))
    filled = np.interp(np.arange(inst.size), np.flatnonzero(keep), inst[keep])
    # Less the straight line through its ends, the track is a periodic signal without a jump
    # at the wrap; the line itself has no curvature, so no correction.
    pad = min(inst.size - 1, math.ceil(4.0 * s / hop) + 1)
    padded = np.pad(filled, pad, mode="reflect", reflect_type="odd")
    padded -= np.linspace(padded[0], padded[-1], padded.size)
    size = sfft.next_fast_len(padded.size, real=True)
    x = 2.0 * np.pi * s * np.fft.rfftfreq(size, hop)
    full = np.exp(0.5 * np.minimum(x, FM_FULL) ** 2)
    taper = np.clip((FM_NONE - x) / (FM_NONE - FM_FULL), 0.0, 1.0)
    gain = 1.0 + (full - 1.0) * taper
    boost = sfft.irfft(sfft.rfft(padded, size) * (gain - 1.0), size)[pad : pad + inst.size]
    return inst + boost


def _window_median(values: np.ndarray, sigma_t: np.ndarray, hop: float) -> np.ndarray:
    """Running median over STEADY_WINDOW_SIGMAS time sigmas (at least 5 steps); non-finite
    values count as unsteady."""
    size = max(5, round(STEADY_WINDOW_SIGMAS * float(np.median(sigma_t)) / hop)) | 1
    values = np.where(np.isfinite(values), values, np.inf)
    return running_median(values, min(size, 2 * values.size - 1) | 1)


def _drop_short_runs(keep: np.ndarray, shortest: np.ndarray, hop: float) -> np.ndarray:
    """``keep`` without its runs of True lasting less than ``shortest`` (s, per point; a run
    is judged by its median)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    out = keep.copy()
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if (stop - start) * hop < float(np.median(shortest[start:stop])) * (1 - 1e-9):
            out[start:stop] = False
    return out


def _noise_floor(
    power: np.ndarray, missing: np.ndarray, fr: np.ndarray, q: float, hop: float
) -> np.ndarray:
    """Per step: the NOISE_PERCENTILE-th percentile over the context rows of the power
    averaged over NOISE_WINDOW_SIGMAS time sigmas of the wavelet (at least 5 steps). Rows
    that do not exist (``missing``: at or above Nyquist) count as infinitely loud, so that
    near Nyquist the floor errs high and the steadiness test decides."""
    sigma_t = HPBW_PER_SIGMA * q / (2.0 * np.pi * float(np.median(fr)))
    size = max(5, round(NOISE_WINDOW_SIGMAS * sigma_t / hop))
    smooth = uniform_filter1d(power, size=min(size, 2 * power.shape[0] + 1), axis=0, mode="nearest")
    smooth[missing] = np.inf
    return np.percentile(smooth, NOISE_PERCENTILE, axis=1)


def _smooth(cents: np.ndarray, sigma_steps: float) -> np.ndarray:
    """Gaussian smoothing that keeps straight lines straight up to the ends (odd
    reflection: a glide's slope is not flattened at its first and last points)."""
    if cents.size < 3 or sigma_steps < 0.5:
        return cents
    pad = min(cents.size - 1, math.ceil(4 * sigma_steps))
    padded = np.pad(cents, pad, mode="reflect", reflect_type="odd")
    return gaussian_filter1d(padded, sigma_steps, mode="nearest")[pad:-pad]


class _Progress:
    """Forwards progress to ``report`` (chunks of coefficients, then the path), at most about
    MAX_REPORTS times."""

    def __init__(self, report, total: int):
        self._report = report
        self.total = total
        self.count = 0
        self._last = -1

    def step(self) -> None:
        self.count += 1
        self._send()

    def done(self) -> None:
        self.count = self.total
        self._send(force=True)

    def _send(self, force: bool = False) -> None:
        if self._report is None:
            return
        bucket = self.count * MAX_REPORTS // self.total
        if force or bucket != self._last:
            self._last = bucket
            self._report(self.count, self.total)


# --- validation ------------------------------------------------------------------------------


def _sample_rate(sr) -> int:
    return whole("sr", sr, SnapError, 1, MAX_SAMPLE_RATE)


def _finite(name: str, value) -> float:
    return finite(name, value, SnapError)


def _positive(name: str, value) -> float:
    value = _finite(name, value)
    if value <= 0:
        raise SnapError(f"{name} must be above 0, got {value:g}")
    return value


def _guide(guide, sr: int, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, de-duplicated guide times and frequencies, cut to [0, duration]."""
    try:
        points = np.asarray(guide, dtype=np.float64)
    except (TypeError, ValueError):
        raise SnapError("guide must be a list of [time, frequency] pairs of numbers") from None
    if points.size == 0 or points.shape == (2,):
        raise SnapError("a trace needs at least two points")
    if points.ndim != 2 or points.shape[1] != 2:
        raise SnapError(
            f"guide must have shape (points, 2) of [time s, frequency Hz], got {points.shape}"
        )
    if not np.isfinite(points).all():
        raise SnapError("guide times and frequencies must be finite numbers")
    t, f = points[:, 0], points[:, 1]
    if (f <= 0).any():
        raise SnapError(f"guide frequencies must be above 0 Hz, got {f.min():g}")
    if (f >= sr / 2).any():
        raise SnapError(
            f"guide frequency {f.max():g} Hz is not below the Nyquist frequency ({sr / 2:g} Hz)"
        )
    order = np.argsort(t, kind="stable")
    t, f = t[order], f[order]
    last = np.append(t[1:] != t[:-1], True)  # the last of each run of equal times
    t, f = t[last], f[last]
    if t.size < 2:
        raise SnapError("a trace needs at least two points at different times")
    start, end = max(t[0], 0.0), min(t[-1], duration)
    if end <= start:
        raise SnapError(
            f"the guide ({t[0]:g} to {t[-1]:g} s) lies outside the audio (0 to {duration:g} s)"
        )
    if start > t[0] or end < t[-1]:
        inside = (t > start) & (t < end)
        cents = np.log2(f)
        ends = np.interp([start, end], t, cents)
        t = np.concatenate(([start], t[inside], [end]))
        f = np.concatenate(([2.0 ** ends[0]], f[inside], [2.0 ** ends[1]]))
    return t, f

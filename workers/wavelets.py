"""The wavelets Soma's CWT computes with: its own Morlet, or one of PyWavelets' complex ones.

``row_wavelet(name, q, error)`` turns a wavelet name into the ``workers.cwt.Wavelet`` every
row uses. ``'morlet'`` (the default) is Soma's own, of quality factor q. Any other name is one
of PyWavelets' complex continuous wavelets (``pywt.wavelist(kind='continuous')``), parsed by
``pywt.ContinuousWavelet``, and Soma computes with its frequency response: the Fourier
transform of the wavelet as PyWavelets defines it, at scale 1 (t in periods of the centre
frequency C)::

    cmorB-C    psi(t) = exp(-t**2/B) exp(2j pi C t) / sqrt(pi B)
               Psi(f) = exp(-pi**2 B (f - C)**2)
    shanB-C    psi(t) = sqrt(B) sinc(B t) exp(2j pi C t)
               Psi(f) = rect((f - C) / B) / sqrt(B)
    fbspM-B-C  psi(t) = sqrt(B) sinc(B t / M)**M exp(2j pi C t)
               Psi(f) = the B-spline of degree M - 1 on C +- B/2 (a rect of width B/M
                        convolved with itself M - 1 times), times a constant
    cgauP      psi(t) = d**P/dt**P (exp(-1j t) exp(-t**2)), times a constant
               |Psi(f)| = |f|**P exp(-pi**2 (|f| - 1/(2 pi))**2) times a constant, peaking
                          at a negative f (Soma takes it mirrored to the positive side)

Each response is tabulated once per name (cached), cut where it falls below -60 dB, scaled to
peak at 2 as Soma's Morlet does (so a sine of amplitude A reads A on its ridge), and put on an
axis relative to its centre: C, or the peak for cgau. pywt.central_frequency is not that
centre: it reads the peak of an FFT of wavefun with a resolution of 1/(its time span), 0.1 for
cgau and 0.025 for shan, whose flat top it reads at its lower edge (0.275 for shan1.5-1.0).
Rows must be analytic, so real wavelets (morl, mexh, gausP) are refused, and so is a complex
one whose band reaches 0 Hz. cgauP is not analytic in PyWavelets: it also responds to the
mirror frequency, 17 dB (P = 1) to 39 dB (P = 8) below its peak, so pywt.cwt's magnitudes
ripple at twice the frequency around the level Soma reads, which keeps the dominant side only.
The time reach of a row (the view's margin) is the span PyWavelets' wavefun covers, or what a
Gaussian of the same bandwidth needs where that is longer. Wavelets narrower than Soma's
narrowest Morlet (q = Q_MAX) are refused, as that q is.

PyWavelets (and scipy.interpolate, for fbsp) is imported the first time a catalogue wavelet is
asked for: together about 0.3 s, which the default Morlet never pays.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from workers.checks import finite
from workers.cwt import (
    CUT_GAIN,
    DEFAULT_Q,
    Q_MAX,
    Q_MIN,
    Wavelet,
    gaussian_reach,
    morlet,
    points_per_bin,
)

DEFAULT_WAVELET = "morlet"
CATALOGUE = ("cmorB-C", "shanB-C", "fbspM-B-C", "cgauP")  # for messages: the complex families
TABLE_POINTS = 8193  # samples of a response across its band: linear interpolation is exact
# to 1e-6 of the peak on a Gaussian

_CHOICES = (
    f"{DEFAULT_WAVELET!r} (Soma's own) or one of PyWavelets' complex wavelets "
    f"{', '.join(CATALOGUE)} (for example 'cmor1.5-1.0')"
)


def row_wavelet(name, q, error: type[Exception]) -> Wavelet:
    """The ``Wavelet`` of every CWT row for a wavelet name.

    Parameters
    ----------
    name : str, ``DEFAULT_WAVELET`` or a PyWavelets complex continuous wavelet name
    q : float in [Q_MIN, Q_MAX] or None, Soma's Morlet's quality factor (None: DEFAULT_Q); it
        must be None for any other wavelet, whose bandwidth is in its name
    error : the exception class raised, with a one-line message, for a bad name or q

    Returns
    -------
    Wavelet (the same object for the same name and q, so caches keyed by it are shared)
    """
    if not isinstance(name, str):
        raise error(f"wavelet must be a name, got {name!r}")
    if name == DEFAULT_WAVELET:
        q = DEFAULT_Q if q is None else finite("q", q, error)
        if not Q_MIN <= q <= Q_MAX:
            raise error(f"q must be between {Q_MIN:g} and {Q_MAX:g}, got {q:g}")
        return morlet(q)
    if q is not None:
        raise error(
            f"q applies only to Soma's {DEFAULT_WAVELET}; {name}'s bandwidth is in its name"
        )
    wavelet = _catalogue_wavelet(name)
    if isinstance(wavelet, str):
        raise error(wavelet)
    return wavelet


@functools.lru_cache(maxsize=32)
def _catalogue_wavelet(name: str) -> Wavelet | str:
    """The ``Wavelet`` for a PyWavelets name, or why there is none (a one-line message)."""
    import pywt  # these two here, not at the top: see the module docstring
    from scipy.interpolate import BSpline

    family = name.rstrip("0123456789.-")
    if family not in pywt.families(short=True):
        return f"unknown wavelet {name!r}: the wavelet must be {_CHOICES}"
    if name == family and family in ("cmor", "shan", "fbsp"):  # pywt warns, then guesses
        return f"wavelet {name!r} needs its parameters: the wavelet must be {_CHOICES}"
    try:
        source = pywt.ContinuousWavelet(name)
    except ValueError as reason:  # a discrete family, or parameters that do not parse
        return f"wavelet {name!r}: {' '.join(str(reason).split())} The wavelet must be {_CHOICES}"
    if not source.complex_cwt:
        return (
            f"wavelet {name!r} is real, but CWT rows must be analytic: the wavelet must be "
            f"{_CHOICES}"
        )
    if family == "cgau":
        order = int(name[len(family) :])
        # The peak of f**P exp(-pi**2 (f - a)**2), where P/f = 2 pi**2 (f - a).
        a = 1.0 / (2.0 * math.pi)
        centre = (a + math.sqrt(a * a + 2.0 * order / math.pi**2)) / 2.0
        f = np.linspace(0.0, 2.0 * a + 4.0 * centre, 4 * TABLE_POINTS)
        response = f**order * np.exp(-(math.pi**2) * (f - a) ** 2)
    else:
        centre, width = source.center_frequency, source.bandwidth_frequency
        if not centre or not width:  # pywt reads a 0 as "not given"
            return f"wavelet {name!r}: its bandwidth B and centre frequency C must be above 0"
        if family == "cmor":
            half = math.sqrt(math.log(1.0 / CUT_GAIN) / width) / math.pi  # the -60 dB cut
            f = np.linspace(centre - half, centre + half, TABLE_POINTS)
            response = np.exp(-(math.pi**2) * width * (f - centre) ** 2)
        else:  # shan is fbsp of order 1
            order = source.fbsp_order if family == "fbsp" else 1
            f = np.linspace(centre - width / 2, centre + width / 2, TABLE_POINTS)
            knots = centre + width / order * (np.arange(order + 1) - order / 2)
            response = np.nan_to_num(BSpline.basis_element(knots, extrapolate=False)(f))
    response *= 2.0 / response.max()
    inside = np.flatnonzero(response >= 2.0 * CUT_GAIN)
    f, response = f[inside[0] : inside[-1] + 1], response[inside[0] : inside[-1] + 1]
    if f[0] <= 0.0:
        return (
            f"wavelet {name!r} reaches 0 Hz, so its rows would not be analytic: raise its "
            f"centre frequency or narrow its band"
        )
    d = f / centre - 1.0
    half_power = d[response >= 2.0 / math.sqrt(2.0)]
    hpbw = float(half_power[-1] - half_power[0])
    if hpbw < 1.0 / Q_MAX:  # as Soma's Morlet: more rows and margin than a view should cost
        return (
            f"wavelet {name!r} is narrower than Soma computes: its half-power bandwidth is "
            f"{100 * hpbw:.2g} % of its centre frequency, at least {100 / Q_MAX:g} % "
            f"is needed (as q <= {Q_MAX:g})"
        )
    power = response**2 / np.sum(response**2)
    rms_bandwidth = math.sqrt(np.sum(power * (d - np.sum(power * d)) ** 2))
    # pywt's wavefun span is fixed per family (cmor's is +-8 whatever B), too short for a
    # narrow wavelet: at least what a Gaussian of the same bandwidth needs.
    span = max(-source.lower_bound, source.upper_bound) * centre
    return Wavelet(
        name=name,
        band=(float(d[0]), float(d[-1])),
        hpbw=hpbw,
        reach=max(span, gaussian_reach(rms_bandwidth)),
        points_per_bin=points_per_bin(rms_bandwidth, float(d[-1] - d[0])),
        response=functools.partial(
            _interpolated, d.astype(np.float32), response.astype(np.float32)
        ),
    )


def _interpolated(d_table: np.ndarray, table: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The tabulated response at offsets ``d`` (float32 in, float32 out)."""
    return np.interp(d, d_table, table).astype(np.float32)

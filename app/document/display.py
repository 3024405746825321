"""How the spectrogram is computed and coloured: the display settings of a document.

They are kept per project (in its settings, beside the colour levels) and by dev mode, and
changed from the page's Display panel. Like the view and the levels they are not an edit:
they neither mark the document unsaved nor go into the undo history. One rule decides what
is valid (`display_problem`), for values from the page and from files alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.base.colormaps import colormap_names
from app.base.jsontext import finite_float, is_number
from workers.cwt import DEFAULT_Q, Q_MAX, Q_MIN
from workers.spectrum import DEFAULT_SCALE, METHODS, SCALES
from workers.stft import MAX_WINDOW, MIN_WINDOW

COLORMAPS = colormap_names()  # web/colormap.json's maps, the default first


@dataclass(frozen=True)
class Display:
    """The display settings.

    method : 'auto' (CWT up to 30 s, STFT above), 'stft' or 'cwt'
    window_ms, hop_ms : the STFT's window length and hop in ms, or None for Soma's choice
        (windows matched to the CWT's bandwidth per octave, frames as dense as they need)
    q : the CWT's quality factor (centre frequency over half-power bandwidth); the STFT's
        own windows follow it too
    colormap : one of COLORMAPS
    frequency_scale : one of workers.spectrum.SCALES, how the frequency axis is spaced:
        'log' (equal ratios equal heights) or 'linear' (equal Hz equal heights)
    """

    method: str = "auto"
    window_ms: float | None = None
    hop_ms: float | None = None
    q: float = DEFAULT_Q
    colormap: str = COLORMAPS[0]
    frequency_scale: str = DEFAULT_SCALE

    def computed_alike(self, other: Display) -> bool:
        """Whether images computed for `other` are what these settings compute (they differ
        at most in colours, which the page applies to the bytes it has)."""
        return (self.method, self.window_ms, self.hop_ms, self.q, self.frequency_scale) == (
            other.method,
            other.window_ms,
            other.hop_ms,
            other.q,
            other.frequency_scale,
        )

    def to_json(self) -> dict:
        return {
            "method": self.method,
            "windowMs": self.window_ms,
            "hopMs": self.hop_ms,
            "q": self.q,
            "colormap": self.colormap,
            "frequencyScale": self.frequency_scale,
        }


def display_problem(display: Display, sample_rate: int) -> str:
    """Why `display` cannot be used for a file at `sample_rate` Hz (one line), or ""."""
    if display.method not in METHODS:
        return f"the method must be one of {', '.join(METHODS)}, not {display.method!r}"
    if display.frequency_scale not in SCALES:
        return (
            f"the frequency axis must be one of {', '.join(SCALES)}, "
            f"not {display.frequency_scale!r}"
        )
    if display.colormap not in COLORMAPS:
        return f"the colour map must be one of {', '.join(COLORMAPS)}, not {display.colormap!r}"
    if not Q_MIN <= display.q <= Q_MAX:
        return f"the wavelet's Q must be between {Q_MIN:g} and {Q_MAX:g}, not {display.q:g}"
    shortest = 1000.0 * MIN_WINDOW / sample_rate
    longest = 1000.0 * MAX_WINDOW / sample_rate
    if display.window_ms is not None and not shortest <= display.window_ms <= longest:
        return (
            f"the STFT window must be between {shortest:.3g} and {longest:.4g} ms at "
            f"{sample_rate} Hz, not {display.window_ms:g} ms"
        )
    if display.hop_ms is not None and not 1000.0 / sample_rate <= display.hop_ms <= longest:
        return (
            f"the STFT hop must be between one sample ({1000.0 / sample_rate:.3g} ms) and "
            f"{longest:.4g} ms, not {display.hop_ms:g} ms"
        )
    return ""


def display_from_json(data) -> Display | None:
    """The Display a saved object ({"method", "windowMs", "hopMs", "q", "colormap",
    "frequencyScale"}, each optional: a project's or dev mode's) describes, or None when it
    is not an object or a field has the wrong type. Whether it suits the file is
    `display_problem`'s to say."""
    if not isinstance(data, dict):
        return None
    default = Display()

    def number(key: str, value):
        value = data.get(key, value)
        if value is None:
            return None
        if is_number(value) and finite_float(value) is not None:
            return finite_float(value)
        raise TypeError(key)

    try:
        window, hop, q = number("windowMs", None), number("hopMs", None), number("q", default.q)
    except TypeError:
        return None
    method, colormap = data.get("method", default.method), data.get("colormap", default.colormap)
    scale = data.get("frequencyScale", default.frequency_scale)
    if q is None or not all(isinstance(text, str) for text in (method, colormap, scale)):
        return None
    return Display(
        method=method, window_ms=window, hop_ms=hop, q=q, colormap=colormap, frequency_scale=scale
    )

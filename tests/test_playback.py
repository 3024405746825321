"""The /audio chunks the page plays: original, partials, both, solo and mute."""

import numpy as np
import pytest
from test_store import _audio

from app.compute.playback import AudioChunks
from app.document.partials import Partial, frozen_points
from app.document.state import Image, View
from app.document.store import DocumentStore


def _store():
    store = DocumentStore()
    audio = _audio("f", 2.0)  # silence, 1 kHz rate
    view = View(0.0, 2.0, 20.0, 500.0)
    image = Image(
        key="o",
        width=1,
        height=2,
        db_min=-100,
        db_max=0,
        view=view,
        method="stft",
        window_size=64,
        seconds=0,
    )
    t = np.linspace(0, 2, 41)
    partials = tuple(
        Partial(
            i,
            f"P{i}",
            "#ffffff",
            frozen_points(np.stack([t, np.full_like(t, f), np.full_like(t, -6.02)], axis=1)),
        )
        for i, f in ((1, 100.0), (2, 200.0))
    )
    store.update(lambda s: s.opened(audio, image).edited(partials, "x", next_partial_id=3))
    return store


def _chunk(chunks, **query):
    return np.frombuffer(chunks({k: str(v) for k, v in query.items()}), "<f4")


def test_modes_solo_and_mute():
    chunks = AudioChunks(_store())
    original = _chunk(chunks, start=0.5, seconds=0.5, mode="original")
    assert original.shape == (500,) and not original.any()  # the file is silent
    both = _chunk(chunks, start=0.5, seconds=0.5, mode="both")
    # two sines of peak 0.5 (rms 0.354 each) add to an rms of 0.5
    assert abs(np.sqrt(np.mean(both**2)) - 0.5) < 0.02
    solo = _chunk(chunks, start=0.5, seconds=0.5, mode="partials", solo="2")
    muted = _chunk(chunks, start=0.5, seconds=0.5, mode="partials", mute="1")
    np.testing.assert_allclose(solo, muted, atol=1e-6)
    assert abs(np.sqrt(np.mean(solo**2)) - 0.5 / np.sqrt(2)) < 0.01  # one sine of peak 0.5
    spectrum = np.abs(np.fft.rfft(solo))
    assert int(np.argmax(spectrum)) == 100  # 200 Hz at 2 Hz per bin
    # past the end: shorter, then empty
    assert _chunk(chunks, start=1.8, seconds=0.5).shape == (200,)
    assert _chunk(chunks, start=5.0, seconds=0.5).shape == (0,)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "x", "seconds": "1"}, "numbers"),
        ({"start": "nan", "seconds": "1"}, "start"),
        ({"start": "-1", "seconds": "1"}, "start"),
        ({"start": "0", "seconds": "60"}, "seconds"),
        ({"start": "0", "seconds": "1", "mode": "loud"}, "mode"),
        ({"start": "0", "seconds": "1", "solo": "a,b"}, "solo"),
    ],
)
def test_bad_queries_are_value_errors(query, message):
    with pytest.raises(ValueError, match=message):
        AudioChunks(_store())(query)


def test_nothing_open_is_a_lookup_error():
    with pytest.raises(LookupError):
        AudioChunks(DocumentStore())({"start": "0", "seconds": "1"})

"""Tests for app.files.audio: decoding every supported format and rejecting bad input."""

from __future__ import annotations

import json
import os
import struct
import threading

import numpy as np
import pytest
import soundfile as sf

from app.base.formats import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from app.document.audio_file import AudioFile
from app.files import audio
from app.files.audio import AudioError, load_audio, open_audio_stream

SR = 44_100

# (format, subtype, extension, lossy)
FORMATS = [
    ("WAV", "PCM_16", "wav", False),
    ("WAV", "PCM_24", "wav", False),
    ("WAV", "PCM_32", "wav", False),
    ("WAV", "FLOAT", "wav", False),
    ("WAV", "DOUBLE", "wav", False),
    ("FLAC", "PCM_16", "flac", False),
    ("FLAC", "PCM_24", "flac", False),
    ("AIFF", "PCM_16", "aiff", False),
    ("OGG", "VORBIS", "ogg", True),
    ("MP3", "MPEG_LAYER_III", "mp3", True),
]
FORMAT_IDS = [f"{f}-{s}" for f, s, _, _ in FORMATS]

# Quantisation step of each lossless subtype, as a mixdown tolerance.
LSB = {"PCM_16": 2.0**-15, "PCM_24": 2.0**-23, "PCM_32": 2.0**-31, "FLOAT": 1e-7, "DOUBLE": 1e-7}


def sine(freq: float, seconds: float, amp: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return amp * np.sin(2 * np.pi * freq * t)


def peak_frequency(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.argmax(spectrum) * sr / len(y))


def amplitude(y: np.ndarray) -> float:
    """Sine amplitude from RMS, ignoring the first/last 10 % (codec warm-up)."""
    core = y[len(y) // 10 : -len(y) // 10]
    return float(np.sqrt(2 * np.mean(core.astype(np.float64) ** 2)))


def write(tmp_path, name, data, sr=SR, fmt="WAV", subtype="PCM_16"):
    path = tmp_path / name
    sf.write(path, data, sr, format=fmt, subtype=subtype)
    return path


def assert_error(path, *words):
    """load_audio(path) raises a one-line AudioError naming the file and containing words."""
    with pytest.raises(AudioError) as info:
        load_audio(path)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert os.path.basename(os.fspath(path)) in message
    for word in words:
        assert word.lower() in message.lower(), message
    return message


# --- decoding ---------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "subtype", "ext", "lossy"), FORMATS, ids=FORMAT_IDS)
def test_mono_sine(tmp_path, fmt, subtype, ext, lossy):
    path = write(tmp_path, f"mono.{ext}", sine(440.0, 2.0), fmt=fmt, subtype=subtype)
    a = load_audio(path)

    assert a.path == str(path.resolve())
    assert a.name == f"mono.{ext}"
    assert (a.format, a.subtype) == (fmt, subtype)
    assert a.sample_rate == SR and a.channels == 1
    assert a.frames == len(a.samples)
    if lossy:
        assert abs(a.frames - 2 * SR) < 2048
    else:
        assert a.frames == 2 * SR
    assert a.duration == pytest.approx(a.frames / SR)
    assert a.samples.dtype == np.float32 and a.samples.ndim == 1
    assert a.samples.flags.c_contiguous and not a.samples.flags.writeable
    assert a.notes == ()
    assert peak_frequency(a.samples, SR) == pytest.approx(440.0, abs=1.0)
    assert amplitude(a.samples) == pytest.approx(0.5, abs=0.03 if lossy else 1e-3)


@pytest.mark.parametrize(("fmt", "subtype", "ext", "lossy"), FORMATS, ids=FORMAT_IDS)
def test_stereo_opposite_channels_cancel(tmp_path, fmt, subtype, ext, lossy):
    s = sine(440.0, 2.0)
    a = load_audio(
        write(tmp_path, f"anti.{ext}", np.stack([s, -s], axis=1), fmt=fmt, subtype=subtype)
    )
    assert a.channels == 2 and a.samples.ndim == 1
    assert a.sample_rate == SR
    # Integer quantisation rounds s and -s asymmetrically: allow one LSB.
    assert np.sqrt(np.mean(a.samples.astype(np.float64) ** 2)) < (0.02 if lossy else LSB[subtype])


@pytest.mark.parametrize(("fmt", "subtype", "ext", "lossy"), FORMATS, ids=FORMAT_IDS)
def test_stereo_mixdown_is_mean(tmp_path, fmt, subtype, ext, lossy):
    # 3 s > one read block, so the block loop and the tail are both exercised.
    left, right = sine(440.0, 3.0, amp=0.6), sine(1000.0, 3.0, amp=0.2)
    a = load_audio(
        write(tmp_path, f"lr.{ext}", np.stack([left, right], axis=1), fmt=fmt, subtype=subtype)
    )
    assert a.channels == 2
    if lossy:
        assert abs(a.frames - 3 * SR) < 2048
        # Each channel keeps its own frequency, at half its level.
        spectrum = np.abs(np.fft.rfft(a.samples[: 2 * SR] * np.hanning(2 * SR))) / (SR / 2)
        assert spectrum[880] == pytest.approx(0.3, rel=0.1)  # 440 Hz bin at 0.5 Hz/bin
        assert spectrum[2000] == pytest.approx(0.1, rel=0.1)  # 1000 Hz
    else:
        assert a.frames == 3 * SR
        # float32 output cannot resolve PCM_32's LSB: its own epsilon bounds the error there.
        np.testing.assert_allclose(a.samples, (left + right) / 2, atol=2 * max(LSB[subtype], 6e-8))


def test_multichannel_mean_and_blocks(tmp_path):
    n = 200_000  # several read blocks plus a partial one
    levels = np.array([0.1, 0.2, 0.3, 0.4])
    path = write(tmp_path, "quad.wav", np.tile(levels, (n, 1)), subtype="FLOAT")
    a = load_audio(path)
    assert a.channels == 4 and a.frames == n
    np.testing.assert_allclose(a.samples, 0.25, atol=1e-6)


def test_accepts_pathlike_and_relative_path(tmp_path, monkeypatch):
    write(tmp_path, "rel.wav", sine(100.0, 0.1))
    monkeypatch.chdir(tmp_path)
    a = load_audio("rel.wav")
    assert a.path == os.path.join(str(tmp_path), "rel.wav")
    assert load_audio(tmp_path / "rel.wav").frames == a.frames


def test_info_is_json_safe(tmp_path):
    a = load_audio(write(tmp_path, "x.flac", sine(440.0, 0.5), fmt="FLAC"))
    info = a.info()
    assert json.loads(json.dumps(info)) == info
    assert info == {
        "path": a.path,
        "name": "x.flac",
        "sampleRate": SR,
        "channels": 1,
        "frames": SR // 2,
        "duration": 0.5,
        "format": "FLAC",
        "subtype": "PCM_16",
        "notes": [],
    }
    assert "samples" not in info


def test_audiofile_is_frozen(tmp_path):
    a = load_audio(write(tmp_path, "f.wav", sine(440.0, 0.1)))
    with pytest.raises(AttributeError):
        a.frames = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        a.samples[0] = 1.0
    assert isinstance(a, AudioFile)


@pytest.mark.parametrize("sr", [MIN_SAMPLE_RATE, 8_000, 96_000, MAX_SAMPLE_RATE])
def test_sample_rate_limits_accepted(tmp_path, sr):
    a = load_audio(write(tmp_path, f"sr{sr}.wav", sine(100.0, 0.5, sr=sr), sr=sr))
    assert a.sample_rate == sr and a.frames == round(0.5 * sr)


def test_non_finite_float_samples_become_silence(tmp_path):
    y = sine(440.0, 0.5)
    y[[10, 20, 30]] = [np.nan, np.inf, -np.inf]
    a = load_audio(write(tmp_path, "nan.wav", y, subtype="FLOAT"))
    assert np.isfinite(a.samples).all()
    assert (a.samples[[10, 20, 30]] == 0).all()
    assert a.samples[11] == pytest.approx(y[11], abs=1e-6)
    assert len(a.notes) == 1 and "3 non-finite" in a.notes[0]


def test_a_multi_block_stereo_file_mixes_down_exactly(tmp_path):
    # Two minutes spans many of the loader's blocks: the block seams must not show.
    n = 120 * SR
    data = (np.random.default_rng(1).standard_normal((n, 2)) * 3000).astype(np.int16)
    path = write(tmp_path, "long.wav", data)
    a = load_audio(path)
    assert a.frames == n
    expected = data.astype(np.float32).mean(axis=1) / 32768
    np.testing.assert_allclose(a.samples, expected, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 2, 3, 6])
@pytest.mark.parametrize(("fmt", "ext"), [("WAV", "wav"), ("FLAC", "flac")])
def test_16_bit_pcm_reads_libsndfiles_own_float_samples(tmp_path, channels, fmt, ext):
    # 16-bit PCM is read as int16 and converted by numpy: the samples must be those of
    # libsndfile's float decode mixed down as for any other subtype, bit for bit, full
    # scale included, in load_audio and in the stream.
    n = 150_000  # two read blocks and a partial one
    data = np.random.default_rng(channels).integers(-32768, 32768, (n, channels), dtype=np.int16)
    data[:4] = [[-32768] * channels, [32767] * channels, [1] * channels, [-1] * channels]
    path = write(tmp_path, f"x.{ext}", data, fmt=fmt, subtype="PCM_16")
    decoded, _ = sf.read(path, dtype="float32", always_2d=True)
    expected = decoded[:, 0].copy()
    for ch in range(1, channels):
        expected += decoded[:, ch]
    expected *= np.float32(1.0 / channels)
    np.testing.assert_array_equal(load_audio(path).samples, expected)
    with open_audio_stream(path) as stream:
        np.testing.assert_array_equal(np.concatenate([b.copy() for b in stream.blocks()]), expected)


# --- a long file decoded in two halves at once ------------------------------------

HALVED = [("WAV", "PCM_24", "wav"), ("FLAC", "PCM_16", "flac"), ("AIFF", "PCM_16", "aiff")]


@pytest.fixture
def halved(monkeypatch):
    """Files of more than two blocks are decoded in halves (long ones only, otherwise), and
    load(path, sequential=True) decodes them in one pass, for comparison."""
    monkeypatch.setattr(audio, "_HALVED_MIN_FRAMES", 2 * audio._BLOCK_FRAMES)

    def load(path, sequential=False, **options):
        if sequential:
            with monkeypatch.context() as m:
                m.setattr(audio, "_HALVED_MIN_FRAMES", 2**62)
                return load_audio(path, **options)
        return load_audio(path, **options)

    return load


def _second_halves():
    return [t for t in threading.enumerate() if t.name == "decode-second-half"]


@pytest.mark.parametrize(("fmt", "subtype", "ext"), HALVED)
def test_a_file_decoded_in_halves_is_its_decode_in_one_pass(tmp_path, halved, fmt, subtype, ext):
    rng = np.random.default_rng(5)
    path = write(
        tmp_path, f"a.{ext}", rng.uniform(-0.5, 0.5, (10 * SR + 123, 2)), fmt=fmt, subtype=subtype
    )
    told = []
    a = halved(path, on_block=lambda decoded, frames, sr: told.append(decoded))
    b = halved(path, sequential=True)
    assert a.frames == b.frames == 10 * SR + 123 and a.notes == b.notes == ()
    np.testing.assert_array_equal(a.samples, b.samples)
    # The samples are final as a prefix: what is told never goes back, and ends whole.
    assert told == sorted(told) and told[-1] == a.frames
    assert _second_halves() == []


@pytest.mark.parametrize("kept", [0.25, 0.75])
def test_a_truncated_flac_decoded_in_halves_keeps_what_one_pass_keeps(tmp_path, halved, kept):
    # Cut in the first half (the second half's seek lands past the end) or in the second.
    rng = np.random.default_rng(6)
    full = write(tmp_path, "full.flac", rng.uniform(-0.5, 0.5, 10 * SR), fmt="FLAC")
    cut = tmp_path / "cut.flac"
    cut.write_bytes(full.read_bytes()[: round(os.path.getsize(full) * kept)])
    a, b = halved(cut), halved(cut, sequential=True)
    assert a.frames == b.frames and 0 < a.frames < 10 * SR
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.notes == b.notes and "ended after" in a.notes[0]
    assert _second_halves() == []


def test_cancelling_while_the_second_half_decodes_stops_it(tmp_path, halved):
    path = write(tmp_path, "a.flac", np.zeros(20 * SR), fmt="FLAC")

    class Cancelled(Exception):
        pass

    def cancel(decoded, frames, sr):
        if decoded > frames // 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        halved(path, on_block=cancel)
    assert _second_halves() == []


# --- damaged but usable -------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ext"), [("WAV", "wav"), ("AIFF", "aiff")])
def test_truncated_pcm_keeps_what_is_there(tmp_path, fmt, ext):
    full = write(tmp_path, f"full.{ext}", sine(440.0, 2.0), fmt=fmt)
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(full.read_bytes()[: os.path.getsize(full) // 2])
    a = load_audio(cut)
    assert 0.9 * SR < a.frames < 1.1 * SR
    np.testing.assert_allclose(a.samples, load_audio(full).samples[: a.frames])
    assert len(a.notes) == 1 and "shorter than its header" in a.notes[0]


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext"), [("FLAC", "PCM_16", "flac"), ("MP3", "MPEG_LAYER_III", "mp3")]
)
def test_truncated_compressed_keeps_decoded_part(tmp_path, fmt, subtype, ext):
    rng = np.random.default_rng(2)
    full = write(tmp_path, f"full.{ext}", rng.uniform(-0.5, 0.5, 10 * SR), fmt=fmt, subtype=subtype)
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(full.read_bytes()[: os.path.getsize(full) // 2])
    a = load_audio(cut)
    assert 0 < a.frames < 10 * SR
    assert a.samples.flags.c_contiguous and not a.samples.flags.writeable
    assert len(a.notes) == 1 and "ended after" in a.notes[0]


# --- rejected input ------------------------------------------------------------


def test_missing_file(tmp_path):
    assert_error(tmp_path / "nope.wav", "does not exist", str(tmp_path))


def test_directory(tmp_path):
    d = tmp_path / "folder.wav"
    d.mkdir()
    assert_error(d, "folder")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.touch()
    assert_error(p, "empty")


# (libsndfile writes a frameless FLAC as a 0-byte file, covered by test_empty_file.)
@pytest.mark.parametrize(("fmt", "ext"), [("WAV", "wav"), ("AIFF", "aiff")])
def test_zero_frames(tmp_path, fmt, ext):
    p = write(tmp_path, f"zero.{ext}", np.zeros((0, 2)), fmt=fmt)
    assert_error(p, "no audio", "0 frames")


def test_header_only_wav(tmp_path):
    full = write(tmp_path, "full.wav", sine(440.0, 0.1))
    p = tmp_path / "header.wav"
    p.write_bytes(full.read_bytes()[:44])
    assert_error(p, "no audio")


def test_garbage_bytes(tmp_path):
    p = tmp_path / "noise.wav"
    p.write_bytes(np.random.default_rng(3).bytes(5000))
    assert_error(p, "not an audio format", "WAV, FLAC")


def test_garbage_mp3(tmp_path):
    # libsndfile's MP3 probe calls this "File does not exist"; Soma must not.
    p = tmp_path / "noise.mp3"
    p.write_bytes(np.random.default_rng(4).bytes(5000))
    message = assert_error(p, "not an audio format")
    assert "does not exist" not in message


def test_corrupt_wav_header(tmp_path):
    p = tmp_path / "corrupt.wav"
    p.write_bytes(b"RIFF\x00\x10\x00\x00WAVEfmt " + np.random.default_rng(5).bytes(3000))
    assert_error(p, "damaged")


def test_truncated_ogg_header(tmp_path):
    full = write(tmp_path, "full.ogg", sine(440.0, 1.0), fmt="OGG", subtype="VORBIS")
    p = tmp_path / "cut.ogg"
    p.write_bytes(full.read_bytes()[:2000])
    assert_error(p)


def test_text_file_renamed(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("These are my notes, not a recording.\n" * 20, encoding="utf-8")
    assert_error(p, "text file")


def test_png_renamed(tmp_path):
    p = tmp_path / "picture.wav"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert_error(p, "PNG image")


def test_mp4_renamed(tmp_path):
    p = tmp_path / "song.mp3"
    p.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(500))
    assert_error(p, "M4A")


def wav_header(sr: int, frames: int) -> bytes:
    """A 16-bit mono PCM WAV, built by hand so any sample rate can be written."""
    data = bytes(2 * frames)
    fmt = struct.pack("<HHIIHH", 1, 1, sr, 2 * sr, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("sr", [500, 999, 768_001, 800_000])
def test_sample_rate_out_of_range(tmp_path, sr):
    p = tmp_path / f"rate{sr}.wav"
    p.write_bytes(wav_header(sr, 1000))
    assert_error(p, f"{sr} Hz", "1000 to 768000")


def test_hand_built_header_is_valid(tmp_path):
    p = tmp_path / "ok.wav"
    p.write_bytes(wav_header(22_050, 1000))
    a = load_audio(p)
    assert (a.sample_rate, a.frames, a.channels) == (22_050, 1000, 1)


# As root (CI here) a real chmod 000 file is still readable, so the refusal is made by
# open() itself.
def test_permission_denied(tmp_path, monkeypatch):
    p = write(tmp_path, "locked.wav", sine(440.0, 0.1))

    real_open = os.open

    # chmod cannot deny root, as which the tests may run: the open itself refuses this file.
    def deny(path, *args, **kwargs):
        if os.fspath(path) == str(p):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    assert_error(p, "permission denied")


@pytest.mark.parametrize(
    "exc",
    [
        sf.LibsndfileError(1, "Error opening 'x': "),
        RuntimeError("Error opening file"),
        TypeError("bad header"),
        ValueError("invalid frames"),
    ],
)
def test_soundfile_exceptions_never_leak(tmp_path, monkeypatch, exc):
    p = write(tmp_path, "x.wav", sine(440.0, 0.1))

    def boom(*args, **kwargs):
        raise exc

    monkeypatch.setattr(audio.sf, "SoundFile", boom)
    assert_error(p)


def test_decoder_error_mid_read_without_data(tmp_path, monkeypatch):
    p = write(tmp_path, "x.wav", sine(440.0, 0.1))

    def fail(self, *args, **kwargs):
        raise sf.LibsndfileError(1, "")

    monkeypatch.setattr(sf.SoundFile, "read", fail)
    assert_error(p, "damaged")


def test_out_of_memory(tmp_path, monkeypatch):
    p = write(tmp_path, "big.wav", sine(440.0, 0.1))

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(audio.np, "empty", no_memory)
    assert_error(p, "memory")


def test_not_a_path():
    with pytest.raises(AudioError) as info:
        load_audio(None)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_file_name_with_newline_stays_one_line(tmp_path):
    p = tmp_path / "two\nlines.wav"
    p.touch()
    with pytest.raises(AudioError) as info:
        load_audio(p)
    message = str(info.value)
    assert "\n" not in message and "two?lines.wav" in message
    assert info.value.path == str(p)


def test_a_file_name_that_is_not_utf8_opens(tmp_path):
    written = write(tmp_path, "plain.wav", sine(440.0, 0.2))
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.wav")
    os.rename(written, odd)
    for path in (odd, os.fsdecode(odd)):
        loaded = load_audio(path)
        assert loaded.frames == round(0.2 * SR) and loaded.path == os.fsdecode(odd)
        assert loaded.format == "WAV" and abs(peak_frequency(loaded.samples, SR) - 440) < 5

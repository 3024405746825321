"""Long files through the window's open path (a Session, real worker processes): the samples
exist once in the whole app, the first file's mapping goes when another opens, a decode can
be cancelled without touching the open document, and a truncated file opens up to its end.

The files are made on the fly, written in blocks: minutes of audio in a second or so.
"""

import ctypes
import gc
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from live_processes import descendants, mapping_pss_bytes, pss_bytes
from waiting import wait_until

from app.compute.shared_audio import SharedAudio, SharedMemoryFull, segment_names
from app.shell.session import Session

SR = 44_100
LENGTH_FREE_BYTES = 64e6  # what opening a long file leaves that does not grow with it


def _long_wav(path: Path, minutes: float, channels: int = 2, fmt: str = "WAV") -> Path:
    """A `minutes`-long 16-bit file of a 440 Hz tone in noise, written a second at a time."""
    rng = np.random.default_rng(0)
    t = np.arange(SR) / SR
    block = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.01 * rng.standard_normal(
        (t.size, channels)
    )
    with sf.SoundFile(path, "w", SR, channels, "PCM_16", format=fmt) as out:
        for _ in range(round(minutes * 60)):
            out.write(block)
    return path


@pytest.fixture
def session():
    session = Session(autosave_delay=None)
    yield session
    session.close()


def _our_segments():
    """This process's shared-memory segments (other runs on the machine have theirs)."""
    return [name for name in segment_names() if name.startswith(f"soma-{os.getpid()}-")]


def _app_pids():
    return [os.getpid(), *descendants(os.getpid())]


def _pss_by_process() -> dict[int, int]:
    """PSS bytes of each of the app's processes. This process is the app's main process and
    the test runner too: what earlier tests left for the garbage collector, and what the
    allocator holds freed, is given back first."""
    gc.collect()
    ctypes.CDLL(None).malloc_trim(0)
    pss = {}
    for pid in _app_pids():
        try:
            pss[pid] = pss_bytes(pid)
        except OSError:  # it ended while we looked
            continue
    return pss


def _first_view_drawn(document):
    """Ask for a view of the whole file and wait until a worker has drawn it (from 40 Hz up:
    the overview's own view, from 20 Hz, is made from the overview without a worker)."""
    view = document._store.state.overview.view
    before = document._store.state.viewport
    reply = document.set_view(view.start, view.end, 2 * view.fmin, view.fmax, 800, 200)
    assert reply["ok"], reply
    wait_until(
        lambda: (
            document._store.state.viewport not in (None, before)
            and document._store.state.computing == 0
        ),
        timeout=120,
    )


def test_a_long_file_is_mapped_once_in_the_whole_app(session, tmp_path):
    document = session.document
    # The peer: a 1-second file, with its viewport worker, as the long file will have.
    assert document.open_path(str(_long_wav(tmp_path / "short.wav", 1 / 60)))["ok"]
    _first_view_drawn(document)
    before = _pss_by_process()

    reply = document.open_path(str(_long_wav(tmp_path / "long.wav", 15)))
    assert reply["ok"], reply
    audio = document._store.state.audio
    samples_bytes = audio.frames * 4
    assert audio.frames == 15 * 60 * SR and samples_bytes > 150e6
    _first_view_drawn(document)  # a worker has read every sample too

    segment = f"/dev/shm/{document._share.ref_for(audio).name}"
    shared = {pid: mapping_pss_bytes(pid, segment) for pid in _app_pids()}
    worker = document._viewport._slot.pid
    assert shared[os.getpid()] > 0 and shared[worker] > 0  # both map the one segment
    # Its pages, every one resident, counted once over all processes: one copy, not one per
    # process.
    assert samples_bytes * 0.99 <= sum(shared.values()) <= samples_bytes * 1.01, shared
    # Nothing else of the file's size: the bound (1.3 x the samples, for an hour) and
    # what computing any long file's overview leaves whatever its length: FFT plans and the
    # allocator's free lists in the threads that computed it, 0 to 60 MB from run to run (a
    # second copy would be 160 MB). No floor on this growth: the main process is the test
    # runner too, and what earlier tests left in it may be given back meanwhile (two whole
    # runs read 102 and 124 MB for these 159 MB); the segment's own count above is the floor.
    after = _pss_by_process()
    extra = sum(after.values()) - sum(before.values())
    assert extra <= samples_bytes * 1.3 + LENGTH_FREE_BYTES, (
        extra,
        samples_bytes,
        {"before": before, "after": after, "main": os.getpid(), "worker": worker},
    )


def test_switching_files_unmaps_the_first_everywhere_within_2_s(session, tmp_path):
    document = session.document
    assert document.open_path(str(_long_wav(tmp_path / "first.wav", 3)))["ok"]
    first = document._share.ref_for(document._store.state.audio).name
    _first_view_drawn(document)

    def mapping_first():
        found = []
        for pid in _app_pids():
            try:
                if f"/dev/shm/{first}" in Path(f"/proc/{pid}/maps").read_text():
                    found.append(pid)
            except OSError:
                continue
        return found

    assert os.getpid() in mapping_first() and document._viewport._slot.pid in mapping_first()
    assert document.open_path(str(_long_wav(tmp_path / "second.wav", 1)))["ok"]
    wait_until(lambda: not mapping_first(), timeout=2.0)
    assert first not in _our_segments()


def _cancel_at_first_block(session, label):
    """Cancel the decode of `label` from the progress panel as soon as it has decoded a block
    (a listener runs on the decoding thread, so this is the first block, deterministically)."""
    cancelled = threading.Event()

    def listener():
        if cancelled.is_set():
            return
        for task in session.progress.snapshot():
            parent = next((t for t in session.progress.snapshot() if t.id == task.parent), None)
            if task.label.startswith("Decoding") and task.done and parent and label in parent.label:
                cancelled.set()
                assert session.document.cancel_task(task.id)["ok"]
                return

    return cancelled, session.progress.subscribe(listener)


def test_cancelling_a_decode_leaves_the_open_document_as_it_was(session, tmp_path):
    document = session.document
    assert document.open_path(str(_long_wav(tmp_path / "open.wav", 0.5)))["ok"]
    _first_view_drawn(document)
    state = document._store.state
    segments = _our_segments()

    cancelled, unsubscribe = _cancel_at_first_block(session, "long.wav")
    try:
        reply = document.open_path(str(_long_wav(tmp_path / "long.wav", 10)))
    finally:
        unsubscribe()
    assert cancelled.is_set()
    assert not reply["ok"] and reply["error"] == "Decoding long.wav was cancelled"

    after = document._store.state
    assert after.audio is state.audio and after.overview is state.overview
    assert after.view == state.view and not after.busy and after.growing is None
    assert _our_segments() == segments  # the long file's block is gone
    _first_view_drawn(document)  # and the open file still renders


def test_opening_another_file_ends_the_decode_of_the_first(session, tmp_path):
    document = session.document
    short = str(_long_wav(tmp_path / "short.wav", 0.5))
    started = threading.Event()
    replies = {}

    def listener():
        for task in session.progress.snapshot():
            if task.label.startswith("Decoding") and task.done and not started.is_set():
                started.set()

    unsubscribe = session.progress.subscribe(listener)
    long_path = str(_long_wav(tmp_path / "long.wav", 20))
    opening = threading.Thread(
        target=lambda: replies.setdefault("long", document.open_path(long_path))
    )
    opening.start()
    try:
        wait_until(started.is_set)
        replies["short"] = document.open_path(short)
        opening.join(timeout=60)
    finally:
        unsubscribe()
    assert replies["short"]["ok"]
    state = document._store.state
    assert state.audio.name == "short.wav" and not state.busy and not state.error
    # The long decode stopped early, unless it had already finished; either way it lost.
    assert not replies["long"]["ok"] or replies["long"]["state"]["file"]["name"] == "short.wav"
    assert _our_segments() == [document._share.ref_for(state.audio).name]


def test_the_page_is_shown_the_overview_as_it_grows_then_the_whole(session, tmp_path):
    document = session.document
    path = _long_wav(tmp_path / "slow.wav", 2, channels=1)
    parts = []

    def seen(state):
        if state.growing is not None and (not parts or parts[-1][0] != state.growing.image.key):
            stored = document._data.get(state.growing.image.key)
            parts.append((state.growing.image.key, state.growing, stored and stored[0]))

    def slow_decoder():
        # A slow decoder (an hour of MP3 on a network disk): 0.03 s a block, 2.5 s in all.
        if any(
            t.label.startswith("Decoding") and t.state == "running"
            for t in session.progress.snapshot()
        ):
            threading.Event().wait(0.03)

    unsubscribe = [document._store.subscribe(seen), session.progress.subscribe(slow_decoder)]
    try:
        assert document.open_path(str(path))["ok"]
    finally:
        for stop in unsubscribe:
            stop()
    state = document._store.state
    assert state.growing is None and state.audio.name == "slow.wav"
    assert len(parts) >= 2, parts
    widths = [growing.image.width for _, growing, _ in parts]
    assert widths == sorted(set(widths)) and widths[-1] <= 2000
    for key, growing, payload in parts:
        image = growing.image
        assert growing.duration == pytest.approx(state.audio.duration)
        assert image.view.start == 0 and image.view.end == pytest.approx(
            growing.duration * image.width / 2000
        )
        assert payload is not None and len(payload) >= image.width * image.height
        assert image.auto_levels is not None
        assert document._data.get(key) is None  # dropped: the page has the whole overview
    assert document._data.get(state.overview.key) is not None


@pytest.mark.parametrize("fmt, minutes", [("WAV", 10), ("FLAC", 2)])
def test_a_truncated_long_file_opens_up_to_its_end_and_says_so(session, tmp_path, fmt, minutes):
    path = _long_wav(tmp_path / f"cut.{fmt.lower()}", minutes, fmt=fmt)
    whole = sf.info(str(path)).frames
    with open(path, "r+b") as file:
        file.truncate(os.path.getsize(path) * 6 // 10)

    reply = session.document.open_path(str(path))
    assert reply["ok"], reply
    state = session.document._store.state
    audio = state.audio
    assert 0.5 * whole < audio.frames < 0.7 * whole
    assert "truncated" in state.error and "\n" not in state.error
    assert state.overview.view.end == pytest.approx(audio.frames / SR)
    segment = session.document._share.ref_for(audio).name
    assert os.path.getsize(f"/dev/shm/{segment}") == audio.frames * 4  # no unused tail
    assert np.isfinite(audio.samples).all()
    _first_view_drawn(session.document)


def test_a_file_too_long_for_shared_memory_is_one_line_and_allocates_nothing():
    free = shutil.disk_usage("/dev/shm").free
    before = _our_segments()
    with pytest.raises(SharedMemoryFull) as raised:
        SharedAudio.empty(free // 4 + 1, SR)
    message = str(raised.value)
    assert message.startswith("Not enough shared memory") and "\n" not in message
    assert _our_segments() == before

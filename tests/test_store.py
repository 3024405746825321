"""The document store under the concurrency pywebview creates: every js_api call on a thread."""

import threading
import time

import numpy as np

from app.document.audio_file import AudioFile
from app.document.state import DocumentState, Image, View
from app.document.store import DocumentStore


def _audio(name: str, seconds: float) -> AudioFile:
    samples = np.zeros(int(seconds * 1000), np.float32)
    samples.flags.writeable = False
    return AudioFile(
        path=None,
        name=name,
        samples=samples,
        sample_rate=1000,
        channels=1,
        frames=samples.size,
        format="GENERATED",
        subtype="FLOAT",
    )


def _opened(state: DocumentState, audio: AudioFile, serial: int) -> DocumentState:
    view = View(0.0, audio.duration, 20.0, 500.0)
    image = Image(
        key=f"{audio.name}-{serial}",
        width=4,
        height=3,
        db_min=-100.0,
        db_max=0.0,
        view=view,
        method="stft",
        window_size=64,
        seconds=0.0,
    )
    return state.opened(audio, image)


def _consistent(state: DocumentState) -> str | None:
    """What is wrong with `state`, or None."""
    if (state.audio is None) != (state.view is None) or (state.audio is None) != (
        state.overview is None
    ):
        return "audio, view and overview not set together"
    if state.audio is not None:
        if state.view.end > state.audio.duration + 1e-9:
            return f"view ends at {state.view.end} in a {state.audio.duration} s file"
        if not state.overview.key.startswith(state.audio.name + "-"):
            return f"overview {state.overview.key} of another file than {state.audio.name}"
        if state.overview.view != state.view:
            return "overview and view disagree"
    if state.busy and state.error:
        return "busy and failed at once"
    return None


def test_snapshots_stay_consistent_under_8_readers_and_2_writers():
    store = DocumentStore()
    files = [_audio("short", 2.0), _audio("long", 9.0)]
    stop = threading.Event()
    problems: list[str] = []
    seen_revisions: list[int] = []

    def writer(index: int) -> None:
        serial = 0
        while not stop.is_set():
            serial += 1
            audio = files[(serial + index) % 2]
            store.update(lambda s, audio=audio: s.opening(f"Opening {audio.name}"))
            store.update(lambda s, audio=audio, serial=serial: _opened(s, audio, serial))
            if serial % 7 == 0:
                store.update(lambda s: s.failed("could not open"))

    def reader() -> None:
        last = -1
        count = 0
        while not stop.is_set():
            state = store.state
            problem = _consistent(state)
            if problem:
                problems.append(problem)
            if state.revision < last:
                problems.append(f"revision went back from {last} to {state.revision}")
            last = state.revision
            count += 1
        seen_revisions.append(last)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join()

    assert problems == []
    assert store.state.revision > 1000, "the writers hardly ran: the test proved nothing"
    assert _consistent(store.state) is None
    assert max(seen_revisions) > 0


def test_every_update_gets_the_next_revision_even_from_racing_writers():
    store = DocumentStore()
    published: list[int] = []
    store.subscribe(lambda state: published.append(state.revision))

    def bump(n: int) -> None:
        for i in range(n):
            store.update(lambda s, i=i: s.opening(f"step {i}"))

    threads = [threading.Thread(target=bump, args=(500,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.state.revision == 2000
    assert sorted(published) == list(range(1, 2001))


def test_an_unchanged_state_publishes_nothing_and_unsubscribe_stops_listening():
    store = DocumentStore()
    heard: list[int] = []
    unsubscribe = store.subscribe(lambda state: heard.append(state.revision))
    assert store.update(lambda s: s) is store.state
    store.update(lambda s: s.failed("x"))
    unsubscribe()
    store.update(lambda s: s.dismissed())
    assert heard == [1]
    assert store.state.revision == 2


def test_a_failing_listener_does_not_break_the_writer():
    store = DocumentStore()

    def broken(state):
        raise RuntimeError("listener bug")

    store.subscribe(broken)
    assert store.update(lambda s: s.failed("x")).error == "x"


def test_failure_keeps_the_open_file():
    audio = _audio("kept", 3.0)
    state = _opened(DocumentState(), audio, 1).opening("Opening other.wav")
    failed = state.failed("Cannot open other.wav")
    assert failed.audio is audio and failed.view == state.view and failed.busy == ""
    assert failed.to_json()["error"] == "Cannot open other.wav"


def _partial(partial_id, f=440.0):
    from app.document.partials import Partial, default_color, frozen_points

    return Partial(
        partial_id,
        f"Partial {partial_id}",
        default_color(partial_id),
        frozen_points([[0.0, f, -6.0], [0.1, f, -6.0]]),
    )


def test_undo_and_redo_walk_the_edits_and_ids_are_never_reused():
    state = DocumentState()
    a, b = _partial(1), _partial(2, 880.0)
    state = state.edited((a,), "Snap", next_partial_id=2)
    state = state.selecting((1,))
    state = state.edited((a, b), "Snap", next_partial_id=3)
    state = state.edited((b,), "Delete")
    assert state.to_json()["undo"] == "Delete" and state.modified

    state = state.undone()
    assert state.partials == (a, b) and state.to_json()["redo"] == "Delete"
    state = state.undone().undone()
    assert state.partials == () and state.selection == () and state.undone() is state
    assert state.next_partial_id == 3  # undoing a creation does not free its id
    state = state.redone().redone()
    assert state.partials == (a, b)
    # A new edit after undo forgets the redo branch.
    state = state.edited((a,), "Erase")
    assert state.redo_stack == () and state.redone() is state
    assert state.undone().partials == (a, b)


def test_selection_keeps_only_existing_partials_and_a_new_file_forgets_them():
    state = DocumentState().edited((_partial(1), _partial(2)), "Import", next_partial_id=3)
    assert state.selecting((2, 7, 2, 1)).selection == (2, 1)
    state = state.selecting((1, 2)).edited((_partial(2),), "Delete")
    assert state.selection == (2,)
    reopened = _opened(state, _audio("other", 1.0), 1)
    assert reopened.partials == () and reopened.undo_stack == () and not reopened.modified
    assert reopened.next_partial_id == 1


def test_undoing_back_to_the_saved_partials_is_unmodified_and_a_recovery_is_not():
    a, b = _partial(1), _partial(2, 880.0)
    opened = _opened(DocumentState(), _audio("take", 1.0), 1)
    assert not opened.modified
    edited = opened.edited((a,), "Snap", next_partial_id=2)
    assert edited.modified
    assert not edited.undone().modified  # back to the file as opened
    assert edited.undone().redone().modified

    written = edited.partials
    saved = edited.edited((a, b), "Snap", next_partial_id=3).saved("/p.soma.json", written)
    assert saved.modified  # (a, b) came in while (a,) was written
    assert not saved.undone().modified
    assert saved.undone().undone().modified  # before what was saved

    recovered = opened.restored((a,), 2, None, "", modified=True)
    assert recovered.modified and recovered.to_json()["modified"]
    assert not opened.restored((a,), 2, None, "/p.soma.json", modified=False).modified


def test_undo_depth_is_bounded():
    from app.document.state import UNDO_DEPTH

    state = DocumentState()
    for i in range(UNDO_DEPTH + 50):
        state = state.edited((_partial(i + 1),), f"edit {i}", next_partial_id=i + 2)
    assert len(state.undo_stack) == UNDO_DEPTH


def test_pushed_states_leave_the_partials_out_and_say_when_they_changed():
    state = DocumentState().edited((_partial(1),), "Snap", next_partial_id=2)
    light = state.to_json()
    assert "partials" not in light and light["partialsVersion"] == state.partials_version
    (listed,) = state.to_json(with_partials=True)["partials"]
    assert listed["id"] == 1 and listed["pointCount"] == 2 and "points" not in listed
    # Along one history (what the page sees) every change of the partials is a new version.
    versions = [state.partials_version]
    for step in (
        lambda s: s.undone(),
        lambda s: s.redone(),
        lambda s: s.edited((), "Delete"),
        lambda s: _opened(s, _audio("x", 1.0), 1),
    ):
        state = step(state)
        assert state.partials_version not in versions
        versions.append(state.partials_version)
    assert state.selecting((1,)).partials_version == state.partials_version
    assert state.failed("x").partials_version == state.partials_version

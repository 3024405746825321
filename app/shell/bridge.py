"""SomaDocument: the object the page calls as window.pywebview.api.

One public method per user action, as in pywebview's examples/js_api.py. pywebview exposes
every public attribute and runs each call on a new thread, so everything else here is
underscore-prefixed, and every method is wrapped by `_action`: arguments are validated, any
failure becomes {"ok": false, "error": "..."} for the page, and the return value is made
JSON-safe (a NaN in a return would leave the JS promise unsettled forever).
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from app.base.errors import SomaError
from app.base.formats import PROJECT_SUFFIX, is_project_path
from app.base.jsontext import json_safe
from app.compute.background import BackgroundQueue, JobCancelled, JobFailed
from app.compute.measurement import Measurements
from app.compute.shared_audio import AudioShare
from app.compute.snapping import SnapService
from app.compute.tracking import TrackService
from app.compute.viewport import ViewportService
from app.document import cleanup, editing
from app.document.audio_file import AudioFile
from app.document.datastore import DataStore
from app.document.partials import partials_bytes
from app.document.state import DocumentState, Growing, Image, Levels, View
from app.document.store import DocumentStore
from app.files import exchange
from app.files.audio import AudioError
from app.files.demo import demo_audio
from app.files.figure import MAX_SCALE, MAX_SIDE, MIN_SIDE, FigureSize
from app.files.persistence import (
    audio_matches,
    levels_problem,
    project_beside,
    restored_project,
    save_document,
    save_recovery,
)
from app.files.project import Project, ProjectError, load_project, recovery_newer_than
from app.files.recent import forget_gone, remember
from app.files.region_audio import SUBTYPES as REGION_FORMATS
from app.files.region_audio import write_region
from app.progress.tasks import ProgressManager
from app.shell.figure_export import FIGURE_FORMATS, export_figure
from app.shell.opening import decode_shared, decoded
from app.shell.track_arguments import (
    harmonics_count,
    prune_limits,
    track_region,
    track_settings,
)
from app.shell.validate import (
    ArgumentError,
    display,
    flag,
    integer,
    long_enough,
    number,
    text,
)
from workers.jobs import ResynthesisJob

log = logging.getLogger(__name__)


class Dialogs(Protocol):
    """The native dialogs the bridge asks questions through (app.shell.window.NativeDialogs)."""

    def open_file(self, kind: str, folder: str) -> str | None:
        """A path chosen to open, starting in `folder`: kind is 'audio', 'project' or
        'partials'; None if cancelled."""

    def save_file(self, kind: str, suggested: str, folder: str) -> str | None:
        """A path chosen to save, starting in `folder`: kind is 'project' or an exchange
        format; None if cancelled."""

    def confirm(self, title: str, message: str) -> bool:
        """Ask a yes/no question."""

    def unsaved(self, message: str) -> str:
        """Ask what to do with unsaved changes: 'save', 'discard' (Don't save) or 'cancel'."""

    def close_window(self) -> None:
        """Close the window as its close button would (asking about unsaved changes)."""


MAX_IMAGE_PIXELS = 4096  # per side of a viewport image: more than any screen
PNG_DATA_URL = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A picture of the view as base64: a 4096 x 4096 canvas of noise is about 50 MB of PNG.
MAX_PICTURE_CHARS = len(PNG_DATA_URL) + 4 * (64 * 2**20) // 3 + 4
MIN_VIEW_SECONDS = 0.001  # a narrower view has fewer samples than a screen has columns
MAX_GUIDE_POINTS = 100_000  # a stroke has one point per pointer event: far fewer
MAX_IDS = 100_000


def _action(method):
    """Turn a bridge method's outcome into a JSON-safe reply; errors never escape to pywebview."""

    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            result = method(self, *args)
        except SomaError as error:
            return {"ok": False, "error": str(error)}
        except TypeError as error:
            # Wrong number of arguments from the page: pywebview calls method(*args).
            log.warning("bad call to %s: %s", method.__name__, error)
            return {"ok": False, "error": f"{method.__name__}: {error}"}
        except Exception as error:
            log.exception("%s failed", method.__name__)
            return {"ok": False, "error": f"Internal error in {method.__name__}: {error}"}
        return json_safe({"ok": True, **(result or {})})

    return wrapper


# What each export's suggested name adds to the open file's stem: the format's extension,
# after a word where the stem alone would be mistaken for the recording or the other
# SPEAR format (take-partials.wav is not take.wav).
EXPORT_ENDINGS = {
    "csv": ".csv",
    "json": ".json",
    "spear-partials": "-partials.txt",
    "spear-frames": "-frames.txt",
    "sdif": ".sdif",
    "wav": "-partials.wav",
    "flac": "-partials.flac",
    "region-wav": "-region.wav",
    "region-flac": "-region.flac",
    "png": "-view.png",
    "figure-svg": "-figure.svg",
    "figure-png": "-figure.png",
}


def _with_extension(path: str, extension: str) -> str:
    """`path`, with `extension` added unless it ends so already (in any case): pywebview's
    Qt save dialog reports no chosen file-type filter that could add it."""
    return path if Path(path).suffix.lower() == extension else path + extension


def _full_path(path: str) -> Path:
    """`path` with ~ expanded and made absolute; ArgumentError when a `~user` has no home
    folder (pathlib raises RuntimeError for that)."""
    try:
        return Path(path).expanduser().resolve()
    except RuntimeError:
        raise ArgumentError(f"cannot find the home folder in {path}") from None


def _suggested(state: DocumentState) -> str:
    """The name a project's save dialog suggests: its own, else the audio's stem's."""
    if state.project_path:
        return Path(state.project_path).name
    return Path(state.audio.name).stem + PROJECT_SUFFIX


def _count(n: int, noun: str) -> str:
    """'1 partial', '3 partials'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class SomaDocument:
    def __init__(
        self,
        store: DocumentStore,
        data: DataStore,
        share: AudioShare,
        viewport: ViewportService,
        snapping: SnapService,
        tracking: TrackService,
        exports: BackgroundQueue,
        progress: ProgressManager,
        dialogs: Dialogs | None = None,
    ) -> None:
        self._progress = progress
        self._store = store
        self._data = data
        self._share = share
        self._viewport = viewport
        self._snapping = snapping
        self._tracking = tracking
        self._exports = exports  # resynthesis exports, one after another
        self._dialogs = dialogs
        # Opens may overlap (a double click, a dialog and a drop); the last one started wins.
        self._open_counter = itertools.count(1)
        self._latest_open = 0
        self._open_lock = threading.Lock()
        self._last_folder = ""  # where the last file dialog ended: the next one starts there
        self._measurements = Measurements()
        # The data key of the partials' points last served (one at a time: a new version
        # replaces it), and a lock, as the page's calls come on threads of their own.
        self._partials_key = ""
        self._partials_lock = threading.Lock()

    @_action
    def get_state(self) -> dict:
        """The whole document state with its partials, for a page that has just (re)loaded or
        whose partials changed (every other reply and push leaves them out). Their points are
        bytes at `partialsData` (app.document.partials.partials_bytes), each partial's
        `pointCount` rows after the one before's."""
        with self._partials_lock:  # states read in order, so the newest's key stays served
            state = self._store.state
            key = f"partials-{state.partials_version}"
            if self._data.get(key) is None:
                self._data.put(key, partials_bytes(state.partials))
            if key != self._partials_key:
                self._data.discard(self._partials_key)
                self._partials_key = key
        return {"state": {**state.to_json(with_partials=True), "partialsData": f"/data/{key}"}}

    @_action
    def open_path(self, path) -> dict:
        """Open the audio file or the .soma.json project at `path` (from the page, the command
        line, or a file dropped on the window)."""
        return self._open_file(text(path, "path"))

    @_action
    def open_dialog(self) -> dict:
        """Ask for an audio file or a project with the native dialog and open it;
        {"cancelled": true} if none was chosen."""
        chosen = self._ask("open_file", "audio")
        if not chosen:
            return {"cancelled": True}
        return self._open_file(chosen)

    def _open_file(self, path: str) -> dict:
        if not self._may_replace(Path(path).name):
            return {"cancelled": True}
        try:
            if is_project_path(path):
                return self._open_project_file(path)
            beside = project_beside(str(_full_path(path)))
            if beside is not None and self._confirm(
                "Open the project?",
                f"{Path(beside).name}, beside {Path(path).name}, holds partials traced on it. "
                "Open the project instead of the bare audio?",
            ):
                return self._open_project_file(beside)
            return self._open(_full_path(path), Path(path).name)
        except (AudioError, ProjectError):
            # Chosen from the Recent menu, maybe, and gone since: it leaves the menu.
            recent = self._store.state.recent
            kept = forget_gone(recent)
            if kept != recent:
                self._store.update(lambda s: s.remembering(kept))
            raise

    @_action
    def open_project(self, path=None) -> dict:
        """Open a .soma.json project: its audio, view and partials (the dialog without path)."""
        path = text(path, "path") if path is not None else self._ask("open_file", "project")
        if not path:
            return {"cancelled": True}
        if not self._may_replace(Path(path).name):
            return {"cancelled": True}
        return self._open_project_file(path)

    def _open_project_file(self, path: str) -> dict:
        path = str(_full_path(path))
        project = load_project(path)
        modified = False
        problem = ""
        recovery = recovery_newer_than(path)
        if recovery is not None and self._confirm(
            "Recover unsaved work?",
            f"{Path(path).name} has autosaved changes newer than the file. Recover them?",
        ):
            try:
                project, modified = load_project(recovery), True
            except ProjectError as error:
                # Opening nothing would hide the saved project as well: open it as saved.
                problem = (
                    f"The autosaved changes could not be read, so {Path(path).name} "
                    f"opened as last saved ({error})"
                )
                log.warning("%s", problem)
        return self._open_project(project, path, modified, problem)

    @_action
    def save_project(self) -> dict:
        """Save to the project's file, asking where the first time."""
        state = self._open_document()
        return self._save_to(state.project_path or self._ask_project_path(state))

    @_action
    def save_project_as(self) -> dict:
        return self._save_to(self._ask_project_path(self._open_document()))

    @_action
    def import_partials(self) -> dict:
        """Add partials from a CSV, JSON, SPEAR or SDIF file, as one undoable step."""
        self._open_document()
        chosen = self._ask("open_file", "partials")
        if not chosen:
            return {"cancelled": True}
        first_id = self._store.state.next_partial_id
        imported = tuple(exchange.import_partials(chosen, first_id=first_id))
        if not imported:
            raise ArgumentError(f"{Path(chosen).name} holds no partial with two points or more")
        state = self._store.update(
            lambda s: (
                s.edited(s.partials + imported, "Import", next_partial_id=imported[-1].id + 1)
                if s.next_partial_id == first_id
                else s
            )
        )
        if state.next_partial_id == first_id:  # a partial was added meanwhile: ids clash
            raise ArgumentError("the partials changed while importing; import again")
        return {"state": state.to_json()}

    @_action
    def export_partials(self, fmt) -> dict:
        """Write the partials in one of exchange.FORMATS."""
        fmt = text(fmt, "format")
        if fmt not in exchange.FORMATS:
            raise ArgumentError(f"format must be one of {', '.join(exchange.FORMATS)}")
        state = self._open_document()
        if not state.partials:
            raise ArgumentError("there are no partials to export")
        chosen = self._ask_export_path(fmt, state)
        if not chosen:
            return {"cancelled": True}
        with self._progress.task(
            f"Exporting {_count(len(state.partials), 'partial')} to {Path(chosen).name}"
        ):
            exchange.export_partials(state.partials, chosen, fmt, source_name=state.audio.name)
        return {"path": chosen}

    @_action
    def open_demo(self) -> dict:
        """Open the built-in demo recording."""
        if not self._may_replace("the demo recording"):
            return {"cancelled": True}
        return self._open(demo_audio, "Demo recording")

    @_action
    def set_view(self, start, end, fmin, fmax, width, height) -> dict:
        """Show [start, end) s by [fmin, fmax] Hz; compute it at width x height pixels.

        The view is published at once; the image follows from the viewport worker.
        """
        state = self._store.state
        if state.audio is None:
            raise ArgumentError("no file is open")
        limits = state.overview.view  # the whole file, lowest to highest frequency
        start = number(start, "start", minimum=limits.start)
        end = number(end, "end", maximum=limits.end)
        fmin = number(fmin, "fmin", minimum=limits.fmin)
        fmax = number(fmax, "fmax", maximum=limits.fmax)
        width = integer(width, "width", minimum=1, maximum=MAX_IMAGE_PIXELS)
        height = integer(height, "height", minimum=1, maximum=MAX_IMAGE_PIXELS)
        long_enough(start, end, MIN_VIEW_SECONDS, "the view")
        if fmin >= fmax:
            raise ArgumentError(f"fmin ({fmin:g} Hz) must be below fmax ({fmax:g} Hz)")
        request_id = self._viewport.request(View(start, end, fmin, fmax), width, height)
        return {"requestId": request_id}

    @_action
    def spectrum_at(self, time, fmin, fmax, rows) -> dict:
        """The spectrum slice pane: the short spectrum at `time` s over [fmin, fmax] Hz in
        `rows` rows spaced as the display's frequency axis, and its peaks
        (app.compute.measurement)."""
        state = self._open_document()
        limits = state.overview.view
        time = number(time, "time", minimum=limits.start, maximum=limits.end)
        fmin = number(fmin, "fmin", minimum=limits.fmin, maximum=limits.fmax)
        fmax = number(fmax, "fmax", minimum=fmin, maximum=limits.fmax)
        if fmin >= fmax:
            raise ArgumentError(f"fmin ({fmin:g} Hz) must be below fmax ({fmax:g} Hz)")
        rows = integer(rows, "rows", minimum=1, maximum=MAX_IMAGE_PIXELS)
        scale = state.display.frequency_scale
        return self._measurements.slice_at(state.audio, time, fmin, fmax, rows, scale)

    @_action
    def waveform(self, start, end, columns) -> dict:
        """The waveform pane: min and max of the samples of [start, end) s per column."""
        state = self._open_document()
        limits = state.overview.view
        start = number(start, "start", minimum=limits.start, maximum=limits.end)
        end = number(end, "end", minimum=limits.start, maximum=limits.end)
        if end <= start:
            raise ArgumentError(f"end ({end:g} s) must be after start ({start:g} s)")
        columns = integer(columns, "columns", minimum=1, maximum=MAX_IMAGE_PIXELS)
        return self._measurements.waveform(state.audio, start, end, columns)

    @_action
    def set_levels(self, floor, ceiling) -> dict:
        """Colour the spectrogram from `floor` dBFS (the colormap's first colour) to `ceiling`
        (its last), within the dB range the file's images hold."""
        state = self._open_document()
        image = state.overview
        floor, ceiling = number(floor, "floor"), number(ceiling, "ceiling")
        problem = levels_problem(floor, ceiling, image)
        if problem:
            raise ArgumentError(problem)
        # Unless another file opened meanwhile: these levels were checked against this one's.
        state = self._store.update(
            lambda s: s.leveled(Levels(floor, ceiling)) if s.overview is image else s
        )
        return {"state": state.to_json()}

    @_action
    def set_display(self, settings) -> dict:
        """Compute and colour the spectrogram as `settings` say ({"method", "windowMs",
        "hopMs", "q", "colormap", "frequencyScale"}: app.document.display); the view is
        computed again unless only the colours changed."""
        state = self._open_document()
        chosen = display(settings, state.audio.sample_rate)
        audio, before = state.audio, state.display
        state = self._store.update(lambda s: s.displayed(chosen) if s.audio is audio else s)
        if not chosen.computed_alike(before):
            self._viewport.recompute()
        return {"state": state.to_json()}

    @_action
    def snap(self, guide, tolerance_cents, extend=None) -> dict:
        """Snap a drawn stroke, [[t s, f Hz], ...], onto the ridge within ±tolerance cents:
        a new partial, or with `extend` (a partial id) that partial continued beyond its
        ends (the stroke began on one).

        The partial appears in the document when the snap worker is done.
        """
        state = self._open_document()
        guide = self._guide(guide, state)
        tolerance = number(tolerance_cents, "tolerance_cents", minimum=1, maximum=1200)
        if extend is not None and state.partial(self._id(extend)) is None:
            raise ArgumentError(f"there is no partial {extend} to extend")
        extend_id = None if extend is None else self._id(extend)
        return {"requestId": self._snapping.request(guide, tolerance, extend_id=extend_id)}

    @_action
    def move_points(self, partial_id, guide, tolerance_cents) -> dict:
        """Snap a stretch of partial `partial_id` dragged to a new place, `guide` [[t s,
        f Hz], ...] (the stretch's points where the drag left them), within ±tolerance cents,
        and put the snapped points in place of that stretch: one "Move" step when the snap
        worker is done."""
        state = self._open_document()
        partial_id = self._id(partial_id)
        if state.partial(partial_id) is None:
            raise ArgumentError(f"there is no partial {partial_id}")
        guide = self._guide(guide, state)
        tolerance = number(tolerance_cents, "tolerance_cents", minimum=1, maximum=1200)
        return {"requestId": self._snapping.request(guide, tolerance, move_id=partial_id)}

    @_action
    def resnap(self, partial_id, tolerance_cents) -> dict:
        """Snap a partial's own guide again with another tolerance."""
        state = self._open_document()
        partial = state.partial(self._id(partial_id))
        if partial is None:
            raise ArgumentError(f"there is no partial {partial_id}")
        if "guide" not in partial.source:
            raise ArgumentError(f"{partial.name} was not drawn, so it has no guide to re-snap")
        guide = tuple((float(t), float(f)) for t, f in partial.source["guide"])
        tolerance = number(tolerance_cents, "tolerance_cents", minimum=1, maximum=1200)
        return {"requestId": self._snapping.request(guide, tolerance, replace_id=partial.id)}

    @_action
    def select(self, ids) -> dict:
        """Make `ids` the selection ([] selects nothing)."""
        ids = self._ids(ids)
        return {"state": self._store.update(lambda s: s.selecting(ids)).to_json()}

    @_action
    def delete_partials(self, ids) -> dict:
        ids = self._ids(ids)
        return {"state": self._store.update(lambda s: editing.deleted(s, ids)).to_json()}

    @_action
    def erase(self, ranges) -> dict:
        """Remove points of partials, [{"partialId", "start" s, "end" s}, ...]: one stroke."""
        if not isinstance(ranges, list) or len(ranges) > MAX_IDS:
            raise ArgumentError("ranges must be a list of {partialId, start, end}")
        checked = []
        for index, item in enumerate(ranges):
            if not isinstance(item, dict):
                raise ArgumentError(f"range {index} must be {{partialId, start, end}}")
            start = number(item.get("start"), f"range {index} start")
            end = number(item.get("end"), f"range {index} end")
            if end < start:
                raise ArgumentError(
                    f"range {index} ends ({end:g} s) before it starts ({start:g} s)"
                )
            checked.append((self._id(item.get("partialId")), start, end))
        return {"state": self._store.update(lambda s: editing.erased(s, checked)).to_json()}

    @_action
    def track(self, region, settings) -> dict:
        """Track the partials in `region`, {start s, end s, fmin Hz, fmax Hz} (null: the
        whole file), with `settings` {thresholdDb, minDurationMs, maxPartials}; returns when
        they are in the document, one undoable step ({"count", "message" when none})."""
        state = self._open_document()
        region = track_region(region, state.overview.view)
        outcome = self._tracking.track(track_settings(settings), region)
        return {**outcome, "state": self._store.state.to_json()}

    @_action
    def find_harmonics(self, partial_id, count) -> dict:
        """Trace harmonics 2..`count` of the partial `partial_id` (the fundamental) along its
        contour (null: as high as they go); returns when they are in the
        document, one undoable step ({"count", "message" when none})."""
        state = self._open_document()
        partial = state.partial(self._id(partial_id))
        if partial is None:
            raise ArgumentError(f"there is no partial {partial_id}")
        outcome = self._tracking.harmonics(partial, harmonics_count(count))
        return {**outcome, "state": self._store.state.to_json()}

    @_action
    def join_partials(self, ids) -> dict:
        """Join the partials `ids`, one after another in time, into one."""
        ids = self._ids(ids)
        return {"state": self._store.update(lambda s: cleanup.joined(s, ids)).to_json()}

    @_action
    def split_partial(self, partial_id, time) -> dict:
        """Cut a partial in two at `time` s."""
        partial_id, time = self._id(partial_id), number(time, "the time to split at")
        return {"state": self._store.update(lambda s: cleanup.split(s, partial_id, time)).to_json()}

    @_action
    def prune_partials(self, ids, min_duration_ms, min_level_db) -> dict:
        """Delete those of the partials `ids` (null: all) shorter than `min_duration_ms` or
        whose loudest point is below `min_level_db` dBFS; {"count"}, and a "message" when
        none was."""
        among = None if ids is None else self._ids(ids)
        min_duration, min_level = prune_limits(min_duration_ms, min_level_db)
        before = self._store.state
        state = self._store.update(lambda s: cleanup.pruned(s, among, min_duration, min_level))
        count = len(before.partials) - len(state.partials)
        reply = {"count": count, "state": state.to_json()}
        if not count:
            reply["message"] = (
                f"No partial is shorter than {min_duration * 1000:g} ms or weaker than "
                f"{min_level:g} dBFS."
            )
        return reply

    @_action
    def rename_partial(self, partial_id, name) -> dict:
        partial_id, name = self._id(partial_id), text(name, "name", max_length=200)
        return {
            "state": self._store.update(lambda s: editing.renamed(s, partial_id, name)).to_json()
        }

    @_action
    def recolor_partial(self, partial_id, color) -> dict:
        partial_id, color = self._id(partial_id), text(color, "color", max_length=7)
        return {
            "state": self._store.update(lambda s: editing.recolored(s, partial_id, color)).to_json()
        }

    @_action
    def undo(self) -> dict:
        return {"state": self._store.update(lambda s: s.undone()).to_json()}

    @_action
    def redo(self) -> dict:
        return {"state": self._store.update(lambda s: s.redone()).to_json()}

    @_action
    def export_resynthesis(self, fmt, solo, mute) -> dict:
        """Write the partials' additive resynthesis (wav or flac), with the page's solo and
        mute lists of partial ids applied, over the whole file's duration."""
        fmt = text(fmt, "format")
        if fmt not in ("wav", "flac"):
            raise ArgumentError("format must be wav or flac")
        solo, mute = set(self._ids(solo)), set(self._ids(mute))
        state = self._open_document()
        chosen = [
            p.points for p in state.partials if p.id not in mute and (not solo or p.id in solo)
        ]
        if not chosen:
            raise ArgumentError("there are no partials to hear")
        path = self._ask_export_path(fmt, state)  # soundfile takes the format from its name
        if not path:
            return {"cancelled": True}
        audio = state.audio
        try:
            return self._exports.run(
                lambda request_id: ResynthesisJob(
                    request_id=request_id,
                    partials=tuple(chosen),
                    sample_rate=audio.sample_rate,
                    duration=audio.duration,
                    path=path,
                    subtype="FLOAT" if fmt == "wav" else "PCM_24",
                ),
                f"Resynthesising {_count(len(chosen), 'partial')} to {Path(path).name}",
                "samples",
            )
        except JobFailed as error:
            raise ArgumentError(f"the resynthesis was not written: {error}") from None
        except JobCancelled:
            return {"cancelled": True}

    @_action
    def export_region(self, region, band, fmt) -> dict:
        """Write the audio of `region` {start s, end s, fmin Hz, fmax Hz} as `fmt` (wav or
        flac), only its frequencies when `band` is true (app.files.region_audio)."""
        fmt = text(fmt, "format")
        if fmt not in REGION_FORMATS:
            raise ArgumentError(f"a region is written as {' or '.join(REGION_FORMATS)}, not {fmt}")
        band = flag(band, "band")
        state = self._open_document()
        chosen = track_region(region, state.overview.view)
        if chosen is None:
            raise ArgumentError("there is no region to export: drag one with the Select tool")
        path = self._ask_export_path(f"region-{fmt}", state)
        if not path:
            return {"cancelled": True}
        try:
            write_region(
                state.audio,
                chosen.start,
                chosen.end,
                (chosen.fmin, chosen.fmax) if band else None,
                path,
                fmt,
            )
        except OSError as error:
            raise ArgumentError(
                f"cannot write {Path(path).name}: {error.strerror or error}"
            ) from None
        return {"path": path}

    @_action
    def export_image(self, picture) -> dict:
        """Write the picture the page shows, the spectrogram with the partials over it (a PNG
        data URL made by the page), to a file the user chooses."""
        state = self._open_document()
        picture = text(picture, "picture", max_length=MAX_PICTURE_CHARS)
        if not picture.startswith(PNG_DATA_URL):
            raise ArgumentError("the picture must be a PNG data URL")
        try:
            png = base64.b64decode(picture[len(PNG_DATA_URL) :], validate=True)
        except binascii.Error:
            raise ArgumentError("the picture is not valid base64") from None
        if not png.startswith(PNG_SIGNATURE):
            raise ArgumentError("the picture is not a PNG image")
        path = self._ask_export_path("png", state)
        if not path:
            return {"cancelled": True}
        try:
            Path(path).write_bytes(png)
        except OSError as error:
            raise ArgumentError(
                f"cannot write {Path(path).name}: {error.strerror or error}"
            ) from None
        return {"path": path}

    @_action
    def export_figure(self, fmt, width, height, scale) -> dict:
        """Write the view as a figure (svg or png: axes, labels, colour legend, partials) of
        width x height px, a PNG at `scale` pixels per px (app.shell.figure_export)."""
        fmt = text(fmt, "format")
        if fmt not in FIGURE_FORMATS:
            raise ArgumentError(f"a figure is {' or '.join(FIGURE_FORMATS)}, not {fmt}")
        size = FigureSize(
            integer(width, "width", minimum=MIN_SIDE, maximum=MAX_SIDE),
            integer(height, "height", minimum=MIN_SIDE, maximum=MAX_SIDE),
            integer(scale, "resolution", minimum=1, maximum=MAX_SCALE),
        )
        state = self._open_document()
        path = self._ask_export_path(f"figure-{fmt}", state)
        if not path:
            return {"cancelled": True}
        if not export_figure(state, self._exports, self._share, fmt, size, path):
            return {"cancelled": True}
        return {"path": path}

    @_action
    def quit(self) -> dict:
        """Ctrl+Q: close the window, asking first about unsaved changes."""
        if self._dialogs is None:
            raise ArgumentError("there is no window to close in this session")
        self._dialogs.close_window()
        return {}

    @_action
    def cancel_task(self, task_id) -> dict:
        """The progress panel's cancel button."""
        task_id = integer(task_id, "task id", minimum=1, maximum=2**53)
        if not self._progress.cancel(task_id):
            raise ArgumentError("that task has ended or cannot be cancelled")
        return {}

    @_action
    def dismiss_error(self) -> dict:
        """Hide the error banner."""
        return {"state": self._store.update(lambda s: s.dismissed() if s.error else s).to_json()}

    def _ask(self, method: str, *args):
        """A file dialog's answer; it starts where the last one ended, else beside the open
        project or file, else in the home folder (never the folder Soma was started from)."""
        if self._dialogs is None:
            raise ArgumentError("there are no dialogs in this session")
        state = self._store.state
        beside = state.project_path or (state.audio.path if state.audio else None)
        folder = self._last_folder or (str(Path(beside).parent) if beside else str(Path.home()))
        chosen = getattr(self._dialogs, method)(*args, folder)
        if chosen:
            self._last_folder = str(_full_path(chosen).parent)
        return chosen

    def _ask_export_path(self, fmt: str, state) -> str | None:
        """Where to write an export in `fmt` (a key of EXPORT_ENDINGS), asked with the open
        file's stem and the format's ending; the path ends with the format's extension.
        None if cancelled."""
        ending = EXPORT_ENDINGS[fmt]
        chosen = self._ask("save_file", fmt, Path(state.audio.name).stem + ending)
        # Not Path(ending).suffix: ".csv" alone is a hidden file's name, without a suffix.
        return _with_extension(chosen, ending[ending.rindex(".") :]) if chosen else None

    def _confirm(self, title: str, message: str) -> bool:
        return self._dialogs is not None and self._dialogs.confirm(title, message)

    def _ask_project_path(self, state) -> str | None:
        """Where to save `state` as a project, asked; None if cancelled."""
        chosen = self._ask("save_file", "project", _suggested(state))
        if not chosen:
            return None
        return chosen if is_project_path(chosen) else chosen + PROJECT_SUFFIX

    def _save_to(self, path: str | None) -> dict:
        if not path:
            raise ArgumentError("not saved")
        return self._save(path)

    def _save(self, path: str) -> dict:
        state = self._store.state
        path = str(_full_path(path))
        save_document(state, path)
        # Edits made while writing stay unsaved: only the partials written are saved.
        self._store.update(lambda s: s.saved(path, state.partials))
        # The project is what to open again: Recent lists it from now on.
        recent = remember(path, self._store.state.recent)
        saved = self._store.update(lambda s: s.remembering(recent))
        return {"path": path, "state": saved.to_json()}

    def _open_project(self, project: Project, path: str, modified: bool, problem: str = "") -> dict:
        """Open `project` (saved at `path`); `problem`, when not empty, is shown once it is
        open."""
        if project.audio_path is None:
            raise ArgumentError(f"{Path(path).name} names no audio file")
        # What to tell once it is open; appended to while loading, so that the store's
        # update below stays quick.
        changed = [problem] if problem else []

        if not audio_matches(project):
            changed.append(
                f"{Path(project.audio_path).name} has changed since {Path(path).name} was "
                "saved: the partials may not match it"
            )

        def restore(state):
            restored = restored_project(state, project, path, modified)
            return restored.failed(changed[0]) if changed else restored

        return self._open(Path(project.audio_path), Path(path).name, restore)

    def _recovered_work(self, audio: AudioFile):
        """A restore step with the autosaved, never-saved work on `audio`, if the user wants it."""
        if audio.path is None:
            return None
        recovery = recovery_newer_than(None, audio.path)
        if recovery is None or not self._confirm(
            "Recover unsaved work?",
            f"There is autosaved, unsaved work on {audio.name}. Recover it?",
        ):
            return None
        try:
            project = load_project(recovery)
        except ProjectError as error:
            log.warning("%s", error)
            return None
        return lambda s: restored_project(s, project, "", True)

    def _open_document(self):
        state = self._store.state
        if state.audio is None:
            raise ArgumentError("no file is open")
        return state

    def _id(self, value) -> int:
        return integer(value, "partial id", minimum=1, maximum=2**53)

    def _ids(self, values) -> tuple[int, ...]:
        if not isinstance(values, list) or len(values) > MAX_IDS:
            raise ArgumentError("ids must be a list of partial ids")
        return tuple(self._id(v) for v in values)

    def _guide(self, guide, state) -> tuple[tuple[float, float], ...]:
        """A stroke from the page: at least two [t, f] points inside the file's limits."""
        if not isinstance(guide, list) or not 2 <= len(guide) <= MAX_GUIDE_POINTS:
            raise ArgumentError("a trace needs a list of at least two [time, frequency] points")
        limits = state.overview.view
        points = []
        for index, point in enumerate(guide):
            if not isinstance(point, list) or len(point) != 2:
                raise ArgumentError(f"guide point {index} must be [time, frequency]")
            points.append(
                (
                    number(
                        point[0],
                        f"guide point {index} time",
                        minimum=limits.start,
                        maximum=limits.end,
                    ),
                    number(
                        point[1],
                        f"guide point {index} frequency",
                        minimum=limits.fmin,
                        maximum=limits.fmax,
                    ),
                )
            )
        if len({t for t, _ in points}) < 2:
            raise ArgumentError("a trace needs points at two different times at least")
        return tuple(points)

    @_action
    def _reopen(self, path: str | None, restore: Callable[[DocumentState], DocumentState]) -> dict:
        """Open the audio at `path` (the demo when None) with `restore` applied in the same
        update as the open: the page adopts the view of a new file's first state, so the file
        must never be published without what `restore` gives back (a dev-mode restart)."""
        if path is None:
            return self._open(demo_audio, "Demo recording", restore=restore)
        return self._open(_full_path(path), Path(path).name, restore=restore)

    def _may_replace(self, label: str) -> bool:
        """Whether the open document may give way to `label`: asked as closing the window
        would (_settle_unsaved)."""
        state = self._store.state
        return state.audio is None or self._settle_unsaved(
            f"The partials on {state.audio.name} have unsaved changes (kept in the recovery "
            f"file). Save them before opening {label}?"
        )

    def _settle_unsaved(self, question: str) -> bool:
        """With unsaved edits, ask `question` with Save, Don't save and Cancel; whether the
        document may go now (saved, or not wanted). The edits are written to the recovery
        file first (the autosave may not have run yet), so even Don't save loses nothing.
        A save that fails raises its error; one whose dialog is cancelled is a Cancel."""
        state = self._store.state
        if not state.modified or state.audio is None:
            return True
        save_recovery(state)
        if self._dialogs is None:
            return True
        answer = self._dialogs.unsaved(question)
        if answer == "save":
            path = state.project_path or self._ask_project_path(state)
            if not path:  # the save dialog was cancelled: so is what asked
                return False
            self._save(path)
            return True
        return answer == "discard"

    def _show_growing(
        self, ticket: int, shown: list[str], image: Image, payload: bytes, duration: float
    ) -> None:
        """Show the overview of the file that open `ticket` decodes, as far as it is computed,
        in place of the part shown before: `shown` holds the key of the part in the data
        store, one at a time, so that the parts do not push other results out of it."""
        self._data.put(image.key, payload)
        self._store.update(
            lambda s: s.grown(Growing(image, duration)) if ticket == self._latest_open else s
        )
        for key in shown:
            self._data.discard(key)
        shown[:] = [image.key]

    def _open(
        self,
        source: Path | Callable[[], AudioFile],
        label: str,
        restore: Callable | None = None,
    ) -> dict:
        """Open `source`: a file to decode into shared memory (app.shell.opening), or a
        function giving audio decoded already (the demo, the command line's file)."""
        with self._open_lock:
            ticket = next(self._open_counter)
            self._latest_open = ticket
        # Every transition checks the ticket: an older open that is still running must not
        # mark the document busy again, nor replace a newer file, when it gets there; its
        # decode stops at the next block.
        self._store.update(
            lambda s: s.opening(f"Opening {label}") if ticket == self._latest_open else s
        )
        growing_keys: list[str] = []  # the overview shown while the file decodes
        try:
            return self._open_as(ticket, source, label, restore, growing_keys)
        finally:
            for key in growing_keys:  # no state shows it any more
                self._data.discard(key)

    def _open_as(
        self,
        ticket: int,
        source: Path | Callable[[], AudioFile],
        label: str,
        restore: Callable | None,
        growing_keys: list[str],
    ) -> dict:
        """_open's work for open `ticket`."""
        key = f"overview-{ticket}"
        try:
            with self._progress.task(f"Opening {label}") as task:
                if isinstance(source, Path):
                    opened = decode_shared(
                        source,
                        key,
                        task,
                        lambda: ticket == self._latest_open,
                        show=lambda *part: self._show_growing(ticket, growing_keys, *part),
                    )
                else:
                    with task.child("Decoding"):
                        audio = source()
                    opened = decoded(audio, key, task)
        except Exception as error:
            # Whatever went wrong, the document must not stay busy: the page would wait on
            # "Opening ..." for ever. The open file stays; the error banner says why.
            if isinstance(error, SomaError):
                message = str(error)
                log.warning("%s", message)
            else:
                message = f"Cannot open {label}: {error}"
                log.exception("%s", message)
            self._store.update(lambda s: s.failed(message) if ticket == self._latest_open else s)
            raise
        audio, overview = opened.audio, opened.overview
        if ticket != self._latest_open:  # a newer open started meanwhile: it wins
            opened.discard()
            return {"state": self._store.state.to_json()}
        self._data.put(overview.key, opened.payload)
        self._share.share(audio, opened.block)
        self._viewport.file_changed()
        self._snapping.file_changed()  # exports carry their partials: they go on
        if restore is None:
            restore = self._recovered_work(audio)

        def publish(s):
            if ticket != self._latest_open:
                return s
            s = s.opened(audio, overview)
            if audio.notes:  # a truncated or repaired file opens, and the banner says so
                s = s.failed(f"{audio.name}: {' '.join(audio.notes)}")
            return restore(s) if restore is not None else s

        state = self._store.update(publish)
        opened_path = state.project_path or audio.path
        if ticket == self._latest_open and opened_path:
            recent = remember(opened_path, state.recent)
            state = self._store.update(lambda s: s.remembering(recent))
        log.info(
            "opened %s: %.1f s, %d Hz, %d ch; overview in %.0f ms",
            audio.name,
            audio.duration,
            audio.sample_rate,
            audio.channels,
            overview.seconds * 1000,
        )
        return {"state": state.to_json()}

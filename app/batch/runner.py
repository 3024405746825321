"""A batch run: the files' tasks submitted to the cluster, their rows gathered as they
complete, a progress bar of files done, the index kept on disk as it grows.

--resume: a file is skipped when the previous index.json was made with the same settings,
has an ok row for it, and every output of the file is newer than the file
(app.batch.outputs.outputs_current). The skipped file keeps its old row. Since each output
is written atomically and the index only after its file's outputs, a run killed at any
moment leaves outputs that are whole, and index rows only for files whose outputs are all
there: resuming redoes exactly the files without a current ok row, and ends with the
outputs and rows an uninterrupted run writes (the seconds column excepted: timings differ).

Worker loss: the scheduler runs again, on another worker, every task of a worker that died
(up to its allowed-failures, 3 by default; after that a file's task raises KilledWorker and
the file gets an error row). `retries` covers a task that raised for any other reason.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from app.base.errors import error_line
from app.base.files import temporary_target
from app.batch.analysis import BatchSettings, LongFile, analyse_chunk, analyse_file, finish_file
from app.batch.cluster import connected, dashboard_link
from app.batch.index import OK, Row, failed, read_index, write_index
from app.batch.inputs import BatchError, common_root
from app.batch.outputs import outputs_current, outputs_for
from app.progress.tasks import ProgressManager

log = logging.getLogger(__name__)

RETRIES = 2  # a task that raised (not a file's error: those are rows) runs again this often
INDEX_SECONDS = 2.0  # the index on disk is at most this much behind the files done


def run_batch(
    files: list[Path],
    outdir: Path,
    settings: BatchSettings,
    progress: ProgressManager,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    announce: Callable[[str], None],
) -> list[Row]:
    """Analyse `files` (absolute paths, see app.batch.inputs.collect_inputs) into `outdir`.

    Returns the rows of the index, sorted by file. Raises BatchError when `outdir` cannot be
    made or the scheduler cannot be reached; a file's own failure is its row, never an
    exception. `announce` gets the lines for the user (the dashboard's address).
    """
    root = common_root(files)
    outputs = {
        str(path): outputs_for(path, root, outdir, settings.render, settings.formats)
        for path in files
    }
    rows = _resumed_rows(files, outdir, settings, outputs) if resume else {}
    todo = [str(path) for path in files if str(path) not in rows]
    with progress.task("Files", total=len(files), unit="files") as task:
        task.update(len(rows))
        if not todo:
            _make(outdir)
            _write(outdir, settings, rows)
            return sorted(rows.values(), key=lambda row: row.file)
        # The cluster first: a scheduler that cannot be reached leaves OUTDIR as it was.
        with connected(scheduler, workers) as client:
            _make(outdir)
            link = dashboard_link(client)
            if link:
                announce(f"Dask dashboard: {link}")
            written = -math.inf  # the first row is written at once, then every INDEX_SECONDS
            try:
                for path, row in _completed(client, todo, outputs, settings):
                    rows[path] = row
                    task.update(advance=1)
                    if time.monotonic() - written >= INDEX_SECONDS:
                        _write(outdir, settings, rows)
                        written = time.monotonic()
            finally:
                _write(outdir, settings, rows)  # also when interrupted: what is done is kept
        _remove_leftovers(outputs[path] for path in todo)
    return sorted(rows.values(), key=lambda row: row.file)


def _completed(client, todo: list[str], outputs, settings: BatchSettings):
    """(path, Row) for each file of `todo`, in the order they complete."""
    from distributed import as_completed

    paths = {}
    for path in todo:
        future = client.submit(
            analyse_file, path, outputs[path], settings, retries=RETRIES, pure=False
        )
        paths[future] = path
    pending = as_completed(list(paths))
    for future in pending:
        path = paths.pop(future)
        try:
            result = future.result()
        except Exception as error:  # KilledWorker, or a bug: the file's row, not the run's end
            log.warning("%s: %s", path, error_line(error), exc_info=not _lost_worker(error))
            result = failed(path, f"{type(error).__name__}: {error_line(error)}")
        finally:
            future.release()
        if isinstance(result, LongFile):
            chunks = [
                client.submit(
                    analyse_chunk, path, result.info, chunk, settings, retries=RETRIES, pure=False
                )
                for chunk in result.chunks
            ]
            final = client.submit(
                finish_file,
                path,
                outputs[path],
                settings,
                result.info,
                chunks,
                result.seconds,
                retries=RETRIES,
                pure=False,
            )
            paths[final] = path
            pending.add(final)
            continue
        yield path, result


def _lost_worker(error: BaseException) -> bool:
    from distributed import KilledWorker

    return isinstance(error, KilledWorker)


def _resumed_rows(files, outdir: Path, settings: BatchSettings, outputs) -> dict[str, Row]:
    previous = read_index(outdir)
    if previous is None or previous[0] != settings.to_json():
        return {}
    old_rows = previous[1]
    return {
        str(path): old_rows[str(path)]
        for path in files
        if str(path) in old_rows
        and old_rows[str(path)].status == OK
        and outputs_current(path, outputs[str(path)])
    }


def _remove_leftovers(outputs) -> None:
    """Remove the temporary files that writers killed mid-write (a lost worker) left beside
    this run's outputs. Every task has ended, so none is being written; the writers' pids are
    of other machines on a cluster, so they are not asked about."""
    names: dict[Path, set[str]] = {}
    for file_outputs in outputs:
        for path in file_outputs.paths():
            names.setdefault(path.parent, set()).add(path.name)
    for folder, ours in names.items():
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if temporary_target(entry.name) in ours and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _make(outdir: Path) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(f"cannot make '{outdir}': {error.strerror or error}") from None


def _write(outdir: Path, settings: BatchSettings, rows: dict[str, Row]) -> None:
    try:
        write_index(outdir, settings.to_json(), rows.values())
    except OSError as error:
        raise BatchError(
            f"cannot write the index in '{outdir}': {error.strerror or error}"
        ) from None

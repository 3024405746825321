"""Where Soma's log goes: a rotating file in the user's log folder, and the page's log panel.

The file keeps a record across runs for bug reports; the panel shows the same lines live,
with warnings and errors also as a toast, without touching the progress display.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from app.base.places import state_dir

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
KEEP_IN_PAGE = 200  # records the page can show; older ones are in the file
_FORMATTER = logging.Formatter(FORMAT)  # formats the tracebacks the page is sent


def log_dir() -> Path:
    """The logs folder in Soma's state folder (app.base.places)."""
    return state_dir() / "logs"


def configure(verbose: bool = False) -> Path | None:
    """Send the log to the rotating file (and warnings to stderr); the file's path, or None
    when the folder cannot be written (Soma runs on: the log is a help, not a need)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    path = log_dir() / "soma.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("no log file (%s): %s", path, error)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    return path


def log_traceback(logger: logging.Logger, message: str, traceback_text: str) -> None:
    """Log `message` at ERROR with `traceback_text`, a traceback formatted in another process
    (a worker has no log of its own): the file shows it under the message as it shows the
    traceback of `logger.exception`, and the page's log panel gets it with the record."""
    if not logger.isEnabledFor(logging.ERROR):
        return
    record = logger.makeRecord(logger.name, logging.ERROR, __file__, 0, message, (), None)
    record.exc_text = traceback_text.rstrip("\n")
    logger.handle(record)


class PageLogHandler(logging.Handler):
    """Keeps the newest records and sends them all, numbered, to the page.

    The send is coalesced by the push channel, so a burst of records costs one evaluate_js;
    the page shows the records whose number it has not seen yet. A record with a traceback
    (`log.exception`, `log_traceback`) carries it as "traceback": the panel shows it under the
    line, the toast shows the one line. `send(event, serial)` gets
    the newest record's number as the event's revision: records are logged on many threads
    and their sends can arrive out of order.
    """

    def __init__(self, send: Callable[[dict, int], None], level: int = logging.INFO) -> None:
        super().__init__(level)
        self._send = send
        self._records: deque[dict] = deque(maxlen=KEEP_IN_PAGE)
        self._serial = 0
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in a log call must not break the caller
            message = str(record.msg)
        trace = record.exc_text
        if trace is None and record.exc_info:
            trace = _FORMATTER.formatException(record.exc_info)
        with self._guard:
            self._serial += 1
            self._records.append(
                {
                    "serial": self._serial,
                    "level": record.levelname,
                    "name": record.name,
                    "message": message,
                    "time": record.created,
                    "traceback": trace,
                }
            )
            records, serial = list(self._records), self._serial
        self._send({"type": "logs", "records": records}, serial)

"""The files opened lately, newest first, kept across sessions (state folder, recent.json).

A JSON list of absolute paths. A list that cannot be read (damaged, nested too deep, not a
regular file, too large: app.base.files) is ignored and logged, never an error: it is a convenience,
and Soma must start without it. Paths whose files have gone are dropped when the list is read.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from app.base.files import read_limited, write_atomic
from app.base.jsontext import parse_json
from app.base.places import state_dir

log = logging.getLogger(__name__)

MAX_RECENT = 10


def recent_path() -> Path:
    return state_dir() / "recent.json"


def load_recent() -> tuple[str, ...]:
    """The remembered paths that still exist, newest first."""
    path = recent_path()
    try:
        listed = parse_json(read_limited(path).decode("utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        log.warning("ignoring the recent files list %s: %s", path, error)
        return ()
    if not isinstance(listed, list):
        log.warning("ignoring the recent files list %s: not a list", path)
        return ()
    return tuple(p for p in listed if isinstance(p, str) and os.path.isfile(p))[:MAX_RECENT]


def remember(path: str, recent: tuple[str, ...]) -> tuple[str, ...]:
    """`recent` with `path` (made absolute) first, once, at most MAX_RECENT long; written to
    the list file (a failure is logged: the list in memory is still right)."""
    path = os.path.abspath(path)
    return _write(((path, *tuple(p for p in recent if p != path)))[:MAX_RECENT])


def forget_gone(recent: tuple[str, ...]) -> tuple[str, ...]:
    """`recent` without the files that no longer exist (one was just chosen and not found);
    written to the list file when that changes it."""
    kept = tuple(p for p in recent if os.path.isfile(p))
    return recent if kept == recent else _write(kept)


def _write(updated: tuple[str, ...]) -> tuple[str, ...]:
    try:
        recent_path().parent.mkdir(parents=True, exist_ok=True)
        write_atomic(recent_path(), json.dumps(list(updated), indent=1).encode("utf-8"))
    except OSError as error:
        log.warning("cannot write the recent files list: %s", error)
    return updated

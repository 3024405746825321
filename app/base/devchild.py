"""The dev-mode protocol's terms both sides use: the supervisor (app.dev.supervisor, whose docstring
and docs/dev-mode.md describe the protocol) and the app it runs (its child): the exit code that
asks for a restart, the environment, the signals, and the state file.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from app.base.files import write_atomic

RESTART_EXIT_CODE = 3
STATE_ENV = "SOMA_DEV_STATE"
DEV_ENV = "SOMA_DEV"
RELOAD_SIGNAL = signal.SIGUSR1
RESTART_SIGNAL = signal.SIGUSR2


def dev_state_path() -> Path | None:
    """The state file when running under `soma --dev`, else None."""
    value = os.environ.get(STATE_ENV)
    return Path(value) if value else None


def read_dev_state():
    """The state saved before the last restart (parsed JSON), or None on a first start.

    Raises OSError, or ValueError for a file that is not UTF-8 JSON; what the JSON holds is
    the app's to check (app.dev.saved_state.load).
    """
    path = dev_state_path()
    if path is None or not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_dev_state(data) -> Path:
    """Writes `data` as JSON to the state file atomically."""
    path = dev_state_path()
    if path is None:
        raise RuntimeError(f"{STATE_ENV} is not set: not running under soma --dev")
    write_atomic(path, json.dumps(data).encode("utf-8"))
    return path

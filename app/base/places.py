"""Where Soma keeps its own files: logs, recovery files, the recent files list.

$XDG_STATE_HOME/soma (default ~/.local/state/soma; a relative XDG_STATE_HOME is invalid and
ignored, as the XDG spec says), or %LOCALAPPDATA%\\soma on Windows.
"""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """The folder for Soma's state (it may not exist yet)."""
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
        return Path(base) / "soma"
    base = os.environ.get("XDG_STATE_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.expanduser("~/.local/state")
    return Path(base) / "soma"

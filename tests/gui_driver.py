"""Runs Soma's real window for a GUI test and lets the test talk to its page.

    python tests/gui_driver.py [AUDIO | PROJECT.soma.json]

Reads one JSON request per line on stdin: {"eval": "<js expression>"} or {"quit": true}.
Answers each with one line on stdout, `@@ {"result": ...}` or `@@ {"error": "..."}`; the
prefix tells the answers apart from whatever Qt and Chromium print.
"""

import json
import os
import sys
import threading

from app.base.formats import is_project_path
from app.shell.window import run_window

PREFIX = "@@ "


def answer(message: dict) -> None:
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def serve(window) -> None:
    answer({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("quit"):
            break
        try:
            answer({"result": window.evaluate_js(request["eval"])})
        except Exception as error:  # the test reads the message
            answer({"error": f"{type(error).__name__}: {error}"})
    window.destroy()


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else None
    project = path if path and is_project_path(path) else None
    return run_window(
        path if path and not project else None,
        project,
        on_ready=lambda window: threading.Thread(target=serve, args=(window,), daemon=True).start(),
    )


if __name__ == "__main__":
    sys.exit(main())

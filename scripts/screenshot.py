"""Save a PNG of the whole X screen named by $DISPLAY: `python scripts/screenshot.py OUT.png`.

Uses Qt, which Soma already depends on, so no extra screenshot tool needs installing.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
from PyQt6.QtGui import QGuiApplication


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: screenshot.py OUT.png", file=sys.stderr)
        return 2
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    if screen is None or not screen.grabWindow(0).save(sys.argv[1], "PNG"):
        print(
            f"screenshot.py: cannot grab the screen of {os.environ.get('DISPLAY')}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

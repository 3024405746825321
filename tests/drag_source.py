"""A stand-in for a file manager in the GUI tests: a small window that starts a real X
drag-and-drop (XDND) of a file when the mouse is pressed on it.

    python tests/drag_source.py FILE X Y

Shows itself, SIZE px square, at screen position X, Y (Xvfb runs no window manager, so it
stays there), prints "ready" once it is up, and prints the drop action when a drag ends.
"""

import sys

from PyQt6.QtCore import QMimeData, Qt, QUrl
from PyQt6.QtGui import QDrag
from PyQt6.QtWidgets import QApplication, QLabel

SIZE = 40
TITLE = "Drag source"  # what the test waits for to be mapped


class DragSource(QLabel):
    def __init__(self, path: str) -> None:
        super().__init__("drag me")
        self.path = path

    def mousePressEvent(self, event) -> None:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(self.path)])
        drag = QDrag(self)
        drag.setMimeData(data)
        print(f"dropped {drag.exec(Qt.DropAction.CopyAction).name}", flush=True)


def main() -> None:
    path, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    app = QApplication(sys.argv[:1])
    source = DragSource(path)
    source.setGeometry(x, y, SIZE, SIZE)
    source.setWindowTitle(TITLE)
    source.show()
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()

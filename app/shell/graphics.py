"""How Qt Quick draws the window: in software where OpenGL has no GPU under it.

Qt WebEngine shows the page through Qt Quick, which draws with OpenGL by default. Where that
OpenGL is a software rasteriser (Mesa's llvmpipe: Xvfb, most virtual machines and remote
desktops), every frame the page paints is rasterised a second time, on the CPU, by llvmpipe's
threads. Measured on a 2-core machine under Xvfb: the page's busy spinner, at 60 frames a
second, cost 1.05 cores in llvmpipe against 0.13 of a core with Qt Quick's software renderer.
Beside it, a 30 s CWT in the viewport worker ran 15 % slower, and a js_api call's round trip
waited behind the GUI thread: 46 ms at the 99th percentile against 16 ms (docs/benchmarks.md).
On a GPU, OpenGL stays: there it costs the CPU nothing.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import sys

log = logging.getLogger(__name__)

GL_RENDERER = 0x1F01
# GL_RENDERER strings of Mesa's software rasterisers (llvmpipe, softpipe, the classic swrast).
SOFTWARE_RASTERISERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer")

_application = None  # the QApplication made here, which pywebview then uses: kept alive


def is_software(renderer: str | None) -> bool:
    """Whether an OpenGL GL_RENDERER string names a software rasteriser (None: no OpenGL)."""
    return renderer is None or any(name in renderer.lower() for name in SOFTWARE_RASTERISERS)


def opengl_renderer() -> str | None:
    """GL_RENDERER of an OpenGL context made here, None when none can be made.

    Needs a QGuiApplication; takes about 40 ms, most of it loading the OpenGL driver, which Qt
    would load anyway to draw with it.
    """
    from PyQt6.QtGui import QOffscreenSurface, QOpenGLContext

    surface = QOffscreenSurface()
    surface.create()
    context = QOpenGLContext()
    try:
        if not context.create() or not context.makeCurrent(surface):
            return None
        address = context.getProcAddress(b"glGetString")
        if not address:
            return None
        get_string = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_uint)(int(address))
        renderer = get_string(GL_RENDERER)
        context.doneCurrent()
        return renderer.decode(errors="replace") if renderer else None
    finally:
        surface.destroy()


def choose_scene_graph() -> str:
    """Make the QApplication and pick Qt Quick's renderer before any window exists.

    Returns "software" or "opengl", or the QT_QUICK_BACKEND value when the user set one
    (their choice wins, and nothing is probed).
    """
    global _application
    chosen = os.environ.get("QT_QUICK_BACKEND")
    if chosen:
        return chosen
    # Qt WebEngine must be loaded before the application exists (it shares OpenGL contexts).
    importlib.import_module("PyQt6.QtWebEngineWidgets")
    from PyQt6.QtQuick import QQuickWindow, QSGRendererInterface
    from PyQt6.QtWidgets import QApplication

    _application = QApplication.instance() or QApplication(sys.argv)
    renderer = opengl_renderer()
    if not is_software(renderer):
        log.info("OpenGL renderer %s: Qt Quick draws with OpenGL", renderer)
        return "opengl"
    QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)
    log.info("OpenGL renderer %s is not a GPU: Qt Quick draws in software", renderer)
    return "software"

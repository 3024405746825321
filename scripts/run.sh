#!/usr/bin/env bash
# `make run [FILE=...]`: open Soma's window. On a machine with no display (a server, CI, a
# container) the window opens on a virtual screen, and scripts/screenshot.py shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    display=":${SOMA_XVFB_DISPLAY:-99}"
    if [ ! -e "/tmp/.X11-unix/X${display#:}" ]; then
        Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
        sleep 1
    fi
    export DISPLAY="$display"
    echo "No display: Soma runs on the virtual screen $DISPLAY." \
         "See it with: DISPLAY=$DISPLAY .venv/bin/python scripts/screenshot.py soma.png"
fi
exec .venv/bin/soma "$@"

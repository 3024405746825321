#!/usr/bin/env bash
# `make run [FILE=...]`: open Soma's window. On a machine with no display (a server, CI, a
# container) the window opens on a virtual screen, and scripts/screenshot.py shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    display=":${SOMA_XVFB_DISPLAY:-99}"
    # A server already answering on that display is used; the socket and lock files one that
    # died left behind do not count (make run failed on Qt's "could not connect" after a
    # crash, and the lock may still name a process long gone).
    if ! DISPLAY="$display" xdotool getdisplaygeometry >/dev/null 2>&1; then
        # Xvfb writes the display's number to -displayfd once it accepts clients. With
        # -terminate it ends when its last client, the window, has gone; not in dev mode,
        # whose window is gone for a moment at every restart.
        ending=(-terminate)
        if [ "${1:-}" = "--dev" ]; then ending=(); fi
        exec 3< <(Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp "${ending[@]}" \
            -displayfd 1 2>/dev/null)
        if ! read -r -t 10 _ <&3; then
            echo "Xvfb did not start on $display" >&2
            exit 1
        fi
    fi
    export DISPLAY="$display"
    echo "No display: Soma runs on the virtual screen $DISPLAY." \
         "See it with: DISPLAY=$DISPLAY .venv/bin/python scripts/screenshot.py soma.png"
fi
exec .venv/bin/soma "$@"

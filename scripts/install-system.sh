#!/usr/bin/env bash
# Installs the Debian packages Soma needs to open a Qt WebEngine window under X
# (and Xvfb + xdotool, which the GUI tests drive). Run by `make`; safe to re-run.
# As root on Debian it apt-gets what is missing; elsewhere it prints the command.
# With the argument `bench`, also the libraries the benchmarks' peers link.
set -euo pipefail

packages=(
    # Qt's xcb platform plugin and Qt WebEngine (Chromium) at run time
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon0
    libxkbcommon-x11-0 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxi6 libxrender1
    libxshmfence1 libxkbfile1 libnss3 libasound2 libegl1 libgl1 libopengl0 libgbm1
    libdbus-1-3 libfontconfig1 libglib2.0-0 fonts-dejavu-core
    # the GUI tests: a virtual screen and synthetic mouse and key events
    xvfb xdotool
    # the snap tests' spoken sentence
    espeak-ng
    # scripts/compile_linking.py: the tracker's linking compiled ahead of time
    gcc libc6-dev
)
# ... and Python's headers, which a Python built from source has and Debian's keeps apart.
"${PYTHON:-python3}" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' ||
    packages+=(python3-dev)
# The web modules' tests run on Node; a machine that already has a node keeps it.
command -v node >/dev/null || packages+=(nodejs)
# `install-system.sh bench`: also what the benchmarks' peers need (fcwt links FFTW), and
# the synthesiser and soundfont of benchmarks/track_real_sounds.py.
[ "${1:-}" = "bench" ] && packages+=(libfftw3-single3 fluidsynth fluid-soundfont-gm)

command -v dpkg-query >/dev/null || exit 0  # not Debian: nothing we know how to check
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Soma needs these system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Set up what is missing, then start Live Captions: on Debian/Ubuntu the PortAudio library that
# microphone capture needs (root, or sudo -n; otherwise a message, and the app starts anyway),
# and a virtual environment ($VENV, default .venv) with the locked versions of the project's
# dependencies (requirements/app.txt), torch (the CPU build; PyPI's CUDA build where an NVIDIA
# GPU answers) and the project.
# Usage: bash scripts/run.sh [live-captions arguments]   e.g. bash scripts/run.sh transcribe talk.mp3
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system_packages.sh
source scripts/system_packages.sh

if [ "$(uname -s)" = Linux ]; then
    # sounddevice's Linux wheels do not bundle PortAudio (those for Windows and macOS do).
    ensure_debian_packages libportaudio2
fi
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    ensure_python_venv
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import engine, torch, fastapi, PySide6" 2> /dev/null; then
    # The pinned torch: the CPU build, or PyPI's CUDA build where an NVIDIA GPU answers
    # (environment.yml is the CUDA route that picks the CUDA version; see README).
    "$VENV/bin/pip" install -q --require-hashes -r requirements/app.txt
    install_torch "$VENV/bin/pip" auto "torch==2.13.0"
    "$VENV/bin/pip" install -q --no-deps -e .
fi
exec "$VENV/bin/live-captions" "$@"

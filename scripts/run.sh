#!/usr/bin/env bash
# Set up a virtual environment (if needed) and start Live Captions.
# Usage: bash scripts/run.sh [live-captions arguments]   e.g. bash scripts/run.sh transcribe talk.mp3
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import engine, torch" 2> /dev/null; then
    # CPU build of torch; for CUDA use environment.yml (see README).
    "$VENV/bin/pip" install -q "torch==2.13.0"
    "$VENV/bin/pip" install -q -e .
fi
exec "$VENV/bin/live-captions" "$@"

#!/usr/bin/env bash
# Set up a virtual environment (if needed) and run the test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
# torch is pinned: 2.13.0 is a CPU wheel on our machines; an open range pulls a multi-GB CUDA build.
"$VENV/bin/pip" install -q --upgrade pip > /dev/null
"$VENV/bin/pip" install -q "torch==2.13.0"
"$VENV/bin/pip" install -q -e ".[dev]"
# Static checks first: lint, formatting, types (configured in pyproject.toml).
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export HF_HUB_OFFLINE=1
set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
code=$?
set -e
# pytest exits 5 when it collected no tests (e.g. a -k filter matching nothing): not a failure here.
if [ "$code" -eq 5 ]; then
    echo "no tests were collected"
    exit 0
fi
exit "$code"

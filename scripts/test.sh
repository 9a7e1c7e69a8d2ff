#!/usr/bin/env bash
# The README's test command, and CI's (.ci/run): sets up everything, then runs every check.
#   1. Debian/Ubuntu packages the tests use, the missing ones only (root, or sudo -n; otherwise
#      one message, and the run goes on and lists at its end the tests skipped meanwhile).
#   2. A virtual environment ($VENV, default .venv) with the locked versions of the project's
#      dependencies (requirements/dev.txt, checked against their hashes; scripts/lock.sh updates
#      it), torch (CPU build) and the project.
#   3. ruff (lint and format check) and mypy; then pytest. Under CI (CI set, as .ci/run does)
#      that includes the packaging tests, which build the frozen app (LC_RUN_PACKAGING=0: not).
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system_packages.sh
source scripts/system_packages.sh

TEST_PACKAGES=(
    # speech for the tests, and conversions
    espeak-ng flite festival festvox-kallpc16k festvox-us-slt-hts sox libsox-fmt-all ffmpeg
    # microphone capture (PortAudio) against a PulseAudio null sink
    libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins
    # Qt: offscreen needs the GL, font and D-Bus libraries; the real-window tests need Xvfb
    xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-cursor0
    openbox xdotool
    libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    # the caption web page in a headless browser; English words and sentences
    chromium wamerican fortune-mod fortunes-min
)
ensure_debian_packages "${TEST_PACKAGES[@]}"
missing_packages=("${NOT_INSTALLED[@]}")

VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    ensure_python_venv
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip > /dev/null
"$VENV/bin/pip" install -q --require-hashes -r requirements/dev.txt
# torch is pinned apart (an open range pulls the newest CUDA build), from PyTorch's CPU index on
# Linux; then the project itself, whose dependencies the lock has installed.
install_torch "$VENV/bin/pip" cpu "torch==2.13.0"
"$VENV/bin/pip" install -q --no-deps -e .
# The installed packages' requirements fit each other (pip names what does not).
if ! broken=$("$VENV/bin/pip" check); then
    echo "$broken" >&2
    exit 1
fi

# Static checks first: lint, formatting, types (configured in pyproject.toml).
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"

export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export HF_HUB_OFFLINE=1
# tests/skip_policy.py lists, at the end, the tests skipped while these are missing.
export LC_MISSING_DEBIAN_PACKAGES="${missing_packages[*]}"
set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
code=$?
set -e
if [ "${#missing_packages[@]}" -gt 0 ]; then
    echo "note: the Debian packages ${missing_packages[*]} are not installed: the tests that" \
        "need them were skipped (listed above, under 'set-up that is missing')" >&2
fi
# pytest exits 5 when it collected no tests (e.g. a -k filter matching nothing): not a failure here.
if [ "$code" -eq 5 ]; then
    echo "no tests were collected"
    exit 0
fi
exit "$code"

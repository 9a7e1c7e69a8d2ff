#!/usr/bin/env bash
# Updates the lock of the app's dependencies, requirements/*.txt, from pyproject.toml's ranges:
# exact versions with the sha256 of every file PyPI has for them, for Linux, Windows and macOS
# and every Python that pyproject allows (markers pick per platform where they differ). Made
# with uv's `pip compile` (its version pinned below, installed into $LC_LOCK_TOOLS), whose
# output pip installs with --require-hashes. See docs/development.md, "Dependencies and the lock".
#   requirements/dev.txt    .[all,dev,packaging]  scripts/test.sh, CI
#   requirements/build.txt  .[all,packaging]      the frozen app (installer/build.py, build.ps1)
#   requirements/app.txt    .[all]                scripts/run.sh
#   requirements/api.txt    .[api]                the Dockerfiles
# The smaller sets are cut from dev.txt (its versions as constraints), so all four agree.
# torch is not in them: its build depends on the flavour (CPU, CUDA 13.0) and comes from
# PyTorch's index at the pin below (scripts/system_packages.sh, install_torch), with the CUDA
# libraries its own metadata pins; the lock has torch's other dependencies, resolved with it.
# Usage: bash scripts/lock.sh                      keep the locked versions, add what is new
#        bash scripts/lock.sh --upgrade            the newest versions pyproject allows
#        bash scripts/lock.sh --upgrade-package transformers
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
TORCH="torch==2.13.0" # as scripts/test.sh, scripts/run.sh (tests/unit/test_environment.py)
PYTHON=3.10           # the oldest Python pyproject allows; the lock covers the newer ones too

# uv's own virtual environment, outside the checkout.
TOOLS="${LC_LOCK_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/live-captions/lock-tools}"
if ! "$TOOLS/bin/uv" --version 2> /dev/null | grep -qx "uv $UV_VERSION.*"; then
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/pip" install -q "uv==$UV_VERSION"
fi
uv="$TOOLS/bin/uv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "$TORCH" > "$work/torch.txt"

compile() { # OUTPUT EXTRA... [uv options]
    local output=$1
    shift
    "$uv" pip compile pyproject.toml --quiet --universal --python-version "$PYTHON" \
        --generate-hashes --constraints "$work/torch.txt" --no-emit-package torch \
        "${NOT_EMITTED[@]}" --custom-compile-command "bash scripts/lock.sh" \
        --output-file "$output" "$@"
}

# torch's CUDA libraries (NVIDIA's packages and triton, Linux only) come with the CUDA build of
# torch and are pinned by it: a first resolution names them, and the lock leaves them out.
NOT_EMITTED=()
compile "$work/all.txt" --extra all --extra dev --extra packaging "$@"
for name in $(grep -oE '^(nvidia-|cuda-|triton)[a-z0-9-]*' "$work/all.txt" | sort -u); do
    NOT_EMITTED+=(--no-emit-package "$name")
done

mkdir -p requirements
compile requirements/dev.txt --extra all --extra dev --extra packaging "$@"
compile requirements/build.txt --extra all --extra packaging --constraints requirements/dev.txt
compile requirements/app.txt --extra all --constraints requirements/dev.txt
compile requirements/api.txt --extra api --constraints requirements/dev.txt
echo "locked: $(grep -cE '^[a-z0-9]' requirements/dev.txt) requirements in requirements/dev.txt" \
    "($TORCH apart); check: python -m pytest tests/unit/test_lock.py"

#!/usr/bin/env bash
# Download the wheels that bench/gpu_check.sh installs on a bare CUDA machine into .whl/.
#
# The lent GPU machine (Python 3.12, x86-64) has torch, transformers, numpy, onnxruntime,
# huggingface_hub, safetensors, tqdm, click, pytest and pytest-timeout, and no internet. The
# engine path, the benches and the gpu tests need these besides (no Qt, no web framework, no
# PyAV: nothing there decodes compressed audio). Versions are those of the development venv.
#
#   bash bench/gpu_wheels.sh            # then run the device command of bench/gpu_check.sh
#   PYVER=3.11 DEST=/tmp/whl311 bash bench/gpu_wheels.sh   # for a dry run with another Python
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PYVER=${PYVER:-3.12}
DEST=${DEST:-.whl}
WHEELS=(
    soxr==1.1.0          # engine.audio resamples with it (imported by engine.transcribe)
    soundfile==0.14.0    # WAV reading in engine.audio and the tests (bundles libsndfile)
    cffi==2.1.1          # soundfile's binding
    pycparser==3.12      # cffi's dependency
    platformdirs==4.14.8 # engine's settings/cache folders
    jiwer==4.0.0         # the file bench's character error rate between variants
    rapidfuzz==3.14.6    # jiwer's dependency
    flashlight-text==0.0.7  # beam search with KenLM (engine.lm; the gpu tests' LM decoding)
)
rm -rf "$DEST" && mkdir -p "$DEST"
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version "$PYVER" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 -d "$DEST" "${WHEELS[@]}" 2> >(grep -v "is ignored: it is neither" >&2)
du -sh "$DEST"
ls "$DEST"

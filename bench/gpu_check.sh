#!/usr/bin/env bash
# The CUDA check, one command on a lent GPU machine (bare: torch, transformers, numpy,
# onnxruntime; no internet), in under 9 minutes:
#
#   here, once:  bash bench/gpu_wheels.sh                     # the missing wheels -> .whl/ (5 MB)
#   there:       bash bench/gpu_check.sh                      # carry .whl; $OUT gets the results
#   here, to see that it works:  bash bench/gpu_check.sh --cpu-dry-run
#
# Steps, each under its own time limit (a step that overruns is stopped and the rest go on):
# install .whl/ into /tmp/site; record the environment; import the engine; the `gpu`-marked
# tests (float16 on CUDA against float32: the demo model, and a tiny model of every CTC family);
# float16 against float32 for each family's flagship architecture with random weights
# (bench/float16_families.py: Parakeet 0.6b, OmniASR 300m, w2v-BERT, HuBERT-large, base-960h;
# a family the machine's transformers lacks is reported as missing, not failed); file
# transcription against the HF pipeline, both float16 on CUDA; real-time streams with and
# without the scheduler's batching; streaming latency. The last line of stdout is one
# JSON object; with $OUT set, $OUT holds gpu_check.json (that line), gpu_check_full.json (every
# bench's own JSON) and gpu_check.log (everything printed).
#
# --cpu-dry-run: the same steps on the CPU with tiny sizes (the gpu tests in float16 on the
# CPU via LC_GPU_TESTS_ON_CPU=1). PYTHON picks the interpreter, LC_WHEELS the wheel folder.
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=cuda
if [[ ${1:-} == --cpu-dry-run ]]; then
    MODE=cpu-dry-run
elif [[ $# -gt 0 ]]; then
    echo "usage: bash bench/gpu_check.sh [--cpu-dry-run]" >&2
    exit 2
fi
PY=${PYTHON:-python3}
WHEELS=${LC_WHEELS:-.whl}
SITE=${LC_SITE:-/tmp/site}
WORK=$(mktemp -d /tmp/gpu-check.XXXXXX)
LOG=${OUT:+$OUT/gpu_check.log}
LOG=${LOG:-$WORK/gpu_check.log}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
START=$SECONDS

if [[ $MODE == cuda ]]; then
    DEVICE=cuda
    TESTS_ENV=()
    FAMILY_ARGS=(--device cuda)
    FILE_ARGS=(--device cuda --lengths 60,300)
    STREAM_ARGS=(--device cuda --counts 1,8,32,64,128 --seconds 8) # 1-32 all held on an H100
    LATENCY_ARGS=(--device cuda --seconds 20)
    # tests, families, file, streams, latency: 530 s at most, under 9 min with set-up (the
    # whole check took 244 s before the families' steps: these are ceilings, not estimates)
    LIMITS=(150 130 110 100 40)
else
    DEVICE=cpu
    TESTS_ENV=(LC_GPU_TESTS_ON_CPU=1)
    FAMILY_ARGS=(--device cpu --only wav2vec2-base --seconds 3 --threads 1)
    FILE_ARGS=(--device cpu --lengths 6,8 --variants pipeline_fp32,ours_fp32 --threads 1)
    STREAM_ARGS=(--device cpu --counts 1,2 --seconds 4 --threads 1)
    LATENCY_ARGS=(--device cpu --seconds 6 --threads 1)
    LIMITS=(1200 300 600 300 200) # a busy shared 2-core machine, float16 on a CPU
fi

# step NAME LIMIT COMMAND...: run with a time limit, output to the log and to WORK/NAME.log
step() {
    local name=$1 limit=$2 t0=$SECONDS
    shift 2
    echo "=== $name (limit ${limit} s, $((SECONDS - START)) s so far)" | tee -a "$LOG"
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$WORK/$name.log" >>"$LOG"
    local rc=${PIPESTATUS[0]}
    echo "$rc" >"$WORK/$name.rc"
    echo $((SECONDS - t0)) >"$WORK/$name.wall"
    echo "=== $name: exit $rc after $((SECONDS - t0)) s" | tee -a "$LOG"
    tail -n 3 "$WORK/$name.log" | cut -c1-400
}

if compgen -G "$WHEELS/*.whl" >/dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" "$WHEELS"/*.whl 2>&1 | tee -a "$LOG"
else
    echo "no wheels in $WHEELS (bash bench/gpu_wheels.sh makes them)" | tee -a "$LOG"
fi
export PYTHONPATH=$SITE:$PWD

step env 60 "$PY" - "$MODE" <<'EOF'
import json, os, platform, sys
import numpy, torch, transformers
info = {"mode": sys.argv[1], "python": platform.python_version(), "torch": torch.__version__,
        "transformers": transformers.__version__, "numpy": numpy.__version__,
        "cpus": os.cpu_count(), "load_avg_1min": round(os.getloadavg()[0], 2),
        "cuda": torch.cuda.is_available()}
if info["cuda"]:
    info["gpu"] = torch.cuda.get_device_name(0)
    info["cuda_version"] = torch.version.cuda
try:
    import onnxruntime
    info["onnxruntime"] = onnxruntime.__version__
except ImportError:
    info["onnxruntime"] = None
print(json.dumps(info))
EOF
step imports 60 "$PY" -c "import engine, engine.transcribe, engine.streaming, engine.scheduler, \
soundfile, soxr; print('engine imports fine')"
step tests "${LIMITS[0]}" env "${TESTS_ENV[@]}" "$PY" -m pytest -q -p no:cacheprovider \
    -o addopts="" -m gpu --junitxml="$WORK/tests.xml" \
    tests/integration/test_gpu.py tests/integration/test_model_loading.py \
    tests/integration/test_families.py
step float16_families "${LIMITS[1]}" "$PY" -m bench.float16_families "${FAMILY_ARGS[@]}"
step file_transcription "${LIMITS[2]}" "$PY" -m bench.file_transcription "${FILE_ARGS[@]}"
step concurrent_streams "${LIMITS[3]}" "$PY" -m bench.concurrent_streams "${STREAM_ARGS[@]}"
step streaming_latency "${LIMITS[4]}" "$PY" -m bench.streaming_latency "${LATENCY_ARGS[@]}"
echo $((SECONDS - START)) >"$WORK/total.wall"
echo "=== done on $DEVICE in $((SECONDS - START)) s; work files in $WORK" | tee -a "$LOG"
"$PY" -m bench.gpu_check_report "$WORK" "${OUT:-}" | tee -a "$LOG"

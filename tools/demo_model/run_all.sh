#!/usr/bin/env bash
# Demo model, end to end: synthesise data -> train -> evaluate -> export -> check the export.
# Resumable: finished data shards are kept and training continues from work/checkpoint.pt.
#   DEMO_TRAIN_MINUTES=205 bash tools/demo_model/run_all.sh
# Environment: PYTHON (default /work/venv/bin/python), DEMO_TRAIN_MINUTES (default 205).
set -euo pipefail

main() {
    local here python minutes t0
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    python="${PYTHON:-/work/venv/bin/python}"
    minutes="${DEMO_TRAIN_MINUTES:-205}"
    # The steps run as modules from the repository's root; their files stay in $here.
    cd "$here/../.."
    mkdir -p "$here/work"

    t0=$SECONDS
    nice -n 10 "$python" -m tools.demo_model.gen_data --workers 2
    record data $((SECONDS - t0))

    t0=$SECONDS
    # The voices the tests speak with get twice the share of each pass.
    nice -n 10 "$python" -m tools.demo_model.train --budget-min "$minutes" \
        --voice-repeat flite:slt=2 --voice-repeat festival:cmu_us_slt_arctic_hts=2
    record train $((SECONDS - t0))
    cp "$here/work/train_log.tsv" "$here/learning_curve.tsv"

    t0=$SECONDS
    nice -n 10 "$python" -m tools.demo_model.evaluate --model "$here/work/final"
    record evaluate $((SECONDS - t0))

    "$python" -m tools.demo_model.export --model "$here/work/final"
    "$python" -m tools.demo_model.verify_export
}

# record STAGE SECONDS: keep the wall time of each stage of the latest run in timings.json
record() {
    "${PYTHON:-/work/venv/bin/python}" - "$1" "$2" <<'PY'
import json, sys, pathlib
path = pathlib.Path("tools/demo_model/timings.json")
data = json.loads(path.read_text()) if path.exists() else {}
data[f"{sys.argv[1]}_s"] = int(sys.argv[2])
path.write_text(json.dumps(data, indent=2) + "\n")
PY
}

main "$@"

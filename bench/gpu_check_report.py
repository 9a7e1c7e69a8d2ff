"""Gather what bench/gpu_check.sh's steps wrote into one JSON line (and two files under $OUT).

    python -m bench.gpu_check_report WORK_DIR [OUT_DIR]

WORK_DIR holds, per step, ``NAME.log`` (its output, the last line a JSON object for benches),
``NAME.rc`` and ``NAME.wall`` (exit code and seconds), ``env.json`` and ``tests.xml`` (JUnit).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

STEPS = (
    "env",
    "imports",
    "tests",
    "float16_families",
    "file_transcription",
    "concurrent_streams",
    "streaming_latency",
)


def last_json(log: Path) -> dict | None:
    if not log.is_file():
        return None
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def step_status(work: Path, name: str) -> dict:
    rc, wall = work / f"{name}.rc", work / f"{name}.wall"
    if not rc.is_file():
        return {"ran": False}
    code = int(rc.read_text().strip() or -1)
    status = {
        "ran": True,
        "rc": code,
        "wall_s": float(wall.read_text()) if wall.is_file() else None,
    }
    if code == 124:
        status["timed_out"] = True
    return status


def test_counts(xml_file: Path) -> dict:
    if not xml_file.is_file():
        return {}
    counts: dict[str, Any] = {"passed": 0, "failed": 0, "skipped": 0, "failures": []}
    for case in ET.parse(xml_file).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
            counts["failures"].append(name)
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def summarise(work: Path) -> tuple[dict, dict]:
    full = {name: last_json(work / f"{name}.log") for name in STEPS[3:]}
    env = last_json(work / "env.log") or {}
    families = (full["float16_families"] or {}).get("results", {})
    file_ = full["file_transcription"] or {}
    streams = full["concurrent_streams"] or {}
    latency = full["streaming_latency"] or {}
    line = {
        "gpu_check": 1,
        "mode": env.get("mode"),
        "env": env,
        "steps": {name: step_status(work, name) for name in STEPS},
        "tests": test_counts(work / "tests.xml"),
        "float16_families": {
            name.split(" ")[0]: {k: row.get(k) for k in ("ok", "agreement_decided", "decided")}
            for name, row in families.items()
        },
        "file_transcription": {
            k: v
            for k, v in file_.items()
            if k.startswith(("ratio_", "cer_", "speed_", "cuda_peak", "lengths", "device"))
        },
        "concurrent_streams": {
            k: streams.get(k)
            for k in (
                "dtype",
                "backend",
                "profile",
                "seconds_per_trial",
                "counts_tried",
                "sustained_streams",
            )
        },
        "streaming_latency": {
            k: latency.get(k)
            for k in (
                "dtype",
                "backend",
                "partials_with_finals",
                "final",
                "partial",
                "final_after_window_audio",
                "lag_at_end_of_feed_s",
            )
        },
    }
    return line, full


def main() -> None:
    work = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
    line, full = summarise(work)
    wall = work / "total.wall"
    if wall.is_file():
        line["wall_s"] = float(wall.read_text())
    text = json.dumps(line, separators=(",", ":"))
    if out is not None:
        (out / "gpu_check.json").write_text(text + "\n")
        (out / "gpu_check_full.json").write_text(json.dumps(full, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()

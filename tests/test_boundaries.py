"""The engine core stays GUI-free and web-free: importing it pulls in no Qt and no web framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORE = [
    "engine",
    "engine.config",
    "engine.errors",
    "engine.audio",
    "engine.model",
    "engine.ctc",
    "engine.windows",
    "engine.transcribe",
    "engine.transcript",
    "engine.formats",
    "engine.cli",
]
# Every other module directly in engine/ (not engine/api, which is the web front end) is core too.
CORE += sorted(
    f"engine.{p.stem}"
    for p in (REPO / "engine").glob("*.py")
    if p.stem not in ("__init__", "__main__") and f"engine.{p.stem}" not in CORE
)
FORBIDDEN = [
    "PySide6",
    "PyQt5",
    "PyQt6",
    "shiboken6",
    "fastapi",
    "starlette",
    "uvicorn",
    "desktop_app",
]

SCRIPT = f"""
import importlib, json, sys
for name in {CORE!r}:
    importlib.import_module(name)
from engine.cli import build_parser
build_parser()  # the command line is built without the front ends too
roots = sorted({{m.split(".")[0] for m in sys.modules}})
print(json.dumps(roots))
"""


def test_engine_core_imports_no_gui_and_no_web_framework() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "engine" in loaded
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))

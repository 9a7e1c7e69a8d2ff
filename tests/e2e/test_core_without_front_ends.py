"""The engine core installs and works without the front ends' packages (extras api and gui):
with PySide6, FastAPI, uvicorn, sounddevice and friends impossible to import, the engine imports,
the command line transcribes a file, and the other commands say what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BLOCKED = (
    "PySide6",
    "shiboken6",
    "fastapi",
    "starlette",
    "uvicorn",
    "multipart",
    "python_multipart",
    "sounddevice",
    "soundcard",
)

BLOCKER = f"""
import importlib.abc, sys

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
"""


def run(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )


def test_the_engine_core_imports_and_transcribes_without_front_end_packages(
    tiny_model_dir: Path, hello_wav: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hello.txt"
    code = (
        "import pkgutil, importlib, engine\n"
        "for m in pkgutil.iter_modules(engine.__path__):\n"
        "    if m.name not in ('api', '__main__'):\n"
        "        importlib.import_module('engine.' + m.name)\n"
        "from live_captions.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = run(
        code,
        "transcribe",
        str(hello_wav),
        "--model",
        str(tiny_model_dir),
        "--threads",
        "1",
        "--no-progress",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").strip()


def test_the_front_ends_say_which_extra_to_install(tiny_model_dir: Path) -> None:
    main = "from live_captions.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    serve = run(main, "serve", "--model", str(tiny_model_dir), "--port", "0")
    assert serve.returncode == 2, serve.stderr
    assert "live-captions[api]" in serve.stderr and "Traceback" not in serve.stderr
    gui = run(main)
    assert gui.returncode == 2, gui.stderr
    assert "live-captions[gui]" in gui.stderr and "Traceback" not in gui.stderr
    listen = run(main, "listen", "--list-devices")
    assert listen.returncode == 2, listen.stderr
    assert "live-captions[gui]" in listen.stderr and "Traceback" not in listen.stderr

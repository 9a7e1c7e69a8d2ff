"""installer/ci_smoke.py, the Windows CI's smoke checks of the frozen app: its API check against
the real CLI (not frozen here) on a real port, its sizes table, and its failures as messages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers.packaging import load_installer_module

ROOT = Path(__file__).resolve().parents[2]
smoke = load_installer_module("ci_smoke")


@pytest.mark.slow  # a real server process loads the model
def test_the_api_check_uploads_the_sample(tiny_model_dir: Path) -> None:
    cli = [sys.executable, "-m", "live_captions"]
    sample = ROOT / "engine" / "samples" / "sample.wav"
    text = smoke.api(cli, sample, "--model", str(tiny_model_dir), "--dtype", "float32")
    assert text.strip()  # a random tiny model hears letters, never nothing


def test_the_sizes_table_lists_the_biggest_parts(tmp_path: Path) -> None:
    app = tmp_path / "LiveCaptions"
    (app / "_internal" / "torch").mkdir(parents=True)
    (app / "_internal" / "torch" / "lib.dll").write_bytes(b"x" * 3_000_000)
    (app / "_internal" / "small.pyd").write_bytes(b"x" * 1000)
    (app / "LiveCaptions.exe").write_bytes(b"x" * 1_000_000)
    setup = tmp_path / "LiveCaptionsSetup-0.1.0.exe"
    setup.write_bytes(b"x" * 2_500_000)
    table = smoke.sizes_table(app, [setup])
    lines = table.splitlines()
    assert lines[2] == "| app folder | 4.0 |"
    assert lines[3] == "| _internal/torch | 3.0 |"
    assert lines[-1] == "| LiveCaptionsSetup-0.1.0.exe | 2.5 |"


def test_a_failed_check_says_what_failed() -> None:
    with pytest.raises(SystemExit, match="smoke check failed: the API did not come up"):
        smoke.check(False, "the API did not come up")

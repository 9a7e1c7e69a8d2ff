"""Under CI only the gpu and platform marks may skip (packaging too, when LC_RUN_PACKAGING=0 turns it off);
elsewhere skips stay skips and, when the
test command could not install Debian packages, the run ends with the list of skipped tests.
Each case runs pytest in a subprocess on a small test file, with the real plugin."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import skip_policy

TESTS = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest

@pytest.fixture()
def tool():
    pytest.skip("sox is needed")

def test_passes():
    pass

def test_skips_for_a_missing_tool():
    pytest.skip("ffmpeg is needed")

def test_skips_in_a_fixture(tool):
    pass

@pytest.mark.skipif(True, reason="Chromium is not installed")
def test_skipif_without_an_allowed_mark():
    pass

@pytest.mark.gpu
def test_gpu():
    pytest.skip("needs CUDA")

@pytest.mark.platform(reason="Windows lacks SIGKILL")
@pytest.mark.skipif(True, reason="Windows lacks SIGKILL")
def test_what_this_os_lacks():
    pass

@pytest.mark.packaging
@pytest.mark.skipif(True, reason="set LC_RUN_PACKAGING=1")
def test_packaging():
    pass

@pytest.mark.xfail(reason="a known bug")
def test_expected_failure():
    assert False
"""

WHOLE_MODULE = """
import pytest

pytest.importorskip("a_module_that_is_not_installed")

def test_never_collected():
    pass
"""


def run_pytest(folder: Path, env: dict[str, str]) -> tuple[dict[str, int], str]:
    (folder / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    gpu: x\n    packaging: x\n    platform: x\n"
    )
    unset = ("CI", "LC_MISSING_DEBIAN_PACKAGES", "LC_RUN_PACKAGING")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "skip_policy", "-p", "no:cacheprovider", "-rA"],
        cwd=folder,
        # Only this plugin: the installed ones (Qt, hypothesis, ...) would just slow each run.
        env={**clean, "PYTHONPATH": str(TESTS), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = result.stdout.strip().splitlines()[-1]
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)}
    return counts, result.stdout


@pytest.mark.parametrize(
    ("value", "ci"), [("true", True), ("1", True), ("", False), ("false", False)]
)
def test_what_counts_as_ci(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert skip_policy.under_ci() is ci


def test_under_ci_only_gpu_may_skip(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    counts, output = run_pytest(tmp_path, {"CI": "true"})
    # A skip in the test's body fails it; one while setting it up (a fixture, a skipif mark)
    # makes it an error: either fails the run.
    assert counts == {"failed": 1, "errors": 3, "passed": 1, "skipped": 2, "xfailed": 1}, output
    assert "FAILED test_sample.py::test_skips_for_a_missing_tool" in output
    assert "ERROR test_sample.py::test_skips_in_a_fixture" in output
    assert "ERROR test_sample.py::test_skipif_without_an_allowed_mark" in output
    assert "ERROR test_sample.py::test_packaging" in output  # CI builds the frozen app
    assert "skipped under CI (ffmpeg is needed)" in output
    assert "skipped under CI (Chromium is not installed)" in output


def test_under_ci_packaging_may_skip_when_turned_off(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    counts, output = run_pytest(tmp_path, {"CI": "true", "LC_RUN_PACKAGING": "0"})
    assert counts == {"failed": 1, "errors": 2, "passed": 1, "skipped": 3, "xfailed": 1}, output
    assert "SKIPPED [1] test_sample.py" in output and "set LC_RUN_PACKAGING=1" in output


@pytest.mark.parametrize(
    ("ci", "asked", "runs"),
    [("true", "", True), ("", "", False), ("", "1", True), ("true", "0", False)],
)
def test_when_the_packaging_tests_run(
    monkeypatch: pytest.MonkeyPatch, ci: str, asked: str, runs: bool
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("LC_RUN_PACKAGING", asked)
    assert skip_policy.run_packaging() is runs


def test_outside_ci_skips_stay_skips(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    counts, output = run_pytest(tmp_path, {"CI": "false"})
    assert counts == {"passed": 1, "skipped": 6, "xfailed": 1}, output
    assert "set-up that is missing" not in output


def test_a_module_skipped_as_a_whole_fails_under_ci(tmp_path: Path) -> None:
    (tmp_path / "test_whole.py").write_text(WHOLE_MODULE)
    counts, output = run_pytest(tmp_path, {"CI": "true"})
    assert counts.get("error", counts.get("errors")) == 1 and "skipped" not in counts, output
    assert "a_module_that_is_not_installed" in output
    counts, output = run_pytest(tmp_path, {})
    assert counts == {"skipped": 1}, output


def test_missing_debian_packages_end_the_run_with_the_skipped_tests(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    counts, output = run_pytest(tmp_path, {"LC_MISSING_DEBIAN_PACKAGES": "ffmpeg chromium"})
    assert counts["skipped"] == 6
    section = output.split("set-up that is missing", 1)[1]
    assert "These Debian packages are not installed: ffmpeg chromium." in section
    assert "test_sample.py::test_skips_for_a_missing_tool: ffmpeg is needed" in section
    assert (
        "test_sample.py::test_skipif_without_an_allowed_mark: Chromium is not installed" in section
    )
    assert "test_gpu" not in section and "test_packaging" not in section
    assert "test_what_this_os_lacks" not in section

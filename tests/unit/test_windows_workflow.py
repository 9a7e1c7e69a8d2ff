"""The Windows CI workflow, read as YAML (it runs only on GitHub): the test job runs the suite on
windows-latest with the marks the suite defines, the CUDA build frees disk first, and the actions
are the Node 24 majors."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with huggingface_hub

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
MIN_MAJOR = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6}


@pytest.fixture(scope="module")
def workflow() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def registered_marks() -> set[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = text[text.index("markers = [") :]
    block = block[: block.index("]")]
    return set(re.findall(r'^\s*"(\w+):', block, re.MULTILINE))


def test_the_suite_runs_on_windows_with_the_suites_own_marks(workflow: dict) -> None:  # type: ignore[type-arg]
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key "on" as True
    assert triggers is not None
    assert "tests/**" in triggers["pull_request"]["paths"]
    job = workflow["jobs"]["tests"]
    assert job["runs-on"] == "windows-latest"
    step = next(s for s in job["steps"] if "pytest" in s.get("run", ""))
    assert step["shell"] == "pwsh" and step["env"]["QT_QPA_PLATFORM"] == "offscreen"
    # CI stays set: the skip policy holds on Windows too (only gpu, packaging, platform skip).
    assert "Env:CI" not in step["run"] and "CI" not in step["env"]
    lines = [line.strip() for line in step["run"].splitlines()]
    pytest_line = next(line for line in lines if "-m pytest" in line)
    args = shlex.split(pytest_line)
    expression = args[args.index("-m", args.index("pytest")) + 1]
    marks = set(re.findall(r"not (\w+)", expression))
    # Only what Windows lacks (PulseAudio) and the suite's opt-in marks; speech is recorded.
    assert marks == {"pulseaudio", "packaging", "gpu"} and marks <= registered_marks()
    assert args[-1] == "tests"
    install = next(s for s in job["steps"] if "pip install" in s.get("run", ""))
    assert '"torch==2.13.0"' in install["run"] and "whl/cpu" in install["run"]
    # The lock scripts/test.sh installs (requirements/dev.txt), then the project without deps.
    lock = re.search(r"--require-hashes -r (\S+)", (ROOT / "scripts" / "test.sh").read_text())
    assert lock and f"--require-hashes -r {lock.group(1)}" in install["run"]
    assert "--no-deps -e ." in install["run"]
    tools = next(s for s in job["steps"] if "choco install" in s.get("run", ""))
    assert "ffmpeg" in tools["run"] and "sox" in tools["run"]


def test_the_installer_job_smoke_checks_what_it_ships(workflow: dict) -> None:  # type: ignore[type-arg]
    steps = workflow["jobs"]["installer"]["steps"]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    smoke = next(i for i, n in enumerate(names) if n.startswith("Smoke checks"))
    assert names.index("Build the installer") < smoke < names.index("actions/upload-artifact@v6")
    assert "installer\\ci_smoke.py dist\\LiveCaptions" in steps[smoke]["run"]
    assert "--setup" in steps[smoke]["run"]
    sign = next(s for s in steps if s.get("name", "").startswith("Code-signing certificate"))
    assert sign["if"] == "env.LC_SIGN_PFX_BASE64 != ''" and "GITHUB_ENV" in sign["run"]
    assert "LC_SIGN_CERTIFICATE" in steps[names.index("Build the installer")]["run"]
    assert "$env:LC_SIGN_CERTIFICATE" in (ROOT / "installer" / "build.ps1").read_text()


def test_the_cuda_build_frees_disk_before_it_builds(workflow: dict) -> None:  # type: ignore[type-arg]
    job = workflow["jobs"]["installer"]
    assert job["runs-on"] == "windows-latest"
    assert job["strategy"]["matrix"]["flavour"] == ["cpu", "cuda"]
    names = [s.get("name", s.get("uses", "")) for s in job["steps"]]
    free = next(i for i, n in enumerate(names) if n.startswith("Free disk space"))
    build = next(i for i, n in enumerate(names) if n.startswith("Build the frozen app"))
    assert free < build
    assert job["steps"][free]["if"] == "matrix.flavour == 'cuda'"
    assert "Get-PSDrive C" in job["steps"][free]["run"]
    build_step = job["steps"][build]
    assert build_step["env"]["PIP_NO_CACHE_DIR"] == "1"
    for switch in re.findall(r" -(\w+)", build_step["run"]):
        assert f"${switch}" in (ROOT / "installer" / "build.ps1").read_text(encoding="utf-8")


def test_actions_are_node24_majors(workflow: dict) -> None:  # type: ignore[type-arg]
    used = [
        step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step
    ]
    assert used
    for use in used:
        action, _, version = use.partition("@")
        assert int(version.lstrip("v")) >= MIN_MAJOR[action], use

"""The set-up routes agree with each other and with transformers.

environment.yml (the CUDA route: conda for Python, pip for torch and the project), the scripts'
and Dockerfiles' pinned torch, pyproject.toml's requirements and transformers' own torch floor
must be satisfiable together. A conda solve cannot run here; these checks catch pins that cannot
work, such as the retired pytorch channel's torch 2.5.1 next to transformers 5, which disables
torch older than 2.6 (Wav2Vec2ForCTC then cannot load).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PINNED_BY = [
    "scripts/test.sh",
    "scripts/run.sh",
    "scripts/lock.sh",  # the torch the lock resolves its dependencies with
    "installer/build.ps1",
    "Dockerfile",
    "Dockerfile.cuda",
]
TORCH_INDEX = "https://download.pytorch.org/whl/"


def conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    """conda's ``name=1.2`` (any 1.2.x) or ``name==1.2.3`` or ``name>=1.2`` as pip specifiers."""
    name, op, version = re.fullmatch(r"([\w.-]+)\s*(==|>=|<=|=|>|<)?\s*([\w.*]*)", spec).groups()
    if not op:
        return name, SpecifierSet()
    if op == "=":
        return name, SpecifierSet(f"=={version.rstrip('.*')}.*")
    return name, SpecifierSet(f"{op}{version}")


def lower_bound(specifiers: SpecifierSet) -> Version | None:
    bounds = [Version(s.version) for s in specifiers if s.operator in (">=", "==", "~=")]
    return max(bounds) if bounds else None


def transformers_torch_floor() -> SpecifierSet:
    """The torch that the installed transformers (what pyproject resolves to today) asks for."""
    for line in importlib.metadata.requires("transformers") or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if requirement.name == "torch" and marker and marker.evaluate({"extra": "torch"}):
            return requirement.specifier
    raise AssertionError("transformers declares no torch requirement")


def pin_problems(
    environment: dict[str, Any],
    pyproject: dict[str, Any],
    torch_floor: SpecifierSet,
    transformers_python: SpecifierSet,
    script_pins: dict[str, str],
) -> list[str]:
    """What cannot work together; empty when everything agrees."""
    problems: list[str] = []
    project = pyproject["project"]
    requires = {Requirement(r).name: Requirement(r).specifier for r in project["dependencies"]}
    requires_python = SpecifierSet(project["requires-python"])

    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next((d["pip"] for d in environment["dependencies"] if isinstance(d, dict)), [])
    conda_specs = dict(conda_spec(d) for d in conda)
    python = conda_specs.get("python")
    if python is None:
        problems.append("environment.yml does not pin python")
    else:
        version = lower_bound(SpecifierSet(str(python).replace(".*", "")))
        if version is None or version not in requires_python or version not in transformers_python:
            problems.append(
                f"environment.yml's python {python} is outside pyproject's {requires_python} "
                f"or transformers' {transformers_python}"
            )

    if "pytorch" in conda_specs or "pytorch" in environment.get("channels", []):
        problems.append(
            "environment.yml takes torch from conda's pytorch channel, whose last CUDA builds are "
            f"2.5.x; transformers needs torch {torch_floor}"
        )
    torch_lines = [Requirement(line) for line in pip if re.match(r"torch\b", line)]
    if len(torch_lines) != 1 or not str(torch_lines[0].specifier).startswith("=="):
        problems.append("environment.yml's pip section must pin torch exactly once (torch==X)")
        return problems
    torch = Version(str(torch_lines[0].specifier).removeprefix("=="))
    if torch not in requires["torch"] or torch not in torch_floor:
        problems.append(
            f"environment.yml's torch {torch} is outside pyproject's {requires['torch']} "
            f"or transformers' {torch_floor}"
        )
    floor = lower_bound(requires["torch"])
    needed = lower_bound(torch_floor)
    if needed is not None and (floor is None or floor < needed):
        problems.append(
            f"pyproject.toml allows torch {requires['torch']}, but transformers disables torch "
            f"older than {needed}"
        )
    indexes = [line.split()[-1] for line in pip if line.startswith("--")]
    if not any(line.startswith("--extra-index-url") for line in pip):
        problems.append("environment.yml's pip section names no extra index for torch's CUDA build")
    if not all(url.startswith(TORCH_INDEX + "cu") for url in indexes):
        problems.append(f"environment.yml's pip indexes {indexes} are not PyTorch's CUDA indexes")
    for where, pinned in script_pins.items():
        if Version(pinned) != torch:
            problems.append(f"{where} pins torch {pinned}, environment.yml {torch}")
    return problems


def read_sources() -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {}
    for name in PINNED_BY:
        found = re.findall(r"torch==([\d.]+)", (ROOT / name).read_text())
        assert found, f"{name} no longer pins torch"
        for version in found:
            pins[name] = version
    return environment, pyproject, pins


def transformers_python() -> SpecifierSet:
    return SpecifierSet(importlib.metadata.metadata("transformers")["Requires-Python"] or "")


def test_environment_and_pyproject_pins_work_together() -> None:
    environment, pyproject, pins = read_sources()
    floor = transformers_torch_floor()
    assert pin_problems(environment, pyproject, floor, transformers_python(), pins) == []


def test_the_installed_transformers_is_what_pyproject_allows() -> None:
    # The floor above is read from the installed transformers: it must be one pyproject admits.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = next(
        Requirement(r) for r in pyproject["project"]["dependencies"] if r.startswith("transformers")
    )
    assert Version(importlib.metadata.version("transformers")) in wanted.specifier


OLD_ENVIRONMENT = """
channels: [pytorch, nvidia, conda-forge]
dependencies:
  - python=3.11
  - pip
  - pytorch=2.5.1
  - pytorch-cuda=12.4
  - pip:
      - -e .[dev]
"""


def test_the_check_finds_the_retired_pytorch_channel_route() -> None:
    # The set-up this check was written for: torch 2.5.1 from the pytorch channel, and
    # pyproject's torch>=2.5, next to transformers 5 (torch>=2.6).
    _, pyproject, pins = read_sources()
    pyproject["project"]["dependencies"] = [
        "torch>=2.5" if r.startswith("torch") else r for r in pyproject["project"]["dependencies"]
    ]
    problems = pin_problems(
        yaml.safe_load(OLD_ENVIRONMENT),
        pyproject,
        SpecifierSet(">=2.6"),
        SpecifierSet(">=3.10"),
        pins,
    )
    assert any("pytorch channel" in p for p in problems), problems
    assert any("must pin torch exactly once" in p for p in problems), problems


def test_the_check_finds_mismatched_pins() -> None:
    environment, pyproject, pins = read_sources()
    floor, python = SpecifierSet(">=2.6"), SpecifierSet(">=3.10")
    old_torch = {**environment}
    old_torch["dependencies"] = [
        {"pip": [f"--extra-index-url {TORCH_INDEX}cu124", "torch==2.5.1", "-e .[dev]"]}
        if isinstance(d, dict)
        else d
        for d in environment["dependencies"]
    ]
    problems = pin_problems(old_torch, pyproject, floor, python, pins)
    assert any("environment.yml's torch 2.5.1 is outside" in p for p in problems), problems
    assert any("pins torch" in p for p in problems), problems
    old_python = {**environment, "dependencies": ["python=3.9", *environment["dependencies"][1:]]}
    problems = pin_problems(old_python, pyproject, floor, python, pins)
    assert any("python" in p for p in problems), problems
    low_floor = {**pyproject, "project": {**pyproject["project"]}}
    low_floor["project"]["dependencies"] = ["torch>=2.5"] + [
        r for r in pyproject["project"]["dependencies"] if not r.startswith("torch")
    ]
    problems = pin_problems(environment, low_floor, floor, python, pins)
    assert any("transformers disables torch older than 2.6" in p for p in problems), problems

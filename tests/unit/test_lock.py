"""The lock (requirements/*.txt, made by scripts/lock.sh) against pyproject.toml.

For every platform and Python the lock covers, each requirement of pyproject (its dependencies
and the extras each lock file is for) is locked once, at a version its range admits; every
version is pinned with the hashes of its files; torch and its CUDA libraries stay out (installed
at the scripts' pin from PyTorch's index); the smaller lock files agree with dev.txt; and the set-up
routes install from the lock with --require-hashes. Whether the locked packages' own requirements
fit each other is pip's check (scripts/test.sh runs `pip check` after installing).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"
# Each lock file, and the extras of pyproject it holds (scripts/lock.sh).
EXTRAS = {
    "dev.txt": ("all", "dev", "packaging"),
    "build.txt": ("all", "packaging"),
    "app.txt": ("all",),
    "api.txt": ("api",),
}
# Who installs which lock file, and how (with the hashes, and the project without dependencies).
INSTALLED_BY = {
    "scripts/test.sh": "requirements/dev.txt",
    "scripts/run.sh": "requirements/app.txt",
    "Dockerfile": "requirements/api.txt",
    "Dockerfile.cuda": "requirements/api.txt",
    "installer/build.ps1": "requirements\\build.txt",
    ".github/workflows/windows.yml": "requirements/dev.txt",  # its tests job
}
PLATFORMS = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
}
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def load_build() -> Any:
    spec = importlib.util.spec_from_file_location("installer_build", ROOT / "installer/build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


build = load_build()


def environment(platform: str, python: str) -> dict[str, str]:
    return {
        "os_name": "nt" if platform == "windows" else "posix",
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
        **PLATFORMS[platform],
    }


ENVIRONMENTS = [(p, v) for p in PLATFORMS for v in PYTHONS]


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def wanted(
    project: dict[str, Any], extras: tuple[str, ...], env: dict[str, str]
) -> list[Requirement]:
    """pyproject's requirements that apply in ``env`` with ``extras``, the project's own extras
    (``live-captions[api,gui]``) expanded."""
    name = canonicalize_name(project["name"])
    found: list[Requirement] = []
    todo = [("", line) for line in project["dependencies"]]
    todo += [(x, line) for x in extras for line in project["optional-dependencies"][x]]
    seen = set(extras)
    while todo:
        extra, line = todo.pop()
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({**env, "extra": extra}):
            continue
        if canonicalize_name(requirement.name) != name:
            found.append(requirement)
            continue
        for inner in sorted(requirement.extras - seen):
            seen.add(inner)
            todo += [(inner, line) for line in project["optional-dependencies"][inner]]
    return found


def lock_problems(
    locked: dict[str, str], requirements: list[Requirement], apart: tuple[str, ...] = ("torch",)
) -> list[str]:
    """pyproject's requirements that the lock (name -> version) leaves out or pins outside their
    range; those named in ``apart`` must not be in it."""
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name in apart:
            if name in locked:
                problems.append(f"{name} is locked, but it is installed apart")
            continue
        if name not in locked:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(Version(locked[name]), prereleases=True):
            problems.append(f"{name} {locked[name]} is outside pyproject's {requirement}")
    return problems


@pytest.fixture(scope="module")
def locks() -> dict[str, list[Any]]:
    return {name: build.read_lock(LOCKS / name) for name in EXTRAS}


def test_the_lock_files_are_there_and_nothing_else() -> None:
    assert sorted(path.name for path in LOCKS.glob("*.txt")) == sorted(EXTRAS)


@pytest.mark.parametrize(("platform", "python"), ENVIRONMENTS)
def test_the_lock_satisfies_pyproject_s_ranges(
    locks: dict[str, list[Any]], platform: str, python: str
) -> None:
    env = environment(platform, python)
    project = pyproject()["project"]
    for name, extras in EXTRAS.items():
        locked = build.locked_versions(locks[name], env)
        problems = lock_problems(locked, wanted(project, extras, env))
        assert problems == [], f"{name} ({platform}, Python {python}); run scripts/lock.sh"


def test_every_version_is_pinned_with_its_hashes_and_torch_is_apart(
    locks: dict[str, list[Any]],
) -> None:
    for name, entries in locks.items():
        for entry in entries:
            assert entry.hashes and all(
                re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in entry.hashes
            )
            # torch, and the CUDA libraries its CUDA build pins, come with torch's flavour
            assert not re.match(r"(torch|nvidia-|cuda-|triton)", entry.name), (name, entry.name)


@pytest.mark.parametrize(("platform", "python"), ENVIRONMENTS)
def test_the_smaller_locks_are_cut_from_dev(
    locks: dict[str, list[Any]], platform: str, python: str
) -> None:
    env = environment(platform, python)
    dev = build.locked_versions(locks["dev.txt"], env)
    for name in ("build.txt", "app.txt", "api.txt"):
        locked = build.locked_versions(locks[name], env)
        assert {k: dev.get(k) for k in locked} == locked, name
    assert build.locked_versions(locks["build.txt"], env).keys() >= (
        build.locked_versions(locks["app.txt"], env).keys()
    )


def test_the_check_finds_what_is_missing_outside_or_apart() -> None:
    requirements = [Requirement("transformers>=4.56"), Requirement("torch>=2.6")]
    requirements.append(Requirement("numpy>=1.24"))
    locked = {"transformers": "4.40.0", "torch": "2.13.0"}
    assert lock_problems(locked, requirements) == [
        "transformers 4.40.0 is outside pyproject's transformers>=4.56",
        "torch is locked, but it is installed apart",
        "numpy>=1.24 is not in the lock",
    ]


def test_extras_and_markers_pick_the_requirements() -> None:
    project = pyproject()["project"]
    linux = {
        canonicalize_name(r.name) for r in wanted(project, ("all",), environment("linux", "3.11"))
    }
    windows = {
        canonicalize_name(r.name) for r in wanted(project, ("all",), environment("windows", "3.11"))
    }
    assert {"fastapi", "pyside6-essentials", "transformers"} <= linux
    assert "soundcard" in windows - linux  # WASAPI loopback, Windows only
    api = {
        canonicalize_name(r.name) for r in wanted(project, ("api",), environment("linux", "3.11"))
    }
    assert "fastapi" in api and "pyside6-essentials" not in api


def test_read_lock_reads_uv_s_format(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# This file was autogenerated by uv\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        f"    --hash=sha256:{'a' * 64} \\\n"
        f"    --hash=sha256:{'b' * 64}\n"
        "    # via tqdm\n"
        f"numpy==2.4.6 --hash=sha256:{'c' * 64}\n"
    )
    entries = build.read_lock(lock)
    assert [(e.name, e.version, len(e.hashes)) for e in entries] == [
        ("colorama", "0.4.6", 2),
        ("numpy", "2.4.6", 1),
    ]
    assert build.locked_versions(entries, environment("linux", "3.11")) == {"numpy": "2.4.6"}
    lock.write_text("numpy>=2\n")
    with pytest.raises(ValueError, match="not pinned"):
        build.read_lock(lock)


@pytest.mark.parametrize("script", sorted(INSTALLED_BY))
def test_the_set_up_routes_install_from_the_lock(script: str) -> None:
    text = (ROOT / script).read_text(encoding="utf-8")
    assert f"--require-hashes -r {INSTALLED_BY[script]}" in text
    assert "--no-deps" in text  # the project itself, its dependencies being the lock's
    unlocked = re.findall(r"pip\"? install[^\n]*\"\.\[[^\n]*", text)  # ".[extras]"
    # build.ps1 -Newest (the newest-versions CI job) only
    assert len(unlocked) == (script == "installer/build.ps1"), unlocked


def test_the_build_environment_check_names_what_differs(tmp_path: Path) -> None:
    lock = tmp_path / "build.txt"
    lock.write_text(
        f"packaging==0.1 --hash=sha256:{'a' * 64}\n"
        f"a-package-that-is-not-installed==1.0 --hash=sha256:{'b' * 64}\n"
    )
    problems = build.environment_problems(lock)
    assert any(p.startswith("packaging ") and "the lock has 0.1" in p for p in problems)
    assert "a-package-that-is-not-installed is not installed (locked: 1.0)" in problems
    with pytest.raises(SystemExit, match="differs from"):
        build.check_locked_environment(False, lock)
    build.check_locked_environment(True, lock)  # --unlocked: said, not stopped

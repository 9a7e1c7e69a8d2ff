"""scripts/system_packages.sh, which scripts/test.sh and scripts/run.sh use to install Debian
packages: only the missing ones, as root or through `sudo -n`, and where neither is possible one
message and the run goes on. dpkg-query, apt-get, apt-cache, sudo and id are stand-ins (the
system's package manager is outside the project); the shell code is the real one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import posix_only

# The Debian/Ubuntu scripts (bash, apt-get); Windows has installer/build.ps1 instead.
pytestmark = posix_only("the Debian setup scripts' shell (bash, apt-get, dpkg-query)")

ROOT = Path(__file__).resolve().parents[2]

FAKES = {
    # installed packages are lines of $FAKE/installed
    "dpkg-query": 'grep -qx "${@: -1}" "$FAKE/installed" && echo installed || exit 1',
    "apt-cache": 'grep -qx "$2" "$FAKE/unknown" && exit 100 || exit 0',
    "apt-get": 'echo "apt-get $*" >> "$FAKE/calls"\n'
    'if [ "$1" = install ]; then for p in "$@"; do case "$p" in -*|install) ;; '
    '*) echo "$p" >> "$FAKE/installed";; esac; done; fi',
    "id": 'echo "$FAKE_UID"',
    "sudo": '[ "$FAKE_SUDO" = yes ] && [ "$1" = -n ] || exit 1\n'
    'shift; echo "sudo $*" >> "$FAKE/calls"; "$@"',
}


def run(tmp_path: Path, *packages: str, uid: int = 0, sudo: bool = False) -> tuple[str, str, str]:
    """Source the script, ask for ``packages``; (NOT_INSTALLED, stderr, the calls made)."""
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        for name, body in FAKES.items():
            (bin_dir / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
            (bin_dir / name).chmod(0o755)
        for name in ("installed", "unknown", "calls"):
            (tmp_path / name).touch()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE": str(tmp_path),
        "FAKE_UID": str(uid),
        "FAKE_SUDO": "yes" if sudo else "no",
    }
    script = (
        f"source {ROOT / 'scripts' / 'system_packages.sh'}\n"
        f"ensure_debian_packages {' '.join(packages)}\n"
        'echo "NOT_INSTALLED=${NOT_INSTALLED[*]}"'
    )
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text()
    (tmp_path / "calls").write_text("")
    missing = result.stdout.rsplit("NOT_INSTALLED=", 1)[1].strip()
    return missing, result.stderr, calls


def test_as_root_only_the_missing_packages_are_installed_and_a_second_run_asks_nothing(
    tmp_path: Path,
) -> None:
    run(tmp_path)  # makes the stand-ins
    (tmp_path / "installed").write_text("sox\n")
    missing, _, calls = run(tmp_path, "sox", "ffmpeg", "espeak-ng")
    assert missing == ""
    assert "apt-get update" in calls
    assert "install -y -qq --no-install-recommends ffmpeg espeak-ng" in calls
    assert "sox" not in calls and "sudo" not in calls
    missing, stderr, calls = run(tmp_path, "sox", "ffmpeg", "espeak-ng")
    assert (missing, stderr, calls) == ("", "", "")


def test_without_root_sudo_n_installs(tmp_path: Path) -> None:
    missing, _, calls = run(tmp_path, "ffmpeg", uid=1000, sudo=True)
    assert missing == ""
    assert "sudo env DEBIAN_FRONTEND=noninteractive apt-get install" in calls


def test_without_root_or_sudo_one_message_names_the_packages_and_nothing_runs(
    tmp_path: Path,
) -> None:
    missing, stderr, calls = run(tmp_path, "ffmpeg", "chromium", uid=1000, sudo=False)
    assert missing == "ffmpeg chromium"
    assert "ffmpeg chromium" in stderr and "sudo apt-get install ffmpeg chromium" in stderr
    assert calls == ""


def test_a_package_this_release_lacks_does_not_stop_the_others(tmp_path: Path) -> None:
    run(tmp_path)
    (tmp_path / "unknown").write_text("chromium\n")
    missing, stderr, calls = run(tmp_path, "ffmpeg", "chromium")
    assert missing == "chromium"
    assert "install -y -qq --no-install-recommends ffmpeg\n" in calls
    assert "could not be installed: chromium" in stderr


@pytest.mark.parametrize("script", ["scripts/test.sh", "scripts/run.sh"])
def test_the_scripts_use_it(script: str) -> None:
    text = (ROOT / script).read_text()
    assert "source scripts/system_packages.sh" in text
    assert "ensure_debian_packages" in text


def test_ci_runs_exactly_the_readme_command() -> None:
    commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd ", "export "))
    ]
    assert commands == ["bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / "README.md").read_text()


def torch_args(tmp_path: Path, mode: str, system: str, gpu: bool, **env: str) -> list[str]:
    """torch_pip_args MODE with stand-ins for uname and (when ``gpu``) nvidia-smi."""
    bin_dir = tmp_path / f"bin-{system}-{gpu}"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "uname").write_text(f"#!/usr/bin/env bash\necho {system}\n")
    (bin_dir / "nvidia-smi").write_text(
        "#!/usr/bin/env bash\n" + ("echo 'GPU 0: NVIDIA'\n" if gpu else "exit 9\n")
    )
    for name in ("uname", "nvidia-smi"):
        (bin_dir / name).chmod(0o755)
    script = (
        f"source {ROOT / 'scripts' / 'system_packages.sh'}\n"
        f"torch_pip_args {mode}\n"
        'printf "%s\\n" "${TORCH_PIP_ARGS[@]}"'
    )
    full_env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    full_env.pop("LC_TORCH_INDEX", None)
    full_env.update(env)
    result = subprocess.run(
        ["bash", "-c", script], env=full_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


CPU_INDEX = ["--extra-index-url", "https://download.pytorch.org/whl/cpu"]


def test_linux_takes_torch_from_pytorch_s_cpu_index(tmp_path: Path) -> None:
    """On Linux PyPI's torch is the multi-GB CUDA build: the tests always take the CPU build, the
    app too unless an NVIDIA GPU answers; other systems and an empty override keep PyPI."""
    assert torch_args(tmp_path, "cpu", "Linux", gpu=False) == CPU_INDEX
    assert torch_args(tmp_path, "cpu", "Linux", gpu=True) == CPU_INDEX
    assert torch_args(tmp_path, "auto", "Linux", gpu=False) == CPU_INDEX
    assert torch_args(tmp_path, "auto", "Linux", gpu=True) == []
    assert torch_args(tmp_path, "cpu", "Darwin", gpu=False) == []
    assert torch_args(tmp_path, "cpu", "Linux", gpu=False, LC_TORCH_INDEX="") == []
    mirror = "https://mirror.example/whl/cpu"
    assert torch_args(tmp_path, "cpu", "Linux", gpu=False, LC_TORCH_INDEX=mirror) == [
        "--extra-index-url",
        mirror,
    ]


@pytest.mark.parametrize(
    ("script", "mode"), [("scripts/test.sh", "cpu"), ("scripts/run.sh", "auto")]
)
def test_the_scripts_install_torch_with_those_arguments(script: str, mode: str) -> None:
    text = (ROOT / script).read_text()
    assert f'install_torch "$VENV/bin/pip" {mode} "torch==' in text


def test_only_torch_itself_is_looked_up_in_pytorch_s_index(tmp_path: Path) -> None:
    """torch alone comes through the extra index; its dependencies come from PyPI in a second
    pip run (an unreachable index costs pip's retries per package looked up)."""
    pip = tmp_path / "pip"
    pip.write_text('#!/usr/bin/env bash\necho "$*" >> "$FAKE_CALLS"\n')
    pip.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uname").write_text("#!/usr/bin/env bash\necho Linux\n")
    (bin_dir / "uname").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env["FAKE_CALLS"] = str(tmp_path / "calls")
    env.pop("LC_TORCH_INDEX", None)
    script = (
        f"source {ROOT / 'scripts' / 'system_packages.sh'}\ninstall_torch {pip} cpu torch==2.13.0\n"
    )
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calls").read_text().splitlines() == [
        "install -q --no-deps " + " ".join(CPU_INDEX) + " torch==2.13.0",
        "install -q torch==2.13.0",
    ]

"""Build the frozen Live Captions app from a checkout, and on Windows its installer.

    python installer/build.py [--flavour cpu|cuda] [--model DIR_OR_HUB_ID] [--skip-installer]

Steps: install PyInstaller if it is missing; run it with installer/live_captions.spec into
dist/LiveCaptions; copy a model into dist/LiveCaptions/models/default when --model is given (the
demo model is always inside the package); report the folder's size; run the frozen app's
--version and --self-test; on Windows run Inno Setup's ISCC.exe when it is installed, giving
dist/LiveCaptionsSetup-<version>[-cuda].exe. Runs on any OS with the Python that will be frozen.
See installer/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "live_captions.spec"
ISS = ROOT / "installer" / "live_captions.iss"
APP_NAME = "LiveCaptions"
CLI_NAME = "live-captions"
CPU_BUDGET_BYTES = 10**9  # the CPU flavour's folder must stay under 1 GB
# Files of a model folder the engine reads (as engine.model's hub patterns), plus PyTorch
# weights for checkpoints that have no safetensors.
MODEL_FILES = ("*.json", "*.txt", "model.safetensors")
LEGACY_WEIGHTS = "pytorch_model.bin"


@dataclass(frozen=True)
class BuildOptions:
    flavour: str  # "cpu" or "cuda"
    model: str | None  # folder or hub id copied to models/default; None: only the demo model
    dist: Path  # where dist/LiveCaptions and the installer go
    work: Path  # PyInstaller's work folder
    clean: bool  # empty PyInstaller's cache first
    skip_self_test: bool  # do not run the frozen --self-test
    skip_installer: bool  # do not run Inno Setup
    installer_only: bool  # only run Inno Setup on an existing dist/LiveCaptions


def project_version() -> str:
    text = (ROOT / "engine" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("engine/__init__.py has no __version__")
    return match.group(1)


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        print("PyInstaller is missing; installing it", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "pyinstaller>=6"], check=True)


def run_pyinstaller(options: BuildOptions) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(options.dist),
        "--workpath",
        str(options.work),
    ]
    if options.clean:
        command.append("--clean")
    env = {**os.environ, "LC_FLAVOUR": options.flavour}
    subprocess.run([*command, str(SPEC)], check=True, cwd=ROOT, env=env)
    return options.dist / APP_NAME


def resolve_model(name: str) -> Path:
    """A model folder, or a hub id found in the local Hugging Face cache (never downloaded)."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise SystemExit(f"--model {name}: the folder has no config.json")
        return folder
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(
            snapshot_download(name, allow_patterns=list(MODEL_FILES), local_files_only=True)
        )
    except (LocalEntryNotFoundError, OSError, ValueError):
        raise SystemExit(
            f"--model {name}: not a folder, and not in the Hugging Face cache. Download it once, "
            f"e.g. `live-captions transcribe engine/samples/sample.wav --model {name}`"
        ) from None


def copy_model(source: Path, app_dir: Path) -> Path:
    """Copy the files the engine reads into app_dir/models/default (links are followed)."""
    target = app_dir / "models" / "default"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = {path for pattern in MODEL_FILES for path in source.glob(pattern) if path.is_file()}
    if not (source / "model.safetensors").is_file() and (source / LEGACY_WEIGHTS).is_file():
        files.add(source / LEGACY_WEIGHTS)
    for path in sorted(files):
        shutil.copyfile(path, target / path.name)
    return target


def folder_size(folder: Path) -> int:
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def largest_files(folder: Path, count: int = 8) -> list[tuple[int, str]]:
    sizes = [
        (path.stat().st_size, path.relative_to(folder).as_posix())
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]
    return sorted(sizes, reverse=True)[:count]


def report_size(app_dir: Path, flavour: str) -> int:
    """Print the folder's size and largest files; the size without a shipped model."""
    size = folder_size(app_dir)
    models = app_dir / "models"
    app_size = size - (folder_size(models) if models.is_dir() else 0)
    print(f"{app_dir}: {size / 1e6:.0f} MB ({app_size / 1e6:.0f} MB without models/)")
    for bytes_, name in largest_files(app_dir):
        print(f"  {bytes_ / 1e6:7.1f} MB  {name}")
    if flavour == "cpu" and app_size >= CPU_BUDGET_BYTES:
        print(
            f"warning: the CPU flavour is over its budget of {CPU_BUDGET_BYTES / 1e9:.0f} GB",
            file=sys.stderr,
        )
    return app_size


def frozen_cli(app_dir: Path) -> Path:
    return app_dir / (f"{CLI_NAME}.exe" if sys.platform == "win32" else CLI_NAME)


def bundled_model(app_dir: Path) -> Path | None:
    """The model the frozen --self-test will use, as engine.model.bundled_model_dir() finds it."""
    for folder in (
        app_dir / "models" / "default",
        app_dir / "_internal" / "engine" / "models" / "demo",
    ):
        if (folder / "config.json").is_file():
            return folder
    return None


def check_frozen_app(app_dir: Path, skip_self_test: bool) -> None:
    cli = frozen_cli(app_dir)
    subprocess.run([str(cli), "--version"], check=True)
    if skip_self_test:
        return
    if bundled_model(app_dir) is None:
        raise SystemExit(
            "no model for the self-test: the demo model (engine/models/demo) is missing from this "
            "checkout and no --model was given. Pass --model DIR, or --skip-self-test."
        )
    started = time.monotonic()
    result = subprocess.run([str(cli), "--self-test"])
    print(f"frozen self-test: exit code {result.returncode} in {time.monotonic() - started:.0f} s")
    if result.returncode != 0:
        raise SystemExit("the frozen app's self-test failed")


def find_iscc() -> Path | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    roots = [os.environ.get(name) for name in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA")]
    for root in filter(None, roots):
        for candidate in (
            Path(root) / "Inno Setup 6" / "ISCC.exe",
            Path(root) / "Programs" / "Inno Setup 6" / "ISCC.exe",
        ):
            if candidate.is_file():
                return candidate
    return None


def build_installer(options: BuildOptions, app_dir: Path) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        print(
            "Inno Setup (ISCC.exe) was not found; no installer built. Install it with "
            "`choco install innosetup` or from https://jrsoftware.org/isinfo.php",
            file=sys.stderr,
        )
        return None
    version = project_version()
    subprocess.run(
        [
            str(iscc),
            f"/DAppVersion={version}",
            f"/DFlavour={options.flavour}",
            f"/DSourceDir={app_dir}",
            f"/DOutputDir={options.dist}",
            str(ISS),
        ],
        check=True,
    )
    suffix = "-cuda" if options.flavour == "cuda" else ""
    setup = options.dist / f"{APP_NAME}Setup-{version}{suffix}.exe"
    print(f"installer: {setup} ({setup.stat().st_size / 1e6:.0f} MB)")
    return setup


def parse_args(argv: list[str] | None) -> BuildOptions:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--flavour", choices=["cpu", "cuda"], default=os.environ.get("LC_FLAVOUR", "cpu")
    )
    parser.add_argument(
        "--model",
        help="model folder or cached hub id (e.g. facebook/wav2vec2-base-960h) "
        "to ship as models/default",
    )
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="PyInstaller's work folder (default: build/pyinstaller-FLAVOUR)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--skip-self-test", action="store_true", help="only check that the frozen app starts"
    )
    parser.add_argument("--skip-installer", action="store_true", help="do not run Inno Setup")
    parser.add_argument(
        "--installer-only",
        action="store_true",
        help="only build the installer from dist/LiveCaptions",
    )
    args = parser.parse_args(argv)
    return BuildOptions(
        flavour=args.flavour,
        model=args.model,
        dist=args.dist.resolve(),
        work=(args.work or ROOT / "build" / f"pyinstaller-{args.flavour}").resolve(),
        clean=args.clean,
        skip_self_test=args.skip_self_test,
        skip_installer=args.skip_installer,
        installer_only=args.installer_only,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    app_dir = options.dist / APP_NAME
    if not options.installer_only:
        ensure_pyinstaller()
        started = time.monotonic()
        run_pyinstaller(options)
        print(f"PyInstaller ({options.flavour}): {time.monotonic() - started:.0f} s")
        if options.model:
            print(f"model: {copy_model(resolve_model(options.model), app_dir)}")
        report_size(app_dir, options.flavour)
        check_frozen_app(app_dir, options.skip_self_test)
    elif not frozen_cli(app_dir).is_file():
        raise SystemExit(f"--installer-only: {app_dir} holds no frozen app; build it first")
    if options.skip_installer:
        return 0
    if sys.platform != "win32":
        if options.installer_only:
            raise SystemExit("the installer is built on Windows only (Inno Setup)")
        return 0
    setup = build_installer(options, app_dir)
    return 1 if setup is None and options.installer_only else 0


if __name__ == "__main__":
    sys.exit(main())

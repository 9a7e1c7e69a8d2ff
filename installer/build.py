"""Build the frozen Live Captions app from a checkout, and on Windows its installer.

    python installer/build.py [--flavour cpu|cuda] [--bundle-model DIR_OR_HUB_ID] [--skip-installer]

Steps: check that the build environment has the locked versions (requirements/build.txt, made by
scripts/lock.sh; --unlocked builds with what is installed); run PyInstaller with installer/live_captions.spec into
dist/LiveCaptions; with --bundle-model, put a model into dist/LiveCaptions/models/default (a
hub id is downloaded first unless cached; weights stored as float16 unless --bundle-dtype
float32), which the frozen app then uses before the cache and the hub, so that it captions
offline on first start (the demo model is always inside the package); report the folder's size; run the frozen app's
--version and --self-test; on Windows run Inno Setup's ISCC.exe when it is installed, giving
dist/LiveCaptionsSetup-<version>[-cuda].exe. Runs on any OS with the Python that will be frozen.
See installer/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
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
# The CPU flavour's folder, without models/: 1 GB until caption translation (CTranslate2, about
# 80 MB with its extension stripped) came in; 961 MB before it, about 1,050 MB with it.
CPU_BUDGET_BYTES = 1_100_000_000
# Files of a model folder the engine reads (as engine.hub fetches them), plus PyTorch weights
# for checkpoints that have no safetensors.
MODEL_FILES = ("*.json", "*.txt", "model.safetensors")
LEGACY_WEIGHTS = "pytorch_model.bin"
# GitHub refuses release assets of 2 GiB or more; the CUDA installer is bigger, so Inno Setup
# splits it into slices (ISS_SLICE_BYTES in live_captions.iss) shipped next to the setup.
RELEASE_ASSET_LIMIT = 2 * 1024**3
DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
SIGN_TOOL_NAME = "lcsign"  # the Sign Tool's name in live_captions.iss
SHIPPED_INFO = "bundled.json"  # as engine.model.SHIPPED_INFO
LOCK = ROOT / "requirements" / "build.txt"  # the frozen app's locked dependencies, torch apart


@dataclass(frozen=True)
class BuildOptions:
    flavour: str  # "cpu" or "cuda"
    model: str | None  # folder or hub id copied to models/default; None: only the demo model
    model_dtype: str  # "float16" or "float32": how the bundled weights are stored
    dist: Path  # where dist/LiveCaptions and the installer go
    work: Path  # PyInstaller's work folder
    clean: bool  # empty PyInstaller's cache first
    skip_self_test: bool  # do not run the frozen --self-test
    skip_installer: bool  # do not run Inno Setup
    installer_only: bool  # only run Inno Setup on an existing dist/LiveCaptions
    sign_certificate: Path | None = None  # a .pfx to sign the executables and the installer
    timestamp_url: str = DEFAULT_TIMESTAMP_URL  # RFC 3161 server that dates the signatures
    unlocked: bool = False  # build with the installed versions even where they differ from LOCK


@dataclass(frozen=True)
class Locked:
    """One requirement of a lock file that scripts/lock.sh made (uv pip compile)."""

    name: str  # normalised as in PEP 503
    version: str
    marker: str  # the environment marker, "" where it applies everywhere
    hashes: tuple[str, ...]  # "sha256:...", one per file of that release


def project_version() -> str:
    text = (ROOT / "engine" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("engine/__init__.py has no __version__")
    return match.group(1)


def default_model() -> str:
    """engine.config.DEFAULT_MODEL, read without importing the engine (and torch)."""
    text = (ROOT / "engine" / "config.py").read_text(encoding="utf-8")
    match = re.search(r'^DEFAULT_MODEL = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("engine/config.py has no DEFAULT_MODEL")
    return match.group(1)


def read_lock(path: Path) -> list[Locked]:
    """The requirements of a lock file (requirements/*.txt): ``name==version ; marker`` with
    ``--hash`` options, continued over lines ending in a backslash; comments are skipped."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    entries = []
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement_text, *hashes = (part.strip() for part in line.split("--hash="))
        requirement = Requirement(requirement_text)
        pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(pins) != 1 or len(requirement.specifier) != 1:
            raise ValueError(f"{path.name}: {requirement_text!r} is not pinned with ==")
        marker = str(requirement.marker) if requirement.marker else ""
        entries.append(Locked(canonicalize_name(requirement.name), pins[0], marker, tuple(hashes)))
    return entries


def locked_versions(
    entries: list[Locked], environment: dict[str, str] | None = None
) -> dict[str, str]:
    """Name -> version of the entries whose marker holds in ``environment`` (default: this
    Python's); a name twice there is an error in the lock."""
    from packaging.markers import Marker

    versions: dict[str, str] = {}
    for entry in entries:
        if entry.marker and not Marker(entry.marker).evaluate(environment):
            continue
        if entry.name in versions:
            raise ValueError(f"{entry.name} is locked twice for one environment")
        versions[entry.name] = entry.version
    return versions


def environment_problems(lock: Path = LOCK) -> list[str]:
    """How the packages installed for this Python differ from ``lock``: empty when they match."""
    from packaging.version import Version

    problems = []
    for name, version in sorted(locked_versions(read_lock(lock)).items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed (locked: {version})")
            continue
        if Version(installed) != Version(version):
            problems.append(f"{name} {installed} is installed, the lock has {version}")
    return problems


def check_locked_environment(unlocked: bool, lock: Path = LOCK) -> None:
    """Stop unless the build environment has the locked versions, which the frozen app ships;
    with ``unlocked`` (the newest-versions CI job) only say what differs."""
    problems = environment_problems(lock)
    where = lock.relative_to(ROOT) if lock.is_relative_to(ROOT) else lock
    if not problems:
        print(f"build environment: the versions of {where}")
        return
    listing = "\n  ".join(problems)
    if unlocked:
        print(f"--unlocked: the build environment differs from {where}:\n  {listing}")
        return
    raise SystemExit(
        f"the build environment differs from {where}:\n  {listing}\n"
        f"Install the locked versions (pip install --require-hashes -r {where}, then torch and "
        "`pip install --no-deps .`; installer/README.md), or build with what is installed: "
        "--unlocked (LC_BUILD_UNLOCKED=1)."
    )


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
    """A model folder, or a hub id from the local Hugging Face cache, downloaded there first
    when it is missing (through the engine's download, with its progress line)."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise SystemExit(f"--bundle-model {name}: the folder has no config.json")
        return folder
    sys.path.insert(0, str(ROOT))
    from engine.errors import LiveCaptionsError
    from engine.hub import cached_model, download_model
    from live_captions.download import ProgressLine

    cached = cached_model(name)
    if cached is not None:
        return cached
    line = ProgressLine(sys.stderr)
    try:
        return download_model(name, progress=line)
    except LiveCaptionsError as exc:
        raise SystemExit(f"--bundle-model {name}: {exc}") from None
    finally:
        line.close()


def copy_model(
    source: Path, app_dir: Path, model_id: str | None = None, dtype: str = "float32"
) -> Path:
    """Copy the files the engine reads into app_dir/models/default (links are followed), the
    weights as safetensors in ``dtype``, and bundled.json naming the model it came from."""
    target = app_dir / "models" / "default"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = {path for pattern in MODEL_FILES for path in source.glob(pattern) if path.is_file()}
    legacy = not (source / "model.safetensors").is_file() and (source / LEGACY_WEIGHTS).is_file()
    if legacy:
        files.add(source / LEGACY_WEIGHTS)
    for path in sorted(files):
        if path.name in ("model.safetensors", LEGACY_WEIGHTS) and dtype == "float16":
            store_float16(path, target / "model.safetensors")
        else:
            shutil.copyfile(path, target / path.name)
    info = {"id": model_id, "source": str(source), "weights": dtype}  # id None: a folder
    (target / SHIPPED_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


def store_float16(weights: Path, target: Path) -> None:
    """Save a checkpoint's floating-point tensors as float16 safetensors: half the size; the
    engine loads them back into its dtype (float32 on the CPU). Measured: identical frame
    labels on the demo model, 99.75 % on random base-960h weights (README, Bundling)."""
    import torch
    from safetensors.torch import load_file, save_file

    if weights.suffix == ".safetensors":
        tensors = load_file(str(weights))
    else:
        tensors = torch.load(str(weights), map_location="cpu", weights_only=True)
    half = {
        name: (t.half() if t.is_floating_point() else t).contiguous() for name, t in tensors.items()
    }
    save_file(half, str(target), metadata={"format": "pt"})


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
            f"warning: the CPU flavour is over its budget of {CPU_BUDGET_BYTES / 1e9:.1f} GB",
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


def export_bundled_onnx(app_dir: Path) -> Path | None:
    """Export the bundled model for ONNX Runtime into app_dir/models/onnx, with this build
    environment's torch, onnxscript and onnxruntime (the ones frozen into the app, so the cache
    key matches): the frozen app then runs it without exporting on the user's machine."""
    model = bundled_model(app_dir)
    if model is None:
        return None
    target = app_dir / "models" / "onnx"
    env = {**os.environ, "LIVE_CAPTIONS_ONNX_CACHE": str(target), "PYTHONPATH": str(ROOT)}
    script = (
        "import sys\n"
        "from engine import ModelOptions, load_recognizer\n"
        "r = load_recognizer(ModelOptions(name=sys.argv[1], device='cpu', backend='onnx'))\n"
        "sys.exit(0 if r.backend == 'onnx' else 1)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(model)], env=env)
    if result.returncode != 0:
        raise SystemExit(f"the bundled model {model} could not be exported for ONNX Runtime")
    print(f"ONNX export of the bundled model: {folder_size(target) / 1e6:.0f} MB in {target}")
    return target


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


def hub_cache_folder(repo_id: str) -> str:
    """The folder huggingface_hub caches a model repository in."""
    return "models--" + repo_id.replace("/", "--")


def find_signtool() -> Path | None:
    found = shutil.which("signtool")
    if found:
        return Path(found)
    kits = Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "Windows Kits"
    found_sdks = kits.glob("10/bin/10.*/x64/signtool.exe")  # the newest SDK's
    newest = max(
        found_sdks, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])], default=None
    )
    return newest


def signtool_command(signtool: Path, certificate: Path, password: str, timestamp: str) -> list[str]:
    """SignTool's command line without the files: SHA-256 signature and timestamp."""
    command = [str(signtool), "sign", "/fd", "SHA256", "/f", str(certificate)]
    if password:
        command += ["/p", password]
    return command + ["/tr", timestamp, "/td", "SHA256", "/d", "Live Captions"]


def inno_sign_tool(command: list[str]) -> str:
    """A Sign Tool definition for ISCC's /S option: $q quotes, $f the file to sign."""

    def word(text: str) -> str:
        text = text.replace("$", "$$")
        return f"$q{text}$q" if any(c in text for c in ' \t"') else text

    return f"{SIGN_TOOL_NAME}=" + " ".join(word(w) for w in command) + " $f"


def iscc_arguments(
    options: BuildOptions, app_dir: Path, version: str, sign: list[str] | None = None
) -> list[str]:
    """ISCC's options: version, flavour and folders; the CUDA installer in slices (DiskSpanning,
    each under GitHub's 2 GiB asset limit); the model cache the uninstaller offers to delete; the
    Sign Tool when a certificate is given."""
    args = [
        f"/DAppVersion={version}",
        f"/DFlavour={options.flavour}",
        f"/DSourceDir={app_dir}",
        f"/DOutputDir={options.dist}",
        f"/DModelCache={hub_cache_folder(default_model())}",
    ]
    if options.flavour == "cuda":
        args.append("/DDiskSpanning")
    if sign:
        args += ["/DSign", f"/S{inno_sign_tool(sign)}"]
    return [*args, str(ISS)]


def sign_command(options: BuildOptions) -> list[str] | None:
    """SignTool's command when a certificate is given; SystemExit when it cannot be used."""
    if options.sign_certificate is None:
        return None
    if not options.sign_certificate.is_file():
        raise SystemExit(f"--sign-certificate: {options.sign_certificate} is not a file")
    signtool = find_signtool() if sys.platform == "win32" else None
    if signtool is None:
        raise SystemExit(
            "signing needs SignTool (Windows SDK) on Windows; it was not found "
            "(install the Windows SDK, or put signtool.exe on PATH)"
        )
    password = os.environ.get("LC_SIGN_PASSWORD", "")
    return signtool_command(signtool, options.sign_certificate, password, options.timestamp_url)


def sign_executables(command: list[str], app_dir: Path) -> None:
    files = [str(app_dir / f"{APP_NAME}.exe"), str(frozen_cli(app_dir))]
    subprocess.run([*command, *files], check=True)
    print(f"signed: {', '.join(Path(f).name for f in files)}")


def build_installer(
    options: BuildOptions, app_dir: Path, sign: list[str] | None = None
) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        print(
            "Inno Setup (ISCC.exe) was not found; no installer built. Install it with "
            "`choco install innosetup` or from https://jrsoftware.org/isinfo.php",
            file=sys.stderr,
        )
        return None
    version = project_version()
    subprocess.run([str(iscc), *iscc_arguments(options, app_dir, version, sign)], check=True)
    suffix = "-cuda" if options.flavour == "cuda" else ""
    setup = options.dist / f"{APP_NAME}Setup-{version}{suffix}.exe"
    for part in [setup, *sorted(options.dist.glob(f"{setup.stem}-*.bin"))]:
        size = part.stat().st_size
        print(f"installer: {part} ({size / 1e6:.0f} MB)")
        if size >= RELEASE_ASSET_LIMIT:
            raise SystemExit(f"{part.name} is over GitHub's 2 GiB limit for a release asset")
    return setup


def parse_args(argv: list[str] | None) -> BuildOptions:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--flavour", choices=["cpu", "cuda"], default=os.environ.get("LC_FLAVOUR", "cpu")
    )
    parser.add_argument(
        "--bundle-model",
        "--model",
        dest="model",
        metavar="ID_OR_DIR",
        help="model folder or hub id (e.g. facebook/wav2vec2-base-960h; downloaded unless "
        "cached) to ship as models/default: the frozen app uses it first, offline",
    )
    parser.add_argument(
        "--bundle-dtype",
        choices=["float16", "float32"],
        default="float16",
        help="how the bundled weights are stored (float16: half the size; default)",
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
    parser.add_argument(
        "--sign-certificate",
        type=Path,
        default=os.environ.get("LC_SIGN_CERTIFICATE") or None,
        help="sign the executables and the installer with this .pfx (Windows, SignTool; "
        "its password in LC_SIGN_PASSWORD)",
    )
    parser.add_argument(
        "--timestamp-url", default=DEFAULT_TIMESTAMP_URL, help="timestamp server for signing"
    )
    parser.add_argument(
        "--unlocked",
        action="store_true",
        default=os.environ.get("LC_BUILD_UNLOCKED", "") == "1",
        help="build with the installed versions where they differ from requirements/build.txt "
        "(default with LC_BUILD_UNLOCKED=1; the newest-versions CI job)",
    )
    args = parser.parse_args(argv)
    return BuildOptions(
        flavour=args.flavour,
        model=args.model,
        model_dtype=args.bundle_dtype,
        dist=args.dist.resolve(),
        work=(args.work or ROOT / "build" / f"pyinstaller-{args.flavour}").resolve(),
        clean=args.clean,
        skip_self_test=args.skip_self_test,
        skip_installer=args.skip_installer,
        installer_only=args.installer_only,
        sign_certificate=Path(args.sign_certificate) if args.sign_certificate else None,
        timestamp_url=args.timestamp_url,
        unlocked=args.unlocked,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    app_dir = options.dist / APP_NAME
    sign = sign_command(options)
    if not options.installer_only:
        check_locked_environment(options.unlocked)
        started = time.monotonic()
        run_pyinstaller(options)
        print(f"PyInstaller ({options.flavour}): {time.monotonic() - started:.0f} s")
        if options.model:
            source = resolve_model(options.model)
            model_id = None if Path(options.model).expanduser().is_dir() else options.model
            print(f"model: {copy_model(source, app_dir, model_id, options.model_dtype)}")
        export_bundled_onnx(app_dir)
        report_size(app_dir, options.flavour)
        if sign:
            sign_executables(sign, app_dir)
        check_frozen_app(app_dir, options.skip_self_test)
    elif not frozen_cli(app_dir).is_file():
        raise SystemExit(f"--installer-only: {app_dir} holds no frozen app; build it first")
    if options.skip_installer:
        return 0
    if sys.platform != "win32":
        if options.installer_only:
            raise SystemExit("the installer is built on Windows only (Inno Setup)")
        return 0
    setup = build_installer(options, app_dir, sign)
    return 1 if setup is None and options.installer_only else 0


if __name__ == "__main__":
    sys.exit(main())

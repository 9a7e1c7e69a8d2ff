"""The frozen app (installer/): what it leaves out, how it starts, and a real PyInstaller build.

The build takes minutes, so its tests (marked ``packaging``) run under CI (scripts/test.sh with
CI set, as .ci/run does) and elsewhere only when asked (tests/skip_policy.py, run_packaging):

    LC_RUN_PACKAGING=1 pytest -m packaging tests/e2e/test_packaging.py             # builds into a temp dir
    LC_RUN_PACKAGING=1 LC_PACKAGED_APP=dist/LiveCaptions pytest -m packaging   # checks a finished build

Outside CI they skip unless LC_RUN_PACKAGING=1 (LC_RUN_PACKAGING=0 turns them off under CI too),
or when PyInstaller is not installed and no finished build is given (a failure under CI). The
build checks that the environment has the locked versions (requirements/build.txt); with
LC_BUILD_UNLOCKED=1 it builds with what is installed (the newest-versions workflow). The other
tests here are fast and always run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import DEMO_DIR, GREEDY, make_model_dir
from helpers.packaging import build, entry, hook, rules
from skip_policy import run_packaging

from engine import __version__

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SAMPLE = ROOT / "engine" / "samples" / "sample.wav"


# --- fast: the rules and helpers, without building ---------------------------------------------


@pytest.mark.parametrize(
    "dest",
    [
        "torch/lib/libtorch_cuda.so",
        "torch/lib/cudnn64_9.dll",
        "nvidia/cublas/lib/libcublas.so.12",
        "torch/lib/cublasLt64_12.dll",
    ],
)
def test_cpu_flavour_leaves_out_cuda_libraries(dest: str) -> None:
    assert not rules.keep_binary(dest, "cpu")
    assert rules.keep_binary(dest, "cuda")


@pytest.mark.parametrize(
    "dest",
    [
        "torch/lib/libtorch_cpu.so",
        "torch/lib/c10.dll",
        "torch/lib/libiomp5md.dll",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/plugins/platforms/qwindows.dll",
    ],
)
def test_both_flavours_keep_what_the_app_runs_on(dest: str) -> None:
    assert rules.keep_binary(dest, "cpu") and rules.keep_binary(dest, "cuda")


def test_unused_qt_parts_torch_tests_and_headers_are_left_out() -> None:
    for dest in (
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt6Pdf.dll",
        "torch/lib/libtorchbind_test.so",
    ):
        assert not rules.keep_binary(dest, "cuda"), dest
    for dest in (
        "torch/include/ATen/core.h",
        "torch/bin/protoc",
        "numpy/_core/tests/data/a.csv",
        "PySide6/Qt/translations/qt_de.qm",
    ):
        assert not rules.keep_data(dest), dest
    assert rules.keep_data("engine/models/demo/config.json")
    assert rules.keep_data("engine/samples/sample.wav")
    assert rules.keep_data("torch/bin/torch_shm_manager")  # `import torch` checks that it exists
    assert rules.keep_data("soundcard/mediafoundation.py.h")  # soundcard reads it at import
    # Qt's own Chinese strings, where the Linux and the Windows wheels keep them.
    assert rules.keep_data("PySide6/Qt/translations/qtbase_zh_CN.qm")
    assert rules.keep_data("PySide6\\translations\\qtbase_zh_TW.qm")
    assert not rules.keep_data("PySide6/translations/qtbase_de.qm")


def test_the_build_machine_s_cuda_toolkit_is_never_collected() -> None:
    windows = r"C:\Program Files\NVIDIA GPU Computing Toolkit\CUDA\v13.0"
    toolkits = rules.cuda_toolkits({"CUDA_PATH": windows})
    for source in (
        "/usr/local/cuda-13.0/lib/libcudart.so.13",  # what leaked into a CPU build here
        "/usr/local/cuda/lib64/libcublas.so.12",
        "/opt/cuda/targets/x86_64-linux/lib/libnvrtc.so.13",
        windows + r"\bin\cudart64_13.dll",
    ):
        assert rules.from_cuda_toolkit(source, toolkits), source
    for source in (
        "/venv/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/libcudart.so.13",  # torch's
        "/venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so",
        "/usr/local/cudalike/lib/libx.so",
        "/usr/lib/x86_64-linux-gnu/libgomp.so.1",
    ):
        assert not rules.from_cuda_toolkit(source, toolkits), source
    assert rules.cuda_toolkits({}) == ("/opt/cuda", "/usr/local/cuda")


def test_only_libraries_known_to_load_stripped_are_stripped() -> None:
    assert rules.strippable("torch/lib/libtorch_cpu.so")
    assert not rules.strippable(
        "numpy.libs/libscipy_openblas64_-32a4b2a6.so"
    )  # fails to load stripped
    assert not rules.strippable("torch/lib/libgomp.so.1")
    assert rules.strippable("ctranslate2/_ext.cpython-311-x86_64-linux-gnu.so")  # debug info
    assert not rules.strippable("ctranslate2.libs/libctranslate2-a7a60d30.so.4.8.5")


def test_only_the_wav2vec2_family_of_transformers_is_kept() -> None:
    assert rules.wanted_transformers_module("transformers.models.wav2vec2.modeling_wav2vec2")
    assert rules.wanted_transformers_module("transformers.modeling_utils")
    assert not rules.wanted_transformers_module("transformers.models.bert.modeling_bert")
    assert not rules.wanted_transformers_module("transformers.pipelines.base")
    excluded = rules.excluded_transformers_modules(["bert", "wav2vec2", "whisper"])
    assert "transformers.models.bert" in excluded and "transformers.models.whisper" in excluded
    assert "transformers.models.wav2vec2" not in excluded


LEFT_OUT = """
import sys
# As in the frozen app, where the modules that freeze_rules excludes are not there: importing
# one fails, and importlib.util.find_spec (transformers' check for optional packages) finds none.
for name in sys.argv[3:]:
    sys.modules[name] = None
from engine import ModelOptions, load_recognizer, transcribe_file
recognizer = load_recognizer(ModelOptions(name=sys.argv[1], device="cpu", warmup=False))
transcript = transcribe_file(recognizer, sys.argv[2])
print("segments:", len(transcript.segments))
"""


def test_the_engine_runs_without_the_modules_the_bundle_leaves_out(tmp_path: Path) -> None:
    """transformers >= 5.25 requires `kernels` on Python 3.11+ (hub kernels, downloaded code the
    engine never asks for); the bundle leaves it out on purpose, so transformers must load and
    run the model without it, and without the other excluded modules, in the frozen app's
    environment (entry.FROZEN_ENVIRONMENT: without it, the load stops with "Kernels are not
    available")."""
    assert "kernels" in rules.EXCLUDED_MODULES
    left_out = [name for name in rules.EXCLUDED_MODULES if "." not in name]
    model = make_model_dir(tmp_path / "tiny")
    result = subprocess.run(
        [sys.executable, "-c", LEFT_OUT, str(model), str(SAMPLE), *left_out],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **entry.FROZEN_ENVIRONMENT},
    )
    assert result.returncode == 0, result.stderr
    assert "segments:" in result.stdout


def test_runtime_hook_finds_torch_and_nvidia_dll_folders(tmp_path: Path) -> None:
    for folder in ("torch/lib", "nvidia/cudnn/bin", "nvidia/cublas/bin", "nvidia/cublas/include"):
        (tmp_path / folder).mkdir(parents=True)
    found = [path.relative_to(tmp_path).as_posix() for path in hook.dll_directories(tmp_path)]
    assert found == ["torch/lib", "nvidia/cublas/bin", "nvidia/cudnn/bin"]
    assert hook.dll_directories(tmp_path / "missing") == []


def test_cuda_note_explains_and_leaves_the_cpu() -> None:
    import torch

    if torch.cuda.is_available():
        assert entry.cuda_note(torch) is None
    else:
        note = entry.cuda_note(torch)
        assert note and note.endswith("running on the CPU")


def test_a_gpu_that_cannot_run_falls_back_to_the_cpu() -> None:
    def broken_ones(*args: object, **kwargs: object) -> object:
        raise RuntimeError("CUDA error: no kernel image is available for execution on the device")

    torch = SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: True), ones=broken_ones)
    note = entry.cuda_note(torch)  # type: ignore[arg-type]
    assert note and "no kernel image" in note
    assert torch.cuda.is_available() is False


def test_build_copies_only_the_files_the_engine_reads(tmp_path: Path) -> None:
    source = tmp_path / "model"
    source.mkdir()
    for name in (
        "config.json",
        "vocab.json",
        "model.safetensors",
        "pytorch_model.bin",
        "tf_model.h5",
    ):
        (source / name).write_text(name)
    target = build.copy_model(source, tmp_path / "app")
    assert sorted(path.name for path in target.iterdir()) == [
        "bundled.json",
        "config.json",
        "model.safetensors",
        "vocab.json",
    ]
    assert build.bundled_model(tmp_path / "app") == target
    assert build.project_version() == __version__


@pytest.mark.skipif(not (DEMO_DIR / "model.safetensors").is_file(), reason="no demo model")
def test_a_bundled_model_comes_first_offline_with_half_the_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine import ModelOptions, TranscribeOptions, load_recognizer, transcribe_file
    from engine.model import SHIPPED_INFO

    app = tmp_path / "LiveCaptions"
    target = build.copy_model(DEMO_DIR, app, "acme/demo-w2v", "float16")
    assert build.SHIPPED_INFO == SHIPPED_INFO
    assert json.loads((target / SHIPPED_INFO).read_text())["id"] == "acme/demo-w2v"
    weights = "model.safetensors"
    assert (target / weights).stat().st_size < 0.52 * (DEMO_DIR / weights).stat().st_size
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # as in the frozen app
    monkeypatch.setattr(sys, "executable", str(app / "live-captions"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))  # and no network (conftest)
    options = {"device": "cpu", "dtype": "float32", "warmup": False}
    for name in ("facebook/wav2vec2-base-960h", "acme/demo-w2v"):  # the default, or its own id
        bundled = load_recognizer(ModelOptions(name=name, **options))  # type: ignore[arg-type]
        assert bundled.name == name and not bundled.is_demo
    demo = load_recognizer(ModelOptions(name="demo", **options))  # type: ignore[arg-type]
    # The same frames, decoded greedily: the demo model's own LM is used unasked under the name
    # "demo", and the bundled copy here has none.
    greedy = TranscribeOptions(decode=GREEDY)
    assert (
        transcribe_file(bundled, SAMPLE, greedy).text()
        == transcribe_file(demo, SAMPLE, greedy).text()
    )


# --- slow: a real build ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not run_packaging():
        pytest.skip("set LC_RUN_PACKAGING=1 to build and check the frozen app (takes minutes)")
    given = os.environ.get("LC_PACKAGED_APP")
    if given:
        folder = Path(given).resolve()
        assert build.frozen_cli(folder).is_file(), f"LC_PACKAGED_APP={given} holds no frozen app"
        return folder
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install pyinstaller)")
    out = tmp_path_factory.mktemp("frozen")
    subprocess.run(
        [
            sys.executable,
            str(INSTALLER / "build.py"),
            "--skip-self-test",
            "--skip-installer",
            "--bundle-model",  # the demo model as a folder stands in for base-960h (no network)
            str(DEMO_DIR),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        check=True,
        cwd=ROOT,
    )
    return out / "dist" / build.APP_NAME


def run_frozen(
    program: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_both_executables_start(app_dir: Path) -> None:
    gui = app_dir / ("LiveCaptions.exe" if sys.platform == "win32" else "LiveCaptions")
    assert gui.is_file()
    result = run_frozen(build.frozen_cli(app_dir), "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"live-captions {__version__}"
    if sys.platform != "win32":  # the windowed executable has no console to print to on Windows
        assert run_frozen(gui, "--version").stdout.strip() == f"live-captions {__version__}"


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_frozen_app_transcribes_with_a_model_folder(app_dir: Path, tmp_path: Path) -> None:
    model = make_model_dir(tmp_path / "tiny")
    result = run_frozen(
        build.frozen_cli(app_dir),
        "transcribe",
        str(SAMPLE),
        "--model",
        str(model),
        "--device",
        "cpu",
        "--no-progress",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert '"segments"' in result.stdout


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_the_frozen_app_captions_with_its_bundled_model_offline(
    app_dir: Path, tmp_path: Path
) -> None:
    if not (app_dir / "models" / "default" / "config.json").is_file():
        pytest.skip("this build has no bundled model (--bundle-model)")
    env = {"HF_HOME": str(tmp_path / "empty-cache"), "HF_ENDPOINT": "http://127.0.0.1:9"}
    result = run_frozen(build.frozen_cli(app_dir), "transcribe", str(SAMPLE), env=env)
    assert result.returncode == 0, result.stderr
    import jiwer

    expected = SAMPLE.with_suffix(".txt").read_text(encoding="utf-8").strip()
    assert jiwer.cer(expected, result.stdout.strip().lower()) <= 0.5, (
        result.stdout
    )  # as --self-test
    # Nothing fetched and no fallback: the speech model came from the bundle. (A note that the
    # English punctuation model is not on this computer, and downloads are off, may come.)
    assert "downloading" not in result.stderr.lower() and "demo model" not in result.stderr
    assert "cannot be reached" not in result.stderr


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_frozen_self_test(app_dir: Path) -> None:
    if build.bundled_model(app_dir) is None:
        pytest.skip(
            "the build has no model: the demo model has not been trained yet (tools/demo_model)"
        )
    result = run_frozen(build.frozen_cli(app_dir), "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "character error rate" in result.stdout
    assert "ONNX Runtime" in result.stdout  # the export shipped in models/onnx, not PyTorch
    assert "preparing the model" not in result.stderr  # nothing exported on the user's machine


def collected_sources(app_dir: Path) -> dict[str, str] | None:
    """Destination -> source path of what PyInstaller put into ``app_dir``, from the COLLECT
    table in its work folder (the fixture's, or build.py's default); None without one."""
    import ast

    for work in (app_dir.parents[1] / "work", ROOT / "build" / "pyinstaller-cpu"):
        table = work / "live_captions" / "COLLECT-00.toc"
        if table.is_file():
            entries = ast.literal_eval(table.read_text(encoding="utf-8"))[0]
            return {dest: source for dest, source, _ in entries}
    return None


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_the_bundle_leaves_out_kernels_and_the_build_machine_s_cuda(app_dir: Path) -> None:
    bundle = app_dir / "_internal"
    assert not (bundle / "kernels").exists()  # transformers' hub kernels (freeze_rules)
    sources = collected_sources(app_dir)
    if sources is None:
        pytest.skip("a finished build without PyInstaller's work folder (LC_PACKAGED_APP)")
    assert len(sources) > 100 and any(dest.startswith("torch/") for dest in sources)
    toolkits = rules.cuda_toolkits(os.environ)
    from_toolkit = [src for src in sources.values() if rules.from_cuda_toolkit(src, toolkits)]
    assert from_toolkit == []


@pytest.mark.packaging
@pytest.mark.timeout(3600)
def test_cpu_build_is_small_and_has_its_data(app_dir: Path) -> None:
    bundle = app_dir / "_internal"
    assert (bundle / "engine" / "samples" / "sample.wav").is_file()
    assert (bundle / "engine" / "api" / "static" / "index.html").is_file()
    assert not list(bundle.rglob("*tkinter*")) and not list(bundle.rglob("*QtWebEngine*"))
    if (
        importlib.util.find_spec("soundcard") is not None
    ):  # system audio on Windows reads it at import
        assert (bundle / "soundcard" / "mediafoundation.py.h").is_file()
    if entry.ships_cuda(bundle):
        pytest.skip("a CUDA build: the size budget is for the CPU flavour")
    libraries = [
        path for path in bundle.rglob("*") if path.suffix in (".so", ".dll") or ".so." in path.name
    ]
    assert not [path for path in libraries if rules.is_cuda_library(path.name)]
    size = build.report_size(app_dir, "cpu")  # without models/default, where a model may be added
    assert size < build.CPU_BUDGET_BYTES, f"{size / 1e6:.0f} MB"

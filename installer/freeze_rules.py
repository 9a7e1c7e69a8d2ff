"""What the frozen app leaves out: modules it never imports, and files that PyInstaller's hooks
collect but the app never opens (headers, test programs, Qt parts for QML or web pages, and the
CUDA libraries in the CPU flavour), and libraries of the build machine's own CUDA toolkit.

Plain functions on destination paths, so that the spec stays short and the rules are tested
without building (tests/e2e/test_packaging.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath

FLAVOURS = ("cpu", "cuda")

# Importable, but the app never uses them; some come in through optional imports of torch or
# transformers when they happen to be installed in the build environment.
EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    "ipykernel",
    "jupyter_client",
    "notebook",
    "pytest",
    "_pytest",
    "hypothesis",
    "schemathesis",
    "openai",
    "pandas",
    "scipy",
    "sklearn",
    "PIL",
    "torchvision",
    "torchaudio",
    "tensorflow",
    "jax",
    "flax",
    "tensorboard",
    "torch.utils.tensorboard",
    # Reached only from command-line tools, debugging aids and optional code paths of httpx2,
    # pydantic, websockets and torch.
    "rich",
    "pygments",
    "markdown_it",
    "werkzeug",
    # Used by torch only to compile C++ extensions and by torch.compile, which the engine never
    # calls (it runs eager PyTorch); triton is torch.compile's GPU code generator.
    "setuptools",
    "pkg_resources",
    "networkx",
    "triton",
    # uvicorn's optional faster event loop (Linux/macOS only); it falls back to asyncio's.
    "uvloop",
    # Hugging Face's "hub kernels": compiled kernels that transformers downloads from the hub
    # (use_kernels, which transformers >= 5.25 turns on by default; the engine needs none).
    # transformers >= 5.25 requires the package on Python >= 3.11; frozen, it crashed at model
    # load reading a data file PyInstaller does not collect (kernels/_internals/
    # python_depends.json). Left out, and turned off in the frozen app (entry.FROZEN_ENVIRONMENT:
    # USE_HUB_KERNELS=NO), transformers loads and runs the model without it.
    "kernels",
]
# transformers loads model classes lazily by name; the engine needs the wav2vec2 family (and what
# its loading touches). Every other model package is left out: transformers/models/__init__.py
# names them all in imports that only type checkers run, but PyInstaller follows.
TRANSFORMERS_MODELS = (
    "wav2vec2",
    "auto",
    "encoder_decoder",
    "data2vec",
    "hubert",
    "unispeech",
    "unispeech_sat",
)
# Parts of transformers that loading and running a CTC model never reach.
TRANSFORMERS_UNUSED = (
    "pipelines",
    "exporters",
    "commands",
    "cli",
    "data",
    "testing_utils",
    "trainer",
    "trainer_seq2seq",
    "trainer_pt_utils",
    "trainer_callback",
    "trainer_optimizer",
    "training_args",
    "training_args_seq2seq",
    "hyperparameter_search",
    "optimization",
    "benchmark",
    "onnx",
    "sagemaker",
)
# PySide6 modules the desktop app does not import (it uses QtCore, QtGui and QtWidgets).
EXCLUDED_QT_MODULES = [
    f"PySide6.{name}"
    for name in (
        "QtWebEngineCore",
        "QtWebEngineWidgets",
        "QtWebEngineQuick",
        "QtWebChannel",
        "QtWebSockets",
        "QtWebView",
        "QtHttpServer",
        "Qt3DCore",
        "Qt3DRender",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DExtras",
        "Qt3DAnimation",
        "QtMultimedia",
        "QtMultimediaWidgets",
        "QtSpatialAudio",
        "QtTextToSpeech",
        "QtQml",
        "QtQuick",
        "QtQuickWidgets",
        "QtQuickControls2",
        "QtQuick3D",
        "QtCharts",
        "QtGraphs",
        "QtDataVisualization",
        "QtPdf",
        "QtPdfWidgets",
        "QtSql",
        "QtTest",
        "QtDesigner",
        "QtUiTools",
        "QtHelp",
        "QtBluetooth",
        "QtNfc",
        "QtPositioning",
        "QtLocation",
        "QtSensors",
        "QtSerialPort",
        "QtSerialBus",
        "QtRemoteObjects",
        "QtScxml",
        "QtStateMachine",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtSvg",
        "QtSvgWidgets",
        "QtNetworkAuth",
        "QtAxContainer",
    )
]

# Parts of a library's file name that mark it as CUDA (NVIDIA's libraries and torch's CUDA code).
CUDA_MARKERS = (
    "cublas",
    "cudnn",
    "cufft",
    "curand",
    "cusolver",
    "cusparse",
    "cudart",
    "nvrtc",
    "nvjitlink",
    "nccl",
    "cupti",
    "nvtoolsext",
    "nvtx",
    "cufile",
    "nvshmem",
    "torch_cuda",
    "c10_cuda",
    "caffe2_nvrtc",
)
# Qt libraries and plugins for features the app does not use (QML, PDF, web pages, the
# on-screen keyboard that needs QML, Qt Designer).
UNUSED_QT_MARKERS = (
    "qt6qml",
    "qt6quick",
    "qt6pdf",
    "qt6virtualkeyboard",
    "qt6webengine",
    "qt63d",
    "qt6multimedia",
    "qt6designer",
    "qt6lottie",
    "qt6labs",
    "qtvirtualkeyboardplugin",
    "qpdf",
    "qmldbg",
)
# torch's own test programs and libraries, shipped in its wheel.
TORCH_TEST_MARKERS = (
    "_test.",
    "jitbackend_test",
    "torchbind_test",
    "backend_with_compiler",
    "aoti_custom_ops",
)
# torch's helper program for sharing memory between processes: `import torch` checks it exists.
TORCH_SHM_MANAGER = "torch/bin/torch_shm_manager"
# Folders (destination paths) of data that no part of the app reads at run time.
UNUSED_DATA_FOLDERS = (
    "torch/bin",
    "torch/test",
    "torch/include",
    "torch/share",
    "PySide6/Qt/translations",
    "PySide6/translations",
    "PySide6/include",
    "PySide6/typesystems",
    "PySide6/glue",
    "PySide6/scripts",
)
UNUSED_DATA_SUFFIXES = (".pyi", ".h", ".hpp", ".cuh", ".cmake", ".lib", ".a")


def wanted_transformers_module(name: str) -> bool:
    """Whether a module of transformers belongs in the app (for collect_submodules' filter)."""
    parts = name.split(".")
    if len(parts) > 2 and parts[1] == "models":
        return parts[2] in TRANSFORMERS_MODELS
    return len(parts) < 2 or parts[1] not in TRANSFORMERS_UNUSED


def excluded_transformers_modules(model_packages: list[str]) -> list[str]:
    """Module names to exclude, given the names of the packages in transformers/models."""
    unused_models = [
        f"transformers.models.{name}" for name in model_packages if name not in TRANSFORMERS_MODELS
    ]
    return [f"transformers.{name}" for name in TRANSFORMERS_UNUSED] + unused_models


def _name(dest: str) -> str:
    return PurePosixPath(dest.replace("\\", "/")).name.lower()


def _under(dest: str, folders: tuple[str, ...]) -> bool:
    path = dest.replace("\\", "/")
    return any(path == folder or path.startswith(folder + "/") for folder in folders)


def is_cuda_library(dest: str) -> bool:
    name = _name(dest)
    return any(marker in name for marker in CUDA_MARKERS) or _under(dest, ("nvidia",))


def cuda_toolkits(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Folders of CUDA toolkits installed on the build machine (not by pip): /usr/local/cuda*,
    /opt/cuda, and where CUDA_PATH / CUDA_HOME (Windows' installer sets CUDA_PATH) point."""
    named = [environ.get(name, "") for name in ("CUDA_PATH", "CUDA_HOME", "CUDA_ROOT")]
    folders = {str(PurePath(path)) for path in named if path}
    folders |= {"/usr/local/cuda", "/opt/cuda"}
    return tuple(sorted(folders))


def from_cuda_toolkit(source: str, toolkits: tuple[str, ...]) -> bool:
    """Whether a library's source path lies in a CUDA toolkit of the build machine: never
    collected, in either flavour (a CPU build needs no CUDA; the CUDA flavour ships the CUDA
    libraries of torch's wheels, the versions torch was built with). /usr/local/cuda-13.0 counts
    as /usr/local/cuda."""
    path = source.replace("\\", "/").lower()
    for folder in toolkits:
        root = folder.replace("\\", "/").lower().rstrip("/")
        if path.startswith(root + "/") or re.match(re.escape(root) + r"-[\d.]+/", path):
            return True
    return False


def keep_binary(dest: str, flavour: str) -> bool:
    """Whether a shared library (destination path in the bundle) belongs in ``flavour``."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; use one of {FLAVOURS}")
    name = _name(dest)
    if any(marker in name for marker in UNUSED_QT_MARKERS + TORCH_TEST_MARKERS):
        return False
    if _under(dest, ("torch/bin", "torch/test")) and dest.replace("\\", "/") != TORCH_SHM_MANAGER:
        return False
    return flavour == "cuda" or not is_cuda_library(dest)


def strippable(dest: str) -> bool:
    """Whether a Linux library may lose its symbol table: torch's own builds (about 90 MB of
    libtorch_cpu.so) and CTranslate2's Python extension (68 MB, of which 67 MB debug information;
    stripped, it loads and the translation tests pass). Not the others: libraries that patchelf
    changed (auditwheel's, numpy's OpenBLAS) may no longer load when stripped."""
    name = _name(dest)
    path = dest.replace("\\", "/")
    if path.startswith("ctranslate2/_ext.") and ".so" in name:
        return True
    return (
        path.startswith("torch/lib/") and name.startswith(("libtorch", "libc10")) and ".so" in name
    )


def keep_data(dest: str) -> bool:
    """Whether a data file (destination path in the bundle) is used at run time."""
    path = dest.replace("\\", "/")
    if path.startswith(("engine/", "desktop_app/")) or path == TORCH_SHM_MANAGER:
        return True
    if path.startswith("soundcard/") and path.endswith(".py.h"):  # C declarations read at import
        return True
    if path.startswith("opencc/clib/share/opencc/"):  # OpenCC's conversion dictionaries
        return True
    # Qt's own strings in Chinese (standard buttons, dialogs): PySide6/Qt/translations on Linux
    # and macOS, PySide6/translations in the Windows wheels.
    if path.startswith(("PySide6/Qt/translations/qtbase_zh_", "PySide6/translations/qtbase_zh_")):
        return True
    if _under(path, UNUSED_DATA_FOLDERS) or path.lower().endswith(UNUSED_DATA_SUFFIXES):
        return False
    # Test data of third-party packages ("*/tests/*"), never of the app.
    return not any(part in ("tests", "test") for part in PurePosixPath(path).parts[:-1])

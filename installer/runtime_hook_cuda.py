"""PyInstaller runtime hook: let Windows find the CUDA libraries shipped with PyTorch.

It runs in the frozen app before any of the app's modules, so before torch loads. torch finds
its own ``torch/lib`` when frozen, but looks for the ``nvidia-*`` wheels' DLLs in site-packages,
which a frozen app does not have; cuDNN and cuBLAS also load some of their parts by name with
LoadLibrary, which searches PATH rather than the directories added with ``os.add_dll_directory``.
Both are set here. Elsewhere than in a frozen app on Windows it does nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def dll_directories(bundle: Path) -> list[Path]:
    """The folders of a bundle that hold the DLLs of torch and of the nvidia-* wheels."""
    candidates = [bundle / "torch" / "lib", *sorted((bundle / "nvidia").glob("*/bin"))]
    return [folder for folder in candidates if folder.is_dir()]


def _add_dll_directories(bundle: Path) -> None:
    folders = dll_directories(bundle)
    for folder in folders:
        os.add_dll_directory(str(folder))  # type: ignore[attr-defined]  # Windows only
    os.environ["PATH"] = os.pathsep.join([*map(str, folders), os.environ.get("PATH", "")])


if sys.platform == "win32" and getattr(sys, "frozen", False):
    _add_dll_directories(Path(sys._MEIPASS))  # type: ignore[attr-defined]  # set by PyInstaller's bootloader

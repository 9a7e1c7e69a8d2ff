"""The installer's modules, loaded from their files: installer/ is a folder of scripts that
PyInstaller and the build run, not a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

INSTALLER = Path(__file__).resolve().parents[1] / "installer"


def load_installer_module(name: str) -> ModuleType:
    """installer/NAME.py as the module ``installer_NAME`` (loaded once: a second call returns
    the module the first loaded)."""
    module_name = f"installer_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, INSTALLER / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module

"""The installer's modules (installer/ is not a package), loaded once from their files for the
tests that read the frozen build's rules and entry point."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def load_installer_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


rules = load_installer_module("freeze_rules")
entry = load_installer_module("entry")
build = load_installer_module("build")
hook = load_installer_module("runtime_hook_cuda")

"""The installer's modules that the packaging tests read (devkit.installer loads them)."""

from __future__ import annotations

from devkit.installer import load_installer_module

rules = load_installer_module("freeze_rules")
entry = load_installer_module("entry")
build = load_installer_module("build")
hook = load_installer_module("runtime_hook_cuda")

__all__ = ["build", "entry", "hook", "load_installer_module", "rules"]

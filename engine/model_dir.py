"""Where a model's files are: the model an installation ships, the bundled demo, a local
folder, or the Hugging Face cache and hub."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .config import DEFAULT_MODEL, DEMO_MODEL, ModelOptions
from .errors import ModelLoadError
from .frames import DEMO_MODEL_DIR
from .hub import DownloadProgress, cached_model, check_speech_model, download_model

SHIPPED_INFO = "bundled.json"  # in a shipped model's folder: {"id": the hub id it came from}


def shipped_model_dir() -> Path | None:
    """The model a frozen installation ships with (``installer/build.py --bundle-model``): its
    ``models/default`` folder beside the executable; None when there is none."""
    import sys

    if getattr(sys, "frozen", False):
        shipped = Path(sys.executable).parent / "models" / "default"
        if (shipped / "config.json").is_file():
            return shipped
    return None


def shipped_model(name: str) -> Path | None:
    """The shipped model's folder when ``name`` asks for it: the default model, or the hub id
    it was bundled from. It comes before the cache and the hub, so a fresh installation
    captions without network."""
    folder = shipped_model_dir()
    if folder is None:
        return None
    try:
        shipped_id = json.loads((folder / SHIPPED_INFO).read_text(encoding="utf-8")).get("id")
    except (OSError, ValueError, AttributeError):
        shipped_id = None
    return folder if name in (DEFAULT_MODEL, shipped_id) else None


def demo_model_dir() -> Path:
    """The bundled demo model's folder."""
    return DEMO_MODEL_DIR


def bundled_model_dir() -> Path:
    """The model an installation ships with, else the demo model inside the package."""
    return shipped_model_dir() or demo_model_dir()


def help_text(name: str) -> str:
    return (
        f"Download it once on a machine with internet access (it goes to the Hugging Face cache), "
        f"or choose a local folder that holds a CTC speech checkpoint (config.json, weights and "
        f"processor files), or the bundled demo model ('{DEMO_MODEL}')."
    )


def hub_repo_id(name: str) -> str | None:
    """The hub id ``name`` stands for, or None when it is the demo or a path on this disk."""
    path = Path(name).expanduser()
    looks_like_path = (
        path.is_absolute()
        or name.startswith((".", "~"))
        or name.count("/") > 1
        or os.sep in name.replace("/", "")
    )
    if name == DEMO_MODEL or path.exists() or looks_like_path:
        return None
    return name


def resolve_model_dir(
    options: ModelOptions,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Find the model's folder: the demo, a local folder, or the hub (cache first). A hub
    download reports to ``progress`` and stops with :class:`Cancelled` once ``cancel`` is set."""
    name = options.name
    shipped = shipped_model(name)
    if shipped is not None:
        return shipped
    if name == DEMO_MODEL:
        demo = demo_model_dir()
        if not (demo / "config.json").is_file():
            raise ModelLoadError(
                "the bundled demo model is missing from this installation", code="demo_missing"
            )
        return demo
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"model folder {path} is not a model: it has no config.json. {help_text(name)}",
                code="folder_not_model",
                folder=path,
            )
        check_speech_model(path / "config.json", str(path))
        return path
    if hub_repo_id(name) is None:
        reason = "is a file, not a folder" if path.exists() else "does not exist"
        raise ModelLoadError(
            f"model folder {path} {reason}. {help_text(name)}",
            code="folder_is_file" if path.exists() else "folder_missing",
            folder=path,
        )
    return _hub_snapshot(options, progress, cancel)


def _hub_snapshot(
    options: ModelOptions, progress: DownloadProgress | None, cancel: threading.Event | None
) -> Path:
    repo_id = options.name
    folder = cached_model(repo_id)
    if folder is not None:
        return folder
    if options.local_files_only:
        raise ModelLoadError(
            f"model {repo_id!r} is not in the local Hugging Face cache and downloads are off. "
            + help_text(repo_id),
            code="not_downloaded",
            repo=repo_id,
        )
    return download_model(repo_id, options.hub_endpoint, progress, cancel)

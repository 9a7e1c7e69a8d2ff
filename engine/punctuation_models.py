"""Finding and loading punctuation models: the bundled demo model, a folder, or a hub id
downloaded like speech models (engine.hub: progress, cancel, mirror, offline cache)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from .catalogue import DEMO_PUNCTUATION, find, punctuation_for_language
from .config import DEMO_MODEL
from .download_progress import DownloadProgress
from .errors import ModelLoadError, PunctuationModelError
from .hub import cached_model, download_model
from .punctuation import PunctuationOptions, TokenClassifier

log = logging.getLogger("engine.punctuation")

DEMO_PUNCTUATION_DIR = Path(__file__).parent / "models" / "demo_punctuation"
OFF = "off"  # the model name that turns punctuation off
_HELP = (
    "Choose a token-classification punctuation model (a Hugging Face id such as "
    "felflare/bert-restore-punctuation, a folder that holds one, or 'demo'), or turn "
    "punctuation off (--no-punctuation)."
)


def default_punctuation_model(speech_model: str, language: str | None = None) -> str | None:
    """The punctuation model for a speech model's captions: the demo's for the demo speech
    model, else the catalogue's model for the caption language; None where there is none."""
    if speech_model == DEMO_MODEL or Path(speech_model).resolve() == _demo_speech_dir():
        return DEMO_PUNCTUATION
    if language is None:
        entry = find(speech_model)
        language = entry.language if entry else None
    if not language:
        return None
    found = punctuation_for_language(language)
    return found.model if found else None


def punctuation_model_name(
    options: PunctuationOptions, speech_model: str, is_demo: bool = False
) -> str | None:
    """The punctuation model to load for a speech model's captions: the one the options name,
    else the default for its language (:func:`default_punctuation_model`); None when
    punctuation is off or no model fits. The command line, the server and the app share this
    rule."""
    if not options.enabled:
        return None
    return options.model or default_punctuation_model(DEMO_MODEL if is_demo else speech_model)


def _demo_speech_dir() -> Path:
    return (Path(__file__).parent / "models" / "demo").resolve()


def check_punctuation_model(config_file: Path, name: str) -> None:
    """Refuse a model whose config.json is not a token classifier."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PunctuationModelError(
            f"{name}: its config.json cannot be read ({exc}). {_HELP}"
        ) from None
    architectures = config.get("architectures") or []
    if not any(str(a).endswith("ForTokenClassification") for a in architectures):
        what = ", ".join(architectures) or config.get("model_type") or "an unknown model type"
        raise PunctuationModelError(
            f"{name} is a {what} model, not a token-classification punctuation model. {_HELP}"
        )


def resolve_punctuation_dir(
    name: str,
    endpoint: str | None = None,
    local_files_only: bool = False,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """The folder of a punctuation model: the demo, a folder, or the hub (cache first)."""
    if name == DEMO_PUNCTUATION:
        if not (DEMO_PUNCTUATION_DIR / "config.json").is_file():
            raise PunctuationModelError("the bundled demo punctuation model is missing")
        return DEMO_PUNCTUATION_DIR
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PunctuationModelError(f"{path} has no config.json: not a model. {_HELP}")
        check_punctuation_model(path / "config.json", str(path))
        return path
    if path.is_absolute() or name.startswith((".", "~")) or name.count("/") != 1:
        raise PunctuationModelError(f"punctuation model {name!r} does not exist. {_HELP}")
    folder = cached_model(name)
    if folder is not None:
        return folder
    if local_files_only or _hub_offline():
        raise PunctuationModelError(
            f"punctuation model {name!r} is not in the local Hugging Face cache and downloads "
            f"are off. {_HELP}",
            code="not_cached",
            repo=name,
        )
    try:
        return download_model(name, endpoint, progress, cancel, check=check_punctuation_model)
    except PunctuationModelError:
        raise
    except ModelLoadError as exc:  # the hub's message, said of the punctuation model
        raise PunctuationModelError(
            f"punctuation model: {exc}", code=exc.code, **exc.params
        ) from None


def _hub_offline() -> bool:
    """HF_HUB_OFFLINE is set: say so in the punctuation model's words, not the hub's (whose
    advice names speech models)."""
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def load_punctuation_model(
    name: str,
    endpoint: str | None = None,
    local_files_only: bool = False,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    threads: int = 1,
) -> TokenClassifier:
    """Find (downloading where needed) and load a punctuation model."""
    folder = resolve_punctuation_dir(name, endpoint, local_files_only, progress, cancel)
    model = TokenClassifier(folder, name, threads)
    log.info("punctuation model %s loaded (%s)", name, "cased" if model.cased else "marks only")
    return model

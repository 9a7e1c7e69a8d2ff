"""The engine's errors in the app's language: an error that carries a ``code`` (see
engine.errors) is written from a translated template with its ``params``; any other keeps the
engine's English message."""

from __future__ import annotations

from PySide6.QtCore import QObject

from engine.errors import LiveCaptionsError
from engine.hub import MIRROR_EXAMPLE


class EngineMessages(QObject):
    """Translated templates by error code (a QObject only for tr())."""

    def templates(self) -> dict[str, str]:
        return {
            "hub_unreachable": self.tr(
                "The hub at {endpoint} cannot be reached (no network, or it is blocked here). "
                "Connect and try again, or choose a mirror under “{download_from}” ({mirror} "
                "works from mainland China), {otherwise}"
            ),
            "hub_error": self.tr(
                "The hub at {endpoint} answered with an error ({status}); it may be down for a "
                "while. Try again later, or choose a mirror under “{download_from}” ({mirror} "
                "works from mainland China), {otherwise}"
            ),
            "model_not_found": self.tr(
                "The model {repo} was not found on {endpoint}. Check its name, {otherwise}"
            ),
            "gated": self.tr(
                "The model {repo} needs a Hugging Face login and its licence accepted. Download "
                "it once with “hf download {repo}”, {otherwise}"
            ),
            "offline": self.tr(
                "The model {repo} is not on this computer and downloads are switched off "
                "(HF_HUB_OFFLINE is set). Unset it to download, {otherwise}"
            ),
            "disk_full": self.tr(
                "The disk is full: the model {repo} cannot be saved in {folder}. Free some "
                "space, or set HF_HOME to a folder on a disk with room, and try again."
            ),
            "download_failed": self.tr(
                "The model {repo} could not be downloaded from {endpoint} ({reason}). Try "
                "again (what was downloaded is kept), {otherwise}"
            ),
            "not_speech_model": self.tr(
                "{repo} is a {what} model, not a CTC speech recogniser. Choose "
                "another model, {otherwise}"
            ),
        }

    def otherwise(self) -> str:
        return self.tr("or use a model folder on this computer, or the demo model.")

    def download_from(self) -> str:
        """The first-run dialog's label of the hub field, as the advice names it."""
        return self.tr("Download from")


def describe(error: BaseException) -> str:
    """What ``error`` says, in the app's language where the engine gave it a code."""
    code = getattr(error, "code", "")
    messages = EngineMessages()
    template = messages.templates().get(code) if code else None
    if template is None or not isinstance(error, LiveCaptionsError):
        return str(error)
    values = {
        "mirror": MIRROR_EXAMPLE,
        "download_from": messages.download_from(),
        "otherwise": messages.otherwise(),
        **{k: str(v) for k, v in error.params.items()},
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError):  # a translation naming a value the error lacks
        return str(error)

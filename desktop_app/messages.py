"""The engine's errors in the app's language: an error that carries a ``code`` (see
engine.errors) is written from a translated template with its ``params``; any other keeps the
engine's English message."""

from __future__ import annotations

from PySide6.QtCore import QObject

from engine.catalogue import CatalogueModel
from engine.errors import LiveCaptionsError
from engine.frames import Recognizer
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
            "not_downloaded": self.tr(
                "The model {repo} is not downloaded yet, and downloads are off. Download it "
                "once with a network connection, {otherwise}"
            ),
            "demo_missing": self.tr(
                "The bundled demo model is missing from this installation: install the app again."
            ),
            "folder_not_model": self.tr(
                "The folder {folder} is not a model: it has no config.json. Choose a folder "
                "with a CTC speech model (config.json, weights and processor files), {otherwise}"
            ),
            "folder_missing": self.tr(
                "The model folder {folder} does not exist. Choose another folder, {otherwise}"
            ),
            "folder_is_file": self.tr(
                "{folder} is a file, not a model folder. Choose the folder that holds the "
                "model, {otherwise}"
            ),
            "config_unreadable": self.tr(
                "The configuration (config.json) of {repo} cannot be read ({reason}). Choose "
                "another model, {otherwise}"
            ),
            "processor_unreadable": self.tr(
                "The tokenizer and feature extractor of {repo} cannot be read ({reason}). "
                "Choose another model, {otherwise}"
            ),
            "processor_needs_package": self.tr(
                "The feature extractor of {repo} needs a package that is not installed "
                "({reason}). Choose another model, {otherwise}"
            ),
            "sample_rate": self.tr(
                "{repo} expects audio at {rate} Hz; only models for {supported} Hz audio work "
                "here. Choose another model, {otherwise}"
            ),
            "frame_length": self.tr(
                "The frame length of {what} models cannot be computed: this kind of model "
                "is not supported yet. Choose another model, {otherwise}"
            ),
            "model_build_failed": self.tr(
                "The model {repo} cannot be built ({reason}). Choose another model, {otherwise}"
            ),
            "weights_unreadable": self.tr(
                "The weights of {repo} cannot be loaded ({reason}). If it was downloaded, "
                "delete it from the cache and download it again, {otherwise}"
            ),
            "cuda_unavailable": self.tr(
                "A GPU (CUDA) was chosen but none can be used here (no NVIDIA GPU or driver, or "
                "a PyTorch without CUDA). Choose “CPU” or “Automatic” as the device in Settings."
            ),
            "int8_needs_cpu": self.tr(
                "int8 runs on the CPU only: choose the CPU as the device, or another precision."
            ),
            "onnx_needs_cpu": self.tr(
                "ONNX Runtime runs on the CPU in {dtypes}, not {dtype} on {device}: choose "
                "PyTorch for that."
            ),
        }

    def otherwise(self) -> str:
        return self.tr("or use a model folder on this computer, or the demo model.")

    def demo_model(self) -> str:
        return self.tr("demo model (understands synthetic voices only)")

    def model_line(self) -> str:
        """The model, its device, precision and backend."""
        return self.tr("{0} on {1} ({2}, {3})")

    def size_line(self) -> str:
        return self.tr("{0} M parameters, about {1}")

    def no_figures(self) -> str:
        return self.tr("error rates: see the model card")

    def cpu_cost(self) -> str:
        return self.tr("CPU cost {0}x the default model's")

    def download_from(self) -> str:
        """The first-run dialog's label of the hub field, as the advice names it."""
        return self.tr("Download from")


def describe_model(recognizer: Recognizer) -> str:
    """The loaded model in one line (the status bar), in the app's language: what
    ``Recognizer.describe()`` says in English."""
    messages = EngineMessages()
    label = messages.demo_model() if recognizer.is_demo else recognizer.name
    backend = "ONNX Runtime" if recognizer.backend == "onnx" else "PyTorch"
    return messages.model_line().format(label, recognizer.device.upper(), recognizer.dtype, backend)


def catalogue_lines(entry: CatalogueModel) -> list[str]:
    """A catalogue entry's facts as Settings shows them, in the app's language (what
    ``CatalogueModel.lines()`` says in English; the notes stay as the catalogue wrote them)."""
    messages = EngineMessages()
    lines = [
        f"{entry.language_name} ({entry.native_name})",
        messages.size_line().format(f"{entry.parameters_m:g}", entry.download)
        + f" · {entry.licence}",
        "; ".join(str(e) for e in entry.error_rates) or messages.no_figures(),
    ]
    if entry.cpu_cost is not None:
        lines.append(messages.cpu_cost().format(f"{entry.cpu_cost:.1f}"))
    return lines + ([entry.note] if entry.note else [])


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

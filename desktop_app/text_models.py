"""The live captions' text models, loaded off the GUI thread: punctuation with true casing
(engine.punctuation_models) and translation (engine.translation), as the settings ask.

A model that cannot be had (offline, not downloaded, broken) is a notice in the app's language;
the captions go on without it. A download shows progress and can be cancelled; what it fetched
stays cached (engine.hub).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from engine.config import TranslationOptions
from engine.download_progress import DownloadProgress
from engine.errors import Cancelled, ModelLoadError
from engine.hub import DownloadStatus
from engine.punctuation import Punctuation, PunctuationOptions, TokenClassifier
from engine.punctuation_models import load_punctuation_model, punctuation_model_name
from engine.translation import Translator, load_translator, speech_language

log = logging.getLogger("desktop_app.text_models")

# Error codes that mean "not on this computer, and it cannot be downloaded now".
UNREACHABLE = frozenset(
    {"not_cached", "offline", "hub_unreachable", "hub_error", "download_failed"}
)


@dataclass(frozen=True)
class TextRequest:
    """What to load: the settings' choices for the speech model in use."""

    speech_model: str  # the recogniser's name (a hub id, a folder or "demo")
    is_demo: bool  # the demo speech model (it pairs with the demo punctuation model)
    punctuation: PunctuationOptions
    custom_words: tuple[str, ...]  # kept in their typed case
    translation: TranslationOptions  # target "": no translation
    hub_endpoint: str | None = None


@dataclass(frozen=True)
class Translation:
    """A loaded translation model and the language it writes."""

    translator: Translator
    language: str


class _TextJob(QObject):
    progress = Signal(str, int, int)  # what, bytes done, bytes in all (0: unknown)
    punctuation = Signal(object, str)  # Punctuation or None, a notice ("": none)
    translation = Signal(object, str)  # Translation or None, a notice ("": none)

    def __init__(self, request: TextRequest, cache: dict[str, TokenClassifier]) -> None:
        super().__init__()
        self.request = request
        self.cache = cache  # punctuation models by name, loaded once per app
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            self.punctuation.emit(*self._punctuation())
            self.translation.emit(*self._translation())
        except Cancelled:
            return  # the loader stopped listening when it cancelled

    def _punctuation(self) -> tuple[Punctuation | None, str]:
        r = self.request
        name = punctuation_model_name(r.punctuation, r.speech_model, r.is_demo)
        if name is None:
            return None, ""
        model = self.cache.get(name)
        if model is None:
            self.progress.emit(self.tr("Loading the punctuation model {}…").format(name), 0, 0)
            try:
                model = load_punctuation_model(
                    name, r.hub_endpoint, progress=self._download(name), cancel=self.cancel
                )
            except ModelLoadError as exc:
                if exc.code in UNREACHABLE:
                    return None, self.tr(
                        "Captions come without punctuation: the punctuation model {0} is not on "
                        "this computer and cannot be downloaded now (no network, or downloads "
                        "are off). Connect and open Settings > OK to try again, or switch "
                        "punctuation off there."
                    ).format(name)
                return None, self.tr("Captions come without punctuation: {0}").format(exc)
            self.cache[name] = model
        return Punctuation.of(model, r.punctuation, r.custom_words), ""

    def _translation(self) -> tuple[Translation | None, str]:
        options = self.request.translation
        if not options.enabled:
            return None, ""
        what = options.model or options.target
        self.progress.emit(self.tr("Loading the translation model ({})…").format(what), 0, 0)
        try:
            translator = load_translator(
                options,
                speech_language(self.request.speech_model),
                self._download(what),
                self.cancel,
            )
        except ModelLoadError as exc:
            if exc.code in UNREACHABLE:
                return None, self.tr(
                    "Captions come without translation: the translation model {0} is not on "
                    "this computer and cannot be downloaded now (no network, or downloads are "
                    "off). Connect and open Settings > OK to try again."
                ).format(exc.params.get("repo") or what)
            return None, self.tr("Captions come without translation: {0}").format(exc)
        return Translation(translator, options.target), ""

    def _download(self, name: str) -> DownloadProgress:
        def report(status: DownloadStatus) -> None:
            text = self.tr("Downloading {0}: {1}").format(name, status.describe())
            self.progress.emit(text, status.done, status.total)

        return report


class TextModelLoader(QObject):
    """Loads the text models for one request at a time in a background thread (a new request
    replaces the running one); signals arrive on the GUI thread. A plain daemon thread, like the
    speech model's loader: quitting never waits for a download."""

    progress = Signal(str, int, int)  # what, bytes done, bytes in all (0: unknown)
    punctuation_loaded = Signal(object)  # Punctuation or None
    translation_loaded = Signal(object)  # Translation or None
    notice = Signal(str)  # a model could not be had: captions go on without it
    finished = Signal()  # the request is done (every model loaded or given up)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: _TextJob | None = None
        self._cache: dict[str, TokenClassifier] = {}

    @property
    def busy(self) -> bool:
        return self._job is not None

    def load(self, request: TextRequest) -> None:
        self._drop()
        job = _TextJob(request, self._cache)
        job.progress.connect(self._on_progress)
        job.punctuation.connect(self._on_punctuation)
        job.translation.connect(self._on_translation)
        self._job = job
        threading.Thread(target=job.run, name="text-models", daemon=True).start()

    def cancel(self) -> None:
        """Stop the running load (a download ends at its next piece); captions go on with what
        is loaded."""
        if self._drop():
            self.cancelled.emit()
            self.finished.emit()

    def _drop(self) -> bool:
        job, self._job = self._job, None
        if job is not None:
            job.cancel.set()
        return job is not None

    # A replaced job's signals may already be queued: only the current job's count.
    @Slot(str, int, int)
    def _on_progress(self, text: str, done: int, total: int) -> None:
        if self.sender() is self._job:
            self.progress.emit(text, done, total)

    @Slot(object, str)
    def _on_punctuation(self, punctuation: Punctuation | None, note: str) -> None:
        if self.sender() is self._job:
            self._notice(note)
            self.punctuation_loaded.emit(punctuation)

    @Slot(object, str)
    def _on_translation(self, translation: Translation | None, note: str) -> None:
        if self.sender() is self._job:
            self._job = None
            self._notice(note)
            self.translation_loaded.emit(translation)
            self.finished.emit()

    def _notice(self, note: str) -> None:
        if note:
            log.warning("%s", note)
            self.notice.emit(note)

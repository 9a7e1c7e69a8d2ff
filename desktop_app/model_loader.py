"""Load the speech model off the GUI thread, with progress, falling back to the demo model."""

from __future__ import annotations

import dataclasses
import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

from engine.config import DEMO_MODEL, ModelOptions
from engine.errors import Cancelled, ModelLoadError
from engine.hub import DownloadStatus
from engine.model import Recognizer, load_recognizer

from .messages import describe

log = logging.getLogger("desktop_app.model")


@dataclasses.dataclass(frozen=True)
class LoadResult:
    recognizer: Recognizer
    note: str  # shown to the user when the model is not the one configured; else ""


class _LoadJob(QObject):
    progress = Signal(str, int, int)  # loading, downloading: what, bytes done, total (0: unknown)
    export_progress = Signal(str, int, int)  # the ONNX export: what, steps done, steps in all
    loaded = Signal(object)  # LoadResult
    failed = Signal(str, object)  # message for the user, the ModelLoadError

    def __init__(self, options: ModelOptions, fallback: bool) -> None:
        super().__init__()
        self.options = options
        self.fallback = fallback
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        self.progress.emit(self.tr("Loading {}…").format(self.options.name), 0, 0)
        try:
            recognizer = load_recognizer(self.options, self._download, self.cancel, self._export)
            self.loaded.emit(LoadResult(recognizer, " ".join(recognizer.notes)))
            return
        except Cancelled:
            return  # the loader stopped listening when it cancelled
        except ModelLoadError as exc:
            reason, error = describe(exc), exc
        if not self.fallback or self.options.name == DEMO_MODEL:
            self.failed.emit(self._advice(reason), error)
            return
        log.warning("%s; falling back to the demo model", reason)
        self.progress.emit(self.tr("Loading the demo model…"), 0, 0)
        try:
            demo = load_recognizer(
                dataclasses.replace(self.options, name=DEMO_MODEL), export_progress=self._export
            )
        except ModelLoadError as exc:
            either = self.tr("The demo model cannot be used either: {}").format(exc)
            self.failed.emit(self._advice(f"{reason}\n\n{either}"), exc)
            return
        note = self.tr(
            "The model '{0}' could not be loaded, so the demo model is in use; it "
            "understands synthetic voices only. {1} Choose the model in Settings."
        ).format(self.options.name, reason)
        self.loaded.emit(LoadResult(demo, note))

    def _download(self, status: DownloadStatus) -> None:
        text = self.tr("Downloading {0}: {1}").format(self.options.name, status.describe())
        self.progress.emit(text, status.done, status.total)

    def _export(self, stage: int, total: int, what: str) -> None:
        self.export_progress.emit(
            self.tr("Preparing the model for ONNX Runtime (once): {what}…").format(what=what),
            stage - 1,
            total,
        )

    def _advice(self, reason: str) -> str:
        advice = self.tr(
            "Open Settings to choose another model (a Hugging Face id or a local "
            "folder) or the compute device, then load it again. Until then captions and file "
            "transcription are unavailable."
        )
        return f"{reason}\n\n{advice}"


class ModelLoader(QObject):
    """Loads one model at a time in a background thread; signals arrive on the GUI thread.

    A plain daemon thread rather than a QThread: a download can take minutes, and quitting the
    app must not wait for it (nor can a QThread be destroyed while it runs).
    """

    progress = Signal(str, int, int)  # loading, downloading: what, bytes done, total (0: unknown)
    export_progress = Signal(str, int, int)  # the ONNX export (once): what, steps done, steps
    loaded = Signal(object)  # LoadResult
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._job: _LoadJob | None = None
        self.last_error: ModelLoadError | None = None  # why the last load failed

    @property
    def busy(self) -> bool:
        return self._job is not None

    def load(self, options: ModelOptions, fallback: bool = True) -> bool:
        """Start loading; False if a load is already running."""
        if self.busy:
            return False
        job = _LoadJob(options, fallback)  # lives in this thread; emits from the loading thread
        job.progress.connect(self._on_progress)
        job.export_progress.connect(self._on_export_progress)
        job.loaded.connect(self._on_loaded)
        job.failed.connect(self._on_failed)
        self._job = job
        self._thread = threading.Thread(target=job.run, name="model-loader", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Stop the running load now: its download ends at its next piece (files not finished
        are removed; finished ones stay cached), and nothing it does reaches the app any more."""
        job = self._job
        if job is None:
            return
        job.cancel.set()
        self._job = self._thread = None
        self.cancelled.emit()

    # A cancelled job's signals may already be queued: only the current job's count.
    @Slot(str, int, int)
    def _on_progress(self, text: str, done: int, total: int) -> None:
        if self.sender() is self._job:
            self.progress.emit(text, done, total)

    @Slot(str, int, int)
    def _on_export_progress(self, text: str, done: int, total: int) -> None:
        if self.sender() is self._job:
            self.export_progress.emit(text, done, total)

    @Slot(object)
    def _on_loaded(self, result: LoadResult) -> None:
        if self.sender() is not self._job:
            return
        self._job = self._thread = None
        self.loaded.emit(result)

    @Slot(str, object)
    def _on_failed(self, message: str, error: ModelLoadError) -> None:
        if self.sender() is not self._job:
            return
        self._job = self._thread = None
        self.last_error = error
        self.failed.emit(message)

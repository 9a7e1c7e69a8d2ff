"""The desktop app's objects, composed and wired: settings, model, scheduler, live session,
main window, caption overlay, tray icon and the optional embedded API.

One model and one scheduler per process: live captions, file transcription and the embedded
API all use the same ones.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QLocale, QObject, Slot
from PySide6.QtGui import QAction

from engine.config import ModelOptions
from engine.errors import ModelLoadError
from engine.hub import cached_model
from engine.model import Recognizer, hub_repo_id, shipped_model
from engine.punctuation import Punctuation
from engine.scheduler import Scheduler
from engine.translation import TranslationWorker

from .api_server import EmbeddedApi
from .gc_guard import MainThreadCollector
from .model_loader import LoadResult, ModelLoader
from .session import LiveSession
from .settings import Settings
from .text_models import TextModelLoader, TextRequest, Translation
from .widgets.first_run import FirstRunDialog
from .widgets.main_window import MainWindow
from .widgets.overlay import CaptionOverlay, keep_clear
from .widgets.settings_dialog import SettingsDialog
from .widgets.tray import make_tray


def default_transcripts_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("live-captions", appauthor=False)) / "transcripts"


def _cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def needs_download(options: ModelOptions) -> bool:
    """Whether the model must come from the hub first (not shipped, not cached, not a folder)."""
    repo = hub_repo_id(options.name)
    if repo is None or cached_model(repo) is not None:
        return False
    return shipped_model(options.name) is None


class DesktopApp(QObject):
    def __init__(
        self,
        settings: Settings,
        backend: ModuleType | Any,
        transcripts_dir: Path | None = None,
        *,
        tray: bool = True,
        system_audio: ModuleType | Any | None = None,
    ) -> None:
        """``system_audio``: the soundcard module for WASAPI loopback (by default on Windows)."""
        super().__init__()
        self.collector = MainThreadCollector(self)  # Qt objects die in the GUI thread only
        self.collector.start()
        self.settings = settings
        self.recognizer: Recognizer | None = None
        self.scheduler: Scheduler | None = None
        transcripts_dir = transcripts_dir or default_transcripts_dir()
        self.session = LiveSession(backend, transcripts_dir, self, system_audio=system_audio)
        self.overlay = CaptionOverlay(settings)
        self.window = MainWindow(
            settings,
            self.session,
            self.overlay,
            backend,
            transcripts_dir,
            system_audio=system_audio,
        )
        self.loader = ModelLoader(self)
        self.text_models = TextModelLoader(self)  # punctuation and translation
        self._translation_workers: dict[int, TranslationWorker] = {}  # by translator (id)
        self.api = EmbeddedApi()
        self.tray = (
            make_tray(
                self.window,
                [
                    self.window.act_start,
                    self.window.act_show_overlay,
                    self.window.act_lock_overlay,
                    None,
                    self.window.act_quit,
                ],
            )
            if tray
            else None
        )
        self.loader.progress.connect(self.window.set_model_loading)
        self.loader.export_progress.connect(self.window.set_model_loading)
        self.loader.loaded.connect(self._on_model_loaded)
        self.loader.failed.connect(self.window.set_model_failed)
        self.text_models.progress.connect(self.window.set_text_loading)
        self.text_models.finished.connect(self.window.text_loading_done)
        self.text_models.notice.connect(lambda text: self.window.show_message(text, "note"))
        self.text_models.punctuation_loaded.connect(self._on_punctuation_loaded)
        self.text_models.translation_loaded.connect(self._on_translation_loaded)
        self.window.text_cancel.clicked.connect(self.text_models.cancel)
        self.window.settings_requested.connect(self.open_settings)
        self.window.closed.connect(self.shutdown)
        self.session.started.connect(lambda _: self._tray_tip(self.tr("Captioning")))
        self.session.stopped.connect(lambda: self._tray_tip(self.tr("Stopped")))
        self.session.stopped.connect(self._stop_retired)
        self.window.file_done.connect(self._stop_retired)
        self._retired: list[Scheduler] = []
        self.settings_dialog: SettingsDialog | None = None
        self.first_run_dialog: FirstRunDialog | None = None
        self.act_get_model = QAction(self.tr("Get a speech model…"), self)
        self.act_get_model.triggered.connect(self.open_first_run)

    def show(self) -> None:
        self.window.show()
        if self.settings.overlay_visible:
            self.overlay.show()

    # model -------------------------------------------------------------------------------------
    def model_options(self, name: str | None = None) -> ModelOptions:
        return ModelOptions(
            name=name or self.settings.model,
            device=self.settings.compute_device,
            backend=self.settings.backend,
            hub_endpoint=self.settings.hub_endpoint or None,
            power_saver=self.settings.power_saver,
        )

    def load_model(self) -> None:
        """Load the configured model in the background; the demo model if it cannot be had."""
        self.loader.load(self.model_options(), fallback=True)

    def start_model(self) -> None:
        """At start-up: load the configured model, or, when it must be downloaded first, open
        the first-run dialog (which says what it will fetch and offers the alternatives)."""
        if needs_download(self.model_options()):
            self.open_first_run()
        else:
            self.load_model()

    def open_first_run(self) -> FirstRunDialog:
        dialog = self.first_run_dialog
        if dialog is None:
            dialog = FirstRunDialog(
                self.settings.model,
                self.settings.hub_endpoint,
                self.window,
                language=self.settings.language or QLocale.system().name(),
                cuda=self.settings.compute_device != "cpu" and _cuda_available(),
            )
            dialog.download_requested.connect(self._download_from_first_run)
            dialog.cancel_requested.connect(self.loader.cancel)
            dialog.model_chosen.connect(self._use_from_first_run)
            self.loader.progress.connect(dialog.set_progress)
            self.loader.export_progress.connect(dialog.set_progress)
            self.loader.cancelled.connect(dialog.download_cancelled)
            self.loader.loaded.connect(self._first_run_done)
            self.loader.failed.connect(self._first_run_failed)
            self.first_run_dialog = dialog
        self.window.model_label.setText(self.tr("No speech model yet"))
        self.window.show_message(
            self._no_model_yet(),
            "note",
            self.act_get_model,
        )
        dialog.open()
        keep_clear(dialog, self.overlay)
        return dialog

    @Slot(str, str)
    def _download_from_first_run(self, model: str, endpoint: str) -> None:
        self.settings.model, self.settings.hub_endpoint = model, endpoint
        self.loader.load(self.model_options(), fallback=False)

    @Slot(str)
    def _use_from_first_run(self, model: str) -> None:
        self.loader.cancel()
        self.settings.model = model
        self.loader.load(self.model_options(), fallback=False)

    @Slot(object)
    def _no_model_yet(self) -> str:
        return self.tr(
            "No speech model is on this computer yet: captions start once one is downloaded "
            "or chosen."
        )

    def _first_run_done(self, result: LoadResult) -> None:
        if self.first_run_dialog is not None and self.first_run_dialog.downloading:
            self.first_run_dialog.downloading = False
            self.first_run_dialog.accept()
        if self.window.message_bar.text() == self._no_model_yet():
            self.window.message_bar.hide()  # other notes (a fallback to the demo) stay

    @Slot(str)
    def _first_run_failed(self, message: str) -> None:
        dialog = self.first_run_dialog
        if dialog is not None and dialog.downloading:
            error = self.loader.last_error
            dialog.download_failed(error if error is not None else ModelLoadError(message))
            # The dialog stays one click away, also after it is closed.
            self.window.show_message(self._no_model_yet(), "note", self.act_get_model)

    def set_recognizer(self, recognizer: Recognizer, note: str = "") -> None:
        """Use this model from now on: a new scheduler, the API restarted on it."""
        old = self.scheduler
        self.recognizer = recognizer
        self.scheduler = Scheduler(recognizer).start()
        self.session.set_scheduler(self.scheduler)
        self.window.set_model(recognizer, note, self.scheduler)
        self.load_text_models()
        if old is not None:
            # A running session or file keeps its scheduler until it ends.
            self._retired.append(old)
            self._stop_retired()
        self.restart_api()

    def _stop_retired(self) -> None:
        if not self.session.running and not self.window.files_running:
            for scheduler in self._retired:
                scheduler.stop()
            self._retired.clear()

    @Slot(object)
    def _on_model_loaded(self, result: LoadResult) -> None:
        self.set_recognizer(result.recognizer, result.note)

    # punctuation and translation ---------------------------------------------------------------
    def text_request(self) -> TextRequest | None:
        """The text models the settings ask for with the loaded speech model."""
        if self.recognizer is None:
            return None
        return TextRequest(
            speech_model=self.recognizer.name,
            is_demo=self.recognizer.is_demo,
            punctuation=self.settings.punctuation_options,
            custom_words=self.settings.lm_options.hotwords,
            translation=self.settings.translation_options,
            hub_endpoint=self.settings.hub_endpoint or None,
        )

    def load_text_models(self) -> None:
        """Load punctuation and translation in the background; captions run meanwhile (and
        take each model once it is there)."""
        request = self.text_request()
        if request is not None:
            self.text_models.load(request)

    @Slot(object)
    def _on_punctuation_loaded(self, punctuation: Punctuation | None) -> None:
        self.session.set_punctuation(punctuation)
        self.window.punctuation = punctuation

    @Slot(object)
    def _on_translation_loaded(self, translation: Translation | None) -> None:
        stage = None
        if translation is not None:
            key = id(translation.translator)  # loaded once per process (engine.translation)
            worker = self._translation_workers.get(key)
            if worker is None:
                worker = TranslationWorker(translation.translator)
                self._translation_workers[key] = worker
            # Live captions and files both translate through the worker: its thread is the
            # model's one caller.
            translation = Translation(worker, translation.language)
            stage = (worker, translation.language)
        self.session.set_translation(stage)
        self.window.translation = translation
        self.overlay.set_translation_mode(
            self.settings.translation_overlay if translation is not None else ""
        )

    # settings ----------------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(
            self.settings, self.api.available(), self.window, devices=self.window.devices
        )
        dialog.applied.connect(self.apply_settings)
        dialog.open()
        keep_clear(dialog, self.overlay)  # the overlay stays on top: not over the OK button
        self.settings_dialog = dialog
        return dialog

    @Slot(set)
    def apply_settings(self, changed: set[str]) -> None:
        if "devices" in changed:
            self.window.refresh_devices()
        elif "inputs" in changed:
            self.window.show_inputs()
        if "overlay" in changed:
            self.overlay.apply_style(self.settings.overlay_style)
        if "model" in changed:
            if self.session.running:
                self.window.show_message(
                    self.tr(
                        "The new model is loading; the captions running now keep the "
                        "old one until you stop and start them again."
                    ),
                    "note",
                )
            self.load_model()
        elif changed & {"api", "lm"}:
            self.restart_api()
        if changed & {"punctuation", "translation", "lm"} and "model" not in changed:
            self.load_text_models()  # a new speech model loads them when it is there
        if "shortcut" in changed:
            self.window.apply_shortcut()
        if "language" in changed:
            self.window.notify(self.tr("The new language applies from the next start of the app."))
        if changed & {"profile", "lm", "inputs"} and self.session.running:
            self.window.notify(self.tr("The new live-caption settings apply from the next start."))

    # embedded API ------------------------------------------------------------------------------
    def restart_api(self) -> None:
        self.api.stop()
        if not self.settings.api_enabled or self.recognizer is None or self.scheduler is None:
            self.window.api_label.setText("")
            return
        status = self.api.start(
            self.recognizer,
            self.scheduler,
            self.settings.api_port,
            self.settings.api_token,
            self.settings.profile,
            self.settings.decode_options,
            power_saver=self.settings.power_saver,
        )
        self.window.api_label.setText(status)
        if self.api.error:
            self.window.show_message(self.api.error, "error", self.window.act_settings)

    # lifecycle ---------------------------------------------------------------------------------
    def _tray_tip(self, state: str) -> None:
        if self.tray is not None:
            self.tray.setToolTip(self.tr("Live Captions: {}").format(state))

    @Slot()
    def shutdown(self) -> None:
        """After the main window closed (the live session already stopped)."""
        self.overlay.save_geometry()
        self.overlay.close()
        if self.tray is not None:
            self.tray.hide()
        self.api.stop()
        self.text_models.cancel()
        for worker in self._translation_workers.values():
            worker.close()
        self._translation_workers.clear()
        self._stop_retired()
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        self.settings.sync()
        self.collector.stop()

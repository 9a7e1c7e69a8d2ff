"""The main window: Start/Stop, input device, level meter, running transcript, status bar.

It shows what a :class:`LiveSession` emits and forwards captions to the overlay; File > Open
and drag and drop transcribe files in :class:`FileTranscriptionDialog`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.config import TranscribeOptions
from engine.model import Recognizer
from engine.pipeline import LINE_ENDS, CaptionUpdate, UpdateKind
from engine.punctuation import Punctuation
from engine.scheduler import Scheduler

from ..capture import InputDevice, list_input_devices
from ..live_transcript import LiveTranscript
from ..messages import describe_model
from ..session import LiveSession
from ..settings import Settings
from ..text_models import Translation
from .export import save_transcript
from .file_panel import FileTranscriptionDialog, audio_filter
from .icon import app_icon
from .indicators import LevelMeter, MessageBar
from .inputs import InputPicker
from .overlay import CaptionOverlay
from .transcript_view import TranscriptView


class MainWindow(QMainWindow):
    settings_requested = Signal()  # the user wants the settings dialog
    closed = Signal()  # the window closed after the session stopped: quit
    file_done = Signal()  # a file transcription ended (finished, failed or cancelled)

    def __init__(
        self,
        settings: Settings,
        session: LiveSession,
        overlay: CaptionOverlay,
        backend: ModuleType | Any,
        transcripts_dir: Path,
        parent: QWidget | None = None,
        *,
        system_audio: ModuleType | Any | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session = session
        self.overlay = overlay
        self.backend = backend
        self.system_audio = system_audio  # soundcard, for system audio (default: on Windows)
        self.transcripts_dir = transcripts_dir
        self.transcript = LiveTranscript()
        self.recognizer: Recognizer | None = None
        self.scheduler: Scheduler | None = None  # runs file windows after live captions
        self.punctuation: Punctuation | None = None  # what live captions use, files too
        self.translation: Translation | None = None
        self.file_dialogs: list[FileTranscriptionDialog] = []
        self._close_pending = False
        self._quit_waiting = False  # quitting once the last translations are written
        self.setWindowTitle(self.tr("Live Captions"))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(760, 520)
        self._make_actions()
        self._make_menus()
        self._make_body()
        self._make_status_bar()
        self.refresh_devices()
        self._connect_session()
        self._sync_overlay_actions()
        geometry = settings.window_geometry("main")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)

    # construction ----------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.act_start = self._action(self.tr("&Start captions"), self.toggle_capture)
        self.act_start.setEnabled(False)
        self.act_open = self._action(
            self.tr("&Open audio or video file…"), self.choose_file, QKeySequence.StandardKey.Open
        )
        self.act_save = self._action(
            self.tr("&Save transcript as…"), self.save_as, QKeySequence.StandardKey.Save
        )
        self.act_copy = self._action(self.tr("&Copy transcript"), self.copy_all, "Ctrl+Shift+C")
        self.act_clear = self._action(self.tr("C&lear transcript"), self.clear_transcript)
        self.act_folder = self._action(
            self.tr("Open &transcripts folder"), self.open_transcripts_folder
        )
        self.act_settings = self._action(
            self.tr("S&ettings…"),
            self.settings_requested.emit,
            QKeySequence.StandardKey.Preferences,
        )
        self.act_quit = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.act_show_overlay = self._action(
            self.tr("Show caption &overlay"),
            self.set_overlay_visible,
            "Ctrl+Shift+O",
            True,
        )
        self.act_lock_overlay = self._action(
            self.tr("&Lock overlay (click-through)"),
            self.overlay.set_locked,
            "Ctrl+Shift+L",
            True,
        )
        self.overlay.lock_changed.connect(self._sync_overlay_actions)
        self.overlay.addActions([self.act_lock_overlay, self.act_show_overlay, self.act_start])

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for action in (
            self.act_open,
            self.act_save,
            self.act_folder,
            None,
            self.act_settings,
            None,
            self.act_quit,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.act_copy, self.act_clear])
        captions = bar.addMenu(self.tr("&Captions"))
        captions.addActions([self.act_start, self.act_show_overlay, self.act_lock_overlay])
        captions.addAction(self.overlay.act_reset)

    def _make_body(self) -> None:
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setMinimumWidth(110)
        self.apply_shortcut()
        self.start_button.clicked.connect(self.act_start.trigger)
        self.start_button.setEnabled(False)
        self.inputs = InputPicker(self)  # the input, a second one, a label for each
        self.inputs.changed.connect(self._remember_inputs)
        self.device_combo = self.inputs.first
        self.second_combo = self.inputs.second
        self.label_edit, self.second_label_edit = self.inputs.label, self.inputs.second_label
        refresh = QToolButton()
        refresh.setText("↻")
        refresh.setToolTip(self.tr("List the audio inputs again"))
        refresh.clicked.connect(self.refresh_devices)
        self.level_meter = LevelMeter()
        top = QHBoxLayout()
        top.addWidget(self.start_button)
        top.addWidget(QLabel(self.tr("Input:")))
        top.addWidget(self.device_combo, 1)
        top.addWidget(refresh)
        top.addWidget(self.level_meter)
        # A second source captioned at once, each line labelled ("You: ...", "Others: ...").
        second = QHBoxLayout()
        second.addWidget(QLabel(self.tr("Label:")))
        second.addWidget(self.label_edit)
        second.addWidget(QLabel(self.tr("Second input:")))
        second.addWidget(self.second_combo, 1)
        second.addWidget(QLabel(self.tr("Label:")))
        second.addWidget(self.second_label_edit)
        self.message_bar = MessageBar()
        self.view = TranscriptView(self.transcript, label=self.session.time_of_day)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(body)

    def _make_status_bar(self) -> None:
        self.model_label = QLabel(self.tr("No model loaded"))
        self.load_progress = QProgressBar(textVisible=False)
        self.load_progress.setMaximumWidth(140)
        self.load_progress.hide()
        self.lag_label = QLabel("")
        self.lag_label.setToolTip(self.tr("How far the final captions are behind the audio"))
        self.dropped_label = QLabel("")
        self.dropped_label.setToolTip(
            self.tr(
                "Audio blocks lost: the computer could not keep up, or the sound device dropped audio"
            )
        )
        self.api_label = QLabel("")
        # Punctuation and translation models loading (downloading) beside the captions.
        self.text_label = QLabel("")
        self.text_progress = QProgressBar(textVisible=False)
        self.text_progress.setMaximumWidth(100)
        self.text_cancel = QToolButton()
        self.text_cancel.setText("✕")
        self.text_cancel.setToolTip(self.tr("Stop loading the punctuation or translation model"))
        bar = self.statusBar()
        bar.addWidget(self.model_label, 1)
        bar.addWidget(self.load_progress)
        for widget in (self.text_label, self.text_progress, self.text_cancel):
            bar.addWidget(widget)
            widget.hide()
        for label in (self.lag_label, self.dropped_label, self.api_label):
            bar.addPermanentWidget(label)

    def _connect_session(self) -> None:
        s = self.session
        s.started.connect(self._on_started)
        s.caption.connect(self._on_caption)
        s.source_caption.connect(self._on_source_caption)
        s.open_lines.connect(self.view.show_open_lines)
        s.level.connect(self.level_meter.set_level)
        s.lag.connect(self._on_lag)
        s.dropped.connect(self._on_dropped)
        s.notice.connect(self._on_notice)
        s.error.connect(self._on_error)
        s.alert.connect(self._on_error)  # shown alike; the captions go on
        s.stopped.connect(self._on_stopped)
        s.drained.connect(self._on_drained)

    def apply_shortcut(self) -> None:
        """The start/stop key from the settings (none when cleared there)."""
        key = QKeySequence(self.settings.start_shortcut)
        self.act_start.setShortcut(key)
        text = key.toString(QKeySequence.SequenceFormat.NativeText)
        tip = self.tr("Start or stop live captions")
        self.start_button.setToolTip(f"{tip} ({text})" if text else tip)

    # model -----------------------------------------------------------------------------------
    def set_model(
        self, recognizer: Recognizer | None, note: str = "", scheduler: Scheduler | None = None
    ) -> None:
        self.recognizer = recognizer
        self.scheduler = scheduler
        self.load_progress.hide()
        for widget in (self.act_start, self.act_open, self.start_button):
            widget.setEnabled(recognizer is not None)
        if recognizer is not None:
            self.model_label.setText(self.tr("Model: {}").format(describe_model(recognizer)))
            self.model_label.setToolTip(recognizer.name)
        if note:
            self.show_message(note, "note", self.act_settings)

    def set_model_loading(self, text: str, done: int, total: int) -> None:
        if not self.session.running:
            self.act_start.setEnabled(False)
            self.start_button.setEnabled(False)
        self.model_label.setText(text)
        self.load_progress.setRange(0, 100 if total else 0)
        if total:
            self.load_progress.setValue(round(100 * done / total))
        self.load_progress.show()

    def set_text_loading(self, text: str, done: int, total: int) -> None:
        """Punctuation or translation loading: captions run meanwhile."""
        self.text_label.setText(text)
        self.text_progress.setRange(0, 100 if total else 0)
        if total:
            self.text_progress.setValue(round(100 * done / total))
        for widget in (self.text_label, self.text_progress, self.text_cancel):
            widget.show()

    def text_loading_done(self) -> None:
        for widget in (self.text_label, self.text_progress, self.text_cancel):
            widget.hide()

    def set_model_failed(self, message: str) -> None:
        self.set_model(None)
        self.model_label.setText(self.tr("No model loaded"))
        self.show_message(message, "error", self.act_settings)

    def show_message(self, text: str, kind: str = "error", action: QAction | None = None) -> None:
        """A message that stays until dismissed (errors, notes)."""
        self.message_bar.show_message(text, kind, action)

    def notify(self, text: str, seconds: float = 10.0) -> None:
        """A passing note across the status bar (the whole width: a long file name is not cut
        off), the model's name back after it."""
        self.statusBar().showMessage(text, round(seconds * 1000))

    # devices ---------------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        """List the inputs again; the choice is the settings' (Settings.inputs)."""
        self.inputs.set_devices(
            list_input_devices(
                self.backend,
                system_audio=self.system_audio,
                all_host_apis=self.settings.all_host_apis,
            )
        )
        self.show_inputs()

    def show_inputs(self) -> None:
        """The inputs and labels as the settings have them (Settings.inputs)."""
        self.inputs.set_options(self.settings.inputs)

    @property
    def devices(self) -> list[InputDevice]:
        """The inputs listed now."""
        return self.inputs.devices

    def selected_device(self) -> InputDevice | None:
        return self.inputs.selected()[0]

    def _remember_inputs(self) -> None:
        self.settings.inputs = self.inputs.options()

    def labels(self) -> tuple[str, str]:
        """The two inputs' labels: as typed, or "You" (a microphone) / "Others" (system audio)."""
        return self.inputs.labels()

    # live captions ---------------------------------------------------------------------------
    def toggle_capture(self) -> None:
        if self.session.running:
            self.start_button.setEnabled(False)
            self.start_button.setText(self.tr("Stopping…"))
            self.session.stop()
            return
        first, second = self.inputs.selected()
        label, second_label = self.labels()
        self.session.start(
            first,
            self.settings.profile,
            self.settings.stable_partials,
            self.settings.decode_options,
            power_saver=self.settings.power_saver,
            label=label if second else "",
            also=(second, second_label) if second else None,
        )

    @Slot(str)
    def _on_started(self, device: str) -> None:
        self.start_button.setText(self.tr("Stop"))
        self.act_start.setText(self.tr("&Stop captions"))
        for widget in self.inputs.widgets():
            widget.setEnabled(False)
        self.dropped_label.setText("")
        self.setWindowIcon(app_icon(recording=True))

    @Slot(object)
    def _on_caption(self, update: CaptionUpdate) -> None:
        """One update of the session's caption pipeline: the transcript, its view and the
        overlay read the same update."""
        self.transcript.apply(update)
        if update.kind in (UpdateKind.PARTIAL, UpdateKind.FINAL):
            self.view.refresh_tail()
        elif update.kind in LINE_ENDS:
            self.view.end_line()
        elif update.kind is UpdateKind.TRANSLATION:
            self.view.add_translation(update)
        if not self.session.labelled or update.kind is UpdateKind.TRANSLATION:
            self.overlay.apply(update)

    @Slot(int, str, object)
    def _on_source_caption(self, index: int, label: str, update: CaptionUpdate) -> None:
        """Several inputs: the overlay shows each one's latest line, partial words too."""
        self.overlay.apply_source(index, label, update)

    @Slot(float)
    def _on_lag(self, seconds: float) -> None:
        self.lag_label.setText(self.tr("Lag {} s").format(f"{seconds:.1f}"))

    @Slot(str)
    def _on_notice(self, text: str) -> None:
        self.notify(text)

    @Slot(str)
    def _on_error(self, text: str) -> None:
        self.show_message(text, "error")

    @Slot(int)
    def _on_dropped(self, blocks: int) -> None:
        self.dropped_label.setText(self.tr("Dropped audio: {} blocks").format(blocks))
        self.dropped_label.setStyleSheet("color: #b00020;")

    @Slot()
    def _on_stopped(self) -> None:
        self.start_button.setEnabled(True)
        self.start_button.setText(self.tr("Start"))
        self.act_start.setText(self.tr("&Start captions"))
        for widget in self.inputs.widgets():
            widget.setEnabled(True)
        self.level_meter.set_level(-100.0)
        self.lag_label.setText("")
        self.setWindowIcon(app_icon())
        note = self.transcript_file_note()
        if note:
            self.notify(note)
        if self._close_pending:
            self.close()

    @Slot()
    def _on_drained(self) -> None:
        if self._quit_waiting:
            self.close()

    def transcript_file_note(self) -> str:
        log_file = self.session.transcript_log
        return (
            self.tr("Transcript saved as {} (File > Open transcripts folder)").format(
                log_file.path.name
            )
            if log_file and log_file.path
            else ""
        )

    # transcript actions ----------------------------------------------------------------------
    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self.transcript.text())

    def save_as(self) -> None:
        model = self.recognizer.name if self.recognizer else ""
        path = save_transcript(self, self.transcript.transcript(model), "captions")
        if path is not None:
            self.notify(self.tr("Transcript saved: {}").format(path))

    def clear_transcript(self) -> None:
        self.transcript.clear()
        self.session.pipeline.reset_clock()
        self.view.rebuild()
        self.overlay.clear()

    def open_transcripts_folder(self) -> None:
        self.transcripts_dir.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.transcripts_dir))):
            # No file manager (a minimal desktop): say where the files are instead of nothing.
            self.show_message(
                self.tr("No file manager could open the folder. The transcripts are in {}").format(
                    self.transcripts_dir
                ),
                "note",
            )

    # overlay ---------------------------------------------------------------------------------
    def set_overlay_visible(self, visible: bool) -> None:
        self.overlay.setVisible(visible)
        self.settings.overlay_visible = visible

    def _sync_overlay_actions(self) -> None:
        for action, value in (
            (self.act_lock_overlay, self.overlay.locked),
            (self.act_show_overlay, self.settings.overlay_visible),
        ):
            action.blockSignals(True)
            action.setChecked(value)
            action.blockSignals(False)

    # files -----------------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Transcribe a file"), "", audio_filter()
        )
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> FileTranscriptionDialog | None:
        if self.recognizer is None:
            self.show_message(
                self.tr("No speech model is loaded yet; files can be transcribed once it is.")
            )
            return None
        options = TranscribeOptions(
            decode=self.settings.decode_options, power_saver=self.settings.power_saver
        )
        dialog = FileTranscriptionDialog(
            self.scheduler or self.recognizer,
            path,
            self,
            options,
            punctuation=self.punctuation,
            translation=self.translation,
        )
        dialog.ended.connect(self.file_done)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _=None, d=dialog: self._forget_dialog(d))
        self.file_dialogs.append(dialog)
        dialog.show()
        dialog.start()
        return dialog

    @property
    def files_running(self) -> bool:
        return any(d.running for d in self.file_dialogs)

    def _forget_dialog(self, dialog: QObject) -> None:
        self.file_dialogs = [d for d in self.file_dialogs if d is not dialog]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_file(Path(url.toLocalFile()))
        event.acceptProposedAction()

    @Slot()
    def bring_forward(self) -> None:
        """Show the window on top (another start of the app asked for it), even if minimised
        or hidden in the tray."""
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    # closing ---------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.running:  # finish the stream first so the last words reach the file
            self._close_pending = True
            self.session.stop()
            event.ignore()
            return
        if self.session.finishing and not self._quit_waiting:
            # the last sentences' translations reach the transcript file first (the session
            # waits a bounded time); a second Quit quits at once
            self._quit_waiting = True
            self.show_message(
                self.tr(
                    "Quitting once the last translations are in the transcript ({0} left). "
                    "Quit again to quit at once."
                ).format(self.session.finishing),
                "note",
            )
            event.ignore()
            return
        if self._quit_waiting:
            self._quit_waiting = False
            self.session.end_drain()
        for dialog in list(self.file_dialogs):
            dialog.finish_now()
            dialog.close()
        self.settings.set_window_geometry("main", self.saveGeometry())
        self.settings.sync()
        event.accept()
        self.closed.emit()

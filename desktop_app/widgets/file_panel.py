"""File transcription: a worker in a QThread with progress and cancel, and a dialog that shows
the result with timestamps and exports it."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine import WindowRunner
from engine.config import TranscribeOptions
from engine.errors import Cancelled, LiveCaptionsError, TranslationError
from engine.punctuation import Punctuation
from engine.transcribe import TranscriptionCancelled, transcribe_file
from engine.transcript import Transcript
from engine.translation import translate_transcript

from ..text_models import Translation
from .export import save_transcript

# What File > Open offers; anything else can still be tried (FFmpeg reads most containers).
AUDIO_PATTERNS = (
    "*.wav *.flac *.ogg *.oga *.mp3 *.m4a *.aac *.opus *.webm *.mp4 *.mkv *.mov *.aiff *.aif *.wma"
)


def audio_filter() -> str:
    """File > Open's filter, in the user's language."""
    audio = QCoreApplication.translate("FileTranscription", "Audio and video")
    every = QCoreApplication.translate("FileTranscription", "All files")
    return f"{audio} ({AUDIO_PATTERNS});;{every} (*)"


def timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    minutes, millis = divmod(millis, 60_000)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{millis / 1000:04.1f}"


def timed_text(transcript: Transcript) -> str:
    """One line per caption segment: ``[start → end]  text``, its translation (if any) on the
    next line, indented."""
    lines = []
    for s in transcript.segments:
        lines.append(f"[{timestamp(s.start)} → {timestamp(s.end)}]  {s.text()}")
        if s.translation:
            lines.append(f"{' ' * 27}{s.translation}")
    return "\n".join(lines)


class FileTranscriber(QObject):
    """Transcribes one file; lives in a QThread. ``cancel`` is thread-safe."""

    progress = Signal(float, float)  # seconds done, seconds total (0: unknown)
    finished = Signal(object)  # Transcript
    failed = Signal(str)
    cancelled = Signal(object)  # the part done (a Transcript), None when nothing was done

    def __init__(
        self,
        engine: WindowRunner,
        path: Path,
        options: TranscribeOptions = TranscribeOptions(),
        punctuation: Punctuation | None = None,
        translation: Translation | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine  # the app's scheduler: live captions keep priority over the file
        self.path = path
        self.options = options
        self.punctuation = punctuation  # as live captions have it (Settings)
        self.translation = translation
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            transcript = transcribe_file(
                self.engine,
                self.path,
                self.options,
                progress=self.progress.emit,
                cancel=self._cancel,
            )
        except TranscriptionCancelled as stop:
            self.cancelled.emit(self._part_done(stop.partial))
        except Cancelled:
            self.cancelled.emit(None)
        except LiveCaptionsError as exc:
            self.failed.emit(str(exc))
        else:
            self.finished.emit(self._texts(transcript))

    def _part_done(self, part: Transcript) -> Transcript | None:
        """What was done before Cancel, punctuated and translated like a whole file (as it
        came, if that fails); None when nothing was."""
        if not part.segments:
            return None
        try:
            return self._texts(part)
        except LiveCaptionsError:
            return part

    def _texts(self, transcript: Transcript) -> Transcript:
        """Punctuation first (translation reads its sentences), then translation."""
        if self.punctuation is not None:
            transcript = self.punctuation.transcript(transcript, self.options.segments)
        if self.translation is not None:
            translation = self.translation
            try:  # the app's translator is the live captions' worker: it queues these
                transcript = translate_transcript(
                    transcript, translation.translator, translation.language
                )
            except TranslationError as exc:  # the transcript stays, untranslated, with a note
                note = self.tr("no translation: {}").format(exc)
                transcript = dataclasses.replace(transcript, notes=(*transcript.notes, note))
        return transcript


class FileTranscriptionDialog(QDialog):
    """Shows one file's transcription: progress and Cancel while it runs, then the timed text
    with Copy and Export; after Cancel, the part done, which Export saves."""

    # not `done`: that name is QDialog.done(int), which this signal would shadow
    ended = Signal()  # the job ended: finished, failed or cancelled

    def __init__(
        self,
        engine: WindowRunner,
        path: Path,
        parent: QWidget | None = None,
        options: TranscribeOptions = TranscribeOptions(),
        *,
        punctuation: Punctuation | None = None,
        translation: Translation | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.transcript: Transcript | None = None  # what Export saves
        self.partial = False  # the transcript is the part done before Cancel
        self._close_when_done = False
        self._total_seconds = 0.0  # the file's length, as progress reports it
        self.setWindowTitle(self.tr("Transcribe {}").format(path.name))
        self.resize(640, 420)
        self.status = QLabel(self.tr("Transcribing {}…").format(path.name))
        self.status.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.result_view = QPlainTextEdit(readOnly=True)
        self.result_view.setPlaceholderText(
            self.tr("The transcript appears here when the file is done.")
        )
        self.copy_button = QPushButton(self.tr("Copy"))
        self.export_button = QPushButton(self.tr("Export…"))
        self.copy_button.setEnabled(False)
        self.export_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        actions = QHBoxLayout()
        actions.addWidget(self.copy_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        actions.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.result_view, 1)
        layout.addLayout(actions)

        self.job = FileTranscriber(engine, path, options, punctuation, translation)
        self.job_thread = QThread(self)
        self.job_thread.setObjectName("file-transcriber")
        self.job.moveToThread(self.job_thread)
        self.job_thread.started.connect(self.job.run)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self.copy)
        self.export_button.clicked.connect(self.export)

    @property
    def running(self) -> bool:
        return self.job_thread.isRunning()

    def start(self) -> None:
        self.job_thread.start()

    def cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling…"))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.result_view.toPlainText())

    def export(self) -> None:
        if self.transcript is not None:
            stem = self.path.stem + ("-partial" if self.partial else "")
            path = save_transcript(self, self.transcript, stem)
            if path is not None:
                self.status.setText(self.tr("Transcript saved: {}").format(path))

    @Slot(float, float)
    def _on_progress(self, done: float, total: float) -> None:
        self._total_seconds = total
        if total > 0:
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(min(100, round(100 * done / total)))
            self.progress_bar.setFormat(
                self.tr("%p%  ({0} of {1} s)").format(f"{done:.0f}", f"{total:.0f}")
            )
        else:
            self.progress_bar.setRange(0, 0)  # busy: the length is not known up front

    @Slot(object)
    def _on_finished(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(100)
        notes = "".join("\n" + self.tr("Note: {}.").format(n) for n in transcript.notes)
        self.status.setText(
            self.tr("Done: {0}, {1} s of audio, {2} captions.").format(
                self.path.name, f"{transcript.duration:.1f}", len(transcript.segments)
            )
            + notes
        )
        self.result_view.setPlainText(timed_text(transcript))
        self.copy_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self._end()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(self.tr("Could not transcribe: {}").format(message))
        self.status.setStyleSheet("color: #b00020;")
        self._end()

    @Slot(object)
    def _on_cancelled(self, partial: Transcript | None) -> None:
        if partial is None or self._close_when_done:  # closed while running: nothing to keep
            self.status.setText(self.tr("Cancelled."))
            self._end()
            return
        self.transcript, self.partial = partial, True
        done, total = f"{partial.duration:.0f}", f"{self._total_seconds:.0f}"
        stopped = (
            self.tr("Cancelled after {0} s of {1} s.").format(done, total)
            if self._total_seconds > 0
            else self.tr("Cancelled after {0} s.").format(done)
        )
        keep = self.tr("The part done is below: Export… saves it with its timestamps.")
        self.status.setText(f"{stopped} {keep}")
        self.result_view.setPlainText(timed_text(partial))
        self.copy_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self._end()

    def _end(self) -> None:
        self.cancel_button.setEnabled(False)
        self.job_thread.quit()
        self.job_thread.wait()
        self.ended.emit()
        if self._close_when_done:
            self.close()

    def finish_now(self) -> None:
        """Cancel a running job and wait for it (when the app quits)."""
        if self.running:
            self.job.cancel()
            self.job_thread.quit()
            self.job_thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:  # cancel, and close once the job has stopped at its next check
            self.cancel()
            self._close_when_done = True
            self.hide()
            event.ignore()
            return
        super().closeEvent(event)

"""A live captioning session: capture, engine worker and its thread, the caption pipeline and
the transcript file.

The session owns every piece it starts and stops them in order: the device first (no more
blocks), then the worker (drain the queue, finish the stream), then the thread. The worker's
engine events go through the session's one :class:`CaptionPipeline` (in the GUI thread); each
caption update is emitted once (``caption``) and the window, the overlay and the transcript
file all read that same update. Widgets only connect to its signals.
"""

from __future__ import annotations

import datetime as _dt
import logging
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from engine.config import DecodeOptions
from engine.pipeline import CaptionUpdate, UpdateKind
from engine.punctuation import Punctuation
from engine.punctuation_stage import caption_pipeline
from engine.scheduler import Scheduler
from engine.streaming import Event, StreamOptions
from engine.translation import TranslationStage, TranslationWorker

from .capture import AudioCapture, CaptureError, InputDevice
from .live_transcript import TranscriptLog, clock, time_of_day
from .pulse_watch import PulseWatch
from .worker import EngineWorker

log = logging.getLogger("desktop_app.session")

POLL_MS = 100  # how often background caption stages are asked for results while running
DRAIN_S = 30.0  # after a stop, how long the last sentences' translations are waited for


class LiveSession(QObject):
    started = Signal(str)  # the device's name
    caption = Signal(object)  # CaptionUpdate of the session's pipeline: what every view shows
    level = Signal(float)  # dBFS
    lag = Signal(float)  # seconds
    dropped = Signal(int)  # audio blocks lost so far
    notice = Signal(str)  # a warning for the status bar
    error = Signal(str)  # a message for the user; the session stops
    alert = Signal(str)  # a problem the user should see at once; captions go on
    stopped = Signal()  # everything is closed; the last words were emitted

    def __init__(
        self,
        backend: ModuleType | Any,
        log_folder: Path | None = None,
        parent: QObject | None = None,
        *,
        max_queue_s: float = 10.0,
        system_audio: ModuleType | Any | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.system_audio = system_audio  # soundcard, for system-audio devices
        self.scheduler: Scheduler | None = None
        self.max_queue_s = max_queue_s
        self.transcript_log = TranscriptLog(log_folder) if log_folder else None
        self.capture: AudioCapture | None = None
        self._worker: EngineWorker | None = None
        self._thread: QThread | None = None
        self.stopping = False
        self.pipeline = caption_pipeline()  # one per session, across its starts and stops
        self.punctuation: Punctuation | None = None  # punctuation and true casing, if loaded
        self.translation: tuple[TranslationWorker, str] | None = None  # worker, its language
        self._translating: TranslationStage | None = None  # the pipeline's translation stage
        self.clock_start: _dt.datetime | None = None  # the time of day at 0 on its clock
        self._poll = QTimer(self)  # hands out what background stages finished (translations)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._drain_until: float | None = None  # stopped: the last translations are awaited
        if self.transcript_log is not None:
            self.caption.connect(self.transcript_log.write)
        # PulseAudio moves a stream whose source was removed, silently: the watch tells.
        self.pulse_watch = PulseWatch(parent=self) if sys.platform.startswith("linux") else None
        if self.pulse_watch is not None:
            self.pulse_watch.moved.connect(self._on_source_moved)
        self.alert.connect(self._log_error)
        self.error.connect(self._log_error)  # every error the user sees reaches the app's log

    @property
    def running(self) -> bool:
        return self._thread is not None

    def set_scheduler(self, scheduler: Scheduler | None) -> None:
        self.scheduler = scheduler

    def set_punctuation(self, punctuation: Punctuation | None) -> None:
        """Punctuation and true casing from now on (None: off); running captions take it at
        once."""
        self.punctuation = punctuation
        self._build_stages()

    def set_translation(self, translation: tuple[TranslationWorker, str] | None) -> None:
        """Translation from now on: a worker and the language it writes (None: off)."""
        self.translation = translation
        self._build_stages()

    def _build_stages(self) -> None:
        """The pipeline's stages from the one factory; a running stream first gets what the
        old stages held."""
        if self.running:
            self._emit(self.pipeline.finish())
        stage = TranslationStage(*self.translation) if self.translation else None
        self.pipeline.stages = caption_pipeline(self.punctuation, stage).stages
        self._translating = stage

    def start(
        self,
        device: InputDevice | None,
        profile: str,
        stable_partials: bool = True,
        decode: DecodeOptions = DecodeOptions(),
        partial_passes: bool = True,
    ) -> bool:
        """Open the device and start captioning; False (and an error signal) on failure."""
        if self.running:
            return True
        if self.scheduler is None:
            self.error.emit(
                self.tr("No speech model is loaded yet; captions can start once it is.")
            )
            return False
        capture = AudioCapture(
            self.backend, device, max_queue_s=self.max_queue_s, system_audio=self.system_audio
        )
        try:
            capture.start()
        except CaptureError as exc:
            self.error.emit(str(exc))
            return False
        self.capture = capture
        options = StreamOptions(
            profile=profile,
            stable_partials=stable_partials,
            partial_passes=partial_passes,
            decode=decode,
        )
        worker = EngineWorker(capture, self.scheduler, options)
        thread = QThread()
        thread.setObjectName("engine-worker")
        worker.moveToThread(thread)
        worker.engine_event.connect(self._on_event)
        for signal, relay in (
            (worker.level, self.level),
            (worker.lag, self.lag),
            (worker.dropped, self.dropped),
            (worker.notice, self.notice),
            (worker.error, self.error),
        ):
            signal.connect(relay)
        worker.stopped.connect(self._on_worker_stopped)
        thread.started.connect(worker.run)
        self._worker, self._thread = worker, thread
        self.stopping = False
        self._drain_until = None  # the last stream's late translations go to this one
        # The pipeline's clock runs in real time from the first session (since the app started
        # or the transcript was cleared), so that every time is a time of day.
        now = _dt.datetime.now()
        after = self.pipeline.next_offset  # after the last session's words, plus a gap
        if self.clock_start is None or after == 0.0:
            self.clock_start = now
        offset = max(after, (now - self.clock_start).total_seconds())
        self._emit(self.pipeline.begin_stream(offset))
        if self.transcript_log is not None:
            started = self.clock_start + _dt.timedelta(seconds=offset)
            self.transcript_log.open(started, origin=offset)
        thread.start()
        self._poll.start()
        if self.pulse_watch is not None:
            self.pulse_watch.start()
        self.started.emit(capture.device.name if capture.device else "")
        return True

    def stop(self) -> None:
        """Stop capturing; the ``stopped`` signal follows once the last words are out."""
        if not self.running or self.stopping:
            return
        self.stopping = True
        assert self.capture is not None and self._worker is not None
        self.capture.stop()
        self._worker.request_stop()

    @Slot(str, str)
    def _on_source_moved(self, old: str, new: str) -> None:
        self.alert.emit(
            self.tr(
                "The input “{0}” is gone: PulseAudio now records “{1}” instead. Choose the input "
                "again, or stop the captions."
            ).format(old.removesuffix(".monitor"), new.removesuffix(".monitor"))
        )

    @Slot()
    def _on_worker_stopped(self) -> None:
        if self.pulse_watch is not None:
            self.pulse_watch.stop()
        if self.capture is not None:
            self.capture.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        if self._worker is not None:
            self._worker.deleteLater()
        # The stream's end for every view (a second one after the engine's own is harmless).
        self._emit(self.pipeline.push(CaptionUpdate(UpdateKind.END, self.pipeline.offset)))
        self._worker = self._thread = None
        self.stopping = False
        # The last sentences' translations still come (polled) before the file closes.
        self._drain_until = time.monotonic() + DRAIN_S
        self._on_poll()
        self.stopped.emit()

    def time_of_day(self, seconds: float) -> str:
        """A time on the pipeline's clock as the time of day it was said (before any session:
        the time since the start)."""
        return (
            clock(seconds) if self.clock_start is None else time_of_day(self.clock_start, seconds)
        )

    @Slot()
    def _on_poll(self) -> None:
        self._emit(self.pipeline.poll())
        if self.running or self._drain_until is None:
            return
        waiting = self._translating is not None and self._translating.pending > 0
        if waiting and time.monotonic() < self._drain_until:
            return
        self._drain_until = None
        self._poll.stop()
        if self.transcript_log is not None:
            self.transcript_log.close()

    @Slot(object)
    @Slot(str)
    def _log_error(self, message: str) -> None:
        log.warning("live captions: %s", message)

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        """An engine event, in the GUI thread: its caption updates, each emitted once."""
        self._emit(self.pipeline.handle(event))

    def _emit(self, updates: list[CaptionUpdate]) -> None:
        for update in updates:
            self.caption.emit(update)

"""A live captioning session: capture, engine worker and its thread, the caption pipeline and
the transcript file.

The session owns every piece it starts and stops them in order: the device first (no more
blocks), then the worker (drain the queue, finish the stream), then the thread. The worker's
engine events go through the session's one :class:`CaptionPipeline` (in the GUI thread); each
caption update is emitted once (``caption``) and the window, the overlay and the transcript
file all read that same update. Widgets only connect to its signals.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from engine.config import DecodeOptions
from engine.echo import AudioSink, EchoGate, EchoOptions, MicrophoneSide, SystemSide
from engine.interleave import Interleaver, Line, Source
from engine.pipeline import CaptionPipeline, CaptionUpdate, UpdateKind
from engine.punctuation import Punctuation
from engine.punctuation_stage import caption_pipeline
from engine.scheduler import Scheduler, Stream
from engine.streaming import Event, StreamOptions
from engine.translation import TranslationStage, TranslationWorker

from .capture import AudioCapture, CaptureError, InputDevice
from .live_transcript import TranscriptLog, clock, time_of_day
from .pulse_watch import PulseWatch
from .worker import EngineWorker

log = logging.getLogger("desktop_app.session")

# Two sources: a finished line waits at most this long (wall clock) for the other source's
# earlier words before it is shown.
LIVE_HOLD_S = 2.0
POLL_MS = 100  # how often background caption stages are asked for results while running
DRAIN_S = 30.0  # after a stop, how long the last sentences' translations are waited for


class _Mix(Interleaver):
    """Two sources' finished lines in time order, each as caption updates of its own whose
    first unit carries the source's label (``You: hello``): the window, the overlay and the
    transcript file show them as they show one source's lines."""

    def __init__(self, sources: list[Source], emit: Callable[[CaptionUpdate], None]) -> None:
        super().__init__(sources, lambda _: None, LIVE_HOLD_S)
        self._out = emit

    def emit(self, line: Line) -> None:
        label = self.sources[line.index].label
        for n, update in enumerate(line.updates):
            if n == 0:
                units = (f"{label}: {update.units[0]}", *update.units[1:])
                update = dataclasses.replace(update, units=units, space_before=False)
            self._out(update)
        self._out(CaptionUpdate(UpdateKind.UTTERANCE_END, line.updates[-1].end))

    def emit_translation(self, index: int, update: CaptionUpdate) -> None:
        self._out(update)


@dataclass
class _Input:
    """One source of a running session: its capture, engine worker and thread."""

    label: str
    capture: AudioCapture
    worker: EngineWorker | None = None
    thread: QThread | None = None


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
    # several inputs: each input's own caption updates (partials too): its index (0 the
    # first), its label, the update
    source_caption = Signal(int, str, object)
    # several inputs: the lines said but not in the time order yet, partial words too (a list
    # of engine.interleave.OpenLine, in time order; empty once all are out)
    open_lines = Signal(object)
    # after a stop: the last sentences' translations came (or the wait for them ended), and
    # the transcript file is closed
    drained = Signal()

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
        self.capture: AudioCapture | None = None  # the (first) source's, kept after a stop
        self._worker: EngineWorker | None = None  # the (first) source's, while it runs
        self._inputs: list[_Input] = []  # the running sources, in their pipelines' order
        self._mix: _Mix | None = None  # two sources: their lines in time order, labelled
        self.stopping = False
        self.pipeline = caption_pipeline()  # one per session, across its starts and stops
        # one per source: the first is ``pipeline``; a second source's is made when first used
        self._pipelines: list[CaptionPipeline] = [self.pipeline]
        self.punctuation: Punctuation | None = None  # punctuation and true casing, if loaded
        self.translation: tuple[TranslationWorker, str] | None = None  # worker, its language
        self._translating: list[TranslationStage] = []  # the pipelines' translation stages
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
        return any(i.thread is not None for i in self._inputs)

    @property
    def labelled(self) -> bool:
        """Several inputs are (or were last) captioned: lines carry their input's label."""
        return self._mix is not None

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
        """Each pipeline's stages from the one factory; a running stream first gets what the
        old stages held."""
        self._translating = []
        for index, pipeline in enumerate(self._pipelines):
            if self.running:
                self._emit(pipeline.finish(), index)
            stage = TranslationStage(*self.translation) if self.translation else None
            pipeline.stages = caption_pipeline(self.punctuation, stage).stages
            if stage is not None:
                self._translating.append(stage)

    def start(
        self,
        device: InputDevice | None,
        profile: str,
        stable_partials: bool = True,
        decode: DecodeOptions = DecodeOptions(),
        power_saver: bool = False,
        *,
        label: str = "",
        also: tuple[InputDevice | None, str] | None = None,
    ) -> bool:
        """Open the device and start captioning; False (and an error signal) on failure.

        ``also``: a second source (a device and its label) captioned at once, each final line
        then shown as ``LABEL: text`` (``label`` is the first source's), in time order; an
        echo gate sits between a microphone and a system-audio input. When one of the two
        cannot be opened, the other goes on alone, with a notice."""
        if self.running:
            return True
        if self.scheduler is None:
            self.error.emit(
                self.tr("No speech model is loaded yet; captions can start once it is.")
            )
            return False
        wanted = [(device, label)] + ([also] if also is not None else [])
        failed: list[tuple[str, str]] = []  # label, message
        self._inputs = []
        for chosen, name in wanted:
            capture = AudioCapture(
                self.backend, chosen, max_queue_s=self.max_queue_s, system_audio=self.system_audio
            )
            try:
                capture.start()
            except CaptureError as exc:
                failed.append((name, str(exc)))
                continue
            self._inputs.append(_Input(name, capture))
        if not self._inputs:
            if len(failed) == 1:
                self.error.emit(failed[0][1])
            else:
                self.error.emit("\n".join(f"{name}: {message}" for name, message in failed))
            return False
        for name, message in failed:  # one of two: the other goes on alone
            self.alert.emit(self._source_notice(name, message))
        capture = self.capture = self._inputs[0].capture
        options = StreamOptions(
            profile=profile,
            stable_partials=stable_partials,
            power_saver=power_saver,
            decode=decode,
        )
        wraps = self._echo_wraps()
        while len(self._pipelines) < len(self._inputs):
            self._pipelines.append(caption_pipeline())
            self._build_stages()
        for index, source in enumerate(self._inputs):
            self._start_worker(source, options, wraps[index])
        self._worker = self._inputs[0].worker
        self._mix = None
        if len(self._inputs) > 1:
            sources = [Source(i.label, p) for i, p in zip(self._inputs, self._pipelines)]
            self._mix = _Mix(sources, self.caption.emit)
        self.stopping = False
        self._drain_until = None  # the last stream's late translations go to this one
        # The pipeline's clock runs in real time from the first session (since the app started
        # or the transcript was cleared), so that every time is a time of day.
        now = _dt.datetime.now()
        after = self.pipeline.next_offset  # after the last session's words, plus a gap
        if self.clock_start is None or after == 0.0:
            self.clock_start = now
        offset = max(after, (now - self.clock_start).total_seconds())
        for index in range(len(self._inputs)):
            self._emit(self._pipelines[index].begin_stream(offset), index)
        if self.transcript_log is not None:
            started = self.clock_start + _dt.timedelta(seconds=offset)
            self.transcript_log.open(started, origin=offset)
        for source in self._inputs:
            assert source.thread is not None
            source.thread.start()
        self._poll.start()
        if self.pulse_watch is not None:
            self.pulse_watch.start()
        self.started.emit(capture.device.name if capture.device else "")
        return True

    def _echo_wraps(self) -> list[Callable[[Stream], AudioSink] | None]:
        """For a microphone and a system-audio input: the sides of an echo gate between
        them, so that the microphone's copy of the computer's sound is not captioned twice."""
        wraps: list[Callable[[Stream], AudioSink] | None] = [None] * len(self._inputs)
        loopback = [bool(i.capture.device and i.capture.device.loopback) for i in self._inputs]
        if len(self._inputs) != 2 or loopback.count(True) != 1:
            return wraps
        gate = EchoGate(EchoOptions(max_wait_s=1.0))
        system = loopback.index(True)
        wraps[system] = lambda stream: SystemSide(gate, stream, time.monotonic)
        wraps[1 - system] = lambda stream: MicrophoneSide(gate, stream, time.monotonic)
        return wraps

    def _start_worker(
        self,
        source: _Input,
        options: StreamOptions,
        wrap: Callable[[Stream], AudioSink] | None,
    ) -> None:
        assert self.scheduler is not None
        worker = EngineWorker(source.capture, self.scheduler, options, wrap=wrap)
        thread = QThread()
        thread.setObjectName("engine-worker")
        worker.moveToThread(thread)
        # Slots of the session (not lambdas): Qt queues them to the GUI thread; the slot knows
        # its source by the sender.
        worker.engine_event.connect(self._on_event)
        relays = [(worker.level, self.level), (worker.lag, self.lag)]
        relays += [(worker.dropped, self.dropped), (worker.notice, self.notice)]
        for signal, relay in relays:
            signal.connect(relay)
        if len(self._inputs) == 1:
            worker.error.connect(self.error)
        else:  # the other source goes on
            worker.error.connect(self._on_source_error)
        worker.stopped.connect(self._on_worker_stopped)
        thread.started.connect(worker.run)
        source.worker, source.thread = worker, thread

    def _index(self) -> int:
        """The source whose worker sent the signal being handled (a direct call: the first)."""
        sender = self.sender()
        return next((n for n, i in enumerate(self._inputs) if i.worker is sender), 0)

    @Slot(str)
    def _on_source_error(self, message: str) -> None:
        self.alert.emit(self._source_notice(self._inputs[self._index()].label, message))

    def _source_notice(self, label: str, message: str) -> str:
        return self.tr("{0}: {1} The other input's captions go on.").format(label, message)

    def stop(self) -> None:
        """Stop capturing; the ``stopped`` signal follows once the last words are out."""
        if not self.running or self.stopping:
            return
        self.stopping = True
        for source in self._inputs:
            source.capture.stop()
            if source.worker is not None:
                source.worker.request_stop()

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
        index = self._index()
        source = self._inputs[index]
        source.capture.stop()
        if source.thread is not None:
            source.thread.quit()
            source.thread.wait()
        if source.worker is not None:
            source.worker.deleteLater()
        source.worker = source.thread = None
        # The stream's end for every view (a second one after the engine's own is harmless);
        # of two sources, this one's last line (the other goes on).
        pipeline = self._pipelines[index]
        self._emit(pipeline.push(CaptionUpdate(UpdateKind.END, pipeline.offset)), index)
        if self.running:
            if not self.stopping:
                self.notice.emit(
                    self.tr("{0} stopped; the other input's captions go on.").format(source.label)
                )
            return
        if self.pulse_watch is not None:
            self.pulse_watch.stop()
        self._worker = None
        if self._mix is not None:
            self._mix.release(final=True)
            self.caption.emit(CaptionUpdate(UpdateKind.END, self.pipeline.offset))
            self.open_lines.emit([])
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

    @property
    def finishing(self) -> int:
        """After a stop: the sentences whose translations are still awaited (0 when none are,
        or the wait is over)."""
        if self.running or self._drain_until is None:
            return 0
        return sum(stage.pending for stage in self._translating)

    def end_drain(self) -> None:
        """Stop waiting for the last translations (quitting at once): the transcript file
        closes now; its caption lines are all in it already."""
        if self._drain_until is not None and not self.running:
            self._drain_until = time.monotonic()
            self._on_poll()  # what came meanwhile is written first

    @Slot()
    def _on_poll(self) -> None:
        for index, pipeline in enumerate(self._pipelines[: max(1, len(self._inputs))]):
            self._emit(pipeline.poll(), index)
        if self.running or self._drain_until is None:
            return
        if self.finishing and time.monotonic() < self._drain_until:
            return
        self._drain_until = None
        self._poll.stop()
        if self.transcript_log is not None:
            self.transcript_log.close()
        self.drained.emit()

    @Slot(object)
    @Slot(str)
    def _log_error(self, message: str) -> None:
        log.warning("live captions: %s", message)

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        """An engine event, in the GUI thread: its caption updates, each emitted once."""
        index = self._index()
        self._emit(self._pipelines[index].handle(event), index)

    def _emit(self, updates: list[CaptionUpdate], index: int = 0) -> None:
        if self._mix is not None:  # two sources: finished lines, labelled, in time order
            for update in updates:
                self.source_caption.emit(index, self._mix.sources[index].label, update)
            self._mix.updates(index, updates)
            self._mix.release()
            if updates:
                self.open_lines.emit(self._mix.open_lines())
            return
        for update in updates:
            self.caption.emit(update)

"""The engine worker: captured blocks in, caption signals out, in its own QThread.

The worker takes blocks from the capture queue, resamples them to 16 kHz and pushes them into
a stream of the shared :class:`engine.scheduler.Scheduler`. The scheduler calls back from its
own thread and the worker emits its events right there: Qt queues them to the session's
thread in the order the engine produced them.

Stopping drains the capture queue and finishes the stream, so the last words are not lost.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from engine.audio import Resampler
from engine.echo import AudioSink
from engine.errors import ModelLoadError
from engine.scheduler import Scheduler, Stream, TooManyStreams
from engine.streaming import Event, EventType, StreamOptions

from .capture import AudioCapture

log = logging.getLogger("desktop_app.worker")


class EngineWorker(QObject):
    # engine Event with captions in it: partial, final, speech started, utterance end, end
    # (the session's caption pipeline turns them into caption updates)
    engine_event = Signal(object)
    level = Signal(float)  # input level of the latest block, dBFS
    lag = Signal(float)  # seconds of captured audio not yet final
    dropped = Signal(int)  # blocks lost so far (queue full or device overflow)
    notice = Signal(str)  # the engine falls behind (overload)
    error = Signal(str)  # the device or the engine failed; the worker stops
    stopped = Signal()  # the stream is finished and every event was emitted

    def __init__(
        self,
        capture: AudioCapture,
        scheduler: Scheduler,
        options: StreamOptions,
        *,
        poll_s: float = 0.02,
        drain_timeout_s: float = 120.0,
        wrap: Callable[[Stream], AudioSink] | None = None,
    ) -> None:
        super().__init__()
        self.capture = capture
        self.scheduler = scheduler
        self.options = options
        self.poll_s = poll_s
        self.drain_timeout_s = drain_timeout_s
        self.wrap = wrap  # the stream as the capture sees it (an echo gate's side), if any
        self._stop = threading.Event()
        self._engine_done = threading.Event()  # the stream sent "end" or "error"
        self._lost_reported = 0
        self._invalid_reported = False  # the notice about NaN samples was shown
        self._lag_at = 0.0

    def request_stop(self) -> None:
        """Thread-safe: finish after the blocks already captured."""
        self._stop.set()

    def _open_stream(self) -> AudioSink:
        stream = self._open_engine_stream()
        return self.wrap(stream) if self.wrap else stream

    def _open_engine_stream(self) -> Stream:
        try:
            return self.scheduler.open_stream(self._on_engine_event, self.options)
        except ModelLoadError as exc:
            # A language model that cannot be read: captions without it rather than none.
            log.warning("language model not used: %s", exc)
            self.notice.emit(
                self.tr("The language model cannot be used ({}); captions run without it.").format(
                    exc
                )
            )
            decode = self.options.decode
            lm = dataclasses.replace(decode.lm, lm=None, use_model_lm=False)
            self.options = dataclasses.replace(
                self.options, decode=dataclasses.replace(decode, lm=lm)
            )
            return self.scheduler.open_stream(self._on_engine_event, self.options)

    @Slot()
    def run(self) -> None:
        """The thread's whole life: ``stopped`` is emitted whatever happens, after ``error``
        when something failed, so the captions never hang on a worker that died silently."""
        try:
            self._run()
        except Exception as exc:  # the thread's boundary: report it rather than die unseen
            log.exception("the engine worker failed")
            self.error.emit(self.tr("Captioning stopped: {}.").format(exc))
        finally:
            self.stopped.emit()

    def _run(self) -> None:
        try:
            stream = self._open_stream()
        except TooManyStreams as exc:
            self.error.emit(self.tr("The engine is busy: {}.").format(exc))
            return
        resample = Resampler(self.capture.sample_rate)
        failure = None
        while not self._stop.is_set() and not self._engine_done.is_set():
            if self.capture.failure:
                failure = self.capture.failure
                break
            try:
                block = self.capture.queue.get(timeout=self.poll_s)
            except queue.Empty:
                block = None
            if block is not None:
                block = self._finite(block)
                self._feed(stream, resample(block), block)
            self._report(stream.lag_s)
        self._drain(stream, resample)
        if failure:
            self.error.emit(failure)

    def _finite(self, block: np.ndarray) -> np.ndarray:
        """A block with NaN or infinite samples (a faulty driver) is heard as silence: one
        notice says so, and the captions go on."""
        if np.isfinite(block).all():
            return block
        if not self._invalid_reported:
            self._invalid_reported = True
            log.warning("the input delivered NaN or infinite samples")
            self.notice.emit(
                self.tr(
                    "The input device delivered invalid samples (NaN or infinity); they are "
                    "treated as silence."
                )
            )
        return np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)

    def _feed(self, stream: AudioSink, samples: np.ndarray, raw: np.ndarray) -> None:
        rms = float(np.sqrt(np.mean(np.square(raw), dtype=np.float64))) if raw.size else 0.0
        self.level.emit(20 * math.log10(max(rms, 1e-6)))
        # stream.push is False once the engine ended the stream; its error event explains why
        if samples.size and not self._engine_done.is_set() and not stream.push(samples):
            self._engine_done.set()

    def _drain(self, stream: AudioSink, resample: Resampler) -> None:
        """Everything captured goes to the engine; then wait for its last events."""
        while not self._engine_done.is_set():
            try:
                block = self.capture.queue.get_nowait()
            except queue.Empty:
                break
            block = self._finite(block)
            self._feed(stream, resample(block), block)
        if self._engine_done.is_set():
            return
        self._feed(stream, resample(np.zeros(0, np.float32), last=True), np.zeros(0, np.float32))
        stream.finish()
        if not self._engine_done.wait(self.drain_timeout_s):
            stream.close()
            self.error.emit(
                self.tr("The engine did not finish the last words in time; they are lost.")
            )
        self._report(0.0, force=True)

    def _on_engine_event(self, event: Event) -> None:
        """In the scheduler's thread: the event as a signal (queued to the receivers)."""
        if event.type is EventType.OVERLOAD:
            self.notice.emit(event.message)
        elif event.type is EventType.ERROR:
            self.error.emit(self.tr("Captioning stopped: {}.").format(event.message))
            self._engine_done.set()
        else:  # partial, final, speech started, utterance end, end
            self.engine_event.emit(event)
            if event.type is EventType.END:
                self._engine_done.set()

    def _report(self, lag_s: float, force: bool = False) -> None:
        lost = self.capture.lost_blocks
        if lost != self._lost_reported:
            self._lost_reported = lost
            self.dropped.emit(lost)
        now = time.monotonic()
        if force or now - self._lag_at >= 0.25:
            self._lag_at = now
            queued = self.capture.queue.qsize() * self.capture.block_s
            self.lag.emit(lag_s + queued)

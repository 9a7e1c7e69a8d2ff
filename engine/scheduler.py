"""One model, many streams: a thread that batches ready windows from every stream.

Streams push audio from any thread (an audio callback, a WebSocket handler) without blocking:
``push`` only appends to the stream's inbox. The scheduler thread owns the model. Each round it
moves inboxes into the streams' states, takes their ready windows, and runs them in batches of
equal-length windows, round-robin across streams so that none starves.

Overload policy (documented in the README):
- Finals come first. Partials (at most one per stream per round; a newer one supersedes an
  older one) are computed only where the round's finals leave room in one forward pass, so
  under load partials thin out before finals are delayed. On the CPU a window costs as much
  inside a batch as outside, so there partials run only in rounds without finals: a final
  then waits for at most one partial pass, and partials take the time finals leave.
- When a stream's lag (audio received minus audio final) passes ``warn_lag_s`` it gets an
  ``overload`` event, once per episode.
- When its lag passes ``max_lag_s`` the stream is ended with an ``error`` event: memory stays
  bounded and the client is told, instead of a backlog that grows without limit. Finals already
  sent stay valid.

Files (the CLI, the desktop file panel, API uploads) are the lowest-priority work: a file's thread
hands its windows to :meth:`Scheduler.run_file_windows` and waits. Rounds with live finals run no
file windows; in rounds without, file passes take turns with live partials. While a live stream
is open a file pass holds ``file_windows_with_live`` windows (one on the CPU), so a live final
waits for about one window's compute at most; with no live stream a file runs its whole batch
on CUDA, and on the CPU as many windows as ``cpu_file_pass_s`` of audio holds (one of the file
profile's 20 s windows). Several files take turns, one pass each.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .config import SAMPLE_RATE
from .errors import Cancelled, EngineStopped
from .model import FrameModel
from .stitch import Frames, run_windows
from .streaming import Event, EventType, StreamOptions, StreamState
from .windows import Window

log = logging.getLogger("engine.scheduler")

EventCallback = Callable[[Event], None]


@dataclass(frozen=True)
class SchedulerOptions:
    max_batch: int = 8  # windows per forward pass
    max_streams: int = 16  # open streams at once; more are refused
    warn_lag_s: float = 10.0  # lag that triggers an overload event
    max_lag_s: float = 60.0  # lag that ends a stream with an error
    batching: bool = True  # False: one window per forward pass (for benchmarks)
    # Partials in the same round as finals: None = only on CUDA, where a larger batch costs
    # little; on the CPU they would make every round with a final longer.
    partials_with_finals: bool | None = None
    # File windows per forward pass while a live stream is open: None = 1 on the CPU (a live
    # final then waits for one window at most), max_batch on CUDA.
    file_windows_with_live: int | None = None
    # On the CPU a file pass holds at most this much audio, and at least one window: there a
    # larger batch buys nothing, and its buffers outgrow the caches (one pass of four 20 s
    # windows cost 34-39 % more per audio second than four passes of one: ONNX Runtime,
    # base-960h, AMD Zen 5; docs/performance.md). CUDA runs a file's batch whole.
    cpu_file_pass_s: float = 20.0


@dataclass
class _Work:
    stream: Stream  # whose work this is
    windows: list[Window]  # its windows to run this round
    finishing: bool  # flush and end the stream after these windows
    notices: list[Event]  # overload or error events found while collecting


@dataclass(eq=False)
class _FileWork:
    """One file's windows waiting for the model; the file's thread waits on ``done``."""

    windows: list[Window]  # what is left to run
    level: float  # silence level of the file's decoding options
    log_probs: bool = False  # the file decodes with beam search: every token's log-probability
    results: list[Frames] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    cancelled: bool = False  # the file's thread gave up waiting


class TooManyStreams(RuntimeError):
    """The scheduler already serves max_streams streams."""


@dataclass(frozen=True)
class StreamStats:
    id: int  # the stream's number in this process
    received_s: float  # audio received
    lag_s: float  # audio received but not yet final


class Stream:
    """A client's handle on one stream. ``push`` and ``finish`` never block on the model."""

    def __init__(
        self, scheduler: Scheduler, stream_id: int, state: StreamState, on_event: EventCallback
    ) -> None:
        self.id = stream_id
        self._scheduler = scheduler
        self._state = state
        self._on_event = on_event
        self._inbox: list[np.ndarray] = []
        self._finishing = False  # finish() was called; flush after the inbox
        self.closed = False  # no more events will come
        self._overloaded = False

    @property
    def lag_s(self) -> float:
        """Audio received but not yet final, seconds; safe to read from any thread."""
        with self._scheduler._cond:  # the scheduler changes the state under this lock
            queued = sum(len(c) for c in self._inbox) / SAMPLE_RATE
            return self._state.lag_s + queued

    def push(self, samples: np.ndarray) -> bool:
        """Queue 16 kHz mono float32 samples (any length). False, and the samples are dropped,
        when the engine has ended the stream (its error event says why): audio still arriving
        then is a normal race, not the caller's mistake. Pushing after ``finish`` is one."""
        with self._scheduler._cond:
            if self._finishing:
                raise RuntimeError("push() after finish()")
            if self.closed:
                return False
            self._inbox.append(np.array(samples, dtype=np.float32).reshape(-1))
            self._scheduler._cond.notify()
            return True

    def finish(self) -> None:
        """End of audio: the remaining windows are flushed, then an ``end`` event is sent."""
        with self._scheduler._cond:
            self._finishing = True
            self._scheduler._cond.notify()

    def close(self) -> None:
        """Abandon the stream without flushing (the client went away)."""
        self._scheduler._drop(self)


class Scheduler:
    """Owns the model's time: every stream's windows go through this one thread."""

    def __init__(self, model: FrameModel, options: SchedulerOptions = SchedulerOptions()) -> None:
        self.model = model
        self.options = options
        self._cond = threading.Condition()
        self._streams: dict[int, Stream] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._rr = 0  # round-robin start
        self.batches_run = 0  # forward passes so far (for tests and benchmarks)
        # What a live forward pass takes now, seconds (a moving average): a stream starts no
        # partial pass that its next final window's audio would arrive during (StreamState).
        self.pass_s = 0.0
        self._on_cuda = getattr(model, "device", "cpu") == "cuda"
        with_finals = options.partials_with_finals
        if with_finals is None:
            with_finals = self._on_cuda
        self._partials_with_finals: bool = with_finals
        self._files: deque[_FileWork] = deque()  # waiting file work, served in turn
        self._file_turn = False  # in rounds without finals, files and partials alternate
        self._file_windows_with_live = options.file_windows_with_live or (
            options.max_batch if self._partials_with_finals else 1
        )

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> Scheduler:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="engine-scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread; open streams are ended with an error event."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Scheduler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # streams ---------------------------------------------------------------------------------
    def open_stream(
        self, on_event: EventCallback, options: StreamOptions = StreamOptions()
    ) -> Stream:
        with self._cond:
            if len(self._streams) >= self.options.max_streams:
                raise TooManyStreams(
                    f"the server already serves {self.options.max_streams} streams"
                )
            stream = Stream(self, next(self._ids), StreamState(self.model, options), on_event)
            self._streams[stream.id] = stream
            return stream

    @property
    def active_streams(self) -> int:
        with self._cond:
            return len(self._streams)

    def stats(self) -> list[StreamStats]:
        with self._cond:
            return [StreamStats(s.id, s._state.received_s, s.lag_s) for s in self._streams.values()]

    def _drop(self, stream: Stream) -> None:
        with self._cond:
            self._streams.pop(stream.id, None)
            stream.closed = True

    # files -----------------------------------------------------------------------------------
    def run_file_windows(
        self,
        windows: list[Window],
        silence_level: float = 0.0,
        cancel: threading.Event | None = None,
        log_probs: bool = False,
    ) -> list[Frames]:
        """Run a file's windows as the lowest-priority work and wait for their frames.

        Raises :class:`Cancelled` when ``cancel`` is set meanwhile and :class:`EngineStopped`
        when the scheduler stops first; a failed forward pass raises its own exception here.
        """
        if not windows:
            return []
        work = _FileWork(list(windows), silence_level, log_probs)
        with self._cond:
            if self._thread is None or self._stopping:
                raise EngineStopped("the engine is not running")
            self._files.append(work)
            self._cond.notify()
        while not work.done.wait(None if cancel is None else 0.05):
            if cancel is not None and cancel.is_set():
                with self._cond:
                    work.cancelled = True
                    if work in self._files:
                        self._files.remove(work)
                raise Cancelled("transcription cancelled")
        if work.error is not None:
            raise work.error
        return work.results

    @property
    def files_waiting(self) -> int:
        """Files whose windows wait for the model now (not counting the one running)."""
        with self._cond:
            return len(self._files)

    def _take_file_work(self, live_finals: bool, live_partials: bool) -> _FileWork | None:
        """Under the lock: the file work whose turn it is this round, if files get one."""
        if not self._files or live_finals:
            return None
        if live_partials:
            self._file_turn = not self._file_turn
            if not self._file_turn:
                return None
        return self._files.popleft()

    def _run_file(self, work: _FileWork) -> None:
        if not self.options.batching:
            count = 1
        elif self._streams:
            count = self._file_windows_with_live
        elif self._on_cuda:
            count = len(work.windows)
        else:
            pass_samples = self.options.cpu_file_pass_s * SAMPLE_RATE
            count = max(1, int(pass_samples // len(work.windows[0].samples)))
        windows = work.windows[:count]
        error: BaseException | None = None
        try:
            results = run_windows(self.model, windows, work.level, work.log_probs)
        except Exception as exc:
            log.exception("forward pass of a file failed")
            error = exc
        self.batches_run += 1
        with self._cond:
            if error is not None:
                work.error = error
            else:
                work.results += results
                del work.windows[:count]
            if work.error is not None or not work.windows:
                work.done.set()
            elif not work.cancelled:
                self._files.append(work)  # the next file's turn comes first

    # the loop --------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and not self._has_input():
                    self._cond.wait(timeout=0.5)
                if self._stopping:
                    streams = list(self._streams.values())
                    self._streams.clear()
                    files = list(self._files)
                    self._files.clear()
                    break
                work = self._collect()
                finals = any(w.final for item in work for w in item.windows)
                partials = any(not w.final for item in work for w in item.windows)
                file_work = self._take_file_work(finals, partials)
            self._run(work, skip_partials=file_work is not None)
            if file_work is not None:
                self._run_file(file_work)
        for stream in streams:
            self._emit(
                stream,
                [
                    Event(
                        EventType.ERROR,
                        stream._state.received_s,
                        message="the engine is shutting down",
                    )
                ],
            )
            stream.closed = True
        for pending in files:
            pending.error = EngineStopped("the engine stopped before the file was transcribed")
            pending.done.set()

    def _has_input(self) -> bool:
        return bool(self._files) or any(s._inbox or s._finishing for s in self._streams.values())

    def _collect(self) -> list[_Work]:
        """Under the lock: move inboxes into states, check lag, take each stream's windows."""
        work = []
        streams = list(self._streams.values())
        if streams:
            self._rr %= len(streams)
            streams = streams[self._rr :] + streams[: self._rr]
            self._rr += 1
        for stream in streams:
            for chunk in stream._inbox:
                stream._state.add_audio(chunk)
            stream._inbox.clear()
            notices = self._check_lag(stream)
            if any(e.type is EventType.ERROR for e in notices):
                self._streams.pop(stream.id, None)
                work.append(_Work(stream, [], False, notices))
                continue
            finishing = stream._finishing
            windows = stream._state.take_work(
                partial=not finishing,
                pass_s=self.pass_s,
                whole_partial=self._partials_with_finals,
            )
            if finishing:
                windows += stream._state.finish_work()
                self._streams.pop(stream.id, None)
            if windows or finishing or notices:
                work.append(_Work(stream, windows, finishing, notices))
        return work

    def _run(self, work: list[_Work], skip_partials: bool = False) -> None:
        # Finals of every stream first (round-robin order), partials only if no final waits
        # (and not in a round that is the files' turn).
        finals = [(item.stream, w) for item in work for w in item.windows if w.final]
        partials = [(item.stream, w) for item in work for w in item.windows if not w.final]
        if skip_partials:
            partials = []
        results: dict[int, list[tuple[Window, Frames | Exception]]] = {}
        size = self.options.max_batch if self.options.batching else 1
        # Partials ride along only where the finals leave room in a single forward pass.
        room = size - len(finals) if self._partials_with_finals or not finals else 0
        jobs = finals + partials[: max(0, room)]
        # Group by window length and silence rule (profiles differ); equal lengths need no padding.
        # Streams decoding with an LM need the log-probabilities too.
        groups: dict[tuple[int, float, bool], list[tuple[Stream, Window]]] = {}
        for job in jobs:
            state = job[0]._state
            key = (len(job[1].samples), state.options.decode.silence_level, state.wants_log_probs)
            groups.setdefault(key, []).append(job)
        for (_, level, log_probs), group in groups.items():
            while group:
                # A stream closed meanwhile (its client went away) costs no more forward passes.
                group = [job for job in group if not job[0].closed]
                batch, group = group[:size], group[size:]
                if not batch:
                    break
                started = time.perf_counter()
                try:
                    outs: list = run_windows(self.model, [w for _, w in batch], level, log_probs)
                except Exception as exc:
                    log.exception("forward pass failed")
                    outs = [exc] * len(batch)
                self.batches_run += 1
                self.pass_s = 0.5 * self.pass_s + 0.5 * (time.perf_counter() - started)
                for (stream, window), out in zip(batch, outs):
                    results.setdefault(stream.id, []).append((window, out))
        for item in work:
            ordered = sorted(
                results.get(item.stream.id, []), key=lambda r: (not r[0].final, r[0].index)
            )
            self._deliver(item, ordered)

    def _deliver(self, item: _Work, results: list) -> None:
        stream, finishing = item.stream, item.finishing
        if stream.closed:
            return
        events: list[Event] = list(item.notices)
        if any(e.type is EventType.ERROR for e in events):
            self._emit(stream, events)
            self._drop(stream)
            return
        try:
            for window, out in results:
                if isinstance(out, Exception):
                    raise out
                events += stream._state.complete(window, *out)
            if finishing:
                events += stream._state.close()
        except Exception as exc:
            log.exception("stream %d failed", stream.id)
            events.append(
                Event(
                    EventType.ERROR, stream._state.received_s, message=f"processing failed: {exc}"
                )
            )
            self._emit(stream, events)
            self._drop(stream)
            return
        self._emit(stream, events)
        if finishing or any(e.type is EventType.ERROR for e in events):
            self._drop(stream)

    def _check_lag(self, stream: Stream) -> list[Event]:
        lag = stream.lag_s
        now = stream._state.received_s
        if lag > self.options.max_lag_s:
            return [
                Event(
                    EventType.ERROR,
                    now,
                    message=f"the engine cannot keep up with this stream (lag {lag:.0f} s); stream ended",
                    lag_s=lag,
                )
            ]
        if lag > self.options.warn_lag_s and not stream._overloaded:
            stream._overloaded = True
            return [
                Event(
                    EventType.OVERLOAD,
                    now,
                    message=f"captions are {lag:.0f} s behind the audio",
                    lag_s=lag,
                )
            ]
        if lag < self.options.warn_lag_s / 2:
            stream._overloaded = False
        return []

    def _emit(self, stream: Stream, events: list[Event]) -> None:
        for event in events:
            try:
                stream._on_event(event)
            except Exception:
                log.exception("event consumer of stream %d failed", stream.id)
                self._drop(stream)
                return

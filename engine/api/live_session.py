"""The live-session core that ``/ws/transcribe`` and ``/v1/realtime`` share.

A live session owns one scheduler stream at a time. A flush (a WebSocket ``finalize``, a
Realtime ``commit``, the end of the session) finishes the stream; when its ``end`` event comes,
the next stream opens and the audio that came meanwhile goes into it. The scheduler thread hands
events to the event loop through the outbox; one task, the sender, is the only writer to the
socket, so messages never interleave with a close. The receiver reads nothing while a flush
lasts: a client sending on meets backpressure instead of a buffer that grows without bound.

The session holds the stream's caption pipeline (``caption_pipeline``: casing, punctuation
where the server has a model and the client wants it, sentences, translation into the language
the client asked for): engine events go through it once, and both protocols write what comes
out. A translation model that is not loaded yet loads in a thread while the captions go on; the
sentences closed meanwhile wait and are translated once it is ready. Translations are handed
out when the worker says one is ready (a note in the outbox), never polled on a timer.

The two protocols are subclasses that say how messages are read and written
(:meth:`LiveSession.on_message`, :meth:`LiveSession.write`, :meth:`LiveSession.on_event`,
:meth:`LiveSession.on_translation`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from ..audio import FrameDecoder
from ..config import SAMPLE_RATE
from ..errors import TranslationError
from ..pipeline import CaptionPipeline, CaptionUpdate, UpdateKind
from ..punctuation_stage import caption_pipeline
from ..scheduler import Stream, TooManyStreams
from ..streaming import Event, StreamOptions
from ..translation import TranslationStage, TranslationWorker
from .deps import ApiContext
from .errors import CloseCode, close_reason

log = logging.getLogger("engine.api")

CLOSED = (WebSocketDisconnect, WebSocketDisconnected)


# The outbox: what the sender is asked to do, in order ------------------------------------------
@dataclass(frozen=True)
class Send:
    message: Any  # a protocol message (the subclass's write() knows its type)


@dataclass(frozen=True)
class Close:
    code: CloseCode
    reason: str


@dataclass(frozen=True)
class EngineEvent:
    generation: int  # the stream it belongs to; events of an abandoned stream are dropped
    event: Event


class Note:
    """A protocol's own outbox item (a subclass of this), handled by ``on_note``."""


@dataclass(frozen=True)
class TranslationsReady(Note):
    """The translation worker has results: poll the pipeline (sent from the worker's thread)."""


@dataclass(frozen=True)
class TranslationLoaded(Note):
    """A target language's model finished loading (``worker``) or failed (``error``)."""

    language: str
    worker: TranslationWorker | None
    error: str = ""


Outgoing = Send | Close | EngineEvent | Note


class SessionTranslation:
    """The session pipeline's translation stage: SENTENCE updates go to the worker of the
    language the client asked for. While that language's model loads, sentences wait here (the
    captions go on) and are translated in order once it is ready. A language asked for later
    takes the sentences closed from then on; the previous one's pending translations still come.
    """

    def __init__(self, on_ready: Callable[[], None]) -> None:
        self.on_ready = on_ready  # called in the worker's thread when a result is ready
        self.language: str | None = None  # None: no translation
        self.loading = False  # the language's model is loading; sentences wait
        self.waiting: list[CaptionUpdate] = []
        self._stages: list[TranslationStage] = []  # the last serves ``language``

    def want(self, language: str | None) -> None:
        self.language, self.loading, self.waiting = language, language is not None, []

    def attach(self, language: str, worker: TranslationWorker) -> bool:
        """The model of ``language`` is ready: translate what waits. False when the client has
        asked for another language since."""
        if language != self.language or not self.loading:
            return False
        stage = TranslationStage(worker, language, self.on_ready)
        self._stages.append(stage)
        self.loading = False
        for update in self.waiting:
            stage.push(update)
        self.waiting = []
        return True

    def fail(self, language: str) -> bool:
        """The model of ``language`` cannot be had: no translation (what waited is dropped).
        False when the client has asked for another language since."""
        if language != self.language or not self.loading:
            return False
        self.want(None)
        return True

    @property
    def pending(self) -> int:
        """Sentences whose translation has not been handed out yet."""
        return len(self.waiting) + sum(stage.pending for stage in self._stages)

    # the stage protocol
    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind is UpdateKind.SENTENCE and self.language is not None:
            if self.loading:
                self.waiting.append(update)
            else:
                self._stages[-1].push(update)
        return [update]

    def flush(self) -> list[CaptionUpdate]:
        return []

    def poll(self) -> list[CaptionUpdate]:
        out = [update for stage in self._stages for update in stage.poll()]
        current = self._stages[-1] if self._stages and not self.loading else None
        self._stages = [s for s in self._stages if s.pending or s is current]
        return out


class LiveSession:
    """One client's live stream: the scheduler stream and its restarts, audio held while a
    flush lasts, the idle-timeout receiver and the one sender."""

    stats_interval_s = 0.0  # seconds between stats() messages; 0: never
    label = "session"  # names the session's tasks and log lines

    def __init__(
        self,
        ws: WebSocket,
        ctx: ApiContext,
        decoder: FrameDecoder,
        punctuation: bool = True,
        translate_to: str | None = None,
    ) -> None:
        self.ws = ws
        self.ctx = ctx
        self.settings = ctx.settings
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[Outgoing] = asyncio.Queue()
        self.decoder = decoder
        # the captions: one pipeline per session, its clock in session time
        self.punctuation = punctuation  # the client's wish (the server may have no model)
        self.translation = SessionTranslation(self._translations_ready)
        self.pipeline = self.build_pipeline()
        self.rebuild_pipeline = False  # build it again when the next stream opens
        self.close_after_translations: tuple[CloseCode, str] | None = None
        self._loads: set[asyncio.Task[None]] = set()
        self.generation = 0  # each flush ends a stream and opens the next one
        self.offset_s = 0.0  # session time at which the current stream started
        self.pushed = 0  # 16 kHz samples pushed into the current stream
        self.flushing = False  # the current stream is flushing; new audio waits in held
        self.held: list[np.ndarray] = []
        # Set while no flush is under way; the receiver waits for it before reading on.
        self.flushed = asyncio.Event()
        self.flushed.set()
        self.closing: tuple[CloseCode, str] | None = None  # flush, then close like this
        self.client_gone = False
        self.stream = self._open()  # TooManyStreams before the handshake completes
        self.translate_to(translate_to)

    # what a protocol says ----------------------------------------------------------------------
    def stream_options(self) -> StreamOptions:
        raise NotImplementedError

    def first_message(self) -> Any:
        """What the client hears first (``ready``, ``session.created``)."""
        raise NotImplementedError

    def on_message(self, message: Mapping[str, Any]) -> bool:
        """Handle a client message; False when the receiver must stop (a protocol error)."""
        raise NotImplementedError

    async def write(self, message: Any) -> None:
        raise NotImplementedError

    async def on_event(self, event: Event) -> bool:
        """Send what an engine event means; True when the session is over."""
        raise NotImplementedError

    async def on_note(self, note: Note) -> bool:
        return False

    async def on_translation(self, update: CaptionUpdate) -> None:
        """Send a sentence's TRANSLATION update (``message`` says why when its text is empty)."""
        raise NotImplementedError

    async def on_translation_error(self, language: str, message: str) -> None:
        """Tell the client that ``language`` cannot be translated into; the session goes on."""
        raise NotImplementedError

    async def refuse_capacity(self, message: str) -> None:
        """Tell the client that no stream can be opened now, and close with 1013."""
        raise NotImplementedError

    def stats(self) -> Any:
        return None

    # the captions ------------------------------------------------------------------------------
    def build_pipeline(self) -> CaptionPipeline:
        """The session's caption pipeline, by the one factory every front end uses."""
        punctuation = self.ctx.punctuation if self.punctuation else None
        return caption_pipeline(punctuation, self.translation)

    def translate_to(self, target: str | None) -> None:
        """Translate the sentences closed from now on into ``target`` (None: stop). A model not
        loaded yet loads in a thread; the stream goes on meanwhile."""
        if target == self.translation.language:
            return
        self.translation.want(target)
        if target is None:
            return
        worker = self.ctx.translators.loaded(target)
        if worker is not None:
            self.translation.attach(target, worker)
            return
        task = self.loop.create_task(self._load(target), name=f"{self.label}-translation")
        self._loads.add(task)
        task.add_done_callback(self._loads.discard)

    async def _load(self, target: str) -> None:
        try:
            worker = await asyncio.to_thread(self.ctx.translators.worker, target)
        except TranslationError as exc:
            error = f"no translation into {target!r}: {exc}"
        except Exception as exc:  # a broken model file: the captions go on without translation
            log.exception("session %s: the translation model for %r failed", self.label, target)
            error = f"no translation into {target!r}: the model cannot be loaded: {exc}"
        else:
            self.outbox.put_nowait(TranslationLoaded(target, worker))
            return
        self.outbox.put_nowait(TranslationLoaded(target, None, error))

    def _translations_ready(self) -> None:  # in the translation worker's thread
        with contextlib.suppress(RuntimeError):  # the loop has closed: the session is over
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, TranslationsReady())

    async def _translations(self, note: TranslationsReady | TranslationLoaded) -> bool:
        """Hand out the translations that are ready, or take in a loaded model; True when the
        session closed (it was waiting for its last translations)."""
        if isinstance(note, TranslationLoaded):
            if note.worker is not None:
                self.translation.attach(note.language, note.worker)
            elif self.translation.fail(note.language):
                await self.on_translation_error(note.language, note.error)
        for update in self.pipeline.poll():
            if update.kind is UpdateKind.TRANSLATION:
                await self.on_translation(update)
        if self.close_after_translations and not self.translation.pending:
            code, reason = self.close_after_translations
            await self.ws.close(code, close_reason(reason))
            return True
        return False

    async def close_when_translated(self, code: CloseCode, reason: str) -> bool:
        """Close now, or once the translations still pending are sent; True when closed now."""
        if self.translation.pending:
            self.close_after_translations = (code, reason)
            return False
        await self.ws.close(code, close_reason(reason))
        return True

    def _begin_stream(self) -> None:
        """A new stream: the pipeline's clock continues at the session time it starts at."""
        if self.rebuild_pipeline:  # options changed since the last stream opened
            self.pipeline, self.rebuild_pipeline = self.build_pipeline(), False
        # What the stages still held belonged to a stream that ended or was dropped.
        self.pipeline.begin_stream(self.offset_s)

    # the stream --------------------------------------------------------------------------------
    def _open(self) -> Stream:
        generation = self.generation

        def on_event(event: Event) -> None:  # on the scheduler thread
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, EngineEvent(generation, event))

        return self.ctx.scheduler.open_stream(on_event, self.stream_options())

    def reopen(self) -> None:
        """Drop the current stream and open the next one (no flush: its audio is gone)."""
        self.abandon()
        self.generation += 1
        self.stream = self._open()
        self._begin_stream()

    def abandon(self) -> None:
        """Drop the stream without flushing (the client has gone, or the session is over)."""
        if not self.stream.closed:
            self.stream.close()

    def push(self, samples: np.ndarray) -> None:
        if not samples.size:
            return
        if self.flushing:
            self.held.append(samples)
        elif self.stream.lag_s > self.ctx.scheduler.options.max_lag_s:
            # The engine ends this stream at its next round (error, close 1013); audio sent
            # faster than that is dropped, not queued without bound in the stream's inbox.
            return
        elif self.stream.push(samples):
            self.pushed += samples.size
        # else: the engine ended the stream; its error event is on the way

    def flush(self) -> None:
        """Finish the current stream: its last events and an ``end`` event follow."""
        self.push(self.decoder.flush())
        self.flushing = True
        self.flushed.clear()
        self.stream.finish()

    def flushed_stream_ends(self) -> None:
        """Account for the flushed stream's audio (call on its ``end`` event)."""
        self.offset_s += self.pushed / SAMPLE_RATE
        self.pushed = 0

    async def next_stream(self) -> bool:
        """After a flush: open the next stream and push the audio held meanwhile. False (after
        telling the client) when the scheduler has no room left."""
        self.generation += 1
        try:
            self.stream = self._open()
        except TooManyStreams as exc:
            await self.refuse_capacity(f"too many streams: {exc}; try again later")
            return False
        self._begin_stream()
        self.flushing = False
        self.flushed.set()
        held, self.held = self.held, []
        for samples in held:
            self.push(samples)
        return True

    def request_close(self, code: CloseCode, reason: str) -> None:
        """Flush, then close like this."""
        if self.closing:
            return
        self.closing = (code, reason)
        if not self.flushing:
            self.flush()

    def error_close_code(self, event: Event) -> CloseCode:
        """An engine error's close code: 1013 when the stream fell too far behind, else 1011."""
        behind = event.lag_s > self.ctx.scheduler.options.max_lag_s
        return CloseCode.TRY_AGAIN if behind else CloseCode.INTERNAL

    # the two loops -----------------------------------------------------------------------------
    async def receive_loop(self) -> None:
        idle = self.settings.idle_timeout_s
        while True:
            await self.flushed.wait()
            try:
                message = await asyncio.wait_for(self.ws.receive(), idle)
            except asyncio.TimeoutError:
                self.request_close(
                    CloseCode.POLICY, f"idle timeout: nothing received for {idle:g} s"
                )
                return
            if message["type"] == "websocket.disconnect":
                self.client_gone = True
                return
            if not self.on_message(message) or self.closing:
                return

    async def send_loop(self) -> None:
        interval = self.stats_interval_s
        next_stats = self.loop.time() + interval
        try:
            while True:
                try:
                    wait = max(0.0, next_stats - self.loop.time()) if interval else None
                    item = await asyncio.wait_for(self.outbox.get(), wait)
                except asyncio.TimeoutError:
                    await self.write(self.stats())
                    next_stats = self.loop.time() + interval
                    continue
                if isinstance(item, Send):
                    await self.write(item.message)
                elif isinstance(item, Close):
                    await self.ws.close(item.code, close_reason(item.reason))
                    return
                elif isinstance(item, EngineEvent):
                    if item.generation == self.generation and await self.on_event(item.event):
                        return
                elif isinstance(item, TranslationsReady | TranslationLoaded):
                    if await self._translations(item):
                        return
                elif await self.on_note(item):
                    return
        except CLOSED:
            self.client_gone = True

    def fail(self, error: Any, code: CloseCode, reason: str) -> bool:
        """A protocol error: drop the stream, send ``error``, close; the receiver stops."""
        self.abandon()
        self.outbox.put_nowait(Send(error))
        self.outbox.put_nowait(Close(code, reason))
        return False

    async def run(self) -> None:
        """Send the first message, then run the receiver and the sender until one ends; when the
        receiver ended normally (the client closed or broke the protocol), let the sender flush
        first. Then drop the stream, and close with 1011 if either loop failed."""
        await self.write(self.first_message())
        label = self.label
        receiver = asyncio.create_task(self.receive_loop(), name=f"{label}-receive")
        sender = asyncio.create_task(self.send_loop(), name=f"{label}-send")
        try:
            done, _ = await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done and not self.client_gone and receiver.exception() is None:
                await asyncio.wait({sender})
        finally:
            for task in (receiver, sender, *self._loads):
                task.cancel()
            await asyncio.gather(receiver, sender, return_exceptions=True)
            self.abandon()
        for task in (receiver, sender):
            if not task.cancelled() and task.exception() is not None:
                log.error("session %s failed", label, exc_info=task.exception())
                try:
                    await self.ws.close(CloseCode.INTERNAL, "internal error")
                except (*CLOSED, RuntimeError):
                    pass


async def serve_session(
    ws: WebSocket,
    ctx: ApiContext,
    make: Callable[[], LiveSession],
    refuse: Callable[[str], Awaitable[None]],
) -> None:
    """Admit a client: refuse (close 1013) when the server is full, by its own count or by the
    scheduler's (a stream the desktop app holds counts there), else run its session."""
    if ctx.full:  # streams of both protocols and uploads share max_streams
        await refuse(
            f"too many streams: the server serves {ctx.settings.max_streams} streams and "
            "uploads at once; try again later"
        )
        return
    try:
        session = make()
    except TooManyStreams as exc:
        await refuse(f"too many streams: {exc}; try again later")
        return
    ctx.ws_sessions += 1
    try:
        await ws.accept()
        await session.run()
    except CLOSED:
        pass
    finally:
        ctx.ws_sessions -= 1
        session.abandon()

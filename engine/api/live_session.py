"""The live-session core that ``/ws/transcribe`` and ``/v1/realtime`` share.

A live session owns one scheduler stream at a time. A flush (a WebSocket ``finalize``, a
Realtime ``commit``, the end of the session) finishes the stream; when its ``end`` event comes,
the next stream opens and the audio that came meanwhile goes into it. The scheduler thread hands
events to the event loop through the outbox; one task, the sender, is the only writer to the
socket, so messages never interleave with a close. The receiver reads nothing while a flush
lasts: a client sending on meets backpressure instead of a buffer that grows without bound.

The two protocols are subclasses that say how messages are read and written
(:meth:`LiveSession.on_message`, :meth:`LiveSession.write`, :meth:`LiveSession.on_event`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from ..audio import FrameDecoder
from ..config import SAMPLE_RATE
from ..scheduler import Stream, TooManyStreams
from ..streaming import Event, StreamOptions
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


Outgoing = Send | Close | EngineEvent | Note


class LiveSession:
    """One client's live stream: the scheduler stream and its restarts, audio held while a
    flush lasts, the idle-timeout receiver and the one sender."""

    stats_interval_s = 0.0  # seconds between stats() messages; 0: never
    label = "session"  # names the session's tasks and log lines

    def __init__(self, ws: WebSocket, ctx: ApiContext, decoder: FrameDecoder) -> None:
        self.ws = ws
        self.ctx = ctx
        self.settings = ctx.settings
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[Outgoing] = asyncio.Queue()
        self.decoder = decoder
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

    async def refuse_capacity(self, message: str) -> None:
        """Tell the client that no stream can be opened now, and close with 1013."""
        raise NotImplementedError

    def stats(self) -> Any:
        return None

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
            for task in (receiver, sender):
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

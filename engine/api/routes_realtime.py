"""WebSocket ``/v1/realtime?intent=transcription``: OpenAI Realtime transcription sessions.

A second door to the same engine as ``/ws/transcribe``: clients written for OpenAI's Realtime API
(the official ``openai`` client, voice-agent frameworks) caption through our scheduler. The events
are the pydantic models of ``realtime_events``; docs/api.md describes the protocol for clients.

Items: an item is one utterance. It ends where the engine ends an utterance (with turn detection
on) or at ``input_audio_buffer.commit``. Its text goes out as append-only deltas made of final
words only (partial words may still change), and its whole text in ``.completed``: the deltas of
an item concatenated equal its completed transcript.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
import logging
from dataclasses import dataclass, field

import numpy as np
from fastapi import APIRouter, Depends, WebSocket

from ..audio import Resampler, g711_to_float, pcm16_to_float
from ..config import SAMPLE_RATE
from ..scheduler import Stream, TooManyStreams
from ..streaming import Event, EventType, StreamOptions
from .deps import ApiContext, get_context
from .errors import CloseCode
from .realtime_events import (
    PCMA,
    PCMU,
    Append,
    Clear,
    Cleared,
    Commit,
    Committed,
    Completed,
    Delta,
    DurationUsage,
    ErrorEvent,
    RealtimeError,
    ServerEvent,
    SessionConfig,
    SessionEvent,
    SessionUpdate,
    SpeechStarted,
    SpeechStopped,
    TranscriptionSessionUpdate,
    apply_update,
    beta_session,
    ga_session,
    new_id,
    next_delta,
    parse_client_event,
)
from .routes_ws import _CLOSED, _reason, run_session

log = logging.getLogger("engine.api")

router = APIRouter()


class RealtimeAudio:
    """Base64 audio of ``input_audio_buffer.append`` to 16 kHz mono float32."""

    def __init__(self, config: SessionConfig) -> None:
        self.format = config.format
        self.rate = config.rate
        self._resampler = Resampler(config.rate)

    def decode(self, audio: str, event_id: str | None) -> np.ndarray:
        try:
            data = base64.b64decode(audio, validate=True)  # (strict_mode= needs Python 3.11)
        except (binascii.Error, ValueError) as exc:
            raise RealtimeError(
                f"audio is not valid base64: {exc}", param="audio", event_id=event_id
            ) from None
        if self.format == PCMU or self.format == PCMA:
            samples = g711_to_float(data, "mulaw" if self.format == PCMU else "alaw")
        elif len(data) % 2:
            raise RealtimeError(
                f"audio/pcm holds 16-bit samples; got an odd number of bytes ({len(data)})",
                param="audio",
                event_id=event_id,
            )
        else:
            samples = pcm16_to_float(data)
        return self._resampler(samples)

    def flush(self) -> np.ndarray:
        """The resampler's last samples; it starts afresh afterwards."""
        tail = self._resampler(np.zeros(0, np.float32), last=True)
        self._resampler = Resampler(self.rate)
        return tail


@dataclass
class Item:
    """The utterance being transcribed: its id and the text sent so far."""

    id: str
    text: list[str] = field(default_factory=list)  # the deltas sent


class RealtimeSession:
    """One client: events in, events out. Only the sender task writes to the socket."""

    def __init__(self, ws: WebSocket, ctx: ApiContext, beta: bool) -> None:
        self.ws = ws
        self.ctx = ctx
        self.settings = ctx.settings
        self.beta = beta  # the client speaks the beta interface (OpenAI-Beta: realtime=v1)
        self.id = new_id("sess")
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[tuple] = asyncio.Queue()
        self.config = SessionConfig()
        self.audio = RealtimeAudio(self.config)
        self.generation = 0  # each commit or clear ends a stream and opens the next one
        self.stream = self._open()  # TooManyStreams before the handshake completes
        self.offset_s = 0.0  # session time at which the current stream started
        self.pushed = 0  # 16 kHz samples pushed into the current stream
        self.uncommitted = 0  # samples appended since the last commit or clear
        self.committing = False  # the stream is flushing; new audio waits in held
        self.flushing_commit = False  # ... and the flush is a commit (not only a close)
        self.stopped_at: float | None = None  # an utterance ended during a commit's flush
        self.commit_again: str | None = None  # a commit (its event id) asked for while flushing
        self.held: list[np.ndarray] = []
        # Set while no flush is under way: the receiver reads nothing while a commit flushes,
        # so a client appending on meets backpressure instead of filling ``held`` without bound.
        self.flushed = asyncio.Event()
        self.flushed.set()
        self.closing: tuple[CloseCode, str] | None = None
        self.client_gone = False
        self.item: Item | None = None
        self.previous_item_id: str | None = None
        self.boundary_s = 0.0  # session time where the last item (or cleared audio) ended
        self.sentence_start = True

    def _open(self) -> Stream:
        generation = self.generation
        options = StreamOptions(
            profile=self.settings.profile,
            # Deltas are final words only; partial results serve only to notice speech early.
            partials=self.config.turn_detection is not None,
            decode=self.settings.decode(),  # the server's script, LM and custom words
        )
        if self.config.silence_duration_ms is not None:
            options = dataclasses.replace(
                options, utterance_gap_s=self.config.silence_duration_ms / 1000
            )

        def on_event(event: Event) -> None:  # on the scheduler thread
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("event", generation, event))

        return self.ctx.scheduler.open_stream(on_event, options)

    def _session_event(self, kind: str) -> SessionEvent:
        model = self.ctx.recognizer.name
        if self.beta:
            body = beta_session(self.config, self.id, model)
            return SessionEvent(type=f"transcription_session.{kind}", session=body)  # type: ignore[arg-type]
        body = ga_session(self.config, self.id, model)
        return SessionEvent(type=f"session.{kind}", session=body)  # type: ignore[arg-type]

    def _send(self, event: ServerEvent) -> None:
        self.outbox.put_nowait(("send", event))

    # the session -----------------------------------------------------------------------------
    async def run(self) -> None:
        await self._write(self._session_event("created"))
        await run_session(self, f"rt-{self.id[5:13]}", f"realtime session {self.id}")

    def abandon(self) -> None:
        if not self.stream.closed:
            self.stream.close()

    async def _write(self, event: ServerEvent) -> None:
        await self.ws.send_text(event.model_dump_json())

    async def _receive_loop(self) -> None:
        while True:
            await self.flushed.wait()
            try:
                message = await asyncio.wait_for(self.ws.receive(), self.settings.idle_timeout_s)
            except asyncio.TimeoutError:
                idle = self.settings.idle_timeout_s
                self._request_close(
                    CloseCode.POLICY, f"idle timeout: nothing received for {idle:g} s"
                )
                return
            if message["type"] == "websocket.disconnect":
                self.client_gone = True
                return
            data = message.get("text")
            if data is None:
                data = message.get("bytes") or b""
            limit = self.settings.max_frame_bytes
            if len(data) > limit:
                message_text = f"a message of {len(data)} bytes is over the limit of {limit} bytes"
                self.abandon()
                self._send(ErrorEvent.of(RealtimeError(message_text, code="message_too_large")))
                self.outbox.put_nowait(("close", CloseCode.TOO_BIG, message_text))
                return
            try:
                self._on_message(data)
            except RealtimeError as exc:
                self._send(ErrorEvent.of(exc))
            if self.closing:
                return

    def _on_message(self, data: str | bytes) -> None:
        if isinstance(data, bytes):
            raise RealtimeError(
                "binary messages are not part of this protocol: send audio as base64 in "
                "input_audio_buffer.append events",
                code="invalid_message",
            )
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError):
            raise RealtimeError("messages must be JSON objects", code="invalid_json") from None
        event = parse_client_event(decoded)
        if isinstance(event, Append):
            self._append(self.audio.decode(event.audio, event.event_id))
        elif isinstance(event, Commit):
            self._commit(event.event_id)
        elif isinstance(event, Clear):
            self._clear()
        elif isinstance(event, SessionUpdate | TranscriptionSessionUpdate):
            self._update(event)

    # client events ---------------------------------------------------------------------------
    def _append(self, samples: np.ndarray) -> None:
        if self.closing or not samples.size:
            return
        self.uncommitted += samples.size
        self._push(samples)

    def _push(self, samples: np.ndarray) -> None:
        if not samples.size:
            return
        if self.committing:
            self.held.append(samples)
        elif self.stream.push(samples):
            self.pushed += samples.size

    def _commit(self, event_id: str | None) -> None:
        if not self.uncommitted:
            raise RealtimeError(
                "the input audio buffer is empty: append audio before committing",
                code="input_audio_buffer_commit_empty",
                event_id=event_id,
            )
        if self.committing:
            self.commit_again = event_id or ""
            return
        self.uncommitted = 0
        self._flush_stream(commit=True)

    def _flush_stream(self, commit: bool) -> None:
        self._push(self.audio.flush())
        self.committing = True
        self.flushed.clear()
        self.flushing_commit = commit
        self.stream.finish()

    def _clear(self) -> None:
        self.uncommitted = 0
        self.held = []
        self.commit_again = None
        self.audio.flush()
        if not self.committing:  # a commit in progress keeps its audio; what came after goes
            self.abandon()
            self.offset_s += self.pushed / SAMPLE_RATE
            self.boundary_s = self.offset_s  # the next item's audio starts here
            self.pushed = 0
            self.generation += 1
            self.stream = self._open()
        self.outbox.put_nowait(("clear", not self.committing))

    def _update(self, event: SessionUpdate | TranscriptionSessionUpdate) -> None:
        config = apply_update(self.config, event, self.settings.max_sample_rate)
        if (config.format, config.rate) != (self.config.format, self.config.rate):
            self._push(self.audio.flush())
            self.audio = RealtimeAudio(config)
        self.config = config
        self.beta = isinstance(event, TranscriptionSessionUpdate)
        if not self.pushed and not self.committing:  # new stream options take effect now
            self.abandon()
            self.generation += 1
            self.stream = self._open()
        self._send(self._session_event("updated"))

    def _request_close(self, code: CloseCode, reason: str) -> None:
        if self.closing:
            return
        self.closing = (code, reason)
        if not self.committing:
            self._flush_stream(commit=False)

    # the sender ------------------------------------------------------------------------------
    async def _send_loop(self) -> None:
        try:
            while True:
                item = await self.outbox.get()
                if item[0] == "send":
                    await self._write(item[1])
                elif item[0] == "close":
                    await self.ws.close(item[1], _reason(item[2]))
                    return
                elif item[0] == "clear":
                    if item[1]:  # the item in progress was in the cleared audio
                        self.item = None
                        self.sentence_start = True
                    await self._write(Cleared())
                elif (
                    item[0] == "event"
                    and item[1] == self.generation
                    and await self._on_event(item[2])
                ):
                    return
        except _CLOSED:
            self.client_gone = True

    def _item(self) -> Item:
        if self.item is None:
            self.item = Item(new_id("item"))
        return self.item

    async def _on_event(self, event: Event) -> bool:
        """Send what an engine event means; True when the session is over."""
        vad = self.config.turn_detection is not None
        at = self.offset_s + event.time
        if self.stopped_at is not None and event.type in (
            EventType.SPEECH_STARTED,
            EventType.FINAL,
        ):
            await self._stop(self.stopped_at)  # more speech follows: that utterance was whole
        if event.type is EventType.SPEECH_STARTED and vad:
            item = self._item()
            await self._write(SpeechStarted(audio_start_ms=round(at * 1000), item_id=item.id))
        elif event.type is EventType.FINAL and event.words:
            item = self._item()
            delta = next_delta(item.text, [w.text for w in event.words], self.sentence_start)
            self.sentence_start = False
            item.text.append(delta)
            await self._write(Delta(item_id=item.id, delta=delta))
        elif event.type is EventType.UTTERANCE_END:
            self.sentence_start = True
            if vad and self.item is not None:
                if self.flushing_commit:  # the commit's own item, unless more speech follows
                    self.stopped_at = at
                else:
                    await self._stop(at)
        elif event.type is EventType.ERROR:
            behind = event.lag_s > self.ctx.scheduler.options.max_lag_s
            await self._write(
                ErrorEvent.of(
                    RealtimeError(event.message, code="engine_error", kind="server_error")
                )
            )
            await self.ws.close(
                CloseCode.TRY_AGAIN if behind else CloseCode.INTERNAL, _reason(event.message)
            )
            return True
        elif event.type is EventType.OVERLOAD:
            log.info("realtime session %s: %s", self.id, event.message)
        elif event.type is EventType.END:
            return await self._on_end()
        return False

    async def _stop(self, at: float) -> None:
        """Turn detection ends the item in progress."""
        self.stopped_at = None
        if self.item is not None:
            stopped = SpeechStopped(audio_end_ms=round(at * 1000), item_id=self.item.id)
            await self._write(stopped)
            await self._complete(at)

    async def _complete(self, end_s: float) -> None:
        """Commit and complete the item in progress."""
        item, self.item = self.item, None
        if item is None:
            return
        await self._write(Committed(item_id=item.id, previous_item_id=self.previous_item_id))
        seconds = round(max(0.0, end_s - self.boundary_s), 3)  # audio since the last item
        self.boundary_s = max(self.boundary_s, end_s)
        await self._write(
            Completed(
                item_id=item.id, transcript="".join(item.text), usage=DurationUsage(seconds=seconds)
            )
        )
        self.previous_item_id = item.id
        self.sentence_start = True

    async def _on_end(self) -> bool:
        """The stream is flushed: complete the committed item, then close or go on."""
        self.offset_s += self.pushed / SAMPLE_RATE
        self.pushed = 0
        # Each commit completes one item (without speech_stopped), even of silence; a close
        # completes the item in progress, so that no text is lost.
        self.stopped_at = None
        if self.flushing_commit:
            self._item()
        if self.item is not None and (self.item.text or self.flushing_commit):
            await self._complete(self.offset_s)
        self.committing = self.flushing_commit = False
        self.flushed.set()
        if self.closing and not self.held:
            await self.ws.close(self.closing[0], _reason(self.closing[1]))
            return True
        self.generation += 1
        try:
            self.stream = self._open()
        except TooManyStreams as exc:
            message = f"too many streams: {exc}; try again later"
            await self._write(ErrorEvent.of(RealtimeError(message, code="too_many_streams")))
            await self.ws.close(CloseCode.TRY_AGAIN, _reason(message))
            return True
        held, self.held = self.held, []
        for samples in held:
            self._push(samples)
        if self.closing:
            self._flush_stream(commit=False)
        elif self.commit_again is not None:
            self.commit_again = None
            self.uncommitted = 0
            self._flush_stream(commit=True)
        return False


async def _refuse(ws: WebSocket, code: CloseCode, message: str, error_code: str) -> None:
    """Complete the handshake only to say no, with an ``error`` event and a close code."""
    try:
        await ws.accept()
        event = ErrorEvent.of(RealtimeError(message, code=error_code))
        await ws.send_text(event.model_dump_json())
        await ws.close(code, _reason(message))
    except _CLOSED:
        pass


@router.websocket("/v1/realtime")
async def realtime(websocket: WebSocket, ctx: ApiContext = Depends(get_context)) -> None:
    settings = ctx.settings
    query = websocket.query_params
    # Host, origin and token were checked by the Guard middleware, as for every route.
    intent = query.get("intent", "transcription")
    if intent != "transcription":
        message = f"this server runs transcription sessions only; connect with intent=transcription, not {intent!r}"
        await _refuse(websocket, CloseCode.POLICY, message, "unsupported_intent")
        return
    if ctx.full:  # streams of both protocols and uploads share max_streams
        message = (
            f"too many streams: the server serves {settings.max_streams} streams and uploads "
            "at once; try again later"
        )
        await _refuse(websocket, CloseCode.TRY_AGAIN, message, "too_many_streams")
        return
    beta = "realtime=v1" in websocket.headers.get("openai-beta", "")
    try:
        session = RealtimeSession(websocket, ctx, beta)
    except TooManyStreams as exc:
        message = f"too many streams: {exc}; try again later"
        await _refuse(websocket, CloseCode.TRY_AGAIN, message, "too_many_streams")
        return
    ctx.ws_sessions += 1
    try:
        await websocket.accept()
        await session.run()
    except _CLOSED:
        pass
    finally:
        ctx.ws_sessions -= 1
        session.abandon()

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, WebSocket

from ..audio import FrameDecoder
from ..errors import AudioError, TranslationError
from ..pipeline import CaptionUpdate, UpdateKind
from ..streaming import Event, EventType, StreamOptions
from ..translation import parse_target
from ..units import needs_space
from .deps import ApiContext, get_context
from .errors import CloseCode, close_reason
from .live_session import CLOSED, LiveSession, Note, Send, serve_session
from .realtime_events import (
    PCM,
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
    TranslationDelta,
    apply_update,
    beta_session,
    delta_text,
    ga_session,
    new_id,
    parse_client_event,
)

log = logging.getLogger("engine.api")

router = APIRouter()


_ENCODINGS = {PCM: "pcm_s16le", PCMU: "mulaw", PCMA: "alaw"}


def _decoder(config: SessionConfig) -> FrameDecoder:
    """The session format's decoder (the rate was checked by apply_update)."""
    return FrameDecoder(_ENCODINGS[config.format], config.rate)


def _audio(decoder: FrameDecoder, audio: str, event_id: str | None) -> np.ndarray:
    """Base64 audio of ``input_audio_buffer.append`` to 16 kHz mono float32."""
    try:
        data = base64.b64decode(audio, validate=True)  # (strict_mode= needs Python 3.11)
    except (binascii.Error, ValueError) as exc:
        raise RealtimeError(
            f"audio is not valid base64: {exc}", param="audio", event_id=event_id
        ) from None
    try:
        return decoder.decode(data)
    except AudioError as exc:
        raise RealtimeError(str(exc), param="audio", event_id=event_id) from None


@dataclass
class Item:
    """The utterance being transcribed: its id and the text sent so far."""

    id: str
    text: list[str] = field(default_factory=list)  # the deltas sent


@dataclass(frozen=True)
class InputCleared(Note):
    """``input_audio_buffer.clear`` was done; the item in progress went with the audio."""

    item_dropped: bool


class RealtimeSession(LiveSession):
    """One client: events in, events out."""

    def __init__(
        self, ws: WebSocket, ctx: ApiContext, beta: bool, config: SessionConfig = SessionConfig()
    ) -> None:
        self.beta = beta  # the client speaks the beta interface (OpenAI-Beta: realtime=v1)
        self.id = new_id("sess")
        self.label = f"rt-{self.id[5:13]}"
        self.config = config
        self.uncommitted = 0  # samples appended since the last commit or clear
        self.flushing_commit = False  # the flush is a commit (not only a close)
        self.stopped_at: float | None = None  # an utterance ended during a commit's flush
        self.commit_again: str | None = None  # a commit (its event id) asked for while flushing
        self.item: Item | None = None
        self.previous_item_id: str | None = None
        self.boundary_s = 0.0  # session time where the last item (or cleared audio) ended
        self.sentence_items: dict[tuple[float, float], str | None] = {}  # sentence -> item id
        self.translated_tail = ""  # the last translation sent (for the space before the next)
        super().__init__(ws, ctx, _decoder(config), config.punctuation, config.translate_to)

    def stream_options(self) -> StreamOptions:
        options = StreamOptions(
            profile=self.settings.profile,
            # Deltas are final words only; partial results serve only to notice speech early.
            partials=self.config.turn_detection is not None,
            power_saver=self.settings.model.power_saver,
            decode=self.settings.decode,  # the server's script, LM and custom words
        )
        if self.config.silence_duration_ms is not None:
            options = dataclasses.replace(
                options, utterance_gap_s=self.config.silence_duration_ms / 1000
            )
        return options

    def _session_event(self, kind: str) -> SessionEvent:
        model = self.ctx.recognizer.name
        if self.beta:
            body = beta_session(self.config, self.id, model)
            return SessionEvent(type=f"transcription_session.{kind}", session=body)  # type: ignore[arg-type]
        body = ga_session(self.config, self.id, model)
        return SessionEvent(type=f"session.{kind}", session=body)  # type: ignore[arg-type]

    def first_message(self) -> ServerEvent:
        return self._session_event("created")

    def _send(self, event: ServerEvent) -> None:
        self.outbox.put_nowait(Send(event))

    async def write(self, event: ServerEvent) -> None:
        await self.ws.send_text(event.model_dump_json())

    async def refuse_capacity(self, message: str) -> None:
        await self.write(ErrorEvent.of(RealtimeError(message, code="too_many_streams")))
        await self.ws.close(CloseCode.TRY_AGAIN, close_reason(message))

    # client events ---------------------------------------------------------------------------
    def on_message(self, message: Mapping[str, Any]) -> bool:
        data = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
        limit = self.settings.max_frame_bytes
        if len(data) > limit:
            text = f"a message of {len(data)} bytes is over the limit of {limit} bytes"
            error = ErrorEvent.of(RealtimeError(text, code="message_too_large"))
            return self.fail(error, CloseCode.TOO_BIG, text)
        try:
            self._on_message(data)
        except RealtimeError as exc:
            self._send(ErrorEvent.of(exc))
        return True

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
            self._append(_audio(self.decoder, event.audio, event.event_id))
        elif isinstance(event, Commit):
            self._commit(event.event_id)
        elif isinstance(event, Clear):
            self._clear()
        elif isinstance(event, SessionUpdate | TranscriptionSessionUpdate):
            self._update(event)

    def _append(self, samples: np.ndarray) -> None:
        if self.closing or not samples.size:
            return
        self.uncommitted += samples.size
        self.push(samples)

    def _commit(self, event_id: str | None) -> None:
        if not self.uncommitted:
            raise RealtimeError(
                "the input audio buffer is empty: append audio before committing",
                code="input_audio_buffer_commit_empty",
                event_id=event_id,
            )
        if self.flushing:
            self.commit_again = event_id or ""
            return
        self.uncommitted = 0
        self._flush(commit=True)

    def _flush(self, commit: bool) -> None:
        self.flushing_commit = commit
        self.flush()

    def _clear(self) -> None:
        self.uncommitted = 0
        self.held = []
        self.commit_again = None
        self.decoder.flush()
        if not self.flushing:  # a commit in progress keeps its audio; what came after goes
            self.flushed_stream_ends()
            self.boundary_s = self.offset_s  # the next item's audio starts here
            self.reopen()
        self.outbox.put_nowait(InputCleared(item_dropped=not self.flushing))

    def _update(self, event: SessionUpdate | TranscriptionSessionUpdate) -> None:
        config = apply_update(self.config, event, self.settings.max_sample_rate)
        if config.translate_to != self.config.translate_to and config.translate_to is not None:
            try:  # at once: a language no model here serves (loading comes later)
                self.ctx.translators.check(config.translate_to)
            except TranslationError as exc:
                raise RealtimeError(
                    f"no translation: {exc}",
                    code="translation_unavailable",
                    param="session.audio.output.language",
                    event_id=event.event_id,
                ) from None
        if config.punctuation != self.punctuation:  # at the next stream (at once before audio)
            self.punctuation, self.rebuild_pipeline = config.punctuation, True
        if (config.format, config.rate) != (self.config.format, self.config.rate):
            self.push(self.decoder.flush())
            self.decoder = _decoder(config)
        self.config = config
        self.beta = isinstance(event, TranscriptionSessionUpdate)
        if not self.pushed and not self.flushing:  # new stream options take effect now
            self.reopen()
        self.translate_to(config.translate_to)  # a model not loaded yet loads meanwhile
        self._send(self._session_event("updated"))

    def request_close(self, code: CloseCode, reason: str) -> None:
        if not self.closing and not self.flushing:
            self.flushing_commit = False
        super().request_close(code, reason)

    # the sender ------------------------------------------------------------------------------
    async def on_note(self, note: Note) -> bool:
        if isinstance(note, InputCleared):
            if note.item_dropped:  # the item in progress was in the cleared audio
                self.item = None
                self._end_line()
            await self.write(Cleared())
        return False

    def _item(self) -> Item:
        if self.item is None:
            self.item = Item(new_id("item"))
        return self.item

    async def on_event(self, event: Event) -> bool:
        vad = self.config.turn_detection is not None
        at = self.offset_s + event.time
        if self.stopped_at is not None and event.type in (
            EventType.SPEECH_STARTED,
            EventType.FINAL,
        ):
            await self._stop(self.stopped_at)  # more speech follows: that utterance was whole
        if event.type is EventType.SPEECH_STARTED and vad:
            item = self._item()
            await self.write(SpeechStarted(audio_start_ms=round(at * 1000), item_id=item.id))
        # Every event goes through the pipeline (the punctuation stage reads partials and
        # pauses too); final words come out as deltas, a line's end releases what it held.
        await self._deltas(self.pipeline.handle(event))
        if event.type is EventType.UTTERANCE_END:
            if vad and self.item is not None:
                if self.flushing_commit:  # the commit's own item, unless more speech follows
                    self.stopped_at = at
                else:
                    await self._stop(at)
        elif event.type is EventType.ERROR:
            error = RealtimeError(event.message, code="engine_error", kind="server_error")
            await self.write(ErrorEvent.of(error))
            await self.ws.close(self.error_close_code(event), close_reason(event.message))
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
            await self.write(stopped)
            await self._complete(at)

    async def _complete(self, end_s: float) -> None:
        """Commit and complete the item in progress."""
        await self._flush_line()  # what the caption stages held belongs to this item
        item, self.item = self.item, None
        if item is None:
            return
        await self.write(Committed(item_id=item.id, previous_item_id=self.previous_item_id))
        seconds = round(max(0.0, end_s - self.boundary_s), 3)  # audio since the last item
        self.boundary_s = max(self.boundary_s, end_s)
        await self.write(
            Completed(
                item_id=item.id, transcript="".join(item.text), usage=DurationUsage(seconds=seconds)
            )
        )
        self.previous_item_id = item.id
        self._end_line()

    def _end_line(self) -> None:
        """The item was dropped: the next delta starts a new caption line (and sentence)."""
        self.pipeline.push(CaptionUpdate(UpdateKind.UTTERANCE_END, self.offset_s))

    async def _flush_line(self) -> None:
        """The line ends: finals the caption stages held go out as deltas of the item."""
        await self._deltas(
            self.pipeline.push(CaptionUpdate(UpdateKind.UTTERANCE_END, self.offset_s))
        )

    async def _deltas(self, updates: list[CaptionUpdate]) -> None:
        for update in updates:
            if update.kind is UpdateKind.FINAL and update.units:
                item = self._item()
                item.text.append(delta_text(update))
                await self.write(Delta(item_id=item.id, delta=item.text[-1]))
            elif update.kind is UpdateKind.SENTENCE and self.translation.language is not None:
                item_id = self.item.id if self.item else self.previous_item_id
                self.sentence_items[(update.start, update.end)] = item_id

    async def on_translation(self, update: CaptionUpdate) -> None:
        text = update.translation
        space = needs_space(self.translated_tail, text)
        if text:
            self.translated_tail = text
        await self.write(
            TranslationDelta(
                delta=(" " if space else "") + text,
                elapsed_ms=round(update.end * 1000),
                item_id=self.sentence_items.pop((update.start, update.end), None),
                language=update.language,
                source_text=update.source_text,
                start_ms=round(update.start * 1000),
                error=update.message or None,
            )
        )

    async def on_translation_error(self, language: str, message: str) -> None:
        error = RealtimeError(
            message, code="translation_unavailable", param="session.audio.output.language"
        )
        await self.write(ErrorEvent.of(error))

    async def _on_end(self) -> bool:
        """The stream is flushed: complete the committed item, then close or go on."""
        self.flushed_stream_ends()
        # Each commit completes one item (without speech_stopped), even of silence; a close
        # completes the item in progress, so that no text is lost.
        self.stopped_at = None
        if self.flushing_commit:
            self._item()
        if self.item is not None and (self.item.text or self.flushing_commit):
            await self._complete(self.offset_s)
        self.flushing_commit = False
        if self.closing and not self.held:
            return await self.close_when_translated(*self.closing)
        if not await self.next_stream():
            return True
        if self.closing:
            self._flush(commit=False)
        elif self.commit_again is not None:
            self.commit_again = None
            self.uncommitted = 0
            self._flush(commit=True)
        return False


async def _refuse(ws: WebSocket, code: CloseCode, message: str, error_code: str) -> None:
    """Complete the handshake only to say no, with an ``error`` event and a close code."""
    try:
        await ws.accept()
        event = ErrorEvent.of(RealtimeError(message, code=error_code))
        await ws.send_text(event.model_dump_json())
        await ws.close(code, close_reason(message))
    except CLOSED:
        pass


async def _query_config(
    ctx: ApiContext, punctuation: str | None, translate_to: str | None
) -> SessionConfig:
    """The session's start from the query (``?punctuation=false``, ``?translate_to=zh``) and the
    server's defaults (``serve --translate-to``); a query's translation model is loaded before
    the session starts (in a thread), so that one that cannot be had refuses it."""
    flag = (punctuation or "true").lower()
    if flag not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise RealtimeError(f"punctuation must be true or false; got {punctuation!r}")
    target = parse_target(ctx.settings.translation.target if translate_to is None else translate_to)
    if target is not None:
        try:
            await asyncio.to_thread(ctx.translators.worker, target)
        except TranslationError as exc:
            raise RealtimeError(
                f"no translation: {exc}", code="translation_unavailable", param="translate_to"
            ) from None
    return SessionConfig(punctuation=flag in ("1", "true", "yes", "on"), translate_to=target)


@router.websocket("/v1/realtime")
async def realtime(websocket: WebSocket, ctx: ApiContext = Depends(get_context)) -> None:
    query = websocket.query_params
    # Host, origin and token were checked by the Guard middleware, as for every route.
    intent = query.get("intent", "transcription")
    if intent != "transcription":
        message = f"this server runs transcription sessions only; connect with intent=transcription, not {intent!r}"
        await _refuse(websocket, CloseCode.POLICY, message, "unsupported_intent")
        return
    beta = "realtime=v1" in websocket.headers.get("openai-beta", "")
    try:
        config = await _query_config(ctx, query.get("punctuation"), query.get("translate_to"))
    except RealtimeError as exc:
        await _refuse(websocket, CloseCode.POLICY, exc.message, exc.code)
        return
    await serve_session(
        websocket,
        ctx,
        lambda: RealtimeSession(websocket, ctx, beta, config),
        lambda message: _refuse(websocket, CloseCode.TRY_AGAIN, message, "too_many_streams"),
    )

"""WebSocket ``/ws/transcribe``: live captions of a stream of audio frames.

The protocol is described for clients in docs/api.md. This module is its codec: query and
control messages in, caption messages out; the session's stream, its restarts and its two loops
are the live-session core's (live_session.py), which /v1/realtime shares.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, WebSocket

from ..audio import AudioLimits, FrameDecoder
from ..config import SAMPLE_RATE, parse_script
from ..errors import AudioError, TranslationError
from ..lm_files import parse_hotwords
from ..pipeline import CaptionUpdate, UpdateKind
from ..streaming import Event, EventType, StreamOptions
from ..translation import parse_target
from .deps import ApiContext, get_context
from .errors import CloseCode, close_reason
from .live_session import CLOSED, LiveSession, Send, serve_session
from .settings import MIN_SAMPLE_RATE, ServerSettings

log = logging.getLogger("engine.api")

router = APIRouter()

# Accepted names of the two raw encodings (Deepgram says linear16, sherpa-onnx sends float32).
ENCODINGS = {
    "pcm_s16le": "pcm_s16le",
    "linear16": "pcm_s16le",
    "pcm_f32le": "pcm_f32le",
    "float32": "pcm_f32le",
}


class ProtocolError(Exception):
    """The client broke the protocol: tell it why, then close with ``code``."""

    def __init__(self, code: CloseCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AudioFormat:
    encoding: str  # pcm_s16le or pcm_f32le
    sample_rate: int  # Hz of the raw frames; WAV messages carry their own


def parse_format(
    encoding: object,
    sample_rate: object,
    settings: ServerSettings,
    current: AudioFormat | None = None,
) -> AudioFormat:
    """The audio format a client declares (query or config message); unset fields keep ``current``."""
    current = current or AudioFormat("pcm_s16le", SAMPLE_RATE)
    name = current.encoding if encoding is None else ENCODINGS.get(str(encoding).lower())
    if name is None:
        raise ProtocolError(
            CloseCode.UNSUPPORTED_DATA,
            f"unsupported encoding {encoding!r}; use pcm_s16le or pcm_f32le",
        )
    rate = current.sample_rate if sample_rate is None else _rate(sample_rate, settings)
    return AudioFormat(name, rate)


def _rate(value: object, settings: ServerSettings) -> int:
    if isinstance(value, float):  # 44100.0 from a JSON config message is fine
        rate = int(value) if value.is_integer() else -1
    else:
        try:
            rate = int(str(value)) if not isinstance(value, bool) else -1
        except ValueError:
            rate = -1
    if not MIN_SAMPLE_RATE <= rate <= settings.max_sample_rate:
        raise ProtocolError(
            CloseCode.UNSUPPORTED_DATA,
            f"unsupported sample rate {value!r}; "
            f"use a whole number of Hz from {MIN_SAMPLE_RATE} to {settings.max_sample_rate}",
        )
    return rate


class CaptionSession(LiveSession):
    """One WebSocket client: frames in, caption messages out; with ``translate_to``, each
    sentence's translation (the pipeline's SENTENCE updates) after the finals it covers."""

    def __init__(
        self,
        ws: WebSocket,
        ctx: ApiContext,
        fmt: AudioFormat,
        partials: bool,
        stable_partials: bool = True,
        chinese: str | None = None,
        hotwords: tuple[str, ...] = (),
        translate_to: str | None = None,
        punctuation: bool = True,
        source_label: str | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.source_label = source_label  # the client's name for the source; echoed, nothing else
        self.label = f"ws-{self.id[:8]}"
        self.format = fmt
        self.options = StreamOptions(
            profile=ctx.settings.profile,
            partials=partials,
            stable_partials=stable_partials,
            power_saver=ctx.settings.model.power_saver,
            decode=ctx.settings.request_decode(chinese, hotwords),
        )
        self.stats_interval_s = ctx.settings.stats_interval_s
        self.audio_seen = False
        super().__init__(ws, ctx, _decoder(fmt, ctx.settings), punctuation, translate_to)

    def stream_options(self) -> StreamOptions:
        return self.options

    def first_message(self) -> dict[str, object]:
        return self.ready_message()

    def ready_message(self) -> dict[str, object]:
        s = self.settings
        return {
            "type": "ready",
            "session_id": self.id,
            "model": self.ctx.recognizer.name,
            "profile": s.profile,
            "encoding": self.format.encoding,
            "sample_rate": self.format.sample_rate,
            "partials": self.options.partials,
            "stable_partials": self.options.stable_partials,
            "chinese": self.options.decode.chinese,
            "hotwords": list(self.options.decode.lm.hotwords),
            "translate_to": self.translation.language,
            "label": self.source_label,
            "limits": {
                "max_frame_bytes": s.max_frame_bytes,
                "max_sample_rate": s.max_sample_rate,
                "idle_timeout_s": s.idle_timeout_s,
                "max_streams": s.max_streams,
                "max_lag_s": self.ctx.scheduler.options.max_lag_s,
            },
        }

    async def write(self, message: dict[str, object]) -> None:
        if self.source_label is not None:  # every message of a labelled stream carries it
            message = {**message, "label": self.source_label}
        await self.ws.send_json(message)

    async def refuse_capacity(self, message: str) -> None:
        await self.write({"type": "error", "message": message})
        await self.ws.close(CloseCode.TRY_AGAIN, close_reason(message))

    # client messages -------------------------------------------------------------------------
    def on_message(self, message: Mapping[str, Any]) -> bool:
        try:
            if message.get("bytes") is not None:
                self._on_audio(message["bytes"])
            elif message.get("text") is not None:
                self._on_text(message["text"])
        except ProtocolError as exc:
            return self.fail({"type": "error", "message": exc.message}, exc.code, exc.message)
        return True

    def _on_audio(self, data: bytes) -> None:
        limit = self.settings.max_frame_bytes
        if len(data) > limit:
            raise ProtocolError(
                CloseCode.TOO_BIG,
                f"a message of {len(data)} bytes is over the limit of {limit} bytes",
            )
        if not data or self.closing:
            return
        self.audio_seen = True
        try:
            samples = self.decoder.decode(data)
        except AudioError as exc:
            raise ProtocolError(CloseCode.UNSUPPORTED_DATA, f"unsupported audio: {exc}") from None
        self.push(samples)

    def _on_text(self, text: str) -> None:
        message = parse_control(text, self.settings)
        if not isinstance(message, dict):
            if text.strip() == "Done":  # sherpa-onnx's end of stream
                self.request_close(CloseCode.NORMAL, "")
                return
            raise ProtocolError(
                CloseCode.UNSUPPORTED_DATA,
                'text messages must be JSON control messages, such as {"type": "finalize"}; audio goes in binary messages',
            )
        kind = str(message.get("type", "")).lower()
        if not kind and "eof" in message:  # vosk-server's end of stream
            kind = "close"
        elif not kind and isinstance(message.get("config"), dict):  # vosk-server's configuration
            kind, message = "config", message["config"]
        if kind == "keepalive":
            return
        if kind == "finalize":
            if not (self.flushing or self.closing):
                self.flush()
        elif kind in ("close", "closestream"):
            self.request_close(CloseCode.NORMAL, "")
        elif kind in ("config", "configure"):
            self._configure(message)
        else:
            raise ProtocolError(
                CloseCode.UNSUPPORTED_DATA,
                f"unknown control message type {message.get('type')!r}; use config, finalize, keepalive or close",
            )

    def _configure(self, message: Mapping[str, object]) -> None:
        if self.audio_seen:
            raise ProtocolError(
                CloseCode.POLICY, "a config message must come before the first audio frame"
            )
        self.format = parse_format(
            message.get("encoding"), message.get("sample_rate"), self.settings, self.format
        )
        self.decoder = _decoder(self.format, self.settings)
        if "label" in message:
            self.source_label = _label(message["label"])
        if "translate_to" in message:
            # A model not loaded yet loads in a thread; the stream works meanwhile.
            self.translate_to(_target(self.ctx, message["translate_to"]))
        if "hotwords" in message:
            # No audio yet: the stream is opened again with the session's custom words.
            lm = self.settings.request_decode(hotwords=_hotwords(message["hotwords"])).lm
            decode = dataclasses.replace(self.options.decode, lm=lm)
            self.options = dataclasses.replace(self.options, decode=decode)
            self.reopen()
        self.outbox.put_nowait(Send(self.ready_message()))

    # engine events ---------------------------------------------------------------------------
    async def on_event(self, event: Event) -> bool:
        # One event may give several updates (the punctuation stage releases held finals).
        for update in self.pipeline.handle(event):
            if await self._on_update(update, event):
                return True
        if event.type is EventType.END:
            return await self._on_end()
        return False

    async def _on_update(self, update: CaptionUpdate, event: Event) -> bool:
        kind = update.kind
        if kind in (UpdateKind.PARTIAL, UpdateKind.FINAL):
            await self.write(
                {
                    "type": "transcript",
                    "is_final": kind is UpdateKind.FINAL,
                    "text": update.text,
                    "space_before": update.space_before,
                    "start": round(update.start, 3),
                    "end": round(update.end, 3),
                    "words": [w.to_dict() for w in update.words],
                }
            )
        elif kind is UpdateKind.SPEECH_STARTED:
            await self.write({"type": "speech_started", "timestamp": round(update.time, 3)})
        elif kind is UpdateKind.UTTERANCE_END:
            await self.write({"type": "utterance_end", "last_word_end": round(update.time, 3)})
        elif kind is UpdateKind.OVERLOAD:
            lag = round(event.lag_s, 3)
            await self.write({"type": "overload", "message": event.message, "lag_s": lag})
        elif kind is UpdateKind.ERROR:
            await self.write({"type": "error", "message": event.message})
            await self.ws.close(self.error_close_code(event), close_reason(event.message))
            return True
        return False

    async def on_translation(self, update: CaptionUpdate) -> None:
        message: dict[str, object] = {
            "type": "translation",
            "text": update.translation,
            "source_text": update.source_text,
            "start": round(update.start, 3),
            "end": round(update.end, 3),
            "language": update.language,
        }
        if update.message:
            message["error"] = update.message
        await self.write(message)

    async def on_translation_error(self, language: str, message: str) -> None:
        await self.write({"type": "translation_error", "language": language, "message": message})

    async def _on_end(self) -> bool:
        """The current stream is flushed: close (once its sentences are translated), or
        continue on a fresh stream."""
        self.flushed_stream_ends()
        if self.closing and not self.held:
            return await self.close_when_translated(*self.closing)
        if not self.closing:
            await self.write({"type": "finalized", "end": round(self.offset_s, 3)})
        if not await self.next_stream():
            return True
        if self.closing:
            self.flush()
        return False

    def stats(self) -> dict[str, object]:
        streams = self.ctx.scheduler.stats()
        mine = next((s for s in streams if s.id == self.stream.id), None)
        return {
            "type": "stats",
            "received_s": round(self.offset_s + self.pushed / SAMPLE_RATE, 3),
            "lag_s": round(mine.lag_s if mine else 0.0, 3),
            "active_streams": len(streams),
        }


def _decoder(fmt: AudioFormat, settings: ServerSettings) -> FrameDecoder:
    limits = AudioLimits(MIN_SAMPLE_RATE, settings.max_sample_rate)
    return FrameDecoder(fmt.encoding, fmt.sample_rate, wav_messages=True, limits=limits)


def parse_control(text: str, settings: ServerSettings) -> object:
    """A text message as JSON, or None when it is not JSON. Its size and nesting are bounded
    before it is parsed (a deeply nested array would exhaust the parser's recursion)."""
    size = len(text.encode())
    if size > settings.max_control_bytes:
        raise ProtocolError(
            CloseCode.TOO_BIG,
            f"a text message of {size} bytes is over the limit of "
            f"{settings.max_control_bytes} bytes for control messages",
        )
    if json_depth(text) > settings.max_json_depth:
        raise ProtocolError(
            CloseCode.UNSUPPORTED_DATA,
            f"a control message may nest at most {settings.max_json_depth} levels deep",
        )
    try:
        return json.loads(text)
    except ValueError:
        return None


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (brackets inside strings do not
    count); a cheap scan that needs no parse."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


async def _refuse(ws: WebSocket, code: CloseCode, message: str) -> None:
    """Complete the handshake only to say no: browsers cannot read a refused handshake's status,
    but they do see a close code and reason. No stream is opened."""
    try:
        await ws.accept()
        await ws.send_json({"type": "error", "message": message})
        await ws.close(code, close_reason(message))
    except CLOSED:
        pass


def _flag(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ProtocolError(CloseCode.UNSUPPORTED_DATA, f"{name} must be true or false; got {value!r}")


def _hotwords(value: object) -> tuple[str, ...]:
    """Custom words of a ``?hotwords=`` parameter or a config message's field."""
    try:
        return parse_hotwords(value)
    except ValueError as exc:
        raise ProtocolError(CloseCode.POLICY, f"hotwords: {exc}") from None


MAX_LABEL_CHARS = 40


def _label(value: object) -> str | None:
    """A stream's ``label`` (query or config): 1 to 40 printable characters, or None/"" for
    none. The server only echoes it in the stream's messages."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ProtocolError(CloseCode.UNSUPPORTED_DATA, "label must be a string")
    label = value.strip()
    if not label or len(label) > MAX_LABEL_CHARS or not label.isprintable():
        raise ProtocolError(
            CloseCode.UNSUPPORTED_DATA,
            f"label must be 1 to {MAX_LABEL_CHARS} printable characters; got {value[:50]!r}",
        )
    return label


def _target(ctx: ApiContext, value: object) -> str | None:
    """A ``translate_to`` (query or config): the target, None for none; a language no model
    here could serve is a protocol error that says why (checked at once, nothing loaded)."""
    target = parse_target(value)
    if target is None:
        return None
    try:
        ctx.translators.check(target)
    except TranslationError as exc:
        raise ProtocolError(CloseCode.POLICY, f"no translation: {exc}") from None
    return target


def _load_translation(ctx: ApiContext, target: str | None) -> None:
    """A query's target: its model loaded before the handshake is answered (in a thread), so
    that a model that cannot be had refuses the session."""
    if target is not None:
        try:
            ctx.translators.worker(target)
        except TranslationError as exc:
            raise ProtocolError(CloseCode.POLICY, f"no translation: {exc}") from None


def _chinese(value: str | None) -> str | None:
    """The ?chinese= script; None: the server's setting; "none" or "": no conversion."""
    if value is None:
        return None
    try:
        return parse_script(value)
    except ValueError as exc:
        raise ProtocolError(CloseCode.UNSUPPORTED_DATA, f"chinese: {exc}") from None


@router.websocket("/ws/transcribe")
async def ws_transcribe(websocket: WebSocket, ctx: ApiContext = Depends(get_context)) -> None:
    # Host, origin and token were checked by the Guard middleware, as for every route.
    settings = ctx.settings
    query = websocket.query_params
    try:
        fmt = parse_format(query.get("encoding"), query.get("sample_rate"), settings)
        partials = _flag("partials", query.get("partials", "true"))
        stable = _flag("stable_partials", query.get("stable_partials", "true"))
        chinese = _chinese(query.get("chinese"))
        hotwords = _hotwords(query.get("hotwords"))
        punctuation = _flag("punctuation", query.get("punctuation", "true"))
        source_label = _label(query.get("label"))
        target = _target(ctx, query.get("translate_to", settings.translation.target))
        await asyncio.to_thread(_load_translation, ctx, target)
    except ProtocolError as exc:
        await _refuse(websocket, exc.code, exc.message)
        return
    await serve_session(
        websocket,
        ctx,
        lambda: CaptionSession(
            websocket,
            ctx,
            fmt,
            partials,
            stable,
            chinese,
            hotwords,
            target,
            punctuation,
            source_label,
        ),
        lambda message: _refuse(websocket, CloseCode.TRY_AGAIN, message),
    )

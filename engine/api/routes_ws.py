"""WebSocket ``/ws/transcribe``: live captions of a stream of audio frames.

The protocol is described for clients in docs/api.md. One session owns one scheduler stream at a
time; the scheduler thread hands its events to the event loop through a queue, and one task (the
sender) is the only writer to the socket, so messages never interleave with a close.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from fastapi import APIRouter, Depends, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from ..audio import Resampler, pcm16_to_float, to_mono
from ..captions import Captions
from ..config import SAMPLE_RATE, check_script
from ..errors import AudioError
from ..lm_files import parse_hotwords
from ..scheduler import Stream, TooManyStreams
from ..streaming import Event, EventType, StreamOptions
from .deps import ApiContext, get_context
from .errors import CloseCode
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
_SAMPLE_BYTES = {"pcm_s16le": 2, "pcm_f32le": 4}
_CLOSED = (WebSocketDisconnect, WebSocketDisconnected)


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


class AudioDecoder:
    """Client frames to 16 kHz mono float32: raw PCM in the declared format, or one small WAV
    file per message (clients of the first version of this API)."""

    def __init__(self, fmt: AudioFormat, max_rate: int) -> None:
        self.format = fmt
        self.max_rate = max_rate
        self._raw = Resampler(fmt.sample_rate)
        self._wav: Resampler | None = None

    def decode(self, data: bytes) -> np.ndarray:
        """16 kHz samples; :class:`ProtocolError` (1003) for data that is not audio, and for
        samples :func:`engine.audio.check_samples` refuses (NaN, infinity)."""
        try:
            if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
                return self._decode_wav(data)
            return self._decode_raw(data)
        except AudioError as exc:
            raise ProtocolError(CloseCode.UNSUPPORTED_DATA, f"unsupported audio: {exc}") from None

    def _decode_raw(self, data: bytes) -> np.ndarray:
        width = _SAMPLE_BYTES[self.format.encoding]
        if len(data) % width:
            raise ProtocolError(
                CloseCode.UNSUPPORTED_DATA,
                f"{self.format.encoding} frames must hold whole {width}-byte samples; got {len(data)} bytes",
            )
        if self.format.encoding == "pcm_s16le":
            samples = pcm16_to_float(data)
        else:
            samples = np.frombuffer(data, dtype="<f4")
        return self._raw(samples)

    def _decode_wav(self, data: bytes) -> np.ndarray:
        import soundfile as sf

        try:
            block, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise ProtocolError(
                CloseCode.UNSUPPORTED_DATA, f"a WAV message could not be decoded: {exc}"
            ) from None
        if not MIN_SAMPLE_RATE <= rate <= self.max_rate:
            raise ProtocolError(
                CloseCode.UNSUPPORTED_DATA, f"unsupported sample rate {rate} Hz in a WAV message"
            )
        if self._wav is None or self._wav.in_rate != rate:
            tail = (
                self._wav(np.zeros(0, np.float32), last=True)
                if self._wav is not None
                else np.zeros(0, np.float32)
            )
            self._wav = Resampler(rate)
            return np.concatenate([tail, self._wav(to_mono(block))])
        return self._wav(to_mono(block))

    def flush(self) -> np.ndarray:
        """The resamplers' last samples; the decoder starts afresh afterwards."""
        tails = [
            r(np.zeros(0, np.float32), last=True) for r in (self._raw, self._wav) if r is not None
        ]
        self._raw = Resampler(self.format.sample_rate)
        self._wav = None
        return np.concatenate(tails)


class CaptionSession:
    """One WebSocket client: frames in, caption messages out."""

    def __init__(
        self,
        ws: WebSocket,
        ctx: ApiContext,
        fmt: AudioFormat,
        partials: bool,
        stable_partials: bool = True,
        chinese: str | None = None,
        hotwords: tuple[str, ...] = (),
    ) -> None:
        self.ws = ws
        self.ctx = ctx
        self.settings = ctx.settings
        self.id = uuid.uuid4().hex
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[tuple] = asyncio.Queue()
        self.decoder = AudioDecoder(fmt, self.settings.max_sample_rate)
        self.options = StreamOptions(
            profile=self.settings.profile,
            partials=partials,
            stable_partials=stable_partials,
            decode=self.settings.decode(chinese, hotwords),
        )
        self.generation = 0  # a finalize ends a stream and opens the next one
        self.stream = self._open()  # TooManyStreams before the handshake completes
        self.offset_s = 0.0  # session time at which the current stream started
        self.pushed = 0  # 16 kHz samples pushed into the current stream
        self.finalizing = False  # the current stream is flushing; new audio waits in held
        self.held: list[np.ndarray] = []
        # Set while no flush is under way. The receiver reads nothing while a flush lasts, so a
        # client sending on meets backpressure (TCP) instead of filling ``held`` without bound.
        self.flushed = asyncio.Event()
        self.flushed.set()
        self.closing: tuple[CloseCode, str] | None = None  # flush, then close like this
        self.audio_seen = False
        self.client_gone = False
        self.captions = Captions(history=False)  # casing and the session's clock

    def _open(self) -> Stream:
        generation = self.generation

        def on_event(event: Event) -> None:  # on the scheduler thread
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, ("event", generation, event))

        return self.ctx.scheduler.open_stream(on_event, self.options)

    def ready_message(self) -> dict[str, object]:
        s = self.settings
        return {
            "type": "ready",
            "session_id": self.id,
            "model": self.ctx.recognizer.name,
            "profile": s.profile,
            "encoding": self.decoder.format.encoding,
            "sample_rate": self.decoder.format.sample_rate,
            "partials": self.options.partials,
            "stable_partials": self.options.stable_partials,
            "chinese": self.options.decode.chinese,
            "hotwords": list(self.options.decode.lm.hotwords),
            "limits": {
                "max_frame_bytes": s.max_frame_bytes,
                "max_sample_rate": s.max_sample_rate,
                "idle_timeout_s": s.idle_timeout_s,
                "max_streams": s.max_streams,
                "max_lag_s": self.ctx.scheduler.options.max_lag_s,
            },
        }

    # the session -----------------------------------------------------------------------------
    async def run(self) -> None:
        await self.ws.send_json(self.ready_message())
        await run_session(self, f"ws-{self.id[:8]}", f"WebSocket session {self.id}")

    def abandon(self) -> None:
        """Drop the stream without flushing (the client has gone, or the session is over)."""
        if not self.stream.closed:
            self.stream.close()

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
            try:
                if message.get("bytes") is not None:
                    self._on_audio(message["bytes"])
                elif message.get("text") is not None:
                    self._on_text(message["text"])
            except ProtocolError as exc:
                self.abandon()
                self.outbox.put_nowait(("send", {"type": "error", "message": exc.message}))
                self.outbox.put_nowait(("close", exc.code, exc.message))
                return
            if self.closing:
                return

    async def _send_loop(self) -> None:
        interval = self.settings.stats_interval_s
        next_stats = self.loop.time() + interval
        try:
            while True:
                try:
                    wait = max(0.0, next_stats - self.loop.time()) if interval else None
                    item = await asyncio.wait_for(self.outbox.get(), wait)
                except asyncio.TimeoutError:
                    await self.ws.send_json(self._stats())
                    next_stats = self.loop.time() + interval
                    continue
                if item[0] == "send":
                    await self.ws.send_json(item[1])
                elif item[0] == "close":
                    await self.ws.close(item[1], _reason(item[2]))
                    return
                elif item[1] == self.generation and await self._on_event(item[2]):
                    return
        except _CLOSED:
            self.client_gone = True

    # client messages -------------------------------------------------------------------------
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
        self._push(self.decoder.decode(data))

    def _push(self, samples: np.ndarray) -> None:
        if not samples.size:
            return
        if self.finalizing:
            self.held.append(samples)
            return
        if not self.stream.push(samples):
            return  # the engine ended the stream; its error event is on the way
        self.pushed += samples.size

    def _on_text(self, text: str) -> None:
        message = parse_control(text, self.settings)
        if not isinstance(message, dict):
            if text.strip() == "Done":  # sherpa-onnx's end of stream
                self._request_close(CloseCode.NORMAL, "")
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
            if not (self.finalizing or self.closing):
                self._flush_stream()
        elif kind in ("close", "closestream"):
            self._request_close(CloseCode.NORMAL, "")
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
        fmt = parse_format(
            message.get("encoding"), message.get("sample_rate"), self.settings, self.decoder.format
        )
        self.decoder = AudioDecoder(fmt, self.settings.max_sample_rate)
        if "hotwords" in message:
            # No audio yet: the stream is opened again with the session's custom words.
            lm = self.settings.decode(hotwords=_hotwords(message["hotwords"])).lm
            decode = dataclasses.replace(self.options.decode, lm=lm)
            self.options = dataclasses.replace(self.options, decode=decode)
            self.stream.close()
            self.stream = self._open()
        self.outbox.put_nowait(("send", self.ready_message()))

    def _flush_stream(self) -> None:
        """Finish the current stream: its last finals and an ``end`` event follow."""
        self._push(self.decoder.flush())
        self.finalizing = True
        self.flushed.clear()
        self.stream.finish()

    def _request_close(self, code: CloseCode, reason: str) -> None:
        if self.closing:
            return
        self.closing = (code, reason)
        if not self.finalizing:
            self._flush_stream()

    # engine events ---------------------------------------------------------------------------
    async def _on_event(self, event: Event) -> bool:
        """Send what an event means to the client; True when the session is over."""
        update = self.captions.handle(event)
        if event.type in (EventType.PARTIAL, EventType.FINAL):
            await self.ws.send_json(
                {
                    "type": "transcript",
                    "is_final": event.type is EventType.FINAL,
                    "text": update.text,
                    "space_before": update.space_before,
                    "start": round(update.start, 3),
                    "end": round(update.end, 3),
                    "words": [w.to_dict() for w in update.words],
                }
            )
        elif event.type is EventType.SPEECH_STARTED:
            await self.ws.send_json({"type": "speech_started", "timestamp": round(update.time, 3)})
        elif event.type is EventType.UTTERANCE_END:
            await self.ws.send_json(
                {"type": "utterance_end", "last_word_end": round(update.time, 3)}
            )
        elif event.type is EventType.OVERLOAD:
            await self.ws.send_json(
                {"type": "overload", "message": event.message, "lag_s": round(event.lag_s, 3)}
            )
        elif event.type is EventType.ERROR:
            behind = event.lag_s > self.ctx.scheduler.options.max_lag_s
            await self.ws.send_json({"type": "error", "message": event.message})
            await self.ws.close(
                CloseCode.TRY_AGAIN if behind else CloseCode.INTERNAL, _reason(event.message)
            )
            return True
        elif event.type is EventType.END:
            return await self._on_end()
        return False

    async def _on_end(self) -> bool:
        """The current stream is flushed: close, or continue on a fresh stream."""
        self.offset_s += self.pushed / SAMPLE_RATE
        self.captions.begin_session(self.offset_s)
        self.pushed = 0
        if self.closing and not self.held:
            await self.ws.close(self.closing[0], _reason(self.closing[1]))
            return True
        if not self.closing:
            await self.ws.send_json({"type": "finalized", "end": round(self.offset_s, 3)})
        self.generation += 1
        try:
            self.stream = self._open()
        except TooManyStreams as exc:
            await self.ws.send_json({"type": "error", "message": str(exc)})
            await self.ws.close(CloseCode.TRY_AGAIN, _reason(str(exc)))
            return True
        self.finalizing = False
        self.flushed.set()
        held, self.held = self.held, []
        for samples in held:
            self._push(samples)
        if self.closing:
            self._flush_stream()
        return False

    def _stats(self) -> dict[str, object]:
        streams = self.ctx.scheduler.stats()
        mine = next((s for s in streams if s.id == self.stream.id), None)
        return {
            "type": "stats",
            "received_s": round(self.offset_s + self.pushed / SAMPLE_RATE, 3),
            "lag_s": round(mine.lag_s if mine else 0.0, 3),
            "active_streams": len(streams),
        }


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


def _reason(text: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    data = text.encode()
    return text if len(data) <= 123 else data[:120].decode(errors="ignore") + "..."


class _Session(Protocol):
    """What run_session drives: a WebSocket session with a receive and a send loop."""

    ws: WebSocket
    client_gone: bool

    async def _receive_loop(self) -> None: ...
    async def _send_loop(self) -> None: ...
    def abandon(self) -> None: ...


async def run_session(session: _Session, task_name: str, label: str) -> None:
    """Run a session's receive and send loops until one ends; when the receiver ended normally
    (the client closed or broke the protocol), let the sender flush first. Then drop the
    stream, and close with 1011 if either loop failed."""
    receiver = asyncio.create_task(session._receive_loop(), name=f"{task_name}-receive")
    sender = asyncio.create_task(session._send_loop(), name=f"{task_name}-send")
    try:
        done, _ = await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
        if receiver in done and not session.client_gone and receiver.exception() is None:
            await asyncio.wait({sender})
    finally:
        for task in (receiver, sender):
            task.cancel()
        await asyncio.gather(receiver, sender, return_exceptions=True)
        session.abandon()
    for task in (receiver, sender):
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", label, exc_info=task.exception())
            await _close_quietly(session.ws, CloseCode.INTERNAL, "internal error")


async def _close_quietly(ws: WebSocket, code: CloseCode, message: str) -> None:
    try:
        await ws.close(code, _reason(message))
    except (*_CLOSED, RuntimeError):
        pass


async def _refuse(ws: WebSocket, code: CloseCode, message: str) -> None:
    """Complete the handshake only to say no: browsers cannot read a refused handshake's status,
    but they do see a close code and reason. No stream is opened."""
    try:
        await ws.accept()
        await ws.send_json({"type": "error", "message": message})
        await ws.close(code, _reason(message))
    except _CLOSED:
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


def _chinese(value: str | None) -> str | None:
    """The ?chinese= script; None: the server's setting; "none" or "": no conversion."""
    if value is None:
        return None
    value = "" if value.lower() == "none" else value.lower()
    try:
        return check_script(value)
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
    except ProtocolError as exc:
        await _refuse(websocket, exc.code, exc.message)
        return
    if ctx.full:
        message = (
            f"too many streams: the server serves {settings.max_streams} streams and uploads "
            "at once; try again later"
        )
        await _refuse(websocket, CloseCode.TRY_AGAIN, message)
        return
    try:
        session = CaptionSession(websocket, ctx, fmt, partials, stable, chinese, hotwords)
    except TooManyStreams as exc:
        await _refuse(websocket, CloseCode.TRY_AGAIN, f"too many streams: {exc}; try again later")
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

"""The OpenAI Realtime transcription protocol as pydantic models: client events in, server events
out (``routes_realtime`` runs the session).

Names and shapes follow the ``openai`` Python package 3.x (``openai.types.realtime``, the GA
interface: ``session.update`` with ``session.type == "transcription"``), and its beta interface
(``openai.types.beta.realtime``: ``transcription_session.update``), which clients select with the
header ``OpenAI-Beta: realtime=v1``. Client models ignore fields that do not matter to a CTC
model (prompt, noise reduction, VAD threshold) instead of refusing them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..pipeline import CaptionUpdate
from ..translation import parse_target
from .settings import MIN_SAMPLE_RATE

# Formats of the GA interface, and the beta names of the same three.
PCM: Final = "audio/pcm"
PCMU: Final = "audio/pcmu"
PCMA: Final = "audio/pcma"
BETA_FORMATS = {"pcm16": PCM, "g711_ulaw": PCMU, "g711_alaw": PCMA}
DEFAULT_RATES = {PCM: 24_000, PCMU: 8_000, PCMA: 8_000}  # OpenAI's rates for each format


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def delta_text(update: CaptionUpdate) -> str:
    """The delta of a final caption update: its text as the stream's caption pipeline made it
    (casing, the script's spacing), which, appended to the item's deltas, reads as the item."""
    return update.spaced_text


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


# client events ----------------------------------------------------------------------------------
class AudioFormat(_Lenient):
    """GA ``audio.input.format``. OpenAI accepts only 24 kHz PCM; we accept any rate and resample."""

    type: Literal["audio/pcm", "audio/pcmu", "audio/pcma"] = PCM
    rate: int | None = None


class Transcription(_Lenient):
    model: str | None = None  # accepted; the server's loaded model is used
    language: str | None = None
    prompt: str | None = None  # ignored: CTC models take no prompt
    punctuation: bool | None = None  # ours: false turns punctuation and true casing off


class TurnDetection(_Lenient):
    """Server VAD: our engine's utterance ends. ``semantic_vad`` is served the same way."""

    type: Literal["server_vad", "semantic_vad"] = "server_vad"
    silence_duration_ms: int | None = Field(default=None, ge=100, le=10_000)


class AudioInput(_Lenient):
    format: AudioFormat | None = None
    transcription: Transcription | None = None
    turn_detection: TurnDetection | None = None
    noise_reduction: dict[str, Any] | None = None  # accepted and not applied


class AudioOutput(_Lenient):
    """``audio.output`` of OpenAI's translation sessions; here only ``language``: translate each
    sentence into it (``session.output_transcript.delta`` events)."""

    language: str | None = None


class Audio(_Lenient):
    input: AudioInput | None = None
    output: AudioOutput | None = None


class Session(_Lenient):
    """GA ``session`` of ``session.update``."""

    type: Literal["transcription", "realtime"] = "transcription"
    audio: Audio | None = None
    include: list[str] | None = None


class BetaAudio(_Lenient):
    """``audio`` of a beta session: only the GA ``output`` (the translation's language)."""

    output: AudioOutput | None = None


class BetaSession(_Lenient):
    """Beta ``session`` of ``transcription_session.update``. ``input_audio_format`` may also be a
    GA format object, which is how a beta client asks for another sample rate; ``audio.output``
    is the GA field that asks for translation (the beta interface has none of its own)."""

    input_audio_format: Literal["pcm16", "g711_ulaw", "g711_alaw"] | AudioFormat | None = None
    input_audio_transcription: Transcription | None = None
    turn_detection: TurnDetection | None = None
    input_audio_noise_reduction: dict[str, Any] | None = None
    include: list[str] | None = None
    audio: BetaAudio | None = None


class _ClientEvent(_Lenient):
    event_id: str | None = None


class SessionUpdate(_ClientEvent):
    type: Literal["session.update"]
    session: Session


class TranscriptionSessionUpdate(_ClientEvent):
    type: Literal["transcription_session.update"]
    session: BetaSession


class Append(_ClientEvent):
    type: Literal["input_audio_buffer.append"]
    audio: str  # base64 of audio in the session's input format


class Commit(_ClientEvent):
    type: Literal["input_audio_buffer.commit"]


class Clear(_ClientEvent):
    type: Literal["input_audio_buffer.clear"]


ClientEvent = Annotated[
    SessionUpdate | TranscriptionSessionUpdate | Append | Commit | Clear,
    Field(discriminator="type"),
]
CLIENT_EVENTS = TypeAdapter(ClientEvent)
CLIENT_EVENT_TYPES = (
    "session.update",
    "transcription_session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
)


class RealtimeError(Exception):
    """A client event the server cannot use: answered with an ``error`` event; the session goes on
    unless ``fatal``."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid_value",
        param: str | None = None,
        event_id: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.event_id = event_id
        self.kind = kind


def parse_client_event(data: object) -> ClientEvent:
    """A decoded JSON message as a client event, or :class:`RealtimeError` saying what is wrong."""
    event_id = data.get("event_id") if isinstance(data, dict) else None
    event_id = event_id if isinstance(event_id, str) else None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise RealtimeError(
            "each message must be a JSON object with a string 'type'",
            param="type",
            event_id=event_id,
        )
    if data["type"] not in CLIENT_EVENT_TYPES:
        raise RealtimeError(
            f"unsupported event type {data['type']!r}: this server transcribes; it accepts "
            + ", ".join(CLIENT_EVENT_TYPES),
            param="type",
            event_id=event_id,
        )
    try:
        return CLIENT_EVENTS.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        if len(loc) > 1 and loc[0] in CLIENT_EVENT_TYPES:  # the union's tag comes first
            loc = loc[1:]
        param = ".".join(loc) or None
        raise RealtimeError(
            f"{param}: {first['msg']}" if param else first["msg"], param=param, event_id=event_id
        ) from None


# the effective configuration ---------------------------------------------------------------------
@dataclass(frozen=True)
class SessionConfig:
    format: str = PCM  # audio/pcm (16-bit little-endian), audio/pcmu or audio/pcma
    rate: int = DEFAULT_RATES[PCM]  # Hz of the appended audio
    turn_detection: str | None = "server_vad"  # None: items end only at a commit
    silence_duration_ms: int | None = None  # None: the engine's own utterance gap
    model: str | None = None  # the transcription model the client asked for (the loaded one runs)
    language: str | None = None  # echoed back; the model decides what it understands
    prompt: str | None = None  # echoed back; not used
    include: tuple[str, ...] = ()  # echoed back; logprobs are not sent
    punctuation: bool = True  # punctuation and true casing, where the server has a model
    translate_to: str | None = None  # translate each sentence into this language


def ga_session(config: SessionConfig, session_id: str, model: str) -> dict[str, object]:
    """The GA session object of ``session.created`` / ``session.updated``."""
    turn = (
        {"type": config.turn_detection, "silence_duration_ms": config.silence_duration_ms}
        if config.turn_detection
        else None
    )
    return {
        "type": "transcription",
        "id": session_id,
        "object": "realtime.transcription_session",
        "audio": {
            "input": {
                "format": {"type": config.format, "rate": config.rate},
                "transcription": {
                    "model": model,
                    "language": config.language,
                    "prompt": config.prompt,
                    "punctuation": config.punctuation,
                },
                "turn_detection": turn,
                "noise_reduction": None,
            },
            "output": {"language": config.translate_to},
        },
        "include": list(config.include) or None,
    }


def beta_session(config: SessionConfig, session_id: str, model: str) -> dict[str, object]:
    """The beta session object of ``transcription_session.created`` / ``.updated``."""
    ga = ga_session(config, session_id, model)["audio"]["input"]  # type: ignore[index]
    names = {v: k for k, v in BETA_FORMATS.items()}
    default_rate = config.rate == DEFAULT_RATES[config.format]
    return {
        "id": session_id,
        "object": "realtime.transcription_session",
        "input_audio_format": names[config.format] if default_rate else ga["format"],
        # The beta type allows only OpenAI's model names here: echo the one asked for.
        "input_audio_transcription": {**ga["transcription"], "model": config.model},
        "turn_detection": ga["turn_detection"],
        "input_audio_noise_reduction": None,
        "include": list(config.include) or None,
        "modalities": ["text"],
        "audio": {"output": {"language": config.translate_to}},
    }


def apply_update(
    config: SessionConfig, event: SessionUpdate | TranscriptionSessionUpdate, max_rate: int
) -> SessionConfig:
    """The configuration after an update: only the fields the client sent change."""
    changes: dict[str, Any] = {}
    fmt: AudioFormat | None
    if isinstance(event, SessionUpdate):
        if event.session.type != "transcription":
            raise RealtimeError(
                "this server runs transcription sessions only: use session type 'transcription'",
                param="session.type",
                event_id=event.event_id,
            )
        audio = event.session.audio
        source: BaseModel | None = audio.input if audio else None
        fmt = audio.input.format if audio and audio.input else None
        transcription = audio.input.transcription if audio and audio.input else None
        output = audio.output if audio else None
        turn_field, rate_param = "turn_detection", "session.audio.input.format.rate"
    else:
        source = event.session
        beta = event.session.input_audio_format
        fmt = AudioFormat(type=BETA_FORMATS[beta]) if isinstance(beta, str) else beta  # type: ignore[arg-type]
        transcription = event.session.input_audio_transcription
        output = event.session.audio.output if event.session.audio else None
        turn_field, rate_param = "turn_detection", "session.input_audio_format.rate"
    if output is not None and "language" in output.model_fields_set:
        changes["translate_to"] = parse_target(output.language)
    if fmt is not None:
        rate = DEFAULT_RATES[fmt.type] if fmt.rate is None else fmt.rate  # 0 is refused
        if not MIN_SAMPLE_RATE <= rate <= max_rate:
            raise RealtimeError(
                f"unsupported sample rate {rate}; use {MIN_SAMPLE_RATE} to {max_rate} Hz",
                param=rate_param,
                event_id=event.event_id,
            )
        changes.update(format=fmt.type, rate=rate)
    if transcription is not None:
        for name in ("model", "language", "prompt"):
            if name in transcription.model_fields_set:
                changes[name] = getattr(transcription, name)
        if transcription.punctuation is not None:
            changes["punctuation"] = transcription.punctuation
    if source is not None and turn_field in source.model_fields_set:
        turn: TurnDetection | None = getattr(source, turn_field)
        changes["turn_detection"] = turn.type if turn else None
        changes["silence_duration_ms"] = turn.silence_duration_ms if turn else None
    if "include" in event.session.model_fields_set:
        changes["include"] = tuple(event.session.include or ())
    return replace(config, **changes)


# server events ----------------------------------------------------------------------------------
class _ServerEvent(BaseModel):
    event_id: str = Field(default_factory=lambda: new_id("event"))


class SessionEvent(_ServerEvent):
    type: Literal[
        "session.created",
        "session.updated",
        "transcription_session.created",
        "transcription_session.updated",
    ]
    session: dict[str, object]


class SpeechStarted(_ServerEvent):
    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"
    audio_start_ms: int
    item_id: str


class SpeechStopped(_ServerEvent):
    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"
    audio_end_ms: int
    item_id: str


class Committed(_ServerEvent):
    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"
    item_id: str
    previous_item_id: str | None


class Cleared(_ServerEvent):
    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"


class Delta(_ServerEvent):
    type: Literal["conversation.item.input_audio_transcription.delta"] = (
        "conversation.item.input_audio_transcription.delta"
    )
    item_id: str
    content_index: int = 0
    delta: str


class DurationUsage(BaseModel):
    type: Literal["duration"] = "duration"
    seconds: float


class Completed(_ServerEvent):
    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    item_id: str
    content_index: int = 0
    transcript: str
    usage: DurationUsage


class TranslationDelta(_ServerEvent):
    """A sentence's translation. The name and ``delta``/``elapsed_ms`` are those of OpenAI's
    Realtime translation sessions (``session.output_transcript.delta``); a transcription client
    that does not know the event skips it. Ours adds the item the sentence was spoken in, the
    sentence itself, the language, and ``error`` when there is no translation."""

    type: Literal["session.output_transcript.delta"] = "session.output_transcript.delta"
    delta: str  # the translation, with a space before it where the language needs one
    elapsed_ms: int  # session audio up to the sentence's end
    item_id: str | None  # the item whose words the sentence is (its last word's item)
    language: str
    source_text: str
    start_ms: int
    error: str | None = None


class ErrorDetail(BaseModel):
    type: str  # invalid_request_error or server_error
    code: str | None
    message: str
    param: str | None
    event_id: str | None  # the client event that caused it


class ErrorEvent(_ServerEvent):
    type: Literal["error"] = "error"
    error: ErrorDetail

    @classmethod
    def of(cls, exc: RealtimeError) -> ErrorEvent:
        return cls(
            error=ErrorDetail(
                type=exc.kind,
                code=exc.code,
                message=exc.message,
                param=exc.param,
                event_id=exc.event_id,
            )
        )


ServerEvent = (
    SessionEvent
    | SpeechStarted
    | SpeechStopped
    | Committed
    | Cleared
    | Delta
    | Completed
    | TranslationDelta
    | ErrorEvent
)

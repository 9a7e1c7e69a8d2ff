"""Response bodies of the HTTP routes, for the OpenAPI schema at /docs.

The transcription bodies follow OpenAI's audio API: ``json`` is ``{"text"}``, ``verbose_json``
adds duration, language, segments and (on request) words. Whisper-only segment fields
(``tokens``, ``temperature``, ``compression_ratio``, ``no_speech_prob``) are filled with neutral
values so that strict clients accept them.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field

from ..transcript import Transcript
from ..units import join_units

RESPONSE_FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
GRANULARITIES = ("word", "segment")


class LegacyTranscription(BaseModel):
    transcription: str = Field(description="the whole text, in sentence case")
    translation: str | None = Field(
        default=None, description="the text's translation (translate_to); absent without one"
    )


class Usage(BaseModel):
    type: Literal["duration"] = "duration"
    seconds: float = Field(description="seconds of audio transcribed")


_TRANSLATION = "the translation into translate_to's language; absent without translate_to"


class Transcription(BaseModel):
    text: str
    translation: str | None = Field(default=None, description=_TRANSLATION)
    usage: Usage


class TranscriptionWord(BaseModel):
    word: str = Field(description="as the model spells it (upper case for English wav2vec2 models)")
    start: float
    end: float
    confidence: float = Field(description="mean probability of the word's frames, 0..1")


class TranscriptionSegment(BaseModel):
    id: int
    seek: int = 0
    start: float
    end: float
    text: str
    translation: str | None = Field(default=None, description=_TRANSLATION)
    tokens: list[int] = Field(
        default_factory=list, description="always empty: CTC models have no text tokens"
    )
    temperature: float = 0.0
    avg_logprob: float = Field(description="mean log confidence of the segment's words")
    compression_ratio: float = 1.0
    no_speech_prob: float = 0.0


class TranscriptionVerbose(BaseModel):
    task: Literal["transcribe"] = "transcribe"
    language: str
    duration: float
    text: str
    translation: str | None = Field(default=None, description=_TRANSLATION)
    translation_language: str | None = Field(default=None, description="translate_to's language")
    segments: list[TranscriptionSegment] | None = None
    words: list[TranscriptionWord] | None = None
    usage: Usage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = Field(description="when the server loaded it, Unix time")
    owned_by: str = "live-captions"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class StreamHealth(BaseModel):
    id: int
    received_s: float = Field(description="audio received")
    lag_s: float = Field(description="audio received but not yet final")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    model: str
    device: str
    dtype: str
    profile: str = Field(description="window profile of uploads and streams")
    uptime_s: float
    active_streams: int = Field(description="streams the engine serves now (WebSocket and others)")
    active_uploads: int = Field(description="uploads being transcribed now")
    max_streams: int = Field(description="streams and uploads the server serves at once")
    lag_s: float = Field(description="the largest lag of any stream")
    streams: list[StreamHealth]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    """Errors under /v1, in OpenAI's shape."""

    error: ErrorDetail


class LegacyErrorBody(BaseModel):
    """Errors of the other routes, in FastAPI's shape."""

    detail: str = Field(description="what went wrong, for the user")


def translated_text(transcript: Transcript) -> str | None:
    """The whole translation, its segments joined in their script's spacing; None without."""
    if not transcript.translation_language:
        return None
    return join_units(s.translation or "" for s in transcript.segments if s.translation)


def verbose(transcript: Transcript, language: str, granularities: set[str]) -> TranscriptionVerbose:
    segments = None
    if "segment" in granularities:
        segments = [
            TranscriptionSegment(
                id=i,
                start=round(s.start, 3),
                end=round(s.end, 3),
                text=s.text(),
                translation=s.translation,
                avg_logprob=round(
                    sum(math.log(max(w.confidence, 1e-6)) for w in s.words) / len(s.words), 4
                ),
            )
            for i, s in enumerate(transcript.segments)
        ]
    words = None
    if "word" in granularities:
        words = [TranscriptionWord.model_validate(w.to_dict()) for w in transcript.words]
    return TranscriptionVerbose(
        language=language,
        duration=round(transcript.duration, 3),
        text=transcript.text(),
        translation=translated_text(transcript),
        translation_language=transcript.translation_language or None,
        segments=segments,
        words=words,
        usage=Usage(seconds=round(transcript.duration, 3)),
    )

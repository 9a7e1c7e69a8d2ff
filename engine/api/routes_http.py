"""HTTP routes: uploads (legacy and OpenAI-compatible), models, health, the caption page."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse, PlainTextResponse, Response

from ..config import CHINESE_SCRIPTS, DecodeOptions, TranscribeOptions, check_script
from ..errors import AudioError
from ..formats import render
from ..model import Recognizer
from ..scheduler import Scheduler
from ..transcript import Transcript
from .deps import STATIC_DIR, ApiContext, get_context, get_recognizer, get_scheduler, get_settings
from .errors import ApiError, UploadTooLarge
from .schemas import (
    GRANULARITIES,
    RESPONSE_FORMATS,
    ErrorBody,
    Health,
    LegacyTranscription,
    ModelCard,
    ModelList,
    StreamHealth,
    Transcription,
    TranscriptionVerbose,
    Usage,
    verbose,
)
from .settings import ServerSettings

log = logging.getLogger("engine.api")

router = APIRouter()

_CHUNK = 1024 * 1024
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 413, 422)
}

UploadField = Annotated[
    UploadFile,
    File(description="the audio or video file (WAV, FLAC, MP3, OGG, M4A, WebM, MP4, ...)"),
]


async def _save_upload(upload: UploadFile, limit: int) -> Path:
    """Copy the upload to a named temporary file (the decoders want a path), counting bytes."""
    suffix = _SUFFIX.search(upload.filename or "")
    fd, name = tempfile.mkstemp(
        prefix="live-captions-", suffix=suffix.group(0).lower() if suffix else ""
    )
    path = Path(name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(limit)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _discard(path: Path) -> None:
    """Delete a temporary upload. If that fails (on Windows a file still open elsewhere, e.g. by
    a virus scanner, cannot be deleted), say so in the log rather than replace the request's
    own result or error with the clean-up's."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot delete the temporary upload %s: %s", path, exc)


ChineseField = Annotated[
    str | None,
    Form(
        description="Chinese output script: "
        + ", ".join(CHINESE_SCRIPTS)
        + " or none (default: the server's setting)"
    ),
]


def _chinese_option(value: str | None, settings: ServerSettings) -> DecodeOptions:
    if value is None:
        return DecodeOptions(chinese=settings.chinese)
    script = "" if value.lower() in ("", "none") else value.lower()
    try:
        return DecodeOptions(chinese=check_script(script))
    except ValueError as exc:
        raise ApiError(400, str(exc), param="chinese", code="invalid_value") from None


async def _transcribe(
    upload: UploadFile,
    recognizer: Recognizer,
    settings: ServerSettings,
    decode: DecodeOptions | None = None,
) -> Transcript:
    """Transcribe an upload in a worker thread on the server's window profile."""
    from ..transcribe import transcribe_file

    options = TranscribeOptions(
        profile=settings.profile, decode=decode or DecodeOptions(chinese=settings.chinese)
    )
    path = await _save_upload(upload, settings.max_upload_bytes)
    name = upload.filename or "upload"
    try:
        transcript = await asyncio.to_thread(transcribe_file, recognizer, path, options)
    except AudioError as exc:
        message = str(exc).replace(str(path), name)
        raise ApiError(
            400,
            f"the upload cannot be read as audio: {message}",
            param="file",
            code="invalid_audio",
        ) from None
    finally:
        _discard(path)
    if transcript.duration == 0:
        raise ApiError(
            400, f"{name}: the file contains no audio", param="file", code="invalid_audio"
        )
    return transcript


@router.post(
    "/transcribe",
    response_model=LegacyTranscription,
    responses={k: v for k, v in _ERRORS.items() if k != 422},
    summary="Transcribe a file (legacy clients)",
    tags=["transcription"],
)
async def transcribe_legacy(
    file: UploadField,
    chinese: ChineseField = None,
    recognizer: Recognizer = Depends(get_recognizer),
    settings: ServerSettings = Depends(get_settings),
) -> LegacyTranscription:
    decode = _chinese_option(chinese, settings)
    transcript = await _transcribe(file, recognizer, settings, decode)
    return LegacyTranscription(transcription=transcript.text())


@router.post(
    "/v1/audio/transcriptions",
    response_model=None,
    responses={
        200: {
            "description": "json: {text}; verbose_json: with segments and words; text, srt, vtt: plain text",
            "model": Transcription | TranscriptionVerbose,
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **_ERRORS,
    },
    summary="Transcribe a file (OpenAI-compatible)",
    tags=["transcription"],
)
async def create_transcription(
    file: UploadField,
    model: Annotated[
        str | None, Form(description="accepted for compatibility; the loaded model is used")
    ] = None,
    language: Annotated[
        str | None, Form(description="ISO-639-1 code; the model decides what it understands")
    ] = None,
    prompt: Annotated[str | None, Form(description="ignored: CTC models take no prompt")] = None,
    response_format: Annotated[
        str, Form(description="json, text, srt, vtt or verbose_json")
    ] = "json",
    temperature: Annotated[float | None, Form(description="ignored: decoding is greedy")] = None,
    timestamp_granularities: Annotated[
        list[str] | None,
        Form(
            alias="timestamp_granularities[]", description="word and/or segment; verbose_json only"
        ),
    ] = None,
    chinese: ChineseField = None,
    recognizer: Recognizer = Depends(get_recognizer),
    settings: ServerSettings = Depends(get_settings),
) -> Response:
    decode = _chinese_option(chinese, settings)
    if response_format not in RESPONSE_FORMATS:
        raise ApiError(
            400,
            f"response_format must be one of {', '.join(RESPONSE_FORMATS)}; got {response_format!r}",
            param="response_format",
            code="invalid_value",
        )
    granularities = set(timestamp_granularities or [])
    if granularities - set(GRANULARITIES):
        raise ApiError(
            400,
            f"timestamp_granularities[] may hold word and segment only; got {sorted(granularities)}",
            param="timestamp_granularities",
            code="invalid_value",
        )
    if granularities and response_format != "verbose_json":
        raise ApiError(
            400,
            "timestamp_granularities[] is only supported with response_format=verbose_json",
            param="timestamp_granularities",
            code="invalid_value",
        )
    if language and not _LANGUAGE.match(language):
        raise ApiError(
            400,
            f"language must be a language code such as 'en'; got {language!r}",
            param="language",
            code="invalid_value",
        )
    transcript = await _transcribe(file, recognizer, settings, decode)
    if response_format == "json":
        body = Transcription(
            text=transcript.text(), usage=Usage(seconds=round(transcript.duration, 3))
        )
        return Response(body.model_dump_json(), media_type="application/json")
    if response_format == "verbose_json":
        result = verbose(transcript, language or "en", granularities or {"segment"})
        return Response(result.model_dump_json(exclude_none=True), media_type="application/json")
    text = (
        transcript.text() + "\n"
        if response_format == "text"
        else render(transcript, response_format)
    )
    return PlainTextResponse(text)


@router.get(
    "/v1/models", response_model=ModelList, responses={401: {"model": ErrorBody}}, tags=["models"]
)
async def list_models(ctx: ApiContext = Depends(get_context)) -> ModelList:
    """The one model this server runs. Transcription requests may name any model; this one is used."""
    return ModelList(data=[ModelCard(id=ctx.recognizer.name, created=int(ctx.started_at))])


@router.get(
    "/health", response_model=Health, responses={401: {"model": ErrorBody}}, tags=["health"]
)
async def health(
    ctx: ApiContext = Depends(get_context), scheduler: Scheduler = Depends(get_scheduler)
) -> Health:
    streams = [
        StreamHealth(id=s.id, received_s=round(s.received_s, 3), lag_s=round(s.lag_s, 3))
        for s in scheduler.stats()
    ]
    return Health(
        model=ctx.recognizer.name,
        device=ctx.recognizer.device,
        dtype=ctx.recognizer.dtype,
        profile=ctx.settings.profile,
        uptime_s=round(time.time() - ctx.started_at, 3),
        active_streams=len(streams),
        max_streams=ctx.settings.max_streams,
        lag_s=max((s.lag_s for s in streams), default=0.0),
        streams=streams,
    )


@router.get("/", include_in_schema=False)
async def caption_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")

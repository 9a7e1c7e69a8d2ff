"""HTTP routes: uploads (legacy and OpenAI-compatible), models, health, the caption page."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, PlainTextResponse, Response

from ..audio import AudioLimitError
from ..config import CHINESE_SCRIPTS, DecodeOptions, TranscribeOptions, parse_script
from ..errors import AudioError, Cancelled, TranslationError
from ..formats import render
from ..lm_files import parse_hotwords
from ..punctuation import Punctuation
from ..scheduler import Scheduler
from ..transcript import Transcript
from ..translation import parse_target, translate_transcript
from .deps import STATIC_DIR, ApiContext, get_context, get_scheduler
from .errors import ApiError, ClientGone, UploadTooLarge
from .schemas import (
    GRANULARITIES,
    RESPONSE_FORMATS,
    ErrorBody,
    Health,
    LegacyErrorBody,
    LegacyTranscription,
    ModelCard,
    ModelList,
    StreamHealth,
    Transcription,
    TranscriptionVerbose,
    Usage,
    translated_text,
    verbose,
)
from .settings import ServerSettings

log = logging.getLogger("engine.api")

router = APIRouter()

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 413, 422, 503)
}
# /transcribe answers errors as {"detail": "..."}; its 422 is FastAPI's own validation body.
_LEGACY_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": LegacyErrorBody} for code in (400, 401, 403, 413, 503)
}

UploadField = Annotated[
    UploadFile,
    File(description="the audio or video file (WAV, FLAC, MP3, OGG, M4A, WebM, MP4, ...)"),
]


async def _cancel_on_disconnect(request: Request, cancel: threading.Event) -> None:
    """Set ``cancel`` when the client disconnects. The body has been read by now, so the next
    message the server delivers is the disconnect (or nothing, once the answer is sent)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            log.info("the client of an upload went away; its transcription is cancelled")
            cancel.set()
            return


# The schema states the values the server takes (schemathesis and clients read it); the route
# checks them itself, so that a bad value gets a 400 with a message that names the choices.
ChineseField = Annotated[
    str | None,
    Form(
        description="Chinese output script: "
        + ", ".join(CHINESE_SCRIPTS)
        + " or none (default: the server's setting)",
        json_schema_extra={"enum": [*CHINESE_SCRIPTS, "none", ""]},
    ),
]


HotwordsField = Annotated[
    str | None,
    Form(
        description="custom words or phrases (names, jargon), separated by commas or line "
        "breaks, favoured by the decoder on top of the server's own (serve --hotwords)"
    ),
]


PunctuationField = Annotated[
    bool | None,
    Form(
        description="punctuation and true casing of the text (default: on where the server has "
        "a punctuation model for its speech model's language)"
    ),
]


async def _punctuated(
    transcript: Transcript, punctuation: bool | None, ctx: ApiContext, decode: DecodeOptions
) -> Transcript:
    """The transcript punctuated and cased when the server can and the request wants it."""
    server = ctx.punctuation
    if server is None or punctuation is False:
        return transcript
    # custom words keep their typed case: the server's and the request's
    stage = Punctuation.of(server.model, server.options, decode.lm.hotwords)
    return await asyncio.to_thread(stage.transcript, transcript)


def _decode_options(
    chinese: str | None, hotwords: str | None, settings: ServerSettings
) -> DecodeOptions:
    """The server's decoding with the request's script and custom words; 400 for bad ones."""
    try:
        script = None if chinese is None else parse_script(chinese)
    except ValueError as exc:
        raise ApiError(400, str(exc), param="chinese", code="invalid_value") from None
    try:
        words = parse_hotwords(hotwords)
    except ValueError as exc:
        raise ApiError(400, str(exc), param="hotwords", code="invalid_value") from None
    return settings.request_decode(script, words)


TranslateField = Annotated[
    str | None,
    Form(
        description="translate each caption segment into this language (zh, en, de, ...) with "
        "a local OPUS-MT model; the response gets the translation beside the text, bilingual "
        "srt/vtt cues (default: the server's --translate-to, if any; none: no translation)",
        json_schema_extra={"pattern": r"^([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?|none)?$"},
    ),
]


async def _translate(ctx: ApiContext, transcript: Transcript, target: str | None) -> Transcript:
    """The transcript with its segments' translations into ``target`` (the server's default
    when None; "" or "none": no translation); 400 when the language has no model here."""
    target = parse_target(ctx.settings.translation.target if target is None else target)
    if target is None:
        return transcript
    try:
        worker = await asyncio.to_thread(ctx.translators.worker, target)
    except TranslationError as exc:
        raise ApiError(
            400, f"no translation: {exc}", param="translate_to", code="translation_unavailable"
        ) from None
    # through the worker: its thread is the model's one caller (live streams use it too)
    return await asyncio.to_thread(translate_transcript, transcript, worker, target)


async def _transcribe(
    request: Request,
    upload: UploadFile,
    ctx: ApiContext,
    scheduler: Scheduler,
    decode: DecodeOptions,
) -> Transcript:
    """Transcribe an upload in a worker thread on the server's window profile; its forward
    passes go through the scheduler, after the live streams' work.

    The upload takes one of the ``max_streams`` places streams take too. It is read from the
    spooled file the form parser made (anonymous on disk: a server killed meanwhile leaves
    nothing behind); its header's rate and length are checked before any work, and the work
    stops as soon as the client disconnects.
    """
    from ..transcribe import transcribe_file

    settings = ctx.settings
    name = upload.filename or "upload"
    if upload.size is not None and upload.size > settings.max_upload_bytes:
        raise UploadTooLarge(settings.max_upload_bytes)
    if ctx.full:
        raise ApiError(
            503,
            f"the server is busy: it serves {settings.max_streams} streams and uploads at once; "
            "try again later",
            code="server_busy",
            headers={"Retry-After": "5"},
        )
    ctx.uploads += 1
    cancel = threading.Event()
    watcher = asyncio.create_task(_cancel_on_disconnect(request, cancel))
    try:
        transcript = await asyncio.to_thread(
            transcribe_file,
            scheduler,
            upload.file,
            TranscribeOptions(
                profile=settings.profile, power_saver=settings.model.power_saver, decode=decode
            ),
            cancel=cancel,
            name=name,
            limits=settings.audio_limits,
        )
    except AudioLimitError as exc:
        raise ApiError(400, str(exc), param="file", code="audio_out_of_range") from None
    except AudioError as exc:
        raise ApiError(
            400, f"the upload cannot be read as audio: {exc}", param="file", code="invalid_audio"
        ) from None
    except Cancelled:
        raise ClientGone() from None
    finally:
        cancel.set()  # the thread stops too if this task was cancelled (server shutdown)
        watcher.cancel()
        ctx.uploads -= 1
    if transcript.duration == 0:
        raise ApiError(
            400, f"{name}: the file contains no audio", param="file", code="invalid_audio"
        )
    return transcript


@router.post(
    "/transcribe",
    response_model=LegacyTranscription,
    response_model_exclude_none=True,
    responses=_LEGACY_ERRORS,
    summary="Transcribe a file (legacy clients)",
    tags=["transcription"],
)
async def transcribe_legacy(
    request: Request,
    file: UploadField,
    chinese: ChineseField = None,
    hotwords: HotwordsField = None,
    punctuation: PunctuationField = None,
    translate_to: TranslateField = None,
    ctx: ApiContext = Depends(get_context),
    scheduler: Scheduler = Depends(get_scheduler),
) -> LegacyTranscription:
    decode = _decode_options(chinese, hotwords, ctx.settings)
    transcript = await _transcribe(request, file, ctx, scheduler, decode)
    transcript = await _punctuated(transcript, punctuation, ctx, decode)
    transcript = await _translate(ctx, transcript, translate_to)
    return LegacyTranscription(
        transcription=transcript.text(), translation=translated_text(transcript)
    )


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
    request: Request,
    file: UploadField,
    model: Annotated[
        str | None, Form(description="accepted for compatibility; the loaded model is used")
    ] = None,
    language: Annotated[
        str | None,
        Form(
            description="ISO-639-1 code; the model decides what it understands",
            json_schema_extra={"pattern": _LANGUAGE.pattern},
        ),
    ] = None,
    prompt: Annotated[str | None, Form(description="ignored: CTC models take no prompt")] = None,
    response_format: Annotated[
        str,
        Form(
            description="json, text, srt, vtt or verbose_json",
            json_schema_extra={"enum": list(RESPONSE_FORMATS)},
        ),
    ] = "json",
    temperature: Annotated[
        float | None, Form(description="ignored: decoding is deterministic")
    ] = None,
    timestamp_granularities: Annotated[
        list[str] | None,
        Form(
            alias="timestamp_granularities[]",
            description="word and/or segment; verbose_json only",
            json_schema_extra={"items": {"type": "string", "enum": list(GRANULARITIES)}},
        ),
    ] = None,
    chinese: ChineseField = None,
    hotwords: HotwordsField = None,
    punctuation: PunctuationField = None,
    translate_to: TranslateField = None,
    ctx: ApiContext = Depends(get_context),
    scheduler: Scheduler = Depends(get_scheduler),
) -> Response:
    decode = _decode_options(chinese, hotwords, ctx.settings)
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
    transcript = await _transcribe(request, file, ctx, scheduler, decode)
    transcript = await _punctuated(transcript, punctuation, ctx, decode)
    transcript = await _translate(ctx, transcript, translate_to)
    if response_format == "json":
        body = Transcription(
            text=transcript.text(),
            translation=translated_text(transcript),
            usage=Usage(seconds=round(transcript.duration, 3)),
        )
        return Response(body.model_dump_json(exclude_none=True), media_type="application/json")
    if response_format == "verbose_json":
        result = verbose(transcript, language or "en", granularities or {"segment"})
        return Response(result.model_dump_json(exclude_none=True), media_type="application/json")
    if response_format == "text":  # with a translation: text and translation lines
        text = render(transcript, "txt") if transcript.translation_language else transcript.text()
        text = text if text.endswith("\n") else text + "\n"
    else:
        text = render(transcript, response_format)
    return PlainTextResponse(text)


@router.get(
    "/v1/models", response_model=ModelList, responses={401: {"model": ErrorBody}}, tags=["models"]
)
async def list_models(ctx: ApiContext = Depends(get_context)) -> ModelList:
    """The one model this server runs. Transcription requests may name any model; this one is used."""
    return ModelList(data=[ModelCard(id=ctx.recognizer.name, created=int(ctx.started_at))])


@router.get(
    "/health", response_model=Health, responses={401: {"model": LegacyErrorBody}}, tags=["health"]
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
        active_uploads=ctx.uploads,
        max_streams=ctx.settings.max_streams,
        lag_s=max((s.lag_s for s in streams), default=0.0),
        streams=streams,
    )


@router.get("/", include_in_schema=False)
async def caption_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")

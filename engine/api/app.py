"""The FastAPI app factory: one Recognizer and one Scheduler per process, made in the lifespan.

The desktop app and the tests pass the objects they already have; ``live-captions serve`` passes
the recognizer it loaded. Routes get them through ``Depends`` (``get_context`` and friends, in
deps.py), so a test can override any of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from ..model import Recognizer, load_recognizer
from ..punctuation import Punctuation
from ..scheduler import Scheduler, SchedulerOptions
from ..translation import TranslatorPool, speech_language
from . import routes_http, routes_realtime, routes_ws
from .deps import STATIC_DIR, ApiContext
from .errors import install_error_handlers
from .guard import Guard
from .settings import ServerSettings

log = logging.getLogger("engine.api")


class OptionalTrailingSlash:
    """ASGI middleware: ``/path/`` is served as ``/path``, for HTTP and WebSocket alike.

    The first version of this API spelled its routes with a trailing slash (``POST
    /transcribe/``, WebSocket ``/ws/transcribe/``). A redirect does not help those clients: curl
    and httpx do not follow a 307, and a WebSocket handshake cannot be redirected at all. So both
    spellings reach the same route directly, and so does every route added later.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and len(path) > 1 and path.endswith("/"):
            scope = dict(scope)
            scope["path"] = path.rstrip("/") or "/"
            raw = scope.get("raw_path")
            if raw:
                scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def load_server_punctuation(settings: ServerSettings, model: Recognizer) -> Punctuation | None:
    """The server's punctuation: the model ``serve --punctuation-model`` names (an error when
    it cannot be had), else the default for the speech model's language (a warning when it
    cannot be had: the server runs without punctuation)."""
    from ..errors import ModelLoadError
    from ..punctuation_models import load_punctuation_model, punctuation_model_name

    options = settings.punctuation
    name = punctuation_model_name(options, model.name, model.is_demo)
    if name is None:
        return None
    try:
        loaded = load_punctuation_model(
            name, settings.model.hub_endpoint, settings.model.local_files_only
        )
    except ModelLoadError as exc:
        if options.model:
            raise
        log.warning("no punctuation: %s", exc)
        return None
    return Punctuation.of(loaded, options, settings.decode.lm.hotwords)


def create_app(
    settings: ServerSettings = ServerSettings(),
    recognizer: Recognizer | None = None,
    scheduler: Scheduler | None = None,
) -> FastAPI:
    """The API app. Without a recognizer the lifespan loads ``settings.model``; without a
    scheduler it starts (and later stops) its own."""

    if recognizer is None and scheduler is not None:
        if not isinstance(scheduler.model, Recognizer):
            raise TypeError("the API needs the scheduler's Recognizer: pass it as `recognizer`")
        recognizer = scheduler.model

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = recognizer
        try:
            if model is None:
                model = await asyncio.to_thread(load_recognizer, settings.model)
            punctuation = await asyncio.to_thread(load_server_punctuation, settings, model)
        except Exception as exc:
            app.state.startup_error = exc
            raise
        owned = scheduler is None
        engine = scheduler or Scheduler(
            model,
            SchedulerOptions(
                max_streams=settings.max_streams,
                warn_lag_s=settings.warn_lag_s,
                max_lag_s=settings.max_lag_s,
            ),
        )
        translators = TranslatorPool(settings.translation, speech_language(model.name))
        try:
            if settings.translation.enabled:  # the default target's model, before any request
                await asyncio.to_thread(translators.worker, settings.translation.target)
        except Exception as exc:
            app.state.startup_error = exc
            raise
        engine.start()
        app.state.context = ApiContext(
            settings, model, engine, time.time(), translators, punctuation=punctuation
        )
        log.info("API ready: %s, profile %s", model.describe(), settings.profile)
        try:
            yield
        finally:
            translators.close()
            if owned:
                engine.stop()

    app = FastAPI(
        title="Live Captions API",
        version=__version__,
        description="Speech recognition with wav2vec2: file uploads (OpenAI-compatible) and live "
        "streaming over a WebSocket at /ws/transcribe (see docs/api.md).",
        lifespan=lifespan,
        redirect_slashes=False,  # OptionalTrailingSlash serves both spellings instead
    )
    app.state.startup_error = None
    install_error_handlers(app)
    app.include_router(routes_http.router)
    app.include_router(routes_ws.router)
    app.include_router(routes_realtime.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(Guard, settings=settings)
    if settings.cors_origins:
        # Outermost, so that preflight requests (which carry no token) are answered.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(OptionalTrailingSlash)  # outermost: every layer sees one spelling
    return app

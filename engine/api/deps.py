"""What the routes share, and the FastAPI dependencies that hand it to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends
from starlette.requests import HTTPConnection

from ..model import Recognizer
from ..punctuation import Punctuation
from ..scheduler import Scheduler
from ..translation import TranslatorPool
from .settings import ServerSettings

STATIC_DIR = Path(__file__).parent / "static"


@dataclass
class ApiContext:
    """What the routes share; one per app, made in the lifespan."""

    settings: ServerSettings
    recognizer: Recognizer
    scheduler: Scheduler
    started_at: float  # time.time() when the app started
    translators: TranslatorPool  # translation workers by target language, loaded when asked
    ws_sessions: int = 0  # open WebSocket sessions (changed on the event loop only)
    uploads: int = 0  # uploads being transcribed (changed on the event loop only)
    punctuation: Punctuation | None = None  # None: no punctuation model (off, or none found)

    @property
    def full(self) -> bool:
        """Streams and uploads share one capacity, ``max_streams``: each holds the model."""
        return self.ws_sessions + self.uploads >= self.settings.max_streams


def get_context(conn: HTTPConnection) -> ApiContext:
    context: ApiContext = conn.app.state.context
    return context


def get_settings(ctx: ApiContext = Depends(get_context)) -> ServerSettings:
    return ctx.settings


def get_recognizer(ctx: ApiContext = Depends(get_context)) -> Recognizer:
    return ctx.recognizer


def get_scheduler(ctx: ApiContext = Depends(get_context)) -> Scheduler:
    return ctx.scheduler

"""The engine's HTTP/WebSocket API, served from inside the desktop app on the app's model.

Optional: ``engine.api`` (FastAPI, uvicorn) is imported only when the API is switched on in the
settings, and its absence only disables the setting.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication

from engine.config import DecodeOptions
from engine.errors import LiveCaptionsError
from engine.model import Recognizer
from engine.scheduler import Scheduler

log = logging.getLogger("desktop_app.api")


class EmbeddedApi:
    """Starts and stops the embedded API server; ``error`` holds the last failure for the user."""

    def __init__(self) -> None:
        self._runner: Any = None
        self.error = ""

    @staticmethod
    def available() -> bool:
        try:
            return all(
                importlib.util.find_spec(name) is not None
                for name in ("fastapi", "uvicorn", "engine.api.runner")
            )
        except ImportError:
            return False

    @property
    def running(self) -> bool:
        return self._runner is not None

    def start(
        self,
        recognizer: Recognizer,
        scheduler: Scheduler,
        port: int,
        token: str,
        profile: str,
        decode: DecodeOptions = DecodeOptions(),
    ) -> str:
        """Serve on 127.0.0.1:``port``; the status text for the status bar."""
        self.error = ""
        try:
            from engine.api.runner import ApiServer
            from engine.api.settings import ServerSettings
        except ImportError as exc:
            self.error = QCoreApplication.translate(
                "EmbeddedApi", "The local API is not part of this installation ({})."
            ).format(exc)
            return QCoreApplication.translate("EmbeddedApi", "API unavailable")
        settings = ServerSettings(
            host="127.0.0.1",
            port=port,
            token=token or None,
            profile=profile,
            decode=decode,
        )
        try:
            runner = ApiServer(settings, recognizer, scheduler).start()
        except LiveCaptionsError as exc:  # ServerError, PortInUse: their messages say what to do
            self.error = QCoreApplication.translate(
                "EmbeddedApi", "The local API could not start: {}. Choose another port in Settings."
            ).format(exc)
            log.warning(self.error)
            return QCoreApplication.translate("EmbeddedApi", "API off")
        self._runner = runner
        return QCoreApplication.translate("EmbeddedApi", "API on {}").format(runner.url)

    def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.stop()

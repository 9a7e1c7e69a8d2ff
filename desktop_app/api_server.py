"""The engine's HTTP/WebSocket API, served from inside the desktop app on the app's model.

Optional: ``engine.api`` (FastAPI, uvicorn) is imported only when the API is switched on in the
settings, and its absence only disables the setting.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from typing import Any

from PySide6.QtCore import QCoreApplication

from engine.config import DecodeOptions, ModelOptions
from engine.errors import LiveCaptionsError
from engine.model import Recognizer
from engine.scheduler import Scheduler

log = logging.getLogger("desktop_app.api")

# Restarting on the port this app just released: Windows may refuse it for a moment while the
# old server's connections settle (the socket is exclusive there, SO_EXCLUSIVEADDRUSE), so a
# restart tries again after these pauses before it reports the port as taken.
RESTART_WAITS_S = (0.1, 0.25, 0.5, 1.0)


class EmbeddedApi:
    """Starts and stops the embedded API server; ``error`` holds the last failure for the user."""

    def __init__(self) -> None:
        self._runner: Any = None
        self._released_port: int | None = None  # the port of the server stop() ended
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
        power_saver: bool = False,
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
            # the model is the app's (loaded already); its streams save power as the app's do
            model=ModelOptions(power_saver=power_saver),
        )
        try:
            runner = self._start_server(ApiServer, settings, recognizer, scheduler)
        except LiveCaptionsError as exc:  # ServerError, PortInUse: their messages say what to do
            self.error = QCoreApplication.translate(
                "EmbeddedApi", "The local API could not start: {}. Choose another port in Settings."
            ).format(exc)
            log.warning(self.error)
            return QCoreApplication.translate("EmbeddedApi", "API off")
        self._runner = runner
        return QCoreApplication.translate("EmbeddedApi", "API on {}").format(runner.url)

    def _start_server(self, server: Any, settings: Any, *engine: object) -> Any:
        from engine.api.errors import PortInUse

        waits = list(RESTART_WAITS_S if settings.port == self._released_port else ())
        self._released_port = None
        pause = threading.Event()
        while True:
            try:
                return server(settings, *engine).start()
            except PortInUse:
                if not waits:
                    raise
                log.info("port %d not free yet after the restart; trying again", settings.port)
                pause.wait(waits.pop(0))

    def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            self._released_port = runner.port
            runner.stop()

"""Run the API with uvicorn: in a background thread (the desktop app, tests) or in the
foreground (``live-captions serve``).

The listening socket is bound before uvicorn starts, so that a port in use is reported as a
:class:`PortInUse` error and port 0 gives a free port that :attr:`ApiServer.port` then names.
"""

from __future__ import annotations

import errno
import logging
import socket
import sys
import threading

import uvicorn
from fastapi import FastAPI

from ..errors import LiveCaptionsError
from ..model import Recognizer
from ..scheduler import Scheduler
from .app import create_app
from .deps import ApiContext
from .errors import PortInUse, ServerError
from .http_limits import QuietWebSocketProtocol, protocol_for
from .settings import ServerSettings

log = logging.getLogger("engine.api")


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when start-up is over (well or not)."""

    def __init__(self, config: uvicorn.Config, startup_done: threading.Event) -> None:
        super().__init__(config)
        self._startup_done = startup_done

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self._startup_done.set()


# Windows' socket errors (WinError numbers; the errno module has them on Windows only).
WSAEACCES = 10013  # the port is reserved (an excluded range) or held with exclusive use
WSAEADDRINUSE = 10048
IN_USE = frozenset({errno.EADDRINUSE, WSAEADDRINUSE})


def address_options(platform: str = sys.platform) -> tuple[str, ...]:
    """The socket options set before binding. POSIX: SO_REUSEADDR, so that a restart can bind
    the port while old connections linger in TIME_WAIT (two sockets can never listen on one port
    there). Windows: SO_REUSEADDR would let a second program bind a port already in use (CPython's
    socket.create_server leaves it out there for that reason); SO_EXCLUSIVEADDRUSE keeps any other
    socket off ours."""
    return ("SO_EXCLUSIVEADDRUSE",) if platform == "win32" else ("SO_REUSEADDR",)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket, or :class:`PortInUse` / :class:`ServerError` saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServerError(f"cannot listen on {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        for name in address_options():
            sock.setsockopt(socket.SOL_SOCKET, getattr(socket, name), 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in IN_USE:
            raise PortInUse(
                f"port {port} on {host} is already in use by another program; "
                f"stop it or choose another port (--port)"
            ) from None
        if exc.errno == WSAEACCES and sys.platform == "win32":
            raise PortInUse(
                f"port {port} on {host} cannot be used: Windows reserves it, or another program "
                f"holds it; choose another port (--port)"
            ) from None
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Not inheritable (Python's default): a program the app starts (QProcess on Windows passes
    # handles on) must not keep the port after the app has quit.
    return sock


class ApiServer:
    """The API on an existing Recognizer (and Scheduler), served by uvicorn.

    ``start()`` returns once the server answers requests; ``stop()`` closes open streams and
    waits for the thread. Without a recognizer the app loads ``settings.model`` itself.
    """

    def __init__(
        self,
        settings: ServerSettings = ServerSettings(),
        recognizer: Recognizer | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.settings = settings
        self.app: FastAPI = create_app(settings, recognizer, scheduler)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._failure: BaseException | None = None

    @property
    def port(self) -> int:
        if self._socket is None:
            return self.settings.port
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        host = self.settings.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def context(self) -> ApiContext:
        """The running app's recognizer, scheduler and settings."""
        context: ApiContext = self.app.state.context
        return context

    def start(self, timeout: float = 120.0) -> ApiServer:
        """Listen in a background thread; raise :class:`ServerError` if that cannot be done."""
        if self._thread is not None:
            return self
        startup_done = threading.Event()
        self._prepare(startup_done)
        self._thread = threading.Thread(target=self._run, name="api-server", daemon=True)
        self._thread.start()
        if not startup_done.wait(timeout):
            self.stop()
            raise ServerError(f"the API server did not start within {timeout:g} s")
        if not self._server or not self._server.started:
            self._thread.join(timeout=10)
            self._thread = None
            raise self._startup_error()
        log.info("API listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C or SIGTERM (uvicorn handles the signals)."""
        self._prepare(threading.Event())
        self._run()
        if self._failure is not None:
            raise self._startup_error()

    def stop(self, timeout: float = 15.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _prepare(self, startup_done: threading.Event) -> None:
        self.settings.check()
        self._socket = bind_socket(self.settings.host, self.settings.port)
        config = uvicorn.Config(
            self.app,
            log_config=None,  # the entry point configures logging, not the library
            log_level=None,
            lifespan="on",
            # A frame a little over the limit gets the API's error message and close 1009; one
            # far over it is refused by the WebSocket layer (also 1009) before it is buffered.
            ws_max_size=2 * self.settings.max_frame_bytes + 4096,
            timeout_graceful_shutdown=5,
            # Deadlines for unfinished requests and a cap on connections (docs/api.md, limits).
            http=protocol_for(self.settings),
            ws=QuietWebSocketProtocol,  # not UTF-8: close 1007 without a traceback
            timeout_keep_alive=self.settings.keep_alive_s,  # type: ignore[arg-type]  # uvicorn passes it to call_later, which takes a float
            # The connection cap (max_connections, max_client_connections) is the protocol's:
            # uvicorn's own limit_concurrency answers a plain-text 503, not the API's error.
        )
        self._server = _Server(config, startup_done)

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except SystemExit as exc:  # uvicorn exits when the lifespan start-up fails
            self._failure = exc
        finally:
            self._socket.close()

    def _startup_error(self) -> LiveCaptionsError:
        cause = self.app.state.startup_error
        if cause is not None:
            if isinstance(cause, LiveCaptionsError):
                return cause
            error = ServerError(f"the API server could not start: {cause}")
            error.__cause__ = cause
            return error
        return ServerError("the API server could not start (see the log)")

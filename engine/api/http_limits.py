"""uvicorn's HTTP protocol with deadlines for unfinished requests and a fair connection cap.

uvicorn closes an idle kept-alive connection, but waits forever for the rest of a request's
head or body: ten half-sent requests hold ten connections for good. This protocol adds

- a header deadline: a request's head (request line and headers) must be complete within
  ``header_timeout_s`` of its first byte (of the connection, for the first request), and at most
  ``max_header_bytes`` long (431 otherwise);
- a body timeout: a body that sends nothing for ``body_timeout_s`` is dropped, and the route
  sees a disconnect (so a transcription waiting on it never starts);
- a minimum body rate: after ``body_grace_s``, a body must have come at ``min_body_rate`` bytes
  a second on average, or it is dropped (one byte every 25 s is never idle long enough for the
  body timeout, and would hold the connection for good);
- an answer before the body ends (a refusal: 401, 403, 413, ...) says ``Connection: close`` and
  closes the connection, so that the rest of a refused body is never waited for;
- a connection cap with a share per client: a request on a connection beyond
  ``max_connections``, or beyond ``max_client_connections`` from one client address, is answered
  with the API's JSON 503 (``server_busy``), so that one client cannot lock out the others.

A header deadline answers ``408 Request Timeout`` and closes; a dropped body closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .errors import error_response
from .settings import ServerSettings

log = logging.getLogger("engine.api")

_TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_TOO_LARGE_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"Connection: close\r\nContent-Length: 0\r\n\r\n"
)


async def _server_busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer to a request over the connection cap: the API's error body for its path."""
    message = "the server has too many open connections; try again later"
    response = error_response(
        scope.get("path", "/"),
        503,
        message,
        code="server_busy",
        headers={"Retry-After": "5", "Connection": "close"},
    )
    await response(scope, receive, send)


class LimitedHttpProtocol(HttpToolsProtocol):
    """One connection; the limits come from :func:`protocol_for`."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    body_grace_s: float = 10.0
    min_body_rate: float = 1024.0
    max_header_bytes: int = 64 * 1024
    max_connections: int = 64
    max_client_connections: int = 32
    # Open connections per client address, shared by the connections of one server.
    clients: Counter[str] = Counter()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._rate_check: asyncio.TimerHandle | None = None
        self._in_head = True  # between a request's first byte and its last header
        self._in_body = False
        self._head_bytes = 0
        self._body_bytes = 0
        self._body_started = 0.0
        self._address: str | None = None  # the client's address, counted in ``clients``
        self._keep_alive = True  # the request's keep-alive, held back while its body comes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        self.clients[self._address] += 1
        self._arm(self.header_timeout_s, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._stop_rate_check()
        self._forget_address()
        super().connection_lost(exc)

    def _forget_address(self) -> None:
        if self._address is not None:
            self.clients[self._address] -= 1
            if self.clients[self._address] <= 0:
                del self.clients[self._address]
            self._address = None

    def data_received(self, data: bytes) -> None:
        if self._in_body:
            self._body_bytes += len(data)
            self._arm(self.body_timeout_s, self._body_too_slow)
        super().data_received(data)
        if self._in_head:  # still no end of the head after this data
            self._head_bytes += len(data)
            if self._head_bytes > self.max_header_bytes:
                self._refuse(_TOO_LARGE_431, "a request head over %d bytes", self.max_header_bytes)

    # httptools callbacks ------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a kept-alive connection's next request
            self._in_head = True
            self._head_bytes = 0
            self._arm(self.header_timeout_s, self._head_too_slow)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        app = self.app
        if self._over_capacity():
            self.app = _server_busy  # uvicorn starts the request's task with self.app
        try:
            super().on_headers_complete()
        finally:
            self.app = app
        if self.parser is None or (self.parser.should_upgrade() and self._should_upgrade()):
            # A WebSocket: its protocol takes the connection over (this one never hears of its
            # end), with timeouts of its own; streams are capped by max_streams.
            self._forget_address()
            return
        self._in_body = True
        # Until the body has come, an answer says "Connection: close" and uvicorn closes after
        # it (a refusal: the rest of the body is not worth waiting for, and a client must not
        # reuse the connection); on_message_complete gives the keep-alive back.
        self._keep_alive = self.cycle.keep_alive
        self.cycle.keep_alive = False
        self._body_bytes = 0
        self._body_started = self.loop.time()
        self._arm(self.body_timeout_s, self._body_too_slow)
        self._stop_rate_check()
        self._rate_check = self.loop.call_later(self.body_grace_s, self._check_body_rate)

    def on_message_complete(self) -> None:
        if self._in_body and self.cycle is not None and not self.cycle.response_started:
            self.cycle.keep_alive = self._keep_alive
        self._in_body = False
        self._disarm()
        self._stop_rate_check()
        super().on_message_complete()

    def _over_capacity(self) -> bool:
        mine = self.clients.get(self._address or "", 0)
        if len(self.connections) > self.max_connections:
            log.warning("refused a request: %d connections are open", len(self.connections))
            return True
        if mine > self.max_client_connections:
            log.warning("refused a request: %s holds %d connections", self._address, mine)
            return True
        return False

    # deadlines ----------------------------------------------------------------------------
    def _arm(self, delay: float, callback: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        self._refuse(_TIMEOUT_408, "a request head unfinished after %g s", self.header_timeout_s)

    def _stop_rate_check(self) -> None:
        if self._rate_check is not None:
            self._rate_check.cancel()
            self._rate_check = None

    def _check_body_rate(self) -> None:
        """Drop a body behind ``min_body_rate``; else look again when it would fall behind."""
        self._rate_check = None
        if not self._in_body or self.transport.is_closing():
            return
        elapsed = self.loop.time() - self._body_started
        if self._body_bytes < self.min_body_rate * elapsed:
            log.info(
                "closed a connection: a request body at %.0f bytes/s, under %g bytes/s",
                self._body_bytes / max(elapsed, 1e-9),
                self.min_body_rate,
            )
            self._disarm()
            self.transport.close()
            return
        due = self._body_started + self._body_bytes / self.min_body_rate
        self._rate_check = self.loop.call_at(
            max(due, self.loop.time() + 0.5), self._check_body_rate
        )

    def _body_too_slow(self) -> None:
        if not self._in_body or self.transport.is_closing():
            return
        log.info("closed a connection: a request body idle for %g s", self.body_timeout_s)
        self.transport.close()

    def _refuse(self, answer: bytes, why: str, limit: float) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        log.info("closed a connection: " + why, limit)
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(answer)
        self.transport.close()


def protocol_for(settings: ServerSettings) -> type[LimitedHttpProtocol]:
    """The protocol class uvicorn makes connections with, carrying these settings' limits."""
    return type(
        "LimitedHttpProtocol",
        (LimitedHttpProtocol,),
        {
            "header_timeout_s": settings.header_timeout_s,
            "body_timeout_s": settings.body_timeout_s,
            "body_grace_s": settings.body_grace_s,
            "min_body_rate": settings.min_body_rate,
            "max_header_bytes": settings.max_header_bytes,
            "max_connections": settings.max_connections,
            "max_client_connections": min(
                settings.max_client_connections, settings.max_connections
            ),
            "clients": Counter(),
        },
    )


class QuietWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, closing a text message that is not UTF-8 with 1007 as it
    does, but without an ERROR traceback in the log: it is the client's mistake, not ours."""

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            try:
                b"".join(self.frames).decode()
            except UnicodeDecodeError:
                self.frames = []
                log.info("closed a WebSocket: a text message that is not UTF-8 (close 1007)")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()

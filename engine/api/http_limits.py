"""uvicorn's HTTP protocol with deadlines for unfinished requests.

uvicorn closes an idle kept-alive connection, but waits forever for the rest of a request's
head or body: ten half-sent requests hold ten connections for good. This protocol adds

- a header deadline: a request's head (request line and headers) must be complete within
  ``header_timeout_s`` of its first byte (of the connection, for the first request), and at most
  ``max_header_bytes`` long (431 otherwise);
- a body timeout: a body that sends nothing for ``body_timeout_s`` is dropped, and the route
  sees a disconnect (so a transcription waiting on it never starts).

A header deadline answers ``408 Request Timeout`` and closes; a body timeout closes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .settings import ServerSettings

log = logging.getLogger("engine.api")

_TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_TOO_LARGE_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"Connection: close\r\nContent-Length: 0\r\n\r\n"
)


class LimitedHttpProtocol(HttpToolsProtocol):
    """One connection; the limits come from :func:`protocol_for`."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_header_bytes: int = 64 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = True  # between a request's first byte and its last header
        self._in_body = False
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout_s, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_body:
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
        super().on_headers_complete()
        if self.parser is None or (self.parser.should_upgrade() and self._should_upgrade()):
            return  # a WebSocket: its protocol has its own timeouts
        self._in_body = True
        self._arm(self.body_timeout_s, self._body_too_slow)

    def on_message_complete(self) -> None:
        self._in_body = False
        self._disarm()
        super().on_message_complete()

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
            "max_header_bytes": settings.max_header_bytes,
        },
    )

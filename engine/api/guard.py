"""The checks every route shares, as one ASGI middleware, so that new routes inherit them.

In order: the Host header (a DNS-rebinding page sends its own name), the web page's Origin, the
API token, then the upload size limit. HTTP requests get an error body in the path's shape;
WebSocket connections with a bad Host are refused at the handshake (403), and the others get an
``error`` message and a close code, because a browser cannot read a refused handshake's status.
"""

from __future__ import annotations

import contextlib
import json
import logging

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import CloseCode, UploadTooLarge, close_reason, error_response, ws_error_message
from .settings import ServerSettings

log = logging.getLogger("engine.api")

# The caption page and its scripts hold no data; they ask for the token and pass it on.
PUBLIC_PATHS = ("/", "/favicon.ico")
PUBLIC_PREFIXES = ("/static/",)
# Room for the form's other fields and multipart boundaries on top of the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024

TOKEN_MESSAGE = "missing or invalid API token (send 'Authorization: Bearer TOKEN')"
WS_TOKEN_MESSAGE = "missing or invalid API token (send 'Authorization: Bearer TOKEN' or ?token=)"


def _hosts_allowed(conn: HTTPConnection, settings: ServerSettings) -> bool:
    """Exactly one Host header (HTTP/1.1 requires one, RFC 9112 3.2), of a name served."""
    hosts = conn.headers.getlist("host")
    return len(hosts) == 1 and settings.host_allowed(hosts[0])


class Guard:
    """ASGI middleware: trusted hosts, origins, the API token and the upload size limit.

    A body whose Content-Length is over the limit is refused before a byte of it is read; a body
    without one is counted as it streams in and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings
        self.max_body = settings.max_upload_bytes + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn = HTTPConnection(scope)
        path = conn.url.path
        settings = self.settings
        host = conn.headers.get("host")
        refusal: tuple[int, str, str, dict[str, str] | None] | None = None
        public = path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
        if not _hosts_allowed(conn, settings):
            refusal = (
                400,
                f"host {host!r} is not served (see --allowed-host)",
                "invalid_host",
                None,
            )
        elif scope["method"] == "OPTIONS" or public:
            pass  # CORS preflights carry no token; the caption page holds no data
        elif not settings.origin_allowed(conn.headers.get("origin"), host):
            origin = conn.headers.get("origin")
            refusal = (
                403,
                f"origin {origin} is not allowed (see --cors-origin)",
                "invalid_origin",
                None,
            )
        elif not settings.accepts(conn.headers.get("authorization")):
            refusal = (401, TOKEN_MESSAGE, "invalid_api_key", {"WWW-Authenticate": "Bearer"})
        if refusal is not None:
            status, message, code, headers = refusal
            log.info("refused %s %s: %s", scope["method"], path, message)
            await error_response(path, status, message, code=code, headers=headers)(
                scope, receive, send
            )
            return
        length = conn.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            exc = UploadTooLarge(settings.max_upload_bytes)
            await error_response(path, 413, str(exc.detail), param=exc.param, code=exc.code)(
                scope, receive, send
            )
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise UploadTooLarge(settings.max_upload_bytes)
            return message

        await self.app(scope, counted_receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn = HTTPConnection(scope)
        settings = self.settings
        host = conn.headers.get("host")
        if not _hosts_allowed(conn, settings):
            # Not even a handshake: a rebinding page must learn nothing (the client sees 403).
            log.info("refused WebSocket %s: host %r is not served", conn.url.path, host)
            await send({"type": "websocket.close", "code": CloseCode.POLICY})
            return
        origin = conn.headers.get("origin")
        if not settings.origin_allowed(origin, host):
            message = f"origin {origin} is not allowed (see --cors-origin)"
            code = "origin_not_allowed"
        elif not settings.accepts(
            conn.headers.get("authorization"), conn.query_params.get("token")
        ):
            message, code = WS_TOKEN_MESSAGE, "invalid_api_key"
        else:
            await self.app(scope, receive, send)
            return
        log.info("refused WebSocket %s: %s", conn.url.path, message)
        if (await receive())["type"] != "websocket.connect":
            return
        error = json.dumps(ws_error_message(conn.url.path, message, code))
        with contextlib.suppress(OSError):  # the client may be gone already
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": error})
            await send(
                {
                    "type": "websocket.close",
                    "code": CloseCode.POLICY,
                    "reason": close_reason(message),
                }
            )

"""Errors of the API: exceptions for the user, HTTP error bodies, WebSocket close codes.

Routes under ``/v1`` answer errors in OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, so that OpenAI clients show them; the other
routes answer FastAPI's usual ``{"detail": "..."}``.
"""

from __future__ import annotations

from enum import IntEnum

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import LiveCaptionsError


class ServerError(LiveCaptionsError):
    """The API server cannot start as configured."""


class PortInUse(ServerError):
    """Another program already listens on the requested port."""


class CloseCode(IntEnum):
    """WebSocket close codes the server uses (RFC 6455 section 7.4.1)."""

    NORMAL = 1000  # the client asked to close, and every final was sent
    UNSUPPORTED_DATA = 1003  # a frame or message the protocol does not allow
    POLICY = 1008  # missing or wrong token, foreign origin, idle timeout
    TOO_BIG = 1009  # a frame over the size limit
    INTERNAL = 1011  # the engine failed
    TRY_AGAIN = 1013  # too many streams, or the engine cannot keep up


def close_reason(text: str) -> str:
    """A WebSocket close reason: at most 123 bytes of UTF-8."""
    data = text.encode()
    return text if len(data) <= 123 else data[:120].decode(errors="ignore") + "..."


class ApiError(HTTPException):
    """An HTTP error with the fields of OpenAI's error object."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.param = param
        self.code = code


class UploadTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the upload is larger than the server's limit of {limit:,} bytes",
            param="file",
            code="file_too_large",
        )


class ClientGone(Exception):
    """The client disconnected while its request was worked on; nobody reads an answer."""


_TYPES = {401: "invalid_request_error", 404: "invalid_request_error", 413: "invalid_request_error"}


def error_response(
    path: str,
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The error body for ``path``: OpenAI's shape under /v1, FastAPI's elsewhere."""
    if path.startswith("/v1/") or path == "/v1":
        kind = "server_error" if status >= 500 else _TYPES.get(status, "invalid_request_error")
        body: dict[str, object] = {
            "error": {"message": message, "type": kind, "param": param, "code": code}
        }
    else:
        body = {"detail": message}
    return JSONResponse(body, status_code=status, headers=headers)


def ws_error_message(path: str, message: str, code: str) -> dict[str, object]:
    """A WebSocket ``error`` message for ``path``: a Realtime error event under /v1 (OpenAI's
    shape, as its clients expect), ``{"type": "error", "message"}`` elsewhere."""
    if path.startswith("/v1/") or path == "/v1":
        detail = {"type": "invalid_request_error", "code": code, "message": message}
        return {"type": "error", "error": {**detail, "param": None, "event_id": None}}
    return {"type": "error", "message": message}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(
        request.url.path,
        exc.status_code,
        str(exc.detail),
        param=getattr(exc, "param", None),
        code=getattr(exc, "code", None),
        headers=getattr(exc, "headers", None),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """A request the schema refuses. A missing required field is 422, as FastAPI answers it; a
    field with a value the server cannot use is 400, as every other bad option value is (a
    ``temperature`` that is not a number as much as a ``chinese`` that names no script)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    bad = [e for e in errors if e.get("type") != "missing"]
    if not bad and not request.url.path.startswith("/v1/"):
        return JSONResponse({"detail": _jsonable(errors)}, status_code=422)  # FastAPI's own
    first = (bad or errors or [{}])[0]
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "header")]
    param = ".".join(loc) or None
    message = (
        f"{param}: {first.get('msg', 'invalid value')}"
        if param
        else str(first.get("msg", "invalid request"))
    )
    status, code = (400, "invalid_value") if bad else (422, str(first.get("type", "missing")))
    return error_response(request.url.path, status, message, param=param, code=code)


def _jsonable(errors: object) -> object:
    from fastapi.encoders import jsonable_encoder

    # Bytes inputs (a malformed upload) are not JSON; show their repr instead.
    return jsonable_encoder(errors, custom_encoder={bytes: lambda b: repr(b[:40])})


async def _client_gone(request: Request, exc: Exception) -> Response:
    # 499, as nginx logs it: the client closed the connection; nothing is sent.
    return Response(status_code=499)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ClientGone, _client_gone)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)

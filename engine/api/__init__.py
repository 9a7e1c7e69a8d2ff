"""The local API: FastAPI app factory, settings and an embedded uvicorn runner.

Only this package imports FastAPI and uvicorn; the engine core stays free of them. The names
below load on first use, so that ``live-captions --help`` does not import the web stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ApiServer": ".runner",
    "PortInUse": ".errors",
    "ServerError": ".errors",
    "ServerSettings": ".settings",
    "create_app": ".app",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""One program per port: a second API server on a port in use fails with a clear message (on
Windows SO_REUSEADDR would have let it bind), while the first keeps serving."""

from __future__ import annotations

import socket
import sys

import httpx
import pytest

from engine.api import ApiServer, PortInUse, ServerSettings
from engine.api.runner import address_options


def test_a_second_server_on_the_same_port_fails_clearly(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with ApiServer(ServerSettings(port=0), tiny_recognizer) as first:
        second = ApiServer(ServerSettings(port=first.port), tiny_recognizer)
        with pytest.raises(PortInUse) as caught:
            second.start(timeout=30)
        message = str(caught.value)
        assert f"port {first.port} on 127.0.0.1 is already in use" in message
        assert "--port" in message
        assert httpx.get(f"{first.url}/health", timeout=10).status_code == 200


def test_the_port_is_exclusive_on_windows_and_reusable_after_time_wait_on_posix() -> None:
    assert address_options("win32") == ("SO_EXCLUSIVEADDRUSE",)
    assert address_options("linux") == address_options("darwin") == ("SO_REUSEADDR",)
    assert all(hasattr(socket, name) for name in address_options())  # this platform has them
    if sys.platform == "win32":
        assert "SO_REUSEADDR" not in address_options()


def test_the_listening_socket_is_not_inherited_by_programs_the_app_starts() -> None:
    from engine.api.runner import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    try:
        assert not sock.get_inheritable()
    finally:
        sock.close()

"""The embedded API restarted on the port it just released (Settings changed): a port still
held for a moment, as Windows holds an exclusive one while old connections settle, is tried
again instead of reported as taken; a port another program holds is still reported."""

from __future__ import annotations

import logging
import socket

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("PySide6")

from desktop_app.api_server import EmbeddedApi


def hold(port: int) -> socket.socket:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", port))
    blocker.listen(1)
    return blocker


class ReleaseOnRetry(logging.Handler):
    """Frees the port when the restart says it will try again (as the old connections settle)."""

    def __init__(self, blocker: socket.socket) -> None:
        super().__init__(logging.INFO)
        self.blocker = blocker
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "trying again" in record.getMessage():
            self.retries += 1
            self.blocker.close()


def test_a_restart_waits_for_its_own_port(tiny_recognizer, caplog) -> None:  # type: ignore[no-untyped-def]
    from engine.scheduler import Scheduler

    caplog.set_level(logging.INFO, logger="desktop_app.api")

    api = EmbeddedApi()
    with Scheduler(tiny_recognizer) as scheduler:
        status = api.start(tiny_recognizer, scheduler, 0, "", "balanced")
        assert api.running and not api.error, status
        port = api._runner.port
        api.stop()
        # The port is busy after the stop, and free again once the restart has been refused.
        blocker = hold(port)
        releaser = ReleaseOnRetry(blocker)
        logging.getLogger("desktop_app.api").addHandler(releaser)
        try:
            status = api.start(tiny_recognizer, scheduler, port, "", "balanced")
        finally:
            logging.getLogger("desktop_app.api").removeHandler(releaser)
            blocker.close()
        assert releaser.retries == 1
        assert api.running and not api.error, api.error
        assert str(port) in status
        api.stop()
        # Another program's port (not the one this app released) fails at once.
        other = hold(0)
        try:
            api.start(tiny_recognizer, scheduler, other.getsockname()[1], "", "balanced")
            assert not api.running and "already in use" in api.error
        finally:
            other.close()

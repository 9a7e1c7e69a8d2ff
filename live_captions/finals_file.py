"""Signals that stop a command the way Ctrl-C does, so that it finishes its stream and keeps
every word (the final text goes to a file through :class:`engine.finals_file.FinalsFile`)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from engine.finals_file import FinalsFile

from .stop_signals import stop_signals

__all__ = ["FinalsFile", "signals_interrupt"]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM, SIGHUP and SIGBREAK (see STOP_SIGNALS) stop the command the
    way Ctrl-C does, so that it finishes its stream and keeps every word. Main thread only."""
    kinds = stop_signals()
    previous = {kind: signal.signal(kind, _interrupt) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, handler)

"""Final words to a file as they come, so that no signal loses what was said.

Each final is written and flushed at once (a killed process leaves it in the file); each
utterance's end is also fsynced (a machine that loses power keeps every finished utterance).
One line per utterance, as ``listen`` prints them (caption_text: sentence case, the script's
spacing).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

from engine.ctc import Word
from engine.transcript import caption_text
from engine.units import needs_space

from .stop_signals import stop_signals

log = logging.getLogger("live_captions")


class FinalsFile:
    """Appends final words to ``path`` (created empty when opened)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = path.open("w", encoding="utf-8")
        self._line_open = False
        self._last = ""  # the line's text so far ends with this (for the spacing rule)
        self._translations: list[str] = []  # waiting for the open line to end

    def add(self, words: tuple[Word, ...] | list[Word]) -> None:
        if not words or self._file is None:
            return
        text = caption_text([w.text for w in words], not self._line_open)
        space = " " if self._line_open and needs_space(self._last, text) else ""
        self._file.write(space + text)
        self._file.flush()
        self._line_open = True
        self._last = text

    def translation(self, text: str) -> None:
        """A sentence's translation, on its own line (after the open line, if one is open)."""
        self._translations.append(" ".join(text.split()))
        if not self._line_open:
            self._write_translations()

    def end_utterance(self) -> None:
        if self._file is None or not self._line_open:
            return
        self._file.write("\n")
        self._line_open = False
        self._write_translations()

    def _write_translations(self) -> None:
        if self._file is None:
            return
        for text in self._translations:
            self._file.write(f"{text}\n")
        self._translations = []
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self.end_utterance()
            self._file.close()
            self._file = None

    def __enter__(self) -> FinalsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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

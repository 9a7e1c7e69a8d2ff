"""The running transcript of live sessions (the engine's :class:`Captions`), and its copy on
disk. No Qt here.

Words are kept as the engine gives them (with times), grouped by utterance, so that the
window can show one line per utterance and exports get real timestamps.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from pathlib import Path
from typing import TextIO

from engine.captions import SESSION_GAP_S, Captions, Utterance
from engine.ctc import Word
from engine.streaming import Event, EventType
from engine.units import needs_space

log = logging.getLogger("desktop_app.transcript")


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


# The running transcript is the engine's caption model; the name is the one the app knows.
LiveTranscript = Captions
__all__ = ["SESSION_GAP_S", "LiveTranscript", "TranscriptLog", "Utterance", "clock"]


class TranscriptLog:
    """Appends a live session's final words to a text file as they come, flushed each time and
    fsynced at each utterance's end.

    One file per session, named by its start time, one line per utterance:
    ``[HH:MM:SS] Words of the utterance`` with the time since the session started.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self._file: TextIO | None = None
        self._started: _dt.datetime | None = None  # the session's start; None: no session
        self._line_open = False
        self._last = ""  # the text last written on the open line
        self._captions = Captions(history=False)  # casing by the engine's caption model

    def open(self, now: _dt.datetime | None = None) -> None:
        """Start a session; its file is created with the first final words (none: no file)."""
        self.close()
        self._started = now or _dt.datetime.now()
        self.path = None

    def _create(self) -> bool:
        stamp = f"{self._started:%Y-%m-%d_%H-%M-%S}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"captions-{stamp}.txt"
            for n in range(2, 100):
                if not path.exists():
                    break
                path = self.folder / f"captions-{stamp}-{n}.txt"
            self._file = path.open("a", encoding="utf-8")
        except OSError as exc:
            log.warning("cannot write the session transcript in %s: %s", self.folder, exc)
            self._started = None
            return False
        self.path = path
        self._line_open = False
        self._last = ""
        return True

    def add_final(self, words: tuple[Word, ...]) -> None:
        if not words or (self._file is None and (self._started is None or not self._create())):
            return
        if not self._line_open:
            self._captions.end_utterance()
        text = self._captions.handle(Event(EventType.FINAL, words[-1].end, words)).text
        if self._line_open:
            self._write((" " if needs_space(self._last, text) else "") + text)
        else:
            self._write(f"[{clock(words[0].start)}] " + text)
            self._line_open = True
        self._last = text

    def end_utterance(self) -> None:
        self._captions.end_utterance()
        if self._line_open:
            self._write("\n", sync=True)
            self._line_open = False

    def close(self) -> None:
        self.end_utterance()
        if self._file is not None:
            self._file.close()
            self._file = None
        self._started = None

    def _write(self, text: str, sync: bool = False) -> None:
        """Flushed at once (a killed app keeps it); ``sync``: on the disk too (utterance ends:
        a machine that loses power keeps every finished line)."""
        assert self._file is not None
        try:
            self._file.write(text)
            self._file.flush()
            if sync:
                os.fsync(self._file.fileno())
        except OSError as exc:
            log.warning("writing the session transcript failed: %s", exc)
            self._file = self._started = None

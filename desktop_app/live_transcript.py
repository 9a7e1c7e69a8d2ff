"""The running transcript of live sessions (the engine's :class:`Captions`, fed the session's
caption updates), and its copy on disk. No Qt here.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from engine.captions import SESSION_GAP_S, Captions, Utterance
from engine.finals_file import FinalsFile, clock, time_of_day
from engine.pipeline import CaptionUpdate, UpdateKind

log = logging.getLogger("desktop_app.transcript")

# The running transcript is the engine's caption model; the name is the one the app knows.
LiveTranscript = Captions
__all__ = [
    "SESSION_GAP_S",
    "LiveTranscript",
    "TranscriptLog",
    "Utterance",
    "clock",
    "time_of_day",
]


class TranscriptLog:
    """Appends a live session's final text to a text file as it comes, flushed each time and
    fsynced at each utterance's end (:class:`FinalsFile`).

    One file per session, named by its start time, one line per utterance:
    ``[HH:MM:SS] Words of the utterance`` with the time of day it was said (as the window
    shows it).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self._file: FinalsFile | None = None
        self._started: _dt.datetime | None = None  # the session's start; None: no session
        self._origin = 0.0  # the session's start on the caption pipeline's clock

    def open(self, now: _dt.datetime | None = None, origin: float = 0.0) -> None:
        """Start a session; its file is created with the first final words (none: no file)."""
        self.close()
        self._started = now or _dt.datetime.now()
        self._origin = origin
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
            self._file = FinalsFile(path, origin=self._origin, started=self._started)
        except OSError as exc:
            log.warning("cannot write the session transcript in %s: %s", self.folder, exc)
            self._started = None
            return False
        self.path = path
        return True

    def write(self, update: CaptionUpdate) -> None:
        """One caption update of the session's pipeline."""
        if self._file is None:
            if update.kind is not UpdateKind.FINAL or not update.words:
                return
            if self._started is None or not self._create():
                return
        assert self._file is not None
        try:
            self._file.write(update)
        except OSError as exc:
            log.warning("writing the session transcript failed: %s", exc)
            self._file = self._started = None

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                log.warning("writing the session transcript failed: %s", exc)
            self._file = None
        self._started = None

"""The running transcript of live sessions, and its copy on disk. No Qt here.

Words are kept as the engine gives them (with times), grouped by utterance, so that the
window can show one line per utterance and exports get real timestamps.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import os
from pathlib import Path
from typing import TextIO

from engine.ctc import Word
from engine.transcript import Transcript, caption_text, group_segments
from engine.units import needs_space

log = logging.getLogger("desktop_app.transcript")

SESSION_GAP_S = 2.0  # time put between two live sessions in one transcript


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclasses.dataclass
class Utterance:
    words: list[Word]  # final words, times on the transcript's clock

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    def text(self, cased: bool = True) -> str:
        return caption_text([w.text for w in self.words], cased=cased)


class LiveTranscript:
    """Final words by utterance, plus the current partial tail."""

    def __init__(self) -> None:
        self.utterances: list[Utterance] = []
        self.partial: list[Word] = []
        self._offset = 0.0  # added to the stream times of the current session
        self._open = False  # the last utterance still takes words

    def begin_session(self) -> None:
        """A new live stream starts at time 0; place it after what is already here."""
        words = self.words
        self._offset = words[-1].end + SESSION_GAP_S if words else 0.0
        self.end_utterance()

    def add_final(self, words: tuple[Word, ...]) -> None:
        if not self._open:
            self.utterances.append(Utterance([]))
            self._open = True
        self.utterances[-1].words += [self._shift(w) for w in words]
        self.partial = []

    def set_partial(self, words: tuple[Word, ...]) -> None:
        self.partial = [self._shift(w) for w in words]

    def end_utterance(self) -> None:
        self._open = False
        self.partial = []

    def clear(self) -> None:
        self.utterances.clear()
        self.partial = []
        self._open = False

    @property
    def current(self) -> Utterance | None:
        """The utterance that new words join, if one is open."""
        return self.utterances[-1] if self._open and self.utterances else None

    @property
    def words(self) -> list[Word]:
        return [w for u in self.utterances for w in u.words]

    def partial_text(self, cased: bool = True) -> str:
        return caption_text(
            [w.text for w in self.partial], start_of_sentence=self.current is None, cased=cased
        )

    def text(self, cased: bool = True) -> str:
        """Final text, one line per utterance."""
        return "\n".join(u.text(cased) for u in self.utterances if u.words)

    def transcript(self, model: str = "") -> Transcript:
        words = self.words
        duration = words[-1].end if words else 0.0
        return Transcript(tuple(group_segments(words)), duration, model, "live captions")

    def _shift(self, word: Word) -> Word:
        if not self._offset:
            return word
        return dataclasses.replace(
            word, start=word.start + self._offset, end=word.end + self._offset
        )


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
        raw = [w.text for w in words]
        if self._line_open:
            text = caption_text(raw, start_of_sentence=False)
            self._write((" " if needs_space(self._last, text) else "") + text)
        else:
            text = caption_text(raw)
            self._write(f"[{clock(words[0].start)}] " + text)
            self._line_open = True
        self._last = text

    def end_utterance(self) -> None:
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

"""A stream's final text to a file as it comes, so that nothing said is lost: ``listen
--output`` and the app's session transcripts both write through :class:`FinalsFile`.

Each final is written and flushed at once (a killed process leaves it in the file); each line's
end (an utterance's end, the stream's end or error) is also fsynced (a machine that loses power
keeps every finished line). One line per utterance, as the stream's caption pipeline shows it.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TextIO

from .pipeline import LINE_ENDS, CaptionUpdate, UpdateKind


def clock(seconds: float) -> str:
    """``HH:MM:SS`` of a time in seconds (negative times read as 0)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def time_of_day(zero: _dt.datetime, seconds: float) -> str:
    """``HH:MM:SS``, the time of day ``seconds`` after ``zero``: the app's live transcripts
    (window and files) show when each line was said."""
    return f"{zero + _dt.timedelta(seconds=max(0.0, seconds)):%H:%M:%S}"


class FinalsFile:
    """Appends the final text of a stream's caption updates to ``path`` (created empty).

    ``origin``: when given, each line starts with ``[HH:MM:SS] ``, its first word's time since
    ``origin`` (on the pipeline's clock); with ``started`` too (the time of day at ``origin``),
    the time of day it was said. Errors writing are :class:`OSError`, for the owner to report.
    """

    def __init__(
        self, path: Path, origin: float | None = None, started: _dt.datetime | None = None
    ) -> None:
        self.path = path
        self.origin = origin
        # The time of day at 0 on the pipeline's clock, when lines carry times of day.
        self._zero = None if started is None else started - _dt.timedelta(seconds=origin or 0.0)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = path.open("w", encoding="utf-8")
        self._line_open = False
        self._translations: list[str] = []  # sentences' translations waiting for the line's end

    def write(self, update: CaptionUpdate) -> None:
        """Take in one caption update: finals are appended, line ends end the line."""
        if self._file is None:
            return
        if update.kind is UpdateKind.FINAL and update.units:
            if self._line_open:
                text = update.spaced_text
            else:
                stamp = "" if self.origin is None else f"[{self._stamp(update.start)}] "
                text = stamp + update.text
            self._line_open = True
            self._file.write(text)
            self._file.flush()
        elif update.kind in LINE_ENDS:
            self.end_line()
        elif update.kind is UpdateKind.TRANSLATION:
            # On a line of its own, indented, after the caption line that is open (if any).
            self._translations.append("  " + " ".join(update.translation.split()))
            if not self._line_open:
                self.end_line()

    def _stamp(self, time: float) -> str:
        assert self.origin is not None
        if self._zero is not None:
            return time_of_day(self._zero, time)
        return clock(time - self.origin)

    def write_line(self, line: str) -> None:
        """Write a whole line (``listen``'s labelled lines of several sources), on the disk too."""
        if self._file is None:
            return
        self.end_line()
        self._file.write(line)
        self._line_open = True
        self.end_line()

    def end_line(self) -> None:
        """End the open line, on the disk too (fsync)."""
        if self._file is None or not (self._line_open or self._translations):
            return
        if self._line_open:
            self._file.write("\n")
        self._line_open = False
        self._file.writelines(f"{text}\n" for text in self._translations if text.strip())
        self._translations = []
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            try:
                self.end_line()
            finally:
                self._file.close()
                self._file = None

    def __enter__(self) -> FinalsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

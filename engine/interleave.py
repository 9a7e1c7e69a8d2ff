"""Several sources' caption lines in one time order: each source is one stream with its own
caption pipeline; a finished line goes out, labelled, once no other source can still produce
a line that starts before it (by the line's first word on the pipelines' shared clock).
``listen`` with several sources and the desktop app with two both use it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .pipeline import LINE_ENDS, CaptionPipeline, CaptionUpdate, UpdateKind
from .streaming import Event, EventType

log = logging.getLogger("engine.interleave")


@dataclass
class Source:
    label: str
    pipeline: CaptionPipeline
    text: str = ""  # the open line's final text
    start: float | None = None  # its first word's start
    floor: float = 0.0  # no later word of this source starts before this
    done: bool = False
    updates: list[CaptionUpdate] = field(default_factory=list)  # the open line's finals
    partial: CaptionUpdate | None = None  # the open line's unfinal tail, if any

    @property
    def watermark(self) -> float:
        """No line of this source still to come starts before this (audio clock)."""
        if self.done:
            return float("inf")
        return self.floor if self.start is None else self.start


@dataclass(order=True)
class Line:
    start: float
    index: int
    text: str = field(compare=False)
    ready_at: float = field(compare=False)  # monotonic clock when it ended
    updates: list[CaptionUpdate] = field(compare=False, default_factory=list)  # its finals


@dataclass(frozen=True)
class OpenLine:
    """A line not in the time order yet: finished but waiting for another source's earlier
    words, or still being said (its final words so far and the unfinal tail)."""

    start: float  # its first word's start (audio clock)
    label: str  # its source's
    text: str  # the final words
    partial: str = ""  # the unfinal tail
    space: bool = False  # a space goes between ``text`` and ``partial``


def _log_note(message: str) -> None:
    log.info("%s", message)


class Interleaver:
    """Orders the sources' finished lines by their start on the audio clock: a line goes out
    (``write("LABEL: text")``, see :meth:`emit`) once no other source can still produce one
    that starts before it (or, live, after ``hold_s`` of wall time). ``note``: a source's end,
    error or overload, as ``[LABEL: ...]``."""

    def __init__(
        self,
        sources: list[Source],
        write: Callable[[str], None],
        hold_s: float | None,
        note: Callable[[str], None] = _log_note,
    ):
        self.sources = sources
        self.write = write
        self.hold_s = hold_s
        self.note = note
        self.pending: list[Line] = []
        self.translations: list[tuple[int, CaptionUpdate]] = []  # waiting for their line

    def take(self, index: int, event: Event) -> None:
        source = self.sources[index]
        self.updates(index, source.pipeline.handle(event))
        if event.type is EventType.END:
            self.note(f"[{source.label}: ended]")
        self.release()

    def poll(self) -> None:
        """The translations that came since (a translation stage works in the background)."""
        for index, source in enumerate(self.sources):
            self.updates(index, source.pipeline.poll())
        self.release()

    def updates(self, index: int, updates: list[CaptionUpdate]) -> None:
        """Take in one source's caption updates (call :meth:`release` after)."""
        source = self.sources[index]
        for update in updates:
            if update.kind in (UpdateKind.PARTIAL, UpdateKind.FINAL, *LINE_ENDS):
                partial = update.kind is UpdateKind.PARTIAL and update.units
                source.partial = update if partial else None
            if update.kind is UpdateKind.TRANSLATION:
                self.translations.append((index, update))
            elif update.kind is UpdateKind.FINAL and update.units:
                if source.start is None:
                    source.start, source.text = update.start, update.text
                else:
                    source.text += update.spaced_text
                source.updates.append(update)
                source.floor = max(source.floor, update.end)
            elif update.kind in LINE_ENDS and source.start is not None:
                line = Line(source.start, index, source.text, time.monotonic(), source.updates)
                self.pending.append(line)
                source.start, source.text, source.updates = None, "", []
            if update.kind in (UpdateKind.END, UpdateKind.ERROR):
                source.done = True
            if update.kind in (UpdateKind.ERROR, UpdateKind.OVERLOAD):
                self.note(f"[{source.label}: {update.kind}: {update.message}]")

    def release(self, final: bool = False) -> None:
        self._release_lines(final)
        # A sentence's translation, indented, once its line is out.
        for index, update in list(self.translations):
            source = self.sources[index]
            waiting = [line for line in self.pending if line.index == index]
            if any(line.start <= update.start for line in waiting) or (
                source.start is not None and source.start <= update.start
            ):
                continue
            self.translations.remove((index, update))
            self.emit_translation(index, update)

    def open_lines(self) -> list[OpenLine]:
        """What is said but not out yet, in time order: the finished lines held back, then,
        by their start, each source's open line (partial words too)."""
        lines = [OpenLine(x.start, self.sources[x.index].label, x.text) for x in self.pending]
        for source in self.sources:
            tail = source.partial
            start = source.start if source.start is not None else tail.start if tail else None
            if start is None:
                continue
            partial = tail.source_text if tail is not None else ""
            space = tail is not None and tail.space_before
            lines.append(OpenLine(start, source.label, source.text, partial, space))
        return sorted(lines, key=lambda line: line.start)

    def emit(self, line: Line) -> None:
        """A finished line, in its turn: ``LABEL: text``."""
        self.write(f"{self.sources[line.index].label}: {line.text}")

    def emit_translation(self, index: int, update: CaptionUpdate) -> None:
        """A sentence's translation, after its line: ``  LABEL: text``, indented."""
        text = update.translation or f"[{update.message or 'no translation'}]"
        self.write(f"  {self.sources[index].label}: {' '.join(text.split())}")

    def _release_lines(self, final: bool) -> None:
        now = time.monotonic()
        while self.pending:
            line = min(self.pending)
            others = [
                (s.watermark, i)
                for i, s in enumerate(self.sources)
                if i != line.index and not s.done
            ]
            late = self.hold_s is not None and now - line.ready_at >= self.hold_s
            if not (final or late or all((line.start, line.index) < o for o in others)):
                return
            self.pending.remove(line)
            self.emit(line)

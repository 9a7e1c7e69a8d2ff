"""The captions of a stream as they stand: final words by line (utterance), as shown, and the
partial tail. It only accumulates :class:`~engine.pipeline.CaptionUpdate` objects; the text is
made once, by the stream's :class:`~engine.pipeline.CaptionPipeline`. No GUI, no threads.

A view that shows a whole transcript (the app's window, ``listen``) feeds the updates of its
stream's pipeline to :meth:`Captions.apply`. Whoever holds a stream holds its one pipeline
(the desktop session, ``listen``, the server's live sessions); nothing here runs one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .config import SegmentOptions
from .ctc import Word
from .pipeline import LINE_ENDS, SESSION_GAP_S, CaptionPipeline, CaptionUpdate, UpdateKind
from .streaming import Event, EventType, StreamOptions
from .transcript import Segment, Transcript, group_segments
from .units import join_units

__all__ = ["SESSION_GAP_S", "Captions", "Utterance", "caption_segments", "caption_units"]

UTTERANCE_GAP_S = StreamOptions().utterance_gap_s  # a pause that ends a stream's utterance
KEPT_LINES = 64  # the newest lines a word is looked for in (a late translation's sentence)


@dataclass
class Utterance:
    """One line of captions: final words (times on the pipeline's clock) and how they show."""

    words: list[Word] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the words as shown (cased, punctuated)
    translations: list[str] = field(default_factory=list)  # its sentences' translations

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    def text(self) -> str:
        return join_units(self.units)


class Captions:
    """Final words by line, plus the current partial tail."""

    def __init__(self) -> None:
        self.utterances: list[Utterance] = []
        self.partial: list[Word] = []
        self.partial_units: list[str] = []  # the partial words as shown
        self.partial_space = False  # a space goes between the line's finals and the partial
        self._open = False  # the last line still takes words

    # feeding ---------------------------------------------------------------------------------
    def apply(self, update: CaptionUpdate) -> None:
        """Take in one update of the stream's pipeline."""
        if update.kind is UpdateKind.FINAL and update.words:
            self._add_final(update)
        elif update.kind is UpdateKind.PARTIAL:
            self.partial, self.partial_units = list(update.words), list(update.units)
            self.partial_space = update.space_before
        elif update.kind in LINE_ENDS:
            self._close_line()
        elif update.kind is UpdateKind.TRANSLATION and update.words:
            line = self.line_of(update.words[0])
            if line is not None and update.translation.strip():
                line.translations.append(update.translation)

    def line_of(self, word: Word) -> Utterance | None:
        """The line that holds ``word`` (the newest lines are looked at first); else the last
        line that starts before it. Lines of several sources overlap in time, so a line's
        start alone may point at another source's line."""
        for utterance in reversed(self.utterances[-KEPT_LINES:]):
            if word in utterance.words:
                return utterance
        for utterance in reversed(self.utterances):
            if utterance.words and utterance.words[0].start <= word.start:
                return utterance
        return None

    def _close_line(self) -> None:
        self._open = False
        self.partial, self.partial_units, self.partial_space = [], [], False

    def clear(self) -> None:
        self.utterances.clear()
        self._close_line()

    # reading ---------------------------------------------------------------------------------
    @property
    def current(self) -> Utterance | None:
        """The line that new words join, if one is open."""
        return self.utterances[-1] if self._open and self.utterances else None

    @property
    def words(self) -> list[Word]:
        return [w for u in self.utterances for w in u.words]

    def partial_text(self) -> str:
        return join_units(self.partial_units)

    def text(self) -> str:
        """Final text, one line per utterance."""
        return "\n".join(u.text() for u in self.utterances if u.words)

    def transcript(self, model: str = "", source: str = "live captions") -> Transcript:
        """The final words as caption segments, shown as they were on screen."""
        words = self.words
        duration = words[-1].end if words else 0.0
        units = [u for line in self.utterances for u in line.units]
        segments = _with_units(group_segments(words), units)
        return Transcript(tuple(segments), duration, model, source)

    def _add_final(self, update: CaptionUpdate) -> None:
        if not self._open:
            self.utterances.append(Utterance())
            self._open = True
        self.utterances[-1].words += update.words
        self.utterances[-1].units += update.units
        self.partial, self.partial_units, self.partial_space = [], [], False


def caption_units(
    words: Sequence[Word],
    pipeline: CaptionPipeline | None = None,
    gap_s: float = UTTERANCE_GAP_S,
) -> list[str]:
    """A file's words as a stream's caption pipeline shows them, one unit per word: a pause of
    ``gap_s`` or more between two words ends an utterance, as it does in a stream."""
    pipeline = pipeline or CaptionPipeline()
    units: list[str] = []

    def take(event: Event) -> None:
        for update in pipeline.handle(event):
            if update.kind is UpdateKind.FINAL:
                units.extend(update.units)

    line: list[Word] = []
    for word in words:
        if line and word.start - line[-1].end >= gap_s:
            take(Event(EventType.FINAL, line[-1].end, tuple(line)))
            take(Event(EventType.UTTERANCE_END, line[-1].end))
            line = []
        line.append(word)
    if line:
        take(Event(EventType.FINAL, line[-1].end, tuple(line)))
    take(Event(EventType.END, line[-1].end if line else 0.0))
    return units


def caption_segments(
    words: Sequence[Word], options: SegmentOptions = SegmentOptions()
) -> list[Segment]:
    """A file's words as caption segments whose text is a stream's for the same words."""
    words = list(words)
    return _with_units(group_segments(words, options), caption_units(words))


def _with_units(segments: list[Segment], units: list[str]) -> list[Segment]:
    out, i = [], 0
    for segment in segments:
        n = len(segment.words)
        out.append(Segment(segment.start, segment.end, segment.words, tuple(units[i : i + n])))
        i += n
    return out

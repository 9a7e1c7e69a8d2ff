"""The captions of a stream as they stand: final words by line (utterance), as shown, and the
partial tail. It only accumulates :class:`~engine.pipeline.CaptionUpdate` objects; the text is
made once, by the stream's :class:`~engine.pipeline.CaptionPipeline`. No GUI, no threads.

A view that shows a whole transcript (the app's window, ``listen``) feeds the updates of its
stream's pipeline to :meth:`Captions.apply`; :meth:`Captions.handle` runs events through a
pipeline of its own first (for code that holds only events).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ctc import Word
from .pipeline import LINE_ENDS, SESSION_GAP_S, CaptionPipeline, CaptionUpdate, UpdateKind
from .streaming import Event
from .transcript import Transcript, group_segments
from .units import join_units

__all__ = ["SESSION_GAP_S", "Captions", "Utterance"]


@dataclass
class Utterance:
    """One line of captions: final words (times on the pipeline's clock) and how they show."""

    words: list[Word] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the words as shown (cased, punctuated)

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    def text(self) -> str:
        return join_units(self.units)


class Captions:
    """Final words by line, plus the current partial tail."""

    def __init__(self, history: bool = True, pipeline: CaptionPipeline | None = None) -> None:
        self.history = history  # keep every line; False: only the current one (servers)
        self.pipeline = pipeline or CaptionPipeline()  # for :meth:`handle`
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

    def handle(self, event: Event) -> CaptionUpdate:
        """An engine event through this captions' own pipeline; the update of the event's kind
        (an empty one when a stage holds the words back)."""
        updates = self.pipeline.handle(event)
        for update in updates:
            self.apply(update)
        kind = UpdateKind(event.type.value)
        mine = [u for u in updates if u.kind is kind]
        return mine[-1] if mine else CaptionUpdate(kind, event.time + self.pipeline.offset)

    def begin_session(self, offset: float | None = None) -> None:
        """A new stream on this captions' pipeline (see :meth:`CaptionPipeline.begin_stream`)."""
        for update in self.pipeline.begin_stream(offset):
            self.apply(update)
        self._close_line()

    def end_utterance(self) -> None:
        """The line ends (a pause): through the pipeline, so the next final starts a line."""
        time = self.utterances[-1].words[-1].end if self.current and self.current.words else 0.0
        for update in self.pipeline.push(CaptionUpdate(UpdateKind.UTTERANCE_END, time)):
            self.apply(update)

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
        words = self.words
        duration = words[-1].end if words else 0.0
        return Transcript(tuple(group_segments(words)), duration, model, source)

    def _add_final(self, update: CaptionUpdate) -> None:
        if not self._open:
            if not self.history:
                self.utterances.clear()
            self.utterances.append(Utterance())
            self._open = True
        self.utterances[-1].words += update.words
        self.utterances[-1].units += update.units
        self.partial, self.partial_units, self.partial_space = [], [], False

"""The caption model every front end reads: final words by utterance, the partial tail, one clock
across stream restarts, and sentence casing. No GUI, no threads.

A front end feeds engine events to :meth:`Captions.handle` and shows what it returns: the
event's words on the captions' clock and their caption text, cased as they stand in their
sentence (a final that continues an utterance does not start with a capital).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .ctc import Word
from .streaming import Event, EventType
from .transcript import Transcript, caption_text, group_segments, sentence_case
from .units import join_units, needs_space

SESSION_GAP_S = 2.0  # time put between two live sessions in one transcript


@dataclass
class Utterance:
    words: list[Word]  # final words, times on the captions' clock

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    def text(self, cased: bool = True) -> str:
        return caption_text([w.text for w in self.words], cased=cased)


@dataclass(frozen=True)
class CaptionUpdate:
    """What one engine event changed, on the captions' clock."""

    type: EventType
    time: float  # the event's time
    words: tuple[Word, ...] = ()  # partial: the whole tail; final: the newly final words
    units: tuple[str, ...] = ()  # the words' texts, cased as they stand in their sentence
    # A space separates these words from the utterance's final text before them (never next to
    # Chinese, Japanese, Thai, ...).
    space_before: bool = False
    message: str = ""  # error and overload: what happened, for the user

    @property
    def text(self) -> str:
        """The caption text of ``words`` (the script's spacing)."""
        return join_units(self.units)

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else self.time

    @property
    def end(self) -> float:
        return self.words[-1].end if self.words else self.time


class Captions:
    """Final words by utterance, plus the current partial tail."""

    def __init__(self, history: bool = True) -> None:
        self.history = history  # keep every utterance; False: only the current one (servers)
        self.utterances: list[Utterance] = []
        self.partial: list[Word] = []
        self._offset = 0.0  # added to the stream times of the current session
        self._open = False  # the last utterance still takes words

    def begin_session(self, offset: float | None = None) -> None:
        """A new stream starts at time 0: place it at ``offset`` on the captions' clock, by
        default after what is already here (plus a gap)."""
        if offset is None:
            words = self.words
            offset = words[-1].end + SESSION_GAP_S if words else 0.0
        self._offset = offset
        self.end_utterance()

    def handle(self, event: Event) -> CaptionUpdate:
        """Take in an engine event; what it changed, for the front end to show."""
        words = tuple(self._shift(w) for w in event.words)
        units: tuple[str, ...] = ()
        space = False
        if event.type in (EventType.PARTIAL, EventType.FINAL):
            current = self.current
            units = tuple(sentence_case([w.text for w in words], current is None))
            before = current.words[-1].text if current and current.words else ""
            space = bool(words) and needs_space(before, words[0].text)
            if event.type is EventType.FINAL:
                self._add_final(words)
            else:
                self.partial = list(words)
        elif event.type in (EventType.UTTERANCE_END, EventType.END):
            self.end_utterance()
        return CaptionUpdate(
            event.type, event.time + self._offset, words, units, space, event.message
        )

    def add_final(self, words: tuple[Word, ...]) -> None:
        self._add_final(tuple(self._shift(w) for w in words))

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

    def transcript(self, model: str = "", source: str = "live captions") -> Transcript:
        words = self.words
        duration = words[-1].end if words else 0.0
        return Transcript(tuple(group_segments(words)), duration, model, source)

    def _add_final(self, words: tuple[Word, ...]) -> None:
        if not self._open:
            if not self.history:
                self.utterances.clear()
            self.utterances.append(Utterance([]))
            self._open = True
        self.utterances[-1].words += words
        self.partial = []

    def _shift(self, word: Word) -> Word:
        if not self._offset:
            return word
        return dataclasses.replace(
            word, start=word.start + self._offset, end=word.end + self._offset
        )

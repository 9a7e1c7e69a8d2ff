"""The caption pipeline: one per stream. Engine events go in once; caption updates come out, and
every view, file writer and API route reads those updates (nobody re-joins or re-cases text).

::

    Event ─► clock ─► CasingStage ─► [punctuation] ─► SentenceStage ─► [translation] ─► spacing ─► updates
             (stream time          (sentence case)                    (SENTENCE after     (space_before of
              to captions' time)                                        each sentence)      each final/partial)

A stage is anything with ``push``, ``flush`` and ``poll`` (:class:`CaptionStage`). The pipeline
passes every update through the stages in order; what a stage returns goes on to the next one.
Finals are append-only: a stage may hold a final back (punctuation waits for a little right
context) and release it later, but never changes a final it has passed on. A stage that holds
finals back puts them in front of the partial tail it passes on, so nothing leaves the screen.

No threads here: a stage that works in the background (translation) hands its results out when
the pipeline is polled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from .ctc import Word
from .streaming import Event, Timed
from .transcript import sentence_case
from .units import join_units, needs_space

SESSION_GAP_S = 2.0  # time put between two streams on one pipeline's clock


class UpdateKind(str, Enum):
    """What a caption update says. The engine's event kinds keep their names; SENTENCE and
    TRANSLATION are made by stages."""

    PARTIAL = "partial"  # the whole unfinal tail, replacing the previous partial
    FINAL = "final"  # newly final words, appended to the open line
    SPEECH_STARTED = "speech_started"  # the first words of an utterance are coming
    UTTERANCE_END = "utterance_end"  # a pause ended the line: the next final starts a new one
    OVERLOAD = "overload"  # the stream fell behind (message says how far)
    ERROR = "error"  # the stream ended with an error (message says why)
    END = "end"  # the stream ended after its last words
    SENTENCE = "sentence"  # a closed sentence: its words and text (all already sent as finals)
    TRANSLATION = "translation"  # a sentence's translation: text, source words, language

    def __str__(self) -> str:
        return self.value


# Updates that end the open line (a pipeline flushes its stages before passing them on).
LINE_ENDS = frozenset({UpdateKind.UTTERANCE_END, UpdateKind.END, UpdateKind.ERROR})
# Units that close a sentence when they end with one of these (punctuation attached by a stage).
SENTENCE_ENDS = (".", "?", "!", "…", "。", "？", "！", "．")


@dataclass(frozen=True)
class CaptionUpdate(Timed):
    """What changed in a stream's captions, on the pipeline's clock."""

    kind: UpdateKind
    time: float  # the stream time it refers to (seconds, on the pipeline's clock)
    # partial: the whole tail; final: the newly final words; sentence/translation: the sentence's
    words: tuple[Word, ...] = ()
    # The words as shown, one per word: cased as they stand in their sentence, with punctuation
    # that a stage attached ("now?"). A word's ``text`` stays as the model spelled it.
    units: tuple[str, ...] = ()
    # A space separates these units from the line's final text before them (the script's rule:
    # never next to Chinese, Japanese, Thai, ...). Set for finals and partials.
    space_before: bool = False
    message: str = ""  # error and overload: what happened, for the user
    translation: str = ""  # TRANSLATION: the translated text
    language: str = ""  # TRANSLATION: the language of ``translation``

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", UpdateKind(self.kind))

    @property
    def source_text(self) -> str:
        """The units as one text, in the script's spacing."""
        return join_units(self.units)

    @property
    def text(self) -> str:
        """What to show: the translation of a TRANSLATION, else the units' caption text."""
        return self.translation if self.kind is UpdateKind.TRANSLATION else self.source_text

    @property
    def spaced_text(self) -> str:
        """The text as appended to the line's text before it (a leading space if one belongs)."""
        return (" " if self.space_before else "") + self.text


class CaptionStage(Protocol):
    """One step of the pipeline. Each method returns the updates to pass on to the next stage,
    in order (an empty list holds everything back; unknown kinds are passed on unchanged)."""

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        """An update from the stage before: what to pass on now (may hold finals back)."""
        ...

    def flush(self) -> list[CaptionUpdate]:
        """A pause, the end of a stream or a new stream: release everything held (the next
        final starts a new line)."""
        ...

    def poll(self) -> list[CaptionUpdate]:
        """Results of background work that became ready since (translation); else []."""
        ...


class CasingStage:
    """Readable casing (:func:`sentence_case`): all-capital model spelling in lower case except
    "I", custom words as typed, and each line's first unit capitalised."""

    def __init__(self) -> None:
        self._line_start = True  # the next final starts a line (a sentence)

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind in (UpdateKind.PARTIAL, UpdateKind.FINAL):
            units = tuple(sentence_case(list(update.units), self._line_start))
            if update.kind is UpdateKind.FINAL and units:
                self._line_start = False
            return [dataclasses.replace(update, units=units)]
        if update.kind in LINE_ENDS:
            self._line_start = True
        return [update]

    def flush(self) -> list[CaptionUpdate]:
        self._line_start = True  # a pause or a new stream: the next final starts a line
        return []

    def poll(self) -> list[CaptionUpdate]:
        return []


class SentenceStage:
    """Closed sentences: after the final that ends one (its last unit ends with ., ?, ! ...)
    and at each line's end, a SENTENCE update with the sentence's words and units. Without a
    punctuation stage before it, a sentence is a line."""

    def __init__(self) -> None:
        self._words: list[Word] = []
        self._units: list[str] = []

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind is not UpdateKind.FINAL:
            ended = self.flush() if update.kind in LINE_ENDS else []
            return ended + [update]
        out = [update]
        for word, unit in zip(update.words, update.units, strict=True):
            self._words.append(word)
            self._units.append(unit)
            if unit.endswith(SENTENCE_ENDS):
                out += self.flush()
        return out

    def flush(self) -> list[CaptionUpdate]:
        if not self._words:
            return []
        words, units = tuple(self._words), tuple(self._units)
        self._words, self._units = [], []
        return [CaptionUpdate(UpdateKind.SENTENCE, words[-1].end, words, units)]

    def poll(self) -> list[CaptionUpdate]:
        return []


def caption_stages(
    punctuation: CaptionStage | None = None, translation: CaptionStage | None = None
) -> list[CaptionStage]:
    """The stages in their order: casing, [punctuation and true casing], sentences,
    [translation]."""
    stages: list[CaptionStage] = [CasingStage()]
    if punctuation is not None:
        stages.append(punctuation)
    stages.append(SentenceStage())
    if translation is not None:
        stages.append(translation)
    return stages


class CaptionPipeline:
    """One stream's captions: engine events in, caption updates out. Not thread-safe: one owner
    feeds it (the GUI thread, a route's task, a command's main loop)."""

    def __init__(self, stages: Sequence[CaptionStage] | None = None) -> None:
        self.stages: list[CaptionStage] = list(caption_stages() if stages is None else stages)
        self.offset = 0.0  # added to the stream times of the current stream
        self._last_end: float | None = None  # end of the last final word, on the clock
        self._line_tail = ""  # the open line's last final unit (for the spacing rule)

    # the clock -------------------------------------------------------------------------------
    def begin_stream(self, offset: float | None = None) -> list[CaptionUpdate]:
        """A new stream starts at time 0: place it at ``offset`` on the pipeline's clock, by
        default after what came before (plus a gap). What the last stream held is released."""
        out = self.finish()
        self.offset = self.next_offset if offset is None else offset
        self._line_tail = ""
        return out

    @property
    def next_offset(self) -> float:
        """Where a next stream goes by default: after the last word, plus a gap (0 when no
        word came since the start or :meth:`reset_clock`)."""
        return self._last_end + SESSION_GAP_S if self._last_end is not None else 0.0

    def reset_clock(self) -> None:
        """Start the clock again at 0 with the next stream (the transcript was cleared)."""
        self._last_end = None

    # updates ---------------------------------------------------------------------------------
    def handle(self, event: Event) -> list[CaptionUpdate]:
        """An engine event as the caption updates it makes (in order)."""
        update = CaptionUpdate(
            UpdateKind(event.type.value),
            event.time + self.offset,
            tuple(self._shift(w) for w in event.words),
            tuple(w.text for w in event.words),
            message=event.message,
        )
        return self.push(update)

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        """An update (on the pipeline's clock) through every stage; a line's end first releases
        what the stages hold."""
        out = self.finish() if update.kind in LINE_ENDS else []
        return out + self._space(self._run([update], 0))

    def poll(self) -> list[CaptionUpdate]:
        """What background stages finished since the last call (translations)."""
        out: list[CaptionUpdate] = []
        for i, stage in enumerate(self.stages):
            out += self._run(stage.poll(), i + 1)
        return self._space(out)

    def finish(self) -> list[CaptionUpdate]:
        """Release everything the stages hold (a pause, the end of the stream)."""
        out: list[CaptionUpdate] = []
        for i, stage in enumerate(self.stages):
            out += self._run(stage.flush(), i + 1)
        return self._space(out)

    def _run(self, updates: Iterable[CaptionUpdate], first: int) -> list[CaptionUpdate]:
        """``updates`` through the stages from index ``first`` on."""
        current = list(updates)
        for stage in self.stages[first:]:
            if not current:
                break
            current = [out for update in current for out in stage.push(update)]
        return current

    def _space(self, updates: list[CaptionUpdate]) -> list[CaptionUpdate]:
        """Each final's and partial's space before it, by the open line's text."""
        out = []
        for update in updates:
            if update.kind in (UpdateKind.FINAL, UpdateKind.PARTIAL) and update.units:
                space = needs_space(self._line_tail, update.units[0])
                update = dataclasses.replace(update, space_before=space)
                if update.kind is UpdateKind.FINAL:
                    self._line_tail = update.units[-1]
                    self._last_end = update.words[-1].end if update.words else self._last_end
            elif update.kind in LINE_ENDS:
                self._line_tail = ""
            out.append(update)
        return out

    def _shift(self, word: Word) -> Word:
        if not self.offset:
            return word
        return dataclasses.replace(word, start=word.start + self.offset, end=word.end + self.offset)

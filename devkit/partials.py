"""Partial captions followed as a display shows them: revisions, growth, delays."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.streaming import Event


class RevisionCounter:
    """Follows the words a caption display shows through partial and final events.

    Each partial shows the unfinal tail; its words sit at fixed positions after the final
    words. A revision is a word shown in a partial that the next partial or final covering its
    position replaces, or that is gone (the next partial is shorter, or the utterance ended
    without it). The word in progress growing ("HEL" -> "HELLO") is counted apart, as growth.
    ``now`` (audio seconds received) times each word's first appearance: ``delays`` holds, per
    final word, that time minus the word's end."""

    def __init__(self) -> None:
        self.finals = 0  # final words so far: the tail's words start at this position
        self.pending: dict[
            int, str
        ] = {}  # position -> word shown by the last partial, not yet final
        self.shown: set[tuple[int, str]] = set()  # every (position, word) a partial has shown
        self.revisions = 0
        self.growth = 0
        self.final_text: list[str] = []
        self.first_shown: dict[tuple[int, str], float] = {}  # (position, word) -> audio time
        self.delays: list[float] = []  # per final word: first shown minus the word's end

    def on_event(self, event: Event, now: float) -> None:
        if event.type == "partial":
            words = {self.finals + i: w.text for i, w in enumerate(event.words)}
            self._compare(words, covers_tail=True)
            self.pending = words
            self.shown.update(words.items())
            for item in words.items():
                self.first_shown.setdefault(item, now)
        elif event.type == "final":
            words = {self.finals + i: w.text for i, w in enumerate(event.words)}
            for item, word in zip(words.items(), event.words):
                self.delays.append(self.first_shown.get(item, now) - word.end)
            self.finals += len(words)
            self.final_text += list(words.values())
            self._compare(words, covers_tail=False)
            for position in words:
                self.pending.pop(position, None)
        elif event.type in ("utterance_end", "end"):
            self.revisions += len(self.pending)  # shown, never made final
            self.pending = {}

    def _compare(self, words: dict[int, str], covers_tail: bool) -> None:
        last = max(self.pending, default=None)
        for position, old in self.pending.items():
            new = words.get(position)
            if new is None:
                self.revisions += covers_tail  # a final leaves later positions to the next partial
            elif new != old:
                if position == last and new.startswith(old):
                    self.growth += 1
                else:
                    self.revisions += 1

"""The caption pipeline's punctuation and true-casing stage (engine.pipeline's protocol): final
words are held until engine.punctuation decides them, then passed on once, with their mark
attached and their case, never changed afterwards. Held words are shown in front of the
partial tail, as the casing stage wrote them, so nothing leaves the screen."""

from __future__ import annotations

import dataclasses

from .ctc import Word
from .pipeline import CaptionPipeline, CaptionStage, CaptionUpdate, UpdateKind, caption_stages
from .punctuation import Punctuated, Punctuation


class PunctuationStage:
    """Punctuation and true casing of finals, append-only; sentence ends it decides close
    sentences for the SentenceStage after it."""

    def __init__(self, punctuation: Punctuation) -> None:
        self.punctuation = punctuation
        self._punctuator = punctuation.punctuator()
        self._shown: dict[int, str] = {}  # held word (id) -> its unit as the casing stage wrote it
        self._now = 0.0  # the latest time any update referred to, on the pipeline's clock

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        self._now = max(self._now, update.time)
        if update.kind is UpdateKind.FINAL:
            for word, unit in zip(update.words, update.units, strict=True):
                self._shown[id(word)] = unit
            return self._finals(self._punctuator.push(update.words, self._now))
        if update.kind is UpdateKind.PARTIAL:
            out = self._finals(self._punctuator.set_tail(update.words, self._now))
            held = self._punctuator.held
            if held:
                units = tuple(self._shown.get(id(w), w.text) for w in held)
                update = dataclasses.replace(
                    update, words=held + update.words, units=units + update.units
                )
            return [*out, update]
        return [*self._finals(self._punctuator.tick(self._now)), update]

    def flush(self) -> list[CaptionUpdate]:
        return self._finals(self._punctuator.flush())

    def poll(self) -> list[CaptionUpdate]:
        return []

    def _finals(self, released: list[Punctuated]) -> list[CaptionUpdate]:
        if not released:
            return []
        words: tuple[Word, ...] = tuple(p.source for p in released)
        for word in words:
            self._shown.pop(id(word), None)
        units = tuple(p.word.text for p in released)
        return [CaptionUpdate(UpdateKind.FINAL, words[-1].end, words, units)]


def caption_pipeline(
    punctuation: Punctuation | None = None, translation: CaptionStage | None = None
) -> CaptionPipeline:
    """A stream's caption pipeline, with the punctuation stage when there is a model and the
    translation stage when given (engine.translation.TranslationStage)."""
    stage = PunctuationStage(punctuation) if punctuation is not None else None
    return CaptionPipeline(caption_stages(punctuation=stage, translation=translation))

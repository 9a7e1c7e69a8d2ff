"""Punctuation and true casing of final words: a token-classification model marks each word
with the punctuation after it and its case, and a live decision rule keeps finals append-only.

A model here is any Hugging Face ``*ForTokenClassification`` checkpoint whose labels follow one
of two conventions (read from its ``config.json``):

- ``<mark><case>``, two characters: the mark after the word (``O`` none, or one of
  ``, . ? ! : ;``) and the word's case (``O`` lower, ``U`` capitalised, ``A`` all capitals).
  felflare/bert-restore-punctuation and the bundled demo model use it.
- ``<mark>`` alone (``0`` none): punctuation only, as oliverguhr's fullstop models and
  kredor/punctuate-all; casing then follows the sentences (:func:`engine.transcript.sentence_case`).

Live, a word is decided once ``lookahead_words`` final words follow it, or a pause after it
is long enough, or the stream pauses or ends: the pause's length pushes towards a sentence end.
A decided word never changes. No Qt, no web framework.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from .config import SegmentOptions
from .ctc import Word
from .errors import PunctuationModelError
from .transcript import Transcript, group_segments
from .units import is_cased, is_unspaced

log = logging.getLogger("engine.punctuation")

SENTENCE_ENDS = (".", "?", "!")
MARKS = ("", ",", ".", "?", "!", ":", ";")
# Marks as written after a character of a script without spaces (Chinese, Japanese).
FULL_WIDTH = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
_ALWAYS_CAPITAL = {"i", "i'm", "i'll", "i've", "i'd"}
FILE_CHUNK_WORDS = 16  # words a file's punctuator takes at a time (one model pass each)
_NO_MARK = {"O", "0", "", "-", "'"}  # hyphens and apostrophes between words are not shown


class Case(Enum):
    LOWER = "O"
    CAPITAL = "U"
    UPPER = "A"


@dataclass(frozen=True)
class PunctuationOptions:
    """How the stage decides; the defaults were chosen on the demo model's development text."""

    enabled: bool = True  # False: words pass through unchanged (--no-punctuation)
    model: str = ""  # hub id or folder; "" picks the model for the caption language
    lookahead_words: int = 2  # right context a live word waits for before it is decided
    pause_release_s: float = 0.6  # a pause this long after a word decides it without lookahead
    # Live, the partial words lag the audio received by up to this much: a pause after the last
    # word counts only from then (a word still being spoken is not a pause).
    tail_lag_s: float = 0.6
    # A pause of ``pause_neutral_s`` leaves the model's sentence-end odds as they are; each
    # second longer multiplies them by e**pause_weight (capped at pause_cap_s).
    pause_neutral_s: float = 0.35
    pause_weight: float = 4.0
    pause_cap_s: float = 1.5
    end_threshold: float = 0.5  # sentence-end probability (after the pause) that ends one
    comma_threshold: float = 0.5  # comma probability that puts one
    context_words: int = 24  # decided words the model sees to the left
    max_words: int = 96  # words per model pass when punctuating a file


@dataclass(frozen=True)
class WordScores:
    """The model's view of one word: probability of each mark after it, of each case."""

    marks: dict[str, float]  # "" (none) and the marks of MARKS
    cases: dict[Case, float]  # empty for punctuation-only models


@dataclass(frozen=True)
class Punctuated:
    """A final word as shown: cased, its mark attached; ``sentence_end`` closes a sentence."""

    word: Word  # the word with its display text
    source: Word  # the word as the speech model gave it
    mark: str  # the mark attached ("" none), ASCII
    sentence_end: bool


class PunctuationModel(Protocol):
    """What the stage needs from a model: scores for words (in order, lower-cased or not)."""

    name: str
    cased: bool  # whether it predicts case

    def scores(self, words: Sequence[str]) -> list[WordScores]: ...


def parse_label(label: str) -> tuple[str, Case | None]:
    """(mark, case) of a label; case None for punctuation-only labels."""
    if len(label) == 2 and label[1] in "OUA" and (label[0] in _NO_MARK or label[0] in MARKS):
        mark = "" if label[0] in _NO_MARK else label[0]
        return mark, Case(label[1])
    mark = "" if label in _NO_MARK else label
    if mark not in MARKS:
        raise ValueError(f"unknown punctuation label {label!r}")
    return mark, None


class TokenClassifier:
    """A transformers token-classification checkpoint: words in, WordScores out. Thread-safe
    (one forward pass at a time)."""

    def __init__(self, folder: Path, name: str = "", threads: int = 1) -> None:
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        self.name = name or str(folder)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder))
            self._model = AutoModelForTokenClassification.from_pretrained(str(folder)).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise PunctuationModelError(
                f"{self.name} cannot be loaded as a punctuation model ({exc})"
            ) from None
        if not getattr(self._tokenizer, "is_fast", False):
            raise PunctuationModelError(f"{self.name} needs a fast tokenizer (tokenizer.json)")
        id2label = self._model.config.id2label
        try:
            self._labels = [parse_label(id2label[i]) for i in range(len(id2label))]
        except ValueError as exc:
            raise PunctuationModelError(f"{self.name}: {exc}; not a punctuation model") from None
        self.cased = all(case is not None for _, case in self._labels)
        self._torch = torch
        self._threads = threads
        self._lock = threading.Lock()
        limit = int(getattr(self._tokenizer, "model_max_length", 512) or 512)
        self._max_tokens = min(limit, int(self._model.config.max_position_embeddings) - 2, 512)

    def scores(self, words: Sequence[str]) -> list[WordScores]:
        if not words:
            return []
        torch = self._torch
        batch = self._tokenizer(
            [w.lower() for w in words],
            is_split_into_words=True,
            truncation=True,
            max_length=self._max_tokens,
            return_tensors="pt",
        )
        word_ids = batch.word_ids(0)
        with self._lock, torch.inference_mode():
            previous = torch.get_num_threads()
            torch.set_num_threads(self._threads)
            try:
                logits = self._model(**batch).logits[0]
            finally:
                torch.set_num_threads(previous)
        probs = torch.softmax(logits.float(), dim=-1).tolist()
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for position, index in enumerate(word_ids):
            if index is not None:
                first.setdefault(index, position)
                last[index] = position
        out = []
        for index in range(len(words)):
            if index not in first:  # cut by truncation or no token: no opinion
                out.append(WordScores({"": 1.0}, {}))
                continue
            out.append(self._word_scores(probs[first[index]], probs[last[index]]))
        return out

    def _word_scores(self, head: list[float], tail: list[float]) -> WordScores:
        """Case from the word's first token, the mark after it from its last."""
        marks: dict[str, float] = {}
        cases: dict[Case, float] = {}
        for (mark, case), p_head, p_tail in zip(self._labels, head, tail, strict=True):
            marks[mark] = marks.get(mark, 0.0) + p_tail
            if case is not None:
                cases[case] = cases.get(case, 0.0) + p_head
        return WordScores(marks, cases)


# deciding -----------------------------------------------------------------------------------
def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def choose_mark(scores: WordScores, pause: float | None, options: PunctuationOptions) -> str:
    """The mark after a word, from the model's scores and the pause after the word (None: the
    next word follows at once or is not known yet)."""
    p_end = sum(scores.marks.get(m, 0.0) for m in SENTENCE_ENDS)
    if pause is not None:
        shift = options.pause_weight * (min(pause, options.pause_cap_s) - options.pause_neutral_s)
        p_end = 1 / (1 + math.exp(-(_logit(p_end) + shift)))
    if p_end >= options.end_threshold:
        return max(SENTENCE_ENDS, key=lambda m: scores.marks.get(m, 0.0))
    others = {m: p for m, p in scores.marks.items() if m and m not in SENTENCE_ENDS}
    if others:
        mark, p = max(others.items(), key=lambda item: item[1])
        if p >= options.comma_threshold * (1 - p_end):
            return mark
    return ""


def case_word(text: str, scores: WordScores, sentence_start: bool) -> str:
    """The word's display case: mixed-case words as the speech model spelled them; a model
    with casing decides the rest; the first word of a sentence is capitalised."""
    if not is_cased(text):
        return text
    if text != text.upper() and text != text.lower():
        return text  # the speech model (or a custom word) spelled it in mixed case
    lower = text.lower()
    case = max(scores.cases.items(), key=lambda item: item[1])[0] if scores.cases else None
    if case is Case.UPPER and len(lower) > 1:
        shown = lower.upper()
    elif case is Case.CAPITAL or lower in _ALWAYS_CAPITAL:
        shown = lower[:1].upper() + lower[1:]
    else:
        shown = lower
    if sentence_start:
        shown = shown[:1].upper() + shown[1:]
    return shown


def attach(text: str, mark: str) -> str:
    """A word with its mark: full-width after a character of an unspaced script."""
    if not mark:
        return text
    if text and is_unspaced(text[-1]):
        return text + FULL_WIDTH.get(mark, mark)
    return text + mark


# live and files -----------------------------------------------------------------------------
class Punctuator:
    """Final words in, punctuated words out, append-only: a word is passed on once decided and
    never changed. No threads; the caller feeds words in time order.

    ``push(words, now)`` takes newly final words (``now``: the stream time of the event);
    ``set_tail(words)`` the partial (unfinal) words after them, which serve as right context;
    ``tick(now)`` lets time pass (a pause decides held words); ``flush()`` decides everything
    held (end of utterance or stream)."""

    def __init__(
        self,
        model: PunctuationModel,
        options: PunctuationOptions = PunctuationOptions(),
        keep_case: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.options = options
        self._keep = {w.lower(): w for w in keep_case}
        self._context: list[str] = []  # decided words, for the model's left context
        self._held: list[Word] = []
        self._tail: list[Word] = []  # partial words after the held ones: right context only
        self._sentence_start = True

    @property
    def held(self) -> tuple[Word, ...]:
        return tuple(self._held)

    def push(self, words: Sequence[Word], now: float | None = None) -> list[Punctuated]:
        self._held.extend(words)
        if words:  # the tail's words up to the new finals are final now (or were replaced)
            self._tail = [w for w in self._tail if w.start >= words[-1].end - 1e-6]
        return self._release(now, final=False)

    def set_tail(self, words: Sequence[Word], now: float | None = None) -> list[Punctuated]:
        """The partial words after the finals (they replace the previous ones): more right
        context, so held words may be decided now."""
        last = self._held[-1].end if self._held else float("-inf")
        self._tail = [w for w in words if w.start >= last - 1e-6]
        return self._release(now, final=False) if self._held else []

    def tick(self, now: float) -> list[Punctuated]:
        return self._release(now, final=False) if self._held else []

    def flush(self) -> list[Punctuated]:
        out = self._release(None, final=True)
        self._tail = []
        return out

    def reset(self) -> None:
        """Forget the context (a new stream)."""
        self._context.clear()
        self._held.clear()
        self._tail.clear()
        self._sentence_start = True

    def _decidable(self, now: float | None, final: bool) -> int:
        """How many held words can be decided now: all but the last ``lookahead_words``
        (counting the partial words after them), and every word up to a pause long enough
        (its right context is complete)."""
        if final:
            return len(self._held)
        following = self._held + self._tail
        count = max(0, len(following) - self.options.lookahead_words)
        for i, word in enumerate(following):
            after = following[i + 1].start if i + 1 < len(following) else self._heard(now)
            if after is not None and after - word.end >= self.options.pause_release_s:
                count = max(count, i + 1)
        return min(count, len(self._held))

    def _release(self, now: float | None, final: bool) -> list[Punctuated]:
        count = self._decidable(now, final)
        if not count:
            return []
        left = self._context[-self.options.context_words :]
        texts = [w.text for w in self._held]
        tail = [] if final else [w.text for w in self._tail]
        scores = self.model.scores(left + texts + tail)[len(left) :]
        out = []
        for i in range(count):
            word = self._held[i]
            pause = self._pause_after(i, now, final)
            mark = choose_mark(scores[i], pause, self.options)
            if final and i == len(self._held) - 1 and mark not in SENTENCE_ENDS:
                mark = "."  # the end of an utterance or stream closes the sentence
            out.append(self._shown(word, scores[i], mark))
        self._held = self._held[count:]
        self._context = (self._context + texts[:count])[-self.options.context_words :]
        return out

    def _pause_after(self, i: int, now: float | None, final: bool) -> float | None:
        word = self._held[i]
        following = self._held[i + 1 :] + ([] if final else self._tail)
        if following:
            return following[0].start - word.end
        heard = self._heard(now)
        if heard is not None:
            return max(0.0, heard - word.end)
        return self.options.pause_cap_s if final else None

    def _heard(self, now: float | None) -> float | None:
        """Up to when the partial words are known to be complete."""
        return None if now is None else now - self.options.tail_lag_s

    def _shown(self, word: Word, scores: WordScores, mark: str) -> Punctuated:
        typed = self._keep.get(word.text.lower())
        if typed is not None:
            text = typed
        else:
            text = case_word(word.text, scores, self._sentence_start)
        end = mark in SENTENCE_ENDS
        self._sentence_start = end
        shown = dataclasses.replace(word, text=attach(text, mark))
        return Punctuated(shown, word, mark, end)


def punctuate_words(
    words: Sequence[Word],
    model: PunctuationModel,
    options: PunctuationOptions = PunctuationOptions(),
    keep_case: Sequence[str] = (),
    chunk: int = 1,
) -> list[Punctuated]:
    """A whole file's final words, decided by the live rule (the same lookahead and pauses).
    ``chunk`` words arrive at a time: 1 is exactly a stream of one-word finals; more gives
    the model more right context and calls it fewer times (files)."""
    punctuator = Punctuator(model, options, keep_case)
    out: list[Punctuated] = []
    for i in range(0, len(words), chunk):
        out += punctuator.push(words[i : i + chunk])
    return out + punctuator.flush()


def punctuate_transcript(
    transcript: Transcript,
    model: PunctuationModel,
    options: PunctuationOptions = PunctuationOptions(),
    keep_case: Sequence[str] = (),
    segments: SegmentOptions = SegmentOptions(),
) -> Transcript:
    """A file's transcript punctuated and cased, its captions regrouped to break at sentence
    ends where they can (SRT/VTT cues, transcript lines)."""
    if not options.enabled:
        return transcript
    decided = punctuate_words(transcript.words, model, options, keep_case, FILE_CHUNK_WORDS)
    words = [p.source for p in decided]
    grouped = tuple(group_segments(words, segments, units=[p.word.text for p in decided]))
    return dataclasses.replace(transcript, segments=grouped)


@dataclass(frozen=True)
class Punctuation:
    """A loaded model with its options and the custom words whose typed case is kept: what a
    caption pipeline's stage or a file's transcript needs."""

    model: PunctuationModel
    options: PunctuationOptions = PunctuationOptions()
    keep_case: tuple[str, ...] = ()  # custom words (phrases are split into words)

    @classmethod
    def of(
        cls, model: PunctuationModel, options: PunctuationOptions, custom: Sequence[str] = ()
    ) -> Punctuation:
        words = tuple(w for phrase in custom for w in phrase.split())
        return cls(model, options, words)

    def punctuator(self) -> Punctuator:
        return Punctuator(self.model, self.options, self.keep_case)

    def transcript(
        self, transcript: Transcript, segments: SegmentOptions = SegmentOptions()
    ) -> Transcript:
        return punctuate_transcript(transcript, self.model, self.options, self.keep_case, segments)

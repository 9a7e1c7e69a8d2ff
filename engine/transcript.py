"""Results: caption units grouped into segments, readable casing, and the caption text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .config import SegmentOptions
from .ctc import Word
from .units import display_width, is_cased, join_units

# Word times are multiples of 20 ms held in floats: compare durations with this tolerance.
_EPSILON_S = 1e-6
# Words wav2vec2 spells in capitals that stay capitalised in sentence case.
_ALWAYS_CAPITAL = {"I", "I'M", "I'LL", "I'VE", "I'D"}


def sentence_case(words: list[str], start_of_sentence: bool = True) -> list[str]:
    """Readable casing for cased scripts: a unit the model spells all in capitals (base-960h)
    is lower-cased, except "I"; a unit with lower-case letters keeps the model's casing; a
    sentence's first unit is capitalised. Units of scripts without case stay as they are."""
    out = []
    for i, word in enumerate(words):
        text = word
        if is_cased(word) and word == word.upper():
            text = word.lower()
            if word in _ALWAYS_CAPITAL:
                text = "I" + text[1:]
        if i == 0 and start_of_sentence and is_cased(text[:1]):
            text = text[:1].upper() + text[1:]
        out.append(text)
    return out


def caption_text(words: list[str], start_of_sentence: bool = True, cased: bool = True) -> str:
    """Units as caption text: sentence case (when ``cased``) and the script's spacing. Every
    front end shows text through this function."""
    return join_units(sentence_case(words, start_of_sentence) if cased else words)


# A unit that ends with one of these closes a sentence (punctuation attached by a stage).
SENTENCE_END_MARKS = (".", "?", "!", "…", "。", "？", "！", "．")
CLAUSE_END_MARKS = (",", ";", ":", "，", "；", "：", "、")


@dataclass(frozen=True)
class Segment:
    start: float  # seconds, start of the first word
    end: float  # seconds, end of the last word
    words: tuple[Word, ...]  # the units shown together as one caption
    # The words as shown, one per word, as the caption pipeline made them (casing by where
    # they stand in their utterance, punctuation); empty: sentence case of the words alone.
    units: tuple[str, ...] = ()
    translation: str | None = None  # the caption's translation, when the transcript has one

    def shown(self, cased: bool = True) -> list[str]:
        """The units as shown (``cased``), or as the model spelled them."""
        if not cased:
            return [w.text for w in self.words]
        return list(self.units) if self.units else sentence_case([w.text for w in self.words])

    def text(self, cased: bool = True) -> str:
        return join_units(self.shown(cased))

    def to_dict(self, cased: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text(cased),
        }
        if self.translation is not None:
            out["translation"] = self.translation
        out["words"] = [w.to_dict() for w in self.words]
        return out


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]  # caption segments in time order
    duration: float  # seconds of audio transcribed
    model: str = ""  # the model that produced it
    source: str = ""  # where the audio came from (a file name), if anywhere
    notes: tuple[str, ...] = field(default_factory=tuple)  # things the user should know
    translation_language: str = ""  # the language of the segments' translations, if any

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def text(self, cased: bool = True) -> str:
        return join_units(s.text(cased) for s in self.segments)


def group_segments(
    words: list[Word],
    options: SegmentOptions = SegmentOptions(),
    units: Sequence[str] | None = None,
) -> list[Segment]:
    """Group units into captions: split at pauses, at about two lines of text (counted in
    display columns: a CJK character is two), and at a maximum duration. With ``units`` (the
    words as shown, punctuated: one per word) captions also split at sentence ends where they
    can: after a sentence end once a caption is long enough, and a caption that grows too long
    breaks after its last sentence end (else its last comma)."""
    shown = list(units) if units is not None else [w.text for w in words]
    punctuated = units is not None
    segments: list[Segment] = []
    current: list[int] = []  # indexes of the open caption's words

    def close(upto: int) -> None:
        taken = current[:upto]
        first, last = words[taken[0]], words[taken[-1]]
        kept = tuple(shown[i] for i in taken) if punctuated else ()
        segments.append(Segment(first.start, last.end, tuple(words[i] for i in taken), kept))
        del current[:upto]

    def width(indexes: list[int]) -> int:
        return display_width(join_units(shown[i] for i in indexes))

    share = options.sentence_share * options.max_columns
    for i, word in enumerate(words):
        if current:
            pause = word.start - words[current[-1]].end
            too_long = width([*current, i]) > options.max_columns
            too_slow = word.end - words[current[0]].start > options.max_duration_s + _EPSILON_S
            if pause >= options.pause_s - _EPSILON_S:
                close(len(current))
            elif too_long or too_slow:
                close(
                    _break_at([shown[j] for j in current], options) if punctuated else len(current)
                )
        current.append(i)
        if punctuated and shown[i].endswith(SENTENCE_END_MARKS) and width(current) >= share:
            close(len(current))
    if current:
        close(len(current))
    return segments


def _break_at(units: list[str], options: SegmentOptions) -> int:
    """How many units a too-long caption keeps: up to its last sentence end, else its last
    clause end, where the caption keeps a fair share; else all of them (the words after the
    break open the next caption)."""
    least = options.sentence_share * options.max_columns / 2
    for marks in (SENTENCE_END_MARKS, CLAUSE_END_MARKS):
        for i in range(len(units) - 1, 0, -1):
            if units[i - 1].endswith(marks) and display_width(join_units(units[:i])) >= least:
                return i
    return len(units)

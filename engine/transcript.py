"""Results: caption units grouped into segments, readable casing, and the caption text."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import SegmentOptions
from .ctc import Word
from .units import display_width, is_cased, join_units, needs_space

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


def group_segments(words: list[Word], options: SegmentOptions = SegmentOptions()) -> list[Segment]:
    """Group units into captions: split at pauses, at about two lines of text (counted in
    display columns: a CJK character is two), and at a maximum duration."""
    segments: list[Segment] = []
    current: list[Word] = []
    width = 0
    for word in words:
        added = display_width(word.text)
        if current:
            added += 1 if needs_space(current[-1].text, word.text) else 0
            pause = word.start - current[-1].end
            too_long = width + added > options.max_columns
            too_slow = word.end - current[0].start > options.max_duration_s + _EPSILON_S
            if pause >= options.pause_s - _EPSILON_S or too_long or too_slow:
                segments.append(Segment(current[0].start, current[-1].end, tuple(current)))
                current, width = [], 0
                added = display_width(word.text)
        current.append(word)
        width += added
    if current:
        segments.append(Segment(current[0].start, current[-1].end, tuple(current)))
    return segments

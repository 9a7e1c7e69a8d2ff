"""Results: words grouped into caption segments, and readable casing."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import SegmentOptions
from .ctc import Word

# Word times are multiples of 20 ms held in floats: compare durations with this tolerance.
_EPSILON_S = 1e-6
# Words wav2vec2 spells in capitals that stay capitalised in sentence case.
_ALWAYS_CAPITAL = {"I", "I'M", "I'LL", "I'VE", "I'D"}


def sentence_case(words: list[str], start_of_sentence: bool = True) -> list[str]:
    """Lower-case upper-case model output, capitalising a sentence's first word and "I"."""
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if word.upper() in _ALWAYS_CAPITAL:
            lower = "I" + lower[1:]
        if i == 0 and start_of_sentence:
            lower = lower[:1].upper() + lower[1:]
        out.append(lower)
    return out


@dataclass(frozen=True)
class Segment:
    start: float  # seconds, start of the first word
    end: float  # seconds, end of the last word
    words: tuple[Word, ...]  # the words shown together as one caption

    def text(self, cased: bool = True) -> str:
        raw = [w.text for w in self.words]
        return " ".join(sentence_case(raw) if cased else raw)

    def to_dict(self, cased: bool = True) -> dict[str, object]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text(cased),
            "words": [w.to_dict() for w in self.words],
        }


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]  # caption segments in time order
    duration: float  # seconds of audio transcribed
    model: str = ""  # the model that produced it
    source: str = ""  # where the audio came from (a file name), if anywhere
    notes: tuple[str, ...] = field(default_factory=tuple)  # things the user should know

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def text(self, cased: bool = True) -> str:
        return " ".join(s.text(cased) for s in self.segments)


def group_segments(words: list[Word], options: SegmentOptions = SegmentOptions()) -> list[Segment]:
    """Group words into captions: split at pauses, at about two lines of text, and at a maximum
    duration."""
    segments: list[Segment] = []
    current: list[Word] = []
    length = 0
    for word in words:
        if current:
            pause = word.start - current[-1].end
            too_long = length + 1 + len(word.text) > options.max_chars
            too_slow = word.end - current[0].start > options.max_duration_s + _EPSILON_S
            if pause >= options.pause_s - _EPSILON_S or too_long or too_slow:
                segments.append(Segment(current[0].start, current[-1].end, tuple(current)))
                current, length = [], 0
        current.append(word)
        length += len(word.text) + (1 if length else 0)
    if current:
        segments.append(Segment(current[0].start, current[-1].end, tuple(current)))
    return segments

"""Several sources' lines in time order (engine.interleave): what is said but not out yet, the
unfinished lines a window shows below the finished ones."""

from __future__ import annotations

from engine.captions import Captions
from engine.ctc import Word
from engine.interleave import Interleaver, OpenLine, Source
from engine.pipeline import CaptionPipeline, CaptionUpdate, UpdateKind
from engine.streaming import Event, EventType


def words(*texts: str, start: float) -> tuple[Word, ...]:
    return tuple(Word(t, start + i * 0.5, start + i * 0.5 + 0.4, 0.9) for i, t in enumerate(texts))


def test_open_lines_are_each_sources_unfinished_words_in_time_order() -> None:
    out: list[str] = []
    mix = Interleaver(
        [Source("You", CaptionPipeline()), Source("Others", CaptionPipeline())], out.append, None
    )
    assert mix.open_lines() == []
    mix.take(0, Event(EventType.PARTIAL, 1.4, words("HELLO", "THERE", start=1.0)))
    assert mix.open_lines() == [OpenLine(1.0, "You", "", "Hello there")]
    mix.take(0, Event(EventType.FINAL, 1.4, words("HELLO", start=1.0)))
    mix.take(0, Event(EventType.PARTIAL, 1.9, words("THERE", start=1.5)))
    assert mix.open_lines() == [OpenLine(1.0, "You", "Hello", "there", space=True)]
    # The other source started earlier: its line comes first.
    mix.take(1, Event(EventType.PARTIAL, 0.9, words("GOOD", start=0.5)))
    assert [(x.label, x.partial) for x in mix.open_lines()] == [
        ("Others", "Good"),
        ("You", "there"),
    ]
    # A finished line waits for the other source (whose partial words are not final yet).
    mix.take(0, Event(EventType.FINAL, 1.9, words("THERE", start=1.5)))
    mix.take(0, Event(EventType.UTTERANCE_END, 2.0))
    assert out == []
    assert mix.open_lines() == [
        OpenLine(0.5, "Others", "", "Good"),
        OpenLine(1.0, "You", "Hello there"),
    ]
    # The other ends without final words: the line goes out, nothing is open any more.
    mix.take(1, Event(EventType.END, 2.0))
    assert out == ["You: Hello there"]
    assert mix.open_lines() == []


def test_a_translation_goes_under_its_own_line_when_two_sources_overlap() -> None:
    """Both speak at once: the other source's line starts inside this one's; a later sentence
    of this line is translated under this line, not under the other (which starts before)."""
    captions = Captions()
    you = words("HELLO", "THERE", "HOW", "ARE", "YOU", start=0.0)
    others = words("GOOD", "MORNING", start=1.0)
    for line in (you, others):  # in time order, as the interleaver gives them out
        captions.apply(CaptionUpdate(UpdateKind.FINAL, line[-1].end, line, tuple(line_units(line))))
        captions.apply(CaptionUpdate(UpdateKind.UTTERANCE_END, line[-1].end))
    sentence = you[3:]  # "are you", from 1.5 s: after the other line's start
    captions.apply(CaptionUpdate(UpdateKind.TRANSLATION, 2.4, sentence, translation="你好吗"))
    assert [line.translations for line in captions.utterances] == [["你好吗"], []]


def line_units(line: tuple[Word, ...]) -> list[str]:
    return [w.text.lower() for w in line]

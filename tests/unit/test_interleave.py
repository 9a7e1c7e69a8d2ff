"""Several sources' lines in time order (engine.interleave): what is said but not out yet, the
unfinished lines a window shows below the finished ones."""

from __future__ import annotations

from engine.ctc import Word
from engine.interleave import Interleaver, OpenLine, Source
from engine.pipeline import CaptionPipeline
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

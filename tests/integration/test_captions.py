"""The caption model every front end reads: utterances, the partial tail, one clock across
restarts, sentence casing; and the typed event kinds it reads."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import read_wav

from engine.captions import SESSION_GAP_S, Captions
from engine.config import TranscribeOptions
from engine.ctc import Word
from engine.pipeline import CaptionPipeline, CaptionUpdate, UpdateKind
from engine.streaming import Event, EventType, OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array
from engine.transcript import Transcript


def words(*texts: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(t, start + i * 0.5, start + i * 0.5 + 0.4, 0.9) for i, t in enumerate(texts))


class Fed:
    """Captions fed by a stream's pipeline, as a front end does."""

    def __init__(self) -> None:
        self.captions = Captions()
        self.pipeline = CaptionPipeline()

    def handle(self, event: Event) -> CaptionUpdate:
        """The event through the pipeline into the captions; the update of the event's kind."""
        updates = self.pipeline.handle(event)
        for update in updates:
            self.captions.apply(update)
        (mine,) = [u for u in updates if u.kind is UpdateKind(event.type.value)]
        return mine

    def begin_stream(self, offset: float | None = None) -> None:
        for update in self.pipeline.begin_stream(offset):
            self.captions.apply(update)


def test_event_kinds_are_an_enum_that_reads_as_its_wire_name() -> None:
    event = Event("final", 1.0)
    assert event.type is EventType.FINAL and event.type == "final" and f"{event.type}" == "final"
    with pytest.raises(ValueError):
        Event("finally", 1.0)


def test_finals_group_by_utterance_and_only_a_sentence_start_is_capitalised() -> None:
    fed = Fed()
    captions = fed.captions
    first = fed.handle(Event(EventType.PARTIAL, 0.9, words("HELLO", "WORLD")))
    assert first.text == "Hello world" and captions.partial_text() == "Hello world"
    final = fed.handle(Event(EventType.FINAL, 0.4, words("HELLO")))
    assert final.text == "Hello" and captions.partial == []
    tail = fed.handle(Event(EventType.PARTIAL, 0.9, words("WORLD", start=0.5)))
    assert tail.text == "world"  # continues the sentence
    assert fed.handle(Event(EventType.FINAL, 0.9, words("WORLD", "I", start=0.5))).text == (
        "world I"
    )
    fed.handle(Event(EventType.UTTERANCE_END, 1.4))
    assert captions.current is None
    assert fed.handle(Event(EventType.FINAL, 3.0, words("AGAIN", start=2.6))).text == "Again"
    assert captions.text() == "Hello world I\nAgain"
    assert [len(u.words) for u in captions.utterances] == [3, 1]


def test_sessions_share_one_clock() -> None:
    fed = Fed()
    fed.handle(Event(EventType.FINAL, 0.9, words("ONE", "TWO")))
    fed.begin_stream()  # after the last word, plus a gap
    update = fed.handle(Event(EventType.FINAL, 0.4, words("THREE")))
    assert update.words[0].start == pytest.approx(0.9 + SESSION_GAP_S)
    assert update.start == update.words[0].start and update.text == "Three"
    fed.begin_stream(offset=100.0)  # a server's restart at a known time
    ended = fed.handle(Event(EventType.UTTERANCE_END, 2.0))
    assert ended.time == pytest.approx(102.0) and ended.words == ()
    assert fed.captions.transcript().duration == pytest.approx(0.9 + SESSION_GAP_S + 0.4)


def test_a_streams_events_give_the_files_words(tiny_recognizer, hello_wav) -> None:  # type: ignore[no-untyped-def]
    audio = read_wav(hello_wav)
    processor = OnlineProcessor(tiny_recognizer, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(audio), 1600):
        events += processor.push(audio[i : i + 1600])
    events += processor.finish()
    fed = Fed()
    captions = fed.captions
    for event in events:
        for update in fed.pipeline.handle(event):
            captions.apply(update)
    expected = transcribe_array(tiny_recognizer, audio, TranscribeOptions(profile="balanced"))
    assert captions.words == final_words(events)
    timed = [(w.text, round(w.start, 3), round(w.end, 3)) for w in captions.words]
    assert timed == [(w.text, round(w.start, 3), round(w.end, 3)) for w in expected.words]
    assert captions.partial == [] and captions.current is None
    assert np.isclose(
        captions.transcript().duration, expected.words[-1].end if expected.words else 0
    )


def test_a_files_text_is_the_streams_text_for_the_same_words() -> None:
    from engine.captions import caption_segments
    from engine.config import SegmentOptions
    from engine.formats import to_srt

    # One utterance too wide for one caption, then a pause and a second utterance.
    first = words("SO", "I", "SAID", "THAT", "WE", "GO", "NOW")
    second = words("OK", start=first[-1].end + 1.0)
    segments = caption_segments(first + second, SegmentOptions(max_columns=12))
    assert [s.text() for s in segments] == ["So I said", "that we go", "now", "Ok"]
    assert [s.text(cased=False) for s in segments][0] == "SO I SAID"
    assert "\nthat we go\n" in to_srt(Transcript(tuple(segments), 6.0))
    # The same words as a stream: the same text, line by line.
    fed = Fed()
    captions = fed.captions
    fed.handle(Event(EventType.FINAL, first[3].end, first[:4]))
    fed.handle(Event(EventType.FINAL, first[-1].end, first[4:]))
    fed.handle(Event(EventType.UTTERANCE_END, first[-1].end))
    fed.handle(Event(EventType.FINAL, second[-1].end, second))
    assert captions.text() == "So I said that we go now\nOk"
    shown = [s.text() for s in captions.transcript().segments]  # exported as shown
    assert " ".join(shown) == " ".join(s.text() for s in segments)

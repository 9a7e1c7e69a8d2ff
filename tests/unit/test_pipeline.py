"""The caption pipeline: events in once, caption updates out; stages plug in by protocol."""

from __future__ import annotations

import dataclasses

import pytest

from engine.ctc import Word
from engine.pipeline import (
    SESSION_GAP_S,
    CaptionPipeline,
    CaptionUpdate,
    CasingStage,
    SentenceStage,
    UpdateKind,
    caption_stages,
)
from engine.streaming import Event, EventType


def words(*texts: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(t, start + i * 0.5, start + i * 0.5 + 0.4, 0.9) for i, t in enumerate(texts))


def kinds(updates: list[CaptionUpdate]) -> list[str]:
    return [u.kind.value for u in updates]


def test_finals_and_partials_come_out_cased_and_spaced_once() -> None:
    pipeline = CaptionPipeline()
    (partial,) = pipeline.handle(Event(EventType.PARTIAL, 0.9, words("HELLO", "WORLD")))
    assert partial.text == "Hello world" and not partial.space_before
    (final,) = pipeline.handle(Event(EventType.FINAL, 0.4, words("HELLO")))
    assert final.units == ("Hello",) and final.words[0].text == "HELLO"  # the model's spelling
    (tail,) = pipeline.handle(Event(EventType.PARTIAL, 0.9, words("WORLD", start=0.5)))
    assert tail.text == "world" and tail.space_before  # continues the line
    (more,) = pipeline.handle(Event(EventType.FINAL, 0.9, words("WORLD", "I", start=0.5)))
    assert more.spaced_text == " world I"
    ended = pipeline.handle(Event(EventType.UTTERANCE_END, 1.4))
    assert kinds(ended) == ["sentence", "utterance_end"]
    assert ended[0].text == "Hello world I" and ended[0].start == 0.0 and ended[0].end == 1.4
    (again,) = pipeline.handle(Event(EventType.FINAL, 3.0, words("AGAIN", start=2.6)))
    assert again.spaced_text == "Again"  # a new line: capitalised, no space before it


def test_no_space_next_to_unspaced_scripts() -> None:
    pipeline = CaptionPipeline()
    pipeline.handle(Event(EventType.FINAL, 0.4, words("我", "用")))
    (final,) = pipeline.handle(Event(EventType.FINAL, 1.4, words("Python", "写", start=1.0)))
    assert not final.space_before and final.text == "Python写"


def test_streams_share_one_clock() -> None:
    pipeline = CaptionPipeline()
    pipeline.handle(Event(EventType.FINAL, 0.9, words("ONE", "TWO")))
    pipeline.begin_stream()  # after the last word, plus a gap
    (three,) = pipeline.handle(Event(EventType.FINAL, 0.4, words("THREE")))
    assert three.start == pytest.approx(0.9 + SESSION_GAP_S) and three.text == "Three"
    pipeline.begin_stream(100.0)  # a server's restart at a known time
    ended = pipeline.handle(Event(EventType.UTTERANCE_END, 2.0))
    assert ended[-1].time == pytest.approx(102.0)
    pipeline.reset_clock()
    pipeline.begin_stream()
    (zero,) = pipeline.handle(Event(EventType.FINAL, 0.4, words("ZERO")))
    assert zero.start == 0.0


def test_errors_and_overloads_pass_through_with_their_message() -> None:
    pipeline = CaptionPipeline()
    (overload,) = pipeline.handle(Event(EventType.OVERLOAD, 5.0, message="behind"))
    assert overload.kind is UpdateKind.OVERLOAD and overload.message == "behind"
    pipeline.handle(Event(EventType.FINAL, 0.4, words("LAST")))
    assert kinds(pipeline.handle(Event(EventType.ERROR, 6.0, message="x"))) == [
        "sentence",
        "error",
    ]


def test_sentences_close_at_sentence_punctuation() -> None:
    stage = SentenceStage()
    update = CaptionUpdate(UpdateKind.FINAL, 1.0, words("a", "b", "c"), ("Go", "now?", "Yes"))
    out = stage.push(update)
    assert kinds(out) == ["final", "sentence"] and out[1].text == "Go now?"
    (rest,) = stage.flush()
    assert rest.text == "Yes" and rest.words == update.words[2:]
    assert stage.flush() == []


class Exclaim:
    """A stand-in punctuation stage: holds each final back until the next one or a pause, then
    passes it on with '!' on a line's last word; shows held words in front of the partial."""

    def __init__(self) -> None:
        self.held: CaptionUpdate | None = None

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind is UpdateKind.FINAL:
            out, self.held = ([self.held] if self.held else []), update
            return out
        if update.kind is UpdateKind.PARTIAL and self.held:
            held = self.held
            return [
                dataclasses.replace(
                    update, words=held.words + update.words, units=held.units + update.units
                )
            ]
        return [update]

    def flush(self) -> list[CaptionUpdate]:
        held, self.held = self.held, None
        if held is None:
            return []
        return [dataclasses.replace(held, units=held.units[:-1] + (held.units[-1] + "!",))]

    def poll(self) -> list[CaptionUpdate]:
        return []


class Echo:
    """A stand-in translation stage: each sentence's translation becomes ready at the next poll."""

    def __init__(self) -> None:
        self.ready: list[CaptionUpdate] = []

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind is UpdateKind.SENTENCE:
            self.ready.append(
                dataclasses.replace(
                    update,
                    kind=UpdateKind.TRANSLATION,
                    translation=update.text.upper(),
                    language="xx",
                )
            )
        return [update]

    def flush(self) -> list[CaptionUpdate]:
        return []

    def poll(self) -> list[CaptionUpdate]:
        ready, self.ready = self.ready, []
        return ready


def test_stages_plug_in_hold_finals_and_answer_later() -> None:
    pipeline = CaptionPipeline(caption_stages(punctuation=Exclaim(), translation=Echo()))
    assert pipeline.handle(Event(EventType.FINAL, 0.4, words("HELLO"))) == []  # held back
    (partial,) = pipeline.handle(Event(EventType.PARTIAL, 0.9, words("THERE", start=0.5)))
    assert partial.text == "Hello there"  # the held word stays on screen
    (hello,) = pipeline.handle(Event(EventType.FINAL, 0.9, words("THERE", start=0.5)))
    assert hello.text == "Hello" and not hello.space_before
    out = pipeline.handle(Event(EventType.UTTERANCE_END, 1.4))
    assert kinds(out) == ["final", "sentence", "utterance_end"]
    assert out[0].spaced_text == " there!" and out[1].text == "Hello there!"
    assert pipeline.poll()[0].text == "HELLO THERE!"
    assert pipeline.poll() == []


def test_the_casing_stage_is_a_stage() -> None:
    stage: object = CasingStage()
    for name in ("push", "flush", "poll"):
        assert callable(getattr(stage, name))
    casing = CasingStage()
    first = casing.push(CaptionUpdate(UpdateKind.FINAL, 0.0, words("I'M"), ("I'M",)))
    second = casing.push(CaptionUpdate(UpdateKind.FINAL, 0.0, words("Tamsinet"), ("Tamsinet",)))
    assert first[0].units == ("I'm",) and second[0].units == ("Tamsinet",)  # typed case kept


class Upper:
    """A stand-in translation model: upper case."""

    def translate(self, texts: list[str]) -> list[str]:
        return [t.upper() for t in texts]


def test_the_translation_stage_plugs_in_and_answers_at_poll() -> None:
    from engine.translation import TranslationStage, TranslationWorker

    worker = TranslationWorker(Upper())
    try:
        pipeline = CaptionPipeline(caption_stages(translation=TranslationStage(worker, "xx")))
        pipeline.handle(Event(EventType.FINAL, 0.9, words("HELLO", "WORLD")))
        assert kinds(pipeline.handle(Event(EventType.UTTERANCE_END, 1.4))) == [
            "sentence",
            "utterance_end",
        ]
        answers: list[CaptionUpdate] = []
        for _ in range(300):
            answers += pipeline.poll()
            if answers:
                break
            worker.wait(0.1)
    finally:
        worker.close()
    (answer,) = answers
    assert answer.kind is UpdateKind.TRANSLATION and answer.text == "HELLO WORLD"
    assert answer.source_text == "Hello world" and answer.language == "xx"

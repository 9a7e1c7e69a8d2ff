"""The punctuation stage in the caption pipeline: finals stay append-only (a word passed on as
final never changes), held words stay on screen in front of the partial tail, sentence ends
close SENTENCE updates, and a live stream of real speech comes out punctuated."""

from __future__ import annotations

import numpy as np
from helpers import read_wav
from helpers.punctuation import Scripted, words

from engine.ctc import Word
from engine.pipeline import CaptionUpdate, UpdateKind
from engine.punctuation import Punctuation
from engine.punctuation_models import load_punctuation_model
from engine.punctuation_stage import caption_pipeline
from engine.streaming import Event, EventType, OnlineProcessor, StreamOptions


def final(ws: list[Word]) -> Event:
    return Event(EventType.FINAL, ws[-1].end, tuple(ws))


def partial(ws: list[Word]) -> Event:
    return Event(EventType.PARTIAL, ws[-1].end, tuple(ws))


def test_finals_are_held_shown_in_front_of_the_partial_then_passed_on_once() -> None:
    pipeline = caption_pipeline(Punctuation(Scripted(ends={"now"}, questions={"me"})))
    stream = words("can you hear me now i think")
    out = pipeline.handle(final(stream[:4]))  # "can you hear me"
    finals = [u for u in out if u.kind is UpdateKind.FINAL]
    assert [u.source_text for u in finals] == ["Can you"]  # two words wait for context
    out = pipeline.handle(partial(stream[4:6]))  # "now i": context for "hear me"
    kinds = [u.kind for u in out]
    assert kinds == [UpdateKind.FINAL, UpdateKind.SENTENCE, UpdateKind.PARTIAL]
    assert out[0].source_text == "hear me?"
    assert out[1].source_text == "Can you hear me?"  # the sentence, for translation
    assert out[2].units == ("now", "i")  # nothing held now, the partial as it came
    out = pipeline.handle(final(stream[4:]))  # "now i think" final: "now" has its context
    assert [(u.kind, u.source_text) for u in out] == [
        (UpdateKind.FINAL, "Now."),  # a new sentence after "me?"
        (UpdateKind.SENTENCE, "Now."),
    ]
    rest = pipeline.handle(Event(EventType.UTTERANCE_END, stream[-1].end))
    texts = [(u.kind, u.source_text) for u in rest]
    assert (UpdateKind.FINAL, "I think.") in texts
    sentences = [u.source_text for u in rest if u.kind is UpdateKind.SENTENCE]
    assert sentences == ["I think."]


def test_held_words_stay_on_screen_in_front_of_the_partial() -> None:
    pipeline = caption_pipeline(Punctuation(Scripted()))
    stream = words("one two three four")
    pipeline.handle(final(stream[:2]))  # both held: no right context yet
    out = pipeline.handle(partial(stream[2:3]))
    shown = [u for u in out if u.kind is UpdateKind.PARTIAL][0]
    finals = [u for u in out if u.kind is UpdateKind.FINAL]
    assert [w.text for u in finals for w in u.words] + [w.text for w in shown.words] == [
        "one",
        "two",
        "three",
    ]


def test_a_live_stream_of_speech_comes_out_punctuated_and_append_only(
    demo_recognizer,  # type: ignore[no-untyped-def]
    hello_wav,  # type: ignore[no-untyped-def]
) -> None:
    model = load_punctuation_model("demo")
    pipeline = caption_pipeline(Punctuation(model))
    processor = OnlineProcessor(demo_recognizer, StreamOptions(profile="balanced"))
    audio = np.concatenate([read_wav(hello_wav)] * 2)
    updates: list[CaptionUpdate] = []
    for start in range(0, len(audio), 1600):
        for event in processor.push(audio[start : start + 1600]):
            updates += pipeline.handle(event)
    for event in processor.finish():
        updates += pipeline.handle(event)
    finals = [u for u in updates if u.kind is UpdateKind.FINAL]
    spoken = [w for u in finals for w in u.words]
    assert spoken, "the demo model heard nothing"
    assert len({id(w) for w in spoken}) == len(spoken)  # no word passed on twice
    assert [w.start for w in spoken] == sorted(w.start for w in spoken)
    units = [unit for u in finals for unit in u.units]
    assert units[-1][-1] in ".?!"  # the stream's end closes a sentence
    assert units[0][0].isupper()
    sentences = [u for u in updates if u.kind is UpdateKind.SENTENCE]
    assert sentences and sentences[-1].words[-1] is spoken[-1]

"""Punctuation and true casing (engine.punctuation): label conventions, the live decision rule
(append-only, lookahead, pauses), custom words, Chinese marks, real token-classification
checkpoints built in fixtures, and downloads from the fake hub."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import DEMO_DIR
from helpers.fakehub import FakeHub
from helpers.punctuation import CASED_LABELS, Scripted, tiny_token_classifier, words

from engine.catalogue import punctuation_for_language
from engine.errors import PunctuationModelError
from engine.punctuation import (
    Case,
    PunctuationOptions,
    Punctuator,
    TokenClassifier,
    WordScores,
    choose_mark,
    parse_label,
    punctuate_words,
)
from engine.punctuation_models import (
    DEMO_PUNCTUATION_DIR,
    default_punctuation_model,
    load_punctuation_model,
    resolve_punctuation_dir,
)
from engine.units import join_units

MARK_LABELS = ["0", ".", ",", "?", "-", ":"]


@pytest.fixture(scope="module")
def cased_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    words = [
        "can",
        "you",
        "hear",
        "me",
        "now",
        "i",
        "think",
        "the",
        "sound",
        "is",
        "working",
        "你",
        "好",
        "吗",
    ]
    return tiny_token_classifier(tmp_path_factory.mktemp("punct"), CASED_LABELS, words)


def shown(items: list) -> str:  # type: ignore[type-arg]
    return join_units(p.word.text for p in items)


# labels and the decision rule ----------------------------------------------------------------
def test_both_label_conventions_are_read() -> None:
    assert parse_label("OU") == ("", Case.CAPITAL)
    assert parse_label(".O") == (".", Case.LOWER)
    assert parse_label("?A") == ("?", Case.UPPER)
    assert parse_label("0") == ("", None)
    assert parse_label("-") == ("", None)  # a dash between words is not shown
    assert parse_label(":") == (":", None)
    with pytest.raises(ValueError, match="unknown punctuation label"):
        parse_label("B-PER")


def test_a_pause_pushes_towards_a_sentence_end_by_its_length() -> None:
    options = PunctuationOptions()
    unsure = WordScores({"": 0.7, ".": 0.3}, {})
    assert choose_mark(unsure, None, options) == ""
    assert choose_mark(unsure, 0.1, options) == ""  # a short gap: no
    assert choose_mark(unsure, 0.8, options) == "."  # a long pause: yes
    doubtful = WordScores({"": 0.98, ".": 0.02}, {})
    assert choose_mark(doubtful, 0.8, options) == ""  # the model is sure there is no end
    assert choose_mark(doubtful, 1.5, options) == "."  # ... until the pause is very long


# live: append-only, lookahead, pauses --------------------------------------------------------
def test_live_words_wait_for_two_words_of_right_context_then_never_change() -> None:
    model = Scripted(ends={"now", "working"}, questions={"me"})
    punctuator = Punctuator(model)
    released = []
    stream = words("can you hear me now i think the sound is working")
    for i, word in enumerate(stream):
        out = punctuator.push([word], now=word.end)
        released += out
        assert len(released) == max(0, i + 1 - 2)  # two words of lookahead
    released += punctuator.flush()
    assert shown(released) == "Can you hear me? Now. I think the sound is working."
    assert [p.sentence_end for p in released].count(True) == 3
    # the same words as a file give the same text (one decision rule)
    assert shown(
        punctuate_words(stream, Scripted(ends={"now", "working"}, questions={"me"}))
    ) == shown(released)


def test_a_pause_releases_held_words_without_waiting_for_more() -> None:
    punctuator = Punctuator(Scripted())
    stream = words("hello there")
    assert punctuator.push(stream, now=stream[-1].end) == []
    lag = PunctuationOptions().tail_lag_s  # partial words may lag the audio by this much
    assert punctuator.tick(stream[-1].end + lag + 0.3) == []  # not long enough yet
    out = punctuator.tick(stream[-1].end + lag + 0.7)
    assert shown(out) == "Hello there."  # the pause ended the sentence
    assert punctuator.held == ()
    more = punctuator.push(words("and then", start=5.0))
    assert more == [] and shown(punctuator.flush()) == "And then."


def test_a_pause_between_words_ends_a_sentence_the_model_only_suspected() -> None:
    class Unsure(Scripted):
        def scores(self, words: Sequence[str]) -> list[WordScores]:
            return [WordScores({"": 0.65, ".": 0.35}, {Case.LOWER: 1.0}) for _ in words]

    stream = words("we are done now let us go", gaps={3: 0.9})
    assert shown(punctuate_words(stream, Unsure())) == "We are done now. Let us go."


def test_custom_words_keep_their_typed_case_and_mixed_case_is_kept() -> None:
    stream = words("i use pytorch with NASA data McDonald")
    out = punctuate_words(stream, Scripted(capital={"nasa"}), keep_case=["PyTorch"])
    assert shown(out) == "I use PyTorch with Nasa data McDonald."
    # a sentence start does not re-case a custom word either
    assert (
        shown(punctuate_words(words("pytorch rocks"), Scripted(), keep_case=["PyTorch"]))
        == "PyTorch rocks."
    )


def test_chinese_takes_full_width_marks_and_no_spaces() -> None:
    stream = words("我 们 走 吧 你 好 吗")
    model = Scripted(commas={"吧"}, questions={"吗"})
    assert shown(punctuate_words(stream, model)) == "我们走吧，你好吗？"


def test_the_model_sees_decided_words_as_left_context() -> None:
    model = Scripted()
    punctuator = Punctuator(model, PunctuationOptions(context_words=3))
    for word in words("one two three four five six seven"):
        punctuator.push([word])
    assert model.calls[-1] == ["two", "three", "four", "five", "six", "seven"]


# real checkpoints ---------------------------------------------------------------------------
def test_a_token_classifier_scores_each_word_as_probabilities(cased_dir: Path) -> None:
    model = TokenClassifier(cased_dir)
    assert model.cased
    scores = model.scores(["can", "you", "unknownword", "hear"])
    assert len(scores) == 4
    for s in scores:
        assert sum(s.marks.values()) == pytest.approx(1.0, abs=1e-4)
        assert sum(s.cases.values()) == pytest.approx(1.0, abs=1e-4)
        assert set(s.marks) == {"", ",", ".", "?"}
    assert model.scores([]) == []


def test_a_marks_only_model_leaves_case_to_the_sentences(tmp_path: Path) -> None:
    folder = tiny_token_classifier(tmp_path / "m", MARK_LABELS, ["hello", "there"])
    model = TokenClassifier(folder)
    assert not model.cased
    out = punctuate_words(words("HELLO THERE I AM"), model)
    text = shown(out)
    assert text.startswith("Hello") and text[-1] in ".?!" and " I" in text


def test_a_speech_model_folder_is_refused_as_a_punctuation_model() -> None:
    with pytest.raises(PunctuationModelError, match="not a token-classification"):
        resolve_punctuation_dir(str(DEMO_DIR))
    with pytest.raises(PunctuationModelError, match="does not exist"):
        resolve_punctuation_dir("/no/such/folder")


def test_defaults_follow_the_caption_language() -> None:
    assert default_punctuation_model("demo") == "demo"
    assert default_punctuation_model(str(DEMO_DIR)) == "demo"
    english = punctuation_for_language("en-US")
    assert english is not None and english.cases
    assert default_punctuation_model("facebook/wav2vec2-base-960h") == english.model
    assert default_punctuation_model("some/unknown-model") is None
    assert default_punctuation_model("x", language="zh-CN") is None  # no Chinese model yet
    assert default_punctuation_model("x", language="de") == (
        "oliverguhr/fullstop-punctuation-multilingual-base"
    )


# the hub ------------------------------------------------------------------------------------
def test_a_punctuation_model_downloads_from_the_hub_with_progress_then_loads_offline(
    cased_dir: Path, hub_cache: Path
) -> None:
    seen = []
    with FakeHub({"acme/punct": cased_dir, "acme/demo-w2v": DEMO_DIR}) as hub:
        model = load_punctuation_model("acme/punct", hub.url, progress=seen.append)
        assert seen and seen[-1].done == seen[-1].total > 0
        assert model.cased and len(model.scores(["hello"])) == 1
        # a speech model's repo is refused after its config, before its weights
        with pytest.raises(PunctuationModelError, match="not a token-classification"):
            load_punctuation_model("acme/demo-w2v", hub.url)
        assert not any("model.safetensors" in r.path for r in hub.log if "demo-w2v" in r.path)
    # offline now: the cache serves it
    again = load_punctuation_model("acme/punct", "http://127.0.0.1:9", local_files_only=True)
    assert again.cased
    with pytest.raises(PunctuationModelError, match="not in the local Hugging Face cache"):
        load_punctuation_model("acme/other", local_files_only=True)


@pytest.mark.skipif(
    not (DEMO_PUNCTUATION_DIR / "config.json").is_file(), reason="demo model not trained"
)
def test_the_demo_model_punctuates_and_cases_speech_model_words() -> None:
    model = load_punctuation_model("demo")
    assert model.cased
    out = punctuate_words(words("A FRIEND IN NEED IS A FRIEND INDEED"), model)
    text = shown(out)
    assert text[0] == "A" and text.endswith(".") and text.count(".") >= 1
    assert out[-1].sentence_end and all(p.source.text.isupper() for p in out)


def test_partial_words_serve_as_right_context_but_are_never_released() -> None:
    model = Scripted(ends={"now"})
    punctuator = Punctuator(model)
    final = words("can you hear me now")
    assert len(punctuator.push(final)) == 3  # "me", "now" wait for right context
    tail = words("i think", start=final[-1].end + 0.05)
    out = punctuator.set_tail(tail)
    assert shown(out) == "me now."  # decided with the partial words as context
    assert model.calls[-1][-2:] == ["i", "think"]
    assert punctuator.held == ()
    # the partial's words become final: they are pushed as finals, not released twice
    assert punctuator.push(tail) == [] and shown(punctuator.flush()) == "I think."

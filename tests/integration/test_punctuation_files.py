"""Punctuated files: captions (SRT/VTT cues, transcript lines) break at sentence ends where they
can and keep the stage's casing; ``live-captions transcribe`` punctuates with the demo speech
model's own punctuation model, or the one named, and ``--no-punctuation`` turns it off."""

from __future__ import annotations

from pathlib import Path

import pytest
import srt
from helpers.punctuation import CASED_LABELS, Scripted, tiny_token_classifier, words

from engine.config import SegmentOptions
from engine.formats import render
from engine.punctuation import Punctuation, PunctuationOptions
from engine.transcript import Transcript, group_segments
from live_captions.cli import main


def test_captions_break_at_sentence_ends_where_they_can() -> None:
    stream = words(
        "we went to the old market by the river this morning and bought bread there "
        "then we walked home along the water"
    )
    model = Scripted(ends={"there", "water"}, commas={"morning"})
    plain = Transcript(tuple(group_segments(stream, SegmentOptions(max_columns=60))), 10.0)
    punctuated = Punctuation(model).transcript(plain, SegmentOptions(max_columns=60))
    lines = [s.text() for s in punctuated.segments]
    assert lines == [
        "We went to the old market by the river this morning,",  # too long: broken at its comma
        "and bought bread there. Then we walked home along the water.",  # a short one shares
    ]
    # without punctuation the same words break where the width runs out
    assert [s.text() for s in plain.segments][0].endswith("morning and")


def test_short_sentences_share_a_caption() -> None:
    stream = words("yes no maybe later we will see what happens next")
    model = Scripted(ends={"yes", "no", "next"})
    transcript = Transcript(tuple(group_segments(stream)), 5.0)
    out = Punctuation(model).transcript(transcript)
    assert [s.text() for s in out.segments] == [
        "Yes. No. Maybe later we will see what happens next."
    ]


def test_formats_show_the_stages_casing_as_it_is() -> None:
    stream = words("i met McDonald people in paris")
    model = Scripted(capital={"paris"})
    out = Punctuation(model).transcript(Transcript(tuple(group_segments(stream)), 3.0))
    cue = next(srt.parse(render(out, "srt")))
    assert cue.content == "I met McDonald people in Paris."  # mixed case kept, names capitalised
    assert render(out, "txt") == "I met McDonald people in Paris.\n"


def test_turned_off_it_changes_nothing() -> None:
    transcript = Transcript(tuple(group_segments(words("hello there"))), 1.0)
    off = Punctuation(Scripted(), PunctuationOptions(enabled=False)).transcript(transcript)
    assert off is transcript


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["transcribe", "--no-progress", "--threads", "1", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_transcribe_punctuates_with_the_named_model_and_not_when_told(
    capsys: pytest.CaptureFixture[str], hello_wav: Path, tmp_path: Path
) -> None:
    folder = tiny_token_classifier(tmp_path / "punct", CASED_LABELS, ["hello", "world"])
    code, out, err = cli(capsys, hello_wav, "--model", "demo", "--punctuation-model", folder)
    assert code == 0 and f"punctuation: {folder}" in err
    assert out.strip()[-1] in ".?!"  # the file's end closes a sentence
    code, plain, err = cli(capsys, hello_wav, "--model", "demo", "--no-punctuation")
    assert code == 0 and "punctuation:" not in err
    assert plain.strip()[-1] not in ".?!,"
    assert plain.lower().split() == [w.strip(".,?!:;").lower() for w in out.split()]


def test_a_named_punctuation_model_that_cannot_be_had_is_an_error(
    capsys: pytest.CaptureFixture[str], hello_wav: Path
) -> None:
    code, _, err = cli(capsys, hello_wav, "--model", "demo", "--punctuation-model", "/no/such")
    assert code != 0 and "punctuation model '/no/such' does not exist" in err

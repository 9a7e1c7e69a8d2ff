"""Simplified/Traditional output through OpenCC: phrase-aware conversion of units with their
times kept, partial looks that do not disturb the context, streaming equal to the file, bad
names refused with the choices (the desktop setting: tests/desktop/test_settings_dialog.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import read_wav

from engine.chinese import ScriptConverter
from engine.config import DecodeOptions, TranscribeOptions
from engine.ctc import Word
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array


def units(text: str) -> list[Word]:
    return [Word(c, i * 0.1, i * 0.1 + 0.1, 0.5) for i, c in enumerate(text)]


def test_units_convert_with_phrases_and_keep_their_times() -> None:
    converter = ScriptConverter("traditional")
    out = converter.convert(units("我的头发在发展中国"))
    assert "".join(u.text for u in out) == "我的頭髮在發展中國"
    assert [(u.start, u.end) for u in out] == [
        (u.start, u.end) for u in units("我的头发在发展中国")
    ]
    back = ScriptConverter("simplified").convert(units("頭髮發展漢字"))
    assert "".join(u.text for u in back) == "头发发展汉字"
    assert ScriptConverter("taiwan").convert(units("台湾"))[1].text == "灣"


def test_a_partial_look_leaves_the_context_alone() -> None:
    converter = ScriptConverter("traditional")
    converter.convert(units("头"), commit=False)
    assert converter.convert(units("发"))[0].text == "發"  # no 头 before it: the default 發
    converter = ScriptConverter("traditional")
    converter.convert(units("头"))
    assert converter.convert(units("发"))[0].text == "髮"


def test_latin_units_pass_through() -> None:
    out = ScriptConverter("traditional").convert([Word("PYTHON", 0, 1, 0.5), Word("写", 1, 2, 0.5)])
    assert [u.text for u in out] == ["PYTHON", "寫"]


def test_unknown_script_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="simplified, traditional, taiwan, hongkong"):
        DecodeOptions(chinese="klingon")


def test_every_entry_reads_a_script_alike() -> None:
    """One parser (engine.config.parse_script) for the command line, the upload form, the
    WebSocket query and Settings: any case, "none" for no conversion."""
    from engine.config import parse_script
    from live_captions.cli import build_parser

    assert parse_script(" Traditional ") == "traditional" and parse_script("none") == ""
    parser = build_parser()
    args = parser.parse_args(["transcribe", "x.wav", "--chinese", "Taiwan"])
    assert args.chinese == "taiwan"
    with pytest.raises(SystemExit):
        parser.parse_args(["transcribe", "x.wav", "--chinese", "klingon"])


def test_streaming_equals_file_with_conversion(cjk_recognizer, cmn_wav: Path) -> None:  # type: ignore[no-untyped-def]
    audio = read_wav(cmn_wav)
    decode = DecodeOptions(chinese="traditional")
    plain = transcribe_array(cjk_recognizer, audio, TranscribeOptions(profile="balanced")).words
    expected = transcribe_array(
        cjk_recognizer, audio, TranscribeOptions(profile="balanced", decode=decode)
    ).words
    assert [u.start for u in expected] == [u.start for u in plain]
    assert [u.text for u in expected] != [u.text for u in plain]  # something was converted
    processor = OnlineProcessor(cjk_recognizer, StreamOptions(profile="balanced", decode=decode))
    events = []
    for i in range(0, len(audio), 2000):
        events += processor.push(audio[i : i + 2000])
    events += processor.finish()
    got = final_words(events)
    assert [(u.text, u.start) for u in got] == [(u.text, u.start) for u in expected]

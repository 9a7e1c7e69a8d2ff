"""Caption segments and the TXT, SRT, WebVTT and JSON writers, read back with real parsers."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import srt
import webvtt

from engine.config import SegmentOptions
from engine.ctc import Word
from engine.formats import FORMATS, render, to_dict, to_json, to_srt, to_txt, to_vtt
from engine.transcript import Segment, Transcript, group_segments, sentence_case


def words_at(spec: list[tuple[str, float, float]], confidence: float = 0.9) -> list[Word]:
    return [Word(text, start, end, confidence) for text, start, end in spec]


# Two sentences separated by a 1 s pause; the second crosses the one-hour mark.
WORDS = words_at(
    [
        ("HELLO", 0.50, 0.90),
        ("WORLD", 1.00, 1.42),
        ("I'M", 1.50, 1.70),
        ("HERE", 1.80, 2.10),
        ("AND", 3599.0, 3599.2),
        ("I", 3599.3, 3599.4),
        ("SAID", 3599.5, 3599.9),
        ("HI", 3600.0, 3600.345),
    ]
)


@pytest.fixture
def transcript() -> Transcript:
    segments = tuple(group_segments(WORDS))
    return Transcript(segments, duration=3601.0, model="tiny", source="talk.wav", notes=("a note",))


def test_group_splits_at_pauses(transcript: Transcript) -> None:
    assert [s.text(cased=False) for s in transcript.segments] == [
        "HELLO WORLD I'M HERE",
        "AND I SAID HI",
    ]
    first, second = transcript.segments
    assert (first.start, first.end) == (0.5, 2.1)
    assert (second.start, second.end) == (3599.0, 3600.345)
    assert transcript.words == WORDS


def test_pause_threshold_is_inclusive_wherever_the_pause_falls() -> None:
    # Word times are frame counts times 0.02 s, as the CTC decoder makes them. A pause of exactly
    # pause_s (30 frames) must split wherever it falls, a pause one frame shorter never.
    options = SegmentOptions(pause_s=0.6, max_duration_s=1e9)
    unsplit = []
    for first_end in range(1, 3000):
        pair = [
            Word("A", 0.0, first_end * 0.02, 1.0),
            Word("B", (first_end + 30) * 0.02, (first_end + 40) * 0.02, 1.0),
        ]
        if len(group_segments(pair, options)) != 2:
            unsplit.append(first_end)
        pair[1] = Word("B", (first_end + 29) * 0.02, (first_end + 40) * 0.02, 1.0)
        assert len(group_segments(pair, options)) == 1
    assert unsplit == [], (
        f"{len(unsplit)} of 2999 pauses of 0.6 s did not split, e.g. after frame {unsplit[:3]}"
    )


def test_max_duration_is_inclusive_wherever_the_segment_falls() -> None:
    # Two words spanning exactly max_duration_s (350 frames) stay one caption wherever they fall.
    options = SegmentOptions(pause_s=100.0, max_duration_s=7.0)
    split = []
    for start in range(0, 3000):
        pair = [
            Word("A", start * 0.02, (start + 10) * 0.02, 1.0),
            Word("B", (start + 20) * 0.02, (start + 350) * 0.02, 1.0),
        ]
        if len(group_segments(pair, options)) != 1:
            split.append(start)
    assert split == [], (
        f"{len(split)} of 3000 captions of exactly 7 s were split, e.g. from frame {split[:3]}"
    )


def test_group_splits_at_max_chars() -> None:
    words = words_at([(w, i * 0.3, i * 0.3 + 0.2) for i, w in enumerate(["ABCD"] * 10)])
    segments = group_segments(words, SegmentOptions(max_columns=14, pause_s=10, max_duration_s=100))
    assert [len(s.words) for s in segments] == [3, 3, 3, 1]  # "ABCD ABCD ABCD" is 14 characters
    assert all(len(s.text()) <= 14 for s in segments)
    assert [w for s in segments for w in s.words] == words


def test_group_splits_at_max_duration() -> None:
    words = words_at([("GO", i * 1.0, i * 1.0 + 0.5) for i in range(10)])
    segments = group_segments(
        words, SegmentOptions(max_columns=1000, pause_s=10, max_duration_s=3.0)
    )
    assert all(s.end - s.start <= 3.0 for s in segments)
    assert [len(s.words) for s in segments] == [3, 3, 3, 1]


def test_one_long_word_is_a_segment_of_its_own() -> None:
    words = words_at([("A", 0, 0.1), ("X" * 100, 0.2, 0.5), ("B", 0.6, 0.7)])
    segments = group_segments(words, SegmentOptions(max_columns=20))
    assert [s.text(cased=False) for s in segments] == ["A", "X" * 100, "B"]


def test_no_words_no_segments() -> None:
    assert group_segments([]) == []
    empty = Transcript((), duration=2.0)
    assert to_txt(empty) == ""
    assert list(srt.parse(to_srt(empty))) == []
    assert to_vtt(empty).startswith("WEBVTT")
    assert json.loads(to_json(empty))["segments"] == []


def test_sentence_case() -> None:
    assert sentence_case(["HELLO", "I'M", "I", "THE", "I'LL", "IDEA"]) == [
        "Hello",
        "I'm",
        "I",
        "the",
        "I'll",
        "idea",
    ]
    assert sentence_case(["I", "KNOW"]) == ["I", "know"]
    assert sentence_case(["WELL", "IT'S"], start_of_sentence=False) == ["well", "it's"]
    assert sentence_case([]) == []


def test_txt(transcript: Transcript) -> None:
    assert to_txt(transcript) == "Hello world I'm here\nAnd I said hi\n"
    assert to_txt(transcript, cased=False) == "HELLO WORLD I'M HERE\nAND I SAID HI\n"


def test_srt_parses_with_times_and_text(transcript: Transcript) -> None:
    subs = list(srt.parse(to_srt(transcript)))
    assert [s.index for s in subs] == [1, 2]
    assert subs[0].start == timedelta(seconds=0.5) and subs[0].end == timedelta(seconds=2.1)
    assert subs[1].start == timedelta(hours=0, seconds=3599) and subs[1].end == timedelta(
        hours=1, milliseconds=345
    )
    assert [s.content for s in subs] == ["Hello world I'm here", "And I said hi"]
    assert "01:00:00,345" in to_srt(transcript)


def test_vtt_parses_with_times_and_text(transcript: Transcript, tmp_path: Path) -> None:
    path = tmp_path / "t.vtt"
    path.write_text(to_vtt(transcript), encoding="utf-8")
    captions = webvtt.read(str(path))
    assert [(c.start, c.end) for c in captions] == [
        ("00:00:00.500", "00:00:02.100"),
        ("00:59:59.000", "01:00:00.345"),
    ]
    assert [c.text for c in captions] == ["Hello world I'm here", "And I said hi"]


def test_long_captions_wrap_into_two_balanced_lines(tmp_path: Path) -> None:
    text = "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AND KEEPS ON RUNNING FAR AWAY"
    words = words_at([(w, i * 0.3, i * 0.3 + 0.2) for i, w in enumerate(text.split())])
    transcript = Transcript(tuple(group_segments(words)), duration=10.0)
    assert len(transcript.segments) == 1
    (sub,) = srt.parse(to_srt(transcript))
    lines = sub.content.split("\n")
    assert len(lines) == 2 and all(len(line) <= 42 for line in lines)
    assert " ".join(lines) == transcript.segments[0].text()
    path = tmp_path / "wrap.vtt"
    path.write_text(to_vtt(transcript), encoding="utf-8")
    assert webvtt.read(str(path))[0].text.split("\n") == lines
    # Balanced: no other break between words makes the longer line shorter.
    words = sub.content.split()
    best = min(
        max(len(" ".join(words[:i])), len(" ".join(words[i:]))) for i in range(1, len(words))
    )
    assert max(len(line) for line in lines) == best


def test_a_caption_just_over_one_line_splits_in_the_middle_not_at_the_width() -> None:
    # 51 characters: filling the first line up to 42 would leave one word on the second.
    text = "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN"
    words = words_at([(w, i * 0.3, i * 0.3 + 0.2) for i, w in enumerate(text.split())])
    transcript = Transcript(tuple(group_segments(words)), duration=5.0)
    (sub,) = srt.parse(to_srt(transcript))
    assert sub.content.split("\n") == ["One two three four five six", "seven eight nine ten eleven"]


def test_json_fields(transcript: Transcript) -> None:
    data = json.loads(to_json(transcript))
    assert data["source"] == "talk.wav" and data["model"] == "tiny" and data["duration"] == 3601.0
    assert data["text"] == "Hello world I'm here And I said hi"
    assert data["notes"] == ["a note"]
    assert len(data["segments"]) == 2
    first = data["segments"][0]
    assert first["start"] == 0.5 and first["end"] == 2.1 and first["text"] == "Hello world I'm here"
    assert first["words"][0] == {"word": "HELLO", "start": 0.5, "end": 0.9, "confidence": 0.9}
    assert [w["word"] for s in data["segments"] for w in s["words"]] == [w.text for w in WORDS]
    assert to_dict(transcript, cased=False)["text"] == "HELLO WORLD I'M HERE AND I SAID HI"


def test_json_keeps_non_ascii() -> None:
    transcript = Transcript((Segment(0, 1, (Word("ÉTÉ", 0, 1, 0.5),)),), duration=1.0)
    assert "ÉTÉ" in to_json(transcript, cased=False)


def test_render_dispatch(transcript: Transcript) -> None:
    assert set(FORMATS) == {"txt", "srt", "vtt", "json"}
    assert render(transcript, "srt") == to_srt(transcript)
    assert render(transcript, "vtt", cased=False) == to_vtt(transcript, cased=False)
    with pytest.raises(ValueError, match="unknown format"):
        render(transcript, "docx")


def test_times_never_negative() -> None:
    transcript = Transcript((Segment(-0.001, 0.2, (Word("A", -0.001, 0.2, 1.0),)),), duration=1.0)
    assert list(srt.parse(to_srt(transcript)))[0].start == timedelta(0)

"""Caption units by script: hand-made frames with a CJK vocabulary give exact units, times and
confidences; joining, casing, display width and line wrapping on mixed text."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import CJK_VOCAB

from engine.ctc import CtcWordDecoder, Vocab, Word, decode_frames
from engine.formats import to_srt, to_vtt
from engine.transcript import Transcript, caption_text, group_segments, sentence_case
from engine.units import (
    display_width,
    is_unspaced,
    join_units,
    needs_space,
    split_units,
    wrap_units,
)

VOCAB = Vocab(
    tokens=tuple(sorted(CJK_VOCAB, key=CJK_VOCAB.get)),
    blank_id=CJK_VOCAB["<pad>"],
    delimiter_id=CJK_VOCAB["|"],
)
F = 0.02


def frames(spec: str, default_prob: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """One token per space-separated item; ``_`` blank; ``X@0.9`` the frame's probability."""
    ids, probs = [], []
    for item in spec.split():
        token, _, prob = item.partition("@")
        ids.append(CJK_VOCAB["<pad>" if token == "_" else token])
        probs.append(float(prob) if prob else default_prob)
    return np.array(ids, dtype=np.int64), np.array(probs, dtype=np.float32)


def assert_units(actual: list[Word], expected: list[tuple[str, float, float, float]]) -> None:
    assert [w.text for w in actual] == [e[0] for e in expected]
    for unit, (text, start, end, confidence) in zip(actual, expected):
        assert unit.start == pytest.approx(start, abs=1e-9), text
        assert unit.end == pytest.approx(end, abs=1e-9), text
        assert unit.confidence == pytest.approx(confidence, abs=1e-6), text


def test_script_classification() -> None:
    for char in "我用写代码こカ、。，ส":
        assert is_unspaced(char), char
    for char in "aZ9'éжא한":  # Latin, digits, Cyrillic, Hebrew and Hangul use spaces
        assert not is_unspaced(char), char


def test_chinese_characters_are_units_with_their_own_times_and_confidence() -> None:
    # frames: 0 _, 1 我, 2 我, 3 _, 4 用, 5 _, 6 _, 7 写
    ids, probs = frames("_ 我@0.9 我@0.7 _ 用@0.6 _ _ 写@0.8")
    assert_units(
        decode_frames(VOCAB, ids, probs),
        [("我", 1 * F, 3 * F, 0.8), ("用", 4 * F, 5 * F, 0.6), ("写", 7 * F, 8 * F, 0.8)],
    )


def test_a_repeated_character_after_a_blank_is_a_second_unit() -> None:
    ids, probs = frames("谢 谢 _ 谢 你")
    assert_units(
        decode_frames(VOCAB, ids, probs),
        [("谢", 0, 2 * F, 0.5), ("谢", 3 * F, 4 * F, 0.5), ("你", 4 * F, 5 * F, 0.5)],
    )


def test_mixed_text_keeps_latin_runs_whole() -> None:
    # 我 用 Python 写 代 码, no delimiter anywhere (as zh-CN models rarely emit one).
    spec = "我 _ 用 P y@0.7 t h _ o n@0.9 写 _ 代 码 _"
    units = decode_frames(VOCAB, *frames(spec))
    python_conf = (0.5 + 0.7 + 0.5 + 0.5 + 0.5 + 0.9) / 6
    assert_units(
        units,
        [
            ("我", 0, F, 0.5),
            ("用", 2 * F, 3 * F, 0.5),
            ("Python", 3 * F, 10 * F, python_conf),
            ("写", 10 * F, 11 * F, 0.5),
            ("代", 12 * F, 13 * F, 0.5),
            ("码", 13 * F, 14 * F, 0.5),
        ],
    )
    assert caption_text([u.text for u in units]) == "我用Python写代码"


def test_delimiters_between_latin_words_still_make_spaces() -> None:
    units = decode_frames(VOCAB, *frames("我 | a b | b a | 的"))
    assert [u.text for u in units] == ["我", "ab", "ba", "的"]
    assert join_units(u.text for u in units) == "我ab ba的"


def test_thai_marks_belong_to_their_character() -> None:
    # สวัสดี: ส ว ั ส ด ี: the vowel marks ั and ี (Mn) stay with the consonant before them.
    units = decode_frames(VOCAB, *frames("ส _ ว ั _ ส ด ี"))
    assert [u.text for u in units] == ["ส", "วั", "ส", "ดี"]
    times = [t for u in units for t in (u.start, u.end)]
    assert times == pytest.approx([0, F, 2 * F, 4 * F, 5 * F, 6 * F, 6 * F, 8 * F])
    assert join_units(u.text for u in units) == "สวัสดี"
    assert split_units("สวัสดี") == ["ส", "วั", "ส", "ดี"]


def test_streaming_decoder_completes_a_character_when_the_next_begins() -> None:
    decoder = CtcWordDecoder(VOCAB, gap_frames=25)
    assert decoder.feed(*frames("_ 你 你")) == []
    assert [u.text for u in decoder.pending()] == ["你"]
    done = decoder.feed(*frames("_ 好"))
    assert [u.text for u in done] == ["你"]
    assert [u.text for u in decoder.flush()] == ["好"]


def test_pieces_of_any_size_give_the_same_units() -> None:
    ids, probs = frames("_ 我 _ 用 P y t h o n 写 _ _ 代 码 。 | 中 国")
    whole = decode_frames(VOCAB, ids, probs)
    for size in (1, 2, 3, 7):
        decoder = CtcWordDecoder(VOCAB)
        pieces: list[Word] = []
        for i in range(0, len(ids), size):
            pieces += decoder.feed(ids[i : i + size], probs[i : i + size])
        assert pieces + decoder.flush() == whole


def test_joining_rules() -> None:
    assert join_units(["我", "用", "Python", "写", "代", "码"]) == "我用Python写代码"
    assert join_units(["HELLO", "WORLD"]) == "HELLO WORLD"
    assert join_units(["2024", "年", "is", "here"]) == "2024年is here"
    assert join_units(["こ", "ん", "に", "ち", "は"]) == "こんにちは"
    assert not needs_space("好", "Python") and not needs_space("Python", "写")
    assert needs_space("a", "b") and not needs_space("", "b")


def test_sentence_case_only_for_cased_scripts() -> None:
    assert sentence_case(["HELLO", "I", "AM", "HERE"]) == ["Hello", "I", "am", "here"]
    assert sentence_case(["我", "用", "PYTHON"]) == ["我", "用", "python"]
    # A model that writes proper case keeps it; only the first letter of a sentence is raised.
    assert sentence_case(["ich", "habe", "ein", "Haus"]) == ["Ich", "habe", "ein", "Haus"]
    assert caption_text(["你", "好"], start_of_sentence=True) == "你好"


def test_display_width_counts_cjk_as_two_columns() -> None:
    assert display_width("abc") == 3
    assert display_width("我用Python") == 10
    assert display_width("สวัสดี") == 4  # the two marks take no column
    assert display_width("，") == 2


def _units(text: str, step: float = 0.2) -> list[Word]:
    return [Word(u, i * step, (i + 1) * step, 0.9) for i, u in enumerate(text.split(" "))]


def test_wrap_balances_mixed_lines_by_display_width() -> None:
    units = (
        split_units("我们今天用")
        + ["Python"]
        + split_units("写代码，然后在大屏幕上显示字幕给大家看。")
    )
    lines = wrap_units(units, width=42)
    assert len(lines) == 2
    widths = [display_width(join_units(line)) for line in lines]
    assert all(w <= 42 for w in widths) and abs(widths[0] - widths[1]) <= 2
    # Latin only: the old behaviour, balanced by characters.
    assert wrap_units(["A"] * 3) == [["A", "A", "A"]]


def test_segments_and_srt_lines_are_counted_in_columns() -> None:
    text = (
        " ".join("我们今天用") + " Python " + " ".join("写代码然后在大屏幕上显示字幕给大家看" * 3)
    )
    words = _units(text, step=0.1)
    segments = group_segments(words)
    assert len(segments) > 1
    for segment in segments:
        assert display_width(segment.text()) <= 84
    # About 42 CJK characters fill a segment (two lines of about 21).
    assert display_width(segments[0].text()) > 70
    transcript = Transcript(tuple(segments), words[-1].end)
    srt = to_srt(transcript)
    text_lines = [
        line for line in srt.splitlines() if line and "-->" not in line and not line.isdigit()
    ]
    assert text_lines and all(display_width(line) <= 44 for line in text_lines)
    assert " " not in srt.split("\n\n")[1].split("\n", 2)[2]  # no spaces in Chinese captions
    assert "用Python写" in srt and "用Python写" in to_vtt(transcript)

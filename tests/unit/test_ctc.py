"""CTC word decoding on hand-made frame sequences: exact words, times and confidences."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BASE_960H_VOCAB

from engine.ctc import CtcWordDecoder, Vocab, Word, decode_frames

VOCAB = Vocab(
    tokens=tuple(sorted(BASE_960H_VOCAB, key=BASE_960H_VOCAB.get)),
    blank_id=BASE_960H_VOCAB["<pad>"],
    delimiter_id=BASE_960H_VOCAB["|"],
)
F = 0.02  # seconds per frame


def frames(spec: str, default_prob: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Frames from a compact spec: one token per space-separated item.

    ``_`` is the blank, ``|`` the delimiter, ``<s>``/``<unk>`` special tokens, any other item a
    character; ``X@0.9`` gives the frame probability 0.9 (else ``default_prob``).
    """
    ids, probs = [], []
    for item in spec.split():
        token, _, prob = item.partition("@")
        token = "<pad>" if token == "_" else token
        ids.append(BASE_960H_VOCAB[token])
        probs.append(float(prob) if prob else default_prob)
    return np.array(ids, dtype=np.int64), np.array(probs, dtype=np.float32)


def assert_words(actual: list[Word], expected: list[tuple[str, float, float, float]]) -> None:
    assert [w.text for w in actual] == [e[0] for e in expected]
    for word, (text, start, end, confidence) in zip(actual, expected):
        assert word.start == pytest.approx(start, abs=1e-9), text
        assert word.end == pytest.approx(end, abs=1e-9), text
        assert word.confidence == pytest.approx(confidence, abs=1e-6), text


def test_vocab_from_base_960h() -> None:
    assert VOCAB.tokens[0] == "<pad>" and VOCAB.tokens[4] == "|" and VOCAB.tokens[5] == "E"
    assert not VOCAB.is_char(0) and not VOCAB.is_char(4)
    assert not VOCAB.is_char(BASE_960H_VOCAB["<s>"]) and not VOCAB.is_char(BASE_960H_VOCAB["<unk>"])
    assert VOCAB.is_char(BASE_960H_VOCAB["A"]) and VOCAB.is_char(BASE_960H_VOCAB["'"])


def test_single_word_times_and_confidence() -> None:
    # frames: 0 _, 1 H, 2 H, 3 I, 4 _, 5 |
    ids, probs = frames("_ H@0.9 H@0.7 I@0.5 _ |")
    assert_words(decode_frames(VOCAB, ids, probs), [("HI", 1 * F, 4 * F, (0.9 + 0.7 + 0.5) / 3)])


def test_repeated_letters_need_a_blank_between() -> None:
    ids, probs = frames("H E L L _ L O |")
    assert [w.text for w in decode_frames(VOCAB, ids, probs)] == ["HELLO"]
    ids, probs = frames("H E L L L O |")
    assert [w.text for w in decode_frames(VOCAB, ids, probs)] == ["HELO"]


def test_blank_frames_inside_a_word_are_not_char_frames() -> None:
    # The word spans frames 2..8; its confidence is the mean over its 5 char frames only.
    ids, probs = frames(
        "_@0.1 _@0.1 H@0.8 _@0.1 E@0.6 L@1.0 _@0.2 L@0.4 O@0.7 | _", default_prob=0.5
    )
    expected_conf = (0.8 + 0.6 + 1.0 + 0.4 + 0.7) / 5
    assert_words(decode_frames(VOCAB, ids, probs), [("HELLO", 2 * F, 9 * F, expected_conf)])


def test_delimiter_ends_words() -> None:
    ids, probs = frames("W E | A R E | _ _ O N E")
    words = decode_frames(VOCAB, ids, probs)
    assert_words(
        words, [("WE", 0, 2 * F, 0.5), ("ARE", 3 * F, 6 * F, 0.5), ("ONE", 9 * F, 12 * F, 0.5)]
    )


def test_same_letter_across_a_delimiter_starts_a_new_word() -> None:
    ids, probs = frames("A | A")
    assert [w.text for w in decode_frames(VOCAB, ids, probs)] == ["A", "A"]


def test_consecutive_delimiters_make_no_empty_words() -> None:
    ids, probs = frames("| | A | | | B | |")
    assert [w.text for w in decode_frames(VOCAB, ids, probs)] == ["A", "B"]


@pytest.mark.parametrize("gap", [1, 3, 25])
def test_a_run_of_gap_frames_blanks_ends_a_word(gap: int) -> None:
    just_short = " ".join(["_"] * (gap - 1))
    enough = " ".join(["_"] * gap)
    ids, probs = frames(f"A {just_short} B")
    assert [w.text for w in decode_frames(VOCAB, ids, probs, gap_frames=gap)] == ["AB"]
    ids, probs = frames(f"A {enough} B")
    words = decode_frames(VOCAB, ids, probs, gap_frames=gap)
    assert_words(words, [("A", 0, F, 0.5), ("B", (gap + 1) * F, (gap + 2) * F, 0.5)])


def test_gap_ends_the_word_as_soon_as_the_run_is_long_enough() -> None:
    decoder = CtcWordDecoder(VOCAB, gap_frames=3)
    ids, probs = frames("O K _ _")
    assert decoder.feed(ids, probs) == []
    ids, probs = frames("_")
    assert [w.text for w in decoder.feed(ids, probs)] == ["OK"]
    assert decoder.pending() == []


def test_special_tokens_add_no_text_and_no_confidence() -> None:
    ids, probs = frames("H@0.8 <unk>@0.1 E@0.6 <s>@0.1 Y@0.4 |")
    assert_words(decode_frames(VOCAB, ids, probs), [("HEY", 0, 5 * F, (0.8 + 0.6 + 0.4) / 3)])
    assert all("<" not in w.text for w in decode_frames(VOCAB, *frames("<s> <unk> </s> A <s>")))


def test_pending_shows_the_word_in_progress_without_consuming_it() -> None:
    decoder = CtcWordDecoder(VOCAB)
    ids, probs = frames("_ G O@0.9")
    assert decoder.feed(ids, probs) == []
    assert_words(decoder.pending(), [("GO", F, 3 * F, 0.7)])
    assert_words(decoder.pending(), [("GO", F, 3 * F, 0.7)])  # unchanged by looking
    ids, probs = frames("O@0.3")  # same letter, no blank: extends the frames, not the text
    assert decoder.feed(ids, probs) == []
    assert_words(decoder.flush(), [("GO", F, 4 * F, (0.5 + 0.9 + 0.3) / 3)])
    assert decoder.pending() == [] and decoder.flush() == []
    assert decoder.next_frame == 4


def test_flush_then_feed_keeps_global_frame_times() -> None:
    decoder = CtcWordDecoder(VOCAB)
    decoder.feed(*frames("A B"))
    assert [w.text for w in decoder.flush()] == ["AB"]
    words = decoder.feed(*frames("_ C |"))
    assert_words(words, [("C", 3 * F, 4 * F, 0.5)])


def test_frame_seconds_scales_times() -> None:
    decoder = CtcWordDecoder(VOCAB, frame_seconds=0.04)
    words = decoder.feed(*frames("_ _ A A |"))
    assert_words(words, [("A", 0.08, 0.16, 0.5)])


def test_empty_input() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert decode_frames(VOCAB, empty, empty.astype(np.float32)) == []
    assert decode_frames(VOCAB, *frames("_ _ | <s> _")) == []


def random_frames(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of blanks, delimiters, specials and letters, with long pauses now and then."""
    ids = []
    while len(ids) < n:
        kind = rng.random()
        if kind < 0.35:
            ids += [0] * int(rng.integers(1, 4))
        elif kind < 0.42:
            ids += [0] * int(rng.integers(20, 40))
        elif kind < 0.52:
            ids += [4] * int(rng.integers(1, 3))
        elif kind < 0.55:
            ids += [int(rng.integers(1, 4))]
        else:
            ids += [int(rng.integers(5, 32))] * int(rng.integers(1, 4))
    ids_arr = np.array(ids[:n], dtype=np.int64)
    return ids_arr, rng.random(n).astype(np.float32)


@pytest.mark.parametrize("piece", [1, 3, 7])
def test_feeding_in_pieces_equals_feeding_at_once(piece: int) -> None:
    rng = np.random.default_rng(piece)
    ids, probs = random_frames(rng, 2000)
    whole = decode_frames(VOCAB, ids, probs)
    assert len(whole) > 20  # the sequence really forms many words
    decoder = CtcWordDecoder(VOCAB)
    pieces: list[Word] = []
    for i in range(0, len(ids), piece):
        pieces += decoder.feed(ids[i : i + piece], probs[i : i + piece])
    pieces += decoder.flush()
    assert pieces == whole


def test_copy_is_independent() -> None:
    decoder = CtcWordDecoder(VOCAB)
    decoder.feed(*frames("T E"))
    trial = decoder.copy()
    assert [w.text for w in trial.feed(*frames("N |"))] == ["TEN"]
    assert [w.text for w in decoder.feed(*frames("A |"))] == ["TEA"]


def test_word_to_dict_rounds() -> None:
    word = Word("HI", 0.0200001, 0.08, 0.123456)
    assert word.to_dict() == {"word": "HI", "start": 0.02, "end": 0.08, "confidence": 0.1235}

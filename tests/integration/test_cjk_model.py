"""A tiny random Wav2Vec2ForCTC with a Chinese vocabulary on espeak-ng Mandarin: characters are
caption units through file transcription and streaming (plumbing, not accuracy)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import read_wav

from engine.config import TranscribeOptions
from engine.ctc import decode_frames
from engine.formats import to_srt
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array, transcribe_file
from engine.units import display_width, is_mark, is_unspaced


def texts(units) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    return [(u.text, round(u.start, 3), round(u.end, 3)) for u in units]


def check_units(units) -> None:  # type: ignore[no-untyped-def]
    assert len(units) >= 20
    for unit in units:
        if any(is_unspaced(c) for c in unit.text):
            # One character, with the combining marks (Thai) that follow it.
            assert len([c for c in unit.text if not is_mark(c)]) <= 1, unit.text
        assert unit.end > unit.start
        assert 0 <= unit.confidence <= 1
    for before, after in zip(units, units[1:]):
        assert after.start >= before.end


def test_file_transcription_gives_characters_and_several_cues(cjk_recognizer, cmn_wav):
    transcript = transcribe_file(cjk_recognizer, cmn_wav)
    units = transcript.words
    check_units(units)
    assert sum(len(u.text) == 1 and is_unspaced(u.text) for u in units) >= 20
    assert len(transcript.segments) >= 2
    for segment in transcript.segments:
        assert display_width(segment.text()) <= 84
    srt = to_srt(transcript)
    assert srt.count(" --> ") == len(transcript.segments)
    # Chinese is joined without spaces; a space appears only between two Latin runs.
    for segment in transcript.segments:
        text = segment.text()
        for i, char in enumerate(text):
            if char == " ":
                assert not is_unspaced(text[i - 1]) and not is_unspaced(text[i + 1]), text


@pytest.mark.parametrize("piece", [320, 4_000])
@pytest.mark.parametrize("stable", [True, False])
def test_stream_equals_file_unit_by_unit(cjk_recognizer, cmn_wav, piece, stable):
    audio = read_wav(cmn_wav)
    expected = transcribe_array(cjk_recognizer, audio, TranscribeOptions(profile="balanced"))
    processor = OnlineProcessor(
        cjk_recognizer, StreamOptions(profile="balanced", stable_partials=stable)
    )
    events = []
    for i in range(0, len(audio), piece):
        events += processor.push(audio[i : i + piece])
    events += processor.finish()
    finals = final_words(events)
    # Same units and times; confidences may differ in the last bits (other batch shapes).
    assert texts(finals) == texts(expected.words)
    check_units(finals)
    partials = [e for e in events if e.type == "partial"]
    assert partials
    for event in partials:
        # A partial's units are units too: one character each where the script has no spaces.
        check_units(list(event.words)) if len(event.words) >= 20 else None


def test_partials_agree_unit_by_unit(cjk_recognizer, cmn_wav):
    """With stable partials, a shown unit is only replaced in place, never dropped: every
    partial is at least as long as the previous one within an utterance."""
    audio = read_wav(cmn_wav)
    processor = OnlineProcessor(cjk_recognizer, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(audio), 1600):
        events += processor.push(audio[i : i + 1600])
    events += processor.finish()
    shown = 0
    for event in events:
        if event.type == "partial":
            assert len(event.words) >= shown or shown == 0
            shown = len(event.words)
        elif event.type in ("final", "utterance_end"):
            shown = 0
    assert np.mean([len(e.words) for e in events if e.type == "partial"]) >= 1


def test_bracketed_special_tokens_are_never_spelled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Many XLSR fine-tunes name their unknown token "[UNK]": it must not reach the text."""
    from helpers import save_processor
    from transformers import AutoTokenizer

    from engine.families import read_vocab

    vocab = {"[PAD]": 0, "[UNK]": 1, "|": 2, "你": 3, "好": 4}
    save_processor(tmp_path, vocab)
    # The tokenizer was saved with <unk>/<pad> names; point it at the bracketed ones.
    import json

    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    config.update(unk_token="[UNK]", pad_token="[PAD]")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    special = tmp_path / "special_tokens_map.json"
    if special.exists():
        special.write_text(json.dumps({"unk_token": "[UNK]", "pad_token": "[PAD]"}))
    loaded = read_vocab(AutoTokenizer.from_pretrained(str(tmp_path)))
    assert loaded.blank_id == 0 and loaded.delimiter_id == 2
    ids = np.array([3, 1, 1, 0, 4], dtype=np.int64)
    units = decode_frames(loaded, ids, np.full(5, 0.5, np.float32))
    assert [u.text for u in units] == ["你", "好"]

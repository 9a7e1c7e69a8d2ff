"""The online processor: final words equal file transcription, partials, events, bounded memory."""

from __future__ import annotations

import random

import numpy as np
import pytest
from helpers import CountingModel, read_wav

from engine.config import PROFILES, TranscribeOptions
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array


@pytest.fixture(scope="module")
def speech(hello_wav) -> np.ndarray:
    audio = read_wav(hello_wav)
    # Two sentences with a pause between them, the second quieter.
    return np.concatenate([audio, np.zeros(12_000, np.float32), 0.5 * audio])


def stream_words(model, audio: np.ndarray, piece, profile: str = "balanced", seed: int = 0):
    processor = OnlineProcessor(model, StreamOptions(profile=profile))
    rng = random.Random(seed)
    events, i = [], 0
    while i < len(audio):
        n = piece if piece != "random" else rng.randint(1, 12_000)
        events += processor.push(audio[i : i + n])
        i += n
    events += processor.finish()
    return events


def texts(words) -> list[tuple[str, float, float]]:
    return [(w.text, round(w.start, 3), round(w.end, 3)) for w in words]


@pytest.mark.parametrize("piece", [160, 592, 16_000, "random"])
@pytest.mark.parametrize("profile", ["low_latency", "balanced", "accurate"])
def test_final_words_equal_file_transcription(tiny_recognizer, speech, profile, piece):
    expected = transcribe_array(tiny_recognizer, speech, TranscribeOptions(profile=profile)).words
    assert len(expected) >= 5  # the tiny model's fixture makes it speak in many short words
    events = stream_words(tiny_recognizer, speech, piece, profile)
    assert texts(final_words(events)) == texts(expected)


def test_one_sample_pushes_equal_file_transcription(tiny_recognizer, speech):
    audio = speech[:40_000]
    expected = transcribe_array(tiny_recognizer, audio, TranscribeOptions(profile="balanced")).words
    events = stream_words(tiny_recognizer, audio, 1)
    assert texts(final_words(events)) == texts(expected)


def test_partials_are_frequent_and_finals_append_only(tiny_recognizer, speech):
    events = stream_words(tiny_recognizer, speech, 1600)  # 100 ms pieces
    partial_times = [e.end for e in events if e.type == "partial"]
    assert partial_times, "no partial results"
    # While audio arrives, a partial comes at least every 300 ms of audio (tiny model: every
    # window has speech-like output), except where the newest partial equals the previous one.
    speech_s = len(speech) / 16_000
    assert len(partial_times) >= speech_s / 0.3 * 0.5
    finals = final_words(events)
    assert all(a.start <= b.start for a, b in zip(finals, finals[1:]))
    assert events[-1].type == "end"
    types = [e.type for e in events]
    assert types.index("speech_started") < types.index("final")
    assert "utterance_end" in types


def partial_revisions(events) -> tuple[int, int]:
    """(times a partial showed fewer words than the one before it, times it changed a word
    already shown), counted within each stretch between finals."""
    shrinks = changes = 0
    shown: list[str] | None = None
    for event in events:
        if event.type == "partial":
            words = [w.text for w in event.words]
            if shown is not None:
                shrinks += len(words) < len(shown)
                changes += words[: len(shown)] != shown[: len(words)]
            shown = words
        elif event.type in ("final", "utterance_end"):
            shown = None  # the shown tail became final: the next partial starts after it
    return shrinks, changes


@pytest.mark.parametrize("profile", ["balanced", "accurate"])
def test_stable_partials_never_take_words_away_and_change_fewer(tiny_recognizer, speech, profile):
    def partials(stable: bool) -> list:
        processor = OnlineProcessor(
            tiny_recognizer, StreamOptions(profile=profile, stable_partials=stable)
        )
        events = [
            e for i in range(0, len(speech), 1600) for e in processor.push(speech[i : i + 1600])
        ]
        return events + processor.finish()

    stable_shrinks, stable_changes = partial_revisions(partials(True))
    raw_shrinks, raw_changes = partial_revisions(partials(False))
    # A shown line never gets shorter ...
    assert stable_shrinks == 0
    # ... and shown words change far less often than in the raw partial results (the tiny
    # model revises its guesses a lot: 13 and 16 raw changes here, against 4 and 10).
    assert raw_changes >= stable_changes + 3, (raw_changes, stable_changes)


def test_partial_covers_tail_beyond_finals(tiny_recognizer, speech):
    # One push, so one partial result: shown as it comes (a stable partial waits for a second).
    processor = OnlineProcessor(
        tiny_recognizer, StreamOptions(profile="accurate", stable_partials=False)
    )
    events = processor.push(speech[:48_000])  # 3 s: no window of "accurate" is final yet
    assert not [e for e in events if e.type == "final"]
    partials = [e for e in events if e.type == "partial"]
    assert partials and partials[-1].end > 1.0


def test_silence_produces_no_words_and_skips_the_model(tiny_recognizer):
    model = CountingModel(tiny_recognizer)
    events = OnlineProcessor(model).push(np.zeros(16_000 * 10, np.float32))
    assert model.batch_sizes == []
    assert [e.type for e in events] == []


def test_silent_windows_skipped_identically_in_file_and_stream(tiny_recognizer, speech):
    gap = np.zeros(16_000 * 6, np.float32)  # long digital silence: whole windows are skipped
    audio = np.concatenate([speech[:30_000], gap, speech[:30_000]])
    expected = transcribe_array(tiny_recognizer, audio, TranscribeOptions(profile="balanced")).words
    events = stream_words(tiny_recognizer, audio, 3200)
    assert texts(final_words(events)) == texts(expected)
    # Speech ends at 1.875 s and resumes at 7.875 s; with 1.5 s + 1 s + 1 s windows, the windows
    # deciding 4 s to 6 s see nothing but silence and are skipped, so no word can start there.
    assert not [w for w in expected if 4.0 <= w.start < 6.0]
    assert [w for w in expected if w.start < 1.9] and [w for w in expected if w.start > 7.8]


def test_memory_is_bounded(tiny_recognizer):
    processor = OnlineProcessor(
        tiny_recognizer, StreamOptions(profile="low_latency", partials=False)
    )
    rng = np.random.default_rng(0)
    block = (rng.normal(0, 0.1, 16_000)).astype(np.float32)
    sizes = []
    for _ in range(120):  # two minutes
        processor.push(block)
        windower = processor.state.windower
        sizes.append(windower._buffer.size + sum(c.size for c in windower._chunks))
    assert max(sizes[60:]) <= max(sizes[:10]) + 16_000
    assert max(sizes) < windower.grid.window_samples + 2 * 16_000


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "file"])
def test_lag_stays_within_one_window(tiny_recognizer, profile):
    processor = OnlineProcessor(tiny_recognizer, StreamOptions(profile=profile, partials=False))
    grid = processor.state.grid
    for _ in range(20):
        processor.push(np.full(8000, 0.05, np.float32))
        assert processor.state.lag_s <= (grid.centre + grid.right) * 0.02 + 1e-9


@pytest.mark.demo_model
def test_each_pause_ends_an_utterance_even_where_the_model_writes_word_delimiters(
    demo_recognizer, speech_dir
) -> None:
    """The demo model writes the word delimiter "|" inside pauses: a pause is still a pause, so
    three sentences with 1.2 s between them are three utterances, one per sentence."""
    from helpers import SENTENCES, have, sentences_with_pauses

    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    audio = read_wav(sentences_with_pauses(speech_dir))
    events = stream_words(demo_recognizer, audio, 1600)
    utterances: list[list[str]] = [[]]
    for event in events:
        if event.type == "final":
            utterances[-1] += [w.text for w in event.words]
        elif event.type == "utterance_end":
            utterances.append([])
    heard = [" ".join(u).lower() for u in utterances if u]
    assert len(heard) == len(SENTENCES), heard
    import jiwer

    assert all(jiwer.cer(said, got) < 0.3 for said, got in zip(SENTENCES, heard)), heard

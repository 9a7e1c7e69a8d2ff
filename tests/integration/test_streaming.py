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
    # While audio arrives, a partial comes at least every 400 ms of audio (tiny model: every
    # window has speech-like output), except where the newest partial equals the previous one.
    speech_s = len(speech) / 16_000
    assert len(partial_times) >= speech_s / StreamOptions().partial_interval_s * 0.5
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


class LocalModel:
    """A model whose every frame is labelled from that frame's own samples only (no context,
    no normalisation): a letter while the frame is loud, the word delimiter while it is quiet
    but not silent, blank while it is silent. Two windows holding the same frames label them
    alike, whatever else the windows hold."""

    frame_samples = 320
    receptive_field = 400

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.letters = [vocab.tokens.index(c) for c in "ABCDEFGH"]
        self.passes = 0

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None):
        from engine.model import FrameOutput, frames_for_samples

        self.passes += 1
        count = frames_for_samples(windows.shape[1], self.frame_samples, self.receptive_field)
        level = np.abs(windows[:, : count * 320].reshape(len(windows), count, 320)).mean(axis=2)
        ids = np.full(level.shape, self.vocab.blank_id, dtype=np.int64)
        ids[level > 0.01] = self.vocab.delimiter_id
        loud = level > 0.1
        ids[loud] = np.take(self.letters, (level[loud] * 10).astype(int) % len(self.letters))
        return FrameOutput(ids, np.full(level.shape, 0.9, np.float32))


def spoken_letters(seconds: float, seed: int = 0) -> np.ndarray:
    """Frames of letters (0.2-0.6 s runs at changing levels) between short quiet gaps."""
    rng = np.random.default_rng(seed)
    levels: list[float] = []
    while len(levels) * 0.02 < seconds:
        levels += [0.05] * int(rng.integers(2, 8))
        for _ in range(int(rng.integers(2, 5))):
            levels += [float(rng.uniform(0.12, 0.8))] * int(rng.integers(3, 8))
    frames = np.repeat(np.array(levels[: int(seconds / 0.02)], np.float32), 320)
    signs = np.where(np.arange(frames.size) % 2, 1.0, -1.0).astype(np.float32)
    return frames * signs


def test_partial_from_a_final_windows_right_context_equals_a_partial_window(tiny_recognizer):
    """A final window's right context is the start of the unfinal tail: where a model labels
    each frame from the frame alone, the partial it gives is the one a partial window of its
    own would give for the same audio, without a forward pass of its own."""
    model = LocalModel(tiny_recognizer.vocab)
    options = StreamOptions(stable_partials=False, partial_passes=False)
    processor = OnlineProcessor(model, options)
    grid = processor.state.grid
    audio = spoken_letters(12.0)
    for k in range(8):  # the right context lacks the window's last frame (the conv stack's
        # count): let the two frames before each final window's end be quiet, so that the
        # frame it lacks changes no word
        audio[grid.end(k) - 640 : grid.end(k)] = 0.05
    for k in range(8):  # push up to where final window k is ready, as a sound card would
        start, end = (grid.end(k - 1) if k else 0), grid.end(k)
        passes = model.passes
        events = processor.push(audio[start:end])
        assert model.passes == passes + 1  # the final window only: no partial pass
        partials = [e for e in events if e.type == "partial"]
        # The same tail seen by a partial window of its own (window k + 1 so far).
        peek = processor.state.windower.peek()
        assert peek is not None and peek.index == k + 1
        out = model.frames(peek.samples[None])
        expected = processor.state.stitcher.peek(peek, out.ids[0], out.probs[0])
        assert expected  # the tail has words
        assert texts(partials[-1].words) == texts(expected)


def test_a_pause_in_the_right_context_ends_the_utterance_with_its_last_words(tiny_recognizer):
    """Where a final window's right context holds no speech, the utterance ends with the
    final words before the pause (the pause is 0.7 s at the window's end, 1.7 s at its right
    context's), not a window later; the short gaps between words end nothing."""
    model = LocalModel(tiny_recognizer.vocab)
    processor = OnlineProcessor(model, StreamOptions(stable_partials=False, partial_passes=False))
    grid = processor.state.grid
    silence = np.zeros(16000, np.float32)
    audio = np.concatenate(
        [spoken_letters(2.3), *[silence] * 3, spoken_letters(1.0, seed=1), silence, silence]
    )
    pushes = []
    for k in range(7):  # push up to where final window k is ready, as a sound card would
        start, end = (grid.end(k - 1) if k else 0), grid.end(k)
        pushes.append([e.type for e in processor.push(audio[start:end])])
    # window 2 decides 2 to 3 s: the last words before the pause, then its end
    assert pushes[2][-2:] == ["final", "utterance_end"]
    # the next utterance, 5.3 to 6.3 s: window 6 decides its last words and sees the pause
    assert pushes[6][-2:] == ["final", "utterance_end"]
    assert sum(p.count("utterance_end") for p in pushes) == 2


def test_without_partial_passes_only_final_windows_run(tiny_recognizer, speech):
    counting = CountingModel(tiny_recognizer)
    options = StreamOptions(partial_passes=False, stable_partials=False)
    processor = OnlineProcessor(counting, options)
    events = [
        e for i in range(0, len(speech), 800) for e in processor.push(speech[i : i + 800])
    ] + processor.finish()
    grid = processor.state.grid
    finals = -(-grid.frames_in(len(speech)) // grid.centre)
    assert sum(counting.batch_sizes) <= finals  # silent windows skip the model
    assert [e for e in events if e.type == "partial"]  # partials still come, from finals
    expected = transcribe_array(tiny_recognizer, speech, TranscribeOptions(profile="balanced"))
    assert texts(final_words(events)) == texts(expected.words)


def test_no_partial_pass_starts_that_the_next_final_would_wait_for(tiny_recognizer):
    state = OnlineProcessor(tiny_recognizer).state
    grid = state.grid
    noise = np.random.default_rng(0).normal(0, 0.1, grid.end(1)).astype(np.float32)
    state.add_audio(noise[: grid.end(0)])
    # A final window: its right context gives the partial, so no partial window comes with it.
    assert [w.final for w in state.take_work()] == [True]
    # 0.5 s later a partial window is due; the next final's audio comes 0.5 s after that.
    state.add_audio(noise[grid.end(0) : grid.end(0) + 8000])
    assert [w.final for w in state.take_work(pass_s=0.6)] == []  # it would delay that final
    assert [w.final for w in state.take_work(pass_s=0.1)] == [False]


class RecordsWidths:
    """Mixin for a test model: records the width of every batch it is given."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.widths: list[int] = []

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None):
        self.widths.append(windows.shape[1])
        return super().frames(windows, valid)  # the model it is mixed with


class WidthRecordingModel(RecordsWidths, LocalModel):
    """LocalModel that records the width of every batch it is given."""


def test_a_partial_pass_runs_only_the_audio_its_window_holds(tiny_recognizer):
    """A partial window runs cut to the audio it holds so far, and its partial is the one the
    whole padded window gives."""
    model = WidthRecordingModel(tiny_recognizer.vocab)
    processor = OnlineProcessor(model, StreamOptions(stable_partials=False))
    grid = processor.state.grid
    audio = spoken_letters(grid.end(0) / 16000 + 0.5)
    processor.push(audio[: grid.end(0)])  # final window 0 (full width)
    assert model.widths == [grid.window_samples]
    events = processor.push(audio[grid.end(0) :])  # 0.5 s more: a partial pass of window 1
    assert len(model.widths) == 2
    assert model.widths[1] <= grid.window_samples - 0.25 * 16000  # its last second is not there
    partials = [e for e in events if e.type == "partial"]
    peek = processor.state.windower.peek()
    assert peek is not None and peek.index == 1
    whole = model.frames(peek.samples[None])  # the uncut window
    expected = processor.state.stitcher.peek(peek, whole.ids[0], whole.probs[0])
    assert expected and texts(partials[-1].words) == texts(expected)


def test_a_partial_pass_sees_half_a_second_before_the_unfinal_audio(tiny_recognizer):
    """A partial pass runs its window from ``partial_context_s`` before the unfinal audio, not
    the grid's whole left context (1.5 s in balanced): on a model that looks at nearby audio
    only, its partial is the one the whole window gives."""
    model = WidthRecordingModel(tiny_recognizer.vocab)
    options = StreamOptions(stable_partials=False)
    processor = OnlineProcessor(model, options)
    grid = processor.state.grid
    audio = spoken_letters(grid.end(0) / 16000 + 0.5)
    processor.push(audio[: grid.end(0)])  # final window 0: 1 s decided, to 2 s received
    events = processor.push(audio[grid.end(0) :])  # 0.5 s more: a partial pass of window 1
    # window 1 decides from 1 s: its pass runs 0.5 s to 2.5 s, plus two frames, rounded up to
    # a step of about 0.25 s (from -0.5 s with the grid's context: over 3 s)
    assert options.partial_context_s == 0.5 and 2.0 * 16000 < model.widths[1] <= 2.3 * 16000
    whole = processor.state.windower.peek()  # the grid's window 1, from -0.5 s
    assert whole is not None and whole.keep_from == grid.left
    out = model.frames(whole.samples[None])
    expected = processor.state.stitcher.peek(whole, out.ids[0], out.probs[0])
    partials = [e for e in events if e.type == "partial"]
    assert expected and texts(partials[-1].words) == texts(expected)


def test_power_saver_runs_half_the_final_windows_and_equals_its_file_transcription(
    tiny_recognizer, speech
):
    def run(power_saver: bool) -> tuple[list, int]:
        counting = CountingModel(tiny_recognizer)
        options = StreamOptions(power_saver=power_saver)  # stable partials, as by default
        processor = OnlineProcessor(counting, options)
        events = [
            e for i in range(0, len(speech), 800) for e in processor.push(speech[i : i + 800])
        ] + processor.finish()
        return events, sum(counting.batch_sizes)

    events, passes = run(power_saver=True)
    _, default_passes = run(power_saver=False)
    profile = PROFILES["balanced"]
    seconds = len(speech) / 16000
    assert passes <= -(-seconds // (2 * profile.centre_s)) + 1  # finals only, on a 2 s grid
    assert passes < default_passes / 2
    assert [e for e in events if e.type == "partial"]  # partials from the finals' context
    file = TranscribeOptions(profile="balanced", power_saver=True)
    expected = transcribe_array(tiny_recognizer, speech, file)
    assert texts(final_words(events)) == texts(expected.words)


class WidthCountingModel(RecordsWidths, CountingModel):
    """CountingModel that records the width of every batch."""


def test_a_short_file_runs_only_its_audio_and_its_stream_equals_it(tiny_recognizer, speech):
    """The file profile's one 20 s window for a file of a few seconds runs cut to its audio
    (the rest is padding), and the stream of the same audio gives the same words."""
    model = WidthCountingModel(tiny_recognizer)
    file = transcribe_array(model, speech, TranscribeOptions())
    full = round(PROFILES["file"].window_s * 16000)
    assert model.widths and max(model.widths) <= len(speech) + 16000 + 0.25 * 16000 + 640
    assert len(speech) < full / 3 and max(model.widths) < full / 2
    options = StreamOptions(profile="file", stable_partials=False)
    processor = OnlineProcessor(tiny_recognizer, options)
    events = processor.push(speech) + processor.finish()
    assert file.words and texts(final_words(events)) == texts(file.words)

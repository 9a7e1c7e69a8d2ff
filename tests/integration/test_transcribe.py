"""File transcription: progress, cancellation, batching does not change the words."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from helpers import read_wav

from engine import Cancelled, TranscribeOptions
from engine.transcribe import transcribe_array, transcribe_blocks, transcribe_file


def test_progress_reaches_the_end_and_cancel_stops(tiny_recognizer, hello_wav):
    audio = np.tile(read_wav(hello_wav), 20)  # about a minute
    seen: list[float] = []
    transcribe_blocks(
        tiny_recognizer,
        [audio],
        TranscribeOptions(profile="balanced"),
        progress=lambda d, t: seen.append(d),
    )
    assert seen[-1] == pytest.approx(len(audio) / 16_000)

    cancel = threading.Event()
    calls: list[float] = []

    def progress(done: float, total: float) -> None:
        calls.append(done)
        if len(calls) == 2:
            cancel.set()

    blocks = (audio[i : i + 16_000] for i in range(0, len(audio), 16_000))
    with pytest.raises(Cancelled):
        transcribe_blocks(
            tiny_recognizer,
            blocks,
            TranscribeOptions(profile="balanced", batch_size=1),
            progress=progress,
            cancel=cancel,
        )
    assert calls[-1] < len(audio) / 16_000 / 2


@pytest.mark.parametrize("batch_size", [1, 3, 16])
def test_batch_size_does_not_change_words(tiny_recognizer, hello_wav, batch_size):
    audio = np.tile(read_wav(hello_wav), 4)
    base = transcribe_array(
        tiny_recognizer, audio, TranscribeOptions(profile="balanced", batch_size=1)
    ).words
    other = transcribe_array(
        tiny_recognizer, audio, TranscribeOptions(profile="balanced", batch_size=batch_size)
    ).words
    assert [(w.text, w.start) for w in other] == [(w.text, w.start) for w in base]


def test_file_and_array_agree_and_report_source(tiny_recognizer, hello_wav):
    from_file = transcribe_file(tiny_recognizer, hello_wav)
    from_array = transcribe_array(tiny_recognizer, read_wav(hello_wav))
    assert [w.text for w in from_file.words] == [w.text for w in from_array.words]
    assert from_file.source == hello_wav.name
    assert from_file.segments and from_file.segments[0].text()[0].isupper()


def test_a_cancelled_file_hands_back_the_part_done(demo_recognizer, tmp_path):
    """Cancel part-way through a file (through the scheduler, as the app and the CLI run it):
    the error carries the words of the audio done, with their times, as in the whole file's
    transcript, and says how far it got."""
    from helpers import GREEDY, sentences_with_pauses

    from engine.scheduler import Scheduler
    from engine.transcribe import TranscriptionCancelled

    speech = sentences_with_pauses(tmp_path)
    options = TranscribeOptions(profile="balanced", batch_size=1, decode=GREEDY)
    with Scheduler(demo_recognizer) as scheduler:
        whole = transcribe_file(scheduler, speech, options)
        cancel = threading.Event()

        def progress(done: float, total: float) -> None:
            if done > 0.6 * total:
                cancel.set()

        with pytest.raises(TranscriptionCancelled) as stop:
            transcribe_file(scheduler, speech, options, progress=progress, cancel=cancel)
    part = stop.value.partial
    assert isinstance(stop.value, Cancelled)  # front ends that only know Cancelled still stop
    assert 0.6 * whole.duration < part.duration < whole.duration
    assert stop.value.total_seconds == pytest.approx(whole.duration, abs=0.1)
    assert part.source == speech.name and "cancelled" in part.notes[0]
    assert len(part.segments) >= 2  # the first sentences, as captions
    done = [(w.text, round(w.start, 2)) for w in part.words]
    same = [(w.text, round(w.start, 2)) for w in whole.words][: len(done) - 1]
    assert done[:-1] == same  # the last word may have been cut by the stop
    assert all(w.end <= part.duration + 0.5 for w in part.words)

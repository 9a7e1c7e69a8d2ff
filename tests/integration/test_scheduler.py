"""One model, many streams: batching, fairness, isolation of failures, overload, shutdown."""

from __future__ import annotations

import queue
import threading

import numpy as np
import pytest
from helpers import CountingModel, Exploding, read_wav

from engine.config import TranscribeOptions
from engine.scheduler import Scheduler, SchedulerOptions, TooManyStreams
from engine.streaming import Event, StreamOptions, final_words
from engine.transcribe import transcribe_array

TIMEOUT = 120


def collect(stream_events: queue.Queue) -> list[Event]:
    events = []
    while True:
        event = stream_events.get(timeout=TIMEOUT)
        events.append(event)
        if event.type in ("end", "error"):
            return events


def feed(stream, audio: np.ndarray, piece: int) -> None:
    for i in range(0, len(audio), piece):
        stream.push(audio[i : i + piece])
    stream.finish()


def words(ws) -> list[tuple[str, float]]:
    return [(w.text, round(w.start, 3)) for w in ws]


@pytest.fixture(scope="module")
def speech(hello_wav) -> np.ndarray:
    return read_wav(hello_wav)


def test_many_streams_each_equal_file_transcription(tiny_recognizer, speech):
    model = CountingModel(tiny_recognizer)
    clips = [speech, speech[::-1].copy(), 0.3 * speech, np.roll(speech, 5000)]
    expected = [
        words(transcribe_array(tiny_recognizer, c, TranscribeOptions(profile="balanced")).words)
        for c in clips
    ]
    with Scheduler(model, SchedulerOptions(max_batch=8)) as scheduler:
        queues = [queue.Queue() for _ in clips]
        streams = [scheduler.open_stream(q.put, StreamOptions(profile="balanced")) for q in queues]
        assert scheduler.active_streams == len(clips)
        feeders = [threading.Thread(target=feed, args=(s, c, 1600)) for s, c in zip(streams, clips)]
        for t in feeders:
            t.start()
        results = [collect(q) for q in queues]
        for t in feeders:
            t.join()
    for events, exp in zip(results, expected):
        assert events[-1].type == "end"
        assert words(final_words(events)) == exp
    assert max(model.batch_sizes) > 1, "windows of different streams were never batched"
    assert scheduler.active_streams == 0


def test_without_batching_each_pass_has_one_window(tiny_recognizer, speech):
    model = CountingModel(tiny_recognizer)
    with Scheduler(model, SchedulerOptions(batching=False)) as scheduler:
        qs = [queue.Queue(), queue.Queue()]
        streams = [scheduler.open_stream(q.put) for q in qs]
        for s in streams:
            feed(s, speech, 16_000)
        for q in qs:
            collect(q)
    assert set(model.batch_sizes) == {1}


def test_failing_consumer_ends_only_its_stream(tiny_recognizer, speech):
    good: queue.Queue = queue.Queue()

    def broken(event: Event) -> None:
        raise RuntimeError("consumer bug")

    with Scheduler(tiny_recognizer) as scheduler:
        bad_stream = scheduler.open_stream(broken)
        good_stream = scheduler.open_stream(good.put)
        feed(bad_stream, speech, 8000)
        feed(good_stream, speech, 8000)
        events = collect(good)
    assert events[-1].type == "end" and final_words(events)
    assert bad_stream.closed


def test_processing_error_becomes_an_error_event(tiny_recognizer, speech):
    q: queue.Queue = queue.Queue()
    with Scheduler(Exploding(tiny_recognizer)) as scheduler:
        stream = scheduler.open_stream(q.put)
        feed(stream, speech, 16_000)
        events = collect(q)
        # The scheduler survives: a new stream on a working model is served.
    assert events[-1].type == "error" and "boom" in events[-1].message


def test_too_many_streams_are_refused(tiny_recognizer):
    with Scheduler(tiny_recognizer, SchedulerOptions(max_streams=2)) as scheduler:
        a = scheduler.open_stream(lambda e: None)
        scheduler.open_stream(lambda e: None)
        with pytest.raises(TooManyStreams):
            scheduler.open_stream(lambda e: None)
        a.close()
        scheduler.open_stream(lambda e: None)  # a place became free


def test_overload_warns_then_ends_the_stream(tiny_recognizer):
    gate = threading.Event()

    class Slow(CountingModel):
        def frames(self, windows, valid=None):
            gate.wait(TIMEOUT)  # the model is "busy" until the test has pushed a backlog
            return super().frames(windows, valid)

    q: queue.Queue = queue.Queue()
    options = SchedulerOptions(warn_lag_s=3.0, max_lag_s=8.0)
    with Scheduler(Slow(tiny_recognizer), options) as scheduler:
        stream = scheduler.open_stream(q.put, StreamOptions(partials=False))
        noise = np.random.default_rng(0).normal(0, 0.1, 16_000).astype(np.float32)
        for _ in range(20):
            try:
                stream.push(noise)
            except RuntimeError:  # the scheduler already ended the stream: the point of the test
                break
        gate.set()
        events = collect(q)
    kinds = [e.type for e in events]
    assert kinds[-1] == "error" and "keep up" in events[-1].message
    assert stream.closed


def test_stop_ends_open_streams_with_an_error(tiny_recognizer, speech):
    q: queue.Queue = queue.Queue()
    scheduler = Scheduler(tiny_recognizer).start()
    stream = scheduler.open_stream(q.put)
    stream.push(speech[:8000])
    scheduler.stop()
    events = collect(q)
    assert events[-1].type == "error"
    assert stream.push(speech[:100]) is False  # refused, and the caller learns it


@pytest.mark.parametrize("with_finals", [None, True])
def test_on_the_cpu_partials_wait_for_a_round_without_finals(tiny_recognizer, speech, with_finals):
    """One round finds finals ready and a partial due. On the CPU (None: the default there) the
    partial window is left out, since it would lengthen the round by a whole window (the partial
    then comes from the final window's right context, which ends where that window ends);
    where batching is cheap (True: the CUDA default) it rides along."""
    model = CountingModel(tiny_recognizer)
    q: queue.Queue = queue.Queue()
    with Scheduler(model, SchedulerOptions(partials_with_finals=with_finals)) as scheduler:
        stream = scheduler.open_stream(
            q.put, StreamOptions(profile="balanced", stable_partials=False)
        )
        with scheduler._cond:  # the scheduler sees all 2.75 s at once: a final and a partial
            stream.push(speech)
        first = q.get(timeout=TIMEOUT)
        stream.finish()  # no partials while finishing
        events = [first, *collect(q)]
    assert [e.type for e in events].count("final") >= 1
    partials = [e for e in events if e.type == "partial"]
    if with_finals:
        assert partials and model.batch_sizes[0] == 2  # the final and the partial in one pass
    else:
        assert model.batch_sizes[0] == 1
        assert all(e.end <= stream._state.grid.end(0) / 16_000 for e in partials)


def test_audio_after_the_engine_ended_a_stream_is_refused_quietly(tiny_recognizer, speech):
    q: queue.Queue = queue.Queue()
    with Scheduler(Exploding(tiny_recognizer)) as scheduler:
        stream = scheduler.open_stream(q.put)
        assert stream.push(speech) is True
        assert collect(q)[-1].type == "error"
        assert stream.push(speech) is False  # the microphone keeps delivering: no exception
        other = scheduler.open_stream(q.put)
        other.finish()
        with pytest.raises(RuntimeError, match="after finish"):
            other.push(speech)  # the caller's own mistake is one

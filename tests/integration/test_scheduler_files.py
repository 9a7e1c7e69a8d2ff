"""Files through the scheduler: the lowest-priority work, after live finals; same words as a file
transcribed alone; several files take turns; cancel and shutdown end the wait."""

from __future__ import annotations

import queue
import threading

import numpy as np
import pytest
from helpers import CountingModel, read_wav

from engine.config import TranscribeOptions
from engine.errors import Cancelled, EngineStopped
from engine.scheduler import Scheduler
from engine.streaming import StreamOptions
from engine.transcribe import transcribe_array, transcribe_blocks

TIMEOUT = 120
BALANCED_WINDOW = 56_000  # samples of a "balanced" window (1.5 + 1.0 + 1.0 s)


class GatedModel(CountingModel):
    """Records every forward pass (window count, length, loudness); the first pass waits for
    ``release`` once ``hold`` is set, so a test can line work up behind it."""

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        super().__init__(model)
        self.passes: list[tuple[int, int, float]] = []
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
        with self._lock:
            self.passes.append((len(windows), windows.shape[1], float(np.abs(windows).max())))
        if self.hold.is_set():
            self.hold.clear()
            self.holding.set()
            assert self.release.wait(TIMEOUT)
        return super().frames(windows, valid)


def noise(seconds: float, level: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    audio = rng.uniform(-level, level, int(seconds * 16_000)).astype(np.float32)
    audio[0] = level  # the loudness that tells the files apart
    return audio


def in_thread(target, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run target in a thread; the returned queue gets its result or its exception."""
    out: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            out.put(target(*args, **kwargs))
        except BaseException as exc:
            out.put(exc)

    threading.Thread(target=run, daemon=True).start()
    return out


def wait_until(condition) -> None:  # type: ignore[no-untyped-def]
    event = threading.Event()
    for _ in range(TIMEOUT * 100):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not reached")


def test_a_file_through_the_scheduler_equals_the_file_alone(tiny_recognizer, hello_wav):
    audio = np.concatenate([read_wav(hello_wav)] * 4)
    for profile in ("file", "balanced"):
        options = TranscribeOptions(profile=profile)
        alone = transcribe_array(tiny_recognizer, audio, options)
        with Scheduler(tiny_recognizer) as scheduler:
            scheduled = transcribe_array(scheduler, audio, options)
        assert scheduled.words == alone.words
        assert scheduled.duration == alone.duration


def test_without_live_streams_a_file_runs_whole_batches(tiny_recognizer):
    model = CountingModel(tiny_recognizer)
    options = TranscribeOptions(profile="balanced", batch_size=4)
    with Scheduler(model) as scheduler:
        transcribe_array(scheduler, noise(12, 0.1, 1), options)
    assert max(model.batch_sizes) == 4


class CudaLabelled(CountingModel):
    """The same model, on a device the scheduler takes for CUDA."""

    device = "cuda"


def test_on_the_cpu_a_file_pass_holds_one_long_window_and_on_cuda_the_batch(tiny_recognizer):
    """On the CPU a file pass holds at most ``cpu_file_pass_s`` of audio: one of the file
    profile's 20 s windows (a batch of them costs more per second there). CUDA runs the batch
    whole. The words are the same."""
    audio = noise(80, 0.1, 3)
    options = TranscribeOptions(profile="file", batch_size=4)
    cpu = CountingModel(tiny_recognizer)
    with Scheduler(cpu) as scheduler:
        on_cpu = transcribe_array(scheduler, audio, options)
    assert len(cpu.batch_sizes) == 5 and set(cpu.batch_sizes) == {1}
    cuda = CudaLabelled(tiny_recognizer)
    with Scheduler(cuda) as scheduler:
        on_cuda = transcribe_array(scheduler, audio, options)
    assert cuda.batch_sizes[0] == 4
    assert on_cpu.words == on_cuda.words


def test_live_finals_go_before_the_files_next_window(tiny_recognizer, hello_wav):
    model = GatedModel(tiny_recognizer)
    speech = np.concatenate([read_wav(hello_wav)] * 2)
    events: queue.Queue = queue.Queue()
    with Scheduler(model) as scheduler:
        stream = scheduler.open_stream(events.put, StreamOptions(profile="balanced"))
        model.hold.set()
        done = in_thread(
            transcribe_array, scheduler, noise(60, 0.1, 2), TranscribeOptions(profile="file")
        )
        assert model.holding.wait(TIMEOUT)  # the file's first window holds the model
        stream.push(speech)  # several live final windows become ready meanwhile
        model.release.set()
        transcript = done.get(timeout=TIMEOUT)
        assert not isinstance(transcript, BaseException), transcript
        stream.finish()
        while events.get(timeout=TIMEOUT).type not in ("end", "error"):
            pass
    file_passes = [i for i, p in enumerate(model.passes) if p[1] != BALANCED_WINDOW]
    live_passes = [i for i, p in enumerate(model.passes) if p[1] == BALANCED_WINDOW]
    assert file_passes[0] == 0 and live_passes, model.passes
    assert live_passes[0] == 1, "the file's second window went before the live finals"
    # With a live stream open, each file pass holds one window: a final waits for one at most.
    assert all(model.passes[i][0] == 1 for i in file_passes)
    assert len(file_passes) >= 3


def test_two_files_take_turns(tiny_recognizer):
    model = GatedModel(tiny_recognizer)
    options = TranscribeOptions(profile="balanced", batch_size=1)
    with Scheduler(model) as scheduler:
        model.hold.set()
        first = in_thread(transcribe_array, scheduler, noise(8, 0.1, 3), options)
        assert model.holding.wait(TIMEOUT)
        second = in_thread(transcribe_array, scheduler, noise(8, 0.2, 4), options)
        wait_until(lambda: scheduler.files_waiting == 1)
        model.release.set()
        for result in (first.get(timeout=TIMEOUT), second.get(timeout=TIMEOUT)):
            assert not isinstance(result, BaseException), result
    order = ["a" if p[2] < 0.15 else "b" for p in model.passes]
    assert order[:2] == ["a", "b"], order
    # Neither waits for the other to end: their passes interleave until the shorter one is done.
    assert order.index("b") < len(order) - order[::-1].index("a") - 1


def test_cancel_ends_the_wait_and_the_windows_never_run(tiny_recognizer):
    model = GatedModel(tiny_recognizer)
    options = TranscribeOptions(profile="balanced", batch_size=1)
    cancel = threading.Event()
    with Scheduler(model) as scheduler:
        model.hold.set()
        first = in_thread(transcribe_array, scheduler, noise(4, 0.1, 5), options)
        assert model.holding.wait(TIMEOUT)
        second = in_thread(transcribe_blocks, scheduler, [noise(8, 0.2, 6)], options, cancel=cancel)
        wait_until(lambda: scheduler.files_waiting == 1)
        cancel.set()
        assert isinstance(second.get(timeout=TIMEOUT), Cancelled)
        assert scheduler.files_waiting == 0
        model.release.set()
        assert not isinstance(first.get(timeout=TIMEOUT), BaseException)
    assert all(p[2] < 0.15 for p in model.passes), "the cancelled file's windows ran"


def test_stopping_the_scheduler_ends_a_waiting_file_with_an_error(tiny_recognizer):
    model = GatedModel(tiny_recognizer)
    options = TranscribeOptions(profile="balanced", batch_size=1)
    scheduler = Scheduler(model).start()
    model.hold.set()
    first = in_thread(transcribe_array, scheduler, noise(4, 0.1, 7), options)
    assert model.holding.wait(TIMEOUT)
    second = in_thread(transcribe_array, scheduler, noise(4, 0.2, 8), options)
    wait_until(lambda: scheduler.files_waiting == 1)
    stopping = in_thread(scheduler.stop)
    model.release.set()
    assert stopping.get(timeout=TIMEOUT) is None
    assert isinstance(first.get(timeout=TIMEOUT), EngineStopped)
    assert isinstance(second.get(timeout=TIMEOUT), EngineStopped)
    with pytest.raises(EngineStopped):
        transcribe_array(scheduler, noise(1, 0.1, 9), options)


def test_a_failing_forward_pass_fails_the_file_not_the_scheduler(tiny_recognizer, hello_wav):
    class FailsOnLoudWindows(CountingModel):
        def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
            if np.abs(windows).max() > 0.5:
                raise ValueError("boom")
            return super().frames(windows, valid)

    model = FailsOnLoudWindows(tiny_recognizer)
    options = TranscribeOptions(profile="balanced")
    with Scheduler(model) as scheduler:
        with pytest.raises(ValueError, match="boom"):
            transcribe_array(scheduler, noise(4, 0.9, 10), options)
        quiet = transcribe_array(scheduler, noise(4, 0.1, 11), options)
    assert quiet.duration == pytest.approx(4.0)


class TwoGateModel(CountingModel):
    """Records each forward pass's window length; passes 0 and 1 each wait for their gate."""

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        super().__init__(model)
        self.lengths: list[int] = []
        self.reached = [threading.Event(), threading.Event()]
        self.gates = [threading.Event(), threading.Event()]

    def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
        with self._lock:
            index = len(self.lengths)
            self.lengths.append(windows.shape[1])
        if index < 2:
            self.reached[index].set()
            assert self.gates[index].wait(TIMEOUT)
        return super().frames(windows, valid)


def test_a_round_with_live_finals_runs_no_file_window(tiny_recognizer):
    """Finals that become ready while a round's live finals run go next, before the file: a
    round with live finals takes no file window (it would run after them, ahead of the next
    round's finals)."""
    model = TwoGateModel(tiny_recognizer)
    events: queue.Queue = queue.Queue()
    with Scheduler(model) as scheduler:
        stream = scheduler.open_stream(
            events.put, StreamOptions(profile="balanced", partials=False)
        )
        done = in_thread(
            transcribe_array, scheduler, noise(30, 0.1, 3), TranscribeOptions(profile="file")
        )
        assert model.reached[0].wait(TIMEOUT)  # the file's first window holds the model
        stream.push(noise(6, 0.3, 4))  # live final windows become ready
        model.gates[0].set()
        assert model.reached[1].wait(TIMEOUT)  # the next round: the live finals
        assert model.lengths[1] == BALANCED_WINDOW, model.lengths
        stream.push(noise(6, 0.3, 5))  # more live finals become ready meanwhile
        model.gates[1].set()
        assert not isinstance(done.get(timeout=TIMEOUT), BaseException)
        stream.finish()
        while events.get(timeout=TIMEOUT).type not in ("end", "error"):
            pass
    assert model.lengths[2] == BALANCED_WINDOW, f"a file window went first: {model.lengths}"

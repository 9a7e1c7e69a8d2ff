"""The CUDA path: float16 on the GPU against float32 on the CPU, and streaming == file there.

Run on a machine with CUDA (``bench/gpu_check.sh``). ``LC_GPU_TESTS_ON_CPU=1`` runs the same
tests on the CPU (float16 there too) to check the tests themselves where no GPU is lent.
Speech comes from the bundled sample (espeak-ng is not on a bare GPU machine), spoken at three
levels with pauses, so that the windows hold speech, quiet speech and silence.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import DEMO_DIR, read_wav

from engine import ModelOptions, TranscribeOptions, load_recognizer, transcribe_array
from engine.config import DecodeOptions, LmOptions
from engine.model import Recognizer
from engine.scheduler import Scheduler, SchedulerOptions
from engine.streaming import OnlineProcessor, StreamOptions, final_words

pytestmark = pytest.mark.gpu

SAMPLE = Path(__file__).resolve().parents[2] / "engine" / "samples" / "sample.wav"
# float16 against float32 on the demo model. Measured with float16 on the CPU (no GPU here) on
# this speech: frame labels 100 % the same, probabilities within 0.009, words identical. CUDA's
# float16 kernels round differently, so the bounds leave room: at least 99 % of frame labels
# and 95 % of words the same, probabilities within 0.05.
MIN_FRAME_AGREEMENT = 0.99
MIN_WORD_AGREEMENT = 0.95


@pytest.fixture(scope="module")
def device() -> str:
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if os.environ.get("LC_GPU_TESTS_ON_CPU") == "1":
        return "cpu"
    pytest.skip("needs CUDA (LC_GPU_TESTS_ON_CPU=1 runs these tests on the CPU)")


@pytest.fixture(scope="module")
def fp16(device: str) -> Recognizer:
    if not (DEMO_DIR / "model.safetensors").is_file():
        pytest.skip("the demo model has not been trained yet (tools/demo_model)")
    recognizer = load_recognizer(
        ModelOptions(name="demo", device=device, dtype="float16", warmup=False)
    )
    assert recognizer.device == device and recognizer.dtype == "float16"
    return recognizer


@pytest.fixture(scope="module")
def fp32() -> Recognizer:
    return load_recognizer(
        ModelOptions(name="demo", device="cpu", dtype="float32", backend="torch", warmup=False)
    )


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    audio = read_wav(SAMPLE)
    pause = np.zeros(8000, np.float32)
    return np.concatenate([audio, pause, 0.3 * audio, pause, pause, audio[::2].copy(), audio])


def word_agreement(reference: list[str], other: list[str]) -> float:
    """Share of reference words that the other text has at the same position (1.0: equal)."""
    import difflib

    matcher = difflib.SequenceMatcher(a=reference, b=other, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same / max(len(reference), len(other), 1)


def test_auto_picks_float16_on_cuda(device: str) -> None:
    if device != "cuda":
        pytest.skip("auto means float16 on CUDA only")
    recognizer = load_recognizer(ModelOptions(name="demo", warmup=False))
    assert (recognizer.device, recognizer.dtype) == ("cuda", "float16")


def test_float16_frame_labels_agree_with_float32(fp16, fp32, speech) -> None:
    windows = np.stack([speech[i : i + 3 * 16000] for i in range(0, 4 * 16000, 16000)])
    half, full = fp16.frames(windows), fp32.frames(windows)
    assert half.ids.shape == full.ids.shape
    agreement = float(np.mean(half.ids == full.ids))
    assert agreement >= MIN_FRAME_AGREEMENT, f"frame labels agree {agreement:.2%}"
    assert np.all(np.isfinite(half.probs))
    assert np.allclose(half.probs, full.probs, atol=0.05)


def test_float16_text_agrees_with_float32(fp16, fp32, speech) -> None:
    full = transcribe_array(fp32, speech).text().split()
    half = transcribe_array(fp16, speech).text().split()
    assert len(full) >= 10, "the demo model should hear the sample's words"
    agreement = word_agreement(full, half)
    assert agreement >= MIN_WORD_AGREEMENT, f"{agreement:.2%}: {full} != {half}"


LM = DecodeOptions(lm=LmOptions(lm="demo"))  # beam search with the demo model's trigram


def test_lm_text_agrees_with_float32(fp16, fp32, speech) -> None:
    """Beam search over float16 log-probabilities from the device (engine.lm, flashlight-text
    with KenLM) gives the words of float32 on the CPU."""
    options = TranscribeOptions(decode=LM)
    full = transcribe_array(fp32, speech, options).text().split()
    half = transcribe_array(fp16, speech, options).text().split()
    assert len(full) >= 10, "the demo model should hear the sample's words"
    agreement = word_agreement(full, half)
    assert agreement >= MIN_WORD_AGREEMENT, f"{agreement:.2%}: {full} != {half}"


def test_lm_stream_equals_file(fp16, speech) -> None:
    """LM-decoded finals of a stream on the device equal its file transcription's words."""
    expected = timed(
        transcribe_array(fp16, speech, TranscribeOptions(profile="balanced", decode=LM)).words
    )
    processor = OnlineProcessor(fp16, StreamOptions(profile="balanced", decode=LM))
    events = []
    for i in range(0, len(speech), 1600):
        events += processor.push(speech[i : i + 1600])
    events += processor.finish()
    assert expected and timed(final_words(events)) == expected


def timed(words) -> list[tuple[str, float, float]]:
    return [(w.text, round(w.start, 3), round(w.end, 3)) for w in words]


@pytest.mark.parametrize("piece", [320, 1600, 7777])
def test_stream_equals_file(fp16, speech, piece: int) -> None:
    options = TranscribeOptions(profile="balanced")
    expected = timed(transcribe_array(fp16, speech, options).words)
    processor = OnlineProcessor(fp16, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(speech), piece):
        events += processor.push(speech[i : i + piece])
    events += processor.finish()
    assert expected and timed(final_words(events)) == expected


def test_batched_streams_equal_file(fp16, speech) -> None:
    """Several streams at once: the scheduler batches their windows (as the GPU policy does,
    partials too); each stream's final words are still its file's words."""
    clips = [speech, 0.5 * speech, np.roll(speech, 12345), speech[::-1].copy()]
    options = TranscribeOptions(profile="balanced")
    expected = [timed(transcribe_array(fp16, c, options).words) for c in clips]
    sizes: list[int] = []

    class Counting:
        vocab, frame_samples, device = fp16.vocab, fp16.frame_samples, fp16.device

        def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
            sizes.append(len(windows))
            return fp16.frames(windows, valid)

    queues: list[queue.Queue] = [queue.Queue() for _ in clips]
    with Scheduler(Counting(), SchedulerOptions(max_batch=8)) as scheduler:
        streams = [scheduler.open_stream(q.put, StreamOptions(profile="balanced")) for q in queues]

        def feed(stream, audio: np.ndarray) -> None:  # type: ignore[no-untyped-def]
            for i in range(0, len(audio), 4000):
                stream.push(audio[i : i + 4000])
            stream.finish()

        feeders = [threading.Thread(target=feed, args=pair) for pair in zip(streams, clips)]
        for t in feeders:
            t.start()
        results = []
        for q in queues:
            events = []
            while not events or events[-1].type not in ("end", "error"):
                events.append(q.get(timeout=120))
            results.append(events)
        for t in feeders:
            t.join()
    assert max(sizes) > 1, "windows of different streams were never batched"
    for events, exp in zip(results, expected):
        assert events[-1].type == "end"
        assert timed(final_words(events)) == exp

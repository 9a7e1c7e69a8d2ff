"""Models whose feature extractor asks for an attention mask (feat_extract_norm="layer": XLSR,
large-lv60) never see padding: a short file's frames equal the Hugging Face reference on the
unpadded audio, a stream's first words equal it too, and streaming still equals the file."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_model_dir, read_wav, say

from engine import ModelOptions, load_recognizer
from engine.config import TranscribeOptions
from engine.ctc import decode_frames
from engine.model import run_unpadded
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array


@pytest.fixture(scope="module")
def layer_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    return make_model_dir(tmp_path_factory.mktemp("layer-model"), layer_norm=True, seed=3)


@pytest.fixture(scope="module")
def layer_model(layer_dir):  # type: ignore[no-untyped-def]
    return load_recognizer(
        ModelOptions(name=str(layer_dir), device="cpu", dtype="float32", warmup=False)
    )


@pytest.fixture(scope="module")
def short_audio(speech_dir) -> np.ndarray:  # type: ignore[no-untyped-def]
    audio = read_wav(say("open the window please", speech_dir / "short.wav"))
    assert 1.0 < len(audio) / 16000 < 2.4  # inside the first windows of both profiles
    return audio


def reference_units(layer_dir, vocab, audio: np.ndarray):  # type: ignore[no-untyped-def]
    """Hugging Face's own way: processor (with its mask) and model on the unpadded audio."""
    import torch
    from transformers import Wav2Vec2ForCTC, Wav2Vec2Processor

    processor = Wav2Vec2Processor.from_pretrained(str(layer_dir))
    model = Wav2Vec2ForCTC.from_pretrained(str(layer_dir)).eval()
    inputs = processor(audio, sampling_rate=16000, return_tensors="pt")
    assert "attention_mask" in inputs  # the layer-norm extractor asks for a mask
    with torch.inference_mode():
        logits = model(**inputs).logits
    probs, ids = torch.softmax(logits, dim=-1).max(dim=-1)
    text = processor.batch_decode(ids, skip_special_tokens=True)[0]
    units = decode_frames(vocab, ids[0].numpy(), probs[0].numpy(), gap_frames=25)
    return text, units


def texts(units, until: float = 1e9) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    return [(u.text, round(u.start, 3), round(u.end, 3)) for u in units if u.end <= until]


def test_the_layer_norm_model_is_loaded_unpadded(layer_dir, layer_model) -> None:  # type: ignore[no-untyped-def]
    from transformers import Wav2Vec2Config

    assert layer_model.unpadded
    assert Wav2Vec2Config.from_pretrained(str(layer_dir)).feat_extract_norm == "layer"


def test_short_file_equals_the_hugging_face_reference(layer_dir, layer_model, short_audio):  # type: ignore[no-untyped-def]
    text, expected = reference_units(layer_dir, layer_model.vocab, short_audio)
    assert len(expected) >= 5
    got = transcribe_array(layer_model, short_audio).words
    assert texts(got) == texts(expected)
    # Hugging Face's tokenizer decodes special tokens inside a word its own way; the letters of
    # the reference text are the units' letters when those are left out.
    assert set(text.replace(" ", "")) == set("".join(u.text for u in got))
    # The same model fed the padded window, as before, differs: the test can tell.
    import dataclasses

    unpadded = layer_model.features
    layer_model.features = dataclasses.replace(unpadded, unpadded=False)
    try:
        old = transcribe_array(layer_model, short_audio).words
    finally:
        layer_model.features = unpadded
    assert texts(old) != texts(expected)


def test_a_streams_first_words_equal_the_reference(layer_dir, layer_model, short_audio):  # type: ignore[no-untyped-def]
    _, expected = reference_units(layer_dir, layer_model.vocab, short_audio)
    processor = OnlineProcessor(layer_model, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(short_audio), 640):
        events += processor.push(short_audio[i : i + 640])
    events += processor.finish()
    # The balanced grid's first two windows hold the whole file: their centres (0 to 2 s)
    # see exactly the reference's input.
    assert texts(final_words(events), 1.9) == texts(expected, 1.9)
    assert len(texts(expected, 1.9)) >= 3


@pytest.mark.parametrize("profile", ["low_latency", "balanced"])
def test_streaming_equals_file(layer_model, hello_wav, profile):  # type: ignore[no-untyped-def]
    audio = read_wav(hello_wav)
    expected = transcribe_array(layer_model, audio, TranscribeOptions(profile=profile)).words
    processor = OnlineProcessor(layer_model, StreamOptions(profile=profile))
    events = []
    for i in range(0, len(audio), 1000):
        events += processor.push(audio[i : i + 1000])
    events += processor.finish()
    assert len(expected) >= 5
    assert texts(final_words(events)) == texts(expected)


def test_run_unpadded_places_frames_and_blanks_padding() -> None:
    """Rows of equal audio length share one pass; padding frames are blank with certainty."""
    calls: list[tuple[int, int]] = []

    def forward(batch: np.ndarray):  # type: ignore[no-untyped-def]
        from engine.model import FrameOutput

        calls.append(batch.shape)
        frames = (batch.shape[1] - 400) // 320 + 1
        ids = np.tile(np.arange(1, frames + 1), (len(batch), 1))
        return FrameOutput(ids=ids, probs=np.full(ids.shape, 0.5, np.float32))

    windows = np.zeros((3, 320 * 10), np.float32)
    valid = np.array([(320 * 4, 320 * 10), (0, 320 * 6), (0, 320 * 10)])
    out = run_unpadded(forward, windows, valid, 320, 400, blank_id=0)
    assert sorted(calls) == [(1, 320 * 10), (2, 320 * 6)]
    assert out.ids.shape == (3, 9)
    assert out.ids[0].tolist() == [0, 0, 0, 0, 1, 2, 3, 4, 5]
    assert out.ids[1].tolist() == [1, 2, 3, 4, 5, 0, 0, 0, 0]
    assert out.ids[2].tolist() == list(range(1, 10))
    assert out.probs[0, :4].tolist() == [1.0] * 4 and out.probs[0, 4] == 0.5

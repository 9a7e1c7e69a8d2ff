"""Every CTC family transformers loads runs on the same engine: a tiny random checkpoint of each,
with its own processor, gives Hugging Face's own reference decode for a short file, the same
words streamed as from the file, and the same frames on ONNX Runtime as on PyTorch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers.families import FAMILIES, make_family_dir

from engine import ModelLoadError, ModelOptions, load_recognizer
from engine.config import DecodeOptions, LmOptions, TranscribeOptions
from engine.ctc import CtcWordDecoder, Vocab
from engine.lm import BeamDecoder
from engine.lm_files import load_lm
from engine.stitch import make_stitcher
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array

SAMPLE = Path(__file__).resolve().parents[2] / "engine" / "samples" / "sample.wav"
ONNX_FAMILIES = ["hubert", "wav2vec2-bert", "parakeet_ctc", "omniasr_ctc"]
_dirs: dict[str, Path] = {}


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    import soundfile as sf

    audio, rate = sf.read(str(SAMPLE), dtype="float32")
    assert rate == 16000
    return audio


def family_dir(family: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if family not in _dirs:
        _dirs[family] = make_family_dir(family, tmp_path_factory.mktemp(family))
    return _dirs[family]


def load(folder: Path, backend: str = "torch"):  # type: ignore[no-untyped-def]
    return load_recognizer(
        ModelOptions(name=str(folder), device="cpu", backend=backend, warmup=False)
    )


def reference(folder: Path, recognizer, audio: np.ndarray):  # type: ignore[no-untyped-def]
    """Hugging Face's own way on the unpadded audio: the checkpoint's feature extractor and
    model, argmax, the tokenizer's CTC decode; and our units of the same frames."""
    import torch
    from transformers import AutoFeatureExtractor, AutoModelForCTC, AutoTokenizer

    extractor = AutoFeatureExtractor.from_pretrained(str(folder))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCTC.from_pretrained(str(folder)).eval()
    inputs = extractor(audio, sampling_rate=16000, return_tensors="pt")
    with torch.inference_mode():
        logits = model(**inputs).logits
    probs, ids = torch.softmax(logits, dim=-1).max(dim=-1)
    text = tokenizer.batch_decode(ids, skip_special_tokens=True)[0]
    gap = round(0.5 * 16000 / recognizer.frame_samples)
    decoder = CtcWordDecoder(recognizer.vocab, gap, recognizer.frame_samples / 16000)
    return text, decoder.feed(ids[0].numpy(), probs[0].numpy()) + decoder.flush()


def timed(words) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    return [(w.text, round(w.start, 3), round(w.end, 3)) for w in words]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_short_file_equals_the_hugging_face_reference(family, tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    folder = family_dir(family, tmp_path_factory)
    recognizer = load(folder)
    assert recognizer.family == family
    audio = speech  # 2.9 s: inside the file grid's first window (its centre is 18 s)
    text, expected = reference(folder, recognizer, audio)
    got = transcribe_array(recognizer, audio).words
    assert len(expected) >= 2
    assert timed(got) == timed(expected)
    # Hugging Face's character tokenizers drop special tokens after grouping repeats (a letter
    # on both sides of one stays doubled); its word-piece decode is our text exactly.
    if recognizer.vocab.word_prefix:
        assert " ".join(w.text for w in got) == " ".join(text.split())
    assert set(text.replace(" ", "")) == set("".join(w.text for w in got))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_stream_gives_the_file_s_words(family, tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    recognizer = load(family_dir(family, tmp_path_factory))
    options = TranscribeOptions(profile="balanced")
    expected = transcribe_array(recognizer, speech, options).words
    processor = OnlineProcessor(recognizer, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(speech), 1000):
        events += processor.push(speech[i : i + 1000])
    events += processor.finish()
    assert len(expected) >= 3
    assert timed(final_words(events)) == timed(expected)
    assert any(e.type == "partial" for e in events)


@pytest.mark.slow
@pytest.mark.parametrize("family", ONNX_FAMILIES)
def test_onnx_runtime_labels_frames_as_pytorch(family, tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    folder = family_dir(family, tmp_path_factory)
    torch_model = load(folder, "torch")
    onnx_model = load(folder, "onnx")
    assert onnx_model.backend == "onnx", onnx_model.notes
    windows = np.stack([speech[:32000], 0.3 * speech[8000:40000]])
    a, b = torch_model.frames(windows), onnx_model.frames(windows)
    assert a.ids.shape == b.ids.shape
    assert float(np.mean(a.ids == b.ids)) >= 0.999
    options = TranscribeOptions(profile="balanced")
    assert timed(transcribe_array(onnx_model, speech, options).words) == timed(
        transcribe_array(torch_model, speech, options).words
    )


def test_mel_models_get_their_frame_geometry(tmp_path_factory) -> None:
    parakeet = load(family_dir("parakeet_ctc", tmp_path_factory))
    assert parakeet.frame_samples == 160 * 8  # 10 ms mel hop, 8x subsampling: 80 ms frames
    assert parakeet.unpadded and parakeet.vocab.word_prefix == "▁"
    bert = load(family_dir("wav2vec2-bert", tmp_path_factory))
    assert bert.frame_samples == 320  # stacked 10 ms frames: 20 ms
    hubert = load(family_dir("hubert", tmp_path_factory))
    assert (hubert.frame_samples, hubert.receptive_field) == (320, 400)


# Word pieces: "▁" starts a word --------------------------------------------------------------
PIECES = ("<pad>", "▁k", "▁c", "at", "▁go", "<unk>")


def piece_frames() -> tuple[Vocab, np.ndarray]:
    """Frames that greedily spell "▁k at ▁go" (▁c a close second to ▁k)."""
    vocab = Vocab(tokens=PIECES, blank_id=0, delimiter_id=None, word_prefix="▁")
    rows = [{0: 0.9}, {1: 0.55, 2: 0.45}, {0: 0.9}, {3: 0.9}, {0: 0.9}, {4: 0.9}, {0: 0.9}]
    logp = np.full((len(rows), len(PIECES)), math.log(0.01), np.float32)
    for i, row in enumerate(rows):
        for token, p in row.items():
            logp[i, token] = math.log(p)
    return vocab, logp


def test_word_pieces_make_words_with_times() -> None:
    vocab, logp = piece_frames()
    decoder = CtcWordDecoder(vocab, 25)
    words = decoder.feed(logp.argmax(1), np.exp(logp.max(1))) + decoder.flush()
    assert [(w.text, w.start, w.end) for w in words] == [("kat", 0.02, 0.08), ("go", 0.1, 0.12)]


def test_a_custom_word_and_an_lm_with_word_pieces(tmp_path: Path) -> None:
    vocab, logp = piece_frames()
    plain = BeamDecoder(vocab, LmOptions(), None).decode(logp)
    assert [w.text for w in plain] == ["kat", "go"]
    listed = BeamDecoder(vocab, LmOptions(hotwords=("Cat",)), None).decode(logp)
    assert [w.text for w in listed] == ["cat", "go"]
    arpa = tmp_path / "lm.arpa"
    arpa.write_text(
        "\\data\\\nngram 1=5\nngram 2=1\n\n\\1-grams:\n-1.0\t<unk>\n-99\t<s>\t-0.3\n"
        "-1.0\t</s>\n-0.3\tcat\t-0.3\n-0.5\tgo\n\n\\2-grams:\n-0.1\tcat go\n\n\\end\\\n"
    )
    with_lm = BeamDecoder(vocab, LmOptions(), load_lm(arpa)).decode(logp)
    assert [w.text for w in with_lm] == ["cat", "go"]


def test_custom_words_run_beam_search_on_a_word_piece_model(tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    recognizer = load(family_dir("parakeet_ctc", tmp_path_factory))
    decode = DecodeOptions(lm=LmOptions(hotwords=("captions",)))
    assert make_stitcher(recognizer, decode).wants_log_probs
    options = TranscribeOptions(profile="balanced", decode=decode)
    words = transcribe_array(recognizer, speech, options).words
    assert words and all(w.text for w in words)


def test_custom_words_stream_as_the_file_on_a_word_piece_model(tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    """Beam search over word pieces: a stream's finals equal the file's words."""
    recognizer = load(family_dir("parakeet_ctc", tmp_path_factory))
    decode = DecodeOptions(lm=LmOptions(hotwords=("captions", "everyone")))
    expected = transcribe_array(
        recognizer, speech, TranscribeOptions(profile="balanced", decode=decode)
    ).words
    processor = OnlineProcessor(recognizer, StreamOptions(profile="balanced", decode=decode))
    events = []
    for i in range(0, len(speech), 1000):
        events += processor.push(speech[i : i + 1000])
    events += processor.finish()
    assert expected and timed(final_words(events)) == timed(expected)


def test_a_seq2seq_checkpoint_is_refused_clearly(tmp_path: Path) -> None:
    config = {"architectures": ["WhisperForConditionalGeneration"], "model_type": "whisper"}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="not a CTC speech recogniser"):
        load(tmp_path)


@pytest.mark.gpu
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_float16_on_cuda_labels_frames_as_float32(family, tmp_path_factory, speech):  # type: ignore[no-untyped-def]
    """CUDA float16 (the GPU's default) against CPU float32: at least 99 % of the labels of
    the frames the model decides, and a stream's words equal the file's there too. ``LC_GPU_TESTS_ON_CPU=1`` runs it on the
    CPU (float16 there too) where no GPU is lent."""
    import os

    import torch

    if torch.cuda.is_available():
        device = "cuda"
    elif os.environ.get("LC_GPU_TESTS_ON_CPU") == "1":
        device = "cpu"
    else:
        pytest.skip("needs CUDA (LC_GPU_TESTS_ON_CPU=1 runs it on the CPU)")
    folder = family_dir(family, tmp_path_factory)
    fp32 = load(folder)
    fp16 = load_recognizer(
        ModelOptions(name=str(folder), device=device, dtype="float16", warmup=False)
    )
    assert fp16.dtype == "float16" and fp16.backend == "torch"
    windows = np.stack([speech[:32000], 0.3 * speech[8000:40000]])
    full, half = fp32.frames_with_log_probs(windows), fp16.frames(windows)
    # A random model's top two logits are often closer than float16's rounding (Parakeet's
    # median gap 0.007, float16's error up to 0.015): the frames a model decides count.
    top2 = np.sort(full.log_probs, axis=-1)[..., -2:]  # type: ignore[index]
    decided = (top2[..., 1] - top2[..., 0]) > 0.03  # twice the largest float16 error seen
    assert decided.sum() >= 5
    assert float(np.mean(full.ids[decided] == half.ids[decided])) >= 0.99
    options = TranscribeOptions(profile="balanced")
    expected = transcribe_array(fp16, speech, options).words
    processor = OnlineProcessor(fp16, StreamOptions(profile="balanced"))
    events = []
    for i in range(0, len(speech), 1000):
        events += processor.push(speech[i : i + 1000])
    events += processor.finish()
    assert timed(final_words(events)) == timed(expected)

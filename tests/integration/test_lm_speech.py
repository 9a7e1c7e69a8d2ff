"""Decoding with the demo model's LM and custom words on real speech: held-out word error
rate, stream finals equal to file words, both backends, the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf
from helpers import GREEDY, read_wav, say

from engine import ModelOptions, load_recognizer
from engine.config import DecodeOptions, LmOptions, TranscribeOptions
from engine.streaming import OnlineProcessor, StreamOptions, final_words
from engine.transcribe import transcribe_array
from tools.demo_model.texts import to_label

ROOT = Path(__file__).resolve().parents[2]


HELD_OUT = (ROOT / "tools" / "demo_model" / "held_out.txt").read_text().splitlines()


def with_lm(lm: str | None = "demo", hotwords: tuple[str, ...] = ()) -> DecodeOptions:
    return DecodeOptions(lm=LmOptions(lm=lm, hotwords=hotwords))


@pytest.fixture(scope="module")
def held_out_speech(speech_dir):
    sentences = HELD_OUT[:12]
    return {
        voice: [
            (to_label(s), read_wav(say(s, speech_dir / f"lm-{voice[:3]}-{i}.wav", voice)))
            for i, s in enumerate(sentences)
        ]
        for voice in ("flite:slt", "espeak:en-us")
    }


@pytest.mark.parametrize("voice", ["flite:slt", "espeak:en-us"])
def test_demo_lm_lowers_the_word_error_rate(demo_recognizer, held_out_speech, voice):
    """Held-out sentences (neither the demo model nor its LM saw them): at least 30 % fewer
    word errors than greedy decoding, through file transcription; and the demo model uses its
    LM unasked, as a model uses the language_model/ folder it comes with."""
    refs, greedy, beam, unasked = [], [], [], []
    for label, samples in held_out_speech[voice]:
        refs.append(label)
        options = TranscribeOptions(decode=GREEDY)
        greedy.append(transcribe_array(demo_recognizer, samples, options).text(cased=False))
        options = TranscribeOptions(decode=with_lm())
        beam.append(transcribe_array(demo_recognizer, samples, options).text(cased=False))
        unasked.append(transcribe_array(demo_recognizer, samples).text(cased=False))
    before, after = jiwer.wer(refs, greedy), jiwer.wer(refs, beam)
    assert after <= 0.7 * before, (before, after, list(zip(refs, beam)))
    assert unasked == beam


def test_stream_finals_equal_the_file_words_with_the_lm(demo_recognizer, held_out_speech):
    """Several sentences with pauses (several spans): a stream fed in small pieces gives the
    file's words for the same profile, and its finals only ever append."""
    gap = np.zeros(16000, np.float32)
    audio = np.concatenate(
        [part for _, s in held_out_speech["espeak:en-us"][:3] for part in (s, gap)]
    )
    decode = with_lm()
    file_words = transcribe_array(
        demo_recognizer, audio, TranscribeOptions(profile="balanced", decode=decode)
    ).words
    stream = OnlineProcessor(demo_recognizer, StreamOptions(profile="balanced", decode=decode))
    events = []
    for i in range(0, len(audio), 2400):
        events += stream.push(audio[i : i + 2400])
    events += stream.finish()
    finals = final_words(events)
    assert [w.text for w in finals] == [w.text for w in file_words]
    assert [(w.start, w.end) for w in finals] == [(w.start, w.end) for w in file_words]
    assert any(e.type == "partial" for e in events)  # partials still come, greedy
    assert len([e for e in events if e.type == "final"]) >= 3  # one per span at least


def test_custom_word_is_spelled_as_listed(demo_recognizer, speech_dir):
    """A made-up name the model misspells greedily comes out right when listed, with and
    without an LM, cased as typed."""
    samples = read_wav(say("please call Tamsinet tomorrow morning", speech_dir / "name.wav"))
    greedy = transcribe_array(demo_recognizer, samples).text(cased=False).split()
    assert "TAMSINET" not in greedy
    for lm in (None, "demo"):
        options = TranscribeOptions(decode=with_lm(lm, hotwords=("Tamsinet",)))
        words = transcribe_array(demo_recognizer, samples, options).text().split()
        assert "Tamsinet" in words, (lm, words)  # spelled and cased as listed


def test_both_backends_decode_the_same_words(demo_recognizer, held_out_speech):
    """ONNX Runtime (the CPU default) and PyTorch give the beam search the same
    log-probabilities to within float noise, and so the same words and times."""
    torch_model = load_recognizer(
        ModelOptions(name="demo", device="cpu", dtype="float32", backend="torch", warmup=False)
    )
    assert (demo_recognizer.backend, torch_model.backend) == ("onnx", "torch")
    speech = [s for _, s in held_out_speech["flite:slt"][:3]]
    length = min(len(speech[0]), len(speech[1]))
    window = np.stack([speech[0][:length], 0.3 * speech[1][:length]])
    onnx_out = demo_recognizer.frames_with_log_probs(window)
    torch_out = torch_model.frames_with_log_probs(window)
    assert onnx_out.log_probs is not None and torch_out.log_probs is not None
    assert onnx_out.log_probs.shape == torch_out.log_probs.shape == (*onnx_out.ids.shape, 32)
    assert np.abs(onnx_out.log_probs - torch_out.log_probs).max() < 1e-3
    assert np.allclose(np.exp(onnx_out.log_probs).sum(axis=-1), 1.0, atol=1e-4)
    gap = np.zeros(8000, np.float32)
    audio = np.concatenate([part for s in speech for part in (s, gap)])
    options = TranscribeOptions(decode=with_lm(hotwords=("Tamsinet",)))
    onnx_words = transcribe_array(demo_recognizer, audio, options).words
    torch_words = transcribe_array(torch_model, audio, options).words
    assert len(onnx_words) > 10
    assert [(w.text, w.start, w.end) for w in onnx_words] == [
        (w.text, w.start, w.end) for w in torch_words
    ]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "live_captions", *args], capture_output=True, text=True, timeout=600
    )


def test_cli_transcribe_and_listen_agree_with_the_lm(demo_recognizer, held_out_speech, tmp_path):
    gap = np.zeros(12000, np.float32)
    parts = [p for _, s in held_out_speech["flite:slt"][:2] for p in (s, gap)]
    wav = tmp_path / "talk.wav"
    sf.write(wav, np.concatenate(parts), 16000)
    common = ["--model", "demo", "--lm", "demo", "--threads", "1", "--dtype", "float32"]
    out = tmp_path / "live.txt"
    live = run_cli("listen", "--input", str(wav), "--fast", "--output", str(out), *common)
    assert live.returncode == 0, live.stderr
    batch = run_cli("transcribe", str(wav), "--profile", "balanced", "--no-progress", *common)
    assert batch.returncode == 0, batch.stderr
    assert "language model: " in batch.stderr

    # the same words (capitals and punctuation follow each path's caption breaks)
    def words(text: str) -> list[str]:
        return [w.strip(".,?!;:") for w in text.lower().split()]

    assert words(out.read_text()) == words(batch.stdout)
    greedy = run_cli(
        "transcribe",
        str(wav),
        "--profile",
        "balanced",
        "--no-progress",
        "--no-lm",
        *common[:2],
        *common[4:],
    )
    assert greedy.returncode == 0, greedy.stderr
    assert greedy.stdout.split() != batch.stdout.split()  # the LM was used


def test_cli_bad_lm_is_a_clear_error(tmp_path, hello_wav):
    result = run_cli(
        "transcribe", str(hello_wav), "--model", "demo", "--lm", str(tmp_path / "nope.arpa")
    )
    assert result.returncode == 1
    assert "language model" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert "--no-lm" in result.stderr and "--model" not in result.stderr  # the LM's hint


def test_cli_hotwords_too_long_for_a_file_name_are_words(hello_wav):
    """--hotwords takes words or a file of them: words too long to be a file name are words,
    not a crash."""
    words = ",".join(f"word{i}" for i in range(2000))
    result = run_cli("transcribe", str(hello_wav), "--model", "demo", "--hotwords", words)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.strip()


def test_a_hub_model_s_language_model_is_fetched_and_used(
    demo_recognizer, held_out_speech, hub_cache, tmp_path
):
    """A repo in Wav2Vec2ProcessorWithLM's layout (the demo model with its LM in
    language_model/) downloads with its LM, and decoding uses it without being asked; a
    language_model/ folder without an LM file is passed over."""
    from helpers import DEMO_DIR
    from helpers.fakehub import FakeHub

    from engine.hub import download_model
    from engine.lm_files import DEMO_LM_DIR

    repo = tmp_path / "repo"
    shutil.copytree(DEMO_DIR, repo)
    shutil.copytree(DEMO_LM_DIR, repo / "language_model")
    with FakeHub({"acme/demo-with-lm": repo}) as hub:
        folder = download_model("acme/demo-with-lm", hub.url)
    assert (folder / "language_model" / "demo-3gram.arpa").is_file()
    model = load_recognizer(
        ModelOptions(name="acme/demo-with-lm", device="cpu", dtype="float32", warmup=False)
    )
    audio = np.concatenate([s for _, s in held_out_speech["flite:slt"][:2]])
    own = transcribe_array(model, audio).words
    named = transcribe_array(demo_recognizer, audio, TranscribeOptions(decode=with_lm())).words
    greedy = transcribe_array(
        model, audio, TranscribeOptions(decode=DecodeOptions(lm=LmOptions(use_model_lm=False)))
    ).words
    assert [w.text for w in own] == [w.text for w in named]
    assert [w.text for w in own] != [w.text for w in greedy]
    incomplete = tmp_path / "incomplete"
    shutil.copytree(DEMO_DIR, incomplete)
    (incomplete / "language_model").mkdir()
    (incomplete / "language_model" / "attrs.json").write_text('{"alpha": 0.5}')
    bare = load_recognizer(ModelOptions(name=str(incomplete), device="cpu", warmup=False))
    assert [w.text for w in transcribe_array(bare, audio).words] == [w.text for w in greedy]

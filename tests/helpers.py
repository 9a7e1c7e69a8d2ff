"""Test helpers: tiny models and synthetic speech."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from engine.config import DecodeOptions, LmOptions
from engine.frames import RunsOwnWindows

# facebook/wav2vec2-base-960h's character vocabulary.
BASE_960H_VOCAB = {
    "<pad>": 0,
    "<s>": 1,
    "</s>": 2,
    "<unk>": 3,
    "|": 4,
    "E": 5,
    "T": 6,
    "A": 7,
    "O": 8,
    "N": 9,
    "I": 10,
    "H": 11,
    "S": 12,
    "R": 13,
    "D": 14,
    "L": 15,
    "U": 16,
    "M": 17,
    "W": 18,
    "C": 19,
    "F": 20,
    "G": 21,
    "Y": 22,
    "P": 23,
    "B": 24,
    "V": 25,
    "K": 26,
    "'": 27,
    "X": 28,
    "J": 29,
    "Q": 30,
    "Z": 31,
}
# A character vocabulary as the XLSR zh-CN fine-tunes have (special tokens, "|", characters),
# with a few Latin letters for mixed text and Thai with its combining marks.
CJK_VOCAB = {
    token: i
    for i, token in enumerate(
        ["<pad>", "<s>", "</s>", "<unk>", "|"]
        + list("我用写代码谢你好的是不了人在有中国大")
        + list("こんにちはカタ")
        + list("Pythonab")
        + ["ส", "ว", "ั", "ด", "ี"]
        + list("，。")
    )
}
if TYPE_CHECKING:
    from engine.model import FrameModel, FrameOutput
    from engine.streaming import Event

DEMO_DIR = Path(__file__).resolve().parents[1] / "engine" / "models" / "demo"


def save_processor(
    folder: Path, vocab: dict[str, int] = BASE_960H_VOCAB, attention_mask: bool = False
) -> None:
    from transformers import Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor, Wav2Vec2Processor

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_file), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    extractor = Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=attention_mask,
    )
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(str(folder))


def make_model_dir(
    folder: Path,
    *,
    base: bool = False,
    seed: int = 0,
    vocab: dict[str, int] = BASE_960H_VOCAB,
    layer_norm: bool = False,
) -> Path:
    """A random Wav2Vec2ForCTC: tiny, or with base-960h's architecture (for speed). ``vocab``
    gives its characters; ``layer_norm`` makes it an XLSR / large-lv60 style model
    (feat_extract_norm="layer", stable layer norm, a feature extractor asking for a mask)."""
    import torch
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    torch.manual_seed(seed)
    style: dict[str, Any] = (
        {"feat_extract_norm": "layer", "do_stable_layer_norm": True, "conv_bias": True}
        if layer_norm
        else {}
    )
    if base:
        config = Wav2Vec2Config(
            vocab_size=len(vocab), pad_token_id=0, ctc_loss_reduction="sum", **style
        )
    else:
        config = Wav2Vec2Config(
            vocab_size=len(vocab),
            pad_token_id=0,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            conv_dim=(16,) * 7,
            num_conv_pos_embeddings=16,
            num_conv_pos_embedding_groups=4,
            **style,
        )
    model = Wav2Vec2ForCTC(config)
    if not base:
        # Random logits barely differ; favour blank and the delimiter a little so that the
        # tiny model's output has blanks and many short words, like a real model's.
        with torch.no_grad():
            model.lm_head.bias[0] += 0.25
            model.lm_head.bias[4] += 0.22
    model.save_pretrained(str(folder))
    save_processor(folder, vocab, attention_mask=layer_norm)
    return folder


class CountingModel(RunsOwnWindows):
    """Wraps a FrameModel and records the batch size of every forward pass."""

    def __init__(self, model: FrameModel) -> None:
        self.inner = model
        self.vocab = model.vocab
        self.frame_samples = model.frame_samples
        self.batch_sizes: list[int] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # the rest of the model's face (its geometry, ...)
        return getattr(self.inner, name)

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        with self._lock:
            self.batch_sizes.append(len(windows))
        return self.inner.frames(windows, valid)


class Exploding(CountingModel):
    """A model whose every forward pass fails (as a GPU out of memory would)."""

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        raise ValueError("boom")


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


# Speech the tests spoke once, checked in (FLAC, lossless): machines without the synthesisers
# (Windows) hear the same samples as Linux. LC_RECORD_SPEECH=1 adds what a run synthesises.
RECORDED_SPEECH = Path(__file__).resolve().parent / "data" / "speech"
SYNTHESISERS = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}


def recorded_speech(text: str, voice: str, rate: int) -> Path:
    """Where ``say(text, voice=voice, rate=rate)``'s samples are kept."""
    digest = hashlib.sha256(f"{voice}\n{rate}\n{text}".encode()).hexdigest()[:12]
    return RECORDED_SPEECH / f"{voice.replace(':', '-')}-{rate}-{digest}.flac"


def say(text: str, path: Path, voice: str = "espeak:en-us", rate: int = 16000) -> Path:
    """Speak ``text`` into a WAV file at ``rate`` Hz mono: the recorded samples where they are
    checked in, else espeak-ng, flite or festival (converted with sox)."""
    import soundfile as sf

    engine, _, name = voice.partition(":")
    if engine not in SYNTHESISERS:
        raise ValueError(voice)
    recorded = recorded_speech(text, voice, rate)
    if recorded.is_file():
        samples, recorded_rate = sf.read(str(recorded), dtype="int16")
        sf.write(str(path), samples, recorded_rate, subtype="PCM_16")
        return path
    missing = [tool for tool in (SYNTHESISERS[engine], "sox") if not have(tool)]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} needed to speak {text[:40]!r} ({voice}, {rate} Hz): no "
            f"recording in tests/data/speech (LC_RECORD_SPEECH=1 on Linux makes one)"
        )
    raw = path.with_suffix(".raw.wav")
    if engine == "espeak":
        subprocess.run(["espeak-ng", "-v", name or "en-us", "-w", str(raw), text], check=True)
    elif engine == "flite":
        subprocess.run(["flite", "-voice", name or "slt", "-t", text, "-o", str(raw)], check=True)
    else:
        script = path.with_suffix(".txt")
        script.write_text(text)
        subprocess.run(
            ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", str(script), "-o", str(raw)],
            check=True,
        )
    subprocess.run(
        ["sox", "-D", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)], check=True
    )
    raw.unlink()
    if os.environ.get("LC_RECORD_SPEECH") == "1":
        recorded.parent.mkdir(parents=True, exist_ok=True)
        samples, _ = sf.read(str(path), dtype="int16")
        sf.write(str(recorded), samples, rate, format="FLAC", subtype="PCM_16")
    return path


# Greedy decoding: not the language model a model comes with (the demo model's included).
GREEDY = DecodeOptions(lm=LmOptions(use_model_lm=False))

SENTENCES = (
    "the weather is nice today",
    "i would like a cup of tea",
    "please close the door behind you",
)


def sentences_with_pauses(folder: Path, pause_s: float = 1.2) -> Path:
    """Three sentences (flite's slt voice, which the demo model understands) with ``pause_s`` of
    silence between them, as a 16 kHz WAV file: three utterances, however a model marks pauses."""
    import soundfile as sf

    path = folder / f"three-sentences-{pause_s}.wav"
    if not path.is_file():
        pause = np.zeros(round(pause_s * 16000), np.float32)
        parts: list[np.ndarray] = []
        for n, text in enumerate(SENTENCES):
            parts += [pause] * bool(parts)
            parts.append(read_wav(say(text, folder / f"sentence{n}.wav", voice="flite:slt")))
        sf.write(str(path), np.concatenate(parts), 16000, subtype="PCM_16")
    return path


def read_wav(path: Path) -> np.ndarray:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000
    return data


def room_echo(system: np.ndarray, delay_s: float = 0.12, gain: float = 0.25) -> np.ndarray:
    """What a microphone hears of the computer's speakers: ``system`` (16 kHz) delayed,
    quieter, duller (a crude low-pass) and with a room's reflections (a noise tail decaying
    over about 0.3 s)."""
    rng = np.random.default_rng(0)
    tail = np.arange(round(0.25 * 16000))
    response = 0.05 * rng.standard_normal(len(tail)) * np.exp(-tail / (0.04 * 16000))
    response[0] = 1.0  # the direct sound
    wet = np.convolve(np.convolve(system, response)[: len(system)], np.ones(5) / 5, mode="same")
    shift = round(delay_s * 16000)
    out = np.zeros_like(system)
    out[shift:] = wet[: len(system) - shift]
    return (gain * out).astype(np.float32)


class RevisionCounter:
    """Follows the words a caption display shows through partial and final events.

    Each partial shows the unfinal tail; its words sit at fixed positions after the final
    words. A revision is a word shown in a partial that the next partial or final covering its
    position replaces, or that is gone (the next partial is shorter, or the utterance ended
    without it). The word in progress growing ("HEL" -> "HELLO") is counted apart, as growth.
    ``now`` (audio seconds received) times each word's first appearance: ``delays`` holds, per
    final word, that time minus the word's end."""

    def __init__(self) -> None:
        self.finals = 0  # final words so far: the tail's words start at this position
        self.pending: dict[
            int, str
        ] = {}  # position -> word shown by the last partial, not yet final
        self.shown: set[tuple[int, str]] = set()  # every (position, word) a partial has shown
        self.revisions = 0
        self.growth = 0
        self.final_text: list[str] = []
        self.first_shown: dict[tuple[int, str], float] = {}  # (position, word) -> audio time
        self.delays: list[float] = []  # per final word: first shown minus the word's end

    def on_event(self, event: Event, now: float) -> None:
        if event.type == "partial":
            words = {self.finals + i: w.text for i, w in enumerate(event.words)}
            self._compare(words, covers_tail=True)
            self.pending = words
            self.shown.update(words.items())
            for item in words.items():
                self.first_shown.setdefault(item, now)
        elif event.type == "final":
            words = {self.finals + i: w.text for i, w in enumerate(event.words)}
            for item, word in zip(words.items(), event.words):
                self.delays.append(self.first_shown.get(item, now) - word.end)
            self.finals += len(words)
            self.final_text += list(words.values())
            self._compare(words, covers_tail=False)
            for position in words:
                self.pending.pop(position, None)
        elif event.type in ("utterance_end", "end"):
            self.revisions += len(self.pending)  # shown, never made final
            self.pending = {}

    def _compare(self, words: dict[int, str], covers_tail: bool) -> None:
        last = max(self.pending, default=None)
        for position, old in self.pending.items():
            new = words.get(position)
            if new is None:
                self.revisions += covers_tail  # a final leaves later positions to the next partial
            elif new != old:
                if position == last and new.startswith(old):
                    self.growth += 1
                else:
                    self.revisions += 1


def wait_for(predicate: Callable[[], bool], timeout: float = 120.0) -> bool:
    """Poll ``predicate`` every 50 ms until it holds or ``timeout`` seconds pass; its last value."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        pause.wait(0.05)
    return predicate()


# What an operating system lacks, in one place: a test that needs it carries ``posix_only`` (the
# ``platform`` mark, which the skip policy lets skip under CI, and the reason), and a test of the
# Windows counterpart sits beside it.
WINDOWS = sys.platform == "win32"


def posix_only(reason: str) -> pytest.MarkDecorator:
    """Skip on Windows, which lacks what the test needs (``reason`` says what)."""
    return pytest.mark.platform(reason=f"Windows lacks {reason}")


def windows_only(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.platform(reason=f"only Windows has {reason}", windows=True)


# Started in a process group of its own on Windows, so that CTRL_BREAK_EVENT reaches the child
# alone (os.kill's console events go to a whole group); nothing changes on POSIX.
NEW_GROUP: dict[str, Any] = (
    {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if WINDOWS else {}  # type: ignore[attr-defined]
)

# A stop the process can answer (it finishes its stream and keeps every word): SIGTERM and
# Ctrl-C on POSIX; Ctrl+Break on Windows (os.kill there with SIGTERM is TerminateProcess, and
# Ctrl+C cannot be sent to one process group).
GRACEFUL_STOPS: dict[str, int] = (
    {"CTRL_BREAK_EVENT": signal.CTRL_BREAK_EVENT}  # type: ignore[attr-defined]
    if WINDOWS
    else {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
)


def hard_kill(process: subprocess.Popen) -> int:
    """Kill ``process`` with no chance to answer (SIGKILL; TerminateProcess on Windows) and
    return the exit code that such a death gives."""
    process.kill()
    return 1 if WINDOWS else -signal.SIGKILL  # Popen.kill calls TerminateProcess(handle, 1)


def stop_gracefully(process: subprocess.Popen, how: int) -> None:
    os.kill(process.pid, how)

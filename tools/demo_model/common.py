"""Pieces shared by the demo-model scripts: the vocabulary, the model config, greedy decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import Wav2Vec2Config

from devkit.models import BASE_960H_VOCAB

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
DATA = WORK / "data"
SAMPLE_RATE = 16000
STD_FLOOR = 5e-3  # the engine floors each window's standard deviation at this value

# Exactly facebook/wav2vec2-base-960h's vocabulary; id 0 is the CTC blank.
VOCAB: dict[str, int] = BASE_960H_VOCAB
ID_TO_CHAR = {i: c for c, i in VOCAB.items()}


def model_config() -> Wav2Vec2Config:
    """A ~2M-parameter wav2vec2 with base's conv strides (320 samples = 20 ms per frame)."""
    return Wav2Vec2Config(
        vocab_size=len(VOCAB),
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        hidden_size=192,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=768,
        conv_dim=(32, 64, 64, 96, 96, 128, 128),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_bias=True,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        num_conv_pos_embeddings=64,
        num_conv_pos_embedding_groups=16,
        # no dropout: training sees the 20 h of data less than twice
        hidden_dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        feat_proj_dropout=0.0,
        final_dropout=0.0,
        layerdrop=0.0,
        mask_time_prob=0.05,
        mask_time_length=5,
        mask_feature_prob=0.0,
        ctc_loss_reduction="mean",
        ctc_zero_infinity=True,
    )


def normalise(audio: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance, std floored as the engine does it."""
    audio = audio.astype(np.float32)
    return (audio - audio.mean()) / max(float(audio.std()), STD_FLOOR)


def encode(text: str) -> list[int]:
    return [VOCAB.get(c, VOCAB["<unk>"]) for c in text.replace(" ", "|")]


def greedy_decode(ids: torch.Tensor | np.ndarray) -> str:
    """CTC greedy: collapse repeats, drop blanks and specials, '|' becomes a space."""
    out, prev = [], -1
    for i in np.asarray(ids).tolist():
        if i != prev and i > 3:
            out.append(ID_TO_CHAR[i])
        prev = i
    return " ".join("".join(out).replace("|", " ").split())


@torch.inference_mode()
def transcribe_windowed(
    model: torch.nn.Module,
    audio: np.ndarray,
    left: float = 1.5,
    centre: float = 1.0,
    right: float = 1.0,
) -> str:
    """Greedy transcript the way the engine streams: each window normalised on its own, only
    the frames of its centre second kept, the kept frames joined before collapsing."""
    if audio.dtype == np.int16:
        audio = audio.astype(np.float32) / 32768.0
    hop, frame = int(centre * SAMPLE_RATE), 320
    ids: list[torch.Tensor] = []
    for c in range(0, len(audio), hop):
        start = max(0, c - int(left * SAMPLE_RATE))
        window = audio[start : c + hop + int(right * SAMPLE_RATE)]
        if len(window) < 800:
            break
        logits = model(torch.from_numpy(normalise(window))[None]).logits[0]
        first = (c - start) // frame
        ids.append(logits.argmax(-1)[first : first + hop // frame])
    return greedy_decode(torch.cat(ids)) if ids else ""


@torch.inference_mode()
def transcribe(model: torch.nn.Module, audio: np.ndarray) -> str:
    """Whole-utterance greedy transcript of int16 or float audio at 16 kHz."""
    if audio.dtype == np.int16:
        audio = audio.astype(np.float32) / 32768.0
    x = torch.from_numpy(normalise(audio))[None]
    dtype = next(model.parameters()).dtype
    logits = model(x.to(dtype if dtype.is_floating_point else torch.float32)).logits
    return greedy_decode(logits[0].argmax(-1))

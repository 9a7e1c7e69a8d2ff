"""What differs between the CTC families transformers loads (``AutoModelForCTC``): how a
checkpoint's tokens read, how its input is computed from audio, and its frame geometry.

Every family runs on the same window grid, stitching, scheduler and decoders; only these three
things come from the checkpoint:

- **Tokens** (:func:`read_vocab`): the tokenizer's tokens by id; the CTC blank (the config's
  ``blank_token_id``, else the tokenizer's pad token); a word delimiter ("|" of wav2vec2
  tokenizers, or a lone "▁" of SentencePiece ones); and the word-start prefix "▁" of word-piece
  vocabularies (Parakeet, OmniASR, LASR).
- **Features** (:func:`features_for`): wav2vec2's feature extractor (zero mean, unit variance of
  the raw waveform) is computed here, per window over its audio; every other extractor (mel
  filter banks: Parakeet, Wav2Vec2-BERT, LASR, GraniteSpeech5; OmniASR's waveform) is run
  as the checkpoint ships it, on each window's audio alone (never on padding).
- **Geometry** (:func:`geometry_of`): samples per output frame and receptive field, from the
  model's own length function applied to its extractor's output (the wav2vec2 conv stack, or
  the mel hop times the encoder's subsampling).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import SAMPLE_RATE
from .ctc import Vocab
from .errors import ModelLoadError
from .frames import MIN_RMS, Features, conv_geometry, normalise

log = logging.getLogger("engine.families")

WORD_PREFIX = "▁"  # SentencePiece's mark of a word's first piece
WAVEFORM_EXTRACTOR = "Wav2Vec2FeatureExtractor"
MASKS = ("attention_mask", "padding_mask")  # what extractors name the mask of valid input
MIN_AUDIO = SAMPLE_RATE // 10  # samples a window needs to be run (less: blank frames)


@dataclass(frozen=True)
class Waveform:
    """Wav2Vec2FeatureExtractor's input: the waveform, normalised per window over its audio
    (see frames.normalise), with a floor on the deviation for quiet windows."""

    do_normalize: bool  # the extractor's do_normalize
    unpadded: bool  # the extractor asks for an attention mask (layer-norm models): never pad
    min_rms: float = MIN_RMS
    input_name: str = "input_values"

    def __call__(self, windows: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        if not self.do_normalize:
            return np.asarray(windows, np.float32)
        return normalise(windows, self.min_rms, valid)


class Extracted:
    """The checkpoint's own feature extractor, run on windows cut to their audio (so its
    normalisation sees what it sees for an unpadded utterance, and no mask is needed)."""

    unpadded = True

    def __init__(self, extractor: Any, input_name: str) -> None:
        self.extractor = extractor
        self.input_name = input_name
        # the model's output frames for an input of n feature frames (set by geometry_of)
        self.model_frames: Callable[[int], int] | None = None

    def __call__(self, windows: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        rows = [np.asarray(w, np.float32) for w in windows]
        # as tensors: some extractors (OmniASR's) give no other kind
        out = self.extractor(rows, sampling_rate=SAMPLE_RATE, return_tensors="pt")
        features = out[self.input_name].float().numpy()
        # Rows of equal length have equal masks; a mel extractor may still mask its last
        # frames (Parakeet's: the frame centred past the audio's end). Where the model gives as
        # many frames for the input cut to the mask, its output for the cut input equals its
        # output for the masked one (checked against the reference in tests/integration/test_families.py),
        # and no mask input is needed; elsewhere (Wav2Vec2-BERT's) the masked frame stays.
        mask = next((out[k] for k in MASKS if k in out), None)
        if mask is not None and self.model_frames is not None:
            axis = time_axis(self.input_name, features.ndim)
            length, full = int(mask.sum(-1).min()), features.shape[axis]
            if length < full and self.model_frames(length) == self.model_frames(full):
                features = np.take(features, np.arange(length), axis=axis)
        return np.ascontiguousarray(features)


@dataclass(frozen=True)
class Checkpoint:
    """What the engine reads from a checkpoint's folder besides its weights."""

    family: str  # the config's model_type: "wav2vec2", "hubert", "parakeet_ctc", ...
    architecture: str  # the model class: "Wav2Vec2ForCTC", "ParakeetForCTC", ...
    vocab: Vocab
    features: Features


def read_config(folder: Path, name: str) -> Any:
    """The checkpoint's config; ModelLoadError for one that is not a CTC model."""
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CTC_MAPPING_NAMES

    try:
        config = AutoConfig.from_pretrained(str(folder))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelLoadError(
            f"{name}: config.json cannot be read: {exc}",
            code="config_unreadable",
            repo=name,
            reason=exc,
        ) from None
    if config.model_type not in MODEL_FOR_CTC_MAPPING_NAMES:
        from .hub import CHOICES

        raise ModelLoadError(
            f"{name} is a {config.model_type} model, not a CTC speech recogniser. {CHOICES}",
            code="not_speech_model",
            repo=name,
            what=config.model_type,
        )
    return config


def read_checkpoint(folder: Path, name: str) -> Checkpoint:
    """Config, tokenizer and feature extractor of a CTC checkpoint; ModelLoadError when any of
    them cannot be read or the model does not take 16 kHz audio."""
    from transformers import AutoFeatureExtractor, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CTC_MAPPING_NAMES

    config = read_config(folder, name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        extractor = AutoFeatureExtractor.from_pretrained(str(folder))
    except ImportError as exc:  # GraniteSpeech5's extractor needs torchaudio
        raise ModelLoadError(
            f"{name}: its feature extractor needs a package that is not installed: {exc}",
            code="processor_needs_package",
            repo=name,
            reason=exc,
        ) from None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelLoadError(
            f"{folder}: the processor (tokenizer and feature extractor) cannot be read: {exc}",
            code="processor_unreadable",
            repo=name,
            reason=exc,
        ) from None
    rate = int(getattr(extractor, "sampling_rate", SAMPLE_RATE))
    if rate != SAMPLE_RATE:
        raise ModelLoadError(
            f"{name}: expects {rate} Hz audio; only {SAMPLE_RATE} Hz models are supported",
            code="sample_rate",
            repo=name,
            rate=rate,
            supported=SAMPLE_RATE,
        )
    architecture = MODEL_FOR_CTC_MAPPING_NAMES[config.model_type]
    return Checkpoint(
        config.model_type, architecture, read_vocab(tokenizer, config), features_for(extractor)
    )


def read_vocab(tokenizer: Any, config: Any = None) -> Vocab:
    """The tokenizer's tokens as the CTC decoders read them."""
    size = len(tokenizer)
    tokens = tuple(str(t) for t in tokenizer.convert_ids_to_tokens(list(range(size))))
    blank = getattr(config, "blank_token_id", None)
    if blank is None:
        blank = tokenizer.pad_token_id
    delimiter = getattr(tokenizer, "word_delimiter_token", None)
    if delimiter not in tokens:
        delimiter = WORD_PREFIX  # a lone "▁" in a SentencePiece vocabulary
    pieces = any(t.startswith(WORD_PREFIX) and len(t) > 1 for t in tokens)
    return Vocab(
        tokens=tokens,
        blank_id=int(blank),
        delimiter_id=tokens.index(delimiter) if delimiter in tokens else None,
        special_ids=frozenset(int(i) for i in tokenizer.all_special_ids if 0 <= i < size),
        word_prefix=WORD_PREFIX if pieces else "",
    )


def features_for(extractor: Any) -> Features:
    if type(extractor).__name__ == WAVEFORM_EXTRACTOR:
        return Waveform(
            do_normalize=bool(extractor.do_normalize),
            unpadded=bool(getattr(extractor, "return_attention_mask", False)),
        )
    names = list(getattr(extractor, "model_input_names", None) or ["input_features"])
    return Extracted(extractor, names[0])


def geometry_of(model: Any, features: Features) -> tuple[int, int]:
    """(samples per output frame, receptive field in samples) of a loaded PyTorch model: the
    frame from its own length function on its features' lengths for two inputs; the field from
    its conv stack (waveform models), else :data:`MIN_AUDIO` (a window with less audio is
    blank: a mel extractor needs a few hops)."""
    import torch

    if isinstance(features, Extracted):
        features.model_frames = lambda n: int(output_length(model, torch.tensor([n])))
    lengths = (4 * SAMPLE_RATE, 8 * SAMPLE_RATE)
    counts = []
    for samples in lengths:
        inputs = features(np.full((1, samples), 1e-3, np.float32))
        length = inputs.shape[time_axis(features.input_name, inputs.ndim)]
        counts.append(int(output_length(model, torch.tensor([length]))))
    frame_samples = round((lengths[1] - lengths[0]) / (counts[1] - counts[0]))
    config = getattr(model.config, "audio_config", None) or model.config
    kernel, stride = getattr(config, "conv_kernel", None), getattr(config, "conv_stride", None)
    if features.input_name == "input_values" and kernel and stride:
        conv_frame, field = conv_geometry(list(kernel), list(stride))
        if conv_frame == frame_samples:
            return frame_samples, field
        return frame_samples, max(field, MIN_AUDIO)  # an adapter after the conv stack
    return frame_samples, max(frame_samples, MIN_AUDIO)


def time_axis(input_name: str, ndim: int) -> int:
    """The time axis of a model's input: the last of a waveform ((batch, samples), or OmniASR's
    (batch, 1, samples)), the second of features (batch, frames, bins)."""
    return ndim - 1 if input_name == "input_values" else 1


def output_length(model: Any, input_length: Any) -> Any:
    """Frames the model outputs for an input of ``input_length`` feature frames (samples)."""
    for method in ("_get_feat_extract_output_lengths", "_get_subsampling_output_length"):
        for owner in (model, getattr(model, model.base_model_prefix, None)):
            function = getattr(owner, method, None)
            if function is not None:
                return function(input_length)
    raise ModelLoadError(
        f"{type(model).__name__}: its frame length cannot be computed",
        code="frame_length",
        what=type(model).__name__,
    )

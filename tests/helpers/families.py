"""Tiny random checkpoints of every CTC family transformers loads, each saved with its own
processor (feature extractor and tokenizer; word-piece tokenizers trained here with the
``tokenizers`` library), for tests that run every family through the engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devkit.models import BASE_960H_VOCAB, TINY_WAV2VEC2, save_processor

SAMPLE = Path(__file__).resolve().parents[2] / "engine" / "samples" / "sample.wav"

SENTENCES = [
    "hello world this is a test of live captions",
    "the quick brown fox jumps over the lazy dog",
    "captions for everyone in every language",
    "open the window please and close the door",
]
ENCODER = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)


def word_piece_tokenizer(kind: str = "parakeet", size: int = 48, chars: bool = False) -> Any:
    """A SentencePiece-style CTC tokenizer (Unigram + Metaspace, "▁" marks a word's start),
    trained on SENTENCES; the blank is the pad token, last, as in Parakeet's."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=size,
        special_tokens=["<unk>"],
        unk_token="<unk>",
        max_piece_length=1 if chars else 16,
    )
    tok.train_from_iterator(SENTENCES, trainer)
    tok.add_special_tokens(["<pad>"])
    from transformers import ParakeetTokenizer

    return ParakeetTokenizer(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>")


def _wav2vec2_style(config_class: str, model_class: str, **extra: Any) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        import transformers

        config = getattr(transformers, config_class)(
            vocab_size=len(BASE_960H_VOCAB),
            pad_token_id=0,
            feat_extract_norm="layer",
            conv_bias=True,
            **{**TINY_WAV2VEC2, **extra},
        )
        getattr(transformers, model_class)(config).save_pretrained(str(folder))
        save_processor(folder, attention_mask=True)

    return build


def _wav2vec2_bert(folder: Path) -> None:
    from transformers import (
        SeamlessM4TFeatureExtractor,
        Wav2Vec2BertConfig,
        Wav2Vec2BertForCTC,
        Wav2Vec2BertProcessor,
        Wav2Vec2CTCTokenizer,
    )

    save_processor(folder)  # its vocab.json and tokenizer
    tokenizer = Wav2Vec2CTCTokenizer.from_pretrained(str(folder))
    config = Wav2Vec2BertConfig(
        vocab_size=len(BASE_960H_VOCAB), pad_token_id=0, **ENCODER, output_hidden_size=32
    )
    Wav2Vec2BertForCTC(config).save_pretrained(str(folder))
    extractor = SeamlessM4TFeatureExtractor()
    Wav2Vec2BertProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(
        str(folder)
    )


def _parakeet(folder: Path) -> None:
    from transformers import (
        ParakeetCTCConfig,
        ParakeetFeatureExtractor,
        ParakeetForCTC,
        ParakeetProcessor,
    )

    tokenizer = word_piece_tokenizer()
    config = ParakeetCTCConfig(
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        encoder_config=dict(**ENCODER, subsampling_conv_channels=16),
    )
    ParakeetForCTC(config).save_pretrained(str(folder))
    ParakeetProcessor(
        feature_extractor=ParakeetFeatureExtractor(), tokenizer=tokenizer
    ).save_pretrained(str(folder))


def _omniasr(folder: Path) -> None:
    from transformers import (
        OmniASRCTCConfig,
        OmniASRCTCProcessor,
        OmniASRFeatureExtractor,
        OmniASRForCTC,
    )

    tokenizer = word_piece_tokenizer(chars=True, size=40)
    audio = dict(**ENCODER, conv_dim=(16,) * 7)
    config = OmniASRCTCConfig(
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        blank_token_id=tokenizer.pad_token_id,
        audio_config=audio,
    )
    OmniASRForCTC(config).save_pretrained(str(folder))
    OmniASRCTCProcessor(
        feature_extractor=OmniASRFeatureExtractor(), tokenizer=tokenizer
    ).save_pretrained(str(folder))


def _lasr(folder: Path) -> None:
    import json

    from transformers import (
        LasrCTCConfig,
        LasrFeatureExtractor,
        LasrForCTC,
        LasrProcessor,
        LasrTokenizer,
    )

    trained = json.loads(word_piece_tokenizer().backend_tokenizer.to_str())["model"]["vocab"]
    pieces = [(p, s) for p, s in trained if p not in ("<unk>", "<pad>", "▁")]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0), *pieces]
    tokenizer = LasrTokenizer(vocab=vocab, extra_ids=0)
    encoder = dict(**ENCODER, subsampling_conv_channels=16, num_mel_bins=128, conv_kernel_size=7)
    config = LasrCTCConfig(vocab_size=len(tokenizer), pad_token_id=0, encoder_config=encoder)
    LasrForCTC(config).save_pretrained(str(folder))
    LasrProcessor(feature_extractor=LasrFeatureExtractor(), tokenizer=tokenizer).save_pretrained(
        str(folder)
    )


FAMILIES: dict[str, Callable[[Path], None]] = {
    "hubert": _wav2vec2_style("HubertConfig", "HubertForCTC", do_stable_layer_norm=True),
    "wavlm": _wav2vec2_style("WavLMConfig", "WavLMForCTC", do_stable_layer_norm=True),
    "data2vec-audio": _wav2vec2_style(
        "Data2VecAudioConfig", "Data2VecAudioForCTC", conv_pos_kernel_size=5
    ),
    "wav2vec2-conformer": _wav2vec2_style(
        "Wav2Vec2ConformerConfig", "Wav2Vec2ConformerForCTC", conv_depthwise_kernel_size=7
    ),
    "unispeech": _wav2vec2_style("UniSpeechConfig", "UniSpeechForCTC", do_stable_layer_norm=True),
    "unispeech-sat": _wav2vec2_style(
        "UniSpeechSatConfig", "UniSpeechSatForCTC", do_stable_layer_norm=True
    ),
    "sew": _wav2vec2_style("SEWConfig", "SEWForCTC", squeeze_factor=2, conv_dim=(16,) * 13),
    "sew-d": _wav2vec2_style(
        "SEWDConfig", "SEWDForCTC", squeeze_factor=2, conv_dim=(16,) * 13, position_buckets=32
    ),
    "wav2vec2-bert": _wav2vec2_bert,
    "parakeet_ctc": _parakeet,
    "omniasr_ctc": _omniasr,
    "lasr_ctc": _lasr,
}


def make_family_dir(family: str, folder: Path, seed: int = 0) -> Path:
    import torch

    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    FAMILIES[family](folder)
    favour_blanks(folder)
    return folder


def favour_blanks(folder: Path, blank_share: float = 0.6, delimiter_share: float = 0.15) -> None:
    """Random logits barely differ: shift the blank's and the word delimiter's bias so that on
    the bundled sample about ``blank_share`` of the frames are blank and ``delimiter_share``
    delimiters, like a real model's output (blanks, and several words)."""
    import numpy as np
    import soundfile as sf
    import torch
    from transformers import AutoFeatureExtractor, AutoModelForCTC, AutoTokenizer

    model = AutoModelForCTC.from_pretrained(str(folder)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    extractor = AutoFeatureExtractor.from_pretrained(str(folder))
    blank = getattr(model.config, "blank_token_id", None)
    blank = tokenizer.pad_token_id if blank is None else blank
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    delimiters = [i for i, t in enumerate(tokens) if t in ("|", "▁")]
    audio, _ = sf.read(str(SAMPLE), dtype="float32")
    with torch.no_grad():
        inputs = extractor(audio, sampling_rate=16000, return_tensors="pt")
        logits = model(**inputs).logits[0].numpy()
    head = [
        m
        for m in model.modules()
        if getattr(m, "bias", None) is not None and m.bias.shape == (model.config.vocab_size,)
    ][-1]
    shifts = {}
    others = np.delete(logits, [blank, *delimiters], axis=1).max(1)
    shifts[blank] = float(np.quantile(others - logits[:, blank], blank_share))
    for i in delimiters:
        shifts[i] = float(np.quantile(others - logits[:, i], delimiter_share / 0.4))
    with torch.no_grad():
        for i, shift in shifts.items():
            head.bias[i] += shift
    model.save_pretrained(str(folder))

"""Tiny random wav2vec2 CTC checkpoints (or base-960h's architecture with random weights), with
their processors, and the word-level tokenizer of the tiny punctuation models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast, Wav2Vec2FeatureExtractor

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

# The tiny wav2vec2 encoder's sizes (a 7-layer conv stack of 16 channels), shared by every
# wav2vec2-style family the tests build.
TINY_WAV2VEC2: dict[str, Any] = dict(
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=64,
    conv_dim=(16,) * 7,
    num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=4,
)


def feature_extractor(attention_mask: bool = False) -> Wav2Vec2FeatureExtractor:
    """wav2vec2-base-960h's feature extractor settings (16 kHz, normalised); ``attention_mask``
    as the layer-norm (XLSR, large-lv60) models ask."""
    from transformers import Wav2Vec2FeatureExtractor

    return Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=attention_mask,
    )


def save_processor(
    folder: Path, vocab: dict[str, int] = BASE_960H_VOCAB, attention_mask: bool = False
) -> None:
    from transformers import Wav2Vec2CTCTokenizer, Wav2Vec2Processor

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_file), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    processor = Wav2Vec2Processor(
        feature_extractor=feature_extractor(attention_mask), tokenizer=tokenizer
    )
    processor.save_pretrained(str(folder))


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
            **TINY_WAV2VEC2,
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


def word_level_tokenizer(
    words: Sequence[str], max_length: int, *, mask: bool = False, cls_sep: bool = False
) -> PreTrainedTokenizerFast:
    """The punctuation models' tokenizer: one id per word (lower-cased, split at whitespace),
    [PAD] [UNK] [CLS] [SEP] first, then ``words`` in their order. ``mask`` adds [MASK] after
    [SEP]; ``cls_sep`` wraps each text in [CLS] ... [SEP] as the model is trained."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + ["[MASK]"] * mask
    vocab = {w: i for i, w in enumerate(specials + list(words))}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.normalizer = normalizers.Lowercase()
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    if cls_sep:
        core.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        model_max_length=max_length,
        **({"mask_token": "[MASK]"} if mask else {}),
    )

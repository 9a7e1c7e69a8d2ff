"""Each CTC family's flagship architecture with random weights (speed and memory do not depend
on the weights), for the benches: the model and its feature extractor in memory
(:data:`ARCHITECTURES`), or saved once as a checkpoint folder with a tokenizer of the model's
vocabulary size (:func:`random_checkpoint`), which the engine and the Hugging Face pipeline load
as they load a downloaded one.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import RESULTS, random_base_dir
from devkit.models import BASE_960H_VOCAB

_LARGE = dict(
    hidden_size=1024,
    num_hidden_layers=24,
    num_attention_heads=16,
    intermediate_size=4096,
    feat_extract_norm="layer",
    do_stable_layer_norm=True,
    conv_bias=True,
)


def _wav2vec2_style(config_class: str, model_class: str, large: bool) -> tuple[Any, Any]:
    import transformers

    config = getattr(transformers, config_class)(
        vocab_size=len(BASE_960H_VOCAB), **(_LARGE if large else {})
    )
    model = getattr(transformers, model_class)(config)
    return model, transformers.Wav2Vec2FeatureExtractor(return_attention_mask=large)


def _parakeet() -> tuple[Any, Any]:
    from transformers import ParakeetCTCConfig, ParakeetFeatureExtractor, ParakeetForCTC

    return ParakeetForCTC(ParakeetCTCConfig(vocab_size=1025)), ParakeetFeatureExtractor()


def _omniasr() -> tuple[Any, Any]:
    from transformers import OmniASRCTCConfig, OmniASRFeatureExtractor, OmniASRForCTC

    # The blank is the tokenizer's pad token (the last id) in the checkpoints built here.
    config = OmniASRCTCConfig(pad_token_id=10287, blank_token_id=10287)
    return OmniASRForCTC(config), OmniASRFeatureExtractor()


def _w2v_bert() -> tuple[Any, Any]:
    from transformers import SeamlessM4TFeatureExtractor, Wav2Vec2BertConfig, Wav2Vec2BertForCTC

    config = Wav2Vec2BertConfig(vocab_size=len(BASE_960H_VOCAB), add_adapter=True)
    return Wav2Vec2BertForCTC(config), SeamlessM4TFeatureExtractor()


ARCHITECTURES: dict[str, Callable[[], tuple[Any, Any]]] = {
    "wav2vec2-base (base-960h)": lambda: _wav2vec2_style("Wav2Vec2Config", "Wav2Vec2ForCTC", False),
    "wav2vec2-large (large-960h-lv60-self, XLSR-53)": lambda: _wav2vec2_style(
        "Wav2Vec2Config", "Wav2Vec2ForCTC", True
    ),
    "hubert-large (hubert-large-ls960-ft)": lambda: _wav2vec2_style(
        "HubertConfig", "HubertForCTC", True
    ),
    "wavlm-large (CTC fine-tunes)": lambda: _wav2vec2_style("WavLMConfig", "WavLMForCTC", True),
    "parakeet-ctc-0.6b": _parakeet,
    "omniasr-ctc-300m": _omniasr,
    "wav2vec2-bert (600m, CV16 fine-tunes)": _w2v_bert,
}


def architecture(prefix: str) -> str:
    """The one architecture whose name starts with ``prefix``; ValueError otherwise."""
    found = [name for name in ARCHITECTURES if name.startswith(prefix)]
    if len(found) != 1:
        raise ValueError(f"{prefix!r} names {len(found)} of {', '.join(ARCHITECTURES)}")
    return found[0]


def random_checkpoint(name: str) -> Path:
    """The architecture ``name`` (or a prefix of it) saved with random weights, its feature
    extractor and a tokenizer, in bench/results, built once. base-960h's is the folder the other
    benches use (bench.common.random_base_dir)."""
    name = architecture(name)
    if name.startswith("wav2vec2-base"):
        return random_base_dir()
    folder = RESULTS / (re.sub(r"[^a-z0-9.]+", "-", name.split(" (")[0].lower()) + "-random")
    if not (folder / "config.json").is_file():
        import torch

        tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        torch.manual_seed(0)
        model, extractor = ARCHITECTURES[name]()
        extractor.save_pretrained(str(tmp))
        _tokenizer(model.config.vocab_size, tmp).save_pretrained(str(tmp))
        model.save_pretrained(str(tmp))  # last: config.json marks the folder complete
        with contextlib.suppress(OSError):  # another bench built it meanwhile
            tmp.rename(folder)
    return folder


def _tokenizer(size: int, folder: Path) -> Any:
    """A CTC tokenizer of ``size`` tokens: base-960h's characters (its vocab.json written into
    ``folder``) for the wav2vec2-style families; for the word-piece ones (Parakeet, OmniASR)
    made-up pieces, the pad token (the CTC blank) last."""
    if size == len(BASE_960H_VOCAB):
        from transformers import Wav2Vec2CTCTokenizer

        folder.mkdir(parents=True, exist_ok=True)
        vocab = folder / "vocab.json"
        vocab.write_text(json.dumps(BASE_960H_VOCAB), encoding="utf-8")
        return Wav2Vec2CTCTokenizer(
            str(vocab), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
        )
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import ParakeetTokenizer

    letters = string.ascii_lowercase
    pieces = itertools.chain(
        ["▁"],
        letters,
        (f"▁{c}" for c in letters),
        (a + b for a, b in itertools.product(letters, letters)),
        (f"▁{a}{b}" for a, b in itertools.product(letters, letters)),
        (chr(0x4E00 + i) for i in range(size)),  # CJK characters, as OmniASR's vocabulary has
    )
    scores = [("<unk>", 0.0), *((p, -1.0) for p in itertools.islice(pieces, size - 2))]
    tokenizer = Tokenizer(models.Unigram(scores, unk_id=0))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    tokenizer.add_special_tokens(["<pad>"])
    return ParakeetTokenizer(tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>")

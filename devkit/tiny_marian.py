"""Random MarianMT checkpoints (the OPUS-MT architecture) with real sentencepiece vocabularies,
for the translation tests and benches: nothing is downloaded.

``make_marian_dir(folder)`` builds a tiny one (a second); ``opus_size=True`` gives OPUS-MT's
published architecture (Helsinki-NLP/opus-mt-en-zh: d_model 512, 6 + 6 layers, 8 heads, FFN
2048, a shared vocabulary of 65 001 pieces) with random weights, for speed and memory.
"""

from __future__ import annotations

import json
from pathlib import Path

SOURCE_TEXT = (
    "hello everyone and welcome to the talk",
    "today we speak about live captions on your own computer",
    "the model runs on the processor without a network",
    "translation shows under each sentence of the captions",
    "thank you very much for listening to us today",
    "is this the right way to the station",
    "we will see how fast it is and how much memory it takes",
)
TARGET_TEXT = (
    "大家好，欢迎来到讲座",
    "今天我们谈谈你自己电脑上的实时字幕",
    "模型在处理器上运行，不需要网络",
    "翻译显示在字幕的每个句子下面",
    "非常感谢大家今天的聆听",
    "这是去车站的路吗",
    "我们会看到它有多快，占用多少内存",
)
OPUS_VOCAB = 65_001  # Helsinki-NLP/opus-mt-en-zh's shared vocabulary


FORTUNES = Path("/usr/share/games/fortunes")  # fortune-mod's English text (Debian)


def english_corpus() -> tuple[str, ...]:
    """English text for an OPUS-sized source vocabulary: fortunes where installed, so that a
    sentence has about as many pieces as with OPUS-MT's 32k vocabulary (1.2 to 1.4 a word)."""
    lines: list[str] = []
    for name in ("fortunes", "literature", "riddles"):
        path = FORTUNES / name
        if path.is_file():
            lines += [ln for ln in path.read_text(errors="ignore").splitlines() if ln.strip()]
    return tuple(lines)


def _train_spm(lines: tuple[str, ...], prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    text = prefix.with_suffix(".txt")
    text.write_text("\n".join(lines * 4) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    text.unlink()
    return prefix.with_suffix(".model")


def make_marian_dir(
    folder: Path, *, opus_size: bool = False, seed: int = 0, eos_bias: float = 0.0
) -> Path:
    """A random MarianMTModel with its MarianTokenizer (source.spm, target.spm, vocab.json).

    ``eos_bias`` raises the end-of-sentence logit of the tiny model so that its random
    translations end before the length limit, as a trained model's do."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "spm"
    work.mkdir(exist_ok=True)
    corpus = english_corpus() if opus_size else ()
    source = _train_spm(SOURCE_TEXT + corpus, work / "source", 8000 if corpus else 60)
    target = _train_spm(TARGET_TEXT, work / "target", 100)
    pieces: list[str] = ["</s>", "<unk>"]
    import sentencepiece as spm

    for model_file in (source, target):
        processor = spm.SentencePieceProcessor(model_file=str(model_file))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if piece not in pieces and piece != "<unk>":
                pieces.append(piece)
    size = OPUS_VOCAB if opus_size else len(pieces) + 1
    pieces += [f"▁w{i}" for i in range(size - 1 - len(pieces))]  # OPUS-sized vocabulary
    pieces.append("<pad>")
    vocab = {piece: i for i, piece in enumerate(pieces)}
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(source), str(target), str(work / "vocab.json"), source_lang="en", target_lang="zh"
    )
    sizes = (
        dict(d_model=512, layers=6, heads=8, ffn=2048)
        if opus_size
        else dict(d_model=32, layers=2, heads=2, ffn=64)
    )
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=sizes["d_model"],
        encoder_layers=sizes["layers"],
        decoder_layers=sizes["layers"],
        encoder_attention_heads=sizes["heads"],
        decoder_attention_heads=sizes["heads"],
        encoder_ffn_dim=sizes["ffn"],
        decoder_ffn_dim=sizes["ffn"],
        max_position_embeddings=512,
        pad_token_id=vocab["<pad>"],
        eos_token_id=0,
        decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        architectures=["MarianMTModel"],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        model.final_logits_bias[0, 0] += eos_bias
    model.generation_config.max_length = 512
    model.generation_config.num_beams = 1
    model.generation_config.bad_words_ids = [[vocab["<pad>"]]]
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return folder

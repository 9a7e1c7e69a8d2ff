"""Train the demo punctuation model: a tiny BertForTokenClassification over a word-level
vocabulary, one label per word (mark after it x its case), on random windows of the fortune
text cut anywhere (so it learns to decide with little right context). Writes a transformers
folder (config, weights, tokenizer) to --out.

    nice python -m tools.punctuation_model.train_punctuation --out tools/punctuation_model/work/model
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import time
from pathlib import Path

import torch
from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

from devkit.models import word_level_tokenizer
from tools.punctuation_model.punct_text import LABELS, Token, split

SEED = 25


def build_tokenizer(train: list[Token], min_count: int) -> PreTrainedTokenizerFast:
    counts = collections.Counter(t.word.lower() for t in train)
    words = sorted(w for w, c in counts.items() if c >= min_count)
    # [CLS] words [SEP], as the model is trained (encode below)
    return word_level_tokenizer(words, max_length=128, mask=True, cls_sep=True)


def windows(
    stream: list[Token], rng: random.Random, count: int, max_words: int
) -> list[list[Token]]:
    out = []
    for _ in range(count):
        length = rng.randint(3, max_words)
        start = rng.randrange(0, max(1, len(stream) - length))
        out.append(stream[start : start + length])
    return out


def encode(
    batch: list[list[Token]], vocab: dict[str, int], unk_rate: float, rng: random.Random
) -> dict[str, torch.Tensor]:
    width = max(len(w) for w in batch) + 2
    ids = torch.zeros(len(batch), width, dtype=torch.long)
    mask = torch.zeros(len(batch), width, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    label_id = {label: i for i, label in enumerate(LABELS)}
    unk, cls, sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
    for row, window in enumerate(batch):
        toks = [cls]
        for t in window:
            word = vocab.get(t.word.lower(), unk)
            toks.append(unk if rng.random() < unk_rate else word)
        toks.append(sep)
        ids[row, : len(toks)] = torch.tensor(toks)
        mask[row, : len(toks)] = 1
        labels[row, 1 : len(window) + 1] = torch.tensor([label_id[t.mark + t.case] for t in window])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--unk-rate", type=float, default=0.3)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    train, dev = split()
    tokenizer = build_tokenizer(train, args.min_count)
    vocab = tokenizer.get_vocab()
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=4,
        intermediate_size=args.hidden * 2,
        max_position_embeddings=128,
        pad_token_id=0,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
        hidden_dropout_prob=0.3,
        attention_probs_dropout_prob=0.1,
    )
    model = BertForTokenClassification(config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    dev_batch = encode(windows(dev, random.Random(1), 400, 40), vocab, 0.0, random.Random(1))
    start = time.process_time()
    budget = args.minutes * 60
    step, best, log = 0, float("inf"), []
    best_state = None
    while time.process_time() - start < budget:
        frac = (time.process_time() - start) / budget
        for group in optimiser.param_groups:
            group["lr"] = 1e-3 * min(1.0, step / 100) * max(0.05, 1 - frac)
        model.train()
        batch = encode(windows(train, rng, 64, 40), vocab, args.unk_rate, rng)
        loss = model(**batch).loss
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        step += 1
        if step % 100 == 0:
            model.eval()
            with torch.no_grad():
                dev_loss = float(model(**dev_batch).loss)
            cpu = time.process_time() - start
            log.append(
                {
                    "step": step,
                    "cpu_s": round(cpu, 1),
                    "train": float(loss.detach()),
                    "dev": dev_loss,
                }
            )
            print(json.dumps(log[-1]), flush=True)
            if dev_loss < best:
                best = dev_loss
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    (args.out / "train_log.json").write_text(
        json.dumps({"steps": step, "best_dev_loss": best, "log": log}, indent=1)
    )
    params = sum(p.numel() for p in model.parameters())
    print(f"{step} steps, {params} parameters, vocabulary {len(vocab)}, best dev loss {best:.3f}")


if __name__ == "__main__":
    main()

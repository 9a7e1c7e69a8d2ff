"""Train the demo Wav2Vec2ForCTC from scratch with CTC on the synthetic shards, on CPU.

Stops when the wall-clock budget is spent (--budget-min or DEMO_TRAIN_MINUTES). Saves a
checkpoint to work/checkpoint.pt every few minutes and continues from it when run again; the
learning rate follows a cosine over the budget, so resuming keeps the same schedule. The final
model goes to work/final/ (save_pretrained). Learning curve: work/train_log.tsv.

    python train.py --budget-min 95
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from pathlib import Path

import jiwer
import numpy as np
import torch
from transformers import Wav2Vec2ForCTC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, WORK, model_config, transcribe  # noqa: E402
from data import Batches, Corpus, load_corpus  # noqa: E402

log = logging.getLogger("demo_model.train")

SEED = 1234


def lr_factor(step: int, elapsed: float, budget: float, warmup: int) -> float:
    """Linear warm-up over steps, then cosine decay over the wall-clock budget to 2 %."""
    warm = min(1.0, (step + 1) / warmup)
    progress = min(1.0, elapsed / budget)
    return warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


def dev_cer(model: Wav2Vec2ForCTC, dev: Corpus) -> dict[str, float]:
    """Greedy CER per voice on the small dev set."""
    model.eval()
    refs: dict[str, list[str]] = {}
    hyps: dict[str, list[str]] = {}
    for audio, text, voice in zip(dev.audio, dev.text, dev.voice):
        refs.setdefault(voice, []).append(text)
        hyps.setdefault(voice, []).append(transcribe(model, audio) or "-")
    model.train()
    return {v: round(jiwer.cer(refs[v], hyps[v]), 4) for v in sorted(refs)}


def save_checkpoint(path: Path, model, optimizer, step: int, elapsed: float,
                    hours: float) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "step": step, "elapsed": elapsed, "audio_hours": hours}, tmp)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-min", type=float,
                        default=float(os.environ.get("DEMO_TRAIN_MINUTES", "95")))
    parser.add_argument("--batch-seconds", type=float, default=60.0)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--checkpoint-min", type=float, default=4.0)
    parser.add_argument("--eval-min", type=float, default=10.0)
    parser.add_argument("--limit", type=int, default=None, help="utterances (smoke tests)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=WORK, help="checkpoint, log and final model")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint, log_tsv = args.out / "checkpoint.pt", args.out / "train_log.tsv"

    corpus = load_corpus(DATA, "train_", args.limit)
    dev = load_corpus(DATA, "dev_")
    log.info("train: %d utterances, %.2f h; dev: %d", len(corpus.audio),
             sum(map(len, corpus.audio)) / 16000 / 3600, len(dev.audio))

    model = Wav2Vec2ForCTC(model_config())
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98),
                                  weight_decay=0.01)
    step, elapsed, hours = 0, 0.0, 0.0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed, hours = state["step"], state["elapsed"], state["audio_hours"]
        log.info("resumed at step %d, %.1f min", step, elapsed / 60)
    log.info("parameters: %d", sum(p.numel() for p in model.parameters()))
    budget = args.budget_min * 60
    if not log_tsv.exists():
        log_tsv.write_text("step\tminutes\tloss\tlr\taudio_hours\tdev_cer\n")

    batches = iter(Batches(corpus, seed=SEED + step, batch_seconds=args.batch_seconds))
    losses: list[float] = []
    last_save = last_eval = elapsed
    start = time.time() - elapsed
    while elapsed < budget:
        x, y = next(batches)
        lr = args.lr * lr_factor(step, elapsed, budget, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(x, labels=y).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        hours += x.numel() / 16000 / 3600
        losses.append(float(loss))
        elapsed = time.time() - start
        cer = ""
        if elapsed - last_eval >= args.eval_min * 60 or elapsed >= budget:
            cer = str(dev_cer(model, dev))
            last_eval = elapsed
        if step % 25 == 0 or cer:
            line = (f"{step}\t{elapsed / 60:.2f}\t{np.mean(losses):.4f}\t{lr:.2e}\t"
                    f"{hours:.2f}\t{cer}")
            with log_tsv.open("a") as f:
                f.write(line + "\n")
            log.info(line.replace("\t", "  "))
            losses = []
        if elapsed - last_save >= args.checkpoint_min * 60 or elapsed >= budget:
            save_checkpoint(checkpoint, model, optimizer, step, elapsed, hours)
            last_save = elapsed
    model.save_pretrained(args.out / "final")
    log.info("done: %d steps, %.1f min, %.1f h of audio seen", step, elapsed / 60, hours)


if __name__ == "__main__":
    main()

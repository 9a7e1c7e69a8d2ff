"""Train the demo Wav2Vec2ForCTC from scratch with CTC on the synthetic shards, on CPU.

Stops when the wall-clock budget is spent (--budget-min or DEMO_TRAIN_MINUTES). Saves a
checkpoint to work/checkpoint.pt every few minutes and continues from it when run again; the
learning rate follows a cosine over the budget, so resuming keeps the same schedule. The final
model goes to work/final/ (save_pretrained). Learning curve: work/train_log.tsv.

    python -m tools.demo_model.train --budget-min 120
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import os
import socket
import threading
import time
from pathlib import Path

import jiwer
import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from transformers import Wav2Vec2ForCTC

from tools.demo_model.common import DATA, WORK, model_config, transcribe
from tools.demo_model.data import Batches, Corpus, load_corpus

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


def save_checkpoint(path: Path, model, optimizer, step: int, elapsed: float, hours: float) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "elapsed": elapsed,
            "audio_hours": hours,
        },
        tmp,
    )
    tmp.replace(path)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget-min", type=float, default=float(os.environ.get("DEMO_TRAIN_MINUTES", "120"))
    )
    parser.add_argument(
        "--batch-seconds",
        type=float,
        default=60.0,
        help="audio per optimiser step, split over the processes",
    )
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--checkpoint-min", type=float, default=4.0)
    parser.add_argument("--eval-min", type=float, default=10.0)
    parser.add_argument("--limit", type=int, default=None, help="utterances (smoke tests)")
    parser.add_argument(
        "--procs",
        type=int,
        default=2,
        help="data-parallel processes of one thread each; a shared machine "
        "slows one two-thread process far more than two one-thread ones",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per process")
    parser.add_argument(
        "--voice-repeat",
        action="append",
        default=[],
        metavar="VOICE=K",
        help="show VOICE's utterances K times per pass, e.g. flite:slt=2",
    )
    parser.add_argument("--out", type=Path, default=WORK, help="checkpoint, log and final model")
    return parser.parse_args()


def _trim_log(log_tsv: Path, step: int) -> None:
    """Start the log, or drop lines written after the checkpoint we resume from."""
    header = "step\tminutes\tloss\tlr\taudio_hours\tdev_cer\n"
    lines = log_tsv.read_text().splitlines(keepends=True)[1:] if log_tsv.exists() else []
    log_tsv.write_text(header + "".join(ln for ln in lines if int(ln.split("\t")[0]) <= step))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    args = _parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.procs == 1:
        run(0, args, 0)
    else:
        torch.multiprocessing.spawn(run, args=(args, _free_port()), nprocs=args.procs)


def _exit_with_parent(parent: int) -> None:
    """Stopping the launcher (Ctrl-C, kill) must stop the run: a worker whose parent is gone exits,
    where it would otherwise train on, unseen, beside the next run."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _voice_repeats(specs: list[str]) -> dict[str, int]:
    """["flite:slt=2"] -> {"flite:slt": 2}"""
    pairs = (spec.rsplit("=", 1) for spec in specs)
    return {voice: int(k) for voice, k in pairs}


def run(rank: int, args: argparse.Namespace, port: int) -> None:
    """Training loop of one process; rank 0 logs, evaluates and saves."""
    logging.basicConfig(
        level=logging.INFO if rank == 0 else logging.WARNING, format="%(asctime)s %(message)s"
    )
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    world = args.procs
    if world > 1:
        _exit_with_parent(os.getppid())
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=world,
            timeout=datetime.timedelta(minutes=30),
        )
    checkpoint, log_tsv = args.out / "checkpoint.pt", args.out / "train_log.tsv"

    corpus = load_corpus(DATA, "train_", args.limit)
    dev = load_corpus(DATA, "dev_")
    log.info(
        "train: %d utterances, %.2f h; dev: %d",
        len(corpus.audio),
        sum(map(len, corpus.audio)) / 16000 / 3600,
        len(dev.audio),
    )

    model = Wav2Vec2ForCTC(model_config())
    model.train()
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01
    )
    step, elapsed, hours = 0, 0.0, 0.0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed, hours = state["step"], state["elapsed"], state["audio_hours"]
        log.info("resumed at step %d, %.1f min", step, elapsed / 60)
    log.info("parameters: %d, processes: %d", sum(p.numel() for p in model.parameters()), world)
    net = DistributedDataParallel(model) if world > 1 else model
    budget = args.budget_min * 60
    if rank == 0:
        _trim_log(log_tsv, step)

    batches = iter(
        Batches(
            corpus,
            seed=SEED + step + 100_003 * rank,
            batch_seconds=args.batch_seconds / world,
            voice_repeats=_voice_repeats(args.voice_repeat),
        )
    )
    losses: list[float] = []
    last_save = last_eval = elapsed
    start = time.time() - elapsed
    while elapsed < budget:
        x, y = next(batches)
        lr = args.lr * lr_factor(step, elapsed, budget, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = net(x, labels=y).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        # one small all-reduce: rank 0's clock (all ranks stop together), mean loss, audio
        shared = torch.tensor(
            [
                time.time() - start if rank == 0 else 0.0,
                loss.item() / world,
                x.numel() / 16000 / 3600,
            ],
            dtype=torch.float64,
        )
        if world > 1:
            dist.all_reduce(shared)
        elapsed, mean_loss, batch_hours = shared.tolist()
        hours += batch_hours
        losses.append(mean_loss)
        if rank != 0:
            continue
        cer = ""
        if elapsed - last_eval >= args.eval_min * 60 or elapsed >= budget:
            cer = str(dev_cer(model, dev))
            last_eval = elapsed
        if step % 25 == 0 or cer:
            line = (
                f"{step}\t{elapsed / 60:.2f}\t{np.mean(losses):.4f}\t{lr:.2e}\t{hours:.2f}\t{cer}"
            )
            with log_tsv.open("a") as f:
                f.write(line + "\n")
            log.info(line.replace("\t", "  "))
            losses = []
        if elapsed - last_save >= args.checkpoint_min * 60 or elapsed >= budget:
            save_checkpoint(checkpoint, model, optimizer, step, elapsed, hours)
            last_save = elapsed
    if rank == 0:
        model.save_pretrained(args.out / "final")
        log.info("done: %d steps, %.1f min, %.1f h of audio seen", step, elapsed / 60, hours)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

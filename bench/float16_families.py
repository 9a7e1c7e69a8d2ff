"""float16 (the CUDA default) against float32 for each family's flagship architecture with random
weights (``bench.architectures``), through the engine: each checkpoint loads in both dtypes,
runs a batch of windows of the bundled speech, and the frame labels are compared.

A random model's top two logits are often closer than float16's rounding, so labels count on
the frames a model decides (top two log-probabilities more than ``--margin`` apart, as in
tests/integration/test_families.py); the check fails on NaN or infinite probabilities, on
fewer than ``--min-agreement`` of the decided frames alike, and on a load that fails. The
figure that matters on a GPU is the large architectures' float16 range (activations that
overflow 65,504 give NaN), which the tiny models of the tests cannot show.

    python -m bench.float16_families --device cuda [--only parakeet omniasr ...]
    python -m bench.float16_families --device cpu --only wav2vec2-base --seconds 3   # a dry run

After each architecture, one JSON object with every result so far (the last line is complete
even when a time limit stops the run); exit 1 when a check failed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.architectures import architecture, random_checkpoint
from bench.common import ROOT

SAMPLE = ROOT / "engine" / "samples" / "sample.wav"
# Those whose kind differs (waveform or mel input, wav2vec2 or conformer or w2v-BERT encoder,
# 32 characters to 10,288 tokens); wav2vec2-large and WavLM-large are HuBERT-large's shape.
DEFAULT_ONLY = ("wav2vec2-base", "hubert-large", "parakeet", "omniasr", "wav2vec2-bert")


def windows(seconds: float) -> np.ndarray:
    """Two windows of the bundled sample repeated: at its level and quieter with noise."""
    import soundfile as sf

    audio, _ = sf.read(str(SAMPLE), dtype="float32")
    audio = np.tile(audio, int(np.ceil(seconds * 16000 / audio.size)))[: int(seconds * 16000)]
    noise = np.random.default_rng(0).normal(0, 0.02, audio.size).astype(np.float32)
    return np.stack([audio, 0.3 * audio + noise])


def check(folder: Path, device: str, batch: np.ndarray, args: Any) -> dict[str, Any]:
    import torch

    from engine import ModelOptions, load_recognizer

    def load(dtype: str) -> Any:
        options = ModelOptions(
            name=str(folder), device=device, dtype=dtype, backend="torch", warmup=False
        )
        return load_recognizer(options)

    row: dict[str, Any] = {}
    fp32 = load("float32")
    full = fp32.frames_with_log_probs(batch)
    del fp32
    start = time.perf_counter()
    fp16 = load("float16")
    row["load_fp16_s"] = round(time.perf_counter() - start, 1)
    fp16.frames(batch)  # warm-up
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    half = fp16.frames(batch)
    row["pass_fp16_s"] = round(time.perf_counter() - start, 3)
    del fp16
    assert full.log_probs is not None
    top2 = np.sort(full.log_probs, axis=-1)[..., -2:]
    decided = (top2[..., 1] - top2[..., 0]) > args.margin
    same = full.ids == half.ids
    row.update(
        frames=int(same.size),
        decided=int(decided.sum()),
        agreement_all=round(float(same.mean()), 4),
        agreement_decided=round(float(same[decided].mean()), 4) if decided.any() else None,
        finite=bool(np.isfinite(half.probs).all()),
    )
    row["ok"] = bool(
        row["finite"]
        and row["decided"] >= 5
        and row["agreement_decided"] is not None
        and row["agreement_decided"] >= args.min_agreement
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--only", nargs="*", default=list(DEFAULT_ONLY), help="name starts")
    parser.add_argument("--seconds", type=float, default=8.0, help="each window's length")
    parser.add_argument("--margin", type=float, default=0.03)  # twice float16's error, as the test
    parser.add_argument("--min-agreement", type=float, default=0.99)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import torch
    import transformers

    if args.threads:
        torch.set_num_threads(args.threads)
    batch = windows(args.seconds)
    results: dict[str, Any] = {}
    summary: dict[str, Any] = {
        "bench": "float16_families",
        "device": args.device,
        "transformers": transformers.__version__,
        "seconds": args.seconds,
        "results": results,
    }
    for prefix in args.only:
        name = architecture(prefix)
        start = time.perf_counter()
        try:
            results[name] = check(random_checkpoint(name), args.device, batch, args)
        except ImportError as exc:  # a family newer than this transformers
            results[name] = {"ok": None, "missing": f"{type(exc).__name__}: {exc}"}
        except Exception as exc:  # a load or a run that fails is this check's finding
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        results[name]["wall_s"] = round(time.perf_counter() - start, 1)
        gc.collect()
        if args.device == "cuda":
            torch.cuda.empty_cache()
        print(f"{name}: {results[name]}", flush=True)
        summary["load_avg_1min"] = round(os.getloadavg()[0], 2)
        print(json.dumps(summary), flush=True)
    sys.exit(1 if any(r["ok"] is False for r in results.values()) else 0)


if __name__ == "__main__":
    main()

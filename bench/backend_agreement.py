"""CPU backends against PyTorch float32: frame labels, words and speed, same process, same audio.

Variants: ONNX Runtime float32 (the CPU default), ONNX Runtime int8 (dynamic quantisation of
the weights), PyTorch int8 (dynamic) and PyTorch bfloat16, each against PyTorch float32 on
- frame labels: windows of the balanced profile (3.5 s) and of the file profile (20 s) cut
  from espeak-ng speech, batches of 4, normalised as the engine does;
- words: file transcription of the same speech (word agreement by sequence alignment);
- speed: the transcription's audio seconds per compute second, runs interleaved (``--rounds``).
Models: the demo model (trained: words mean something) and base-960h's architecture with random
weights (speed, and frame labels of a full-size model).

    nice -n 5 python -m bench.backend_agreement --seconds 60 --threads 2

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import SAMPLE_RATE, random_base_dir, speech
from engine import ModelOptions, TranscribeOptions, load_recognizer, transcribe_array

VARIANTS = {  # name -> (backend, dtype)
    "torch_fp32": ("torch", "float32"),
    "onnx_fp32": ("onnx", "float32"),
    "onnx_int8": ("onnx", "int8"),
    "torch_int8": ("torch", "int8"),
    "torch_bf16": ("torch", "bfloat16"),
}


def windows(audio: np.ndarray, seconds: float, step: float) -> list[np.ndarray]:
    size, hop = int(seconds * SAMPLE_RATE), int(step * SAMPLE_RATE)
    rows = [audio[i : i + size] for i in range(0, len(audio) - size + 1, hop)]
    return [np.stack(rows[i : i + 4]) for i in range(0, len(rows), 4)]


def word_agreement(reference: list[str], other: list[str]) -> float:
    matcher = difflib.SequenceMatcher(a=reference, b=other, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same / max(len(reference), len(other), 1)


def measure(name: str, audio: np.ndarray, args: argparse.Namespace) -> dict:
    models = {}
    for variant in args.variants.split(","):
        backend, dtype = VARIANTS[variant]
        options = ModelOptions(
            name=name, device="cpu", dtype=dtype, backend=backend, threads=args.threads
        )
        models[variant] = load_recognizer(options)
        assert models[variant].backend == backend, models[variant].notes
    batches = {
        "balanced_3.5s": windows(audio, 3.5, 1.0)[: args.batches],
        "file_20s": windows(audio, 20.0, 16.0)[: args.batches],
    }
    labels = {
        v: {k: np.concatenate([m.frames(b).ids.ravel() for b in bs]) for k, bs in batches.items()}
        for v, m in models.items()
    }
    reference = labels["torch_fp32"]
    file_options = TranscribeOptions()
    texts: dict[str, list[str]] = {}
    times: dict[str, list[float]] = {v: [] for v in models}
    for _ in range(args.rounds):  # interleaved, so that the machine's load hits all alike
        for variant, model in models.items():
            start = time.perf_counter()
            texts[variant] = transcribe_array(model, audio, file_options).text(cased=False).split()
            times[variant].append(time.perf_counter() - start)
    speed = {v: len(audio) / SAMPLE_RATE / min(t) for v, t in times.items()}
    return {
        "model": name,
        "frame_agreement_vs_torch_fp32": {
            v: {k: round(float(np.mean(ids[k] == reference[k])), 5) for k in ids}
            for v, ids in labels.items()
            if v != "torch_fp32"
        },
        "frames_compared": {k: int(r.size) for k, r in reference.items()},
        "word_agreement_vs_torch_fp32": {
            v: round(word_agreement(texts["torch_fp32"], t), 4)
            for v, t in texts.items()
            if v != "torch_fp32"
        },
        "words": len(texts["torch_fp32"]),
        "speed_audio_s_per_compute_s": {v: round(s, 2) for v, s in speed.items()},
        "speed_vs_torch_fp32": {v: round(s / speed["torch_fp32"], 2) for v, s in speed.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="speech length (default 60)")
    parser.add_argument("--threads", type=int, default=None, help="threads (default: torch's)")
    parser.add_argument("--rounds", type=int, default=2, help="timed transcriptions per variant")
    parser.add_argument("--batches", type=int, default=6, help="batches of 4 windows per size")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--models", default="demo,base", help="demo and/or base (random)")
    args = parser.parse_args()
    if "torch_fp32" not in args.variants.split(","):
        args.variants = "torch_fp32," + args.variants
    with tempfile.TemporaryDirectory(prefix="bench-agree-") as tmp:
        audio = speech(args.seconds, Path(tmp))
    results = []
    for model in args.models.split(","):
        name = "demo" if model == "demo" else str(random_base_dir())
        result = measure(name, audio, args)
        print(json.dumps(result), flush=True)
        results.append(result)
    print(
        json.dumps(
            {
                "bench": "backend_agreement",
                "seconds": args.seconds,
                "threads": args.threads,
                "load_avg_1min": round(os.getloadavg()[0], 2),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()

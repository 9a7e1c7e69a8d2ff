"""The arithmetic a grid asks of the model: floating-point operations per audio second.

Speed figures move with the CPU and its load; the operations a window grid asks for do not.
This counts them (``torch.utils.flop_counter``: matrix products, convolutions, attention) for
one forward pass of base-960h's architecture (random weights; ``--family`` picks another from
bench.architectures) at each window length a grid uses, then per audio second:

- a live profile's finals: one window (left + centre + right) per centre;
- one of its partial passes, of the partial context plus the unfinal audio (on average half the
  centre plus the right context: a partial pass comes at any time of the centre's span); how
  many run per audio second the scheduler decides (bench.streaming_cpu counts them);
- the file profile: one 20 s window per 18 s;
- the Hugging Face pipeline as bench.file_transcription runs it (``chunk_length_s=10``,
  ``stride_length_s=(4, 2)``: a 10 s chunk per 4 s of audio), and one pass over a whole file
  (how it runs a model whose config gives no samples per frame: Parakeet, OmniASR).

The ratio of two grids' operations is the most a faster kernel-for-kernel run could gain from the
grid alone: where two engines spend the same time per operation, their speeds stand in that
ratio. ``python -m bench.arithmetic`` prints a table; the last line of stdout is JSON.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from engine.config import DEFAULT_FILE_PROFILE, PROFILES, SAMPLE_RATE
from engine.streaming import StreamOptions

PIPELINE_CHUNK_S = 10.0  # bench.file_transcription's pipeline settings
PIPELINE_STRIDE_S = (4.0, 2.0)


def window_flops(model: Any, extractor: Any, seconds: float) -> float:
    """Operations of one forward pass over ``seconds`` of audio (batch of one), fed what the
    checkpoint's feature extractor makes of it (samples, or a spectrogram's features)."""
    import numpy as np
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    audio = np.zeros(round(seconds * SAMPLE_RATE), np.float32)
    inputs = extractor(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    inputs = {k: v for k, v in inputs.items() if k in ("input_values", "input_features")}
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(**inputs)
    return float(counter.get_total_flops())


def grids(flops: Callable[[float], float], partial_context_s: float) -> dict[str, float]:
    """GFLOP per audio second for each grid (per pass for partials); ``flops(seconds)`` counts
    one window."""
    out: dict[str, float] = {}
    for name in ("low_latency", "balanced", "accurate"):
        p = PROFILES[name]
        out[f"{name} finals"] = flops(p.window_s) / p.centre_s
        partial_window = partial_context_s + p.centre_s / 2 + p.right_s
        out[f"{name}, one partial pass"] = flops(partial_window)
    f = PROFILES[DEFAULT_FILE_PROFILE]
    out["file profile"] = flops(f.window_s) / f.centre_s
    decided = PIPELINE_CHUNK_S - sum(PIPELINE_STRIDE_S)
    out["pipeline chunks"] = flops(PIPELINE_CHUNK_S) / decided
    out["one pass over 120 s"] = flops(120.0) / 120.0
    return {k: v / 1e9 for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default=None, help="an architecture from bench.architectures")
    args = parser.parse_args()

    from transformers import AutoFeatureExtractor, AutoModelForCTC

    from bench.architectures import random_checkpoint
    from bench.common import random_base_dir

    folder = random_checkpoint(args.family) if args.family else random_base_dir()
    # eager attention: the counter sees its matrix products (CPU's fused kernel goes uncounted)
    model = AutoModelForCTC.from_pretrained(folder, attn_implementation="eager").eval()
    extractor = AutoFeatureExtractor.from_pretrained(folder)
    cache: dict[float, float] = {}

    def flops(seconds: float) -> float:
        key = round(seconds, 3)
        if key not in cache:
            cache[key] = window_flops(model, extractor, key)
        return cache[key]

    options = StreamOptions()
    table = grids(flops, options.partial_context_s)
    width = max(map(len, table))
    for name, gflops in table.items():
        unit = "GFLOP" if "partial" in name else "GFLOP per audio s"
        print(f"{name:<{width}}  {gflops:7.1f} {unit}")
    ratio = table["pipeline chunks"] / table["file profile"]
    print(f"pipeline chunks / file profile: {ratio:.2f}")
    print(json.dumps({"gflop_per_audio_s": table, "pipeline_over_file": ratio}))


if __name__ == "__main__":
    main()

"""One forward pass through each CPU backend, interleaved in one process: PyTorch float32 against
ONNX Runtime float32, on the base-960h architecture with random weights.

    python -m bench.backend_speed [--threads 2] [--rounds 3]

Prints one line per input shape (with each backend's milliseconds per audio second, which
compares shapes) and, last, one JSON object with the best time of each.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from bench.common import random_base_dir
from engine import ModelOptions, load_recognizer

# (windows, seconds): a live window, a batch of them, a file window alone (a CPU file pass) and four
SHAPES = ((1, 3.5), (4, 3.5), (1, 20.0), (4, 20.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = str(random_base_dir())
    recognizers = {
        backend: load_recognizer(
            ModelOptions(
                name=path,
                device="cpu",
                dtype="float32",
                backend=backend,
                threads=args.threads,
                warmup=False,
            )
        )
        for backend in ("torch", "onnx")
    }
    rng = np.random.default_rng(0)
    results = []
    for count, seconds in SHAPES:
        windows = (rng.standard_normal((count, int(seconds * 16000))) * 0.1).astype(np.float32)
        for recognizer in recognizers.values():
            recognizer.frames(windows)  # warm-up
        times: dict[str, list[float]] = {backend: [] for backend in recognizers}
        for _ in range(args.rounds):
            for backend, recognizer in recognizers.items():
                start = time.perf_counter()
                recognizer.frames(windows)
                times[backend].append(time.perf_counter() - start)
        best = {backend: min(values) for backend, values in times.items()}
        ratio = best["torch"] / best["onnx"]
        per_s = {backend: 1000 * t / (count * seconds) for backend, t in best.items()}
        print(
            f"{count} x {seconds} s: torch {best['torch']:.3f} s ({per_s['torch']:.0f} ms per "
            f"audio s), onnx {best['onnx']:.3f} s ({per_s['onnx']:.0f}), "
            f"ONNX Runtime {ratio:.2f}x as fast"
        )
        results.append(
            {"windows": count, "seconds": seconds, "best_s": best, "onnx_speedup": round(ratio, 2)}
        )
    print(
        json.dumps(
            {
                "bench": "backend_speed",
                "threads": args.threads,
                "load_avg_1min": round(os.getloadavg()[0], 2),
                "shapes": results,
            }
        )
    )


if __name__ == "__main__":
    main()

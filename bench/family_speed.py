"""Compute per audio second of each CTC family's flagship architecture on this CPU, with random
weights (speed does not depend on them; ``bench.architectures``): the engine's features step
(``engine.families``) and one forward pass over a window, PyTorch float32 or ONNX Runtime
(``--backend onnx``, the engine's CPU default: each model exported as the engine exports it,
into a temporary folder, before timing).

    nice python -m bench.family_speed [--threads 2] [--seconds 20] [--rounds 2] [--only NAME ...]
    nice python -m bench.family_speed --backend both --only wav2vec2-base parakeet

Prints one line per architecture and, last, one JSON object. The catalogue's ``cpu_cost``
figures are each line's time over base-960h's in the same run (see docs/models.md).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.architectures import ARCHITECTURES
from engine.families import features_for, geometry_of


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="names (prefixes) to run")
    parser.add_argument("--backend", choices=("torch", "onnx", "both"), default="torch")
    args = parser.parse_args()
    backends = ("torch", "onnx") if args.backend == "both" else (args.backend,)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    windows = (rng.standard_normal((1, int(args.seconds * 16000))) * 0.1).astype(np.float32)
    results = {}
    for name, build in ARCHITECTURES.items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        torch.manual_seed(0)
        model, extractor = build()
        model.eval()
        features = features_for(extractor)
        geometry = geometry_of(model, features)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        row: dict[str, float] = {"parameters_m": round(params), "frame_ms": geometry[0] / 16}
        for backend in backends:
            run = _onnx_pass(model, features, args.threads) if backend == "onnx" else None
            best = float("inf")
            with torch.inference_mode():
                for _ in range(args.rounds + 1):  # the first is a warm-up
                    start = time.perf_counter()
                    if run is not None:
                        run(features(windows))
                    else:
                        model(**{features.input_name: torch.from_numpy(features(windows))})
                    best = min(best, time.perf_counter() - start)
            rtf = best / args.seconds
            row["rtf" if backend == "torch" else "rtf_onnx"] = rtf
            print(
                f"{name} [{backend}]: {params:.0f} M parameters, {geometry[0] / 16:g} ms frames, "
                f"{rtf:.3f} s per audio second",
                flush=True,
            )
        results[name] = row
        del model
    print(json.dumps({"threads": args.threads, "seconds": args.seconds, "results": results}))


def _onnx_pass(model: Any, features: Any, threads: int) -> Callable[[np.ndarray], object]:
    """The model exported as the engine exports it (engine.onnx_backend), as a function of the
    model's input; the export is timed apart and not counted."""
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    from engine.onnx_backend import OnnxRunner, _torch_export

    folder = Path(tempfile.mkdtemp(prefix="family-speed-"))
    atexit.register(shutil.rmtree, folder, True)
    start = time.perf_counter()
    _torch_export(model, folder / "model.onnx", features)
    print(f"  exported in {time.perf_counter() - start:.0f} s", flush=True)
    return OnnxRunner(folder / "model.onnx", threads)


if __name__ == "__main__":
    main()

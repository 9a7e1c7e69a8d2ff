"""A large model on ONNX Runtime, end to end as the engine makes and runs it: the export into
the cache (``engine.onnx_backend.export``: weights in a side file over ``SINGLE_FILE_MAX_BYTES``,
protobuf holding 2 GB at most; the check against PyTorch; the rename into place), loading it,
frame labels against PyTorch float32 on speech, and int8 quantisation; time and peak memory of
each stage, and the time of one window on each runtime.

Default: Parakeet-CTC 0.6b's architecture with random weights, saved as a checkpoint folder
(``bench.architectures.random_checkpoint``, built once) and loaded as the engine loads one: 2.4 GB
in float32. Random weights give close top logits (1,025 tokens, none trained to win), so frame
agreement is given on every frame and on the frames whose top two log-probabilities are more
than ``--margin`` apart (float32 rounding differs between the two runtimes by far less). The
export's own check (99.9 % of frames alike, on every frame) is the engine's and can refuse a
random model on a near tie: the run then stops with that error.

    nice -n 5 python -m bench.large_export [--only parakeet] [--threads 2] [--seconds 10]
        [--cache DIR]

Prints one line per stage and, last, one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.architectures import architecture, random_checkpoint
from bench.common import peak_rss_mb, reset_peak_rss, rss_mb
from engine import onnx_backend as ob
from engine.families import read_checkpoint


def _stage(name: str, results: dict[str, Any], run: Any) -> Any:
    """Run ``run()``; note its wall and CPU time (all threads), its peak resident memory over
    what was resident before, and the resident memory after."""
    before = rss_mb()
    reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    value = run()
    results[name] = {
        "s": round(time.perf_counter() - start, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "peak_over_before_mb": round(peak_rss_mb() - before, 0),
        "rss_after_mb": round(rss_mb(), 0),
    }
    print(f"{name}: {results[name]}", flush=True)
    return value


def _agreement(ids: np.ndarray, reference: np.ndarray, decided: np.ndarray) -> dict[str, float]:
    same = ids == reference
    return {"all": round(float(same.mean()), 4), "decided": round(float(same[decided].mean()), 4)}


def _timed(run: Any, rounds: int = 2) -> float:
    run()  # warm-up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _onnx(
    graph: Path,
    dtype: str,
    check: np.ndarray,
    window: np.ndarray,
    args: Any,
    reference: np.ndarray,
    decided: np.ndarray,
    results: dict[str, Any],
) -> None:
    """Load an exported graph (its side file too) and run it: labels and a window's time."""
    runner = _stage(f"load_{dtype}", results, lambda: ob.OnnxRunner(graph, args.threads))
    results[f"agreement_{dtype}"] = _agreement(runner(check, False)[0], reference, decided)
    results[f"onnx_{dtype}_window_s"] = round(_timed(lambda: runner(window, False)), 3)
    print(f"{dtype}: {results[f'agreement_{dtype}']}", flush=True)


def _torch_side(name: str, args: Any, results: dict[str, Any]) -> tuple[Any, ...]:
    """Load the checkpoint as the engine does, take PyTorch's labels and speed, export it into
    the cache; the model is gone when this returns (ONNX Runtime's memory is then measured
    alone). Returns the cache entry, the check windows, a timed window, PyTorch's labels and
    the decided frames."""
    import torch
    from transformers import AutoModelForCTC

    folder = _stage("checkpoint", results, lambda: random_checkpoint(name))
    features = read_checkpoint(folder, name).features
    model = _stage("load", results, lambda: AutoModelForCTC.from_pretrained(str(folder)).eval())
    results["weights_mb"] = round(ob.weight_bytes(model) / 1e6)
    check = features(ob.check_speech(), None)  # the engine's own check speech, two rows
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal((1, int(args.seconds * 16000))) * 0.1).astype(np.float32)
    window = features(audio, None)
    with torch.inference_mode():
        logits = model(**{features.input_name: torch.from_numpy(check)}).logits
        top2 = torch.log_softmax(logits, -1).topk(2, dim=-1).values.numpy()
        reference = logits.argmax(-1).numpy()
        run = lambda: model(**{features.input_name: torch.from_numpy(window)})  # noqa: E731
        results["torch_window_s"] = round(_timed(run), 3)
    decided = top2[..., 0] - top2[..., 1] > args.margin
    results["frames"] = {"all": int(reference.size), "decided": int(decided.sum())}
    old = ob.cached_export(folder)
    if old is not None:  # measure an export, not a cache hit
        ob.discard(old)
    prepare = lambda windows: features(windows, None)  # noqa: E731  (as engine.model's)
    export = lambda: ob.export(model, folder, prepare, threads=args.threads)  # noqa: E731
    entry = _stage("export_and_check", results, export)
    info = json.loads((entry / ob.INFO_FILE).read_text())
    results["export_info"] = {k: info[k] for k in ("frame_agreement", "files_mb", "export_s")}
    return entry, check, window, reference, decided


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="parakeet", help="an architecture of bench.architectures")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="the timed window's length")
    parser.add_argument("--margin", type=float, default=1e-3)
    parser.add_argument("--no-int8", action="store_true")
    parser.add_argument(
        "--cache",
        default=None,
        help="the ONNX cache to export into and leave the export in (where a later "
        "LIVE_CAPTIONS_ONNX_CACHE=DIR bench.file_transcription finds it); default: a "
        "temporary folder, removed",
    )
    args = parser.parse_args()
    name = architecture(args.only)
    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {"architecture": name, "threads": args.threads}
    temporary = args.cache is None
    cache = Path(tempfile.mkdtemp(prefix="large-export-")) if temporary else Path(args.cache)
    os.environ["LIVE_CAPTIONS_ONNX_CACHE"] = str(cache)  # read by engine.onnx_backend
    try:
        entry, check, window, reference, decided = _torch_side(name, args, results)
        gc.collect()
        graph = entry / ob.MODEL_FILE
        _onnx(graph, "float32", check, window, args, reference, decided, results)
        if not args.no_int8:
            int8 = _stage("quantise_int8", results, lambda: ob.quantized(entry))
            results["files_mb"] = {p.name: round(p.stat().st_size / 1e6) for p in entry.iterdir()}
            _onnx(int8, "int8", check, window, args, reference, decided, results)
    finally:
        if temporary:
            shutil.rmtree(cache, ignore_errors=True)
    results["window_s"] = args.seconds
    results["load_avg_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""File transcription speed and memory: this engine against the Hugging Face ASR pipeline.

Same model (base-960h's architecture with random weights: speed does not depend on the weights;
``--family`` picks another family's flagship architecture from bench.architectures), same audio
(espeak-ng speech), same machine, same run. Variants:

- ``pipeline_fp32``: ``pipeline("automatic-speech-recognition", chunk_length_s=10,
  stride_length_s=(4, 2))`` in float32, batch size 1 (its defaults otherwise). The pipeline cuts
  its chunks' overlaps off the logits by the config's ``inputs_to_logits_ratio`` (samples per
  frame); for a model whose config has none (Parakeet, OmniASR) it would cut them in samples
  from the frames (nearly all of each chunk), so those run unchunked: the whole file in one
  pass, the one way the pipeline transcribes them correctly. A model the pipeline cannot run
  at all is reported (``failed`` in the JSON, with the error's end) and ours measured alone;
- ``ours_fp32``: ``load_recognizer`` + ``transcribe_array``, default "file" profile, float32;
- ``ours_onnx``: the same on ONNX Runtime (float32), the engine's CPU default;
- ``ours_bf16``: PyTorch in bfloat16 (``ours_onnx_int8``: ONNX Runtime, int8 weights, on request).

An ONNX variant's export happens while its model loads (before timing); run the bench once
to fill the cache, or count the first run's load as the one-off cost it is.

With ``--device cuda`` the default variants are ``pipeline_fp16`` and ``ours_fp16`` (both on
CUDA in float16, the engine's CUDA default) and GPU memory (``torch.cuda.max_memory_allocated``)
is reported too; ``--variants`` picks any of them.

Each variant runs in its own process, so that its peak memory (VmHWM, reset after loading the
model) is its own. Speed is audio seconds per compute second of the transcription call only
(model loading and one warm-up pass are not timed). Memory is measured at two audio lengths to
show whether it grows with the length. Our working memory is bounded by one batch of windows
(batch_size x 20 s for the "file" profile), so it grows until the first batch is full (after
48 s of audio with 4 windows of 16 s centre) and is flat after that: both lengths are longer.

The texts are compared too (character error rate, spaces ignored). With random weights that is
a check of reduced precision only: every frame of a random transformer depends on its whole
window, so two different chunkings (10 s chunks against 20 s windows) disagree a lot; pass
--model with a trained model to compare the chunkings themselves.

    nice -n 5 python -m bench.file_transcription --quick      # 1 and 1.25 minutes
    nice -n 5 python -m bench.file_transcription --family parakeet --lengths 30 \
        --variants pipeline_fp32,ours_onnx
    nice -n 5 python -m bench.file_transcription              # 1 and 5 minutes
    python -m bench.file_transcription --device cuda --quick  # on a GPU

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    ROOT,
    SAMPLE_RATE,
    peak_rss_mb,
    random_base_dir,
    reset_peak_rss,
    rss_mb,
    speech,
)

# variant -> (implementation, dtype, backend)
VARIANTS = {
    "pipeline_fp32": ("pipeline", "float32", "torch"),
    "pipeline_fp16": ("pipeline", "float16", "torch"),
    "ours_fp32": ("ours", "float32", "torch"),
    "ours_fp16": ("ours", "float16", "torch"),
    "ours_bf16": ("ours", "bfloat16", "torch"),
    "ours_onnx": ("ours", "float32", "onnx"),
    "ours_onnx_int8": ("ours", "int8", "onnx"),
}
DEFAULT_VARIANTS = {
    "cpu": ("pipeline_fp32", "ours_fp32", "ours_onnx", "ours_bf16"),
    "cuda": ("pipeline_fp16", "ours_fp16"),
}


# --- one variant, in a child process ---------------------------------------------------------


def _ours(
    folder: Path, dtype: str, backend: str, device: str, threads: int | None, batch_size: int | None
):
    from engine import ModelOptions, TranscribeOptions, load_recognizer, transcribe_array

    recognizer = load_recognizer(
        ModelOptions(name=str(folder), device=device, dtype=dtype, backend=backend, threads=threads)
    )
    assert recognizer.backend == backend, recognizer.notes
    options = TranscribeOptions()  # the "file" profile and the default batch size
    if batch_size:
        options = dataclasses.replace(options, batch_size=batch_size)
    return lambda audio: transcribe_array(recognizer, audio, options).text(cased=False)


def _pipeline(folder: Path, dtype: str, device: str, threads: int | None):
    import torch
    from transformers import pipeline

    if threads:
        torch.set_num_threads(threads)
    chunking: dict[str, Any] = {"chunk_length_s": 10, "stride_length_s": (4, 2)}
    asr = pipeline(
        "automatic-speech-recognition",
        model=str(folder),
        device=device,
        dtype=getattr(torch, dtype),
        **(chunking if pipeline_chunks(folder) else {}),
    )
    asr(np.zeros(int(3.5 * SAMPLE_RATE), np.float32) + np.float32(1e-3))  # warm-up, like ours

    def run(audio: np.ndarray) -> str:
        result = asr(audio.copy())
        assert isinstance(result, dict)  # one input gives one result, not a list
        return str(result["text"])

    return run


def pipeline_chunks(folder: Path) -> bool:
    """Whether the pipeline can chunk this model's audio: its config gives the samples per
    frame that the chunks' overlaps are cut from the logits by."""
    from transformers import AutoConfig

    return hasattr(AutoConfig.from_pretrained(str(folder)), "inputs_to_logits_ratio")


def _default_batch_size() -> int:
    from engine import TranscribeOptions

    return TranscribeOptions().batch_size


def run_child(args: argparse.Namespace) -> None:
    audio = np.load(args.audio)[: int(args.seconds * SAMPLE_RATE)]
    folder = Path(args.model)
    kind, dtype, backend = VARIANTS[args.child]
    if kind == "pipeline":
        transcribe = _pipeline(folder, dtype, args.device, args.threads)
    else:
        transcribe = _ours(folder, dtype, backend, args.device, args.threads, args.batch_size)
    import torch

    cuda = args.device == "cuda"
    loaded_mb = rss_mb()
    exact_peak = reset_peak_rss()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        cuda_loaded_mb = torch.cuda.memory_allocated() / 2**20
    start = time.perf_counter()
    text = transcribe(audio)
    compute_s = time.perf_counter() - start  # both return text on the host: the GPU is done
    peak_mb = peak_rss_mb()
    result = {
        "variant": args.child,
        "device": args.device,
        "audio_s": round(audio.size / SAMPLE_RATE, 2),
        "compute_s": round(compute_s, 3),
        "speed": round(audio.size / SAMPLE_RATE / compute_s, 2),
        "rss_loaded_mb": round(loaded_mb, 1),
        "peak_mb": round(peak_mb, 1),
        "peak_over_loaded_mb": round(peak_mb - loaded_mb, 1),
        "peak_is_this_stage": exact_peak,
        "torch_threads": torch.get_num_threads(),
        "batch_size": None if kind == "pipeline" else (args.batch_size or _default_batch_size()),
        "text": text,
    }
    if cuda:
        result["cuda_peak_over_loaded_mb"] = round(
            torch.cuda.max_memory_allocated() / 2**20 - cuda_loaded_mb, 1
        )
    print(json.dumps(result))


# --- the parent: audio, model, children, summary ---------------------------------------------


def run_variant(
    variant: str, seconds: float, audio_file: Path, model: Path, args: argparse.Namespace
) -> dict:
    command = [
        sys.executable,
        "-m",  # as a module from the root, where bench and the engine import
        "bench.file_transcription",
        "--child",
        variant,
        "--seconds",
        str(seconds),
        "--audio",
        str(audio_file),
        "--model",
        str(model),
        "--device",
        args.device,
    ]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0 and VARIANTS[variant][0] == "pipeline":
        # A family the pipeline cannot run is a finding: say why, and measure ours alone.
        return {"error": " ".join(result.stderr.split())[-400:]}
    if result.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def character_error_rate(reference: str, hypothesis: str) -> float | None:
    try:
        import jiwer
    except ImportError:
        return None
    ref, hyp = reference.replace(" ", ""), hypothesis.replace(" ", "")
    return round(float(jiwer.cer(ref, hyp)), 4) if ref else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="the longer audio length (default 5)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 and 1.25 minutes, to check that it works"
    )
    parser.add_argument(
        "--lengths", default=None, help="audio lengths in seconds, comma-separated (overrides)"
    )
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument(
        "--variants",
        default=None,
        help=f"comma-separated, from {', '.join(VARIANTS)} (default: per device)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="windows per forward pass for ours (default: the engine's)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads for every variant (default: torch's)",
    )
    parser.add_argument(
        "--model", default=None, help="model folder (default: random base-960h in bench/results)"
    )
    parser.add_argument(
        "--family",
        default=None,
        help="a flagship architecture of bench.architectures (a name's start: parakeet, "
        "omniasr, wav2vec2-bert, hubert, ...), random weights, built once in bench/results",
    )
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return

    variants = args.variants.split(",") if args.variants else list(DEFAULT_VARIANTS[args.device])
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    if args.lengths:
        lengths = [float(x) for x in args.lengths.split(",")]
    else:
        lengths = [60.0, 75.0] if args.quick else [60.0, args.minutes * 60]
    if args.model and args.family:
        parser.error("--model and --family exclude each other")
    if args.family:
        from bench.architectures import random_checkpoint

        model = random_checkpoint(args.family)
    else:
        model = Path(args.model) if args.model else random_base_dir()
    started = time.perf_counter()
    runs: dict[str, dict[str, dict]] = {v: {} for v in variants}
    failed: dict[str, str] = {}  # pipeline variants that could not run this model, and why
    with tempfile.TemporaryDirectory(prefix="bench-file-") as tmp:
        audio_file = Path(tmp) / "speech.npy"
        np.save(audio_file, speech(max(lengths), Path(tmp)))
        for seconds in lengths:
            for variant in [v for v in variants if v not in failed]:
                run = run_variant(variant, seconds, audio_file, model, args)
                if "error" in run:
                    failed[variant] = run["error"]
                    print(f"{variant}: cannot run this model: {run['error']}", flush=True)
                    continue
                runs[variant][f"{seconds:g}"] = run
                print(
                    f"{variant:14s} {seconds:6.0f} s audio: {run['speed']:7.2f} audio s per compute s, "
                    f"peak {run['peak_mb']:7.1f} MB ({run['peak_over_loaded_mb']:+.1f} MB over the loaded model)",
                    flush=True,
                )

    variants = [v for v in variants if v not in failed]
    long = f"{lengths[-1]:g}"
    speed = {v: runs[v][long]["speed"] for v in variants}
    texts = {v: runs[v][long]["text"] for v in variants}
    baseline = next((v for v in variants if v.startswith("pipeline")), variants[0])
    reference = next((v for v in variants if v.startswith("ours_fp32")), None)
    ours = [v for v in variants if v != baseline]
    summary = {
        "bench": "file_transcription",
        "model": str(model),
        "pipeline_chunked": pipeline_chunks(model),
        "failed": failed,
        "device": args.device,
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "torch_threads": runs[variants[-1]][long]["torch_threads"],
        "ours_batch_size": runs[ours[0]][long]["batch_size"] if ours else None,
        "lengths_s": lengths,
        "speed_audio_s_per_compute_s": speed,
        **{f"ratio_{v}_vs_{baseline}": round(speed[v] / speed[baseline], 2) for v in ours},
        "peak_over_loaded_mb": {
            v: {k: r["peak_over_loaded_mb"] for k, r in runs[v].items()} for v in variants
        },
        "peak_mb": {v: {k: r["peak_mb"] for k, r in runs[v].items()} for v in variants},
        "compute_s": {v: {k: r["compute_s"] for k, r in runs[v].items()} for v in variants},
        **{f"cer_{v}_vs_{baseline}": character_error_rate(texts[baseline], texts[v]) for v in ours},
        **{
            f"cer_{v}_vs_{reference}": character_error_rate(texts[reference], texts[v])
            for v in ours
            if reference and v != reference
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }
    if args.device == "cuda":
        summary["cuda_peak_over_loaded_mb"] = {
            v: {k: r.get("cuda_peak_over_loaded_mb") for k, r in runs[v].items()} for v in variants
        }
    print("; ".join(f"{v} / {baseline}: {speed[v] / speed[baseline]:.2f}x" for v in ours))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

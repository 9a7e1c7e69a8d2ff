"""File transcription speed and memory: this engine against the Hugging Face ASR pipeline.

Same model (base-960h's architecture with random weights: speed does not depend on the weights),
same audio (espeak-ng speech), same machine, same run. Variants:

- ``pipeline_fp32``: ``pipeline("automatic-speech-recognition", chunk_length_s=10,
  stride_length_s=(4, 2))`` in float32, batch size 1 (its defaults otherwise);
- ``ours_fp32``: ``load_recognizer`` + ``transcribe_array``, default "file" profile, float32;
- ``ours_bf16``: the same in bfloat16, the engine's default CPU dtype.

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

    nice -n 5 python bench/file_transcription.py --quick      # 1 and 1.25 minutes
    nice -n 5 python bench/file_transcription.py              # 1 and 5 minutes

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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
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

VARIANTS = ("pipeline_fp32", "ours_fp32", "ours_bf16")


# --- one variant, in a child process ---------------------------------------------------------


def _ours(folder: Path, dtype: str, threads: int | None, batch_size: int | None):
    from engine import ModelOptions, TranscribeOptions, load_recognizer, transcribe_array

    recognizer = load_recognizer(
        ModelOptions(name=str(folder), device="cpu", dtype=dtype, threads=threads)
    )
    options = TranscribeOptions()  # the "file" profile and the default batch size
    if batch_size:
        options = dataclasses.replace(options, batch_size=batch_size)
    return lambda audio: transcribe_array(recognizer, audio, options).text(cased=False)


def _pipeline(folder: Path, threads: int | None):
    import torch
    from transformers import pipeline

    if threads:
        torch.set_num_threads(threads)
    asr = pipeline(
        "automatic-speech-recognition",
        model=str(folder),
        chunk_length_s=10,
        stride_length_s=(4, 2),
        device="cpu",
        dtype=torch.float32,
    )
    asr(np.zeros(int(3.5 * SAMPLE_RATE), np.float32) + np.float32(1e-3))  # warm-up, like ours
    return lambda audio: asr(audio.copy())["text"]


def _default_batch_size() -> int:
    from engine import TranscribeOptions

    return TranscribeOptions().batch_size


def run_child(args: argparse.Namespace) -> None:
    audio = np.load(args.audio)[: int(args.seconds * SAMPLE_RATE)]
    folder = Path(args.model)
    if args.child == "pipeline_fp32":
        transcribe = _pipeline(folder, args.threads)
    else:
        dtype = "float32" if args.child == "ours_fp32" else "bfloat16"
        transcribe = _ours(folder, dtype, args.threads, args.batch_size)
    import torch

    loaded_mb = rss_mb()
    exact_peak = reset_peak_rss()
    start = time.perf_counter()
    text = transcribe(audio)
    compute_s = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    print(
        json.dumps(
            {
                "variant": args.child,
                "audio_s": round(audio.size / SAMPLE_RATE, 2),
                "compute_s": round(compute_s, 3),
                "speed": round(audio.size / SAMPLE_RATE / compute_s, 2),
                "rss_loaded_mb": round(loaded_mb, 1),
                "peak_mb": round(peak_mb, 1),
                "peak_over_loaded_mb": round(peak_mb - loaded_mb, 1),
                "peak_is_this_stage": exact_peak,
                "torch_threads": torch.get_num_threads(),
                "batch_size": None
                if args.child == "pipeline_fp32"
                else (args.batch_size or _default_batch_size()),
                "text": text,
            }
        )
    )


# --- the parent: audio, model, children, summary ---------------------------------------------


def run_variant(
    variant: str, seconds: float, audio_file: Path, model: Path, args: argparse.Namespace
) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--seconds",
        str(seconds),
        "--audio",
        str(audio_file),
        "--model",
        str(model),
    ]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
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
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return

    lengths = [60.0, 75.0] if args.quick else [60.0, args.minutes * 60]
    model = Path(args.model) if args.model else random_base_dir()
    started = time.perf_counter()
    runs: dict[str, dict[str, dict]] = {v: {} for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="bench-file-") as tmp:
        audio_file = Path(tmp) / "speech.npy"
        np.save(audio_file, speech(max(lengths), Path(tmp)))
        for seconds in lengths:
            for variant in VARIANTS:
                run = run_variant(variant, seconds, audio_file, model, args)
                runs[variant][f"{seconds:g}"] = run
                print(
                    f"{variant:14s} {seconds:6.0f} s audio: {run['speed']:7.2f} audio s per compute s, "
                    f"peak {run['peak_mb']:7.1f} MB ({run['peak_over_loaded_mb']:+.1f} MB over the loaded model)",
                    flush=True,
                )

    long = f"{lengths[-1]:g}"
    speed = {v: runs[v][long]["speed"] for v in VARIANTS}
    summary = {
        "bench": "file_transcription",
        "model": str(model),
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "torch_threads": runs["ours_fp32"][long]["torch_threads"],
        "ours_batch_size": runs["ours_fp32"][long]["batch_size"],
        "lengths_s": lengths,
        "speed_audio_s_per_compute_s": speed,
        "ratio_ours_fp32_vs_pipeline_fp32": round(speed["ours_fp32"] / speed["pipeline_fp32"], 2),
        "ratio_ours_bf16_vs_pipeline_fp32": round(speed["ours_bf16"] / speed["pipeline_fp32"], 2),
        "peak_over_loaded_mb": {
            v: {k: r["peak_over_loaded_mb"] for k, r in runs[v].items()} for v in VARIANTS
        },
        "peak_mb": {v: {k: r["peak_mb"] for k, r in runs[v].items()} for v in VARIANTS},
        "compute_s": {v: {k: r["compute_s"] for k, r in runs[v].items()} for v in VARIANTS},
        "cer_ours_fp32_vs_pipeline_fp32": character_error_rate(
            runs["pipeline_fp32"][long]["text"], runs["ours_fp32"][long]["text"]
        ),
        "cer_ours_bf16_vs_ours_fp32": character_error_rate(
            runs["ours_fp32"][long]["text"], runs["ours_bf16"][long]["text"]
        ),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(
        f"ours fp32 / pipeline fp32: {summary['ratio_ours_fp32_vs_pipeline_fp32']}x; "
        f"ours bf16 / pipeline fp32: {summary['ratio_ours_bf16_vs_pipeline_fp32']}x"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

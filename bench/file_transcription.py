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
- ``ours_fp32``: ``load_recognizer`` + ``transcribe_array`` through a ``Scheduler`` (as every
  front end runs it), default "file" profile, float32;
- ``ours_onnx``: the same on ONNX Runtime (float32), the engine's CPU default;
- ``ours_bf16``: PyTorch in bfloat16 (``ours_onnx_int8``: ONNX Runtime, int8 weights, and
  ``ours_power_saver``: ``ModelOptions(power_saver=True)``, on request);
- ``cli_onnx``, ``cli_torch``, ``cli_bf16``, ``cli_power_saver`` (``cli_saver_int8``,
  ``cli_saver_bf16``: with that ``--dtype``): ``live-captions transcribe`` on a
  16-bit WAV of the same audio in its own process (``--no-punctuation --no-lm``: the pipeline does
  neither), timed from its model's "loaded" log line to its exit, so the model load is taken out
  and reading the file, the scheduler and writing the text are in; ``cli_before``: the command
  line of another checkout (``--tree``) at its defaults, for a before/after in one run.

``--rounds N`` runs every variant N times in turns; speeds are the rounds' median, and each
round's ratio against the pipeline (its variants ran back to back) is listed too, with the CPU
seconds of each run (process time: on a shared machine it moves less than wall time).

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
73 s of audio with 4 windows of 18 s centre) and is flat after that.

The texts are compared too (character error rate, spaces ignored). With random weights that is
a check of reduced precision only: every frame of a random transformer depends on its whole
window, so two different chunkings (10 s chunks against 20 s windows) disagree a lot; pass
--model with a trained model to compare the chunkings themselves.

    nice -n 5 python -m bench.file_transcription --quick      # 1 and 1.25 minutes
    nice -n 5 python -m bench.file_transcription --family parakeet --lengths 30 \
        --variants pipeline_fp32,ours_onnx
    nice -n 5 python -m bench.file_transcription --lengths 120 --rounds 3 \
        --variants pipeline_fp32,cli_before,cli_onnx,cli_power_saver --tree /work/main
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

# variant -> (implementation, dtype, backend); "cli" runs the command line in its own process,
# "power_saver" as backend: ModelOptions(power_saver=True) (``--power-saver``) picks both
VARIANTS = {
    "pipeline_fp32": ("pipeline", "float32", "torch"),
    "pipeline_fp16": ("pipeline", "float16", "torch"),
    "ours_fp32": ("ours", "float32", "torch"),
    "ours_fp16": ("ours", "float16", "torch"),
    "ours_bf16": ("ours", "bfloat16", "torch"),
    "ours_onnx": ("ours", "float32", "onnx"),
    "ours_onnx_int8": ("ours", "int8", "onnx"),
    "ours_power_saver": ("ours", "auto", "power_saver"),
    "cli_before": ("cli", "auto", "auto"),
    "cli_onnx": ("cli", "float32", "onnx"),
    "cli_torch": ("cli", "float32", "torch"),
    "cli_bf16": ("cli", "bfloat16", "torch"),
    "cli_power_saver": ("cli", "auto", "power_saver"),
    "cli_saver_int8": ("cli", "int8", "power_saver"),
    "cli_saver_bf16": ("cli", "bfloat16", "power_saver"),
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
    from engine.scheduler import Scheduler

    saver = backend == "power_saver"
    recognizer = load_recognizer(
        ModelOptions(
            name=str(folder),
            device=device,
            dtype=dtype,
            backend="auto" if saver else backend,
            threads=threads,
            power_saver=saver,
        )
    )
    assert saver or recognizer.backend == backend, recognizer.notes
    options = TranscribeOptions()  # the "file" profile and the default batch size
    if batch_size:
        options = dataclasses.replace(options, batch_size=batch_size)
    scheduler = Scheduler(recognizer).start()  # the front ends' forward passes go through one
    return lambda audio: transcribe_array(scheduler, audio, options).text(cased=False)


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
    start, cpu = time.perf_counter(), time.process_time()
    text = transcribe(audio)
    compute_s = time.perf_counter() - start  # both return text on the host: the GPU is done
    cpu_s = time.process_time() - cpu
    peak_mb = peak_rss_mb()
    result = {
        "variant": args.child,
        "device": args.device,
        "audio_s": round(audio.size / SAMPLE_RATE, 2),
        "compute_s": round(compute_s, 3),
        "speed": round(audio.size / SAMPLE_RATE / compute_s, 2),
        "cpu_s": round(cpu_s, 2),
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
    if VARIANTS[variant][0] == "cli":
        return run_cli(variant, seconds, audio_file, model, args)
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


def run_cli(
    variant: str, seconds: float, audio_file: Path, model: Path, args: argparse.Namespace
) -> dict:
    """``live-captions transcribe`` on a 16-bit WAV of the audio, in its own process (``--tree``'s
    checkout for ``cli_before``, at its defaults). Timed from the model's "loaded" log line
    (after its warm-up pass) to the process's exit: the model load taken out, everything else
    (reading the file, the scheduler, writing the text, the exit) in."""
    import soundfile as sf

    _, dtype, backend = VARIANTS[variant]
    tree = Path(args.tree).resolve() if variant == "cli_before" and args.tree else ROOT
    wav = audio_file.with_name(f"speech-{seconds:g}.wav")
    if not wav.is_file():
        sf.write(str(wav), np.load(audio_file)[: int(seconds * SAMPLE_RATE)], SAMPLE_RATE)
    out = wav.with_suffix(f".{variant}.txt")
    command = [sys.executable, "-m", "live_captions", "-v", "transcribe", str(wav), "-o", str(out)]
    command += ["--model", str(model), "--device", args.device, "--no-progress", "--raw-case"]
    command += ["--no-punctuation", "--no-lm"]  # the pipeline does neither
    if backend == "power_saver":
        command.append("--power-saver")
        command += [] if dtype == "auto" else ["--dtype", dtype]
    elif variant != "cli_before":
        command += ["--backend", backend, "--dtype", dtype]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    children_cpu = _children_cpu_s()
    proc = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    loaded: tuple[float, float] | None = None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if loaded is None and "engine.model: loaded" in line:
            loaded = (time.perf_counter(), _process_cpu_s(proc.pid))
    proc.wait()
    ended = time.perf_counter()
    if proc.returncode != 0 or loaded is None:
        raise SystemExit(f"{variant} failed:\n{''.join(lines)[-3000:]}")
    compute_s = ended - loaded[0]
    model_line = next(line for line in lines if "engine.model: loaded" in line)
    return {
        "variant": variant,
        "device": args.device,
        "audio_s": seconds,
        "compute_s": round(compute_s, 3),
        "speed": round(seconds / compute_s, 2),
        "cpu_s": round(_children_cpu_s() - children_cpu - loaded[1], 2),
        "model": model_line.split("loaded ", 1)[1].strip(),
        "tree": str(tree),
        "peak_mb": 0.0,
        "peak_over_loaded_mb": 0.0,
        "torch_threads": None,
        "batch_size": None,
        "text": out.read_text(encoding="utf-8").replace("\n", " ").strip().lower(),
    }


def _process_cpu_s(pid: int) -> float:
    """CPU seconds a running process has used so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _children_cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    parser.add_argument(
        "--tree",
        default=None,
        help="another checkout (main, say) whose command line runs cli_before",
    )
    parser.add_argument("--rounds", type=int, default=1, help="turns of every variant")
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
    runs: dict[str, dict[str, dict]] = {v: {} for v in variants}  # the last round's
    rounds: list[dict[str, dict[str, float]]] = []  # per round: variant -> speed, cpu_s (longest)
    failed: dict[str, str] = {}  # pipeline variants that could not run this model, and why
    with tempfile.TemporaryDirectory(prefix="bench-file-") as tmp:
        audio_file = Path(tmp) / "speech.npy"
        np.save(audio_file, speech(max(lengths), Path(tmp)))
        for _ in range(args.rounds):
            for seconds in lengths:
                for variant in [v for v in variants if v not in failed]:
                    run = run_variant(variant, seconds, audio_file, model, args)
                    if "error" in run:
                        failed[variant] = run["error"]
                        print(f"{variant}: cannot run this model: {run['error']}", flush=True)
                        continue
                    runs[variant][f"{seconds:g}"] = run
                    print(
                        f"{variant:16s} {seconds:6.0f} s audio: {run['speed']:7.2f} audio s per "
                        f"compute s, CPU {run['cpu_s']:6.1f} s, peak {run['peak_mb']:7.1f} MB "
                        f"({run['peak_over_loaded_mb']:+.1f} MB over the loaded model), "
                        f"load {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
            ran = [v for v in variants if v not in failed]
            long = f"{lengths[-1]:g}"
            rounds.append(
                {v: {"speed": runs[v][long]["speed"], "cpu_s": runs[v][long]["cpu_s"]} for v in ran}
            )

    variants = [v for v in variants if v not in failed]
    long = f"{lengths[-1]:g}"
    speed = {v: float(np.median([r[v]["speed"] for r in rounds])) for v in variants}
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
        "torch_threads": runs[baseline][long]["torch_threads"],
        "ours_batch_size": runs[ours[0]][long]["batch_size"] if ours else None,
        "lengths_s": lengths,
        "speed_audio_s_per_compute_s": speed,  # the median of the rounds
        **{f"ratio_{v}_vs_{baseline}": round(speed[v] / speed[baseline], 2) for v in ours},
        # each round's own ratio (its variants ran back to back) and CPU seconds
        "ratios_per_round": {
            v: [round(r[v]["speed"] / r[baseline]["speed"], 2) for r in rounds] for v in ours
        },
        "cpu_s_per_round": {v: [r[v]["cpu_s"] for r in rounds] for v in variants},
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

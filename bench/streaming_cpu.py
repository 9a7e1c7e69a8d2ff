"""CPU time a live stream costs: process CPU seconds per audio second, and forward passes.

A stream of ``--seconds`` of audio goes through ``OnlineProcessor`` in 20-100 ms pieces, as a
sound card delivers them, as fast as the model allows. Every partial window that falls due is
computed (in real time on a busy machine the scheduler thins partials, so this is the cost of
a machine that keeps up). The figures: process CPU time (every thread) per audio second, which
another process's load disturbs much less than wall time, and forward passes per audio second
by kind, which no load disturbs at all.

Variants run in turns in separate processes, so each pays its own model load and thread pools:
``--tree`` names another checkout (a worktree of main, say) whose engine runs the variant
``before``, for a before/after in one run.

    nice -n 5 python -m bench.streaming_cpu --seconds 20 --tree /work/main
    nice -n 5 python -m bench.streaming_cpu --variants default,power_saver --model demo

The audio is noise (every window computed, the worst case) or, with ``--speech``, espeak-ng
sentences with pauses. The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("before", "default", "threads1", "context_only", "power_saver")


def _one(args: argparse.Namespace) -> dict:
    """Run one variant in this process (the engine on PYTHONPATH is the one measured)."""
    import numpy as np

    from bench.common import random_base_dir, speech
    from engine.config import SAMPLE_RATE, ModelOptions
    from engine.model import FrameOutput, load_recognizer
    from engine.streaming import OnlineProcessor, StreamOptions, final_words

    name = args.model or str(random_base_dir())
    model_kw: dict = {"name": name, "dtype": args.dtype, "threads": args.threads}
    stream_kw: dict = {"profile": args.profile}
    if args.variant == "threads1":
        model_kw["threads"] = 1
    elif args.variant == "context_only":
        stream_kw["partial_passes"] = False
    elif args.variant == "power_saver":
        model_kw["power_saver"] = True
        stream_kw["power_saver"] = True
    model = load_recognizer(ModelOptions(**model_kw))
    count = int(args.seconds * SAMPLE_RATE)
    if args.speech:
        audio = speech(args.seconds, ROOT / "bench" / "results" / "speech")
    else:
        audio = np.random.default_rng(0).normal(0, 0.1, count).astype(np.float32)
    rng = np.random.default_rng(1)
    kinds = {"passes": 0}
    frames = model.frames

    def counting(windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        kinds["passes"] += 1
        return frames(windows, valid)

    model.frames = counting  # type: ignore[method-assign]  # count the passes
    processor = OnlineProcessor(model, StreamOptions(**stream_kw))
    cpu, wall = time.process_time(), time.perf_counter()
    sent, events = 0, []
    while sent < len(audio):
        size = int(rng.integers(20, 101)) * SAMPLE_RATE // 1000
        events += processor.push(audio[sent : sent + size])
        sent += size
    events += processor.finish()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    seconds = len(audio) / SAMPLE_RATE
    return {
        "variant": args.variant,
        "model": model.describe(),
        "cpu_s_per_audio_s": round(cpu / seconds, 3),
        "wall_s_per_audio_s": round(wall / seconds, 3),
        "passes_per_audio_s": round(kinds["passes"] / seconds, 2),
        "partial_events": sum(e.type == "partial" for e in events),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "final_text": " ".join(w.text for w in final_words(events)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="audio per run")
    parser.add_argument("--model", default=None, help="default: random base-960h architecture")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="model threads")
    parser.add_argument("--profile", default="balanced")
    parser.add_argument("--speech", action="store_true", help="espeak-ng speech, not noise")
    parser.add_argument("--rounds", type=int, default=1, help="turns of every variant")
    parser.add_argument(
        "--variants", default="before,default", help=f"comma-separated, of {', '.join(VARIANTS)}"
    )
    parser.add_argument("--tree", default=None, help="checkout whose engine runs 'before'")
    parser.add_argument("--variant", default=None, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.variant is not None:
        print(json.dumps(_one(args)))
        return
    results = []
    for _ in range(args.rounds):
        for variant in args.variants.split(","):
            if variant not in VARIANTS:
                parser.error(f"unknown variant {variant!r}")
            tree = Path(args.tree).resolve() if variant == "before" and args.tree else ROOT
            # The variant's process runs this file by path with the measured checkout first on
            # PYTHONPATH: it imports that checkout's engine (and bench.common).
            env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
            out = subprocess.run(
                [sys.executable, __file__, *sys.argv[1:], "--variant", variant],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if out.returncode or not lines:
                raise SystemExit(f"variant {variant} failed:\n{out.stderr[-2000:]}")
            result = json.loads(lines[-1])
            result["tree"] = str(tree)
            results.append(result)
            print(
                f"{variant:13s} CPU {result['cpu_s_per_audio_s']:.3f} s per audio s, "
                f"{result['passes_per_audio_s']:.2f} passes per audio s, "
                f"{result['partial_events']} partial events, load {result['load_avg_1min']} "
                f"({result['model']}; {tree})",
                flush=True,
            )
    # Final words against the default variant's (sequence alignment): what a cheaper variant
    # changes in what people read. Meaningful with a trained model and --speech.
    reference = next((r["final_text"].split() for r in results if r["variant"] == "default"), None)
    for result in results:
        if reference:
            words = result["final_text"].split()
            same = difflib.SequenceMatcher(a=reference, b=words, autojunk=False)
            matched = sum(block.size for block in same.get_matching_blocks())
            result["words_as_default"] = round(matched / max(len(reference), len(words), 1), 3)
            print(
                f"{result['variant']:13s} final words as the default's: "
                f"{result['words_as_default']:.1%}"
            )
        del result["final_text"]
    print(json.dumps({"bench": "streaming_cpu", "seconds": args.seconds, "results": results}))


if __name__ == "__main__":
    main()

"""Compute time per audio second of streaming: our online processor against the naive design.

Ours: ``OnlineProcessor`` (partials included) fed 250 ms pieces as fast as possible; only the
``push``/``finish`` calls are timed. Naive (the original design): for every 250 ms piece, run the
model on the whole buffer so far (normalise, one forward pass, greedy decode). Its cost per
piece grows with the buffer, so its cost per audio second grows with the stream's length while
ours stays flat. Naive streams with many re-runs are measured at some buffer lengths only and
interpolated, and streams too long for the naive way get a lower bound; the output says which.

Timings on a shared machine drift with its load, so every comparison is with a short stream of
ours run close in time: the longest stream against short ones run between its fifths, each naive
stream against one run right after it. The work itself (seconds of audio fed to the model per
second of stream) is counted too, which no load disturbs. Peak RSS is measured per stream length
(VmHWM, reset before each; ours runs before the naive way) to show that ours needs no more
memory for longer streams.

    nice -n 5 python -m bench.streaming_cost --quick     # 10 s and 60 s; naive up to 30 s
    nice -n 5 python -m bench.streaming_cost             # 10, 60 and 600 s: 10+ minutes
    nice -n 5 python -m bench.streaming_cost --quick --compare-dtype float32

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import peak_rss_mb, random_base_dir, reset_peak_rss
from engine.config import SAMPLE_RATE, ModelOptions
from engine.ctc import decode_frames
from engine.model import FrameOutput, Recognizer, load_recognizer
from engine.streaming import OnlineProcessor, StreamOptions

PIECE_S = 0.25
EXACT_NAIVE_RUNS = 40  # naive streams with at most this many re-runs are measured in full
REFERENCE_PARTS = (
    5  # long streams are cut into this many parts, a short reference stream after each
)


# set-up shared by the streaming benches (the others import it) ---------------------------
def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=None, help="model folder, hub id or 'demo' (default: random base-960h)"
    )
    parser.add_argument(
        "--dtype", default="auto", help="auto (the engine default), float32, bfloat16, int8 ..."
    )
    parser.add_argument(
        "--backend", default="auto", help="auto (ONNX Runtime on the CPU), onnx or torch"
    )
    parser.add_argument("--profile", default="balanced", help="latency profile")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--quick", action="store_true", help="a short run to check that it works")


def load_model(args: argparse.Namespace, dtype: str | None = None) -> Recognizer:
    """The model named by --model, or base-960h's architecture with random weights (built once:
    compute cost does not depend on the weights)."""
    name = args.model or str(random_base_dir())
    options = ModelOptions(
        name=name,
        device=args.device,
        dtype=dtype or args.dtype,
        backend=args.backend,
        threads=args.threads,
        power_saver=getattr(args, "power_saver", False),  # the benches that stream a mode
    )
    return load_recognizer(options)


class CountingModel:
    """A model that counts the audio it is given: work measured without the machine's noise."""

    def __init__(self, model: Recognizer) -> None:
        self.model = model
        self.vocab = model.vocab
        self.frame_samples = model.frame_samples
        self.samples = 0

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        self.samples += windows.size
        return self.model.frames(windows, valid)


# ours ------------------------------------------------------------------------------------------
def run_ours(
    model: Recognizer,
    audio: np.ndarray,
    profile: str,
    parts: int = 1,
    between: Callable[[], float] | None = None,
) -> dict:
    """Feed ``audio`` in 250 ms pieces, timing push/finish only. With ``between``, the stream is
    cut into ``parts`` and ``between()`` (a reference measurement) runs untimed after each."""
    counting = CountingModel(model)
    processor = OnlineProcessor(counting, StreamOptions(profile=profile))
    piece = int(PIECE_S * SAMPLE_RATE)
    starts = list(range(0, len(audio), piece))
    cuts = np.linspace(0, len(starts), parts + 1).round().astype(int)
    part_s, refs, events = [], [], 0
    for a, b in zip(cuts[:-1], cuts[1:]):
        spent = 0.0
        for start in starts[a:b]:
            t = time.perf_counter()
            events += len(processor.push(audio[start : start + piece]))
            spent += time.perf_counter() - t
        part_s.append(spent / ((b - a) * PIECE_S))
        if between is not None:
            refs.append(between())
    t = time.perf_counter()
    events += len(processor.finish())
    total = (
        sum(p * (b - a) * PIECE_S for p, a, b in zip(part_s, cuts[:-1], cuts[1:]))
        + time.perf_counter()
        - t
    )
    audio_s = len(audio) / SAMPLE_RATE
    result = {
        "audio_s": audio_s,
        "compute_s": round(total, 2),
        "per_audio_s": round(total / audio_s, 4),
        "events": events,
        "model_input_s_per_audio_s": round(counting.samples / len(audio), 2),
    }
    if refs:
        result["reference_per_audio_s"] = [round(r, 4) for r in refs]
        result["over_references"] = round(total / audio_s / float(np.median(refs)), 2)
        result["parts_over_adjacent_reference"] = [round(p / r, 2) for p, r in zip(part_s, refs)]
    return result


# naive -----------------------------------------------------------------------------------------
def naive_rerun(model: Recognizer, buffer: np.ndarray) -> float:
    """One re-run of the original design: the whole buffer, normalised, forward, greedy decode."""
    t = time.perf_counter()
    out = model.frames(buffer[None, :])
    decode_frames(model.vocab, out.ids[0], out.probs[0])
    return time.perf_counter() - t


def run_naive(model: Recognizer, audio: np.ndarray, samples: int, exact_max: int) -> dict:
    piece = int(PIECE_S * SAMPLE_RATE)
    reruns = -(-len(audio) // piece)  # one re-run per piece, on pieces 1..k
    if reruns <= exact_max:
        ks = np.arange(1, reruns + 1)
        method = f"measured all {reruns} re-runs"
    else:
        ks = np.unique(np.linspace(1, reruns, samples).round().astype(int))
        method = (
            f"measured {len(ks)} of {reruns} re-runs at evenly spaced buffer lengths; "
            "the others interpolated linearly between them"
        )
    times = np.array([naive_rerun(model, audio[: k * piece]) for k in ks])
    total = float(np.interp(np.arange(1, reruns + 1), ks, times).sum())
    audio_s = len(audio) / SAMPLE_RATE
    longest = min(reruns * piece, len(audio)) / SAMPLE_RATE
    return {
        "audio_s": audio_s,
        "compute_s": round(total, 2),
        "per_audio_s": round(total / audio_s, 4),
        "method": method,
        "model_input_s_per_audio_s": round(naive_input_per_audio_s(len(audio)), 2),
        "last_rerun_s": round(float(times[-1]), 4),
        "last_rerun_per_buffer_s": round(float(times[-1]) / longest, 4),
    }


def naive_input_per_audio_s(samples: int) -> float:
    """Seconds of audio the naive way feeds the model per second of a stream of ``samples``."""
    piece = int(PIECE_S * SAMPLE_RATE)
    reruns = -(-samples // piece)
    return sum(min(k * piece, samples) for k in range(1, reruns + 1)) / samples


def naive_lower_bound(per_buffer_s: float, seconds: float) -> float:
    """Naive cost per audio second for a stream of ``seconds``, if each re-run cost only
    ``per_buffer_s`` per second of buffer (it costs more: attention grows quadratically)."""
    return per_buffer_s * naive_input_per_audio_s(int(seconds * SAMPLE_RATE))


# main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument(
        "--lengths", type=float, nargs="+", default=None, help="stream lengths in seconds"
    )
    parser.add_argument(
        "--naive-max", type=float, default=None, help="longest stream run the naive way"
    )
    parser.add_argument(
        "--naive-samples", type=int, default=16, help="re-runs measured per long naive stream"
    )
    parser.add_argument(
        "--compare-dtype",
        default=None,
        help="also time ours on the shortest stream with this dtype",
    )
    args = parser.parse_args()
    lengths = sorted(args.lengths or ([10.0, 60.0] if args.quick else [10.0, 60.0, 600.0]))
    naive_max = args.naive_max or (30.0 if args.quick else 60.0)
    naive_lengths = {min(s, naive_max) for s in lengths} | {naive_max}

    model = load_model(args)
    print(f"model {model.describe()}, profile {args.profile}, torch threads {torch_threads()}")
    # Noise never counts as silence, so every window is computed: the worst case for both.
    rng = np.random.default_rng(0)
    audio = rng.normal(0.0, 0.1, size=int(max(lengths + [naive_max]) * SAMPLE_RATE)).astype(
        np.float32
    )
    short = audio[: int(lengths[0] * SAMPLE_RATE)]
    run_ours(model, audio[: 5 * SAMPLE_RATE], args.profile)  # warm-up, not counted

    def reference() -> float:
        return run_ours(model, short, args.profile)["per_audio_s"]

    # Ours first: the naive way's large forward passes leave the allocator holding memory.
    ours: dict[str, dict] = {}
    rss_ok = True
    for seconds in lengths:
        rss_ok &= reset_peak_rss()
        long = seconds > lengths[0]
        result = run_ours(
            model,
            audio[: int(seconds * SAMPLE_RATE)],
            args.profile,
            REFERENCE_PARTS if long else 1,
            reference if long else None,
        )
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        ours[_key(seconds)] = result
        print(f"ours  {seconds:5.0f} s: {result['per_audio_s']:.3f} s compute per audio second")
    naive: dict[str, dict] = {}
    for seconds in sorted(naive_lengths):
        result = run_naive(
            model,
            audio[: int(seconds * SAMPLE_RATE)],
            args.naive_samples,
            0 if args.quick else EXACT_NAIVE_RUNS,
        )
        # ours is flat, so a short stream of ours run right after stands for ours at any length
        result["ours_reference_per_audio_s"] = reference()
        naive[_key(seconds)] = result
        per_s, method = result["per_audio_s"], result["method"]
        print(f"naive {seconds:5.0f} s: {per_s:.3f} s compute per audio second ({method})")

    report = {
        "bench": "streaming_cost",
        "model": model.name,
        "dtype": model.dtype,
        "backend": getattr(model, "backend", "torch"),
        "profile": args.profile,
        "threads": torch_threads(),
        "piece_s": PIECE_S,
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "ours": ours,
        "naive": naive,
        **compare(ours, naive, naive_max, lengths),
    }
    if len(lengths) > 1 and rss_ok:
        a, b = _key(lengths[-2]), _key(lengths[-1])
        report["ours_peak_rss_growth_mb"] = {
            f"{a}->{b}": round(ours[b]["peak_rss_mb"] - ours[a]["peak_rss_mb"], 1)
        }
    if args.compare_dtype:
        report["dtype_comparison"] = compare_dtype(args, model, short)
    print(json.dumps(report))


def compare(
    ours: dict[str, dict], naive: dict[str, dict], naive_max: float, lengths: list[float]
) -> dict:
    """Ratios: naive over ours (timed, and in audio fed to the model), and ours' flatness."""
    timed = {
        k: round(v["per_audio_s"] / v["ours_reference_per_audio_s"], 1) for k, v in naive.items()
    }
    longest = naive[_key(naive_max)]
    bounds = {
        k: round(
            naive_lower_bound(longest["last_rerun_per_buffer_s"], v["audio_s"])
            / longest["ours_reference_per_audio_s"],
            1,
        )
        for k, v in ours.items()
        if k not in naive
    }
    work = {
        k: round(
            naive_input_per_audio_s(int(v["audio_s"] * SAMPLE_RATE))
            / v["model_input_s_per_audio_s"],
            1,
        )
        for k, v in ours.items()
    }
    short, long = ours[_key(lengths[0])], ours[_key(lengths[-1])]
    flat = long.get("over_references", long["per_audio_s"] / short["per_audio_s"])
    for k, ratio in timed.items():
        print(f"naive / ours at {k}: {ratio}x in time (ours: the short stream run right after)")
    for k, ratio in bounds.items():
        print(f"naive / ours at {k}: at least {ratio}x in time (naive not run; lower bound)")
    for k, ratio in work.items():
        print(f"naive / ours at {k}: {ratio}x in audio fed to the model")
    print(
        f"ours, {_key(lengths[-1])} over {_key(lengths[0])} streams run between its parts: {flat:.2f}x"
    )
    return {
        # timed: each naive stream over a short stream of ours run right after it (drift cancels)
        "naive_over_ours": timed,
        "naive_over_ours_at_least": bounds,
        "naive_lower_bound_note": (
            f"streams longer than {naive_max:g} s are not run the naive way: each of their re-runs is priced at "
            f"the {naive_max:g} s re-run's cost per buffer second, a lower bound (attention grows quadratically)"
        ),
        # audio fed to the model, naive over ours: counted, not timed, so free of the machine's noise
        "naive_over_ours_model_input": work,
        "ours_flatness": {
            # the longest stream against short streams run between its parts (machine drift cancels)
            "longest_over_short": round(flat, 2),
            "within_1.2x": bool(flat <= 1.2),
            "model_input_longest_over_short": round(
                long["model_input_s_per_audio_s"] / short["model_input_s_per_audio_s"], 2
            ),
        },
    }


def compare_dtype(args: argparse.Namespace, model: Recognizer, audio: np.ndarray) -> dict:
    """Ours on the shortest stream with another dtype, alternating runs so that drift hits both."""
    other = load_model(args, args.compare_dtype)
    if other.dtype == model.dtype:
        return {"note": f"{args.compare_dtype} is what the engine already uses here"}
    run_ours(other, audio[: 5 * SAMPLE_RATE], args.profile)
    times: dict[str, list[float]] = {model.dtype: [], other.dtype: []}
    for _ in range(3):
        for m in (model, other):
            times[m.dtype].append(run_ours(m, audio, args.profile)["per_audio_s"])
    medians = {k: float(np.median(v)) for k, v in times.items()}
    ratio = medians[other.dtype] / medians[model.dtype]
    print(
        f"ours {len(audio) / SAMPLE_RATE:g} s, {other.dtype} / {model.dtype}: {ratio:.2f}x in time"
    )
    return {
        "per_audio_s_median_of_3": medians,
        f"{other.dtype}_over_{model.dtype}": round(ratio, 2),
    }


def _key(seconds: float) -> str:
    return f"{seconds:g}s"


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()

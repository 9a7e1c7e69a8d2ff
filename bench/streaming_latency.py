"""Caption latency of a real-time stream, per 20 ms frame: audio pushed -> text shown / final.

A feeder thread pushes 20-100 ms pieces at wall-clock pace into a ``Scheduler`` stream, as a
sound card would. For every frame we measure the delay from the push that delivered its last
sample to
- final: the delivery of the final window that keeps the frame (its text can no longer change);
- partial: the first delivery of a window that covers it: a partial one, the right context of
  a final one (shown as a partial in the same delivery), or else its final one.
Deliveries are timed when the scheduler has decided a window's text, just before it hands the
round's events to the consumer (a window whose text did not change produces no event but still
counts), so the figures do not depend on what the model says: random weights measure them
honestly.

    nice -n 5 python -m bench.streaming_latency --quick
    nice -n 5 python -m bench.streaming_latency --seconds 60
    nice -n 5 python -m bench.streaming_latency --partials-with-finals yes   # the GPU policy, on CPU

The audio is noise, which never counts as silence: every window is computed (the worst case).
The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bench.streaming_cost import add_common_args, load_model, torch_threads
from engine.config import SAMPLE_RATE, get_profile
from engine.scheduler import Scheduler, SchedulerOptions, Stream
from engine.streaming import Event, StreamOptions
from engine.windows import Window

GOAL_FINAL_P95_S = 2.5
GOAL_PARTIAL_P95_S = 1.0


@dataclass(frozen=True)
class Delivery:
    time: float  # perf_counter when the window's text had been decided
    final_end: int  # frames final after this delivery (the final frontier)
    partial: tuple[int, int] | None  # frames [a, b) covered by a partial window delivered now
    finishing: bool  # a window of the flush after finish(): not steady-state


def record_deliveries(stream: Stream) -> list[Delivery]:
    """Note the time and frames of every window the scheduler completes for ``stream``.

    Wraps the stream state's ``complete``, which the scheduler calls in its own thread right
    before it hands the round's events to the consumer: its return is when the text is decided.
    """
    state = stream._state
    grid = state.grid
    complete = state.complete
    deliveries: list[Delivery] = []

    def timed_complete(
        window: Window, ids: np.ndarray, probs: np.ndarray, log_probs: np.ndarray | None = None
    ) -> list[Event]:
        events = complete(window, ids, probs, log_probs)
        received = state.windower.received
        # The frames shown as a partial now: a partial window's, or a final window's right
        # context (its words show as a partial in the same delivery, with no pass of its own).
        shown = state.context_tail(window, len(ids)) if window.final else window
        covered = None
        if shown is not None:
            last = min(shown.first_frame + shown.keep, received // grid.frame_samples)
            covered = (shown.first_frame, last)
        if window.final:
            end = window.first_frame + window.keep
            flush = grid.end(window.index) > received
            deliveries.append(Delivery(time.perf_counter(), end, covered, flush))
        else:
            deliveries.append(Delivery(time.perf_counter(), 0, covered, False))
        return events

    state.complete = timed_complete  # type: ignore[method-assign]  # time each delivery
    return deliveries


def feed(stream: Stream, audio: np.ndarray, seed: int) -> tuple[float, list[tuple[int, float]]]:
    """Push 20-100 ms pieces at wall-clock pace: start time, (samples so far, push time) per piece."""
    rng = np.random.default_rng(seed)
    log: list[tuple[int, float]] = []
    sent = 0
    t0 = time.perf_counter()
    while sent < len(audio):
        size = int(rng.integers(20, 101)) * SAMPLE_RATE // 1000
        end = min(sent + size, len(audio))
        delay = t0 + end / SAMPLE_RATE - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        stream.push(audio[sent:end])
        log.append((end, time.perf_counter()))
        sent = end
    return t0, log


def frame_times(
    deliveries: list[Delivery], frames: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame: time it became final, time it was first shown, whether that came from a final."""
    final_t = np.full(frames, np.nan)
    shown_t = np.full(frames, np.nan)
    shown_by_final = np.zeros(frames, dtype=bool)
    frontier = 0
    for d in deliveries:
        if d.partial is not None:
            a, b = d.partial
            span = shown_t[a:b]
            span[np.isnan(span)] = d.time
        end = min(d.final_end, frames)
        if end > frontier:
            span = shown_t[frontier:end]
            fresh = np.isnan(span)
            shown_by_final[frontier:end] = fresh
            if not d.finishing:
                final_t[frontier:end] = d.time
                span[fresh] = d.time
            frontier = end
    return final_t, shown_t, shown_by_final


def summary(delays: np.ndarray) -> dict:
    delays = delays[~np.isnan(delays)]
    if not delays.size:
        return {"frames": 0}
    return {
        "frames": int(delays.size),
        "median_s": round(float(np.median(delays)), 2),
        "p95_s": round(float(np.percentile(delays, 95)), 2),
        "max_s": round(float(delays.max()), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument(
        "--seconds", type=float, default=None, help="audio fed in real time (default 30, quick 15)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--partials-with-finals",
        choices=["auto", "yes", "no"],
        default="auto",
        help="scheduler policy: partials in rounds that run finals (auto: on CUDA only)",
    )
    parser.add_argument(
        "--partial-interval",
        type=float,
        default=StreamOptions.partial_interval_s,
        help="new audio between partial windows, seconds",
    )
    parser.add_argument(
        "--partial-context",
        type=float,
        default=StreamOptions.partial_context_s,
        help="seconds of context before the unfinal audio in a partial pass",
    )
    parser.add_argument(
        "--partial-passes",
        choices=["yes", "no"],
        default="yes",
        help="no: partials only from the final windows' right context (no pass of their own)",
    )
    parser.add_argument(
        "--power-saver", action="store_true", help="power-saving mode (model and stream)"
    )
    args = parser.parse_args()
    with_finals = {"auto": None, "yes": True, "no": False}[args.partials_with_finals]
    seconds = args.seconds or (15.0 if args.quick else 30.0)

    model = load_model(args)
    profile = get_profile(args.profile, args.power_saver)
    print(f"model {model.describe()}, profile {args.profile}, {seconds:g} s in real time")
    audio = (
        np.random.default_rng(args.seed)
        .normal(0.0, 0.1, int(seconds * SAMPLE_RATE))
        .astype(np.float32)
    )

    counts: Counter[str] = Counter()
    ended = threading.Event()

    def on_event(event: Event) -> None:
        counts[event.type] += 1
        if event.type in ("end", "error"):
            ended.set()

    with Scheduler(model, SchedulerOptions(partials_with_finals=with_finals)) as scheduler:
        stream_options = StreamOptions(
            profile=args.profile,
            partial_interval_s=args.partial_interval,
            partial_context_s=args.partial_context,
            partial_passes=args.partial_passes == "yes",
            power_saver=args.power_saver,
        )
        stream = scheduler.open_stream(on_event, stream_options)
        grid = stream._state.grid
        deliveries = record_deliveries(stream)
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        t0, pushes = feed(stream, audio, args.seed)
        # CPU time of the whole process (every thread: the scheduler's, the backend's pools)
        # while the stream ran in real time, as a share of one core.
        cpu_share = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
        lag_at_end = stream.lag_s
        stream.finish()
        ended.wait(timeout=max(60.0, 5 * seconds))

    frame = model.frame_samples
    frames = len(audio) // frame
    ends = np.array([e for e, _ in pushes])
    times = np.array([t for _, t in pushes])
    pushed_t = times[np.searchsorted(ends, (np.arange(frames) + 1) * frame, side="left")]
    final_t, shown_t, shown_by_final = frame_times(deliveries, frames)
    # When the audio that completes each frame's final window arrived: the grid's share of the wait.
    window_end = np.array([grid.end(f // grid.centre) for f in range(frames)])
    window_end_t = times[np.minimum(np.searchsorted(ends, window_end, side="left"), len(times) - 1)]
    feeder_late = float(np.max(times - (t0 + ends / SAMPLE_RATE)))
    steady = ~np.isnan(final_t)
    final = summary(final_t - pushed_t)
    partial = summary(shown_t - pushed_t)
    report = {
        "bench": "streaming_latency",
        "model": model.name,
        "dtype": model.dtype,
        "backend": getattr(model, "backend", "torch"),
        "profile": args.profile,
        "threads": torch_threads(),
        "partials_with_finals": args.partials_with_finals,
        "partial_interval_s": args.partial_interval,
        "partial_context_s": args.partial_context,
        "partial_passes": args.partial_passes,
        "power_saver": args.power_saver,
        "seconds": seconds,
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "final": final,
        "partial": partial,
        # final minus the arrival of the audio that completes the frame's window: compute and queueing
        "final_after_window_audio": summary(final_t - window_end_t),
        "frames_first_shown_by_final": int(shown_by_final[steady].sum()),
        "frames_flushed_by_finish": int((~steady).sum()),
        "grid_floor_final_s": {
            "min": profile.right_s,
            "mean": profile.right_s + profile.centre_s / 2,
        },
        "lag_at_end_of_feed_s": round(lag_at_end, 2),
        "cpu_share_of_one_core": round(cpu_share, 3),
        "feeder_max_late_s": round(feeder_late, 3),
        "forward_passes": scheduler.batches_run,
        "events": dict(counts),
        "goals": {
            f"final_p95_below_{GOAL_FINAL_P95_S}s": final.get("p95_s", np.inf) < GOAL_FINAL_P95_S,
            f"partial_p95_below_{GOAL_PARTIAL_P95_S}s": partial.get("p95_s", np.inf)
            < GOAL_PARTIAL_P95_S,
        },
    }
    print(
        f"final:   median {final.get('median_s')} s, p95 {final.get('p95_s')} s ({final['frames']} frames)"
    )
    after = report["final_after_window_audio"]
    print(
        f"final after its window's audio arrived: median {after.get('median_s')} s, p95 {after.get('p95_s')} s"
    )
    print(f"partial: median {partial.get('median_s')} s, p95 {partial.get('p95_s')} s")
    print(f"CPU time while streaming: {cpu_share:.2f} of one core")
    wait = f"{profile.right_s:g} to {profile.centre_s + profile.right_s:g} s"
    print(f"(the grid alone makes a frame wait {wait} for its final)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()

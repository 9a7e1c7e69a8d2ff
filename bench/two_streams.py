"""Both sides of a call: two live streams on one engine against one stream, in the same run.

One scheduler, one model. Phase "one": a stream fed in real time for ``--seconds``; phase
"two": two streams fed together (two feeder threads, as a microphone and the computer's audio
would); then "one" again, so that a change in the machine's load shows as a difference between
the two one-stream phases. For each phase: the process's CPU time per second of audio captioned
(all streams' audio), final and partial latency per 20 ms frame (bench/streaming_latency.py's
measure: from the push that delivered a frame's last sample to the delivery of its final window,
and of the first window that shows it), and the load average (1 minute) before and after. CPU
time counts until every stream has ended (a stream that falls behind finishes after its feed).

    nice -n 10 python -m bench.two_streams --quick --model demo
    nice -n 10 python -m bench.two_streams --seconds 20

The audio is noise, which never counts as silence: every window is computed (the worst case).
The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

import numpy as np

from bench.streaming_cost import add_common_args, load_model, torch_threads
from bench.streaming_latency import Delivery, feed, frame_times, record_deliveries, summary
from engine.config import SAMPLE_RATE
from engine.model import Recognizer
from engine.scheduler import Scheduler
from engine.streaming import Event, EventType, StreamOptions


def run_phase(model: Recognizer, streams: int, seconds: float, seed: int) -> dict:
    """``streams`` real-time streams on one scheduler: CPU, latency and load figures."""
    ended = [threading.Event() for _ in range(streams)]
    load_before = os.getloadavg()[0]
    with Scheduler(model) as scheduler:
        opened, recorded, pushes = [], [], []
        for i in range(streams):

            def on_event(event: Event, done: threading.Event = ended[i]) -> None:
                if event.type in (EventType.END, EventType.ERROR):
                    done.set()

            stream = scheduler.open_stream(on_event, StreamOptions())
            opened.append(stream)
            recorded.append(record_deliveries(stream))
        audio = [
            np.random.default_rng(seed + i).normal(0.0, 0.1, int(seconds * SAMPLE_RATE))
            for i in range(streams)
        ]
        results: list[tuple[float, list[tuple[int, float]]] | None] = [None] * streams

        def feeder(i: int) -> None:
            results[i] = feed(opened[i], audio[i].astype(np.float32), seed + i)

        cpu_start, wall_start = time.process_time(), time.perf_counter()
        threads = [threading.Thread(target=feeder, args=(i,)) for i in range(streams)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lags = [round(s.lag_s, 2) for s in opened]
        for stream in opened:
            stream.finish()
        for done in ended:
            done.wait(timeout=max(60.0, 5 * seconds))
        # Every window of the audio, the flush after the feed included.
        cpu = time.process_time() - cpu_start
        wall = time.perf_counter() - wall_start
        pushes = [r for r in results if r is not None]
    finals, partials = [], []
    for deliveries, (_, log) in zip(recorded, pushes, strict=True):
        final, partial = _delays(deliveries, log, model.frame_samples, int(seconds * SAMPLE_RATE))
        finals.append(final)
        partials.append(partial)
    return {
        "streams": streams,
        "cpu_s_per_audio_s": round(cpu / (seconds * streams), 3),
        "cpu_share_of_one_core": round(cpu / wall, 3),
        "final": summary(np.concatenate(finals)),
        "partial": summary(np.concatenate(partials)),
        "final_p95_per_stream_s": [summary(f).get("p95_s") for f in finals],
        "lag_at_end_of_feed_s": lags,
        "load_avg_before": round(load_before, 2),
        "load_avg_after": round(os.getloadavg()[0], 2),
    }


def _delays(
    deliveries: list[Delivery], log: list[tuple[int, float]], frame: int, samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: final and partial delay from the push that completed the frame."""
    frames = samples // frame
    ends = np.array([e for e, _ in log])
    times = np.array([t for _, t in log])
    pushed = times[np.searchsorted(ends, (np.arange(frames) + 1) * frame, side="left")]
    final_t, shown_t, _ = frame_times(deliveries, frames)
    return final_t - pushed, shown_t - pushed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument(
        "--seconds", type=float, default=None, help="audio per phase (default 20, quick 8)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seconds = args.seconds or (8.0 if args.quick else 20.0)
    model = load_model(args)
    print(f"model {model.describe()}, {seconds:g} s per phase, phases one, two, one")
    phases = []
    for streams in (1, 2, 1):
        phase = run_phase(model, streams, seconds, args.seed)
        print(
            f"{streams} stream(s): CPU {phase['cpu_s_per_audio_s']} s per audio s, final "
            f"median/p95 {phase['final'].get('median_s')}/{phase['final'].get('p95_s')} s, "
            f"partial {phase['partial'].get('median_s')}/{phase['partial'].get('p95_s')} s, "
            f"load {phase['load_avg_before']} -> {phase['load_avg_after']}"
        )
        phases.append(phase)
    one = [p for p in phases if p["streams"] == 1]
    two = phases[1]
    report = {
        "bench": "two_streams",
        "model": model.name,
        "dtype": model.dtype,
        "backend": getattr(model, "backend", "torch"),
        "threads": torch_threads(),
        "seconds": seconds,
        "phases": phases,
        # two streams against the mean of the one-stream phases around them
        "cpu_per_audio_s_two_over_one": round(
            two["cpu_s_per_audio_s"] / np.mean([p["cpu_s_per_audio_s"] for p in one]), 2
        ),
        "final_p95_two_over_one": _ratio(two, one, "final"),
        "partial_p95_two_over_one": _ratio(two, one, "partial"),
    }
    print(json.dumps(report))


def _ratio(two: dict, one: list[dict], kind: str) -> float | None:
    base = [p[kind].get("p95_s") for p in one]
    if two[kind].get("p95_s") is None or None in base or not np.mean(base):
        return None
    return round(two[kind]["p95_s"] / float(np.mean(base)), 2)


if __name__ == "__main__":
    main()

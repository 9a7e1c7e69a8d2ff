"""How many real-time streams one process sustains: the scheduler's batching against one window
per forward pass.

For N = 1, 2, 3, ... N feeder threads push 20-100 ms pieces of noise at wall-clock pace into N
streams of one ``Scheduler`` for ``--seconds`` (starts staggered over the first second, partials
on as in normal use). N is sustained when at the end every stream's lag (audio received but not
final) is below the profile's centre + right + 1 s, and not growing. Growth is judged on the
backlog, the lag beyond what the window grid itself imposes (audio of windows that are complete
but not yet final), which unlike the lag has no sawtooth: its mean over the last quarter of the
run must exceed its mean over the second quarter by less than ``--growth`` seconds.
The first N that fails ends the search. Batched and unbatched trials alternate, so that changes
in the machine's load hit both. The end lag is read right after each stream's last piece; with
whole seconds of audio a window has just become ready then, so the lag is centre + right plus
any backlog, and the limit leaves 1 s for it.

    nice -n 5 python -m bench.concurrent_streams --quick
    nice -n 5 python -m bench.concurrent_streams --seconds 30
    python -m bench.concurrent_streams --device cuda --counts 1,4,8,16,32 --seconds 8   # a GPU

``--counts`` tries only the stream counts given (a coarse search where capacity is large): the
figure is then the largest count tried that was sustained.

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import Counter

import numpy as np

from bench.streaming_cost import CountingModel, add_common_args, load_model, torch_threads
from bench.streaming_latency import feed
from engine.config import SAMPLE_RATE, get_profile
from engine.model import Recognizer
from engine.scheduler import Scheduler, SchedulerOptions, Stream
from engine.streaming import StreamOptions

SAMPLE_EVERY_S = 0.25


def trial(model: Recognizer, n: int, batching: bool, args: argparse.Namespace) -> dict:
    """N real-time streams for args.seconds; their lag over time and whether it stayed bounded."""
    profile = get_profile(args.profile)
    limit = profile.centre_s + profile.right_s + 1.0
    counting = CountingModel(model)
    scheduler = Scheduler(counting, SchedulerOptions(batching=batching, max_streams=max(16, n)))
    events: Counter[str] = Counter()
    scheduler.start()
    streams = [
        scheduler.open_stream(
            lambda e: events.update([e.type]), StreamOptions(profile=args.profile)
        )
        for _ in range(n)
    ]
    end_lag: dict[int, float] = {}  # each stream's lag right after its last piece
    feeders = [
        threading.Thread(
            target=_feed_later, args=(s, i / n, args.seconds, 1000 * n + i, end_lag), daemon=True
        )
        for i, s in enumerate(streams)
    ]
    t0 = time.perf_counter()
    for f in feeders:
        f.start()
    samples: list[tuple[float, dict[int, float]]] = []
    while any(f.is_alive() for f in feeders):
        samples.append((time.perf_counter() - t0, backlogs(scheduler, streams)))
        time.sleep(SAMPLE_EVERY_S)
    end_lags = [end_lag[s.id] for s in streams]
    passes, fed = scheduler.batches_run, counting.samples
    for s in streams:
        s.close()
    thread = scheduler._thread
    scheduler.stop(timeout=600)  # the round in progress finishes first
    if thread is not None:
        thread.join()

    duration = samples[-1][0]
    growth = []
    for s in streams:
        t = np.array([when for when, _ in samples])
        backlog = np.array([values[s.id] for _, values in samples])
        second = backlog[(t >= duration / 4) & (t < duration / 2)]
        last = backlog[t >= 3 * duration / 4]
        growth.append(
            float(last.mean() - second.mean()) if second.size and last.size else float("nan")
        )
    bounded = max(end_lags) < limit
    steady = all(g < args.growth for g in growth)
    return {
        "streams": n,
        "batching": batching,
        "sustained": bool(bounded and steady),
        "end_lag_s": [round(x, 2) for x in end_lags],
        "backlog_growth_s": [round(g, 2) for g in growth],
        "lag_limit_s": limit,
        "forward_passes": passes,
        # audio fed to the model per second of each stream: finals alone need window / centre
        # (3.5 for balanced), the rest is partials, which the scheduler thins out under load
        "model_input_s_per_stream_s": round(fed / SAMPLE_RATE / (n * args.seconds), 2),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "partials": events["partial"],
        "finals": events["final"],
        "overloads": events["overload"],
    }


def backlogs(scheduler: Scheduler, streams: list[Stream]) -> dict[int, float]:
    """Per stream, seconds of audio in windows that are complete but not yet final."""
    values = {}
    with scheduler._cond:  # the scheduler moves inboxes into states under this lock
        for s in streams:
            grid, windower = s._state.grid, s._state.windower
            received = windower.received + sum(len(c) for c in s._inbox)
            frames = received // grid.frame_samples
            ready = max(0, (frames - grid.right) // grid.centre)  # windows whose audio is all there
            values[s.id] = (
                ready * grid.centre * grid.frame_samples - windower.finalised_samples
            ) / SAMPLE_RATE
    return values


def _feed_later(
    stream: Stream, offset_s: float, seconds: float, seed: int, end_lag: dict[int, float]
) -> None:
    time.sleep(offset_s)
    rng = np.random.default_rng(seed)
    feed(stream, rng.normal(0.0, 0.1, int(seconds * SAMPLE_RATE)).astype(np.float32), seed)
    end_lag[stream.id] = stream.lag_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="real-time audio per trial (default 20, quick 10)",
    )
    parser.add_argument(
        "--growth", type=float, default=0.5, help="lag growth (s) that counts as growing"
    )
    parser.add_argument("--max-streams", type=int, default=16, help="never try more than this many")
    parser.add_argument(
        "--counts", default=None, help="stream counts to try, comma-separated (default 1, 2, ...)"
    )
    args = parser.parse_args()
    counts = (
        [int(x) for x in args.counts.split(",")]
        if args.counts
        else list(range(1, args.max_streams + 1))
    )
    args.seconds = args.seconds or (10.0 if args.quick else 20.0)

    model = load_model(args)
    print(f"model {model.describe()}, profile {args.profile}, {args.seconds:g} s per trial")
    trials: list[dict] = []
    sustained = {True: 0, False: 0}
    failed = {True: False, False: False}
    for n in counts:
        for batching in (True, False):
            if failed[batching]:
                continue
            result = trial(model, n, batching, args)
            trials.append(result)
            mode = "batched" if batching else "one window"
            verdict = "sustained" if result["sustained"] else "NOT sustained"
            lags, growth = result["end_lag_s"], result["backlog_growth_s"]
            print(
                f"{n:2d} streams, {mode:10s}: {verdict}; end lag {lags} s, backlog growth {growth} s"
            )
            if result["sustained"]:
                sustained[batching] = n
            else:
                failed[batching] = True
        if all(failed.values()):
            break
    report = {
        "bench": "concurrent_streams",
        "model": model.name,
        "dtype": model.dtype,
        "backend": getattr(model, "backend", "torch"),
        "profile": args.profile,
        "threads": torch_threads(),
        "seconds_per_trial": args.seconds,
        "counts_tried": counts,
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "sustained_streams": {
            "batching": sustained[True],
            "one_window_at_a_time": sustained[False],
        },
        "trials": trials,
    }
    print(f"sustained: {sustained[True]} with batching, {sustained[False]} one window at a time")
    print(json.dumps(report))


if __name__ == "__main__":
    main()

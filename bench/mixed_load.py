"""Live captions while a file is transcribed on the same server: does the live stream keep pace?

A real server (``live-captions serve``, its own process, on loopback) with base-960h's
architecture and random weights (speed does not depend on the weights). Three phases, in turn:

- ``alone``: one live stream fed in real time over the WebSocket (``--live-seconds`` of
  espeak-ng speech in 100 ms pieces);
- ``with_upload``: the same live stream, while a ``--file-seconds`` file is uploaded to
  ``/v1/audio/transcriptions`` (starting 2 s into the stream); figures count only while the
  upload runs;
- ``upload_alone``: the same upload with no live stream.

Live figures: the lag (audio received minus audio final, sampled from ``/health`` every 0.25 s)
and the final latency (wall time a final result arrives minus the time its last audio was sent),
p50/p95/max. Upload figures: audio seconds per wall second. ``--tree`` runs the server from
another checkout (e.g. a worktree of an older commit), for a before/after in the same run.
``--file-alone`` also times file transcription in this process, the model called directly
against the same file through a scheduler (old and new path), alternating, as a ratio.

    nice -n 5 python -m bench.mixed_load --quick
    nice -n 5 python -m bench.mixed_load --live-seconds 60 --file-seconds 180 --file-alone

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import ROOT, SAMPLE_RATE, random_base_dir, speech

PIECE_S = 0.1
HEALTH_EVERY_S = 0.25
UPLOAD_DELAY_S = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, model_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    tree = Path(args.tree).resolve()
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "live_captions", "serve", "--port", str(port)]
    cmd += ["--model", model_dir, "--offline", "--dtype", "float32"]
    cmd += ["--threads", str(args.threads), "--profile", args.profile]
    cmd += ["--max-upload-mb", "200"]
    server = subprocess.Popen(cmd, cwd=tree, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server ended: {server.stderr.read() if server.stderr else ''}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start in 300 s")


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(a, 50)), 3),
        "p95": round(float(np.percentile(a, 95)), 3),
        "max": round(float(a.max()), 3),
    }


async def live_stream(url: str, audio: np.ndarray) -> list[tuple[float, float]]:
    """Feed the audio in real time; (arrival time, latency) of every final result."""
    import websockets

    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    piece = int(SAMPLE_RATE * PIECE_S)
    finals: list[tuple[float, float]] = []
    ws_url = url.replace("http", "ws") + f"/ws/transcribe?sample_rate={SAMPLE_RATE}"
    async with websockets.connect(ws_url, max_size=None) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        start = time.monotonic()

        async def send() -> None:
            for i in range(0, len(pcm), piece):
                delay = start + i / SAMPLE_RATE - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await ws.send(pcm[i : i + piece].tobytes())
            await ws.send(json.dumps({"type": "close"}))

        sender = asyncio.create_task(send())
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "transcript" and message.get("is_final"):
                now = time.monotonic()
                finals.append((now, now - (start + message["end"])))
        await sender
    return finals


def poll_health(url: str, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    import httpx

    with httpx.Client(timeout=5) as client:
        while not stop.wait(HEALTH_EVERY_S):
            with contextlib.suppress(httpx.HTTPError):
                body = client.get(f"{url}/health").json()
                if body["streams"]:
                    samples.append((time.monotonic(), float(body["lag_s"])))


def upload(url: str, wav: bytes, window: dict) -> None:
    import httpx

    window["start"] = time.monotonic()
    response = httpx.post(
        f"{url}/v1/audio/transcriptions",
        files={"file": ("long.wav", wav, "audio/wav")},
        data={"response_format": "json"},
        timeout=3600,
    )
    window["end"] = time.monotonic()
    response.raise_for_status()


def phase(url: str, live: np.ndarray | None, wav: bytes | None, file_s: float) -> dict:
    window: dict = {}
    lags: list[tuple[float, float]] = []
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(url, stop, lags), daemon=True)
    poller.start()
    uploader = None
    finals: list[tuple[float, float]] = []
    if wav is not None:

        def delayed_upload() -> None:
            if live is not None:
                time.sleep(UPLOAD_DELAY_S)
            upload(url, wav, window)

        uploader = threading.Thread(target=delayed_upload, daemon=True)
        uploader.start()
    if live is not None:
        finals = asyncio.run(live_stream(url, live))
    if uploader is not None:
        uploader.join()
    stop.set()
    poller.join()
    result: dict = {}
    if wav is not None:
        seconds = window["end"] - window["start"]
        result["upload_wall_s"] = round(seconds, 2)
        result["upload_x_realtime"] = round(file_s / seconds, 2)
    if live is not None:
        lo, hi = (window["start"], window["end"]) if wav is not None else (0.0, float("inf"))
        result["lag_s"] = percentiles([v for t, v in lags if lo <= t <= hi])
        result["final_latency_s"] = percentiles([v for t, v in finals if lo <= t <= hi])
    return result


def file_alone(model_dir: str, audio: np.ndarray, threads: int, reps: int) -> dict:
    """The same file transcribed with the model called directly and through a scheduler."""
    from engine.config import ModelOptions, TranscribeOptions
    from engine.model import load_recognizer
    from engine.scheduler import Scheduler
    from engine.transcribe import transcribe_array

    recognizer = load_recognizer(
        ModelOptions(name=model_dir, dtype="float32", threads=threads, local_files_only=True)
    )
    options = TranscribeOptions()
    times: dict[str, list[float]] = {"direct": [], "scheduler": []}
    with Scheduler(recognizer) as scheduler:
        for _ in range(reps):
            for name, engine in (("direct", recognizer), ("scheduler", scheduler)):
                t0 = time.perf_counter()
                transcribe_array(engine, audio, options)
                times[name].append(time.perf_counter() - t0)
    best = {name: min(values) for name, values in times.items()}
    return {
        "audio_s": round(len(audio) / SAMPLE_RATE, 1),
        "direct_s": round(best["direct"], 3),
        "scheduler_s": round(best["scheduler"], 3),
        "scheduler_over_direct": round(best["scheduler"] / best["direct"], 3),
        "runs": {k: [round(v, 3) for v in vs] for k, vs in times.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live-seconds", type=float, default=60.0)
    parser.add_argument("--file-seconds", type=float, default=180.0)
    parser.add_argument("--profile", default="balanced")
    parser.add_argument(
        "--model",
        default="",
        help="model folder or 'demo' (default: base-960h's architecture, random weights; its "
        "finals are degenerate, so the final latency needs a trained model such as 'demo')",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tree", default=str(ROOT), help="checkout the server runs from")
    parser.add_argument("--file-alone", action="store_true", help="also time direct vs scheduler")
    parser.add_argument("--reps", type=int, default=3, help="runs of each for --file-alone")
    parser.add_argument("--quick", action="store_true", help="20 s live, 60 s file")
    args = parser.parse_args()
    if args.quick:
        args.live_seconds, args.file_seconds = 20.0, 60.0
    import soundfile as sf

    model_dir = args.model or str(random_base_dir())
    with tempfile.TemporaryDirectory() as tmp:
        live = speech(args.live_seconds, Path(tmp))
        long_audio = speech(args.file_seconds, Path(tmp))
    buffer = io.BytesIO()
    sf.write(buffer, long_audio, SAMPLE_RATE, format="WAV", subtype="PCM_16")
    wav = buffer.getvalue()
    server, url = start_server(args, model_dir)
    try:
        result: dict = {
            "tree": str(Path(args.tree).resolve()),
            "model": Path(model_dir).name,
            "profile": args.profile,
            "live_s": args.live_seconds,
            "file_s": args.file_seconds,
            "threads": args.threads,
        }
        result["alone"] = phase(url, live, None, args.file_seconds)
        result["with_upload"] = phase(url, live, wav, args.file_seconds)
        result["upload_alone"] = phase(url, None, wav, args.file_seconds)
    finally:
        server.terminate()
        server.wait(30)
    alone, loaded = result["alone"]["lag_s"], result["with_upload"]["lag_s"]
    if alone.get("p95") and loaded.get("p95"):
        result["lag_p95_ratio"] = round(loaded["p95"] / alone["p95"], 3)
    result["upload_speed_ratio"] = round(
        result["with_upload"]["upload_x_realtime"] / result["upload_alone"]["upload_x_realtime"], 3
    )
    if args.file_alone:
        result["file_alone"] = file_alone(model_dir, long_audio, args.threads, args.reps)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Server memory while a client floods audio during a flush (issue 30, item 3).

Starts ``live-captions serve`` (the demo model, PyTorch, from the checkout it is run in) on a
free port, then runs rounds of: one WebSocket client sends ``--ahead`` seconds of noise as fast
as it can, asks to ``finalize``, and floods 512 KB frames for ``--flood`` seconds. After each
round it prints the server's resident memory and its peak (VmRSS, VmHWM, MiB). A server that
holds what comes during a flush, or queues audio far ahead of the engine, grows round by round.

    nice python -m bench.flood_memory            # from the checkout to measure
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import websockets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, MiB (Linux)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) // 1024
    return out


async def one_round(port: int, ahead_s: float, flood_s: float) -> int:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(int(16000 * ahead_s)) * 3000).astype("<i2").tobytes()
    frame = (rng.standard_normal(256_000) * 3000).astype("<i2").tobytes()  # 512 KB
    sent = 0
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/transcribe", max_size=None)
    try:
        await ws.recv()
        for i in range(0, len(audio), 64000):
            await ws.send(audio[i : i + 64000])
        await ws.send(json.dumps({"type": "finalize"}))

        async def flood() -> None:
            nonlocal sent
            while True:
                await ws.send(frame)
                sent += 1

        with contextlib.suppress(asyncio.TimeoutError, websockets.ConnectionClosed):
            await asyncio.wait_for(flood(), flood_s)
    finally:
        await ws.close()
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ahead", type=float, default=30.0, help="seconds sent before finalize")
    parser.add_argument("--flood", type=float, default=20.0, help="seconds of flooding")
    args = parser.parse_args()
    port = free_port()
    command = [sys.executable, "-m", "live_captions", "serve", "--model", "demo"]
    command += ["--backend", "torch", "--port", str(port)]
    server = subprocess.Popen(
        command,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        print("started:", memory(server.pid), flush=True)
        for n in range(1, args.rounds + 1):
            sent = asyncio.run(one_round(port, args.ahead, args.flood))
            time.sleep(2)
            print(f"round {n}: {sent} frames of 512 KB sent;", memory(server.pid), flush=True)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()

"""WebSocket clients for the API tests: frames of a signal, a whole stream sent and its messages
read until the server closes, a refusal, the finals' words."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable

import numpy as np
import websockets
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer
from engine.audio import float_to_pcm16

PIECE = 1600  # 100 ms at 16 kHz
TIMEOUT = 60.0


def ws_url(server: ApiServer, query: str = "") -> str:
    return (
        server.url.replace("http://", "ws://") + "/ws/transcribe" + (f"?{query}" if query else "")
    )


def pieces(
    samples: np.ndarray, encode: Callable[[np.ndarray], bytes] = float_to_pcm16, size: int = PIECE
) -> list[bytes]:
    return [encode(samples[i : i + size]) for i in range(0, len(samples), size)]


async def messages_until_closed(ws, timeout: float = TIMEOUT) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every message until the server closes the connection (``timeout`` seconds at most)."""
    messages = []
    async with asyncio.timeout(timeout):
        while True:
            try:
                messages.append(json.loads(await ws.recv()))
            except ConnectionClosed:
                return messages


async def stream_file(
    url: str, frames: list[bytes], *, headers: dict | None = None, pace_s: float = 0.0
) -> tuple[list[dict], int, str]:
    """Send frames (one every ``pace_s`` seconds, as a microphone would), ask to close, and
    return (messages, close code, close reason)."""
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        for frame in frames:
            await ws.send(frame)
            if pace_s:
                await asyncio.sleep(pace_s)
        await ws.send(json.dumps({"type": "close"}))
        messages = await messages_until_closed(ws)
    return [ready, *messages], ws.close_code, ws.close_reason


def final_words(messages: list[dict]) -> list[str]:
    return [
        w["word"]
        for m in messages
        if m["type"] == "transcript" and m["is_final"]
        for w in m["words"]
    ]


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    pause = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return True
        pause.wait(0.02)
    return predicate()


async def expect_refusal(
    url: str, frames: list, headers: dict | None = None
) -> tuple[list[dict], int, str]:
    async with websockets.connect(url, additional_headers=headers) as ws:
        for frame in frames:
            try:
                await ws.send(frame)
            except ConnectionClosed:
                break
        messages = await messages_until_closed(ws)
    return messages, ws.close_code, ws.close_reason

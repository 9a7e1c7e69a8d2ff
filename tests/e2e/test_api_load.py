"""A bounded load test on loopback: eight WebSocket streams and repeated uploads at once, on one
recognizer and one scheduler. Nothing may fail, and no final may be lost or changed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import websockets
from helpers import read_wav, say
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings
from engine.audio import float_to_pcm16

STREAMS = 8
UPLOADERS = 2
PIECE = 1600  # 100 ms at 16 kHz
SPEED = 4.0  # audio is sent this much faster than real time (pacing, not synchronisation)
TIMEOUT = 120.0


async def upload_words(client: httpx.AsyncClient, path: Path) -> list[str]:
    response = await client.post(
        "/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/wav")},
        data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
    )
    response.raise_for_status()
    return [w["word"] for w in response.json()["words"]]


async def stream(url: str, path: Path) -> tuple[list[dict], int | None]:
    samples = read_wav(path)
    async with websockets.connect(url) as ws:
        messages = [json.loads(await ws.recv())]
        for i in range(0, len(samples), PIECE):
            await ws.send(float_to_pcm16(samples[i : i + PIECE]))
            await asyncio.sleep(PIECE / 16000 / SPEED)
        await ws.send(json.dumps({"type": "close"}))
        while True:
            try:
                messages.append(json.loads(await ws.recv()))
            except ConnectionClosed:
                break
    return messages, ws.close_code


def test_streams_and_uploads_at_once(tiny_recognizer, speech_dir: Path) -> None:  # type: ignore[no-untyped-def]
    files = [
        say("hello world this is a test of live captions", speech_dir / "load-hello.wav"),
        say("many people can use one model at the same time", speech_dir / "load-many.wav"),
    ]
    # Uploads take places as streams do: room for every stream and every uploader.
    settings = ServerSettings(port=0, max_streams=STREAMS + UPLOADERS, stats_interval_s=0)
    with ApiServer(settings, tiny_recognizer) as server:
        url = server.url.replace("http://", "ws://") + "/ws/transcribe"

        async def run() -> tuple[dict[Path, list[str]], list, list, list]:
            async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
                expected = {path: await upload_words(client, path) for path in files}
                streams_done = asyncio.Event()
                uploads: list[tuple[Path, list[str]]] = []
                health: list[dict] = []

                async def keep_uploading() -> None:
                    while not streams_done.is_set() or len(uploads) < 4:
                        path = files[len(uploads) % len(files)]
                        uploads.append((path, await upload_words(client, path)))
                        health.append((await client.get("/health")).raise_for_status().json())

                uploaders = [asyncio.create_task(keep_uploading()) for _ in range(UPLOADERS)]
                async with asyncio.timeout(TIMEOUT):
                    results = await asyncio.gather(
                        *(stream(url, files[i % len(files)]) for i in range(STREAMS))
                    )
                    streams_done.set()
                    await asyncio.gather(*uploaders)
            return expected, results, uploads, health

        expected, results, uploads, health = asyncio.run(run())
        assert all(expected.values())
        for i, (messages, code) in enumerate(results):
            assert code == 1000, f"stream {i} closed with {code}"
            assert not [m for m in messages if m["type"] in ("error", "overload")], f"stream {i}"
            finals = [
                w["word"]
                for m in messages
                if m["type"] == "transcript" and m["is_final"]
                for w in m["words"]
            ]
            assert finals == expected[files[i % len(files)]], f"stream {i} lost or changed finals"
        assert len(uploads) >= 4 and all(words == expected[path] for path, words in uploads)
        assert all(h["active_streams"] <= STREAMS for h in health)
        assert all(h["active_uploads"] <= UPLOADERS for h in health)
        assert server.context.scheduler.active_streams == 0
        assert server.context.uploads == 0


def test_one_more_upload_than_the_capacity_is_told_to_come_back(
    tiny_recognizer, speech_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Streams fill the server's places; an upload then gets 503 with Retry-After, and is
    served once a stream has gone."""
    path = say("one more upload", speech_dir / "load-one-more.wav")
    settings = ServerSettings(port=0, max_streams=3, stats_interval_s=0)
    with ApiServer(settings, tiny_recognizer) as server:
        url = server.url.replace("http://", "ws://") + "/ws/transcribe"

        async def run() -> tuple[int, str, list[str]]:
            async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
                streams = [await websockets.connect(url) for _ in range(3)]
                for ws in streams:
                    assert json.loads(await ws.recv())["type"] == "ready"
                busy = await client.post(
                    "/v1/audio/transcriptions",
                    files={"file": (path.name, path.read_bytes(), "audio/wav")},
                )
                await streams[0].close()
                while server.context.ws_sessions == 3:
                    await asyncio.sleep(0.02)
                words = await upload_words(client, path)
                for ws in streams[1:]:
                    await ws.close()
            return busy.status_code, busy.headers.get("retry-after", ""), words

        status, retry_after, words = asyncio.run(run())
        assert (status, retry_after) == (503, "5")
        assert words

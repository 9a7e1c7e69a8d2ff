"""Custom words through the API server: an upload's form field, a WebSocket query parameter
and config field, on a real server on a real port with the demo model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from helpers import read_wav, say
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings

TIMEOUT = 120.0
NAME = "Tamsinet"


@pytest.fixture(scope="module")
def server(demo_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    with ApiServer(ServerSettings(port=0), demo_recognizer) as srv:
        yield srv


@pytest.fixture(scope="module")
def name_wav(speech_dir: Path) -> Path:
    return say(f"please call {NAME} tomorrow morning", speech_dir / "api-name.wav")


def upload(server: ApiServer, wav: Path, **data: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        files = {"file": ("name.wav", wav.read_bytes(), "audio/wav")}
        return client.post("/v1/audio/transcriptions", files=files, data=data)


def test_upload_hotwords_field(server: ApiServer, name_wav: Path) -> None:
    plain = upload(server, name_wav)
    listed = upload(server, name_wav, hotwords=f"{NAME}, Kubernetes")
    assert plain.status_code == listed.status_code == 200, listed.text
    assert NAME.upper() not in plain.json()["text"].upper().split()
    # as typed, not the model's TAMSINET (punctuation may follow it)
    assert NAME in [w.strip(".,?!;:") for w in listed.json()["text"].split()]
    bad = upload(server, name_wav, hotwords=",".join(["word"] * 500))
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "hotwords"


async def stream_words(url: str, samples: bytes, config: dict | None = None) -> list[str]:
    async with websockets.connect(url, max_size=None) as ws:
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready"
        if config is not None:
            await ws.send(json.dumps({"type": "config", **config}))
            ready = json.loads(await ws.recv())
            assert ready["hotwords"] == config["hotwords"]
        await ws.send(samples)
        await ws.send(json.dumps({"type": "close"}))
        words: list[str] = []
        async with asyncio.timeout(TIMEOUT):
            while True:
                try:
                    message = json.loads(await ws.recv())
                except ConnectionClosed:
                    return words
                if message["type"] == "transcript" and message["is_final"]:
                    words += [w["word"].upper() for w in message["words"]]


def test_websocket_hotwords_query_and_config(server: ApiServer, name_wav: Path) -> None:
    pcm = (read_wav(name_wav) * 32767).astype("<i2").tobytes()
    base = server.url.replace("http://", "ws://") + "/ws/transcribe"
    plain = asyncio.run(stream_words(base, pcm))
    by_query = asyncio.run(stream_words(f"{base}?hotwords={NAME}", pcm))
    by_config = asyncio.run(stream_words(base, pcm, {"hotwords": [NAME]}))
    assert NAME.upper() not in plain
    assert NAME.upper() in by_query
    assert NAME.upper() in by_config


def test_the_server_s_language_model_decodes_uploads_and_streams(
    demo_recognizer, name_wav: Path
) -> None:  # type: ignore[no-untyped-def]
    """serve --lm: uploads and WebSocket streams decode with the server's LM and custom words,
    as the engine does for the same profile."""
    from engine.config import DecodeOptions, LmOptions, TranscribeOptions
    from engine.transcribe import transcribe_array

    lm = LmOptions(lm="demo", hotwords=(NAME,))
    samples = read_wav(name_wav)
    expected = transcribe_array(
        demo_recognizer, samples, TranscribeOptions(profile="balanced", decode=DecodeOptions(lm=lm))
    )
    greedy = transcribe_array(demo_recognizer, samples, TranscribeOptions(profile="balanced"))
    assert expected.text() != greedy.text()
    from engine.punctuation import PunctuationOptions

    off = PunctuationOptions(enabled=False)  # the engine's own text, unpunctuated
    settings = ServerSettings(port=0, decode=DecodeOptions(lm=lm), punctuation=off)
    with ApiServer(settings, demo_recognizer) as srv:
        answer = upload(srv, name_wav)
        assert answer.status_code == 200, answer.text
        assert answer.json()["text"] == expected.text()
        pcm = (samples * 32767).astype("<i2").tobytes()
        words = asyncio.run(
            stream_words(srv.url.replace("http://", "ws://") + "/ws/transcribe", pcm)
        )
    assert words == [w.text.upper() for w in expected.words]

"""Both spellings of every route, served directly: the first version of the API used trailing
slashes (``POST /transcribe/``, WebSocket ``/ws/transcribe/``), and neither curl, httpx nor a
WebSocket client follows a redirect."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from helpers import have, read_wav
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings
from engine.audio import float_to_pcm16

TOKEN = "slash-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def server(tiny_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    settings = ServerSettings(port=0, token=TOKEN, stats_interval_s=0)
    with ApiServer(settings, tiny_recognizer) as srv:
        yield srv


def _upload(server: ApiServer, path: str, wav: Path) -> httpx.Response:
    return httpx.post(
        f"{server.url}{path}",
        files={"file": (wav.name, wav.read_bytes(), "audio/wav")},
        headers=AUTH,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("path", ["/transcribe", "/v1/audio/transcriptions"])
def test_uploads_answer_on_both_spellings_with_httpx(
    server: ApiServer, hello_wav: Path, path: str
) -> None:
    plain = _upload(server, path, hello_wav)
    slashed = _upload(server, path + "/", hello_wav)
    assert plain.status_code == slashed.status_code == 200, slashed.text
    assert slashed.json() == plain.json()
    assert "location" not in slashed.headers


@pytest.mark.parametrize("path", ["/health", "/v1/models", "/openapi.json"])
def test_gets_answer_on_both_spellings(server: ApiServer, path: str) -> None:
    plain = httpx.get(f"{server.url}{path}", headers=AUTH, timeout=TIMEOUT)
    slashed = httpx.get(f"{server.url}{path}/", headers=AUTH, timeout=TIMEOUT)
    assert plain.status_code == slashed.status_code == 200, slashed.text
    assert slashed.headers["content-type"] == plain.headers["content-type"]


def test_the_token_rule_holds_on_both_spellings(server: ApiServer, hello_wav: Path) -> None:
    for path in ("/health/", "/transcribe/", "/v1/audio/transcriptions/"):
        response = httpx.post(f"{server.url}{path}", timeout=TIMEOUT)
        assert response.status_code == 401, (path, response.status_code)
    assert httpx.get(f"{server.url}/", timeout=TIMEOUT).status_code == 200  # the caption page
    assert httpx.get(f"{server.url}/nothing-here/", headers=AUTH).status_code == 404


@pytest.mark.skipif(not have("curl"), reason="curl is not installed")
def test_curl_posts_to_the_slashed_path(server: ApiServer, hello_wav: Path) -> None:
    expected = _upload(server, "/transcribe", hello_wav).json()
    result = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--write-out",
            "\n%{http_code}",
            "-H",
            f"Authorization: Bearer {TOKEN}",
            "-F",
            f"file=@{hello_wav}",
            f"{server.url}/transcribe/",
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    body, _, status = result.stdout.rpartition("\n")
    assert status == "200", result.stdout
    assert json.loads(body) == expected


async def _stream(url: str, frames: list[bytes]) -> list[dict]:
    messages = []
    async with websockets.connect(url, additional_headers=AUTH, max_size=None) as ws:
        for frame in frames:
            await ws.send(frame)
        await ws.send(json.dumps({"type": "close"}))
        async with asyncio.timeout(TIMEOUT):
            while True:
                try:
                    messages.append(json.loads(await ws.recv()))
                except ConnectionClosed:
                    break
    assert ws.close_code == 1000, (ws.close_code, ws.close_reason)
    return messages


def test_websocket_streams_on_both_spellings(server: ApiServer, hello_wav: Path) -> None:
    audio = read_wav(hello_wav)
    frames = [float_to_pcm16(audio[i : i + 1600]) for i in range(0, len(audio), 1600)]
    base = server.url.replace("http://", "ws://")

    def finals(messages: list[dict]) -> list[str]:
        return [m["text"] for m in messages if m["type"] == "transcript" and m["is_final"]]

    plain = asyncio.run(_stream(f"{base}/ws/transcribe?sample_rate=16000", frames))
    slashed = asyncio.run(_stream(f"{base}/ws/transcribe/?sample_rate=16000", frames))
    assert slashed[0]["type"] == "ready"
    assert finals(slashed) == finals(plain) != []


def test_realtime_answers_on_both_spellings(server: ApiServer) -> None:
    async def created(path: str) -> str:
        url = server.url.replace("http://", "ws://") + path
        async with websockets.connect(url, additional_headers=AUTH) as ws:
            return str(json.loads(await ws.recv())["type"])

    for path in ("/v1/realtime?intent=transcription", "/v1/realtime/?intent=transcription"):
        assert asyncio.run(created(path)) == "session.created"

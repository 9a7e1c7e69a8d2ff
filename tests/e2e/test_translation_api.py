"""Translation on the API: the upload field ``translate_to`` (JSON, verbose JSON, bilingual SRT),
the server's default target, a language without a model, and ``serve`` with a translation model
that cannot be loaded — real server on a real port, tiny speech model, tiny random MarianMT."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pysubs2
import pytest
import websockets
from helpers import read_wav
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings
from engine.audio import float_to_pcm16
from engine.config import TranslationOptions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tiny_recognizer, marian_dir: Path) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    settings = ServerSettings(
        port=0, translation=TranslationOptions(target="zh", model=str(marian_dir))
    )
    with ApiServer(settings, tiny_recognizer) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def post(client: httpx.Client, path: str, audio: bytes, **data: object) -> httpx.Response:
    return client.post(path, files={"file": ("a.wav", audio, "audio/wav")}, data=data)


def test_upload_translate_to(client: httpx.Client, hello_wav: Path) -> None:
    audio = hello_wav.read_bytes()
    plain = post(client, "/v1/audio/transcriptions", audio, translate_to="none").json()
    assert "translation" not in plain
    body = post(client, "/v1/audio/transcriptions", audio, translate_to="zh").json()
    assert body["text"] == plain["text"] and body["translation"]
    default = post(client, "/v1/audio/transcriptions", audio).json()  # the server's --translate-to
    assert default["translation"] == body["translation"]
    verbose = post(
        client, "/v1/audio/transcriptions", audio, translate_to="zh", response_format="verbose_json"
    ).json()
    assert verbose["translation_language"] == "zh"
    assert all(s["translation"] for s in verbose["segments"])
    srt = post(
        client, "/v1/audio/transcriptions", audio, translate_to="zh", response_format="srt"
    ).text
    events = pysubs2.SSAFile.from_string(srt, format_="srt")
    assert [e.plaintext.split("\n")[1] for e in events] == [
        s["translation"] for s in verbose["segments"]
    ]
    legacy = post(client, "/transcribe", audio, translate_to="zh").json()
    assert legacy == {"transcription": body["text"], "translation": body["translation"]}


def test_a_language_without_a_model_is_a_400(client: httpx.Client, hello_wav: Path) -> None:
    answer = post(client, "/v1/audio/transcriptions", hello_wav.read_bytes(), translate_to="fi")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["param"] == "translate_to" and error["code"] == "translation_unavailable"
    assert "no catalogue model translates 'en' into 'fi'" in error["message"]


def test_serve_with_a_translation_model_that_cannot_be_loaded(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "live_captions",
            "serve",
            "--port",
            "0",
            "--model",
            "demo",
            "--translate-to",
            "zh",
            "--translation-model",
            str(tmp_path / "nowhere"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "error: translation model folder" in result.stderr
    assert "--translation-model" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


async def stream(url: str, audio: np.ndarray) -> tuple[list[dict], int | None, str]:
    """Stream 16 kHz audio in 100 ms frames, ask to close, return every message and the close."""
    messages: list[dict] = []
    async with websockets.connect(url, max_size=None) as ws:
        pcm = float_to_pcm16(audio)
        for i in range(0, len(pcm), 3200):
            await ws.send(pcm[i : i + 3200])
        await ws.send(json.dumps({"type": "close"}))
        async with asyncio.timeout(120):
            while True:
                try:
                    messages.append(json.loads(await ws.recv()))
                except ConnectionClosed:
                    break
    return messages, ws.close_code, ws.close_reason


def test_websocket_translations_cover_every_final(server: ApiServer, hello_wav: Path) -> None:
    speech = read_wav(hello_wav)
    pause = np.zeros(16000 * 2, np.float32)
    audio = np.concatenate([speech, pause, speech, pause, speech])
    url = server.url.replace("http://", "ws://") + "/ws/transcribe?translate_to=zh"
    messages, code, _ = asyncio.run(stream(url, audio))
    assert code == 1000 and messages[0]["type"] == "ready"
    assert messages[0]["translate_to"] == "zh"
    finals = [(i, m) for i, m in enumerate(messages) if m["type"] == "transcript" and m["is_final"]]
    translations = [(i, m) for i, m in enumerate(messages) if m["type"] == "translation"]
    assert finals and len(translations) >= 2  # the pauses end sentences
    for _, t in translations:
        assert t["language"] == "zh" and t["text"] and "error" not in t
    # Every final is covered by a translation sent after it, whose sentence holds its words.
    for i, final in finals:
        covers = [t for j, t in translations if j > i and t["start"] <= final["start"]]
        assert [t for t in covers if final["end"] <= t["end"]], final
    assert " ".join(t["source_text"] for _, t in translations) == " ".join(
        m["text"] for _, m in finals
    )


def test_websocket_translate_to_without_a_model_is_refused(server: ApiServer) -> None:
    async def connect() -> tuple[dict, int | None]:
        url = server.url.replace("http://", "ws://") + "/ws/transcribe?translate_to=fi"
        async with websockets.connect(url) as ws:
            message = json.loads(await ws.recv())
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        return message, ws.close_code

    message, code = asyncio.run(connect())
    assert code == 1008 and message["type"] == "error"
    assert "no translation" in message["message"] and "'fi'" in message["message"]

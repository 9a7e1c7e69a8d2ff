"""Punctuation through the API: /v1/audio/transcriptions gives punctuated, cased text (as
OpenAI's does) in every response format, and ``punctuation=false`` turns it off; a server
without a punctuation model (none for its language, or --no-punctuation) answers as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers.punctuation import CASED_LABELS, tiny_token_classifier

from engine.api import ApiServer, ServerSettings
from engine.errors import PunctuationModelError
from engine.punctuation import PunctuationOptions


@pytest.fixture(scope="module")
def punct_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_token_classifier(tmp_path_factory.mktemp("punct"), CASED_LABELS, ["hello"])


@pytest.fixture(scope="module")
def server(demo_recognizer, punct_dir: Path) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    settings = ServerSettings(port=0, punctuation=PunctuationOptions(model=str(punct_dir)))
    with ApiServer(settings, demo_recognizer) as srv:
        yield srv


def transcribe(server: ApiServer, wav: Path, **data: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": ("hello.wav", wav.read_bytes())},
        data=data,
        timeout=120,
    )


def test_uploads_come_back_punctuated_unless_the_request_says_no(
    server: ApiServer, hello_wav: Path
) -> None:
    text = transcribe(server, hello_wav).json()["text"]
    assert text and text[-1] in ".?!"  # the end of the file closes a sentence
    plain = transcribe(server, hello_wav, punctuation="false").json()["text"]
    assert plain and plain[-1] not in ".?!,"
    assert [w.strip(".,?!:;").lower() for w in text.split()] == plain.lower().split()
    srt = transcribe(server, hello_wav, response_format="srt").text
    assert srt.rstrip()[-1] in ".?!"
    verbose = transcribe(server, hello_wav, response_format="verbose_json").json()
    assert verbose["text"] == text and verbose["segments"][-1]["text"][-1] in ".?!"


def test_a_bad_punctuation_field_is_a_400(server: ApiServer, hello_wav: Path) -> None:
    response = transcribe(server, hello_wav, punctuation="maybe")
    assert response.status_code in (400, 422)


def test_a_server_told_no_punctuation_answers_plain_text(
    demo_recognizer,  # type: ignore[no-untyped-def]
    punct_dir: Path,
    hello_wav: Path,
) -> None:
    off = PunctuationOptions(enabled=False, model=str(punct_dir))
    with ApiServer(ServerSettings(port=0, punctuation=off), demo_recognizer) as srv:
        text = transcribe(srv, hello_wav).json()["text"]
    assert text and text[-1] not in ".?!,"


def test_a_named_punctuation_model_that_cannot_be_had_stops_the_server(
    demo_recognizer,  # type: ignore[no-untyped-def]
) -> None:
    settings = ServerSettings(port=0, punctuation=PunctuationOptions(model="/no/such/folder"))
    with pytest.raises((PunctuationModelError, RuntimeError), match="does not exist"):
        ApiServer(settings, demo_recognizer).start()


async def ws_finals(url: str, pcm: bytes) -> list[str]:
    import asyncio
    import json

    import websockets
    from websockets.exceptions import ConnectionClosed

    texts: list[str] = []
    async with websockets.connect(url, max_size=None) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(pcm)
        await ws.send(json.dumps({"type": "close"}))
        async with asyncio.timeout(120):
            while True:
                try:
                    message = json.loads(await ws.recv())
                except ConnectionClosed:
                    return texts
                if message["type"] == "transcript" and message["is_final"]:
                    texts.append(message["text"])


def test_websocket_finals_come_punctuated_unless_the_query_says_no(
    server: ApiServer, hello_wav: Path
) -> None:
    import asyncio

    from helpers import read_wav

    pcm = (read_wav(hello_wav) * 32767).astype("<i2").tobytes()
    base = server.url.replace("http://", "ws://") + "/ws/transcribe"
    finals = asyncio.run(ws_finals(base, pcm))
    assert finals and finals[-1][-1] in ".?!"  # the stream's end closes a sentence
    plain = asyncio.run(ws_finals(f"{base}?punctuation=false", pcm))
    assert plain and all(t[-1] not in ".?!," for t in plain)
    joined = " ".join(finals).split()
    assert [w.strip(".,?!:;").lower() for w in joined] == " ".join(plain).lower().split()

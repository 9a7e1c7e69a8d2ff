"""The official ``openai`` client against our server: what OpenAI-compatible tools will do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from engine.api import ApiServer, ServerSettings

TOKEN = "sk-local-test"


@pytest.fixture(scope="module")
def server(tiny_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    with ApiServer(
        ServerSettings(port=0, token=TOKEN, max_upload_bytes=100_000), tiny_recognizer
    ) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=TOKEN, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def expected(server: ApiServer, hello_wav: Path) -> dict:
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": ("hello.wav", hello_wav.read_bytes())},
        data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    return response.json()  # type: ignore[no-any-return]


def test_json(client: openai.OpenAI, hello_wav: Path, expected: dict) -> None:
    with hello_wav.open("rb") as f:
        result = client.audio.transcriptions.create(model="whisper-1", file=f)
    assert isinstance(result, openai.types.audio.Transcription)
    assert result.text == expected["text"] != ""


def test_text_srt_vtt(client: openai.OpenAI, hello_wav: Path, expected: dict) -> None:
    text = client.audio.transcriptions.create(
        model="whisper-1", file=hello_wav, response_format="text"
    )
    assert text.strip() == expected["text"]
    srt = client.audio.transcriptions.create(
        model="whisper-1", file=hello_wav, response_format="srt"
    )
    assert "-->" in srt and srt.startswith("1\n")
    vtt = client.audio.transcriptions.create(
        model="whisper-1", file=hello_wav, response_format="vtt"
    )
    assert vtt.startswith("WEBVTT")


def test_verbose_json_with_words_and_segments(
    client: openai.OpenAI, hello_wav: Path, expected: dict
) -> None:
    result = client.audio.transcriptions.create(
        model="whisper-1",
        file=("hello.wav", hello_wav.read_bytes(), "audio/wav"),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
        language="en",
    )
    assert isinstance(result, openai.types.audio.TranscriptionVerbose)
    assert result.text == expected["text"] and result.language == "en"
    assert result.duration == pytest.approx(expected["duration"])
    assert [w.word for w in result.words or []] == [w["word"] for w in expected["words"]]
    assert result.segments and result.segments[0].start <= result.segments[-1].end


def test_models(client: openai.OpenAI, tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    assert [m.id for m in client.models.list()] == [tiny_recognizer.name]


def test_errors_reach_the_client_in_openai_shape(
    client: openai.OpenAI, server: ApiServer, hello_wav: Path
) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        client.audio.transcriptions.create(
            model="whisper-1", file=("notes.txt", b"not audio" * 20, "text/plain")
        )
    assert bad.value.param == "file" and "cannot be read as audio" in bad.value.message
    with pytest.raises(openai.BadRequestError) as granularity:
        client.audio.transcriptions.create(
            model="whisper-1", file=hello_wav, timestamp_granularities=["word"]
        )
    assert granularity.value.param == "timestamp_granularities"
    with pytest.raises(openai.APIStatusError) as too_big:
        client.audio.transcriptions.create(model="whisper-1", file=("big.wav", b"\x00" * 300_000))
    assert too_big.value.status_code == 413 and too_big.value.code == "file_too_large"
    stranger = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        stranger.models.list()
    assert denied.value.code == "invalid_api_key"

"""Translation on the API: the upload field ``translate_to`` (JSON, verbose JSON, bilingual SRT),
the server's default target, a language without a model, and ``serve`` with a translation model
that cannot be loaded — real server on a real port, tiny speech model, tiny random MarianMT."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pysubs2
import pytest

from engine.api import ApiServer, ServerSettings
from engine.config import TranslationOptions

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tiny_recognizer, marian_dir: Path) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    settings = ServerSettings(
        port=0, translation=TranslationOptions(target="zh", model=str(marian_dir))
    )
    with (
        ApiServer(settings, tiny_recognizer) as server,
        httpx.Client(base_url=server.url, timeout=120) as c,
    ):
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

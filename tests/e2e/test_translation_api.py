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
from typing import Any

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


async def receive_until(ws: websockets.ClientConnection, kind: str) -> list[dict]:
    """Messages up to and including the first of type ``kind`` (or the close)."""
    messages: list[dict] = []
    async with asyncio.timeout(120):
        while True:
            try:
                messages.append(json.loads(await ws.recv()))
            except ConnectionClosed:
                return messages
            if messages[-1]["type"] == kind:
                return messages


def test_a_config_message_loads_its_model_beside_the_stream(
    server: ApiServer, hello_wav: Path
) -> None:
    """A config message naming a language whose model is not loaded: the model loads in a
    thread while the stream goes on (the loads are held back here by holding the loading lock:
    the event loop must answer meanwhile); once loaded, the sentences closed meanwhile are
    translated, after their finals, and the close waits for them."""
    import engine.translation as translation

    pcm = float_to_pcm16(np.concatenate([read_wav(hello_wav), np.zeros(16000, np.float32)]))
    url = server.url.replace("http://", "ws://") + "/ws/transcribe?translate_to=none"

    async def run() -> tuple[list[dict], list[dict], int | None]:
        async with websockets.connect(url, max_size=None) as ws:
            assert json.loads(await ws.recv())["translate_to"] is None
            with translation._LOADING:  # no model can load until this block ends
                await ws.send(json.dumps({"type": "config", "translate_to": "zh-TW"}))
                (ready,) = await receive_until(ws, "ready")
                assert ready["translate_to"] == "zh-TW"
                for i in range(0, len(pcm), 3200):
                    await ws.send(pcm[i : i + 3200])
                await ws.send(json.dumps({"type": "finalize"}))
                loading = await receive_until(ws, "finalized")
            await ws.send(json.dumps({"type": "close"}))
            loaded = await receive_until(ws, "close")  # until the server closes
        return loading, loaded, ws.close_code

    loading, loaded, code = asyncio.run(run())
    finals = [m for m in loading if m["type"] == "transcript" and m["is_final"]]
    assert finals and loading[-1]["type"] == "finalized"
    assert not [m for m in loading if m["type"] == "translation"]
    translations = [m for m in loaded if m["type"] == "translation"]
    assert code == 1000 and translations
    assert all(t["language"] == "zh-TW" and t["text"] and "error" not in t for t in translations)
    assert " ".join(t["source_text"] for t in translations) == " ".join(m["text"] for m in finals)


@pytest.fixture
def no_cached_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty Hugging Face cache, offline: a catalogue model cannot be had."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def test_a_model_that_cannot_be_loaded_is_an_error_on_the_stream_that_goes_on(
    tiny_recognizer,  # type: ignore[no-untyped-def]
    hello_wav: Path,
    no_cached_models: None,
) -> None:
    """en -> de is in the catalogue (the config message is accepted), but its model is not
    here: the stream gets a translation_error message and goes on without translation."""
    pcm = float_to_pcm16(read_wav(hello_wav))
    with ApiServer(ServerSettings(port=0), tiny_recognizer) as srv:
        url = srv.url.replace("http://", "ws://") + "/ws/transcribe"

        async def run() -> tuple[list[dict], int | None]:
            async with websockets.connect(url, max_size=None) as ws:
                await ws.send(json.dumps({"type": "config", "translate_to": "de"}))
                messages = await receive_until(ws, "translation_error")
                for i in range(0, len(pcm), 3200):
                    await ws.send(pcm[i : i + 3200])
                await ws.send(json.dumps({"type": "close"}))
                messages += await receive_until(ws, "close")
            return messages, ws.close_code

        messages, code = asyncio.run(run())
    (error,) = [m for m in messages if m["type"] == "translation_error"]
    assert error["language"] == "de" and "no translation into 'de'" in error["message"]
    assert "Helsinki-NLP/opus-mt-en-de" in error["message"]
    assert code == 1000 and [m for m in messages if m["type"] == "transcript" and m["is_final"]]
    assert not [m for m in messages if m["type"] in ("translation", "error")]


TRANSLATED = "session.output_transcript.delta"
COMPLETED = "conversation.item.input_audio_transcription.completed"


def test_realtime_sessions_translate_with_an_event_openai_clients_skip(
    server: ApiServer, hello_wav: Path
) -> None:
    """/v1/realtime through the official ``openai`` client: ``audio.output.language`` asks for
    translation; each sentence's comes as a ``session.output_transcript.delta`` event (the
    name OpenAI's translation sessions use), which the client hands out like any event it does
    not know, beside the items' transcripts, which do not change. A language without a model
    is an error event, and the session goes on."""
    import base64

    import openai

    speech = read_wav(hello_wav)
    pause = np.zeros(16000 * 2, np.float32)
    pcm = float_to_pcm16(np.concatenate([speech, pause, speech, pause]))
    chunks = [base64.b64encode(pcm[i : i + 3200]).decode() for i in range(0, len(pcm), 3200)]
    client = openai.AsyncOpenAI(
        api_key="unused",
        base_url=f"{server.url}/v1",
        websocket_base_url=server.url.replace("http://", "ws://") + "/v1",
        max_retries=0,
    )

    async def run() -> tuple[list, list]:
        events: list = []
        async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
            created = await conn.recv()
            # the server's --translate-to (a field the client's type does not know: a dict)
            assert created.to_dict()["session"]["audio"]["output"] == {"language": "zh"}
            session = {
                "type": "transcription",
                "audio": {
                    "input": {"format": {"type": "audio/pcm", "rate": 16000}},
                    "output": {"language": "zh"},
                },
            }
            await conn.session.update(session=session)  # type: ignore[arg-type]
            for chunk in chunks:
                await conn.input_audio_buffer.append(audio=chunk)
            await conn.input_audio_buffer.commit()
            try:
                async with asyncio.timeout(60):
                    async for event in conn:  # until every item's words are translated
                        events.append(event)
                        done = [e.transcript for e in events if e.type == COMPLETED]
                        sources = [e.source_text for e in events if e.type == TRANSLATED]
                        if done and " ".join(sources) == " ".join(done):
                            break
            except (TimeoutError, ConnectionClosed):
                raise AssertionError([e.to_dict() for e in events]) from None
            session["audio"] = {"output": {"language": "fi"}}
            await conn.session.update(session=session)  # type: ignore[arg-type]
            later: list = []
            async with asyncio.timeout(120):
                async for event in conn:
                    later.append(event)
                    if event.type == "error":
                        break
            await conn.input_audio_buffer.append(audio=chunks[0])  # the session goes on
            await conn.input_audio_buffer.commit()
            async with asyncio.timeout(120):
                async for event in conn:
                    later.append(event)
                    if event.type == COMPLETED:
                        break
        return events, later

    events, later = asyncio.run(run())
    completed = [e for e in events if e.type == COMPLETED]
    translated = [e for e in events if e.type == TRANSLATED]
    assert completed and all(e.transcript for e in completed)
    items = {e.item_id for e in completed}
    for event in translated:
        assert event.language == "zh" and event.delta.strip() and event.error is None
        assert event.item_id in items and event.start_ms < event.elapsed_ms
    assert " ".join(e.source_text for e in translated) == " ".join(e.transcript for e in completed)
    error = next(e for e in later if e.type == "error").error
    assert (error.code, error.param) == ("translation_unavailable", "session.audio.output.language")
    assert "'fi'" in error.message
    assert [e for e in later if e.type == COMPLETED]


def test_the_beta_realtime_interface_takes_the_same_translation_field(
    server: ApiServer, hello_wav: Path
) -> None:
    """``client.beta.realtime`` (OpenAI-Beta: realtime=v1, ``transcription_session.update``):
    the GA field ``audio.output.language`` asks for translation here too, and the beta session
    echoes it. The query turns the server's default off first."""
    import base64

    import openai

    speech = read_wav(hello_wav)
    pcm = float_to_pcm16(np.concatenate([speech, np.zeros(16000 * 2, np.float32)]))
    chunks = [base64.b64encode(pcm[i : i + 3200]).decode() for i in range(0, len(pcm), 3200)]
    client = openai.AsyncOpenAI(
        api_key="unused",
        base_url=f"{server.url}/v1",
        websocket_base_url=server.url.replace("http://", "ws://") + "/v1",
        max_retries=0,
    )

    async def run() -> tuple[list[dict], list[dict]]:
        sessions: list[dict] = []
        events: list[dict] = []
        query = {"intent": "transcription", "translate_to": "none"}
        async with client.beta.realtime.connect(
            model="gpt-4o-transcribe", extra_query=query
        ) as conn:
            sessions.append(json.loads(await conn.recv_bytes()))
            session: Any = {
                "input_audio_format": {"type": "audio/pcm", "rate": 16000},
                "audio": {"output": {"language": "zh"}},
            }
            await conn.transcription_session.update(session=session)
            sessions.append(json.loads(await conn.recv_bytes()))
            for chunk in chunks:
                await conn.input_audio_buffer.append(audio=chunk)
            await conn.input_audio_buffer.commit()
            try:
                async with asyncio.timeout(60):
                    while True:  # until every item's words are translated
                        events.append(json.loads(await conn.recv_bytes()))
                        done = [e["transcript"] for e in events if e["type"] == COMPLETED]
                        sources = [e["source_text"] for e in events if e["type"] == TRANSLATED]
                        if done and " ".join(sources) == " ".join(done):
                            break
            except (TimeoutError, ConnectionClosed):
                raise AssertionError(events) from None
        return sessions, events

    sessions, events = asyncio.run(run())
    assert [s["type"] for s in sessions] == [
        "transcription_session.created",
        "transcription_session.updated",
    ]
    assert [s["session"]["audio"]["output"]["language"] for s in sessions] == [None, "zh"]
    completed = [e for e in events if e["type"] == COMPLETED]
    translated = [e for e in events if e["type"] == TRANSLATED]
    assert completed and translated
    assert all(e["language"] == "zh" and e["delta"].strip() for e in translated)
    assert " ".join(e["source_text"] for e in translated) == " ".join(
        e["transcript"] for e in completed
    )

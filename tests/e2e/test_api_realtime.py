"""OpenAI Realtime transcription sessions (``/v1/realtime?intent=transcription``) with the official
``openai`` client on loopback: what voice-agent frameworks and dictation apps will do."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import openai
import pytest
import soundfile as sf
import websockets
from helpers import say
from helpers.ws import messages_until_closed

from engine.api import ApiServer, ServerSettings

TOKEN = "sk-local-realtime"
TIMEOUT = 90.0
CHUNK_S = 0.1  # audio per append event, as microphone clients send it

COMPLETED = "conversation.item.input_audio_transcription.completed"
DELTA = "conversation.item.input_audio_transcription.delta"


@pytest.fixture(scope="module")
def server(demo_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    settings = ServerSettings(port=0, token=TOKEN, stats_interval_s=0, max_frame_bytes=200_000)
    with ApiServer(settings, demo_recognizer) as srv:
        yield srv


@pytest.fixture(scope="module")
def sentences(speech_dir: Path) -> list[Path]:
    texts = ["the weather is nice today", "please open the window"]
    return [
        say(text, speech_dir / f"rt{i}.wav", voice="flite:slt", rate=24000)
        for i, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def two_sentences(sentences: list[Path], speech_dir: Path) -> Path:
    """Both sentences at 24 kHz with 1.5 s of silence between them."""
    first, second = (sf.read(str(p), dtype="int16")[0] for p in sentences)
    path = speech_dir / "rt-both.wav"
    sf.write(str(path), np.concatenate([first, np.zeros(36_000, np.int16), second]), 24000)
    return path


def upload_text(server: ApiServer, path: Path) -> str:
    """The upload's text without punctuation: what a session with punctuation off must give
    (with punctuation, a stream decides marks live and an upload with the whole text in view:
    sessions are compared with the WebSocket route's stream for that, and with this by words)."""
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/wav")},
        data={"punctuation": "false"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    text: str = response.json()["text"]
    assert text, "the demo model should hear words in synthetic speech"
    return text


def words_of(text: str) -> list[str]:
    """The words of a text, without punctuation and case."""
    return [w.strip(".,?!:;").lower() for w in text.split()]


def pcm_chunks(path: Path, rate: int = 24000) -> list[str]:
    """The file's 16-bit samples as base64 append payloads of CHUNK_S each."""
    samples, file_rate = sf.read(str(path), dtype="int16")
    assert file_rate == rate
    step = int(rate * CHUNK_S)
    return [
        base64.b64encode(samples[i : i + step].tobytes()).decode()
        for i in range(0, len(samples), step)
    ]


def client(server: ApiServer, api_key: str = TOKEN) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=f"{server.url}/v1",
        websocket_base_url=server.url.replace("http://", "ws://") + "/v1",
        max_retries=0,
    )


@asynccontextmanager
async def connect(
    server: ApiServer, api_key: str = TOKEN, punctuation: bool = False
) -> AsyncIterator[Any]:
    """A GA session; without punctuation unless asked (to compare with ``upload_text``)."""
    realtime = client(server, api_key).realtime
    query = {"intent": "transcription"} | ({} if punctuation else {"punctuation": "false"})
    async with realtime.connect(extra_query=query) as conn:
        yield conn


async def events_until(conn: Any, done: Callable[[Any], bool]) -> list[Any]:
    """Server events up to and including the first for which ``done`` is true."""
    events = []
    async with asyncio.timeout(TIMEOUT):
        async for event in conn:
            events.append(event)
            if done(event):
                return events
    raise AssertionError(f"the connection closed first: {[e.type for e in events]}")


async def commit_and_collect(conn: Any) -> list[Any]:
    """Commit, then events until the commit's own item is completed: the item that is committed
    without a speech_stopped before it (turn detection ends the others)."""
    await conn.input_audio_buffer.commit()
    stopped: set[str] = set()
    own: list[str] = []

    def done(event: Any) -> bool:
        if event.type == "input_audio_buffer.speech_stopped":
            stopped.add(event.item_id)
        elif event.type == "input_audio_buffer.committed" and event.item_id not in stopped:
            own.append(event.item_id)
        return event.type == COMPLETED and event.item_id in own

    return await events_until(conn, done)


def transcripts(events: list[Any]) -> list[str]:
    return [e.transcript for e in events if e.type == COMPLETED]


def check_deltas(events: list[Any]) -> None:
    """Each item's deltas, concatenated, are its completed transcript."""
    for done in (e for e in events if e.type == COMPLETED):
        deltas = [e.delta for e in events if e.type == DELTA and e.item_id == done.item_id]
        assert "".join(deltas) == done.transcript


# the transcripts -------------------------------------------------------------------------------
def test_completed_transcripts_equal_the_upload(server: ApiServer, two_sentences: Path) -> None:
    expected = upload_text(server, two_sentences)

    async def run() -> list[Any]:
        async with connect(server) as conn:
            created = await conn.recv()
            assert created.type == "session.created"
            assert created.session.type == "transcription"
            assert created.session.audio.input.format.rate == 24000
            assert created.session.audio.input.turn_detection.type == "server_vad"
            for chunk in pcm_chunks(two_sentences):
                await conn.input_audio_buffer.append(audio=chunk)
            return await commit_and_collect(conn)

    events = asyncio.run(run())
    assert " ".join(transcripts(events)) == expected
    check_deltas(events)
    assert any(e.type == DELTA for e in events)
    # Turn detection ended the first sentence at the pause; the commit ended the second.
    started = [e for e in events if e.type == "input_audio_buffer.speech_started"]
    stopped = [e for e in events if e.type == "input_audio_buffer.speech_stopped"]
    assert len(started) == 2 and len(stopped) == 1
    assert started[0].audio_start_ms < stopped[0].audio_end_ms < started[1].audio_start_ms
    assert started[1].audio_start_ms > 1500 + 1000  # after the first sentence and the pause
    committed = [e for e in events if e.type == "input_audio_buffer.committed"]
    assert [c.previous_item_id for c in committed] == [None, committed[0].item_id]


async def ws_lines(server: ApiServer, path: Path, query: str = "") -> list[str]:
    """The WebSocket route's final text of a file, one line per utterance."""
    samples, rate = sf.read(str(path), dtype="int16")
    url = server.url.replace("http://", "ws://") + f"/ws/transcribe?sample_rate={rate}{query}"
    lines = [""]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        step = int(rate * CHUNK_S)
        for i in range(0, len(samples), step):
            await ws.send(samples[i : i + step].tobytes())
        await ws.send(json.dumps({"type": "close"}))
        async with asyncio.timeout(TIMEOUT):
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "transcript" and message["is_final"]:
                    lines[-1] += (" " if message["space_before"] else "") + message["text"]
                elif message["type"] == "utterance_end" and lines[-1]:
                    lines.append("")
    return [line for line in lines if line]


def test_sessions_are_punctuated_by_default_as_the_websocket_streams_are(
    server: ApiServer, two_sentences: Path
) -> None:
    """Punctuation and true casing are on by default where the server has a model (the demo
    model's here), as on /ws/transcribe: the same audio gives the same punctuated lines on both
    live routes (items, utterances), with the upload's words."""

    async def run() -> list[Any]:
        async with connect(server, punctuation=True) as conn:
            created = await conn.recv()
            assert created.session.audio.input.transcription.punctuation is True
            for chunk in pcm_chunks(two_sentences):
                await conn.input_audio_buffer.append(audio=chunk)
            return await commit_and_collect(conn)

    events = asyncio.run(run())
    done = transcripts(events)
    assert len(done) == 2 and all(t[-1] in ".?!" for t in done), done
    check_deltas(events)
    assert done == asyncio.run(ws_lines(server, two_sentences))
    assert words_of(" ".join(done)) == words_of(upload_text(server, two_sentences))


def test_turn_detection_off_makes_one_item_per_commit_at_any_rate(
    server: ApiServer, sentences: list[Path], speech_dir: Path
) -> None:
    """16 kHz audio declared in session.update is resampled; without turn detection only commits
    end items, and no speech events are sent."""
    paths = []
    for path in sentences:
        samples, _ = sf.read(str(path), dtype="float32")
        paths.append(speech_dir / f"{path.stem}-16k.wav")
        sf.write(str(paths[-1]), _resample(samples, 24000, 16000), 16000, subtype="PCM_16")
    expected = [upload_text(server, p) for p in paths]

    async def run() -> list[Any]:
        async with connect(server, punctuation=True) as conn:  # turned off by session.update
            await conn.recv()
            await conn.session.update(
                session={
                    "type": "transcription",
                    "audio": {
                        "input": {
                            "format": {"type": "audio/pcm", "rate": 16000},
                            "turn_detection": None,
                            "transcription": {"punctuation": False},  # type: ignore[typeddict-unknown-key]
                        }
                    },
                }
            )
            updated = await conn.recv()
            assert updated.type == "session.updated"
            assert updated.session.audio.input.format.rate == 16000
            assert updated.session.audio.input.turn_detection is None
            assert updated.session.audio.input.transcription.punctuation is False
            events = []
            for path in paths:
                for chunk in pcm_chunks(path, 16000):
                    await conn.input_audio_buffer.append(audio=chunk)
                events += await commit_and_collect(conn)
            return events

    events = asyncio.run(run())
    assert transcripts(events) == expected
    check_deltas(events)
    assert not [e for e in events if e.type.startswith("input_audio_buffer.speech")]


def _resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    from engine.audio import resample

    return resample(samples, rate, to)


def test_the_beta_interface_and_g711(server: ApiServer, sentences: list[Path]) -> None:
    """client.beta.realtime sends OpenAI-Beta: realtime=v1 and transcription_session.update;
    G.711 u-law at 8 kHz is what telephony bridges send."""
    ulaw = sentences[0].with_name("rt-ulaw.wav")
    samples, _ = sf.read(str(sentences[0]), dtype="float32")
    sf.write(str(ulaw), _resample(samples, 24000, 8000), 8000, subtype="ULAW")
    expected = upload_text(server, ulaw)
    with sf.SoundFile(str(ulaw)) as f:
        assert f.subtype == "ULAW"
    payload = ulaw.read_bytes()
    data = payload[payload.index(b"data") + 8 :]  # the u-law bytes after the WAV header

    async def run() -> list[Any]:
        beta = client(server).beta.realtime
        async with beta.connect(
            model="gpt-4o-transcribe", extra_query={"intent": "transcription"}
        ) as conn:
            created = json.loads(await conn.recv_bytes())
            assert created["type"] == "transcription_session.created"
            # The beta type has no None for turn_detection, though null turns it off.
            session: Any = {
                "input_audio_format": "g711_ulaw",
                "turn_detection": None,
                "input_audio_transcription": {"punctuation": False},
            }
            await conn.transcription_session.update(session=session)
            updated = json.loads(await conn.recv_bytes())
            assert updated["type"] == "transcription_session.updated"
            assert updated["session"]["input_audio_format"] == "g711_ulaw"
            for i in range(0, len(data), 800):
                await conn.input_audio_buffer.append(
                    audio=base64.b64encode(data[i : i + 800]).decode()
                )
            return await commit_and_collect(conn)

    events = asyncio.run(run())
    assert transcripts(events) == [expected]


def test_the_documented_example_runs(server: ApiServer, two_sentences: Path) -> None:
    expected = upload_text(server, two_sentences)
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "realtime_client.py"
    out = subprocess.run(
        [sys.executable, str(example), str(two_sentences), "--url", server.url, "--token", TOKEN],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout  # turn detection splits the two sentences
    # punctuated (the default), the upload's words
    assert all(line[-1] in ".?!" for line in lines)
    assert words_of(" ".join(lines)) == words_of(expected)


# errors ------------------------------------------------------------------------------------------
def test_bad_events_get_error_events_and_the_session_goes_on(
    server: ApiServer, sentences: list[Path]
) -> None:
    expected = upload_text(server, sentences[1])
    bad: dict[str, dict[str, Any]] = {
        "bad-base64": {"type": "input_audio_buffer.append", "audio": "not base64!"},
        "odd-bytes": {
            "type": "input_audio_buffer.append",
            "audio": base64.b64encode(b"abc").decode(),
        },
        "wrong-format": {
            "type": "session.update",
            "session": {
                "type": "transcription",
                "audio": {"input": {"format": {"type": "audio/opus"}}},
            },
        },
        "bad-rate": {
            "type": "session.update",
            "session": {"type": "transcription", "audio": {"input": {"format": {"rate": 5}}}},
        },
        "unknown-type": {"type": "response.create"},
        "realtime-session": {"type": "session.update", "session": {"type": "realtime"}},
        "empty-commit": {"type": "input_audio_buffer.commit"},
    }

    async def run() -> tuple[dict[str, Any], list[Any]]:
        async with connect(server) as conn:
            await conn.recv()
            errors = {}
            for event_id, event in bad.items():
                await conn.send_raw(json.dumps({**event, "event_id": event_id}))
                reply = await conn.recv()
                assert reply.type == "error", (event_id, reply)
                errors[event_id] = reply.error
            await conn.send_raw("this is not JSON")
            errors["not-json"] = (await conn.recv()).error
            await conn.send_raw(b"\x00\x01")
            errors["binary"] = (await conn.recv()).error
            for chunk in pcm_chunks(sentences[1]):
                await conn.input_audio_buffer.append(audio=chunk)
            return errors, await commit_and_collect(conn)

    errors, events = asyncio.run(run())
    for event_id, error in errors.items():
        assert error.type == "invalid_request_error" and error.message, event_id
        if event_id in bad:
            assert error.event_id == event_id
    assert "base64" in errors["bad-base64"].message and errors["bad-base64"].param == "audio"
    assert errors["wrong-format"].param == "session.audio.input.format.type"
    assert errors["bad-rate"].param == "session.audio.input.format.rate"
    assert (
        errors["unknown-type"].param == "type"
        and "response.create" in errors["unknown-type"].message
    )
    assert errors["empty-commit"].code == "input_audio_buffer_commit_empty"
    assert transcripts(events) == [expected]  # the session went on, still at 24 kHz pcm


def test_clear_drops_the_uncommitted_audio(server: ApiServer, sentences: list[Path]) -> None:
    expected = upload_text(server, sentences[1])

    async def run() -> list[Any]:
        async with connect(server) as conn:
            await conn.recv()
            await conn.session.update(
                session={"type": "transcription", "audio": {"input": {"turn_detection": None}}}
            )
            await conn.recv()
            for chunk in pcm_chunks(sentences[0]):
                await conn.input_audio_buffer.append(audio=chunk)
            await conn.input_audio_buffer.clear()
            events = await events_until(conn, lambda e: e.type == "input_audio_buffer.cleared")
            for chunk in pcm_chunks(sentences[1]):
                await conn.input_audio_buffer.append(audio=chunk)
            return events + await commit_and_collect(conn)

    events = asyncio.run(run())
    assert transcripts(events) == [expected]


# the rest of the API's rules -----------------------------------------------------------------------
@asynccontextmanager
async def raw_session(
    server: ApiServer, headers: dict | None = None, query: str = ""
) -> AsyncIterator[Any]:
    url = server.url.replace("http://", "ws://") + "/v1/realtime?intent=transcription" + query
    headers = {"Authorization": f"Bearer {TOKEN}"} if headers is None else headers
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        yield ws


def test_token_is_required(server: ApiServer) -> None:
    async def run() -> tuple[list[dict], int | None]:
        async with raw_session(server, {"Authorization": "Bearer wrong"}) as ws:
            return await messages_until_closed(ws, TIMEOUT), ws.close_code

    messages, code = asyncio.run(run())
    assert code == 1008
    assert messages[0]["type"] == "error" and messages[0]["error"]["code"] == "invalid_api_key"

    async def with_client() -> None:
        async with connect(server, api_key="wrong") as conn:
            event = await conn.recv()
            assert event.type == "error" and "token" in event.error.message

    asyncio.run(with_client())


def test_limits_and_close_behaviour(demo_recognizer, sentences: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """One stream at most (shared with /ws/transcribe), oversized messages, and an idle session
    that completes its pending text before it is closed."""
    settings = ServerSettings(
        port=0, stats_interval_s=0, max_streams=1, max_frame_bytes=50_000, idle_timeout_s=5.0
    )
    appends = [
        json.dumps({"type": "input_audio_buffer.append", "audio": chunk})
        for chunk in pcm_chunks(sentences[0])
    ]
    with ApiServer(settings, demo_recognizer) as srv:
        expected = upload_text(srv, sentences[0])
        ws_url = srv.url.replace("http://", "ws://") + "/ws/transcribe"

        async def run() -> None:
            async with raw_session(srv, {}, "&punctuation=false") as first:
                assert json.loads(await first.recv())["type"] == "session.created"
                for append in appends:
                    await first.send(append)
                async with raw_session(srv, {}) as second:
                    refused = await messages_until_closed(second, TIMEOUT)
                assert second.close_code == 1013
                assert refused[0]["error"]["code"] == "too_many_streams"
                async with websockets.connect(ws_url) as other:  # the other door counts too
                    assert json.loads(await other.recv())["type"] == "error"
                assert other.close_code == 1013
                messages = await messages_until_closed(
                    first, TIMEOUT
                )  # nothing more sent: the idle timeout
            assert first.close_code == 1008 and "idle" in (first.close_reason or "")
            done = [m for m in messages if m["type"] == COMPLETED]
            assert [m["transcript"] for m in done] == [expected]
            assert done[0]["usage"]["seconds"] > 0

            async with raw_session(srv, {}) as third:
                await third.recv()
                await third.send(
                    json.dumps({"type": "input_audio_buffer.append", "audio": "A" * 60_000})
                )
                messages = await messages_until_closed(third, TIMEOUT)
            assert third.close_code == 1009 and messages[-1]["type"] == "error"

        asyncio.run(run())


def test_deltas_are_append_only_at_real_time_pace(server: ApiServer, two_sentences: Path) -> None:
    """Audio appended as a microphone sends it (one 0.1 s chunk every 0.1 s): the engine then
    also makes partial results, which change; deltas must carry final words only, so that
    they arrive while the audio still comes and never need taking back (issue 23: every other
    Realtime test sends unpaced, where partials hardly occur)."""
    expected = upload_text(server, two_sentences)

    async def run() -> tuple[list[Any], int]:
        async with connect(server, punctuation=True) as conn:  # which holds finals back a while
            await conn.recv()
            received: list[Any] = []

            async def collect() -> None:
                async for event in conn:
                    received.append(event)

            reader = asyncio.create_task(collect())
            for chunk in pcm_chunks(two_sentences):
                await conn.input_audio_buffer.append(audio=chunk)
                await asyncio.sleep(CHUNK_S)
            live = sum(e.type == DELTA for e in received)  # deltas before the commit
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            return received + await commit_and_collect(conn), live

    events, live = asyncio.run(run())
    assert live, "deltas come while the audio is still being sent"
    items = list(dict.fromkeys(e.item_id for e in events if e.type == DELTA))
    by_item = [
        "".join(e.delta for e in events if e.type == DELTA and e.item_id == i) for i in items
    ]
    assert by_item == transcripts(events)
    assert words_of(" ".join(by_item)) == words_of(expected), by_item
    check_deltas(events)

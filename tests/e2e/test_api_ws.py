"""The WebSocket protocol against a real uvicorn server: finals equal uploads, control messages,
limits and errors, and misbehaving clients that must not disturb anyone else."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
import websockets
from helpers import read_wav, say
from helpers.ws import (
    PIECE,
    TIMEOUT,
    expect_refusal,
    final_words,
    messages_until_closed,
    pieces,
    stream_file,
    wait_until,
    ws_url,
)
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings
from engine.audio import float_to_pcm16, resample


@contextmanager
def running(recognizer, **settings) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    server = ApiServer(ServerSettings(port=0, stats_interval_s=0, **settings), recognizer).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tiny_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, max_frame_bytes=64_000) as srv:
        yield srv


@pytest.fixture(scope="module")
def speech(speech_dir: Path) -> Path:
    return say("the quick brown fox jumps over the lazy dog", speech_dir / "fox.wav")


@pytest.fixture(scope="module")
def upload_words(server: ApiServer, speech: Path) -> list[str]:
    return upload(server, speech)


def upload(server: ApiServer, path: Path, token: str | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/wav")},
        data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
        headers=headers,
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    words = [w["word"] for w in response.json()["words"]]
    assert words, "the tiny model should give some words for speech"
    return words


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    """A small WAV file holding exactly the 16-bit samples that raw frames would carry."""
    out = io.BytesIO()
    sf.write(
        out,
        np.frombuffer(float_to_pcm16(samples), dtype="<i2"),
        rate,
        format="WAV",
        subtype="PCM_16",
    )
    return out.getvalue()


def final_text(messages: list[dict]) -> str:
    return " ".join(m["text"] for m in messages if m["type"] == "transcript" and m["is_final"])


# equality with uploads ---------------------------------------------------------------------------
def test_streamed_finals_equal_the_upload(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    messages, code, _ = asyncio.run(
        stream_file(
            ws_url(server, "encoding=pcm_s16le&sample_rate=16000"), pieces(read_wav(speech))
        )
    )
    assert code == 1000
    assert final_words(messages) == upload_words
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": ("fox.wav", speech.read_bytes())},
        timeout=TIMEOUT,
    )
    assert final_text(messages).lower() == response.json()["text"].lower()
    types = [m["type"] for m in messages]
    assert types[0] == "ready" and "speech_started" in types and types[-1] == "utterance_end"
    finals = [m for m in messages if m["type"] == "transcript" and m["is_final"]]
    assert all(a["end"] <= b["start"] for a, b in zip(finals, finals[1:])), (
        "finals are append-only, in time order"
    )
    assert all({"start", "end", "confidence"} <= set(w) for m in finals for w in m["words"])


@pytest.mark.parametrize("stable", ["true", "false"])
def test_stable_partials_are_chosen_by_the_client(
    server: ApiServer, speech: Path, upload_words: list[str], stable: str
) -> None:
    messages, code, _ = asyncio.run(
        stream_file(ws_url(server, f"stable_partials={stable}"), pieces(read_wav(speech)))
    )
    assert code == 1000 and messages[0]["stable_partials"] is (stable == "true")
    assert (
        final_words(messages) == upload_words
    )  # the finals do not depend on how partials are shown


def test_partials_come_before_the_finals_they_foretell(server: ApiServer, speech: Path) -> None:
    # In real time: a client that sends everything at once and closes gets finals only.
    frames = pieces(read_wav(speech))
    messages, code, _ = asyncio.run(stream_file(ws_url(server), frames, pace_s=PIECE / 16_000))
    assert code == 1000 and messages[0]["partials"] is True
    kinds = ["final" if m["is_final"] else "partial" for m in messages if m["type"] == "transcript"]
    assert "partial" in kinds and "final" in kinds, kinds
    assert kinds.index("partial") < kinds.index("final")
    partial = next(m for m in messages if m["type"] == "transcript" and not m["is_final"])
    assert partial["text"] and partial["words"]


def test_partials_false_sends_finals_only(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    frames = pieces(read_wav(speech))
    messages, code, _ = asyncio.run(
        stream_file(ws_url(server, "partials=false"), frames, pace_s=PIECE / 16_000)
    )
    assert code == 1000 and messages[0]["partials"] is False
    transcripts = [m for m in messages if m["type"] == "transcript"]
    assert transcripts and all(m["is_final"] for m in transcripts)
    assert final_words(messages) == upload_words


def test_an_engine_failure_closes_with_1011_and_says_why(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    from helpers import Exploding

    from engine.scheduler import Scheduler

    with (
        Scheduler(Exploding(tiny_recognizer)) as scheduler,
        ApiServer(ServerSettings(port=0), tiny_recognizer, scheduler) as srv,
    ):
        messages, code, reason = asyncio.run(stream_file(ws_url(srv), pieces(read_wav(speech))))
    errors = [m for m in messages if m["type"] == "error"]
    assert code == 1011
    assert len(errors) == 1 and "boom" in errors[0]["message"] and "boom" in reason
    assert not [m for m in messages if m["type"] == "transcript"]


def test_float32_frames_equal_the_upload(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    frames = pieces(read_wav(speech), lambda x: x.astype("<f4").tobytes())
    messages, code, _ = asyncio.run(stream_file(ws_url(server, "encoding=pcm_f32le"), frames))
    assert code == 1000 and final_words(messages) == upload_words


def test_wav_messages_of_the_first_design_still_work(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    frames = pieces(read_wav(speech), wav_bytes)
    messages, code, _ = asyncio.run(stream_file(ws_url(server), frames))
    assert code == 1000 and final_words(messages) == upload_words


def test_other_sample_rates_are_resampled(server: ApiServer, speech: Path) -> None:
    audio = resample(read_wav(speech), 16000, 44100)
    raw, _, _ = asyncio.run(
        stream_file(ws_url(server, "sample_rate=44100"), pieces(audio, size=4410))
    )
    wav, _, _ = asyncio.run(
        stream_file(ws_url(server), pieces(audio, lambda x: wav_bytes(x, 44100), size=4410))
    )
    config = {"type": "config", "sample_rate": 44100}
    configured, code, _ = asyncio.run(
        stream_file(ws_url(server), [json.dumps(config), *pieces(audio, size=4410)])
    )
    assert code == 1000
    assert [m["sample_rate"] for m in configured if m["type"] == "ready"] == [16000, 44100]
    assert final_words(raw), "resampled audio gives words"
    assert final_words(wav) == final_words(raw), "WAV messages and raw frames at 44.1 kHz"
    assert final_words(configured) == final_words(raw), "a config message and query parameters"


def test_finalize_flushes_and_a_fresh_stream_continues(server: ApiServer, speech: Path) -> None:
    samples = read_wav(speech)
    half = len(samples) // 2

    async def run() -> list[dict]:
        async with websockets.connect(ws_url(server)) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            for frame in pieces(samples[:half]):
                await ws.send(frame)
            await ws.send(json.dumps({"type": "finalize"}))
            first = []
            while not first or first[-1]["type"] != "finalized":
                first.append(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))
            await ws.send(json.dumps({"type": "keepalive"}))
            for frame in pieces(samples[half:]):
                await ws.send(frame)
            await ws.send(json.dumps({"type": "close"}))
            return first + await messages_until_closed(ws)

    messages = asyncio.run(run())
    finalized = [m for m in messages if m["type"] == "finalized"]
    assert len(finalized) == 1 and finalized[0]["end"] == pytest.approx(half / 16000, abs=1e-3)
    index = messages.index(finalized[0])
    before, after = final_words(messages[:index]), final_words(messages[index:])
    assert before and after
    words = [w for m in messages if m["type"] == "transcript" and m["is_final"] for w in m["words"]]
    assert all(
        w["end"] <= finalized[0]["end"] + 0.02 for w in words[: len(before)]
    )  # + the last frame's padding
    assert all(w["start"] >= finalized[0]["end"] - 1e-6 for w in words[len(before) :]), (
        "times continue after a finalize"
    )


@pytest.mark.parametrize(
    "close",
    ['{"type": "CloseStream"}', '{"eof": 1}', "Done"],
    ids=["deepgram", "vosk", "sherpa-onnx"],
)
def test_other_clients_end_of_stream_messages(server: ApiServer, speech: Path, close: str) -> None:
    frames = [
        '{"type": "KeepAlive"}',
        '{"config": {"sample_rate": 16000}}',
        *pieces(read_wav(speech))[:12],
        close,
    ]
    messages, code, _ = asyncio.run(stream_file(ws_url(server), frames))
    assert code == 1000 and not [m for m in messages if m["type"] == "error"]
    assert final_words(messages) and messages[-1]["type"] == "utterance_end"


# errors -------------------------------------------------------------------------------------------
BAD_CLIENTS = {
    "odd byte count for PCM16": ("", [b"\x00" * 1601], 1003, "whole 2-byte samples"),
    "float32 bytes not a multiple of 4": (
        "encoding=pcm_f32le",
        [b"\x00" * 6],
        1003,
        "whole 4-byte samples",
    ),
    "not JSON": ("", ["hello"], 1003, "JSON control messages"),
    "unknown control message": ("", ['{"type": "dance"}'], 1003, "unknown control message"),
    "JSON that is not an object": ("", ["[1, 2]"], 1003, "JSON control messages"),
    "frame over the limit": ("", [b"\x00" * 64_002], 1009, "over the limit of 64000 bytes"),
    "config after audio": (
        "",
        [b"\x00" * 3200, '{"type": "config", "sample_rate": 8000}'],
        1008,
        "before the first audio",
    ),
    "bad config sample rate": (
        "",
        ['{"type": "config", "sample_rate": 5}'],
        1003,
        "unsupported sample rate",
    ),
    "broken WAV message": (
        "",
        [b"RIFF\x10\x00\x00\x00WAVEfmt garbage"],
        1003,
        "WAV message could not be decoded",
    ),
    "bad query sample rate": ("sample_rate=abc", [], 1003, "unsupported sample rate"),
    "sample rate too high": ("sample_rate=1000000", [], 1003, "unsupported sample rate"),
    "unknown encoding": ("encoding=mp3", [], 1003, "unsupported encoding"),
    "bad partials flag": ("partials=maybe", [], 1003, "partials must be true or false"),
    "bad stable_partials flag": (
        "stable_partials=2",
        [],
        1003,
        "stable_partials must be true or false",
    ),
    "label too long": ("label=" + "x" * 41, [], 1003, "label must be 1 to 40"),
    "label not a string": ("", ['{"type": "config", "label": 7}'], 1003, "label must be"),
}


@pytest.mark.parametrize("case", list(BAD_CLIENTS), ids=list(BAD_CLIENTS))
def test_protocol_errors_get_a_message_and_a_close_code(server: ApiServer, case: str) -> None:
    query, frames, code, text = BAD_CLIENTS[case]
    messages, close_code, reason = asyncio.run(expect_refusal(ws_url(server, query), frames))
    errors = [m for m in messages if m["type"] == "error"]
    assert close_code == code
    assert len(errors) == 1 and text in errors[0]["message"] and text in reason
    assert wait_until(lambda: server.context.scheduler.active_streams == 0)


def test_a_misbehaving_client_does_not_disturb_others(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    async def run() -> tuple:
        bad = [b"\x01" * 3200] * 5 + [b"\x00" * 1601]
        good = stream_file(ws_url(server), pieces(read_wav(speech)))
        return await asyncio.gather(good, expect_refusal(ws_url(server), bad))

    (messages, code, _), (_, bad_code, _) = asyncio.run(run())
    assert (code, bad_code) == (1000, 1003)
    assert final_words(messages) == upload_words


def test_a_vanished_client_frees_its_stream(server: ApiServer, speech: Path) -> None:
    scheduler = server.context.scheduler

    async def run() -> None:
        ws = await websockets.connect(ws_url(server))
        assert json.loads(await ws.recv())["type"] == "ready"
        for frame in pieces(read_wav(speech))[:15]:
            await ws.send(frame)
        assert scheduler.active_streams == 1
        ws.transport.abort()  # no close handshake: the network went away

    asyncio.run(run())
    assert wait_until(lambda: scheduler.active_streams == 0)
    assert wait_until(lambda: server.context.ws_sessions == 0)


def test_too_many_streams_are_refused_at_the_handshake(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, max_streams=2) as srv:

        async def run() -> tuple:
            url = ws_url(srv)
            async with websockets.connect(url) as a, websockets.connect(url) as b:
                for ws in (a, b):
                    assert json.loads(await ws.recv())["type"] == "ready"
                refused = await expect_refusal(url, [])
                assert srv.context.scheduler.active_streams == 2, "the refused client got no stream"
                for ws in (a, b):
                    for frame in pieces(read_wav(speech))[:10]:
                        await ws.send(frame)
                    await ws.send(json.dumps({"type": "close"}))
                results = [await messages_until_closed(ws) for ws in (a, b)]
            return refused, results, (a.close_code, b.close_code)

        (messages, code, reason), results, codes = asyncio.run(run())
        assert code == 1013 and "too many streams" in reason
        assert [m["type"] for m in messages] == ["error"]
        assert codes == (1000, 1000) and all(final_words(r) for r in results)
        assert wait_until(lambda: srv.context.scheduler.active_streams == 0)
        # Once the others are gone, a new client is welcome again.
        messages, code, _ = asyncio.run(stream_file(ws_url(srv), []))
        assert code == 1000


def test_token_is_required_by_header_or_query(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, token="s3cret") as srv:
        messages, code, reason = asyncio.run(expect_refusal(ws_url(srv), []))
        assert code == 1008 and "token" in reason and messages[0]["type"] == "error"
        _, code, _ = asyncio.run(expect_refusal(ws_url(srv, "token=wrong"), []))
        assert code == 1008
        frames = pieces(read_wav(speech))[:10]
        by_query, code_q, _ = asyncio.run(stream_file(ws_url(srv, "token=s3cret"), frames))
        by_header, code_h, _ = asyncio.run(
            stream_file(ws_url(srv), frames, headers={"Authorization": "Bearer s3cret"})
        )
        assert (code_q, code_h) == (1000, 1000)
        assert final_words(by_query) == final_words(by_header)


def test_pages_of_other_sites_may_not_connect(server: ApiServer) -> None:
    messages, code, reason = asyncio.run(
        expect_refusal(ws_url(server), [], headers={"Origin": "http://evil.example"})
    )
    assert code == 1008 and "origin" in reason
    own = server.url  # the caption page's own origin is fine
    _, code, _ = asyncio.run(stream_file(ws_url(server), [], headers={"Origin": own}))
    assert code == 1000


def test_idle_streams_are_flushed_then_closed(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, idle_timeout_s=0.5) as srv:

        async def run() -> list[dict]:
            async with websockets.connect(ws_url(srv)) as ws:
                assert json.loads(await ws.recv())["type"] == "ready"
                for frame in pieces(read_wav(speech)):
                    await ws.send(frame)
                messages = await messages_until_closed(ws)  # then say nothing
            assert ws.close_code == 1008 and "idle" in ws.close_reason
            return messages

        assert final_words(asyncio.run(run())), "the audio before the silence is transcribed"


def test_faster_than_real_time_is_allowed_with_an_overload_warning(
    tiny_recognizer, speech: Path
) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, warn_lag_s=0.5) as srv:
        expected = upload(srv, speech)

        async def run() -> list[dict]:
            async with websockets.connect(ws_url(srv)) as ws:
                messages = [json.loads(await ws.recv())]
                for frame in pieces(read_wav(speech)):
                    await ws.send(frame)
                while messages[-1]["type"] != "overload":
                    messages.append(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))
                await ws.send(json.dumps({"type": "close"}))
                return messages + await messages_until_closed(ws)

        messages = asyncio.run(run())
        overload = next(m for m in messages if m["type"] == "overload")
        assert overload["lag_s"] > 0.5
        # The text says the lag the message carries (issue 30: "13 s behind" with lag_s 1.0).
        assert f"captions are {overload['lag_s']:.0f} s behind" in overload["message"]
        assert final_words(messages) == expected, "an overload warning loses nothing"


def test_a_stream_too_far_behind_is_ended(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, warn_lag_s=0.2, max_lag_s=0.9) as srv:

        async def run() -> tuple:
            async with websockets.connect(ws_url(srv)) as ws:
                await ws.recv()
                for frame in pieces(read_wav(speech)):
                    try:
                        await ws.send(frame)
                    except ConnectionClosed:
                        break
                messages = await messages_until_closed(ws)
            return messages, ws.close_code

        messages, code = asyncio.run(run())
        assert code == 1013
        assert "cannot keep up" in [m for m in messages if m["type"] == "error"][0]["message"]
        assert wait_until(lambda: srv.context.scheduler.active_streams == 0)


def test_stats_messages_report_lag(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    settings = ServerSettings(port=0, stats_interval_s=0.05)
    with ApiServer(settings, tiny_recognizer) as srv:

        async def run() -> dict:
            async with websockets.connect(ws_url(srv)) as ws:
                await ws.recv()
                await ws.send(pieces(read_wav(speech))[0])
                while (message := json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))[
                    "type"
                ] != "stats":
                    pass
                return message

        stats = asyncio.run(run())
        assert stats["received_s"] == pytest.approx(0.1, abs=1e-3)
        assert stats["active_streams"] == 1 and stats["lag_s"] >= 0


def test_the_documented_client_example_runs(
    server: ApiServer, speech: Path, upload_words: list[str]
) -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ws_client.py"
    out = subprocess.run(
        [sys.executable, str(example), str(speech), "--url", ws_url(server)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    printed = " ".join(line.split("] ", 1)[1] for line in out.stdout.splitlines())
    assert printed.lower().split() == [w.lower() for w in upload_words]
    assert "final results" in out.stderr


def test_quiet_stretches_give_the_same_finals_as_the_upload(
    server: ApiServer, speech: Path, speech_dir: Path
) -> None:
    speech_samples = read_wav(speech)
    hiss = (
        np.random.default_rng(0).uniform(-5e-4, 5e-4, 16000 * 6).astype(np.float32)
    )  # a muted microphone
    audio = np.concatenate([speech_samples, hiss, speech_samples])
    path = speech_dir / "quiet-gap.wav"
    sf.write(path, audio, 16000, subtype="FLOAT")
    messages, code, _ = asyncio.run(
        stream_file(
            ws_url(server, "encoding=pcm_f32le"), pieces(audio, lambda x: x.astype("<f4").tobytes())
        )
    )
    assert code == 1000 and final_words(messages) == upload(server, path)


def test_stopping_the_server_ends_open_streams(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    srv = ApiServer(ServerSettings(port=0), tiny_recognizer).start()
    scheduler = srv.context.scheduler
    stopped = threading.Event()

    async def run() -> int | None:
        async with websockets.connect(ws_url(srv)) as ws:
            await ws.recv()
            await ws.send(pieces(read_wav(speech))[0])
            threading.Thread(target=lambda: (srv.stop(), stopped.set())).start()
            await messages_until_closed(ws)
        return ws.close_code

    assert asyncio.run(run()) == 1012  # uvicorn's "service restart"
    assert stopped.wait(TIMEOUT) and scheduler.active_streams == 0


def test_the_scheduler_s_own_refusal_closes_with_1013(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    """The server's count has room, but the scheduler it shares (the desktop app's, whose
    microphone stream holds a place) has none: the second capacity check refuses, with the same
    close code and reason as the first, on both protocols (issue 23: no test caught another
    close code here)."""
    from engine.scheduler import Scheduler, SchedulerOptions

    scheduler = Scheduler(tiny_recognizer, SchedulerOptions(max_streams=1))
    scheduler.start()
    microphone = scheduler.open_stream(lambda event: None)
    settings = ServerSettings(port=0, stats_interval_s=0, max_streams=4)
    try:
        with ApiServer(settings, tiny_recognizer, scheduler) as srv:
            assert not srv.context.full
            messages, code, reason = asyncio.run(expect_refusal(ws_url(srv), []))
            assert code == 1013 and "too many streams" in reason, (code, reason)
            assert [m["type"] for m in messages] == ["error"]

            async def realtime() -> tuple[dict, int | None]:
                url = f"ws://127.0.0.1:{srv.port}/v1/realtime?intent=transcription"
                async with websockets.connect(url) as ws:
                    event = json.loads(await ws.recv())
                    await messages_until_closed(ws)
                return event, ws.close_code

            event, code = asyncio.run(realtime())
            assert code == 1013 and event["error"]["code"] == "too_many_streams", event
            assert srv.context.ws_sessions == 0
    finally:
        microphone.close()
        scheduler.stop()


def test_labelled_streams_echo_their_label(server: ApiServer, speech: Path) -> None:
    """One stream per source, each labelled (query or config): every message of a stream
    carries its label, and its words are what an unlabelled stream gets."""
    frames = pieces(read_wav(speech))

    async def both() -> list[tuple[list[dict], int, str]]:
        return await asyncio.gather(
            stream_file(ws_url(server, "label=You"), frames),
            stream_file(
                ws_url(server), [json.dumps({"type": "config", "label": "Others"}), *frames]
            ),
            stream_file(ws_url(server), frames),
        )

    (you, _, _), (others, _, _), (plain, _, _) = asyncio.run(both())
    assert you[0]["type"] == "ready" and you[0]["label"] == "You"
    assert all(m["label"] == "You" for m in you)
    assert any(m["type"] == "transcript" for m in you)
    # Configured after the handshake: the second ready and everything after say "Others".
    assert others[0]["label"] is None
    assert others[1]["type"] == "ready" and all(m["label"] == "Others" for m in others[1:])
    assert plain[0]["label"] is None and all("label" not in m for m in plain[1:])
    assert final_words(you) == final_words(others) == final_words(plain)

"""The API against hostile and careless clients (issue 15), on a real server on 127.0.0.1:
uploads that would cost minutes, clients that leave mid-work, DNS rebinding, foreign pages,
deeply nested JSON, NaN and overflowing samples, unfinished requests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import logging
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
import websockets
from helpers import read_wav, say
from helpers.ws import expect_refusal, final_words, pieces, stream_file, wait_until, ws_url
from websockets.exceptions import InvalidStatus

from engine.api import ApiServer, ServerSettings
from engine.audio import iter_audio
from engine.errors import AudioError

TIMEOUT = 60.0


class GatedModel:
    """The real recognizer behind a gate the test opens: it records every window it is given,
    and (while ``hold`` is set) waits in its first forward pass until ``release``."""

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        self._model = model
        self.windows = 0
        self.calls = 0
        self.hold = threading.Event()
        self.entered = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._model, name)

    def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.windows += len(windows)
        if self.hold.is_set():
            self.entered.set()
            assert self.release.wait(TIMEOUT), "the test never opened the gate"
        return self._model.frames(windows, valid)


@contextmanager
def running(model, **settings) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    server = ApiServer(ServerSettings(port=0, stats_interval_s=0, **settings), model).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def speech(speech_dir: Path) -> Path:
    return say("the quick brown fox jumps over the lazy dog", speech_dir / "hostile-fox.wav")


def wav_file(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> bytes:
    out = io.BytesIO()
    sf.write(out, samples, rate, format="WAV", subtype=subtype)
    return out.getvalue()


def noise(seconds: float, rate: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(1)
    return (rng.standard_normal(int(seconds * rate)) * 0.1).astype(np.float32)


def post_file(server: ApiServer, data: bytes, path: str = "/v1/audio/transcriptions", **kw):  # type: ignore[no-untyped-def]
    return httpx.post(
        server.url + path, files={"file": ("a.wav", data, "audio/wav")}, timeout=TIMEOUT, **kw
    )


class LogWatch(logging.Handler):
    """Sets an event when the API logs a message containing ``text``; keeps every record."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.text = text
        self.seen = threading.Event()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if self.text in record.getMessage():
            self.seen.set()


@contextmanager
def watching(text: str) -> Iterator[LogWatch]:
    logger = logging.getLogger("engine.api")
    watch, level = LogWatch(text), logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)


def raw_request(server: ApiServer, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    sock.sendall(head)
    return sock


# 1. work limits, cancellation, shared capacity -------------------------------------------------
def test_an_implausible_sample_rate_is_refused_before_any_work(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    amp = wav_file(noise(1.0, rate=10_000).reshape(-1), 1)  # 20 KB declaring 1 Hz: 10,000 s
    with running(model) as server:
        for path in ("/v1/audio/transcriptions", "/transcribe"):
            response = post_file(server, amp, path)
            assert response.status_code == 400, response.text
            assert "sample rate 1 Hz" in response.text
    assert model.windows == 0


def test_audio_over_the_length_limit_is_refused_before_any_work(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    with running(model, max_audio_s=5.0) as server:
        response = post_file(server, wav_file(noise(8.0), 16000))
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "audio_out_of_range" and "limit of 5 s" in error["message"]
        assert post_file(server, wav_file(noise(3.0), 16000)).status_code == 200
    assert model.calls > 0  # the short one ran


def test_an_upload_whose_client_left_stops_its_work(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    body = wav_file(noise(120.0), 16000)  # about 120 windows of work
    boundary = "hostile-boundary"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.wav"\r\n'
            f"Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with running(model) as server, watching("went away") as log:
        model.hold.set()
        head = (
            f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(form)}\r\n\r\n"
        ).encode()
        sock = raw_request(server, head + form)
        assert model.entered.wait(TIMEOUT), "the transcription never started"
        sock.close()  # the client gives up while the first forward pass runs
        assert log.seen.wait(TIMEOUT), "the server did not notice the client leave"
        model.release.set()
        assert wait_until(lambda: server.context.uploads == 0)
        assert model.calls == 1, f"{model.calls} forward passes ran for a client that left"


def test_a_stream_whose_client_left_stops_its_work(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    audio = noise(30.0)  # one message: about 28 windows in the scheduler's first round
    with running(model, max_frame_bytes=2_000_000) as server:
        scheduler = server.context.scheduler
        model.hold.set()

        async def run() -> None:
            ws = await websockets.connect(ws_url(server), max_size=None)
            assert json.loads(await ws.recv())["type"] == "ready"
            await ws.send(pieces(audio, size=len(audio))[0])
            await asyncio.to_thread(model.entered.wait, TIMEOUT)
            ws.transport.abort()  # gone, mid forward pass

        asyncio.run(run())
        assert wait_until(lambda: scheduler.active_streams == 0)
        model.release.set()
        model.hold.clear()
        # A stream of silence costs no forward pass; its end means the round before is over.
        done = threading.Event()
        probe = scheduler.open_stream(lambda e: e.type == "end" and done.set())
        probe.push(np.zeros(16000, np.float32))
        probe.finish()
        assert done.wait(TIMEOUT)
        batch = scheduler.options.max_batch
        assert model.windows <= batch, f"{model.windows} windows ran for a client that left"


def test_uploads_and_streams_share_one_capacity(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    with running(model, max_streams=1) as server:
        model.hold.set()
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            first = threading.Thread(
                target=lambda: client.post(
                    "/transcribe", files={"file": ("a.wav", speech.read_bytes(), "audio/wav")}
                )
            )
            first.start()
            assert model.entered.wait(TIMEOUT)
            second = post_file(server, speech.read_bytes())
            assert second.status_code == 503 and second.json()["error"]["code"] == "server_busy"
            assert second.headers["retry-after"]
            assert client.get("/health").json()["active_uploads"] == 1
            messages, code, reason = asyncio.run(expect_refusal(ws_url(server), []))
            assert code == 1013 and "too many streams" in reason
            model.release.set()
            first.join(TIMEOUT)
        assert post_file(server, speech.read_bytes()).status_code == 200


# 2. trusted hosts and origins ----------------------------------------------------------------
def test_foreign_host_names_are_refused_on_every_route(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, allowed_hosts=("captions.lan",)) as server:
        port = server.port
        for path in ("/health", "/v1/models", "/", "/docs"):
            refused = httpx.get(server.url + path, headers={"Host": f"evil.example:{port}"})
            assert refused.status_code == 400, path
            assert "evil.example" in refused.text
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "captions.lan"):
            assert httpx.get(server.url + "/health", headers={"Host": host}).status_code == 200
        # The handshake a page of a rebinding site sends (the curl): no "ready", and no
        # Realtime session, for it.
        for path in ("/ws/transcribe", "/v1/realtime?intent=transcription"):
            handshake = (
                f"GET {path} HTTP/1.1\r\nHost: evil.example:{port}\r\n"
                f"Origin: http://evil.example:{port}\r\nConnection: Upgrade\r\n"
                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            )
            answer = closed_by_server(raw_request(server, handshake.encode()))
            assert answer.startswith(b"HTTP/1.1 403") and b"ready" not in answer, answer[:200]
        with pytest.raises(InvalidStatus) as refused:  # a second Host header is no way round
            asyncio.run(stream_file(ws_url(server), [], headers={"Host": "evil.example"}))
        assert refused.value.response.status_code == 403
        rebinding = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
        upload = post_file(server, speech.read_bytes(), "/transcribe", headers=rebinding)
        assert upload.status_code == 400
    with running(tiny_recognizer, token="s3cret") as server:  # the token protects any name
        auth = {"Authorization": "Bearer s3cret", "Host": "captions.example.org"}
        assert httpx.get(server.url + "/health", headers=auth).status_code == 200


def test_uploads_from_foreign_pages_are_refused(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    foreign = {"Origin": "http://evil.example"}
    with running(tiny_recognizer) as server:
        for path in ("/transcribe", "/v1/audio/transcriptions"):
            response = post_file(server, speech.read_bytes(), path, headers=foreign)
            assert response.status_code == 403 and "origin" in response.text, path
        own = {"Origin": server.url}
        assert post_file(server, speech.read_bytes(), headers=own).status_code == 200
    with running(tiny_recognizer, cors_origins=("http://evil.example",)) as server:
        assert post_file(server, speech.read_bytes(), headers=foreign).status_code == 200


# 3. control messages -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("[" * 1000, 1003, "nest at most"),
        ('{"type": ' + "{" * 50 + "}" * 50 + "}", 1003, "nest at most"),
        ('{"type": "keepalive", "pad": "' + "x" * 20_000 + '"}', 1009, "control messages"),
    ],
    ids=["deep array", "deep object", "too long"],
)
def test_hostile_control_messages_are_refused_without_a_traceback(
    tiny_recognizer, text: str, code: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer) as server, watching("no such message") as log:
        messages, close_code, reason = asyncio.run(expect_refusal(ws_url(server), [text]))
        assert close_code == code and message in reason
        assert [m["type"] for m in messages] == ["ready", "error"]
        assert message in messages[1]["message"]
    assert not [r for r in log.records if r.levelno >= logging.ERROR or r.exc_info]
    # Brackets inside strings are text, not nesting.
    with running(tiny_recognizer) as server:
        note = json.dumps({"type": "keepalive", "note": "[" * 100})
        _, close_code, _ = asyncio.run(stream_file(ws_url(server), [note]))
        assert close_code == 1000


# 6. NaN, infinity and overflow, the same on every path ---------------------------------------
def test_nan_and_infinity_are_refused_on_every_path(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    bad = read_wav(speech).copy()
    bad[1000] = np.nan
    worse = read_wav(speech).copy()
    worse[2000] = np.inf
    with running(tiny_recognizer) as server:
        for samples in (bad, worse):
            float_wav = wav_file(samples, 16000, "FLOAT")
            messages, code, reason = asyncio.run(expect_refusal(ws_url(server), [float_wav]))
            assert code == 1003 and "NaN or infinite" in reason
            frames = pieces(samples, lambda x: x.astype("<f4").tobytes())
            _, code, reason = asyncio.run(
                expect_refusal(ws_url(server, "encoding=pcm_f32le"), frames)
            )
            assert code == 1003 and "NaN or infinite" in reason
            response = post_file(server, float_wav)
            assert response.status_code == 400 and "NaN or infinite" in response.text


def test_huge_finite_samples_are_clipped_alike_on_every_path(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    square = np.sign(read_wav(speech)).astype(np.float32)  # what clipping makes of the loud copy
    loud = square * np.float32(3e38)
    with running(tiny_recognizer) as server, warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow in the model's statistics
        expected = httpx.post(
            server.url + "/v1/audio/transcriptions",
            files={"file": ("sq.wav", wav_file(square, 16000, "FLOAT"), "audio/wav")},
            data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
            timeout=TIMEOUT,
        ).json()
        words = [w["word"] for w in expected["words"]]
        frames = pieces(loud, lambda x: x.astype("<f4").tobytes())
        messages, code, _ = asyncio.run(stream_file(ws_url(server, "encoding=pcm_f32le"), frames))
        assert code == 1000 and final_words(messages) == words
        upload = httpx.post(
            server.url + "/v1/audio/transcriptions",
            files={"file": ("loud.wav", wav_file(loud, 16000, "FLOAT"), "audio/wav")},
            data={"response_format": "verbose_json", "timestamp_granularities[]": "word"},
            timeout=TIMEOUT,
        ).json()
        assert [w["word"] for w in upload["words"]] == words


# 7. the schema tells the truth about errors --------------------------------------------------
def test_error_bodies_match_the_openapi_schema(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer) as server:
        spec = httpx.get(server.url + "/openapi.json").json()
        components = spec["components"]["schemas"]
        for path in ("/transcribe", "/v1/audio/transcriptions"):
            response = post_file(server, b"not audio at all" * 10, path)
            assert response.status_code == 400
            documented = spec["paths"][path]["post"]["responses"]["400"]
            ref = documented["content"]["application/json"]["schema"]["$ref"]
            schema = components[ref.rsplit("/", 1)[-1]]
            body = response.json()
            assert set(body) == set(schema["properties"]), (path, body, schema)
            assert set(schema.get("required", ())) <= set(body)


# 8. unfinished requests and the connection cap -----------------------------------------------
def closed_by_server(sock: socket.socket) -> bytes:
    """What the server sent before closing (b"" if nothing); fails if it keeps it open."""
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server kept an unfinished request open (got {received[:80]!r})")
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    return received


def test_unfinished_requests_are_closed_by_the_server(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    # Generous bounds: the server must close within its limit; the test only waits for it.
    with running(tiny_recognizer, header_timeout_s=1.0, body_timeout_s=1.0) as server:
        half_heads = [
            raw_request(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-") for _ in range(10)
        ]
        half_bodies = [
            raw_request(
                server,
                b"POST /transcribe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n",
            )
            for _ in range(10)
        ]
        silent = [raw_request(server, b"") for _ in range(3)]  # connected, never a byte
        for sock in half_heads + silent:
            answer = closed_by_server(sock)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:80]
        for sock in half_bodies:
            closed_by_server(sock)
        assert wait_until(lambda: server.context.uploads == 0)
        assert httpx.get(server.url + "/health").status_code == 200


def test_connections_are_capped(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, max_connections=4, header_timeout_s=60) as server:
        idle = [raw_request(server, b"GET /health HTTP/1.1\r\n") for _ in range(4)]
        assert wait_until(lambda: len(server._server.server_state.connections) >= 4)  # type: ignore[union-attr]
        assert httpx.get(server.url + "/health").status_code == 503
        for sock in idle:
            sock.close()
        assert wait_until(lambda: httpx.get(server.url + "/health").status_code == 200)


def test_oversized_request_heads_are_refused(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, max_header_bytes=8192) as server:
        sock = raw_request(server, b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 20_000)
        assert closed_by_server(sock).startswith(b"HTTP/1.1 431")


# 9. slow and crafted clients (issue 30) --------------------------------------------------------
SDP = b"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 RTP/AVP 0\n"


def udp_ports() -> set[int]:
    """Local UDP ports open on this machine (the server runs in this process)."""
    ports = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in f.readlines()[1:]:
                ports.add(int(line.split()[1].rsplit(":", 1)[1], 16))
    return ports


def test_uploads_and_files_never_reach_the_network_or_other_files(
    tiny_recognizer, speech: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # An ffconcat list naming a file of the server's disk would transcribe that file; an SDP
    # file would open UDP sockets on ports the client chose; an HLS list would fetch URLs.
    concat = f"ffconcat version 1.0\nfile '{speech}'\n".encode()
    hls = (
        b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/a.wav\n#EXT-X-ENDLIST\n"
    )
    crafted = {"x.sdp": SDP, "list.ffconcat": concat, "x.m3u8": hls}
    with running(tiny_recognizer) as server:
        for name, data in crafted.items():
            before = udp_ports()
            response = httpx.post(
                server.url + "/v1/audio/transcriptions",
                files={"file": (name, data, "application/octet-stream")},
                timeout=TIMEOUT,
            )
            assert response.status_code == 400, (name, response.text)
            assert response.json()["error"]["code"] == "invalid_audio", name
            assert 40000 not in udp_ports() - before, name
        assert post_file(server, speech.read_bytes()).status_code == 200
    for name, data in crafted.items():  # a file the user opens: a clear refusal too
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(AudioError) as refused:
            list(iter_audio(path))
        assert name in str(refused.value), refused.value
    (tmp_path / "x.sdp").write_bytes(SDP)
    with pytest.raises(AudioError, match="SDP"):
        list(iter_audio(tmp_path / "x.sdp"))


def trickle(sock: socket.socket, stop: threading.Event, every_s: float) -> None:
    """Send one byte of body every ``every_s`` until the server closes or ``stop``."""
    while not stop.wait(every_s):
        try:
            sock.sendall(b"x")
        except OSError:
            return


SLOW_POST = (
    b"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n"
)


def test_a_trickled_body_is_dropped_by_the_minimum_rate(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    # Never idle long enough for the body timeout, but far under the minimum rate.
    limits = {"body_grace_s": 0.5, "min_body_rate": 1000.0, "body_timeout_s": 600.0}
    with running(tiny_recognizer, **limits) as server, watching("under") as log:
        stop = threading.Event()
        socks = [raw_request(server, SLOW_POST) for _ in range(4)]
        threads = [threading.Thread(target=trickle, args=(s, stop, 0.2)) for s in socks]
        for thread in threads:
            thread.start()
        try:
            for sock in socks:
                assert closed_by_server(sock) == b""
        finally:
            stop.set()
            for thread in threads:
                thread.join(TIMEOUT)
        assert log.seen.is_set()
        assert httpx.get(server.url + "/health").status_code == 200


def test_an_unauthenticated_body_is_not_waited_for(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(
        tiny_recognizer, token="s3cret", body_timeout_s=600.0, body_grace_s=600.0
    ) as server:
        answer = closed_by_server(raw_request(server, SLOW_POST))
        assert answer.startswith(b"HTTP/1.1 401"), answer[:80]
        assert b'"invalid_api_key"' in answer


def connect_from(server: ApiServer, address: str, head: bytes) -> socket.socket:
    sock = socket.create_connection(
        ("127.0.0.1", server.port), timeout=TIMEOUT, source_address=(address, 0)
    )
    sock.sendall(head)
    return sock


def test_one_client_cannot_take_every_connection(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    settings = {"max_connections": 6, "max_client_connections": 4, "header_timeout_s": 600.0}
    with running(tiny_recognizer, **settings) as server:
        # 127.0.0.2 is another client on the loopback interface: it holds its share ...
        held = [connect_from(server, "127.0.0.2", b"GET /health HTTP/1.1\r\n") for _ in range(4)]
        connections = server._server.server_state.connections  # type: ignore[union-attr]
        assert wait_until(lambda: len(connections) >= 4)
        # ... and gets the API's 503 beyond it, while this client is served.
        for path, shape in (("/v1/models", "error"), ("/health", "detail")):
            head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
            answer = closed_by_server(connect_from(server, "127.0.0.2", head))
            assert answer.startswith(b"HTTP/1.1 503"), answer[:80]
            body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
            assert shape in body, body
            if shape == "error":
                assert body["error"]["code"] == "server_busy"
        assert httpx.get(server.url + "/health").status_code == 200
        for sock in held:
            sock.close()


def test_connection_cap_answers_the_documented_json(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer, max_connections=3, header_timeout_s=600.0) as server:
        idle = [raw_request(server, b"GET /health HTTP/1.1\r\n") for _ in range(3)]
        assert wait_until(lambda: len(server._server.server_state.connections) >= 3)  # type: ignore[union-attr]
        response = httpx.get(server.url + "/v1/models")
        assert response.status_code == 503 and response.headers["retry-after"]
        error = response.json()["error"]
        assert error["code"] == "server_busy" and error["type"] == "server_error"
        for sock in idle:
            sock.close()


@pytest.mark.parametrize("protocol", ["ws", "realtime"])
def test_audio_sent_while_a_stream_flushes_is_not_buffered_without_bound(
    tiny_recognizer, protocol: str
) -> None:  # type: ignore[no-untyped-def]
    model = GatedModel(tiny_recognizer)
    frame = noise(2.0).astype("<f4")  # 128 KB of float32 per message
    pcm = (noise(1.0) * 32767).astype("<i2").tobytes()
    total = 400  # 51 MB if the server took it all

    async def run() -> int:
        if protocol == "ws":
            url = ws_url(server, "encoding=pcm_f32le")
            finish = json.dumps({"type": "finalize"})
            message: str | bytes = frame.tobytes()
        else:
            url = f"ws://127.0.0.1:{server.port}/v1/realtime?intent=transcription"
            finish = json.dumps({"type": "input_audio_buffer.commit"})
            audio = base64.b64encode(pcm * 4).decode()
            message = json.dumps({"type": "input_audio_buffer.append", "audio": audio})
        sent = 0
        async with websockets.connect(url, max_size=None) as ws:
            await ws.recv()  # ready / session.created
            model.hold.set()
            await ws.send(message)
            await ws.send(finish)  # the flush waits at the gate

            async def flood() -> None:
                nonlocal sent
                for _ in range(total):
                    await ws.send(message)
                    sent += 1

            sender = asyncio.create_task(flood())
            last = -1
            while sent != last and sent < total:  # until the sends stall (or all went)
                last = sent
                await asyncio.sleep(1.0)
            sender.cancel()
            model.release.set()
            return sent

    with running(model) as server:
        sent = asyncio.run(run())
    # The server reads nothing while the flush lasts: what went out sits in socket buffers.
    assert sent < total / 4, f"{sent} messages of {len(frame) * 4} bytes were taken in"


def test_invalid_utf8_text_closes_1007_without_a_traceback(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    uvicorn_log = logging.getLogger("uvicorn.error")
    with running(tiny_recognizer) as server, watching("not UTF-8") as log:
        uvicorn_log.addHandler(log)
        try:
            for path in ("/ws/transcribe", "/v1/realtime?intent=transcription"):

                async def run(path: str = path) -> int | None:
                    async with websockets.connect(f"ws://127.0.0.1:{server.port}{path}") as ws:
                        await ws.recv()
                        await ws.send(b"\xff\xfe{}", text=True)  # a text frame, not UTF-8
                        with contextlib.suppress(websockets.ConnectionClosed):
                            while True:
                                await asyncio.wait_for(ws.recv(), TIMEOUT)
                    return ws.close_code

                assert asyncio.run(run()) == 1007, path
        finally:
            uvicorn_log.removeHandler(log)
    assert log.seen.is_set()
    assert not [r for r in log.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_host_with_a_malformed_port_is_refused(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer) as server:
        for host in ("localhost:abc", "localhost:99999", "localhost:-1", "127.0.0.1:+80"):
            response = httpx.get(server.url + "/health", headers={"Host": host})
            assert response.status_code == 400, host
            handshake = (
                f"GET /ws/transcribe HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\n"
                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            )
            answer = closed_by_server(raw_request(server, handshake.encode()))
            assert answer.startswith(b"HTTP/1.1 403"), (host, answer[:80])
        assert (
            httpx.get(server.url + "/health", headers={"Host": "localhost:80"}).status_code == 200
        )


def test_the_most_custom_words_fit_a_config_message(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    words = [f"{i:03d}" + "w" * 61 for i in range(200)]  # the documented maximum: 200 of 64

    async def configure(url: str) -> dict:
        async with websockets.connect(url) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "config", "hotwords": words}))
            return json.loads(await ws.recv())

    with running(tiny_recognizer) as server:
        ready = asyncio.run(configure(ws_url(server)))
        assert ready["type"] == "ready" and ready["hotwords"] == words
        # The handshake's request line holds at most 8 KiB (docs/api.md says so): the same list
        # in ?hotwords= is refused with 414 before a session starts.
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(stream_file(ws_url(server, "hotwords=" + ",".join(words)), []))
        assert refused.value.response.status_code == 414


def test_bad_form_values_are_400_whatever_their_type(tiny_recognizer, speech: Path) -> None:  # type: ignore[no-untyped-def]
    with running(tiny_recognizer) as server:
        spec = httpx.get(server.url + "/openapi.json").json()
        body = spec["paths"]["/v1/audio/transcriptions"]["post"]["requestBody"]
        ref = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
        fields = spec["components"]["schemas"][ref]["properties"]
        assert "simplified" in fields["chinese"]["enum"] and "null" not in fields["chinese"]["enum"]
        assert "verbose_json" in fields["response_format"]["enum"]
        for field in ("chinese", "temperature", "response_format", "language"):
            response = httpx.post(
                server.url + "/v1/audio/transcriptions",
                files={"file": ("a.wav", speech.read_bytes(), "audio/wav")},
                data={field: "null"},
                timeout=TIMEOUT,
            )
            assert response.status_code == 400, (field, response.text)
            error = response.json()["error"]
            assert error["param"] == field and error["code"] == "invalid_value", error


def test_audio_far_ahead_of_the_engine_is_not_queued_without_bound(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    """While the engine is busy (the gate holds its forward pass), a client sending as fast as
    it can gets no more than ``max_lag_s`` of audio (and a frame) queued; the engine then ends
    the stream with 1013, as for any stream too far behind."""
    model = GatedModel(tiny_recognizer)
    frame = (noise(2.0) * 32767).astype("<i2").tobytes()  # 2 s a message

    async def run() -> tuple[float, int | None]:
        async with websockets.connect(ws_url(server), max_size=None) as ws:
            await ws.recv()
            model.hold.set()
            await ws.send(frame)
            assert await asyncio.to_thread(model.entered.wait, TIMEOUT)
            for _ in range(100):  # 200 s of audio
                await ws.send(frame)
            await ws.send(json.dumps({"type": "keepalive"}))
            # The server has read every frame once /health sees all of them or the cap.
            await asyncio.sleep(1.0)
            health = (await asyncio.to_thread(httpx.get, server.url + "/health")).json()
            model.release.set()
            with contextlib.suppress(websockets.ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), TIMEOUT)
        return max(s["lag_s"] for s in health["streams"]), ws.close_code

    with running(model, max_lag_s=10.0, warn_lag_s=5.0) as server:
        lag, code = asyncio.run(run())
    assert lag <= 10.0 + 2.0 + 2.0, lag  # the cap, the frame that passed it, the first frame
    assert code == 1013

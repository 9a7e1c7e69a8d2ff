"""HTTP routes against a real uvicorn server: uploads, formats, limits, errors, tokens, start-up."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.api import ApiServer, PortInUse, ServerError, ServerSettings

LIMIT = 100_000
TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tiny_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    with ApiServer(ServerSettings(port=0, max_upload_bytes=LIMIT), tiny_recognizer) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        yield c


def post(
    client: httpx.Client,
    path: str,
    content: bytes,
    name: str = "speech.wav",
    field: str = "file",
    **data: object,
) -> httpx.Response:
    return client.post(path, files={field: (name, content, "application/octet-stream")}, data=data)


def test_legacy_route_answers_transcription(client: httpx.Client, hello_wav: Path) -> None:
    legacy = post(client, "/transcribe", hello_wav.read_bytes())
    openai = post(client, "/v1/audio/transcriptions", hello_wav.read_bytes())
    assert legacy.status_code == openai.status_code == 200
    assert legacy.json()["transcription"] == openai.json()["text"] != ""
    assert openai.json()["usage"] == {
        "type": "duration",
        "seconds": pytest.approx(hello_wav.stat().st_size / 32000, abs=0.01),
    }


def test_response_formats(client: httpx.Client, hello_wav: Path) -> None:
    audio = hello_wav.read_bytes()
    text = post(client, "/v1/audio/transcriptions", audio).json()["text"]
    plain = post(client, "/v1/audio/transcriptions", audio, response_format="text")
    assert plain.headers["content-type"].startswith("text/plain") and plain.text == text + "\n"
    srt = post(client, "/v1/audio/transcriptions", audio, response_format="srt").text
    assert srt.startswith("1\n00:00:") and " --> " in srt
    vtt = post(client, "/v1/audio/transcriptions", audio, response_format="vtt").text
    assert vtt.startswith("WEBVTT\n") and " --> " in vtt
    verbose = post(client, "/v1/audio/transcriptions", audio, response_format="verbose_json").json()
    assert (
        verbose["text"] == text and verbose["task"] == "transcribe" and verbose["language"] == "en"
    )
    assert "words" not in verbose and " ".join(s["text"] for s in verbose["segments"]) == text
    both = client.post(
        "/v1/audio/transcriptions",
        files={"file": ("hello.wav", audio)},
        data={
            "response_format": "verbose_json",
            "timestamp_granularities[]": ["word", "segment"],
            "language": "en",
            "model": "whisper-1",
        },
    ).json()
    words = [w["word"] for w in both["words"]]
    assert " ".join(words).lower() == text.lower() and both["segments"]
    assert all(w["start"] <= w["end"] for w in both["words"])


def test_models_and_health(client: httpx.Client, server: ApiServer, tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    models = client.get("/v1/models").json()
    assert models["object"] == "list" and [m["id"] for m in models["data"]] == [
        tiny_recognizer.name
    ]
    health = client.get("/health").json()
    assert (
        health["status"] == "ok"
        and health["model"] == tiny_recognizer.name
        and health["device"] == "cpu"
    )
    assert health["active_streams"] == 0 and health["lag_s"] == 0 and health["uptime_s"] >= 0
    assert health["profile"] == "balanced"


def test_docs_and_caption_page(client: httpx.Client) -> None:
    assert "swagger" in client.get("/docs").text.lower()
    schema = client.get("/openapi.json").json()
    assert {"/transcribe", "/v1/audio/transcriptions", "/v1/models", "/health"} <= set(
        schema["paths"]
    )
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    script = client.get("/static/app.js").text
    assert "/ws/transcribe" in script and "getUserMedia" in script
    assert client.get("/static/pcm-worklet.js").status_code == 200


def test_too_big_uploads_get_413_before_the_body_is_read(client: httpx.Client) -> None:
    big = b"\x00" * (LIMIT + 200_000)
    response = post(client, "/v1/audio/transcriptions", big)
    assert response.status_code == 413
    assert (
        response.json()["error"]["code"] == "file_too_large"
        and f"{LIMIT:,} bytes" in response.json()["error"]["message"]
    )
    assert post(client, "/transcribe", big).status_code == 413
    # A file just over the limit passes the body check (room for the form) but not the file check.
    assert (
        post(client, "/transcribe", b"\x00" * (LIMIT + 1))
        .json()["detail"]
        .startswith("the upload is larger")
    )


def test_too_big_chunked_upload_is_counted_as_it_streams(client: httpx.Client) -> None:
    boundary = "x-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'.encode()

    def body() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        yield head
        for _ in range(40):
            yield b"\x00" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/v1/audio/transcriptions",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413 and response.json()["error"]["param"] == "file"
    assert client.get("/health").status_code == 200, "the server is fine afterwards"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"this is not audio at all, just text" * 10, "cannot be read as audio"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00", "cannot be read as audio"),  # truncated header
        (
            b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00",
            "contains no audio",
        ),
    ],
    ids=["empty", "not audio", "truncated", "no samples"],
)
def test_bad_audio_is_400(client: httpx.Client, content: bytes, message: str) -> None:
    response = post(client, "/v1/audio/transcriptions", content)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (
        message in error["message"]
        and error["param"] == "file"
        and error["type"] == "invalid_request_error"
    )
    assert "/tmp" not in error["message"], "the server's temporary path is not shown"
    legacy = post(client, "/transcribe", content)
    assert legacy.status_code == 400 and message in legacy.json()["detail"]


def test_wrong_field_name_is_422(client: httpx.Client, hello_wav: Path) -> None:
    response = post(client, "/v1/audio/transcriptions", hello_wav.read_bytes(), field="audio")
    assert response.status_code == 422
    assert (
        response.json()["error"]["param"] == "file"
        and "required" in response.json()["error"]["message"].lower()
    )
    legacy = post(client, "/transcribe", hello_wav.read_bytes(), field="audio")
    assert legacy.status_code == 422 and legacy.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"response_format": "mp3"}, "response_format"),
        ({"timestamp_granularities[]": "word"}, "timestamp_granularities"),
        (
            {"response_format": "verbose_json", "timestamp_granularities[]": "letter"},
            "timestamp_granularities",
        ),
        ({"language": "english, please"}, "language"),
    ],
)
def test_bad_options_are_400(client: httpx.Client, hello_wav: Path, data: dict, param: str) -> None:
    response = client.post(
        "/v1/audio/transcriptions", files={"file": ("a.wav", hello_wav.read_bytes())}, data=data
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == param


def test_unknown_v1_routes_answer_in_openai_shape(client: httpx.Client) -> None:
    response = client.get("/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["message"] == "Not Found"


def test_token_is_required_everywhere_but_the_caption_page(
    tiny_recognizer, hello_wav: Path
) -> None:  # type: ignore[no-untyped-def]
    with (
        ApiServer(ServerSettings(port=0, token="s3cret"), tiny_recognizer) as srv,
        httpx.Client(base_url=srv.url, timeout=TIMEOUT) as c,
    ):
        for path in ("/health", "/v1/models", "/docs", "/openapi.json"):
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401, path
            assert c.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200, path
        refused = c.get("/v1/models")
        assert (
            refused.json()["error"]["code"] == "invalid_api_key"
            and refused.headers["www-authenticate"] == "Bearer"
        )
        assert c.get("/health?token=s3cret").status_code == 401, "HTTP routes take the header only"
        assert post(c, "/transcribe", hello_wav.read_bytes()).status_code == 401
        ok = c.post(
            "/transcribe",
            files={"file": ("a.wav", hello_wav.read_bytes())},
            headers={"Authorization": "Bearer s3cret"},
        )
        assert ok.status_code == 200
        assert c.get("/").status_code == 200 and c.get("/static/app.js").status_code == 200


def test_cors_only_when_configured(tiny_recognizer, server: ApiServer) -> None:  # type: ignore[no-untyped-def]
    origin = {"Origin": "http://app.example", "Access-Control-Request-Method": "POST"}
    assert (
        "access-control-allow-origin"
        not in httpx.get(f"{server.url}/health", headers=origin).headers
    )
    with ApiServer(
        ServerSettings(port=0, cors_origins=("http://app.example",), token="t"), tiny_recognizer
    ) as srv:
        preflight = httpx.options(f"{srv.url}/v1/audio/transcriptions", headers=origin)
        assert (
            preflight.status_code == 200
            and preflight.headers["access-control-allow-origin"] == "http://app.example"
        )
        health = httpx.get(
            f"{srv.url}/health",
            headers={"Origin": "http://app.example", "Authorization": "Bearer t"},
        )
        assert health.headers["access-control-allow-origin"] == "http://app.example"


def test_other_interfaces_need_a_token(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
        with pytest.raises(ServerError, match="token"):
            ApiServer(ServerSettings(host=host, port=0), tiny_recognizer).start()
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert ServerSettings(host=host).loopback
    ServerSettings(host="0.0.0.0", token="t").check()


def test_port_in_use_is_a_clear_error(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse, match=f"port {port} "):
            ApiServer(ServerSettings(port=port), tiny_recognizer).start()


def test_a_model_that_cannot_load_fails_start(tmp_path: Path) -> None:
    from engine import ModelLoadError, ModelOptions

    settings = ServerSettings(port=0, model=ModelOptions(name=str(tmp_path), local_files_only=True))
    with pytest.raises(ModelLoadError, match="config.json"):
        ApiServer(settings).start()


def test_stop_then_start_again(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    srv = ApiServer(ServerSettings(port=0), tiny_recognizer).start()
    port = srv.port
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health")
    with ApiServer(ServerSettings(port=port), tiny_recognizer) as again:
        assert httpx.get(f"{again.url}/health").status_code == 200


def test_the_engine_core_stays_free_of_the_web_stack_and_serve_of_qt() -> None:
    code = (
        "import sys, json\n"
        "import engine, engine.transcribe, engine.scheduler, engine.streaming, engine.audio\n"
        "import live_captions.cli\n"
        "live_captions.cli.build_parser()\n"
        "web = sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'uvicorn', 'starlette'})\n"
        "import live_captions.serve, engine.api.runner\n"
        "print(json.dumps({'web': web, 'qt': [m for m in sys.modules if m.startswith('PySide6')]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout) == {"web": [], "qt": []}


def test_an_existing_scheduler_is_used_and_left_running(tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    from engine.scheduler import Scheduler

    with Scheduler(tiny_recognizer) as scheduler:
        with ApiServer(ServerSettings(port=0), scheduler=scheduler) as srv:
            assert srv.context.scheduler is scheduler and srv.context.recognizer is tiny_recognizer
            assert httpx.get(f"{srv.url}/health").json()["model"] == tiny_recognizer.name
        stream = scheduler.open_stream(lambda event: None)  # the desktop app's own stream goes on
        stream.close()

"""A stand-in for the Hugging Face hub on 127.0.0.1, for download tests.

It serves model folders as hub repos the way ``huggingface_hub.snapshot_download`` (2.x) asks
for them: ``GET /api/models/REPO[/revision/REV]`` (the commit and files with sizes),
``GET /api/models/REPO/tree/REV``
(the file list with sizes), then ``HEAD`` and ``GET /REPO/resolve/REV/FILE`` with the headers
the client requires (``X-Repo-Commit``, ``ETag``, ``Content-Length``) and ``Range`` for resuming.
No ``X-Xet-Hash`` is sent, so the client downloads over plain HTTP.

It can be slowed (``rate``), cut mid-file (``cut``: the first GET of a file breaks off after
that many bytes), made to answer every request with an error (``status``), and it records
every request (``log``) so a test can see what the client did (a resume is a ranged GET).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"  # the one revision every repo has
PIECE = 16 * 1024  # bytes written between rate checks


@dataclass
class Request:
    method: str
    path: str
    range: str | None  # the Range header, if any


@dataclass
class FakeHub:
    repos: dict[str, Path]  # repo id -> folder whose files the repo holds
    rate: float | None = None  # bytes per second per response; None: as fast as it goes
    cut: dict[str, int] = field(
        default_factory=dict
    )  # file name -> bytes before the first GET breaks
    status: int | None = None  # answer every request with this HTTP status (e.g. 503)
    # The model info lists file sizes (False: as a mirror whose model info has none; the tree
    # listing, which huggingface_hub needs them in, keeps them).
    sizes: bool = True
    log: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the hub first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # what the tests look at --------------------------------------------------------------------
    def requests(self, method: str | None = None, contains: str = "") -> list[Request]:
        with self._lock:
            return [
                r for r in self.log if (method is None or r.method == method) and contains in r.path
            ]

    def files(self, repo: str) -> dict[str, Path]:
        folder = self.repos[repo]
        return {
            p.relative_to(folder).as_posix(): p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }

    def size(self, repo: str, patterns: tuple[str, ...] = ("*",)) -> int:
        from fnmatch import fnmatch

        return sum(
            p.stat().st_size
            for name, p in self.files(repo).items()
            if any(fnmatch(name, pat) for pat in patterns)
        )

    def _record(self, method: str, path: str, range_: str | None) -> None:
        with self._lock:
            self.log.append(Request(method, path, range_))

    def _take_cut(self, name: str) -> int | None:
        with self._lock:
            return self.cut.pop(name, None)


def _etag(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests read FakeHub.log instead

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    # routing -----------------------------------------------------------------------------------
    def _answer(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.fake._record(self.command, path, self.headers.get("Range"))
        if self.fake.status is not None:
            self._error(self.fake.status, "ServerError", "the fake hub is told to fail")
            return
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/(revision|tree)/([^/]+))?", path)
        resolve = re.fullmatch(r"/(.+?/[^/]+)/resolve/([^/]+)/(.+)", path)
        if api:
            repo, kind, _rev = api.groups()
            if repo not in self.fake.repos:
                self._error(404, "RepoNotFound", f"Repository {repo} not found")
            elif kind == "tree":
                self._json(self._tree(repo))
            else:
                self._json(self._model_info(repo))
        elif resolve:
            repo, _rev, name = resolve.groups()
            if repo not in self.fake.repos:
                self._error(404, "RepoNotFound", f"Repository {repo} not found")
                return
            files = self.fake.files(repo)
            if name not in files:
                self._error(404, "EntryNotFound", f"{name} not in {repo}")
                return
            self._file(files[name], name, body)
        else:
            self._error(404, "RepoNotFound", "no such route")

    def _model_info(self, repo: str) -> dict[str, object]:
        files = self.fake.files(repo)
        return {
            "id": repo,
            "modelId": repo,
            "sha": COMMIT,
            "private": False,
            "siblings": [{"rfilename": n, **self._size(p)} for n, p in files.items()],
        }

    def _tree(self, repo: str) -> list[dict[str, object]]:
        return [
            {
                "type": "file",
                "path": name,
                "size": p.stat().st_size,
                "oid": hashlib.sha1(p.read_bytes()).hexdigest(),
            }
            for name, p in self.fake.files(repo).items()
        ]

    def _size(self, path: Path) -> dict[str, int]:
        return {"size": path.stat().st_size} if self.fake.sizes else {}

    # responses ---------------------------------------------------------------------------------
    def _json(self, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Repo-Commit", COMMIT)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        data = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _file(self, path: Path, name: str, body: bool) -> None:
        data = path.read_bytes()
        start = 0
        ranged = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", "") or "")
        if ranged and body:
            start = min(int(ranged.group(1)), len(data))
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{_etag(path)}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if not body:
            return
        cut = self.fake._take_cut(name)
        end = len(data) if cut is None else min(len(data), start + cut)
        began = time.monotonic()
        sent = 0
        try:
            for offset in range(start, end, PIECE):
                piece = data[offset : min(offset + PIECE, end)]
                self.wfile.write(piece)
                sent += len(piece)
                if self.fake.rate:
                    ahead = sent / self.fake.rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)  # the server side of a slow line; tests never sleep
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away (a cancelled download)
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # mid-file: the client sees a body shorter than promised


def not_a_speech_model(folder: Path) -> Path:
    """A repo folder that is a text model, not a Wav2Vec2ForCTC."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(
        json.dumps({"architectures": ["BertModel"], "model_type": "bert"})
    )
    (folder / "model.safetensors").write_bytes(b"\0" * 300_000)
    return folder


def closed_port_url() -> str:
    """An address on loopback where nothing listens: a hub that cannot be reached."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def hub_environment(cache: Path, endpoint: str | None = None) -> dict[str, str]:
    """Environment for a child process that downloads into ``cache`` (from ``endpoint``)."""
    import os

    env = {**os.environ, "HF_HUB_OFFLINE": "0", "HF_HOME": str(cache), "HF_HUB_DISABLE_XET": "1"}
    env.pop("HF_HUB_CACHE", None)
    env.pop("HF_ENDPOINT", None)
    if endpoint is not None:
        env["HF_ENDPOINT"] = endpoint
    return env

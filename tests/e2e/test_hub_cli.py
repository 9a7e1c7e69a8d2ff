"""The command line and the API server download a model from a fake hub on loopback, as real
processes with a fresh cache: what they say first, progress, resume, Ctrl-C, errors, mirrors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEMO_DIR
from helpers.fakehub import FakeHub, closed_port_url, hub_environment

REPO_DIR = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "live_captions"]
MODEL = "acme/demo-w2v"

pytestmark = pytest.mark.skipif(
    not (DEMO_DIR / "model.safetensors").is_file(), reason="the demo model is the served repo"
)


def env_for(cache: Path, endpoint: str | None = None) -> dict[str, str]:
    return {**hub_environment(cache, endpoint), "PYTHONPATH": str(REPO_DIR)}


def transcribe(wav: Path, cache: Path, *flags: str, endpoint: str | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*CLI, "transcribe", str(wav), "--no-progress", "--threads", "1", *flags],
        capture_output=True,
        text=True,
        env=env_for(cache, endpoint),
        timeout=300,
    )


def blobs(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("blobs/*") if p.is_file()]


def test_first_run_says_what_it_downloads_shows_progress_and_transcribes(
    fake_hub: FakeHub, hello_wav: Path, tmp_path: Path
) -> None:
    fake_hub.rate = 2.5e6  # about 3.5 s for 8.3 MB
    done = transcribe(hello_wav, tmp_path, "--model", MODEL, "--hub-endpoint", fake_hub.url)
    assert done.returncode == 0, done.stderr
    first, second = done.stderr.splitlines()[:2]
    assert first.startswith(f"Downloading the speech model {MODEL} (8.3 MB) once, from ")
    assert fake_hub.url in first and str(tmp_path) in first and "Ctrl-C" in first
    assert "--model demo" in second and "--hub-endpoint https://hf-mirror.com" in second
    lines = [line for line in done.stderr.splitlines() if line.startswith("downloading: ")]
    assert len(lines) >= 2 and any("left" in line for line in lines), done.stderr
    assert lines[-1].startswith("downloading: 8.3 MB of 8.3 MB")
    assert "Traceback" not in done.stderr and len(done.stdout.split()) >= 3
    again = transcribe(hello_wav, tmp_path, "--model", MODEL, "--hub-endpoint", fake_hub.url)
    assert again.returncode == 0 and "download" not in again.stderr.lower()
    assert again.stdout == done.stdout


def test_hf_endpoint_chooses_the_mirror(fake_hub: FakeHub, hello_wav: Path, tmp_path: Path) -> None:
    done = transcribe(hello_wav, tmp_path, "--model", MODEL, endpoint=fake_hub.url)
    assert done.returncode == 0, done.stderr
    assert fake_hub.requests("GET", "model.safetensors")
    offline = transcribe(hello_wav, tmp_path, "--model", MODEL, "--offline")
    assert offline.returncode == 0, offline.stderr  # from the cache, without any hub


def test_a_cut_connection_resumes(fake_hub: FakeHub, hello_wav: Path, tmp_path: Path) -> None:
    fake_hub.cut = {"model.safetensors": 4_000_000}
    done = transcribe(hello_wav, tmp_path, "--model", MODEL, "--hub-endpoint", fake_hub.url)
    assert done.returncode == 0, done.stderr
    ranged = [r for r in fake_hub.requests("GET", "model.safetensors") if r.range]
    assert len(ranged) == 1 and ranged[0].range != "bytes=0-"


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_cancels_cleanly_and_the_next_run_downloads_again(
    fake_hub: FakeHub, hello_wav: Path, tmp_path: Path
) -> None:
    fake_hub.rate = 1e6
    args = [*CLI, "transcribe", str(hello_wav), "--model", MODEL, "--hub-endpoint", fake_hub.url]
    # A terminal's Ctrl-C: the child takes SIGINT's default action even where this test runs as
    # a background job of a non-interactive shell, whose children start with SIGINT ignored
    # (then Python installs no KeyboardInterrupt handler and the download just went on).
    process = subprocess.Popen(
        args,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env_for(tmp_path),
        preexec_fn=default_sigint if os.name == "posix" else None,
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # wait until the download is under way
        seen.append(line)
        if line.startswith("downloading: "):
            break
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130, "".join(seen) + rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert not [p for p in tmp_path.rglob("*.incomplete")]
    # No complete weights; what arrived of them waits in a ".part" file for the next run.
    assert not any(p.stat().st_size > 1_000_000 for p in blobs(tmp_path) if p.suffix != ".part")
    kept = sum(p.stat().st_size for p in blobs(tmp_path) if p.suffix == ".part")
    fake_hub.rate = None
    done = transcribe(hello_wav, tmp_path, "--model", MODEL, "--hub-endpoint", fake_hub.url)
    assert done.returncode == 0, done.stderr
    gets = fake_hub.requests("GET", "model.safetensors")
    assert gets[-1].range == (f"bytes={kept}-" if kept else None)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "'acme/no-such-model' was not found on"),
        ("not speech", "acme/bert is a BertModel model, not a CTC speech recogniser"),
        ("hub error", "answered with an error (503)"),
        ("no network", "cannot be reached (no network, or it is blocked here)"),
    ],
)
def test_every_failure_names_the_problem_and_what_to_do(
    case: str, expected: str, fake_hub: FakeHub, hello_wav: Path, tmp_path: Path
) -> None:
    model = {"missing": "acme/no-such-model", "not speech": "acme/bert"}.get(case, MODEL)
    endpoint = closed_port_url() if case == "no network" else fake_hub.url
    fake_hub.status = 503 if case == "hub error" else None
    done = transcribe(hello_wav, tmp_path, "--model", model, "--hub-endpoint", endpoint)
    assert done.returncode == 1 and not done.stdout
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert "'demo'" in done.stderr and "local folder" in done.stderr
    if case in ("hub error", "no network"):
        assert "https://hf-mirror.com" in done.stderr
    assert not blobs(tmp_path) or case == "not speech"  # at most the text model's config


def test_without_a_model_option_an_unreachable_hub_falls_back_to_the_demo(
    hello_wav: Path, tmp_path: Path
) -> None:
    done = transcribe(hello_wav, tmp_path, endpoint=closed_port_url())
    assert done.returncode == 0, done.stderr
    assert "cannot be reached" in done.stderr and "demo model" in done.stderr


def test_the_api_server_logs_download_progress_before_it_serves(
    fake_hub: FakeHub, tmp_path: Path
) -> None:
    import httpx

    fake_hub.rate = 4e6
    port = int(closed_port_url().rsplit(":", 1)[1])  # free now; serve binds it
    args = [*CLI, "serve", "--model", MODEL, "--port", str(port), "--threads", "1"]
    env = env_for(tmp_path, fake_hub.url)
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    log = []
    try:
        for line in process.stderr:
            log.append(line)
            if line.startswith("serving on"):
                break
        assert any(line.startswith("downloading: 8.3 MB of 8.3 MB") for line in log), "".join(log)
        assert log[0].startswith(f"Downloading the speech model {MODEL}")
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=30).status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=60)

"""Nothing said is lost on any signal, and `listen --fast` finishes any length (issue 15): the
real CLI process, killed with the real signal, judged by what its files hold."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import (
    GRACEFUL_STOPS,
    NEW_GROUP,
    hard_kill,
    posix_only,
    read_wav,
    say,
    stop_gracefully,
    wait_for,
)

SENTENCES = (
    "the quick brown fox jumps over the lazy dog",
    "many people can use one model at the same time",
    "hello world this is a test of live captions",
    "a stitch in time saves nine",
)
TIMEOUT = 120.0
pytestmark = pytest.mark.slow  # real processes in real time


def model_args(model_dir: Path) -> list[str]:
    return ["--model", str(model_dir), "--dtype", "float32", "--threads", "1"]


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "live_captions", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **NEW_GROUP,
    )


def words_in(path: Path) -> list[str]:
    """Lower case: a stream's utterances and a file's segments capitalise different words."""
    return path.read_text(encoding="utf-8").lower().split() if path.exists() else []


def transcribe_words(model_dir: Path, audio: Path) -> list[str]:
    """The words a stream gives: the file transcription on the same grid."""
    result = subprocess.run(
        [sys.executable, "-m", "live_captions", "transcribe", str(audio), "--profile", "balanced"]
        + ["--no-progress", *model_args(model_dir)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.lower().split()


@pytest.fixture(scope="module")
def talk(speech_dir: Path) -> Path:
    """About 20 s: four sentences with pauses between them (each pause ends an utterance)."""
    pause = np.zeros(24000, np.float32)
    parts = []
    for i, text in enumerate(SENTENCES):
        parts += [read_wav(say(text, speech_dir / f"talk-{i}.wav")), pause]
    path = speech_dir / "talk.wav"
    sf.write(path, np.concatenate(parts), 16000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def talk_words(tiny_model_dir: Path, talk: Path) -> list[str]:
    words = transcribe_words(tiny_model_dir, talk)
    assert len(words) > 8
    return words


def listen(model_dir: Path, audio: Path, out: Path, *extra: str) -> subprocess.Popen:
    return start_cli(
        "listen", "--input", str(audio), "--output", str(out), *extra, *model_args(model_dir)
    )


def test_finals_reach_the_file_as_they_come_and_survive_sigkill(
    tiny_model_dir: Path, talk: Path, talk_words: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "live.txt"
    process = listen(tiny_model_dir, talk, out)  # in real time: about 20 s
    try:
        # The first utterance is in the file, whole, long before the replay ends.
        assert wait_for(lambda: "\n" in (out.read_text() if out.exists() else ""))
        assert process.poll() is None, "the replay should still be running"
        before = words_in(out)
        hard_kill(process)  # SIGKILL; TerminateProcess on Windows
        process.wait(TIMEOUT)
    finally:
        process.kill()
    printed, _ = process.communicate()
    after = words_in(out)
    assert after[: len(before)] == before, "a killed process keeps what its file held"
    assert after and after == talk_words[: len(after)], "every word kept is a final, in order"
    shown = printed.lower().split()
    assert shown == after[: len(shown)]  # the terminal never ran ahead of the file
    assert len(after) < len(talk_words)


@pytest.mark.parametrize("stop", list(GRACEFUL_STOPS))  # Ctrl+Break on Windows
def test_sigterm_flushes_like_ctrl_c(
    tiny_model_dir: Path, talk: Path, talk_words: list[str], tmp_path: Path, stop: str
) -> None:
    out = tmp_path / "live.txt"
    process = listen(tiny_model_dir, talk, out)
    try:
        assert wait_for(lambda: len(words_in(out)) >= 2)
        before = words_in(out)
        stop_gracefully(process, GRACEFUL_STOPS[stop])
        code = process.wait(TIMEOUT)
    finally:
        process.kill()
    _, errors = process.communicate()
    assert code == 0, errors
    assert "Traceback" not in errors
    text = out.read_text(encoding="utf-8")
    words = text.lower().split()
    # Everything final before the signal stays; the stream was flushed and the line ended.
    assert text.endswith("\n") and words[: len(before)] == before
    assert before == talk_words[: len(before)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_killed_mid_upload_leaves_no_files(
    tiny_model_dir: Path, talk: Path, tmp_path: Path
) -> None:
    import httpx

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
    upload = tmp_path / "long.wav"  # about 10 minutes: the upload is still being worked on
    sf.write(upload, np.tile(read_wav(talk), 30), 16000, subtype="PCM_16")
    url = f"http://127.0.0.1:{free_port()}"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "live_captions", "serve", "--port", url.rsplit(":", 1)[1]]
        + model_args(tiny_model_dir),
        stdout=log,
        stderr=log,
        env=env,
    )

    def up() -> bool:
        try:
            return httpx.get(url + "/health").status_code == 200
        except httpx.HTTPError:
            return process.poll() is not None

    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed meanwhile
            httpx.post(
                url + "/transcribe",
                files={"file": ("long.wav", upload.read_bytes(), "audio/wav")},
                timeout=TIMEOUT,
            )

    try:
        assert wait_for(up) and process.poll() is None, (tmp_path / "server.log").read_text()
        client = threading.Thread(target=post, daemon=True)
        client.start()
        assert wait_for(lambda: httpx.get(url + "/health").json()["active_uploads"] == 1)
        hard_kill(process)
        process.wait(TIMEOUT)
        client.join(TIMEOUT)
    finally:
        process.kill()
        process.wait(TIMEOUT)
        log.close()
    assert list(temp.iterdir()) == [], "the killed server left files behind"


def test_fast_replay_of_any_length_finishes(
    tiny_model_dir: Path, talk: Path, tmp_path: Path
) -> None:
    long_audio = tmp_path / "long.wav"
    sf.write(long_audio, np.tile(read_wav(talk), 9), 16000, subtype="PCM_16")  # about 3 minutes
    out = tmp_path / "fast.txt"
    process = listen(tiny_model_dir, long_audio, out, "--fast")
    printed, errors = process.communicate(timeout=600)
    assert process.returncode == 0, errors
    assert "cannot keep up" not in printed + errors
    words = words_in(out)
    assert words == transcribe_words(tiny_model_dir, long_audio)


@posix_only("a way to send Ctrl-C to one process")
def test_ctrl_c_during_transcribe_keeps_the_part_done(
    tiny_model_dir: Path, talk: Path, tmp_path: Path
) -> None:
    """Ctrl-C while `transcribe` works on a long file: the captions done so far are written
    to the output, in its format with their times, and the exit status says interrupted."""
    import signal

    import srt

    long = tmp_path / "long.wav"
    sf.write(long, np.tile(read_wav(talk), 30), 16000, subtype="PCM_16")  # about 10 minutes
    out = tmp_path / "long.srt"
    process = start_cli(
        "transcribe",
        str(long),
        "-o",
        str(out),
        "--profile",
        "balanced",
        *model_args(tiny_model_dir),
    )
    assert process.stderr is not None
    seen: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        while piece := process.stderr.read(1):
            seen.append(piece)

    def done_seconds(bar: str) -> int:  # the progress bar's "| 42/600 s"
        found = re.findall(r"\| (\d+)/\d+ s", bar)
        return int(found[-1]) if found else 0

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: done_seconds("".join(seen)) >= 30, TIMEOUT), "".join(seen)
        os.kill(process.pid, signal.SIGINT)
        assert process.wait(TIMEOUT) == 130
    finally:
        if process.poll() is None:
            hard_kill(process)
    reader.join(10)
    stderr = "".join(seen)
    assert "cancelled: only the first" in stderr and "the part done is kept" in stderr
    cues = list(srt.parse(out.read_text(encoding="utf-8")))
    assert cues and cues[-1].end.total_seconds() < 600
    assert [c.start for c in cues] == sorted(c.start for c in cues)

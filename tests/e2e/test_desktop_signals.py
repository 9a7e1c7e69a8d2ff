"""The desktop app's session transcript keeps every final on any signal (issue 15): the real
app process, killed with the real signal, judged by what its transcript file holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import NEW_GROUP, WINDOWS, hard_kill, read_wav, say, wait_for

pytest.importorskip("PySide6")

CHILD = Path(__file__).parent / "desktop_signal_child.py"
TIMEOUT = 120.0
pytestmark = pytest.mark.slow  # real processes in real time


@pytest.fixture(scope="module")
def talk48(speech_dir: Path) -> Path:
    """About 14 s at 48 kHz: three sentences with pauses between them."""
    pause = np.zeros(24000, np.float32)
    parts = []
    for i, text in enumerate(("hello world this is a test", "captions on the desktop", "the end")):
        parts += [read_wav(say(text, speech_dir / f"desk-{i}.wav")), pause]
    path = speech_dir / "desk-talk.wav"
    import soxr

    sf.write(path, soxr.resample(np.concatenate(parts), 16000, 48000), 48000, subtype="PCM_16")
    return path


def transcript_words(folder: Path) -> list[str]:
    files = sorted(folder.glob("captions-*.txt"))
    if not files:
        return []
    lines = files[0].read_text(encoding="utf-8").splitlines()
    # "[HH:MM:SS] Words of the utterance": the words without the time stamps.
    return [w for line in lines for w in line.split()[1:]]


def start_app(tiny_model_dir: Path, audio: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    folder = tmp_path / "transcripts"
    process = subprocess.Popen(
        [sys.executable, str(CHILD), str(tiny_model_dir), str(audio), str(folder)]
        + [str(tmp_path / "settings.ini")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        **NEW_GROUP,
    )
    return process, folder


# A stop the app answers (SIGTERM; Ctrl+Break on Windows, where SIGTERM is TerminateProcess) and
# one it cannot (SIGKILL; TerminateProcess on Windows).
ANSWERED = "CTRL_BREAK_EVENT" if WINDOWS else "SIGTERM"


@pytest.mark.parametrize("stop", [ANSWERED, "kill"])
def test_the_session_transcript_survives_signals(
    tiny_model_dir: Path, talk48: Path, tmp_path: Path, stop: str
) -> None:
    process, folder = start_app(tiny_model_dir, talk48, tmp_path)
    try:
        assert wait_for(lambda: len(transcript_words(folder)) >= 2 or process.poll() is not None)
        assert process.poll() is None, process.communicate()[1][-2000:]
        before = transcript_words(folder)
        if stop == "kill":
            hard_kill(process)
        else:
            os.kill(process.pid, getattr(signal, stop))
        code = process.wait(TIMEOUT)
    finally:
        process.kill()
    _, errors = process.communicate()
    after = transcript_words(folder)
    assert after[: len(before)] == before, "words in the file before the signal stay"
    if stop == ANSWERED:
        # Closed like File > Quit: captions stopped, the last words and the line's end written.
        assert code == 0, errors[-2000:]
        assert "Traceback" not in errors
        (transcript,) = folder.glob("captions-*.txt")
        assert transcript.read_text(encoding="utf-8").endswith("\n")

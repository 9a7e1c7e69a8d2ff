"""Test helpers: what only the tests need (models that count or fail, waiting, platform marks,
processes), and, from devkit (shared with bench/ and tools/), tiny models and speech."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from devkit import speech
from devkit.models import BASE_960H_VOCAB, CJK_VOCAB, make_model_dir, save_processor
from devkit.partials import RevisionCounter
from devkit.speech import RECORDED_SPEECH, have, read_wav, recorded_speech
from engine.config import DecodeOptions, LmOptions
from engine.frames import RunsOwnWindows

if TYPE_CHECKING:
    from engine.model import FrameModel, FrameOutput

__all__ = [  # devkit's, for the tests
    "BASE_960H_VOCAB",
    "CJK_VOCAB",
    "RECORDED_SPEECH",
    "RevisionCounter",
    "have",
    "make_model_dir",
    "read_wav",
    "recorded_speech",
    "save_processor",
]

DEMO_DIR = Path(__file__).resolve().parents[2] / "engine" / "models" / "demo"


class CountingModel(RunsOwnWindows):
    """Wraps a FrameModel and records the batch size of every forward pass."""

    def __init__(self, model: FrameModel) -> None:
        self.inner = model
        self.vocab = model.vocab
        self.frame_samples = model.frame_samples
        self.batch_sizes: list[int] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # the rest of the model's face (its geometry, ...)
        return getattr(self.inner, name)

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        with self._lock:
            self.batch_sizes.append(len(windows))
        return self.inner.frames(windows, valid)


class Exploding(CountingModel):
    """A model whose every forward pass fails (as a GPU out of memory would)."""

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        raise ValueError("boom")


def say(text: str, path: Path, voice: str = "espeak:en-us", rate: int = 16000) -> Path:
    """devkit.speech.say, which skips the test where a tool is missing and nothing is recorded."""
    try:
        return speech.say(text, path, voice, rate)
    except speech.MissingTool as missing:
        pytest.skip(str(missing))


# Greedy decoding: not the language model a model comes with (the demo model's included).
GREEDY = DecodeOptions(lm=LmOptions(use_model_lm=False))

SENTENCES = (
    "the weather is nice today",
    "i would like a cup of tea",
    "please close the door behind you",
)


def sentences_with_pauses(folder: Path, pause_s: float = 1.2) -> Path:
    """Three sentences (flite's slt voice, which the demo model understands) with ``pause_s`` of
    silence between them, as a 16 kHz WAV file: three utterances, however a model marks pauses."""
    import soundfile as sf

    path = folder / f"three-sentences-{pause_s}.wav"
    if not path.is_file():
        pause = np.zeros(round(pause_s * 16000), np.float32)
        parts: list[np.ndarray] = []
        for n, text in enumerate(SENTENCES):
            parts += [pause] * bool(parts)
            parts.append(read_wav(say(text, folder / f"sentence{n}.wav", voice="flite:slt")))
        sf.write(str(path), np.concatenate(parts), 16000, subtype="PCM_16")
    return path


def wait_for(predicate: Callable[[], bool], timeout: float = 120.0) -> bool:
    """Poll ``predicate`` every 50 ms until it holds or ``timeout`` seconds pass; its last value."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        pause.wait(0.05)
    return predicate()


# What an operating system lacks, in one place: a test that needs it carries ``posix_only`` (the
# ``platform`` mark, which the skip policy lets skip under CI, and the reason), and a test of the
# Windows counterpart sits beside it.
WINDOWS = sys.platform == "win32"


def posix_only(reason: str) -> pytest.MarkDecorator:
    """Skip on Windows, which lacks what the test needs (``reason`` says what)."""
    return pytest.mark.platform(reason=f"Windows lacks {reason}")


def windows_only(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.platform(reason=f"only Windows has {reason}", windows=True)


# Started in a process group of its own on Windows, so that CTRL_BREAK_EVENT reaches the child
# alone (os.kill's console events go to a whole group); nothing changes on POSIX.
NEW_GROUP: dict[str, Any] = (
    {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if WINDOWS else {}  # type: ignore[attr-defined]
)

# A stop the process can answer (it finishes its stream and keeps every word): SIGTERM and
# Ctrl-C on POSIX; Ctrl+Break on Windows (os.kill there with SIGTERM is TerminateProcess, and
# Ctrl+C cannot be sent to one process group).
GRACEFUL_STOPS: dict[str, int] = (
    {"CTRL_BREAK_EVENT": signal.CTRL_BREAK_EVENT}  # type: ignore[attr-defined]
    if WINDOWS
    else {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
)


def hard_kill(process: subprocess.Popen) -> int:
    """Kill ``process`` with no chance to answer (SIGKILL; TerminateProcess on Windows) and
    return the exit code that such a death gives."""
    process.kill()
    return 1 if WINDOWS else -signal.SIGKILL  # Popen.kill calls TerminateProcess(handle, 1)


def stop_gracefully(process: subprocess.Popen, how: int) -> None:
    os.kill(process.pid, how)


def stop_process(process: subprocess.Popen) -> None:
    """Ask ``process`` to end (SIGTERM; TerminateProcess on Windows) and wait for it, killing it
    after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

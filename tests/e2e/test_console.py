"""Output on consoles and code pages like Windows': a Chinese transcript and a non-ASCII file name
redirected to a file under the ANSI code pages (real CLI process), terminal streams that cannot
show a character, and virtual-terminal processing switched on for a Windows console."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import BASE_960H_VOCAB

from live_captions.console import (
    ENABLE_VIRTUAL_TERMINAL_PROCESSING,
    enable_terminal_sequences,
    use_utf8_output,
)
from live_captions.listen import TerminalCaptions

REPO = Path(__file__).resolve().parents[2]
HANZI = "的一是不了人我在有他这中大来上个国到说们为子和你地出道"


@pytest.fixture(scope="module")
def chinese_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random model with a vocabulary of Chinese characters: its output is Chinese."""
    folder = tmp_path_factory.mktemp("chinese-model")
    shutil.copytree(tiny_model_dir, folder, dirs_exist_ok=True)
    letters = [t for t in BASE_960H_VOCAB if len(t) == 1 and t.isalpha()]
    vocab = {
        (HANZI[letters.index(t)] if t in letters else t): i for t, i in BASE_960H_VOCAB.items()
    }
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("code_page", "fmt"), [("cp1252", "txt"), ("gbk", "json")])
def test_a_chinese_transcript_redirected_to_a_file_is_utf8(
    code_page: str, fmt: str, chinese_model_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "会议录音 (Zürich).wav"
    noise = np.random.default_rng(1).uniform(-0.5, 0.5, 3 * 16000).astype(np.float32)
    sf.write(str(source), noise, 16000)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": code_page}
    command = [
        sys.executable,
        "-m",
        "live_captions",
        "transcribe",
        "--no-progress",
        "--threads",
        "1",
    ]
    command += [str(source), "--model", str(chinese_model_dir)]
    stdout = tmp_path / f"stdout.{fmt}"
    with stdout.open("wb") as out:
        result = subprocess.run(
            [*command, "-f", fmt],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = stdout.read_bytes().decode("utf-8")  # not the code page: UTF-8
    assert any(ch in HANZI for ch in text), text
    if fmt == "json":  # the file name, outside both code pages, is in the output too
        assert json.loads(text)["source"].endswith(source.name)


def test_streams_are_made_safe_for_any_text() -> None:
    written = io.BytesIO()
    redirected = io.TextIOWrapper(written, encoding="cp1252")
    use_utf8_output(redirected)
    redirected.write("会议 Zürich\n")
    redirected.flush()
    assert written.getvalue().decode("utf-8") == "会议 Zürich\n"

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    shown = io.BytesIO()
    terminal = Terminal(shown, encoding="cp1252")
    use_utf8_output(terminal)
    terminal.write("会议 Zürich\n")  # what the terminal cannot show is replaced, not fatal
    terminal.flush()
    assert shown.getvalue() == "?? Zürich\n".encode("cp1252")
    assert terminal.encoding == "cp1252"


class FakeKernel32:
    """The console calls of kernel32 (GetStdHandle, GetConsoleMode, SetConsoleMode)."""

    def __init__(self, mode: int | None) -> None:
        self.mode = mode  # None: the handle is not a console
        self.set_to: list[int] = []

    def GetStdHandle(self, which: int) -> int:
        assert which == -11  # STD_OUTPUT_HANDLE
        return 7

    def GetConsoleMode(self, handle: int, mode_ref: object) -> int:
        if self.mode is None:
            return 0
        mode_ref._obj.value = self.mode  # type: ignore[attr-defined]  # ctypes.byref's target
        return 1

    def SetConsoleMode(self, handle: int, mode: int) -> int:
        self.set_to.append(mode)
        return 1


class FakeConsole(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_virtual_terminal_processing_is_switched_on_for_listen() -> None:
    kernel32 = FakeKernel32(mode=0x3)  # ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT
    assert enable_terminal_sequences(FakeConsole(), kernel32) is True
    assert kernel32.set_to == [0x3 | ENABLE_VIRTUAL_TERMINAL_PROCESSING]
    already = FakeKernel32(mode=0x7)
    assert enable_terminal_sequences(FakeConsole(), already) and already.set_to == []
    assert enable_terminal_sequences(FakeConsole(), FakeKernel32(mode=None)) is False
    assert enable_terminal_sequences(io.StringIO(), FakeKernel32(mode=0x3)) is False
    # listen rewrites its line with escape sequences on a terminal, and plain lines elsewhere
    # (on Windows the real kernel32 answers for the test process's own stdout).
    if sys.platform != "win32":
        assert TerminalCaptions(FakeConsole()).tty and not TerminalCaptions(io.StringIO()).tty

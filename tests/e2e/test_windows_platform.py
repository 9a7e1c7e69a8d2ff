"""The suite and the programs where Windows differs, shown on Linux with stand-ins at the OS
boundary: the tests collect without SIGKILL and SIGHUP, Ctrl+Break (SIGBREAK) stops the CLI and
the window like Ctrl-C, and speech comes from the checked-in recordings without synthesisers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import RECORDED_SPEECH, WINDOWS, posix_only, recorded_speech, say

from live_captions.finals_file import signals_interrupt
from live_captions.gui import quit_on_signals

TESTS = Path(__file__).resolve().parents[1]

# A plugin loaded before conftest and the test modules: the signal module as Windows has it.
WINDOWS_SIGNALS = """
import signal
for name in ("SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGPIPE"):
    if hasattr(signal, name):
        delattr(signal, name)
"""


@pytest.mark.slow  # imports every test module (torch, transformers, FastAPI, Qt)
def test_the_suite_collects_without_posix_only_signals(tmp_path: Path) -> None:
    (tmp_path / "windows_signals.py").write_text(WINDOWS_SIGNALS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(TESTS.parent)])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "windows_signals", "-p", "no:cacheprovider"]
        + ["--collect-only", "-q", str(TESTS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=TESTS.parent,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "error" not in result.stdout.splitlines()[-1], result.stdout[-3000:]
    assert "test_the_session_transcript_survives_signals[kill]" in result.stdout


@pytest.fixture
def windows_like_signals(monkeypatch: pytest.MonkeyPatch) -> signal.Signals:
    """No SIGHUP; SIGBREAK (Windows only) played by SIGUSR1, which a test can send itself."""
    if WINDOWS:
        return signal.SIGBREAK  # type: ignore[attr-defined,unused-ignore]
    monkeypatch.delattr(signal, "SIGHUP")
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)
    return signal.SIGUSR1


@posix_only("a stand-in for SIGBREAK that the test can raise in its own process")
def test_ctrl_break_stops_the_cli_like_ctrl_c(windows_like_signals: signal.Signals) -> None:
    before = signal.getsignal(windows_like_signals)
    with pytest.raises(KeyboardInterrupt), signals_interrupt():
        signal.raise_signal(windows_like_signals)
    assert signal.getsignal(windows_like_signals) == before  # handlers are put back


def test_ctrl_break_closes_the_window(windows_like_signals: signal.Signals) -> None:
    kinds = [signal.SIGINT, signal.SIGTERM, windows_like_signals]
    before = {kind: signal.getsignal(kind) for kind in kinds}
    closed: list[bool] = []
    try:
        quit_on_signals(lambda: closed.append(True))
        handler = signal.getsignal(windows_like_signals)
        assert callable(handler) and handler not in before.values()
        handler(windows_like_signals, None)
        assert closed == [True]
    finally:
        for kind, previous in before.items():
            signal.signal(kind, previous)


def test_speech_is_the_recording_without_synthesisers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda tool: None)  # no espeak-ng, flite or sox
    text = "hello world this is a test of live captions"
    path = say(text, tmp_path / "hello.wav")
    recorded, rate = sf.read(str(recorded_speech(text, "espeak:en-us", 16000)), dtype="int16")
    heard, heard_rate = sf.read(str(path), dtype="int16")
    assert (rate, heard_rate) == (16000, 16000) and np.array_equal(heard, recorded)
    assert 2.0 < len(heard) / rate < 5.0
    with pytest.raises(pytest.skip.Exception, match="espeak-ng and sox needed .*no recording"):
        say("words nobody recorded", tmp_path / "new.wav")


def test_every_recording_is_16_bit_mono() -> None:
    recordings = sorted(RECORDED_SPEECH.glob("*.flac"))
    assert len(recordings) >= 50
    for path in recordings:
        info = sf.info(str(path))
        assert info.channels == 1 and info.subtype == "PCM_16", path.name
        assert str(info.samplerate) in path.name.split("-"), path.name


class ShortNames:
    """kernel32.GetShortPathNameW as on a drive with 8.3 names (``short``) or without (None)."""

    def __init__(self, short: str | None) -> None:
        self.short = short

    def GetShortPathNameW(self, path: str, buffer, size: int) -> int:  # type: ignore[no-untyped-def]
        if self.short is None:
            return 0
        buffer.value = self.short
        return len(self.short)


def windows_kernel32(monkeypatch: pytest.MonkeyPatch, kernel32: object) -> None:
    import ctypes
    import types

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)


def test_kenlm_gets_the_short_name_of_a_path_under_a_chinese_user_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.lm_files import kenlm_path

    windows_kernel32(monkeypatch, ShortNames("C:\\Users\\5F201~1\\lm\\demo.arpa"))
    assert kenlm_path(Path("C:\\Users\\张三\\lm\\demo.arpa")) == "C:\\Users\\5F201~1\\lm\\demo.arpa"
    assert kenlm_path(Path("C:\\lm\\demo.arpa")) == str(Path("C:\\lm\\demo.arpa"))  # ASCII: as is


def test_without_short_names_kenlm_reads_a_copy_under_programdata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.lm_files import DEMO_LM_DIR, LoadedLm, find_lm, kenlm_path

    folder = tmp_path / "张三"
    folder.mkdir()
    lm = folder / "demo-3gram.arpa"
    lm.write_bytes((DEMO_LM_DIR / "demo-3gram.arpa").read_bytes())
    program_data = tmp_path / "ProgramData"
    monkeypatch.setenv("PROGRAMDATA", str(program_data))
    windows_kernel32(monkeypatch, ShortNames(None))
    copy = Path(kenlm_path(lm))
    assert copy.parent == program_data / "LiveCaptions" / "lm" and str(copy).isascii()
    assert copy.read_bytes() == lm.read_bytes()
    stamp = copy.stat().st_mtime_ns
    assert kenlm_path(lm) == str(copy) and copy.stat().st_mtime_ns == stamp  # not copied again
    monkeypatch.setattr(sys, "platform", "linux")
    assert len(LoadedLm(find_lm(copy)).sorted_words) > 1000  # the copy is a working LM


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")],
    ids=["utf-8", "utf-8 with BOM (Notepad)", "utf-16 (Notepad's Unicode)"],
)
def test_a_custom_words_file_as_windows_editors_save_it(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    from live_captions.options import read_hotwords

    words = tmp_path / "words.txt"
    words.write_bytes(bom + "Tamsinet\r\n张三, Zoë\r\n".encode(encoding))
    assert read_hotwords(str(words)) == ("Tamsinet", "张三", "Zoë")


def test_the_save_dialog_opens_in_documents_not_the_working_folder(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Started from its shortcut, the app's working folder is its install folder."""
    from PySide6.QtWidgets import QFileDialog, QWidget

    from desktop_app.widgets import export
    from engine.transcript import Transcript

    monkeypatch.chdir(tmp_path)
    asked: list[str] = []

    def dialog(parent, title, start, filters):  # type: ignore[no-untyped-def]
        asked.append(start)
        return "", ""  # cancelled

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert (
        export.save_transcript(parent, Transcript(segments=(), duration=0.0), "captions-2026")
        is None
    )
    (start,) = asked
    assert Path(start).is_absolute() and Path(start).name == "captions-2026.txt"
    assert Path(start).parent == export.default_folder() != tmp_path

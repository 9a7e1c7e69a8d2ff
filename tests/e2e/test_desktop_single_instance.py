"""One app per user: a second start asks the first to come forward and exits (in-process with
two guards, and with real processes: a lock holder and ``python -m live_captions``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from desktop_app.single_instance import (
    APP_MUTEX,
    STATE_DIR_VARIABLE,
    SingleInstance,
    default_lock_path,
)

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 20_000

# A first instance in a process of its own: holds the lock, says so, and exits when activated.
HOLDER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from desktop_app.single_instance import SingleInstance, default_lock_path

app = QCoreApplication([])
lock = Path(sys.argv[1]) if len(sys.argv) > 1 else default_lock_path()
instance = SingleInstance(lock)
assert instance.acquire()
instance.activated.connect(lambda: (print("activated", flush=True), app.quit()))
QTimer.singleShot(60_000, app.quit)
print("holding", flush=True)
app.exec()
"""


def test_a_second_guard_activates_the_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = SingleInstance(tmp_path / "instance.lock")
    assert first.acquire()
    second = SingleInstance(tmp_path / "instance.lock")
    assert not second.acquire()
    with qtbot.waitSignal(first.activated, timeout=TIMEOUT_MS):
        assert second.activate_first()
    first.release()
    third = SingleInstance(tmp_path / "instance.lock")
    assert third.acquire()  # released: the next start is the first again
    third.release()


def test_another_lock_file_is_another_instance(tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "a" / "instance.lock")
    other = SingleInstance(tmp_path / "b" / "instance.lock")
    assert first.acquire() and other.acquire()
    assert first.server_name != other.server_name
    first.release()
    other.release()


def start_holder(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    if line != "holding\n":
        holder.kill()
        pytest.fail(f"the first instance did not start: {line!r} {holder.communicate()[1]}")
    return holder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
        # platformdirs asks the Windows shell for Local AppData (LOCALAPPDATA does not move it)
        STATE_DIR_VARIABLE: str(tmp_path / "state"),
    }


class FakeKernel32:
    """The two kernel32 calls the app mutex makes (Windows only), recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def CreateMutexW(self, attributes: object, owned: bool, name: str) -> int:
        self.calls.append(("create", name))
        return 77

    def CloseHandle(self, handle: int) -> int:
        self.calls.append(("close", handle))
        return 1


def test_on_windows_the_first_instance_holds_the_installer_s_mutex(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import ctypes
    import types

    kernel32 = FakeKernel32()
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    first, second = SingleInstance(tmp_path / "a.lock"), SingleInstance(tmp_path / "a.lock")
    assert first.acquire() and not second.acquire()
    assert kernel32.calls == [("create", APP_MUTEX)]  # the first only
    first.release()
    assert kernel32.calls[-1] == ("close", 77)
    iss = (REPO / "installer" / "live_captions.iss").read_text(encoding="utf-8")
    assert f"AppMutex={APP_MUTEX}\n" in iss and "CloseApplications=yes" in iss


def test_the_state_folder_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "portable"))
    assert default_lock_path() == tmp_path / "portable" / "instance.lock"
    monkeypatch.delenv(STATE_DIR_VARIABLE)
    assert default_lock_path().name == "instance.lock"
    assert not default_lock_path().is_relative_to(tmp_path)


def test_a_second_app_start_brings_the_first_forward_and_exits(env: dict[str, str]) -> None:
    holder = start_holder(env)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "live_captions"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr and "brought forward" in second.stderr
        assert holder.communicate(timeout=30)[0] == "activated\n"
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_instance_is_stale(tmp_path: Path, env: dict[str, str]) -> None:
    lock = tmp_path / "instance.lock"
    holder = start_holder(env, str(lock))
    assert not SingleInstance(lock).acquire()
    holder.kill()
    holder.wait()
    after = SingleInstance(lock)
    assert after.acquire()  # the process is gone: its lock and its server name are taken over
    after.release()


def test_activation_brings_a_minimised_or_hidden_window_forward(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from helpers.desktop import FakeSoundDevice
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    device = FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000)
    app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    first = SingleInstance(tmp_path / "instance.lock")
    assert first.acquire()
    first.activated.connect(app.window.bring_forward)
    for put_away in (app.window.showMinimized, app.window.hide):
        put_away()
        assert not app.window.isVisible() or app.window.isMinimized()
        with qtbot.waitSignal(first.activated, timeout=TIMEOUT_MS):
            assert SingleInstance(tmp_path / "instance.lock").activate_first()
        assert app.window.isVisible() and not app.window.isMinimized()
    first.release()

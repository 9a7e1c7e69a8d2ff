"""One running app per user: a second start brings the first one's window forward and exits.

Two instances would share one log file (rotating it fails on Windows with WinError 32, the file
being open in the other process), the settings, the transcripts folder and the API's port. The
first instance holds a ``QLockFile`` (a crashed instance's lock is stale once its process is gone)
and listens on a ``QLocalServer``; a second start finds the lock taken, connects, asks the first
to come forward, and exits.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("desktop_app.single_instance")

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 3000


STATE_DIR_VARIABLE = "LIVE_CAPTIONS_STATE_DIR"  # overrides the folder (a portable copy, tests)


def default_lock_path() -> Path:
    """The user's state folder (platformdirs: ~/.local/state on Linux; on Windows the shell's
    Local AppData, which no environment variable moves), unless LIVE_CAPTIONS_STATE_DIR names
    another."""
    override = os.environ.get(STATE_DIR_VARIABLE)
    if override:
        return Path(override) / "instance.lock"
    from platformdirs import user_state_dir

    return Path(user_state_dir("live-captions", appauthor=False)) / "instance.lock"


# The installer's AppMutex (installer/live_captions.iss): while it exists, Setup and the
# uninstaller ask the user to close the app first.
APP_MUTEX = "LiveCaptionsRunning"


def hold_app_mutex() -> int:
    """Windows: create APP_MUTEX and return its handle (0 elsewhere, or when it fails)."""
    if sys.platform != "win32":
        return 0
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]  # Windows only
    handle = int(kernel32.CreateMutexW(None, False, APP_MUTEX) or 0)
    if not handle:
        log.warning("no %s mutex: Setup will not see that the app runs", APP_MUTEX)
    return handle


def release_app_mutex(handle: int) -> None:
    import ctypes

    ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined,unused-ignore]


class SingleInstance(QObject):
    """``acquire()``: True in the first instance, which then emits ``activated`` whenever a later
    start asks it to come forward; False in a later one, which should call ``activate_first()``
    and exit."""

    activated = Signal()

    def __init__(self, lock_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lock_path = lock_path or default_lock_path()
        digest = hashlib.sha1(str(self.lock_path.resolve()).encode("utf-8")).hexdigest()[:16]
        self.server_name = f"live-captions-{digest}"  # per user and lock: a pipe name on Windows
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []  # later starts connected to this one
        self._mutex = 0  # Windows: the handle of APP_MUTEX while this instance runs

    def acquire(self) -> bool:
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("no single-instance lock (%s): %s", self.lock_path.parent, exc)
            return True  # better two instances than none
        lock = QLockFile(str(self.lock_path))
        lock.setStaleLockTime(0)  # stale only when its process is gone, however long it runs
        if not lock.tryLock(100):
            if lock.error() == QLockFile.LockError.LockFailedError:
                return False
            log.warning("no single-instance lock (%s): %s", self.lock_path, lock.error())
            return True
        self._lock = lock
        self._listen()
        self._mutex = hold_app_mutex()
        return True

    def activate_first(self) -> bool:
        """Ask the running instance to bring its window forward; whether it was reached."""
        self._allow_foreground()
        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            log.warning("the running instance does not answer: %s", socket.errorString())
            return False
        socket.write(ACTIVATE)
        sent = socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return sent

    def release(self) -> None:
        for socket in self._clients:
            socket.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        if self._mutex:
            release_app_mutex(self._mutex)
            self._mutex = 0

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            QLocalServer.removeServer(self.server_name)  # left over by a crashed instance
            if not server.listen(self.server_name):
                log.warning("a second start cannot reach this one: %s", server.errorString())
                return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._clients.append(socket)
            socket.readyRead.connect(self._read_clients)
            socket.disconnected.connect(self._read_clients)
        self._read_clients()

    def _read_clients(self) -> None:
        for socket in list(self._clients):
            if socket.bytesAvailable() and bytes(socket.readAll().data()).startswith(
                ACTIVATE.strip()
            ):
                log.info("another start asked this instance to come forward")
                self.activated.emit()
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._clients.remove(socket)
                socket.deleteLater()

    def _allow_foreground(self) -> None:
        """Windows lets only the foreground process raise a window: let the first one do it."""
        if sys.platform != "win32" or self._lock is not None:
            return
        info = QLockFile(str(self.lock_path)).getLockInfo()  # (pid, host, app); pid 0: unknown
        pid = info[0] if isinstance(info, tuple) and info else 0
        if pid:
            import ctypes

            user32 = ctypes.windll.user32  # type: ignore[attr-defined,unused-ignore]  # Windows only
            user32.AllowSetForegroundWindow(int(pid))

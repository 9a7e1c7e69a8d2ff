"""Start the desktop app: check for a display, configure logging, compose the objects, run Qt.

``live-captions`` (or ``python -m live_captions``) without a sub-command calls :func:`main`.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .extras import missing_extra

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QSplashScreen
from .stop_signals import STOP_SIGNALS, stop_signals

NO_DISPLAY = """\
The Live Captions app needs a graphical display, and none was found here
(neither DISPLAY nor WAYLAND_DISPLAY is set). Use the command line instead:
  live-captions transcribe FILE   transcribe audio or video files to TXT, SRT, VTT or JSON
  live-captions listen            live captions of the microphone in this terminal
  live-captions serve             the speech API (HTTP and WebSocket) for other programs
"""
ALREADY_RUNNING = "Live Captions is already running: its window was brought forward.\n"
NOT_ANSWERING = (
    "Live Captions is already running but does not answer; close it (or end it in the task "
    "manager) and start it again.\n"
)
# Qt platforms that need no window system.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay")


def display_available(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> bool:
    environ = os.environ if environ is None else environ
    if (platform or sys.platform) in ("win32", "darwin"):
        return True
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in HEADLESS_PLATFORMS:
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def configure_logging(verbose: bool) -> Path | None:
    """Warnings (or everything with -v) to stderr and to a log file; the file's path."""
    from platformdirs import user_log_dir

    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for handler in root.handlers:  # the terminal gets warnings only, unless -v
        handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in ("desktop_app", "engine"):
        logging.getLogger(name).setLevel(level)
    folder = Path(user_log_dir("live-captions", appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "desktop.log", maxBytes=1_000_000, backupCount=2, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    return folder / "desktop.log"


def _splash(app: QApplication) -> QSplashScreen:
    """The app's icon while the start's slow work runs (before any window; no text: the
    translations are installed later, with the settings)."""
    from PySide6.QtWidgets import QSplashScreen

    from desktop_app.widgets.icon import app_icon

    splash = QSplashScreen(app_icon().pixmap(256, 256))
    splash.show()
    app.processEvents()
    return splash


def quit_on_signals(close: Callable[[], object]) -> None:
    """Ctrl+C in the terminal, SIGTERM (a logout, ``kill``, a service manager), SIGHUP (the
    terminal closed) and, on Windows, Ctrl+Break close the window like File > Quit: captions stop
    first, so that the last words reach the session transcript. Qt must let Python run its
    handlers (a timer does)."""
    for kind in stop_signals(("SIGINT", *STOP_SIGNALS)):
        signal.signal(kind, lambda *_: close())


# Work the frozen entry point hands in to run after the single-instance check, with a splash
# screen up: the CUDA flavour's torch import (3 GB of DLLs, many seconds) and its CUDA check. A
# check may end the start with SystemExit after telling the user why.
BEFORE_WINDOW: list[Callable[[], object]] = []


def main(args: argparse.Namespace) -> int:
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr, end="")
        return 2
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from desktop_app import APP_NAME, ORGANISATION
        from desktop_app.single_instance import SingleInstance
    except ImportError as exc:
        missing_extra("The desktop app", "gui", exc)
        print(
            "Or use the command line:\n"
            "  live-captions transcribe FILE   transcribe audio or video files\n"
            "  live-captions --help            all commands",
            file=sys.stderr,
        )
        return 2

    running = QApplication.instance()  # typed as the QCoreApplication base class
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    instance = SingleInstance()
    if not instance.acquire():  # before logging: the running app owns the log file
        reached = instance.activate_first()
        print(ALREADY_RUNNING if reached else NOT_ANSWERING, file=sys.stderr, end="")
        return 0 if reached else 1
    configure_logging(bool(getattr(args, "verbose", False)))
    splash = _splash(app) if BEFORE_WINDOW else None
    for check in BEFORE_WINDOW:
        check()

    from desktop_app.app import DesktopApp
    from desktop_app.capture import sound_backend
    from desktop_app.language import install_translators
    from desktop_app.settings import Settings
    from desktop_app.widgets.icon import app_icon

    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the overlay and the tray icon are not the app
    settings = Settings()
    install_translators(app, settings.language)
    desktop = DesktopApp(settings, sound_backend())
    desktop.window.closed.connect(app.quit)
    instance.activated.connect(desktop.window.bring_forward)
    quit_on_signals(desktop.window.close)
    ticker = QTimer(interval=250)
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start()
    desktop.show()
    if splash is not None:
        splash.finish(desktop.window)
    desktop.start_model()
    try:
        return int(app.exec())
    finally:
        instance.release()

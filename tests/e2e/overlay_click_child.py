"""Child process for test_desktop_x11: the caption overlay on a real X server (with whatever
window manager runs there), clicked with xdotool over a window below it. Prints one JSON line:
which window each click reached, locked (click-through) and unlocked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QDeadlineTimer, QSettings
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.settings import Settings
from desktop_app.widgets.overlay import CaptionOverlay

WAIT_MS = 5000


def wait_for(condition: Callable[[], bool], timeout_ms: int = WAIT_MS) -> bool:
    """Process events until ``condition`` holds (True) or the time is up (False)."""
    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            return False
        QTest.qWait(10)
    return True


class Below(QWidget):
    def __init__(self, hits: list[str]) -> None:
        super().__init__()
        self.hits = hits

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hits.append("below")


class Overlay(CaptionOverlay):
    hits: list[str]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hits.append("overlay")


def click(overlay: QWidget, hits: list[str]) -> list[str]:
    hits.clear()
    centre = overlay.geometry().center()
    subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"])
    wait_for(lambda: bool(hits))  # a click that reaches nothing: none
    return list(hits)


def main() -> int:
    app = QApplication(sys.argv[:1])
    hits: list[str] = []
    below = Below(hits)
    below.setGeometry(app.primaryScreen().availableGeometry())
    below.show()
    settings = Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    overlay = Overlay(settings)
    overlay.hits = hits
    overlay.setGeometry(200, 400, 800, 120)
    overlay.show()
    exposed = lambda: below.windowHandle().isExposed() and overlay.windowHandle().isExposed()  # noqa: E731 (a condition to wait on)
    wait_for(exposed)
    unlocked = click(overlay, hits)
    overlay.set_locked(True)
    wait_for(exposed)
    locked = click(overlay, hits)
    overlay.set_locked(False)
    wait_for(exposed)
    again = click(overlay, hits)
    print(json.dumps({"unlocked": unlocked, "locked": locked, "unlocked_again": again}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

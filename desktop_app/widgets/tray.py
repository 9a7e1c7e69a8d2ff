"""The tray icon: show or hide the overlay, start or stop, lock or unlock, quit."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from .icon import app_icon


def make_tray(window: QWidget, actions: list[QAction | None]) -> QSystemTrayIcon | None:
    """A tray icon whose menu holds ``actions`` (None: a separator), or None where the desktop
    has no system tray. Clicking the icon shows the main window."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(app_icon(), window)
    tray.setToolTip(QCoreApplication.translate("Tray", "Live Captions"))
    menu = QMenu(window)
    show_window = menu.addAction(QCoreApplication.translate("Tray", "Show window"))
    show_window.triggered.connect(lambda: _bring_up(window))
    menu.addSeparator()
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
    tray.setContextMenu(menu)
    tray.activated.connect(
        lambda reason: (
            show_window.trigger() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
        )
    )
    tray.show()
    return tray


def _bring_up(window: QWidget) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()

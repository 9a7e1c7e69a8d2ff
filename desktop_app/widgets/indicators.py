"""Small indicators of the main window: the input level meter and the message bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)


class LevelMeter(QProgressBar):
    """Input level from -60 dBFS (empty) to 0 dBFS (full)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 600)
        self.setTextVisible(False)
        self.setFixedSize(120, 12)
        self.setToolTip(self.tr("Input level"))

    def set_level(self, dbfs: float) -> None:
        self.setValue(round(10 * min(60.0, max(0.0, dbfs + 60.0))))


class MessageBar(QFrame):
    """A message above the transcript that stays until closed (errors, notes); never modal."""

    STYLES = {"error": "#fde7e9; color: #7a0010", "note": "#fff4ce; color: #4a3b00"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.hide()
        close = QToolButton(autoRaise=True)
        close.setText("✕")
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.action_button)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._action: QAction | None = None
        self.action_button.clicked.connect(lambda: self._action.trigger() if self._action else None)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error", action: QAction | None = None) -> None:
        self.kind = kind
        self.label.setText(text)
        self.setStyleSheet(f"MessageBar {{ background: {self.STYLES[kind]}; border-radius: 4px; }}")
        self._action = action
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action.text().replace("&", "").rstrip("…."))
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

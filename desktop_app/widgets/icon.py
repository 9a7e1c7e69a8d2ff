"""The app's icon, drawn at run time (no image files to ship)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap


def app_icon(recording: bool = False) -> QIcon:
    """A caption box with "CC"; red while captioning."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#c62828") if recording else QColor("#1e4f91"))
        margin = size * 0.06
        painter.drawRoundedRect(
            QRectF(margin, size * 0.16, size - 2 * margin, size * 0.68), size * 0.14, size * 0.14
        )
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(size * 0.38)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "CC")
        painter.end()
        icon.addPixmap(pixmap)
    return icon

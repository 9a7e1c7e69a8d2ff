"""The caption overlay: a frameless, always-on-top, translucent strip of 1 to 5 lines.

Lines are laid out greedily from a line boundary, so appending words only changes the last
line and nothing above it moves; the newest text is at the bottom and older lines scroll off
the top (the text is cut from the left, never squeezed). The partial tail is drawn in its own
colour after the final words. When translating, the last sentence's translation is drawn under
the captions (up to two lines, in the partial colour), or alone in their place, by choice.
With two inputs it shows the latest line of each, told apart by the label before it, a colour
per input, or both (``OverlayStyle.source_mark``).

Locking makes the overlay click-through (``Qt.WindowTransparentForInput``): the window flags
are set again and the window shown again, as Qt requires. Unlock it from the main window or
the tray icon.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QMouseEvent,
    QMoveEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QDialog, QSizeGrip, QWidget

from engine.pipeline import LINE_ENDS, CaptionUpdate, UpdateKind
from engine.units import join_units, needs_space, split_units

from ..settings import OverlayStyle, Settings

PADDING = 12  # pixels around the text
MAX_WORDS = 400  # older final units are dropped (at a line boundary) past this many
TRANSLATION_LINES = 2  # lines the translation takes under the captions


PARTIAL_MIX = 0.7  # an input's partial words: its colour, this much, over the background


@dataclass(frozen=True)
class Token:
    text: str  # the caption unit as shown (sentence case)
    partial: bool  # part of the unfinal tail
    source: int = -1  # several inputs: whose (0 the first); -1: one input only


@dataclass
class _Line:
    """One input's latest line, when several are captioned."""

    label: str
    finals: list[Token]
    partial: list[Token]
    ended: bool = False  # the next words start a new line


def _on_x11() -> bool:
    return QGuiApplication.platformName() == "xcb"


def on_screen(rect: QRect) -> QRect:
    """``rect`` moved (and narrowed where needed) onto the screen that shows most of it, or the
    primary screen when none shows enough to grab: a position saved with a larger or another
    monitor must not leave the overlay out of sight."""
    screens = [s.availableGeometry() for s in QGuiApplication.screens()]
    shown = [(area.intersected(rect), area) for area in screens]
    best = max(shown, key=lambda pair: pair[0].width() * pair[0].height(), default=None)
    if best is not None and best[0] == rect:
        return rect  # wholly on a screen
    area = best[1] if best is not None and not best[0].isEmpty() else None
    area = area or QGuiApplication.primaryScreen().availableGeometry()
    width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
    x = min(max(rect.x(), area.left()), area.right() + 1 - width)
    y = min(max(rect.y(), area.top()), area.bottom() + 1 - height)
    return QRect(x, y, width, height)


def keep_clear(dialog: QDialog, overlay: QWidget) -> None:
    """Keep the overlay (always on top) off an open dialog and its buttons: the dialog moves
    above or below it where the screen has room, else the overlay steps aside until the dialog
    closes."""
    if not overlay.isVisible():
        return
    frame, band = dialog.frameGeometry(), overlay.frameGeometry()
    if not frame.intersects(band):
        return
    screen = dialog.screen().availableGeometry()
    above = band.top() - frame.height()
    below = band.bottom() + 1
    if above >= screen.top():
        dialog.move(frame.x(), above)
    elif below + frame.height() <= screen.bottom() + 1:
        dialog.move(frame.x(), below)
    else:
        overlay.hide()
        dialog.finished.connect(overlay.show)


class CaptionOverlay(QWidget):
    lock_changed = Signal(bool)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Live Captions overlay"))
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._grip = QSizeGrip(self)
        self._grip.resize(16, 16)
        self._finals: list[Token] = []
        self._partial: list[Token] = []
        self._translation = ""  # the last sentence's translation
        # Several inputs: each one's latest line, by input (0 the first).
        self._sources: dict[int, _Line] = {}
        self._translation_mode = ""  # "": none, "under" the captions, or "alone"
        self._drag_offset: QPoint | None = None
        self._restoring = True
        self.style_ = settings.overlay_style
        self._locked = False
        self.apply_style(self.style_)
        self._restore_geometry()
        self._restoring = False
        self.act_reset = QAction(self.tr("&Reset overlay position"), self)
        self.act_reset.triggered.connect(self.reset_position)
        self.addAction(self.act_reset)
        if settings.overlay_locked:
            self.set_locked(True)

    # captions ----------------------------------------------------------------------------------
    def apply(self, update: CaptionUpdate) -> None:
        """One update of the stream's caption pipeline: its units, as shown."""
        if update.kind in (UpdateKind.FINAL, UpdateKind.PARTIAL) and self._sources:
            self._sources = {}  # one input again
        if update.kind is UpdateKind.FINAL:
            self._finals += [Token(u, False) for u in update.units]
            self._partial = []
            self._trim()
        elif update.kind is UpdateKind.PARTIAL:
            self._partial = [Token(u, True) for u in update.units]
        elif update.kind in LINE_ENDS:
            self._partial = []
        elif update.kind is UpdateKind.TRANSLATION and update.translation.strip():
            self._translation = " ".join(update.translation.split())
        else:
            return
        self.update()

    def apply_source(self, index: int, label: str, update: CaptionUpdate) -> None:
        """One update of one input's pipeline when several are captioned (``index``: which,
        0 the first): the overlay shows the latest line of each, after its label (``You: ...``)
        or in its colour, as the style says."""
        if not self._sources:  # several inputs from now on: one input's text goes
            self._finals, self._partial = [], []
        line = self._sources.setdefault(index, _Line(label, [], []))
        line.label = label
        tokens = [Token(u, update.kind is UpdateKind.PARTIAL, index) for u in update.units]
        if update.kind is UpdateKind.FINAL and update.units:
            line.finals = tokens if line.ended else line.finals + tokens
            line.partial, line.ended = [], False
        elif update.kind is UpdateKind.PARTIAL:
            if line.ended and tokens:
                line.finals, line.ended = [], False
            line.partial = tokens
        elif update.kind in LINE_ENDS:
            line.partial, line.ended = [], True
        else:
            return
        self.update()

    def clear(self) -> None:
        self._finals, self._partial, self._translation = [], [], ""
        self._sources = {}
        self.update()

    def set_translation_mode(self, mode: str) -> None:
        """ "under": the translation under the captions; "alone": only the translation; "": no
        translation (the captions only)."""
        if mode == self._translation_mode:
            return
        self._translation_mode = mode
        if not mode:
            self._translation = ""
        self.apply_style(self.style_)

    def translation_lines(self) -> list[str]:
        """The translation as drawn now, a line each (none when not translating)."""
        if not self._translation_mode or not self._translation:
            return []
        room = self.style_.lines if self._translation_mode == "alone" else TRANSLATION_LINES
        units = [u for word in self._translation.split() for u in split_units(word)]
        tokens = [Token(u, False) for u in units]
        lines = [join_units(t.text for t in line) for line in self._layout(tokens)]
        if len(lines) > room:
            lines = lines[: room - 1] + [lines[room - 1] + "…"]
        return lines

    def visible_lines(self) -> list[list[Token]]:
        """The caption lines drawn now, oldest first; at most ``lines`` (none when the
        translation is shown alone)."""
        if self._translation_mode == "alone":
            return []
        if self._sources:  # several inputs: each one's latest line, in a share of the lines
            share = max(1, self.style_.lines // len(self._sources))
            labelled = self.style_.source_mark != "color"
            lines: list[list[Token]] = []
            for index, line in sorted(self._sources.items()):
                if line.finals or line.partial:
                    name = [Token(f"{line.label}:", False, index)] if labelled else []
                    kept = self._layout([*name, *line.finals, *line.partial])[-share:]
                    if name and kept[0][0] is not name[0]:  # wrapped: the label still leads
                        kept[0] = [*name, *kept[0]]
                    lines += kept
            return lines[-self.style_.lines :]
        return self._layout(self._finals + self._partial)[-self.style_.lines :]

    def visible_text(self) -> str:
        lines = [join_units(t.text for t in line) for line in self.visible_lines()]
        return "\n".join(lines + self.translation_lines())

    def token_color(self, token: Token) -> QColor:
        """The colour a caption unit is drawn in: the final or partial colour, or, with several
        inputs coloured by input, its input's (partial words dimmer)."""
        colored = token.source >= 0 and self.style_.source_mark != "label"
        if not colored:
            return QColor(self.style_.partial_color if token.partial else self.style_.text_color)
        color = QColor(self.style_.source_colors[token.source % len(self.style_.source_colors)])
        if token.partial:
            back = QColor(self.style_.background_color)
            mix = [
                round(PARTIAL_MIX * a + (1 - PARTIAL_MIX) * b)
                for a, b in (
                    (color.red(), back.red()),
                    (color.green(), back.green()),
                    (color.blue(), back.blue()),
                )
            ]
            color = QColor(*mix)
        return color

    # look ------------------------------------------------------------------------------------
    def apply_style(self, style: OverlayStyle) -> None:
        self.style_ = style
        font = QFont(style.font_family) if style.font_family else QFont()
        if not style.font_family:
            font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPointSize(style.font_size)
        self.setFont(font)
        self.setMinimumSize(160, self._text_height() + 2 * PADDING)
        if self.height() != self._fit_height() and not self._restoring:
            self.resize(self.width(), self._fit_height())
        self.update()

    def _text_height(self) -> int:
        extra = TRANSLATION_LINES if self._translation_mode == "under" else 0
        return QFontMetrics(self.font()).lineSpacing() * (self.style_.lines + extra)

    def _fit_height(self) -> int:
        return self._text_height() + 2 * PADDING

    # lock --------------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._locked

    def set_locked(self, locked: bool) -> None:
        if (
            locked == self._locked
            and bool(self.windowFlags() & Qt.WindowType.WindowTransparentForInput) == locked
        ):
            return
        self._locked = locked
        geometry, visible = self.geometry(), self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, locked)  # hides the window
        # Under an X11 window manager the frame window it wraps the overlay in takes the clicks
        # the overlay lets through (openbox): a locked overlay goes without the manager.
        self.setWindowFlag(Qt.WindowType.X11BypassWindowManagerHint, locked and _on_x11())
        self.setGeometry(geometry)
        self._grip.setVisible(not locked)
        if visible:
            self.show()
        self.settings.overlay_locked = locked
        self.lock_changed.emit(locked)

    # geometry ----------------------------------------------------------------------------------
    def _default_rect(self) -> QRect:
        """Centred near the bottom of the primary screen, 60 % of its width."""
        screen = QGuiApplication.primaryScreen().availableGeometry()
        width = max(400, int(screen.width() * 0.6))
        return QRect(
            screen.x() + (screen.width() - width) // 2,
            screen.bottom() - self._fit_height() - 60,
            width,
            self._fit_height(),
        )

    def _restore_geometry(self) -> None:
        rect = self.settings.overlay_rect or self._default_rect()
        rect.setHeight(max(rect.height(), self.minimumHeight()))
        self.setGeometry(on_screen(rect))

    @Slot()
    def reset_position(self) -> None:
        """Back to where it starts on a new computer (and remembered there)."""
        self.setGeometry(self._default_rect())
        self._save_geometry()

    def _save_geometry(self) -> None:
        if not self._restoring:
            self.settings.overlay_rect = self.geometry()

    def save_geometry(self) -> None:
        """Remember the position and size now (Qt sends no move events while hidden)."""
        self._save_geometry()

    def moveEvent(self, event: QMoveEvent) -> None:
        self._save_geometry()
        super().moveEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._grip.move(self.width() - self._grip.width(), self.height() - self._grip.height())
        self._save_geometry()
        super().resizeEvent(event)

    # drag to move ------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._locked:
            return super().mousePressEvent(event)
        handle = self.windowHandle()
        if handle is not None and handle.startSystemMove():
            return None  # the window manager moves it (needed on Wayland)
        self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None:
            self.move(event.globalPosition().toPoint() - self._drag_offset)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_offset = None
        self._save_geometry()

    # layout and painting -----------------------------------------------------------------------
    def _layout(self, tokens: list[Token]) -> list[list[Token]]:
        metrics = QFontMetrics(self.font())
        width = max(1, self.width() - 2 * PADDING)
        space = metrics.horizontalAdvance(" ")
        lines: list[list[Token]] = [[]]
        used = 0
        for token in tokens:
            advance = metrics.horizontalAdvance(token.text)
            gap = space if lines[-1] and needs_space(lines[-1][-1].text, token.text) else 0
            if lines[-1] and used + gap + advance > width:
                lines.append([])
                used = gap = 0
            used += advance + gap
            lines[-1].append(token)
        return lines if lines[-1] else lines[:-1]

    def _trim(self) -> None:
        """Drop old final words at a line boundary, so the lines that stay do not re-wrap."""
        if len(self._finals) <= MAX_WORDS:
            return
        lines = self._layout(self._finals)
        keep = lines[-max(2 * self.style_.lines, 2) :]
        self._finals = [t for line in keep for t in line]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(self.style_.background_color)
        background.setAlphaF(self.style_.opacity)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(self.rect(), 10, 10)
        if not self._locked:  # a faint frame shows where to grab it
            painter.setPen(QColor(255, 255, 255, 60))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 10, 10)
        metrics = QFontMetrics(self.font())
        lines = self.visible_lines()
        translated = self.translation_lines()
        if not lines and not translated and not self._locked:
            painter.setPen(QColor(self.style_.partial_color))
            hint = QFont(self.font())
            hint.setPointSize(max(9, self.style_.font_size // 2))
            painter.setFont(hint)
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("Captions appear here · drag to move · right-click for options"),
            )
            painter.end()
            return
        reserved = TRANSLATION_LINES if self._translation_mode == "under" else len(translated)
        y = self.height() - PADDING - metrics.lineSpacing() * (len(lines) + reserved)
        y += metrics.ascent()
        width = self.width() - 2 * PADDING
        shadow = QColor(0, 0, 0, 200)
        for line in lines:
            x = PADDING
            previous = ""
            for token in line:
                if needs_space(previous, token.text):
                    x += metrics.horizontalAdvance(" ")
                previous = token.text
                text = metrics.elidedText(token.text, Qt.TextElideMode.ElideLeft, width)
                painter.setPen(shadow)
                painter.drawText(x + 1, y + 1, text)
                painter.setPen(self.token_color(token))
                painter.drawText(x, y, text)
                x += metrics.horizontalAdvance(text)
            y += metrics.lineSpacing()
        colour = self.style_.partial_color if lines else self.style_.text_color
        for text in translated:
            painter.setPen(shadow)
            painter.drawText(PADDING + 1, y + 1, text)
            painter.setPen(QColor(colour))
            painter.drawText(PADDING, y, text)
            y += metrics.lineSpacing()
        painter.end()

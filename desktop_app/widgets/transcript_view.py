"""The running transcript: one line per utterance with its start time in a grey side column;
final words in the normal text colour, the partial tail in grey after them.

Only the open line (the tail) is redrawn on each event; finished lines are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtGui import QPalette, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from ..live_transcript import LiveTranscript, Utterance, clock

GREY = "#8a8a8a"


class TranscriptView(QTextEdit):
    def __init__(
        self,
        transcript: LiveTranscript,
        parent: QWidget | None = None,
        label: Callable[[float], str] = clock,  # a line's time as shown (the session's clock)
    ) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.label = label
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setPlaceholderText(
            self.tr(
                "Press Start to caption the selected input, or open or drop "
                "an audio or video file to transcribe it."
            )
        )
        self._tail_start = 0  # document position where the open line begins
        self._tail_utterance: Utterance | None = None  # the utterance the open line shows

    def refresh_tail(self) -> None:
        """Redraw the open line: the current utterance's final words and the partial tail."""
        utterance = self.transcript.current
        self._tail_utterance = utterance
        final = utterance.text() if utterance else ""
        partial = self.transcript.partial_text()
        html = ""
        if final or partial:
            start = (
                utterance.start
                if utterance and utterance.words
                else self.transcript.partial[0].start
            )
            html = self._line_html(start, final, partial, self.transcript.partial_space)
        self._replace_tail(html)

    def end_line(self) -> None:
        """The utterance ended: keep its line and open a new one below it."""
        done, self._tail_utterance = self._tail_utterance, None
        self._replace_tail(
            self._line_html(done.start, done.text(), "") if done and done.words else ""
        )
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.position() > self._tail_start:
            cursor.insertBlock()
            self._tail_start = cursor.position()

    def rebuild(self) -> None:
        """Draw the whole transcript again (after clearing or loading)."""
        self.clear()
        self._tail_start, self._tail_utterance = 0, None
        current = self.transcript.current
        for utterance in self.transcript.utterances:
            if utterance is not current and utterance.words:
                self._tail_utterance = utterance
                self.end_line()
        self.refresh_tail()

    def _line_html(self, start: float, final: str, partial: str, space: bool = False) -> str:
        colour = self.palette().color(QPalette.ColorRole.Text).name()
        parts = [
            f'<span style="color:{GREY}; font-family:monospace">{self.label(start)}</span>&nbsp;&nbsp;'
        ]
        if final:
            parts.append(f'<span style="color:{colour}">{escape(final)}</span>')
        if partial:
            parts.append(
                f'<span style="color:{GREY}">{" " if space and final else ""}'
                f"{escape(partial)}</span>"
            )
        return "".join(parts)

    def _replace_tail(self, html: str) -> None:
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        if html:
            cursor.insertHtml(html)
        if at_bottom:
            bar.setValue(bar.maximum())

"""The running transcript: one line per utterance with its start time in a grey side column;
final words in the normal text colour, the partial tail in grey after them; each sentence's
translation (when translating) under its line, indented, in a muted colour. With several
inputs, the lines said but not in the time order yet follow the finished ones, each after its
label, partial words in grey.

Only the open line (the tail) is redrawn on each event; finished lines are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtGui import QPalette, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from engine.interleave import OpenLine
from engine.pipeline import CaptionUpdate

from ..live_transcript import LiveTranscript, Utterance, clock

GREY = "#8a8a8a"
TRANSLATION_COLOUR = "#3a6ea5"
KEPT_LINE_ENDS = 32  # finished lines whose late translations still go under them


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
        # The last character of recent finished lines (a cursor moves with edits before it),
        # by utterance: a translation that comes after its line ended goes under it.
        self._line_ends: dict[int, QTextCursor] = {}
        self._open_lines: list[OpenLine] = []  # several inputs: lines not in order yet

    def show_open_lines(self, lines: list[OpenLine]) -> None:
        """Several inputs: the lines said but not in the time order yet, drawn (in time order)
        after the open line until they come as finished lines."""
        self._open_lines = list(lines)
        self.refresh_tail()

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
            html += "".join(
                "<br>" + self._translation_html(t)
                for t in (utterance.translations if utterance else [])
            )
        self._replace_tail("<br>".join(part for part in (html, self._open_html()) if part))

    def end_line(self) -> None:
        """The utterance ended: keep its line and open a new one below it."""
        done, self._tail_utterance = self._tail_utterance, None
        html = self._line_html(done.start, done.text(), "") if done and done.words else ""
        if html and done is not None:
            html += "".join("<br>" + self._translation_html(t) for t in done.translations)
        self._replace_tail(html)
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if html and done is not None and cursor.position() > self._tail_start:
            self._line_ends[id(done)] = QTextCursor(self.document())
            self._line_ends[id(done)].setPosition(cursor.position() - 1)
            while len(self._line_ends) > KEPT_LINE_ENDS:
                del self._line_ends[next(iter(self._line_ends))]
        if cursor.position() > self._tail_start:
            cursor.insertBlock()
            self._tail_start = cursor.position()
        self._replace_tail(self._open_html())

    def add_translation(self, update: CaptionUpdate) -> None:
        """A sentence's translation: under the open line (redrawn with it), or, when its line
        has ended, on a line of its own after the finished lines."""
        if not update.translation.strip():
            return
        line = self.transcript.line_of(update.words[0]) if update.words else None
        if line is not None and line is self.transcript.current:
            self.refresh_tail()
            return
        anchor = self._line_ends.get(id(line)) if line is not None else None
        cursor = QTextCursor(self.document())
        if anchor is None:  # a line not shown any more: before the open line
            cursor.setPosition(self._tail_start)
            cursor.insertHtml(self._translation_html(update.translation))
            cursor.insertBlock()
            self._tail_start = cursor.position()
            return
        cursor.setPosition(anchor.position())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        before = cursor.position()
        cursor.insertBlock()
        cursor.insertHtml(self._translation_html(update.translation))
        if before < self._tail_start:
            self._tail_start += cursor.position() - before
        anchor.setPosition(cursor.position() - 1)  # the next one goes under this one

    def rebuild(self) -> None:
        """Draw the whole transcript again (after clearing or loading)."""
        self.clear()
        self._tail_start, self._tail_utterance = 0, None
        self._line_ends.clear()
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

    def _open_html(self) -> str:
        return "<br>".join(
            self._line_html(line.start, f"{line.label}: {line.text}", line.partial, line.space)
            if line.text
            else self._line_html(line.start, f"{line.label}:", line.partial, True)
            for line in self._open_lines
        )

    def _translation_html(self, text: str) -> str:
        indent = "&nbsp;" * 10  # under the text, past the time column
        return f'{indent}<span style="color:{TRANSLATION_COLOUR}">{escape(text)}</span>'

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

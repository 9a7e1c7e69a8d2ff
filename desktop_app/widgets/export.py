"""Save a transcript as TXT, SRT, WebVTT or JSON."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.formats import FORMATS, render
from engine.transcript import Transcript

FILTERS = {
    "txt": str(QT_TRANSLATE_NOOP("Export", "Plain text (*.txt)")),
    "srt": str(QT_TRANSLATE_NOOP("Export", "SubRip subtitles (*.srt)")),
    "vtt": str(QT_TRANSLATE_NOOP("Export", "WebVTT subtitles (*.vtt)")),
    "json": str(QT_TRANSLATE_NOOP("Export", "JSON with word times (*.json)")),
}


def format_for(path: Path, chosen_filter: str = "") -> str:
    """The format named by the file's extension, else by the chosen filter, else TXT."""
    suffix = path.suffix.lstrip(".").lower()
    if suffix in FORMATS:
        return suffix
    # The filter's label is translated; its pattern is not.
    return next((fmt for fmt in FILTERS if f"(*.{fmt})" in chosen_filter), "txt")


def write_transcript(path: Path, transcript: Transcript, fmt: str | None = None) -> Path:
    """Write ``transcript`` to ``path`` (the format's extension added if it has none)."""
    fmt = fmt or format_for(path)
    if path.suffix.lstrip(".").lower() != fmt:
        path = path.with_name(f"{path.name}.{fmt}")
    path.write_text(render(transcript, fmt), encoding="utf-8")
    return path


def default_folder() -> Path:
    """Where the save dialog opens: the user's Documents, never the working folder (the
    install folder when Windows starts the app from its shortcut)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def save_transcript(parent: QWidget, transcript: Transcript, stem: str) -> Path | None:
    """Ask where to save, then save; tells the user when writing fails."""
    filters = ";;".join(QCoreApplication.translate("Export", label) for label in FILTERS.values())
    title = QCoreApplication.translate("Export", "Save transcript")
    start = str(default_folder() / f"{stem}.txt")
    name, chosen = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not name:
        return None
    path = Path(name)
    try:
        return write_transcript(path, transcript, format_for(path, chosen))
    except OSError as exc:
        message = QCoreApplication.translate(
            "Export", "The transcript could not be saved: {}"
        ).format(exc)
        QMessageBox.warning(parent, title, message)
        return None

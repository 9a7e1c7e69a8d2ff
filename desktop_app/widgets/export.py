"""Save a transcript as TXT, SRT, WebVTT or JSON."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.formats import FORMATS, render
from engine.transcript import Transcript

FILTERS = {
    "txt": "Plain text (*.txt)",
    "srt": "SubRip subtitles (*.srt)",
    "vtt": "WebVTT subtitles (*.vtt)",
    "json": "JSON with word times (*.json)",
}


def format_for(path: Path, chosen_filter: str = "") -> str:
    """The format named by the file's extension, else by the chosen filter, else TXT."""
    suffix = path.suffix.lstrip(".").lower()
    if suffix in FORMATS:
        return suffix
    return next((fmt for fmt, label in FILTERS.items() if label == chosen_filter), "txt")


def write_transcript(path: Path, transcript: Transcript, fmt: str | None = None) -> Path:
    """Write ``transcript`` to ``path`` (the format's extension added if it has none)."""
    fmt = fmt or format_for(path)
    if path.suffix.lstrip(".").lower() != fmt:
        path = path.with_name(f"{path.name}.{fmt}")
    path.write_text(render(transcript, fmt), encoding="utf-8")
    return path


def save_transcript(parent: QWidget, transcript: Transcript, stem: str) -> Path | None:
    """Ask where to save, then save; tells the user when writing fails."""
    filters = ";;".join(FILTERS.values())
    name, chosen = QFileDialog.getSaveFileName(parent, "Save transcript", f"{stem}.txt", filters)
    if not name:
        return None
    path = Path(name)
    try:
        return write_transcript(path, transcript, format_for(path, chosen))
    except OSError as exc:
        QMessageBox.warning(parent, "Save transcript", f"The transcript could not be saved: {exc}")
        return None

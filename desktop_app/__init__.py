"""Live Captions desktop app (PySide6): live captions of a microphone or system audio, a caption
overlay, and file transcription, on the engine package."""

__all__ = ["APP_NAME", "ORGANISATION"]

APP_NAME = "Live Captions"
ORGANISATION = "LiveCaptions"

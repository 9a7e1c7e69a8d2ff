"""The command line's side of a model download: two lines on what will be fetched, from where,
and the other choices; then a progress line (bytes, rate, time left) on stderr, rewritten in
place on a terminal and printed every few seconds into a log."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from engine.catalogue import find
from engine.config import ModelOptions
from engine.errors import ModelLoadError
from engine.hub import (
    MIRROR_EXAMPLE,
    DownloadStatus,
    cache_dir,
    cached_model,
    format_bytes,
    remote_model,
)
from engine.model import Recognizer, hub_repo_id, load_recognizer
from engine.punctuation import Punctuation, PunctuationOptions


class ProgressLine:
    """A DownloadProgress that writes one line: in place on a terminal, else every few seconds."""

    def __init__(self, stream: TextIO, every_s: float = 2.0) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every_s = 0.2 if self.tty else every_s
        self._last = 0.0
        self._width = 0
        self._open = False

    def __call__(self, status: DownloadStatus) -> None:
        now = time.monotonic()
        finished = bool(status.total) and status.done >= status.total
        if not finished and now - self._last < self.every_s:
            return
        self._last = now
        text = f"downloading: {status.describe()}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def announce(options: ModelOptions, stream: TextIO) -> bool:
    """Say in two lines what will be downloaded and the other choices; False when nothing
    needs downloading (a folder, the demo, a cached model, or downloads switched off)."""
    repo = hub_repo_id(options.name)
    if repo is None or options.local_files_only or cached_model(repo) is not None:
        return False
    try:
        remote = remote_model(repo, options.hub_endpoint)
    except ModelLoadError:
        return True  # the download says what went wrong
    known = find(repo)
    language = known.language_name if known else None
    details = ", ".join(filter(None, [language, format_bytes(remote.size)]))
    stream.write(
        f"Downloading the speech model {repo} ({details}) once, from {remote.endpoint} into "
        f"{cache_dir()}; Ctrl-C cancels.\n"
        f"Instead: --model FOLDER (a model on disk), --model demo (synthetic voices only), "
        f"--hub-endpoint {MIRROR_EXAMPLE} (a mirror of the hub).\n"
    )
    stream.flush()
    return True


def load_model(options: ModelOptions, stream: TextIO | None = None) -> Recognizer:
    """load_recognizer for the command line: a download announces itself and shows progress,
    as does the one-off ONNX export; notes (a fallback to PyTorch) follow."""
    out = stream or sys.stderr

    def export_step(stage: int, total: int, what: str) -> None:
        out.write(f"preparing the model for ONNX Runtime ({stage}/{total}): {what}\n")
        out.flush()

    if not announce(options, out):
        recognizer = load_recognizer(options, export_progress=export_step)
    else:
        line = ProgressLine(out)
        try:
            recognizer = load_recognizer(options, line, export_progress=export_step)
        finally:
            line.close()
    for note in recognizer.notes:
        out.write(f"note: {note}\n")
    return recognizer


def load_punctuation(
    options: PunctuationOptions,
    speech: ModelOptions,
    recognizer: Recognizer,
    custom_words: Sequence[str] = (),
    stream: TextIO | None = None,
) -> Punctuation | None:
    """The punctuation model for the command line, or None (off, or no model for the caption
    language). A download shows progress like a speech model's. The default model failing to
    load (offline, say) is a note, not an error: captions come without punctuation."""
    from engine.punctuation_models import load_punctuation_model, punctuation_model_name

    out = stream or sys.stderr
    name = punctuation_model_name(options, speech.name, recognizer.is_demo)
    if name is None:
        return None
    line = ProgressLine(out)
    try:
        model = load_punctuation_model(
            name, speech.hub_endpoint, speech.local_files_only, progress=line
        )
    except ModelLoadError as exc:
        if options.model:
            raise
        out.write(f"note: no punctuation: {exc}\n")
        return None
    finally:
        line.close()
    out.write(f"punctuation: {name}\n")
    return Punctuation.of(model, options, custom_words)

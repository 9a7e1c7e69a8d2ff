"""Run windows through a model and stitch their kept frames into words.

Shared by file transcription and streaming, so both see the same frames.
"""

from __future__ import annotations

import numpy as np

from .chinese import ScriptConverter
from .config import SAMPLE_RATE
from .ctc import CtcWordDecoder, Word
from .model import FrameModel
from .windows import Window


def run_windows(
    model: FrameModel, windows: list[Window], silence_level: float = 0.0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """One forward pass over equal-length windows; (ids, probs) per window.

    A window whose every sample is quieter than ``silence_level`` (digital silence, a muted
    microphone) is not run: its frames are blank with certainty. The decision depends on the
    window's samples only, so file and stream skip the same windows.
    """
    results: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(windows)
    active = [i for i, w in enumerate(windows) if not is_silent(w.samples, silence_level)]
    if active:
        out = model.frames(
            np.stack([windows[i].samples for i in active]),
            np.array([windows[i].valid for i in active]),
        )
        for row, i in enumerate(active):
            results[i] = (out.ids[row], out.probs[row])
    frames = model.frame_samples
    return [
        result
        if result is not None
        else (
            np.full(len(window.samples) // frames, model.vocab.blank_id),
            np.ones(len(window.samples) // frames, dtype=np.float32),
        )
        for window, result in zip(windows, results)
    ]


def is_silent(samples: np.ndarray, level: float) -> bool:
    """Every sample quieter than ``level`` (never true when ``level`` is 0)."""
    return level > 0 and float(np.max(np.abs(samples), initial=0.0)) < level


class WindowStitcher:
    """Feeds the kept frames of consecutive final windows to one CTC word decoder; units
    leave it in the Chinese script asked for (``chinese``, see ``engine.chinese``)."""

    def __init__(self, model: FrameModel, gap_s: float, chinese: str = "") -> None:
        gap_frames = max(1, round(gap_s * SAMPLE_RATE / model.frame_samples))
        frame_seconds = model.frame_samples / SAMPLE_RATE
        self.decoder = CtcWordDecoder(model.vocab, gap_frames, frame_seconds)
        self.converter = ScriptConverter(chinese) if chinese else None

    def _out(self, units: list[Word], commit: bool = True) -> list[Word]:
        return self.converter.convert(units, commit) if self.converter and units else units

    def add(self, window: Window, ids: np.ndarray, probs: np.ndarray) -> list[Word]:
        if window.first_frame != self.decoder.next_frame:
            raise RuntimeError(f"window {window.index} out of order")
        cut = window.keep_slice
        return self._out(self.decoder.feed(ids[cut], probs[cut]))

    def peek(self, window: Window, ids: np.ndarray, probs: np.ndarray) -> list[Word]:
        """Words the decoder would give if this partial window's frames were final: the words
        completed by them plus the word in progress. The decoder itself is unchanged."""
        trial = self.decoder.copy()
        cut = window.keep_slice
        return self._out(trial.feed(ids[cut], probs[cut]) + trial.pending(), commit=False)

    def finish(self) -> list[Word]:
        return self._out(self.decoder.flush())

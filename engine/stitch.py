"""Run windows through a model and stitch their kept frames into words.

Shared by file transcription and streaming, so both see the same frames.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from .chinese import ScriptConverter
from .config import SAMPLE_RATE, DecodeOptions
from .ctc import CtcWordDecoder, Word
from .lm import BeamDecoder, LmStitcher
from .lm_files import lm_for
from .model import FrameModel, FrameOutput, blank_log_probs
from .windows import Window

NO_WORDS = (
    "the model's vocabulary has no word delimiter: the language model and custom words are "
    "not used, decoding is greedy"
)
log = logging.getLogger("engine.stitch")

# A window's frames: greedy labels, their probabilities, and every token's log-probability
# (None unless asked for: beam search needs them)
Frames = tuple[np.ndarray, np.ndarray, np.ndarray | None]


def run_windows(
    model: FrameModel, windows: list[Window], silence_level: float = 0.0, log_probs: bool = False
) -> list[Frames]:
    """One forward pass over equal-length windows; (ids, probs, log-probs) per window.

    A window whose every sample is quieter than ``silence_level`` (digital silence, a muted
    microphone) is not run: its frames are blank with certainty. The decision depends on the
    window's samples only, so file and stream skip the same windows.
    """
    results: list[Frames | None] = [None] * len(windows)
    active = [i for i, w in enumerate(windows) if not is_silent(w.samples, silence_level)]
    if active:
        batch = np.stack([windows[i].samples for i in active])
        valid = np.array([windows[i].valid for i in active])
        out = (with_log_probs(model) if log_probs else model.frames)(batch, valid)
        for row, i in enumerate(active):
            logp = out.log_probs[row] if log_probs and out.log_probs is not None else None
            results[i] = (out.ids[row], out.probs[row], logp)
    frames = model.frame_samples
    blank = model.vocab.blank_id

    def silent(count: int) -> Frames:
        logp = blank_log_probs((1, count), len(model.vocab.tokens), blank)[0] if log_probs else None
        return (np.full(count, blank), np.ones(count, dtype=np.float32), logp)

    return [
        result if result is not None else silent(len(window.samples) // frames)
        for window, result in zip(windows, results)
    ]


def with_log_probs(model: FrameModel) -> Callable[[np.ndarray, np.ndarray], FrameOutput]:
    """The model's ``frames_with_log_probs``; RuntimeError for a model without it."""
    method = getattr(model, "frames_with_log_probs", None)
    if method is None:
        raise RuntimeError(
            f"{type(model).__name__} gives no log-probabilities: beam search with a language "
            "model or custom words needs them"
        )
    return method


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

    def add(
        self,
        window: Window,
        ids: np.ndarray,
        probs: np.ndarray,
        log_probs: np.ndarray | None = None,
    ) -> list[Word]:
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

    def pending(self) -> bool:
        """A word is in progress."""
        return bool(self.decoder.pending())

    def finish(self) -> list[Word]:
        return self._out(self.decoder.flush())


def make_stitcher(model: FrameModel, decode: DecodeOptions) -> WindowStitcher | LmStitcher:
    """Greedy decoding, or beam search when an LM is named or beside the model, or custom
    words are listed (``decode.lm``). Raises ModelLoadError for an LM that cannot be read.
    A vocabulary without a word delimiter (characters of scripts written without spaces) has
    no words for an n-gram LM: it decodes greedily (with a log note when an LM or custom words
    were asked for)."""
    options = decode.lm
    if model.vocab.delimiter_id is None:
        if options.lm or options.hotwords:
            log.warning(NO_WORDS)
        return WindowStitcher(model, decode.word_gap_s, decode.chinese)
    lm = lm_for(options, model)
    if lm is None and not options.hotwords:
        return WindowStitcher(model, decode.word_gap_s, decode.chinese)
    # The greedy words (partials) and the beam's words leave through one script converter.
    greedy = WindowStitcher(model, decode.word_gap_s)
    converter = ScriptConverter(decode.chinese) if decode.chinese else None
    beam = BeamDecoder(
        model.vocab,
        options,
        lm,
        greedy.decoder.gap_frames,
        greedy.decoder.frame_seconds,
    )
    min_frames = round(options.span_s / greedy.decoder.frame_seconds)
    return LmStitcher(greedy, beam, model.vocab.blank_id, converter, min_frames)


def wants_log_probs(stitcher: object) -> bool:
    return isinstance(stitcher, LmStitcher)

"""Run windows through a model and stitch their kept frames into words.

Shared by file transcription and streaming, so both see the same frames.
"""

from __future__ import annotations

import logging
from typing import Protocol

import numpy as np

from .chinese import ScriptConverter
from .config import SAMPLE_RATE, DecodeOptions
from .ctc import CtcWordDecoder, Word
from .frames import FrameModel, Frames, is_silent, run_windows, with_log_probs
from .lm import BeamDecoder, Span, SpanCutter, as_typed
from .lm_files import lm_for
from .windows import Window

NO_WORDS = (
    "the model's vocabulary has no word delimiter: the language model and custom words are "
    "not used, decoding is greedy"
)
log = logging.getLogger("engine.stitch")


class Stitcher(Protocol):
    """Turns the frames of consecutive windows into caption units: greedy
    (:class:`WindowStitcher`) or beam search with a language model (:class:`LmStitcher`)."""

    # add() needs every token's log-probability (run windows with log_probs=True)
    wants_log_probs: bool

    def add(
        self, window: Window, ids: np.ndarray, probs: np.ndarray, log_probs: np.ndarray | None
    ) -> list[Word]:
        """A final window's frames; the units they complete."""
        ...

    def peek(self, window: Window, ids: np.ndarray, probs: np.ndarray) -> list[Word]:
        """The units a partial window's frames would give (nothing is committed)."""
        ...

    def pending(self) -> bool:
        """A unit is in progress."""
        ...

    def finish(self) -> list[Word]:
        """End of audio: the units still held."""
        ...


class WindowStitcher:
    """Feeds the kept frames of consecutive final windows to one CTC word decoder; units
    leave it in the Chinese script asked for (``chinese``, see ``engine.chinese``)."""

    wants_log_probs = False

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


class LmStitcher:
    """Like :class:`WindowStitcher`, with beam search: final frames are collected into spans
    (see SpanCutter) and each span is decoded with the LM once it is complete, after the last
    words decided before it (the LM's context carries across cuts inside speech, and starts
    afresh after a pause). Partial results stay greedy: the greedy words of the span in
    progress plus those of the partial window."""

    wants_log_probs = True
    CONTEXT_WORDS = 4  # words carried into the next span (more than any n-gram order used)

    def __init__(
        self,
        greedy: WindowStitcher,  # over the same frames
        decoder: BeamDecoder,
        blank_id: int,
        converter: ScriptConverter | None = None,  # the script of what leaves
        min_frames: int = 0,  # a span inside speech ends at a word boundary past this length
    ) -> None:
        self.greedy = greedy
        self.beam = decoder
        self.cutter = SpanCutter(
            blank_id, decoder.gap_frames, decoder.vocab.delimiter_id, min_frames
        )
        self.converter = converter
        self._unfinal: list[Word] = []  # greedy words of frames no span has decoded yet
        self._context: tuple[str, ...] = ()  # words decided since the last pause (the tail)

    def _out(self, words: list[Word], commit: bool = True) -> list[Word]:
        return self.converter.convert(words, commit) if self.converter and words else words

    def _decode(self, span: Span) -> list[Word]:
        words = self.beam.decode(span.log_probs, span.first, self._context, span.sentence_ends)
        context = () if span.sentence_ends else self._context + tuple(w.text for w in words)
        self._context = context[-self.CONTEXT_WORDS :]  # the LM's spelling
        # Custom words leave as typed ("Tamsinet", not the model's "TAMSINET").
        return as_typed(words, self.beam.spelled_as)

    def add(
        self, window: Window, ids: np.ndarray, probs: np.ndarray, log_probs: np.ndarray | None
    ) -> list[Word]:
        if log_probs is None:
            raise RuntimeError("beam search needs the model's log-probabilities")
        self._unfinal += self.greedy.add(window, ids, probs)
        cut = window.keep_slice
        words: list[Word] = []
        for span in self.cutter.feed(ids[cut], log_probs[cut]):
            words += self._decode(span)
        self._drop_decoded()
        return self._out(words)

    def _drop_decoded(self) -> None:
        done = self.cutter.first_frame * self.beam.frame_seconds - 1e-9
        self._unfinal = [w for w in self._unfinal if w.start >= done]

    def peek(self, window: Window, ids: np.ndarray, probs: np.ndarray) -> list[Word]:
        return self._out(self._unfinal + self.greedy.peek(window, ids, probs), commit=False)

    def pending(self) -> bool:
        return self.cutter.pending() or bool(self.greedy.pending())

    def finish(self) -> list[Word]:
        self.greedy.finish()
        self._unfinal = []
        span = self.cutter.flush()
        return self._out(self._decode(span) if span is not None else [])


def make_stitcher(model: FrameModel, decode: DecodeOptions) -> Stitcher:
    """Greedy decoding, or beam search when an LM is named or beside the model, or custom
    words are listed (``decode.lm``). Raises ModelLoadError for an LM that cannot be read.
    A vocabulary without a word delimiter (characters of scripts written without spaces) has
    no words for an n-gram LM: it decodes greedily (with a log note when an LM or custom words
    were asked for)."""
    options = decode.lm
    if model.vocab.delimiter_id is None and not model.vocab.word_prefix:
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


def wants_log_probs(stitcher: Stitcher) -> bool:
    return stitcher.wants_log_probs


__all__ = [
    "Frames",
    "LmStitcher",
    "Stitcher",
    "WindowStitcher",
    "is_silent",
    "make_stitcher",
    "run_windows",
    "wants_log_probs",
    "with_log_probs",
]

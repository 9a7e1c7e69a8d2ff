"""Beam-search CTC decoding with an optional word n-gram language model and custom words.

flashlight-text's lexicon-free beam search (``LexiconFreeDecoder``) walks the frames; a
language model written here scores it: inside a word nothing, and when a word ends (the word
delimiter, or the end of a span) the word's KenLM log-probability times ``alpha`` plus
``beta``, an out-of-vocabulary penalty for words the LM does not know, and a boost for custom
words (hotwords) spread over their letters so that a hypothesis spelling one survives the beam.
Any word can come out, known to the LM or not; no lexicon restricts the spelling.

Frames are decoded in spans cut at pauses: a span ends where a run of ``gap_frames`` blank
frames (by the greedy label) completes. The cut depends on the frames only, so a stream's
finals and a file's words are the same; and the beam's memory is bounded by one span.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .config import LmOptions
from .ctc import FRAME_SECONDS, CtcWordDecoder, Vocab, Word
from .errors import LanguageModelError
from .lm_files import LoadedLm

LOG10 = math.log(10.0)
# Measured by bench/lm_grid.py on 20 held-out sentences with the demo model and its LM
# (flite slt and espeak-ng en-us; alpha 0.25-1.5, beta 0-4, unknown-word score -6/-12).
DEFAULT_ALPHA = 0.4
DEFAULT_BETA = 1.5
DEFAULT_UNK_SCORE = -12.0


class _Hotwords:
    def __init__(self, phrases: tuple[str, ...], boost: float, lower: bool = False) -> None:
        # spelled in the model's case (base-960h: upper case)
        self.words = {w for p in phrases for w in (p.lower() if lower else p.upper()).split()}
        self.prefixes: dict[str, float] = {}  # prefix -> the bonus given up to it
        for word in self.words:
            for n in range(1, len(word) + 1):
                prefix = word[:n]
                self.prefixes[prefix] = max(self.prefixes.get(prefix, 0.0), boost * n / len(word))
        self.boost = boost


def _make_word_lm(
    base: type,
    lm: LoadedLm | None,
    alpha: float,
    beta: float,
    unk: float,
    hotwords: _Hotwords,
    tokens: tuple[str, ...],
    sil: int,
    context: tuple[str, ...] = (),
    sentence_ends: bool = True,
    prefix: str = "",
) -> object:
    from flashlight.lib.text.decoder import LMState

    class WordLM(base):  # flashlight's pybind LM base (Any to mypy)
        """Word-level scores for a token-level beam search (see the module's docstring)."""

        def __init__(self) -> None:
            super().__init__()
            # state -> (KenLM state or None, partial word, score given for it so far: the
            # hotword bonus of its prefix, or the unknown-word penalty once it is no known
            # word's prefix; a word's score replaces what its letters were given)
            self.states: dict[object, tuple[object, str, float]] = {}

        def start(self, start_with_nothing: bool) -> object:
            state = LMState()
            kstate = None
            if lm is not None:
                kstate = lm.kenlm.start(False)
                for word in context:  # the words decided just before this span
                    kstate, _ = lm.kenlm.score(kstate, lm.index.get(word, lm.unk_index))
            self.states[state] = (kstate, "", 0.0)
            return state

        def _end_word(self, kstate: object, word: str, given: float) -> tuple[object, float]:
            score = beta - given
            if word in hotwords.words:
                score += hotwords.boost
            if lm is not None:
                index = lm.index.get(word, lm.unk_index)
                kstate, lm_score = lm.kenlm.score(kstate, index)
                score += alpha * lm_score * LOG10
                if index == lm.unk_index and word not in hotwords.words:
                    score += unk
            return kstate, score

        def _partial_score(self, partial: str) -> float:
            if partial in hotwords.prefixes:
                return hotwords.prefixes[partial]
            if lm is not None and not lm.is_prefix(partial):
                return unk
            return 0.0

        def score(self, state: object, token: int) -> tuple[object, float]:
            child = state.child(token)  # type: ignore[attr-defined]
            known = self.states.get(child)
            kstate, partial, given = self.states[state]
            if token == sil:
                if partial:
                    kstate, score = self._end_word(kstate, partial, given)
                else:
                    score = 0.0
                if known is None:
                    self.states[child] = (kstate, "", 0.0)
                return child, score
            text = tokens[token]
            if prefix and text.startswith(prefix):
                # a word piece that starts a word: the word before it ends here
                ended = 0.0
                if partial:
                    kstate, ended = self._end_word(kstate, partial, given)
                partial = text[len(prefix) :]
                now = self._partial_score(partial) if partial else 0.0
                if known is None:
                    self.states[child] = (kstate, partial, now)
                return child, ended + now
            partial += text
            now = self._partial_score(partial)
            if known is None:
                self.states[child] = (kstate, partial, now)
            return child, now - given

        def finish(self, state: object) -> tuple[object, float]:
            kstate, partial, given = self.states[state]
            score = 0.0
            if partial:
                kstate, score = self._end_word(kstate, partial, given)
            if lm is not None and sentence_ends:
                kstate, end = lm.kenlm.finish(kstate)
                score += alpha * end * LOG10
            return state, score

    return WordLM()


class BeamDecoder:
    """Decodes spans of per-frame log-probabilities into timed words."""

    def __init__(
        self,
        vocab: Vocab,
        options: LmOptions,
        lm: LoadedLm | None = None,
        gap_frames: int = 25,
        frame_seconds: float = FRAME_SECONDS,
    ) -> None:
        if vocab.delimiter_id is None and not vocab.word_prefix:
            raise LanguageModelError(
                "beam search needs a vocabulary with a word delimiter ('|') or word pieces ('▁')"
            )
        self.vocab = vocab
        self.options = options
        self.lm = lm
        file = lm.file if lm is not None else None
        self.alpha = _pick(options.alpha, file.alpha if file else None, DEFAULT_ALPHA)
        # Without an LM only custom words score: no bonus for splitting words.
        beta = _pick(options.beta, file.beta if file else None, DEFAULT_BETA)
        self.beta = beta if lm is not None else 0.0
        self.unk_score = _pick(
            options.unk_score, file.unk_score if file else None, DEFAULT_UNK_SCORE
        )
        spelled = (vocab.spelling(i) for i in range(len(vocab.tokens)))
        lower = any(t.isalpha() and t.islower() for t in spelled)
        self.hotwords = _Hotwords(options.hotwords, options.hotword_boost, lower)
        self.spelled_as = typed_forms(options.hotwords, lower)
        self.gap_frames = gap_frames
        self.frame_seconds = frame_seconds

    def decode(
        self,
        log_probs: np.ndarray,
        first_frame: int = 0,
        context: tuple[str, ...] = (),
        sentence_ends: bool = True,
    ) -> list[Word]:
        """Words of one span of frames ``(frames, vocab)``; times count from ``first_frame``.
        ``context``: the words decided just before the span (the LM scores this span's words
        after them); ``sentence_ends``: the span ends at a pause (the LM's end of sentence)."""
        from flashlight.lib.text.decoder import (
            LM,
            CriterionType,
            LexiconFreeDecoder,
            LexiconFreeDecoderOptions,
        )

        frames = np.ascontiguousarray(log_probs, dtype=np.float32)
        if len(frames) == 0:
            return []
        vocab = self.vocab
        # flashlight's silence token: the delimiter; -1 (none) for word pieces without one
        sil = -1 if vocab.delimiter_id is None else int(vocab.delimiter_id)
        word_lm = _make_word_lm(
            LM,
            self.lm,
            self.alpha,
            self.beta,
            self.unk_score,
            self.hotwords,
            vocab.tokens,
            sil,
            context,
            sentence_ends,
            vocab.word_prefix,
        )
        opts = LexiconFreeDecoderOptions(
            beam_size=self.options.beam_size,
            beam_size_token=min(len(vocab.tokens), self.options.beam_size_token),
            beam_threshold=self.options.beam_threshold,
            lm_weight=1.0,
            sil_score=0.0,
            log_add=False,
            criterion_type=CriterionType.CTC,
        )
        decoder = LexiconFreeDecoder(opts, word_lm, sil, vocab.blank_id, [])
        results = decoder.decode(frames.ctypes.data, frames.shape[0], frames.shape[1])
        if not results:
            return []
        path = np.asarray(results[0].tokens, dtype=np.int64)
        # flashlight's path carries one extra token at each end; the frames are between.
        path = path[1 : 1 + len(frames)] if len(path) >= len(frames) + 2 else path[: len(frames)]
        probs = np.exp(frames[np.arange(len(path)), path])
        words = CtcWordDecoder(vocab, self.gap_frames, self.frame_seconds)
        words.next_frame = first_frame
        return words.feed(path, probs) + words.flush()


def typed_forms(
    phrases: tuple[str, ...], lower: bool = False
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Custom words and phrases as the user typed them, by the model's spelling, for those with a
    word of upper- and lower-case letters ("Tamsinet", "New York"): the captions' casing would
    lose it (it lower-cases what the model spells in capitals). Others are left to that casing
    (an all-capital acronym comes out lower-cased, like every word)."""
    forms = {}
    for phrase in phrases:
        typed = tuple(phrase.split())
        if any(w != w.lower() and w != w.upper() for w in typed):
            forms[tuple(w.lower() if lower else w.upper() for w in typed)] = typed
    return forms


def as_typed(words: list[Word], forms: dict[tuple[str, ...], tuple[str, ...]]) -> list[Word]:
    """``words`` with each run that spells a listed phrase (all its words, in order) written as
    typed; a word of the phrase alone elsewhere ("new" of "New York") is left as it is."""
    if not forms:
        return words
    out = list(words)
    longest = max(len(p) for p in forms)
    i = 0
    while i < len(out):
        for size in range(min(longest, len(out) - i), 0, -1):
            typed = forms.get(tuple(w.text for w in out[i : i + size]))
            if typed is not None:
                out[i : i + size] = [replace(w, text=t) for w, t in zip(out[i : i + size], typed)]
                i += size - 1
                break
        i += 1
    return out


def _pick(*values: float | None) -> float:
    return next(float(v) for v in values if v is not None)


@dataclass(frozen=True)
class Span:
    first: int  # global index of its first frame
    log_probs: np.ndarray  # (frames, vocab)
    sentence_ends: bool  # it ends at a pause (or the end of the audio), not inside speech


class SpanCutter:
    """Collects final frames and hands out spans, cut by the greedy labels only (so a stream
    and a file cut alike): at a pause (``gap_frames`` blank frames in a row), or, once a span
    holds ``min_frames``, at the next frame that is a word delimiter with a probability of at
    least ``BOUNDARY_PROB`` (a sure word boundary: the beam decides the words up to there, and
    finals need not wait for a pause; an unsure one may be inside a word the beam would join),
    or at ``max_frames``."""

    BOUNDARY_PROB = 0.9

    def __init__(
        self,
        blank_id: int,
        gap_frames: int,
        delimiter_id: int | None = None,
        min_frames: int = 0,
        max_frames: int = 1500,
    ) -> None:
        self.blank_id = blank_id
        self.gap_frames = gap_frames
        # No speech: the blank, and the word delimiter (models write it inside pauses too).
        self.silent_ids = frozenset({blank_id, *([] if delimiter_id is None else [delimiter_id])})
        self.delimiter_id = delimiter_id if min_frames > 0 else None
        self.min_frames = min_frames
        self.max_frames = max_frames
        self._sure = math.log(self.BOUNDARY_PROB)
        self.first_frame = 0  # global index of the first frame held
        self._held: list[np.ndarray] = []
        self._count = 0
        self._blank_run = 0
        self._voiced = False
        self._after_speech = False  # a word cut left the sentence open; a pause ends it

    def feed(self, ids: np.ndarray, log_probs: np.ndarray) -> list[Span]:
        """Add frames; return the spans they complete."""
        spans: list[Span] = []
        start = 0
        for i, token in enumerate(ids.tolist()):
            silent = token in self.silent_ids
            self._blank_run = self._blank_run + 1 if silent else 0
            self._voiced = self._voiced or not silent
            size = self._count + i + 1 - start
            pause = self._blank_run == self.gap_frames and (self._voiced or self._after_speech)
            word_cut = (
                token == self.delimiter_id
                and self._voiced
                and size >= self.min_frames
                and log_probs[i, token] >= self._sure
            )
            if pause or word_cut or size >= self.max_frames:
                self._held.append(log_probs[start : i + 1])
                spans.append(self._take(sentence_ends=pause))
                start = i + 1
        if start < len(ids):
            self._held.append(log_probs[start:])
            self._count += len(ids) - start
        return spans

    def _take(self, sentence_ends: bool) -> Span:
        span = np.concatenate(self._held) if self._held else np.zeros((0, 0), np.float32)
        first = self.first_frame
        self.first_frame += len(span)
        self._after_speech = not sentence_ends and (self._voiced or self._after_speech)
        self._held, self._count, self._voiced = [], 0, False
        return Span(first, span, sentence_ends)

    def flush(self) -> Span | None:
        if not self._held:
            return None
        return self._take(sentence_ends=True)

    def pending(self) -> bool:
        """Voiced frames are held that no span has decoded yet."""
        return self._voiced

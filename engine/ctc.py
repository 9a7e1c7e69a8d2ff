"""Greedy CTC decoding of frame labels into timed caption units.

A unit is a word, or one character of a script written without spaces (Han, kana, Thai, ...;
see ``units``), each with its own times and confidence. The decoder is incremental: frames are
fed in order, in pieces of any size, and completed units come out as soon as they are complete. Decoding a whole file is the same as feeding all of its
frames at once, which is why streaming and file transcription agree word for word.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from .units import breaks_between

FRAME_SECONDS = 0.02


@dataclass(frozen=True)
class Vocab:
    tokens: tuple[str, ...]  # token text by id
    blank_id: int  # the CTC blank (the tokenizer's pad token)
    delimiter_id: int | None  # the word delimiter "|", if the vocabulary has one
    # The tokenizer's special tokens ("[UNK]", "<s>", ...), never spelled out. Tokens written
    # "<...>" count as special anyway.
    special_ids: frozenset[int] = frozenset()
    # Word-piece vocabularies (SentencePiece: Parakeet, OmniASR): a token that starts with this
    # prefix ("▁") starts a new word, and the prefix is not spelled. "" for character
    # vocabularies, whose words end at the delimiter.
    word_prefix: str = ""

    def starts_word(self, token_id: int) -> bool:
        """The token is a word's first piece (it ends the word before it)."""
        return bool(self.word_prefix) and self.tokens[token_id].startswith(self.word_prefix)

    def spelling(self, token_id: int) -> str:
        """The token's text as it is written (without the word-start prefix)."""
        token = self.tokens[token_id]
        return token[len(self.word_prefix) :] if self.starts_word(token_id) else token

    def is_char(self, token_id: int) -> bool:
        """True for ids that are spelled out (not blank, delimiter or a special token)."""
        if token_id in (self.blank_id, self.delimiter_id) or token_id in self.special_ids:
            return False
        token = self.tokens[token_id]
        return not (token.startswith("<") and token.endswith(">"))


@dataclass(frozen=True)
class Word:
    """A caption unit: a word, or one character of a script written without spaces."""

    text: str  # the unit as the model spells it (base-960h: upper case)
    start: float  # seconds from the start of the audio
    end: float  # seconds; end of the word's last frame
    confidence: float  # mean probability of the frames that spell the unit, 0..1

    def to_dict(self, offset: float = 0.0) -> dict[str, float | str]:
        """JSON form; ``offset`` seconds are added to the times."""
        return {
            "word": self.text,
            "start": round(self.start + offset, 3),
            "end": round(self.end + offset, 3),
            "confidence": round(self.confidence, 4),
        }


@dataclass
class _WordInProgress:
    chars: list[str] = field(default_factory=list)
    first_frame: int = -1
    last_frame: int = -1
    prob_sum: float = 0.0
    prob_count: int = 0

    def to_word(self, frame_seconds: float) -> Word:
        return Word(
            text="".join(self.chars),
            start=self.first_frame * frame_seconds,
            end=(self.last_frame + 1) * frame_seconds,
            confidence=self.prob_sum / max(1, self.prob_count),
        )


class CtcWordDecoder:
    """Turns per-frame (label, probability) into units with times and confidences.

    A unit ends at the delimiter token, before a word-piece vocabulary's word-start piece, after ``gap_frames`` blank frames in a row (a pause
    is a word boundary even when the model emits no delimiter), or where the next character
    starts a unit of its own (``units.breaks_between``: an unspaced-script character on
    either side).
    """

    def __init__(
        self, vocab: Vocab, gap_frames: int = 25, frame_seconds: float = FRAME_SECONDS
    ) -> None:
        self.vocab = vocab
        self.gap_frames = gap_frames
        self.frame_seconds = frame_seconds
        self.next_frame = 0  # global index of the next frame to be fed
        self._prev_id = vocab.blank_id
        self._blank_run = 0
        self._word = _WordInProgress()

    def copy(self) -> CtcWordDecoder:
        return copy.deepcopy(self)

    def feed(self, ids: np.ndarray, probs: np.ndarray) -> list[Word]:
        """Feed the next frames; return the units they complete."""
        done: list[Word] = []
        vocab = self.vocab
        word = self._word
        for token_id, prob in zip(ids.tolist(), probs.tolist()):
            frame = self.next_frame
            self.next_frame += 1
            if vocab.is_char(token_id):
                self._blank_run = 0
                if token_id != self._prev_id:
                    text = vocab.spelling(token_id)
                    new_word = vocab.starts_word(token_id)
                    if word.chars and (new_word or breaks_between(word.chars[-1], text)):
                        done.append(word.to_word(self.frame_seconds))
                        word = self._word = _WordInProgress()
                    word.chars.append(text)
                if word.first_frame < 0:
                    word.first_frame = frame
                word.last_frame = frame
                word.prob_sum += prob
                word.prob_count += 1
            else:
                self._blank_run += 1
                ends_word = token_id == vocab.delimiter_id or self._blank_run == self.gap_frames
                if ends_word and word.chars:
                    done.append(word.to_word(self.frame_seconds))
                    word = self._word = _WordInProgress()
            self._prev_id = token_id
        return done

    def pending(self) -> list[Word]:
        """The unit in progress, if any, as it would end now."""
        return [self._word.to_word(self.frame_seconds)] if self._word.chars else []

    def flush(self) -> list[Word]:
        """End of audio: complete the unit in progress."""
        words = self.pending()
        self._word = _WordInProgress()
        self._prev_id = self.vocab.blank_id
        return words


def decode_frames(
    vocab: Vocab, ids: np.ndarray, probs: np.ndarray, gap_frames: int = 25
) -> list[Word]:
    """Decode a complete sequence of frames into units."""
    decoder = CtcWordDecoder(vocab, gap_frames)
    return decoder.feed(ids, probs) + decoder.flush()

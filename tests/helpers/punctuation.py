"""Punctuation stand-ins: a tiny random token classifier built in a folder, a scripted model
whose opinion is fixed per word, and words with times."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devkit.models import word_level_tokenizer
from engine.ctc import Word
from engine.punctuation import Case, WordScores

CASED_LABELS = [m + c for m in ("O", ",", ".", "?") for c in ("O", "U", "A")]


def tiny_token_classifier(folder: Path, labels: list[str], words: list[str]) -> Path:
    """A random BertForTokenClassification with a word-level fast tokenizer."""
    import torch
    from transformers import BertConfig, BertForTokenClassification

    tokenizer = word_level_tokenizer(sorted(set(words)), max_length=64)
    config = BertConfig(
        vocab_size=len(tokenizer.get_vocab()),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=66,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class Scripted:
    """A model whose opinion is fixed per word (the decision rule under test, not a model):
    words in ``ends`` end sentences, in ``commas`` take a comma, in ``questions`` a question
    mark, in ``capital`` are names; all others nothing, lower case."""

    name = "scripted"
    cased = True

    def __init__(
        self,
        ends: Sequence[str] = (),
        commas: Sequence[str] = (),
        questions: Sequence[str] = (),
        capital: Sequence[str] = (),
    ) -> None:
        self.ends, self.commas, self.questions = set(ends), set(commas), set(questions)
        self.capital = set(capital)
        self.calls: list[list[str]] = []

    def scores(self, words: Sequence[str]) -> list[WordScores]:
        self.calls.append(list(words))
        out = []
        for word in (w.lower() for w in words):
            mark = (
                "."
                if word in self.ends
                else "?"
                if word in self.questions
                else ","
                if word in self.commas
                else ""
            )
            # no mark: likely none, but a sentence end is not ruled out (a long pause decides)
            marks = {"": 0.72, ",": 0.03, ".": 0.2, "?": 0.03, "!": 0.02}
            if mark:
                marks = {m: 0.02 for m in marks} | {mark: 0.92}
            case = Case.CAPITAL if word in self.capital else Case.LOWER
            out.append(WordScores(marks, {case: 0.9, Case.UPPER: 0.05}))
        return out


def words(
    text: str, start: float = 0.0, step: float = 0.3, gaps: dict[int, float] | None = None
) -> list[Word]:
    """Words 0.3 s apart; ``gaps``: extra seconds after word i."""
    gaps = gaps or {}
    out, t = [], start
    for i, token in enumerate(text.split()):
        out.append(Word(token, t, t + step - 0.05, 0.9))
        t += step + gaps.get(i, 0.0)
    return out

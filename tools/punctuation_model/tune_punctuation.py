"""Choose the demo model's decision thresholds on the development text (fortune entries held
out by hash, never the bench's held-out text): sentence-end and comma F1 for each threshold,
words 0.3 s apart with neutral gaps (no pause cue).

    nice python -m tools.punctuation_model.tune_punctuation [--model engine/models/demo_punctuation]
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

from engine.ctc import Word  # noqa: E402
from engine.punctuation import (  # noqa: E402
    PunctuationModel,
    PunctuationOptions,
    WordScores,
    punctuate_words,
)
from engine.punctuation_models import load_punctuation_model  # noqa: E402
from tools.punctuation_model.punct_text import split  # noqa: E402


class Memo:
    """The model's scores, computed once per input: the windows a punctuator asks for do not
    depend on the thresholds, so every setting reuses them."""

    def __init__(self, model: PunctuationModel) -> None:
        self.model, self.name, self.cased = model, model.name, model.cased
        self.seen: dict[tuple[str, ...], list[WordScores]] = {}

    def scores(self, words: Sequence[str]) -> list[WordScores]:
        key = tuple(words)
        if key not in self.seen:
            self.seen[key] = self.model.scores(words)
        return self.seen[key]


def f1(tp: int, pred: int, real: int) -> float:
    return 2 * tp / (pred + real) if pred + real else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="demo")
    args = parser.parse_args()
    model = Memo(load_punctuation_model(args.model))
    _, dev = split()
    base = PunctuationOptions()
    step = 0.3
    gap = base.pause_neutral_s
    words = [
        Word(t.word.upper(), i * (step + gap), i * (step + gap) + step, 1.0)
        for i, t in enumerate(dev)
    ]
    for end in (0.25, 0.3, 0.35, 0.4, 0.5):
        for comma in (0.2, 0.3, 0.4, 0.5):
            options = dataclasses.replace(base, end_threshold=end, comma_threshold=comma)
            out = punctuate_words(words, model, options)
            counts = {".": [0, 0, 0], ",": [0, 0, 0]}
            for t, p in zip(dev, out, strict=True):
                ref = "." if t.mark in ".?!" else "," if t.mark == "," else ""
                hyp = "." if p.mark in ".?!" else "," if p.mark in ",;:" else ""
                for cls in counts:
                    counts[cls][0] += ref == hyp == cls
                    counts[cls][1] += hyp == cls
                    counts[cls][2] += ref == cls
            print(
                f"end {end:.2f} comma {comma:.2f}: sentence-end F1 {f1(*counts['.']):.3f}, "
                f"comma F1 {f1(*counts[',']):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()

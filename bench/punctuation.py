"""Punctuation and true casing: quality on held-out text, the delay it adds to live finals, and
its CPU time per audio second.

Held-out text: bench/data/punctuation_held_out.txt, written for this bench (not from any
training text), one short paragraph per line. Conditions:
- clean: the reference words in capitals, as the speech model spells them, with gaps that
  carry no pause cue (pause_neutral_s), fed one word at a time;
- asr VOICE: each paragraph spoken by the voice, transcribed live by the speech model
  (OnlineProcessor, 20-100 ms pieces), the stage fed its finals, partials and pauses; its
  words aligned to the reference (difflib), figures over the aligned words.
Sentence ends (. ? !) and commas: precision, recall and F1; casing: share of aligned words
whose case (lower, Capital, ALL) is the reference's. Delay: per final word, audio time from
its end to its being shown final, without the stage and with it (stream time, not wall time:
compute is counted separately as CPU time).

    nice python -m bench.punctuation                       # demo speech + demo punctuation
    nice python -m bench.punctuation --voices espeak:en-us flite:slt --json out.json

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from engine import ModelOptions, load_recognizer  # noqa: E402 (after the path above)
from engine.ctc import Word  # noqa: E402
from engine.punctuation import (  # noqa: E402
    Punctuated,
    PunctuationModel,
    PunctuationOptions,
    Punctuator,
    punctuate_words,
)
from engine.punctuation_models import load_punctuation_model  # noqa: E402
from engine.streaming import Event, EventType, OnlineProcessor, StreamOptions  # noqa: E402

HELD_OUT = ROOT / "bench" / "data" / "punctuation_held_out.txt"
SAMPLE_RATE = 16_000
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|[.!?]|[,;:]")


@dataclass(frozen=True)
class RefWord:
    word: str  # as written
    mark: str  # "", ",", "." (any sentence end counts as ".")


def reference(line: str) -> list[RefWord]:
    out: list[RefWord] = []
    for piece in _TOKEN.findall(line):
        if piece[0].isalpha():
            out.append(RefWord(piece, ""))
        elif out:
            out[-1] = RefWord(out[-1].word, "." if piece in ".!?" else ",")
    return out


def case_of(word: str) -> str:
    letters = re.sub(r"[^A-Za-z]", "", word)
    if len(letters) > 1 and letters.isupper():
        return "A"
    return "U" if letters[:1].isupper() else "O"


def mark_class(mark: str) -> str:
    return "." if mark in (".", "?", "!") else "," if mark in (",", ";", ":") else ""


@dataclass
class Tally:
    counts: dict[str, list[int]] = field(
        default_factory=lambda: {".": [0, 0, 0], ",": [0, 0, 0]}  # true pos, predicted, real
    )
    cased: list[int] = field(default_factory=lambda: [0, 0])  # right, words
    words: list[int] = field(default_factory=lambda: [0, 0])  # aligned, reference

    def add(self, ref: list[RefWord], hyp: list[Punctuated]) -> None:
        a = [r.word.lower() for r in ref]
        b = [re.sub(r"[^a-z']", "", p.source.text.lower()) for p in hyp]
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        self.words[1] += len(ref)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                r, p = ref[block.a + k], hyp[block.b + k]
                self.words[0] += 1
                predicted = mark_class(p.mark)
                for cls in (".", ","):
                    tp, pred, real = self.counts[cls]
                    self.counts[cls] = [
                        tp + (predicted == cls and r.mark == cls),
                        pred + (predicted == cls),
                        real + (r.mark == cls),
                    ]
                self.cased[0] += case_of(p.word.text) == case_of(r.word)
                self.cased[1] += 1

    def figures(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for cls, name in ((".", "sentence_end"), (",", "comma")):
            tp, pred, real = self.counts[cls]
            precision = tp / pred if pred else 0.0
            recall = tp / real if real else 0.0
            f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
            out[name] = {
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
                "reference": real,
            }
        out["casing_accuracy"] = round(self.cased[0] / max(1, self.cased[1]), 3)
        out["aligned_words"] = f"{self.words[0]} of {self.words[1]}"
        return out


def clean_condition(
    lines: list[str], model: PunctuationModel, options: PunctuationOptions
) -> dict[str, object]:
    tally = Tally()
    step = 0.3 + options.pause_neutral_s  # gaps that neither suggest nor rule out an end
    for line in lines:
        ref = reference(line)
        words = [Word(r.word.upper(), step * i, step * i + 0.3, 1.0) for i, r in enumerate(ref)]
        tally.add(ref, punctuate_words(words, model, options))
    return tally.figures()


@dataclass
class Live:
    """One spoken paragraph through the live stream: per word, when it was shown final."""

    baseline: list[tuple[Word, float]] = field(default_factory=list)  # (word, shown at)
    punctuated: list[tuple[Punctuated, float]] = field(default_factory=list)
    cpu_s: float = 0.0  # process time spent in the punctuation stage
    audio_s: float = 0.0


def run_live(
    audio: np.ndarray, recognizer: object, model: PunctuationModel, options: PunctuationOptions
) -> Live:
    processor = OnlineProcessor(recognizer, StreamOptions(profile="balanced"))  # type: ignore[arg-type]
    punctuator = Punctuator(model, options)
    live = Live(audio_s=len(audio) / SAMPLE_RATE)
    rng = np.random.default_rng(0)
    sent = 0

    def stage(call: Callable[[], list[Punctuated]], now: float) -> None:
        start = time.process_time()
        released = call()
        live.cpu_s += time.process_time() - start
        live.punctuated.extend((p, now) for p in released)

    def consume(events: list[Event], now: float) -> None:
        for event in events:
            if event.type is EventType.FINAL:
                live.baseline.extend((w, now) for w in event.words)
                stage(partial(punctuator.push, event.words, now), now)
            elif event.type is EventType.PARTIAL:
                stage(partial(punctuator.set_tail, event.words, now), now)
            elif event.type in (EventType.UTTERANCE_END, EventType.END):
                stage(punctuator.flush, now)
        stage(partial(punctuator.tick, now), now)

    while sent < len(audio):
        end = min(sent + int(rng.integers(20, 101)) * SAMPLE_RATE // 1000, len(audio))
        events = processor.push(audio[sent:end])
        sent = end
        consume(events, sent / SAMPLE_RATE)
    consume(processor.finish(), len(audio) / SAMPLE_RATE)
    return live


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50_s": round(float(np.percentile(values, 50)), 2),
        "p95_s": round(float(np.percentile(values, 95)), 2),
    }


def asr_condition(
    lines: list[str],
    voice: str,
    recognizer: object,
    model: PunctuationModel,
    options: PunctuationOptions,
    folder: Path,
) -> dict[str, object]:
    from devkit.speech import read_wav, say

    tally = Tally()
    base_delay: list[float] = []
    with_delay: list[float] = []
    added: list[float] = []
    cpu = audio_s = 0.0
    for i, line in enumerate(lines):
        wav = say(line, folder / f"{voice.replace(':', '_')}_{i}.wav", voice=voice)
        audio = np.concatenate([read_wav(wav), np.zeros(SAMPLE_RATE, dtype=np.float32)])
        live = run_live(audio, recognizer, model, options)
        tally.add(reference(line), [p for p, _ in live.punctuated])
        base_delay += [t - w.end for w, t in live.baseline]
        with_delay += [t - p.source.end for p, t in live.punctuated]
        shown = {id(w): t for w, t in live.baseline}
        added += [t - shown[id(p.source)] for p, t in live.punctuated if id(p.source) in shown]
        cpu += live.cpu_s
        audio_s += live.audio_s
    figures = tally.figures()
    figures["final_delay_without"] = percentiles(base_delay)
    figures["final_delay_with"] = percentiles(with_delay)
    figures["added_delay"] = percentiles(added)
    figures["stage_cpu_s_per_audio_s"] = round(cpu / audio_s, 4)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="demo", help="punctuation model (default: demo)")
    parser.add_argument("--speech-model", default="demo")
    parser.add_argument("--voices", nargs="*", default=["espeak:en-us", "flite:slt"])
    parser.add_argument("--lines", type=int, default=None, help="only the first N paragraphs")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    lines = [ln for ln in HELD_OUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    lines = lines[: args.lines] if args.lines else lines
    options = PunctuationOptions()
    model = load_punctuation_model(args.model)
    report: dict[str, object] = {
        "bench": "punctuation",
        "model": args.model,
        "speech_model": args.speech_model,
        "paragraphs": len(lines),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "clean": clean_condition(lines, model, options),
    }
    print("clean:", json.dumps(report["clean"]), flush=True)
    recognizer = load_recognizer(
        ModelOptions(name=args.speech_model, device="cpu", dtype="float32", warmup=False)
    )
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices:
            figures = asr_condition(lines, voice, recognizer, model, options, Path(tmp))
            report[f"asr {voice}"] = figures
            print(f"asr {voice}:", json.dumps(figures), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report))


if __name__ == "__main__":
    main()

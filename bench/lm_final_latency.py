"""How much later live finals come with the language model than without, and what the beam
search costs beside the forward pass, on the demo model with its LM.

Held-out sentences (tools/demo_model/held_out.txt, espeak-ng en-us) are joined with pauses of
a few lengths and streamed through OnlineProcessor in 100 ms pieces; the finals' word error
rate is counted against the sentences. For every final word the delay is counted in audio:
how much audio the stream had received when the word became final, minus the word's end. Audio time does not depend on the machine's load; the beam search's CPU
time is reported beside the forward pass's (process CPU time, both in this one thread).

    python -m bench.lm_final_latency --sentences 20 [--span 0.5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

PIECE = 1600  # 100 ms at 16 kHz
PAUSES_S = (0.3, 0.6, 1.2)  # between sentences: shorter than a span's cut (0.5 s), longer


def held_out(count: int) -> list[str]:
    return (ROOT / "tools" / "demo_model" / "held_out.txt").read_text().splitlines()[:count]


def speech(count: int, pause_s: float, folder: Path) -> np.ndarray:
    from devkit.speech import read_wav, say

    held = held_out(count)
    gap = np.zeros(int(pause_s * 16000), np.float32)
    parts = []
    for i, sentence in enumerate(held):
        wav = folder / f"s{i}.wav"
        if not wav.exists():
            say(sentence, wav, "espeak:en-us")
        parts += [read_wav(wav), gap]
    return np.concatenate(parts)


class Timed:
    """A FrameModel that adds up the CPU time of its forward passes."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.vocab = model.vocab  # type: ignore[attr-defined]
        self.frame_samples = model.frame_samples  # type: ignore[attr-defined]
        self.folder = getattr(model, "folder", None)
        self.cpu = 0.0

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> object:
        began = time.process_time()
        out = self.model.frames(windows, valid)  # type: ignore[attr-defined]
        self.cpu += time.process_time() - began
        return out

    def frames_with_log_probs(self, windows: np.ndarray, valid: np.ndarray | None = None) -> object:
        began = time.process_time()
        out = self.model.frames_with_log_probs(windows, valid)  # type: ignore[attr-defined]
        self.cpu += time.process_time() - began
        return out


def run(
    model: object, audio: np.ndarray, lm: str | None, profile: str, span_s: float
) -> dict[str, Any]:
    from engine.config import DecodeOptions, LmOptions
    from engine.streaming import EventType, OnlineProcessor, StreamOptions

    timed = Timed(model)
    decode = DecodeOptions(lm=LmOptions(lm=lm, use_model_lm=False, span_s=span_s))
    stream = OnlineProcessor(timed, StreamOptions(profile=profile, decode=decode))  # type: ignore[arg-type]
    delays: list[float] = []
    texts: list[str] = []
    began = time.process_time()
    for i in range(0, len(audio), PIECE):
        received = min(len(audio), i + PIECE) / 16000
        for event in stream.push(audio[i : i + PIECE]):
            if event.type is EventType.FINAL:
                delays += [received - w.end for w in event.words]
                texts += [w.text for w in event.words]
    total = time.process_time() - began
    end = len(audio) / 16000
    flushed = [w for e in stream.finish() if e.type is EventType.FINAL for w in e.words]
    delays += [end - w.end for w in flushed]
    return {
        "text": " ".join(texts + [w.text for w in flushed]),
        "words": len(delays),
        "p50": float(np.percentile(delays, 50)),
        "p95": float(np.percentile(delays, 95)),
        "max": float(np.max(delays)),
        "forward_cpu": timed.cpu,
        "other_cpu": total - timed.cpu,
        "audio_s": end,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--profile", default="balanced")
    parser.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    parser.add_argument(
        "--span", type=float, default=None, help="LmOptions.span_s (default: its default)"
    )
    args = parser.parse_args()
    import jiwer
    import torch

    torch.set_num_threads(1)
    from tools.demo_model.texts import to_label

    reference = " ".join(to_label(s) for s in held_out(args.sentences))
    from engine import ModelOptions, load_recognizer
    from engine.config import LmOptions

    model = load_recognizer(
        ModelOptions(name="demo", device="cpu", dtype="float32", backend=args.backend, threads=1)
    )
    span = LmOptions.span_s if args.span is None else args.span
    print(
        f"model: {model.describe()}; profile {args.profile}; 100 ms pieces; LM spans inside "
        f"speech >= {span} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        for pause in PAUSES_S:
            audio = speech(args.sentences, pause, Path(tmp))
            for label, lm in (("greedy", None), ("LM", "demo")):
                span = LmOptions.span_s if args.span is None else args.span
                r = run(model, audio, lm, args.profile, span)
                wer = jiwer.wer(reference, r["text"])
                print(
                    f"pauses {pause:.1f} s, {label:6s}: WER {wer:.3f}, final delay "
                    f"(audio s) p50 {r['p50']:.2f} p95 {r['p95']:.2f} max {r['max']:.2f}; CPU per "
                    f"audio s: forward {r['forward_cpu'] / r['audio_s']:.4f}, decoding and rest "
                    f"{r['other_cpu'] / r['audio_s']:.4f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

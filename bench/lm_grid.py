"""Language-model decoding on held-out speech: WER, the (alpha, beta) grid, cost and memory.

The sentences (tools/demo_model/held_out.txt) are fortune sentences that neither the demo
model nor its LM saw (texts.py holds them out by hash), spoken whole by flite slt and
espeak-ng en-us. For each (alpha, beta, unknown-word score) it prints the WER of beam search
with the demo LM beside greedy decoding; then the decoding cost per audio second against the
forward pass (CPU time of this process, so other load on the machine counts less), and the
memory a loaded LM takes (resident set before and after loading it). ``--base`` also times the
forward pass of base-960h's architecture (random weights, PyTorch) on the first voice's
sentences: the demo model is small, a real model's pass costs much more than its decoding.

    python -m bench.lm_grid --alphas 0.25,0.4,0.5,1 --betas 0,1.5,2,3 --unk=-6,-12
    python -m bench.lm_grid --base
"""

from __future__ import annotations

import argparse
import itertools
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

VOICES = ("flite:slt", "espeak:en-us")
Item = tuple[str, np.ndarray, np.ndarray, np.ndarray, float]  # label, ids, probs, log-probs, cpu


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speak(recognizer: object, sentences: list[str], voice: str, folder: Path) -> list[Item]:
    from devkit.speech import read_wav, say
    from tools.demo_model.texts import to_label

    items = []
    for i, sentence in enumerate(sentences):
        samples = read_wav(say(sentence, folder / f"{voice.replace(':', '_')}{i}.wav", voice))
        began = time.process_time()
        out = recognizer.frames_with_log_probs(samples[None])  # type: ignore[attr-defined]
        cpu = time.process_time() - began
        items.append((to_label(sentence), out.ids[0], out.probs[0], out.log_probs[0], cpu))
    return items


def base_forward(folder: Path, count: int) -> None:
    """CPU time of base-960h's forward pass per audio second on the sentences spoken before."""
    from bench.common import random_base_dir
    from devkit.speech import read_wav
    from engine import ModelOptions, load_recognizer

    base = load_recognizer(
        ModelOptions(name=str(random_base_dir()), device="cpu", dtype="float32", backend="torch")
    )
    cpu = seconds = 0.0
    for i in range(count):
        samples = read_wav(folder / f"{VOICES[0].replace(':', '_')}{i}.wav")
        began = time.process_time()
        base.frames_with_log_probs(samples[None])
        cpu += time.process_time() - began
        seconds += len(samples) / 16000
    print(
        f"base-960h (random weights, PyTorch, one thread): forward {cpu / seconds:.4f} CPU s "
        "per audio s",
        flush=True,
    )


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--lm", default="demo", help="LM file or folder (default: the demo LM)")
    parser.add_argument("--alphas", default="0.4")
    parser.add_argument("--betas", default="1.5")
    parser.add_argument("--unk", default="-12")
    parser.add_argument("--beam", type=int, default=16)
    parser.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    parser.add_argument("--base", action="store_true", help="time base-960h's forward pass too")
    args = parser.parse_args()
    import jiwer
    import torch

    torch.set_num_threads(1)
    from engine import ModelOptions, load_recognizer
    from engine.config import LmOptions
    from engine.ctc import decode_frames
    from engine.lm import BeamDecoder
    from engine.lm_files import load_lm

    recognizer = load_recognizer(
        ModelOptions(name="demo", device="cpu", dtype="float32", backend=args.backend, threads=1)
    )
    print(f"model: {recognizer.describe()}, one thread", flush=True)
    before = rss_mb()
    lm = load_lm(args.lm)
    print(f"LM {lm.file.path}: {rss_mb() - before:.1f} MB resident after loading", flush=True)
    held = (ROOT / "tools" / "demo_model" / "held_out.txt").read_text().splitlines()
    sentences = held[: args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        data = {v: speak(recognizer, sentences, v, Path(tmp)) for v in VOICES}
        if args.base:
            base_forward(Path(tmp), len(sentences))
    for voice, items in data.items():
        refs = [item[0] for item in items]
        began = time.process_time()
        hyps = [
            " ".join(w.text for w in decode_frames(recognizer.vocab, ids, probs))
            for _, ids, probs, _, _ in items
        ]
        greedy_cpu = time.process_time() - began
        seconds = sum(len(item[1]) for item in items) * 0.02
        forward = sum(item[4] for item in items)
        print(
            f"{voice}: greedy WER {jiwer.wer(refs, hyps):.3f}; CPU s per audio s: forward "
            f"{forward / seconds:.4f}, greedy decoding {greedy_cpu / seconds:.4f}",
            flush=True,
        )
    for alpha, beta, unk in itertools.product(
        floats(args.alphas), floats(args.betas), floats(args.unk)
    ):
        options = LmOptions(alpha=alpha, beta=beta, unk_score=unk, beam_size=args.beam)
        decoder = BeamDecoder(recognizer.vocab, options, lm)
        row = [f"alpha {alpha:.2f} beta {beta:.2f} unk {unk:.0f}"]
        for voice, items in data.items():
            refs = [item[0] for item in items]
            began = time.process_time()
            hyps = [" ".join(w.text for w in decoder.decode(item[3])) for item in items]
            cpu = time.process_time() - began
            seconds = sum(len(item[1]) for item in items) * 0.02
            forward = sum(item[4] for item in items)
            row.append(
                f"{voice} WER {jiwer.wer(refs, hyps):.3f} "
                f"(beam {cpu / seconds:.4f} CPU s/s = {cpu / forward:.2f}x forward)"
            )
        print("  ".join(row), flush=True)


if __name__ == "__main__":
    main()

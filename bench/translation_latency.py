"""Live translation under the captions: how soon a sentence's translation comes, whether the
captions' own lag changes with translation on, and the memory of a loaded translation model.

The translation model is OPUS-MT's architecture (Helsinki-NLP/opus-mt-en-zh: d_model 512,
6 + 6 layers, 65 001 pieces) with random weights, built once (devkit/tiny_marian.py). Random
weights never choose the end token, so every translation runs to the length limit (2 x source
pieces + 10): a trained model stops at the end of its sentence, so these times are an upper
bound. Speech: espeak-ng sentences with 2 s pauses, replayed in real time (100 ms pieces) through
the scheduler on the demo model; rounds with translation off and on alternate in one process.

Sentences close at each utterance's end (a pause), as the pipeline's SentenceStage closes them
without punctuation; a sentence's translation latency is counted from the arrival of its last
final (the pause that closes it included) and from the close itself (the translation alone).
A caption's lag is the time a final word arrives minus the time its audio ended.

    python -m bench.translation_latency [--seconds 30] [--rounds 2]
"""

from __future__ import annotations

import argparse
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import RESULTS, SENTENCES

ROOT = Path(__file__).resolve().parent.parent
PIECE = 1600  # 100 ms at 16 kHz
OPUS_RANDOM = RESULTS / "opus-mt-random"


def opus_dir() -> Path:
    from devkit.tiny_marian import make_marian_dir

    if not (OPUS_RANDOM / "config.json").is_file():
        make_marian_dir(OPUS_RANDOM, opus_size=True)
    return OPUS_RANDOM


def speech(folder: Path, seconds: float, pause_s: float = 2.0) -> np.ndarray:
    from devkit.speech import read_wav, say

    gap = np.zeros(int(pause_s * 16000), np.float32)
    parts: list[np.ndarray] = []
    total = 0
    i = 0
    while total < seconds * 16000:
        wav = folder / f"s{i % len(SENTENCES)}.wav"
        if not wav.exists():
            say(SENTENCES[i % len(SENTENCES)], wav, "espeak:en-us")
        parts += [read_wav(wav), gap]
        total += parts[-2].size + gap.size
        i += 1
    return np.concatenate(parts)


def live_round(scheduler: Any, audio: np.ndarray, worker: Any | None) -> dict[str, list[float]]:
    from engine.streaming import EventType, StreamOptions
    from engine.translation import Outbox, Result, drain

    events: queue.Queue[tuple[float, Any]] = queue.Queue()
    stream = scheduler.open_stream(
        lambda e: events.put((time.monotonic(), e)), StreamOptions(profile="balanced")
    )
    started = time.monotonic()

    def feed() -> None:
        for n, i in enumerate(range(0, len(audio), PIECE)):
            delay = started + n * PIECE / 16000 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stream.push(audio[i : i + PIECE])
        stream.finish()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    outbox: Outbox[Result] = queue.SimpleQueue()
    lags: list[float] = []
    from_final: list[float] = []
    from_close: list[float] = []
    words: list[str] = []
    last_final = 0.0
    submitted = 0
    done = 0
    ended = False

    def collect() -> None:
        nonlocal done
        now = time.monotonic()
        for result in drain(outbox):
            closed_at, final_at = result.key
            from_close.append(now - closed_at)
            from_final.append(now - final_at)
            done += 1

    while not ended or done < submitted:
        try:
            arrived, event = events.get(timeout=0.02)
        except queue.Empty:
            collect()
            continue
        collect()
        if event.type is EventType.FINAL and event.words:
            lags += [arrived - (started + w.end) for w in event.words]
            words += [w.text.lower() for w in event.words]
            last_final = arrived
        elif event.type in (EventType.UTTERANCE_END, EventType.END) and words:
            if worker is not None:
                worker.submit((arrived, last_final), " ".join(words), outbox)
                submitted += 1
            words = []
        if event.type in (EventType.END, EventType.ERROR):
            ended = True
    feeder.join()
    return {"lag": lags, "from_final": from_final, "from_close": from_close}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


MEMORY_CHILD = """
import sys, ctranslate2, torch, transformers
from bench.common import rss_mb
from engine.translation import Ct2Translator, TorchTranslator
torch.set_num_threads(1)
before = rss_mb()
make = Ct2Translator if sys.argv[2] == "ct2" else TorchTranslator
translator = make(__import__("pathlib").Path(sys.argv[1]))
translator.translate(["warm up the model once"])
print(round(rss_mb() - before))
"""


def memory(folder: Path) -> None:
    """Resident memory a loaded model adds, each in a fresh process (libraries imported first)."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for label, kind in (("CTranslate2 int8", "ct2"), ("PyTorch float32", "torch")):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(folder), kind],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.split()[-1]
        print(f"memory: {label}: +{out} MB resident", flush=True)


def speed(folder: Path, repeats: int) -> None:
    from engine.translation import Ct2Translator, TorchTranslator

    text = [SENTENCES[1]]
    stopping = Ct2Translator(folder)
    stopping.limit = lambda n: n + 2  # as long as the source: where a trained model stops
    for label, translator in (
        ("CTranslate2 int8", Ct2Translator(folder)),
        ("CTranslate2 int8, source-length output", stopping),
        ("CTranslate2 float32", Ct2Translator(folder, compute_type="float32")),
        ("PyTorch float32", TorchTranslator(folder)),
    ):
        translator.translate(text)
        wall, cpu = [], []
        for _ in range(repeats):
            w, c = time.perf_counter(), time.process_time()
            translator.translate(text)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        pieces = len(stopping.tokens(text[0]))
        print(
            f"speed: {label}: one sentence ({len(text[0].split())} words, {pieces} pieces) "
            f"median {np.median(wall):.3f} s wall, {np.median(cpu):.3f} s CPU",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="speech per round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds off and on each")
    parser.add_argument("--repeats", type=int, default=5, help="sentences per speed figure")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from engine import ModelOptions, load_recognizer
    from engine.scheduler import Scheduler
    from engine.translation import Ct2Translator, TranslationWorker

    folder = opus_dir()
    if not args.skip_memory:
        memory(folder)
    speed(folder, args.repeats)
    recognizer = load_recognizer(ModelOptions(name="demo", device="cpu", threads=1))
    worker = TranslationWorker(Ct2Translator(folder, threads=1))
    results: dict[str, dict[str, list[float]]] = {
        "off": {"lag": []},
        "on": {"lag": [], "from_final": [], "from_close": []},
    }
    with tempfile.TemporaryDirectory() as tmp, Scheduler(recognizer) as scheduler:
        audio = speech(Path(tmp), args.seconds)
        for _ in range(args.rounds):
            for label in ("off", "on"):
                r = live_round(scheduler, audio, worker if label == "on" else None)
                for key in results[label]:
                    results[label][key] += r[key]
    worker.close()
    for label in ("off", "on"):
        lag = results[label]["lag"]
        print(
            f"captions, translation {label}: {len(lag)} final words, lag p50 "
            f"{pct(lag, 50):.2f} s, p95 {pct(lag, 95):.2f} s",
            flush=True,
        )
    for key, what in (("from_final", "its last final"), ("from_close", "its close")):
        values = results["on"][key]
        print(
            f"translation after {what}: {len(values)} sentences, p50 {pct(values, 50):.2f} s, "
            f"p95 {pct(values, 95):.2f} s, max {max(values, default=float('nan')):.2f} s"
        )


if __name__ == "__main__":
    main()

"""Live translation under the captions: how soon a sentence's translation comes, whether the
captions' own lag changes with translation on, and the memory of a loaded translation model.

The translation model is OPUS-MT's architecture (Helsinki-NLP/opus-mt-en-zh: d_model 512,
6 + 6 layers, 65 001 pieces) with random weights, built once (devkit/tiny_marian.py). Random
weights never choose the end token, so every translation runs to the length limit (2 x source
pieces + 10): a trained model stops at the end of its sentence, so these times are an upper
bound. Speech: espeak-ng sentences with 2 s pauses (``--pause``), replayed in real time (100 ms
pieces) through the scheduler on the demo model; rounds with translation off and on alternate in
one process.

Each round runs one stream through the caption pipeline a server session builds
(``caption_pipeline``: casing, the demo punctuation model, sentences, the translation stage),
polled when the worker says a result is ready, as the server's sessions are. The setups, in the
same run: translation off; sentences closed at pauses only (no punctuation: an utterance's end);
closed by punctuation (SENTENCE as soon as the punctuation stage releases a sentence's last
word); and the same with the output limited to the source's length (where a trained model
stops). A sentence's translation latency is counted from the arrival of its last word as an
engine final and from the SENTENCE update (the translation alone). A caption's lag is the time
a final word leaves the pipeline minus the time its audio ended. Each setup's line gives this
process's CPU time and the load average (the machine is shared).

    python -m bench.translation_latency [--seconds 30] [--rounds 1] [--pause 2] [--skip-memory]
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Setup:
    """One way of running a round: translation on or off, sentences closed by punctuation (the
    demo punctuation model) or by pauses only, and the translation's length limit."""

    label: str
    translate: bool
    punctuation: bool
    source_length: bool = False  # limit the output to the source's length (a trained model's)


SETUPS = (
    Setup("off", translate=False, punctuation=True),
    Setup("on, sentences end at pauses, limit 2n+10", translate=True, punctuation=False),
    Setup("on, sentences end at punctuation, limit 2n+10", translate=True, punctuation=True),
    Setup(
        "on, sentences end at punctuation, source-length output",
        translate=True,
        punctuation=True,
        source_length=True,
    ),
)


def live_round(
    scheduler: Any, audio: np.ndarray, setup: Setup, worker: Any, punctuation: Any
) -> dict[str, list[float]]:
    """One stream through the caption pipeline a server session builds (caption_pipeline with
    the punctuation and translation stages), polled when the worker says a result is ready."""
    from engine.pipeline import UpdateKind
    from engine.punctuation_stage import caption_pipeline
    from engine.streaming import EventType, StreamOptions
    from engine.translation import TranslationStage

    events: queue.Queue[tuple[float, Any]] = queue.Queue()
    stage = None
    if setup.translate:
        stage = TranslationStage(worker, "zh", on_ready=lambda: events.put((0.0, None)))
    pipeline = caption_pipeline(punctuation if setup.punctuation else None, stage)
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
    lags: list[float] = []
    from_final: list[float] = []  # translation after its sentence's last word came as a final
    from_close: list[float] = []  # translation after its SENTENCE update
    final_at: dict[int, float] = {}  # word (id) -> when the engine sent it as final
    closed_at: dict[int, float] = {}  # sentence (id of its words) -> when it closed
    ended = False
    while not ended or (stage is not None and stage.pending):
        arrived, event = events.get()
        updates = pipeline.poll() if event is None else pipeline.handle(event)
        now = time.monotonic()
        if event is not None and event.type is EventType.FINAL:
            for word in event.words:
                final_at[id(word)] = arrived
        for update in updates:
            if update.kind is UpdateKind.FINAL:
                lags += [now - (started + w.end) for w in update.words]
            elif update.kind is UpdateKind.SENTENCE:
                closed_at[id(update.words)] = now
            elif update.kind is UpdateKind.TRANSLATION:
                from_close.append(now - closed_at.pop(id(update.words)))
                from_final.append(now - final_at[id(update.words[-1])])
        if event is not None and event.type in (EventType.END, EventType.ERROR):
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
    parser.add_argument("--rounds", type=int, default=1, help="rounds of every setup")
    parser.add_argument(
        "--pause", type=float, default=2.0, help="silence between sentences, seconds"
    )
    parser.add_argument("--repeats", type=int, default=5, help="sentences per speed figure")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from engine import ModelOptions, load_recognizer
    from engine.punctuation import Punctuation
    from engine.punctuation_models import DEMO_PUNCTUATION, load_punctuation_model
    from engine.scheduler import Scheduler
    from engine.translation import Ct2Translator, TranslationWorker, max_length

    folder = opus_dir()
    if not args.skip_memory:
        memory(folder)
    if not args.skip_speed:
        speed(folder, args.repeats)
    recognizer = load_recognizer(ModelOptions(name="demo", device="cpu", threads=1))
    punctuation = Punctuation(load_punctuation_model(DEMO_PUNCTUATION))
    translator = Ct2Translator(folder, threads=1)
    worker = TranslationWorker(translator)
    results: dict[str, dict[str, list[float]]] = {
        s.label: {"lag": [], "from_final": [], "from_close": [], "cpu": [], "load": []}
        for s in SETUPS
    }
    with tempfile.TemporaryDirectory() as tmp, Scheduler(recognizer) as scheduler:
        audio = speech(Path(tmp), args.seconds, args.pause)
        for _ in range(args.rounds):
            for setup in SETUPS:
                translator.limit = (lambda n: n + 2) if setup.source_length else max_length
                cpu = time.process_time()
                r = live_round(scheduler, audio, setup, worker, punctuation)
                r["cpu"] = [time.process_time() - cpu]
                r["load"] = [os.getloadavg()[0]]
                for key in results[setup.label]:
                    results[setup.label][key] += r[key]
    worker.close()
    for setup in SETUPS:
        r = results[setup.label]
        line = (
            f"{setup.label}: CPU {sum(r['cpu']):.1f} s (this process, {args.rounds} x "
            f"{args.seconds:g} s of speech), load average {max(r['load']):.1f}; captions: "
            f"{len(r['lag'])} final words, lag p50 {pct(r['lag'], 50):.2f} s, "
            f"p95 {pct(r['lag'], 95):.2f} s"
        )
        for key, what in (("from_final", "its last final"), ("from_close", "its close")):
            values = r[key]
            if values:
                line += (
                    f"; translation after {what}: {len(values)} sentences, p50 "
                    f"{pct(values, 50):.2f} s, p95 {pct(values, 95):.2f} s, max {max(values):.2f} s"
                )
        print(line, flush=True)


if __name__ == "__main__":
    main()

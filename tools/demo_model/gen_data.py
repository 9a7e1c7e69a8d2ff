"""Synthesise the demo model's training speech with espeak-ng, flite and festival.

Writes shards to work/data/: NAME.npy (int16, 16 kHz mono, utterances back to back) and
NAME.json (list of {"offset", "length", "text", "voice"}). Shards already present are skipped,
so an interrupted run continues where it stopped. Augmentation (noise, speed, silence, joins)
happens later, on the fly, in train.py.

    python -m tools.demo_model.gen_data [--workers 2] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from tools.demo_model import texts

log = logging.getLogger("demo_model.data")

WORK = Path(__file__).resolve().parent / "work"
DATA = WORK / "data"
SEED = 1234
SAMPLE_RATE = 16000
JOB_SIZE = 250  # utterances per shard

# (engine, voice, weight). flite "awb" is held out entirely for evaluation.
TRAIN_VOICES: list[tuple[str, str, float]] = [
    ("flite", "slt", 0.22),
    ("flite", "rms", 0.06),
    ("flite", "kal16", 0.05),
    ("espeak", "en-us", 0.13),
    ("espeak", "en-us+m3", 0.04),
    ("espeak", "en-us+f2", 0.04),
    ("espeak", "en-us+m1", 0.03),
    ("espeak", "en-us+f4", 0.03),
    ("espeak", "en-us+m7", 0.02),
    ("espeak", "en-us-nyc", 0.02),
    ("espeak", "en-gb", 0.03),
    ("espeak", "en-gb-x-rp", 0.02),
    ("espeak", "en-029", 0.015),
    ("espeak", "en-gb-scotland", 0.015),
    ("festival", "cmu_us_slt_arctic_hts", 0.15),
    ("festival", "kal_diphone", 0.05),
    ("festival", "ked_diphone", 0.05),
]
HELD_OUT_VOICE = ("flite", "awb")


@dataclass(frozen=True)
class Item:
    spoken: str  # text given to the synthesiser
    engine: str  # flite, espeak or festival
    voice: str  # voice name for that engine
    rate: float  # speaking-rate factor (1.0 = voice default)
    pitch: float  # pitch factor (1.0 = voice default)


def voice_tag(item: Item) -> str:
    return f"{item.engine}:{item.voice}"


def _synth_flite(item: Item, path: Path) -> None:
    cmd = ["flite", "-voice", item.voice, "--setf", f"duration_stretch={1 / item.rate:.3f}"]
    if item.pitch != 1.0:
        base = 170.0 if item.voice == "slt" else 105.0
        cmd += ["--setf", f"int_f0_target_mean={base * item.pitch:.0f}"]
    subprocess.run(
        cmd + ["-t", item.spoken, "-o", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _synth_espeak(item: Item, path: Path) -> None:
    speed, pitch = round(175 * item.rate), round(50 * item.pitch)
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            item.voice,
            "-s",
            str(speed),
            "-p",
            str(pitch),
            "-w",
            str(path),
            item.spoken,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _synth_festival_batch(items: list[Item], paths: list[Path], tmp: Path) -> None:
    lines = []
    for item, path in zip(items, paths):
        text = item.spoken.replace("\\", " ").replace('"', " ")
        lines.append(f"(voice_{item.voice})")
        lines.append(f"(Parameter.set 'Duration_Stretch {1 / item.rate:.3f})")
        lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{text}")) "{path}" \'riff)')
    script = tmp / "batch.scm"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(
        ["festival", "-b", str(script)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _load_16k(path: Path) -> np.ndarray:
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    if rate != SAMPLE_RATE:
        audio = soxr.resample(audio, rate, SAMPLE_RATE)
    return np.clip(audio * 32767.0, -32768, 32767).astype(np.int16)


def synthesise(items: list[Item], tmp: Path) -> list[np.ndarray | None]:
    """Render items (all of one engine) to int16 16 kHz arrays; None where synthesis failed."""
    tmp.mkdir(parents=True, exist_ok=True)
    paths = [tmp / f"{i}.wav" for i in range(len(items))]
    if items and items[0].engine == "festival":
        _synth_festival_batch(items, paths, tmp)
    else:
        for item, path in zip(items, paths):
            try:
                (_synth_flite if item.engine == "flite" else _synth_espeak)(item, path)
            except subprocess.CalledProcessError:
                log.warning("synthesis failed: %s %r", voice_tag(item), item.spoken)
    out: list[np.ndarray | None] = []
    for path in paths:
        try:
            audio = _load_16k(path)
            out.append(audio if len(audio) > 1600 else None)
        except (OSError, RuntimeError):
            out.append(None)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def write_shard(name: str, items: list[Item]) -> tuple[str, float]:
    """Synthesise one shard; returns (name, seconds of audio)."""
    target = DATA / f"{name}.npy"
    if target.exists():
        return name, 0.0
    audios = synthesise(items, WORK / "tmp" / name)
    index, chunks, offset = [], [], 0
    for item, audio in zip(items, audios):
        if audio is None:
            continue
        index.append(
            {
                "offset": offset,
                "length": len(audio),
                "text": texts.to_label(item.spoken),
                "voice": voice_tag(item),
            }
        )
        chunks.append(audio)
        offset += len(audio)
    (DATA / f"{name}.json").write_text(json.dumps(index))
    np.save(DATA / f"{name}.tmp.npy", np.concatenate(chunks) if chunks else np.zeros(0, np.int16))
    (DATA / f"{name}.tmp.npy").rename(target)  # the .npy appears last: it marks a finished shard
    return name, offset / SAMPLE_RATE


def _random_item(rng: random.Random, spoken: str) -> Item:
    engine, voice, _ = rng.choices(TRAIN_VOICES, weights=[w for *_, w in TRAIN_VOICES])[0]
    rate = rng.uniform(0.8, 1.25) if rng.random() < 0.7 else 1.0
    pitch = rng.uniform(0.8, 1.25) if engine != "festival" and rng.random() < 0.5 else 1.0
    return Item(spoken, engine, voice, rate, pitch)


def plan_jobs(scale: float) -> list[tuple[str, list[Item]]]:
    """Deterministic list of (shard name, items), grouped by engine."""
    rng = random.Random(SEED)
    train, held = texts.split_sentences()
    words = texts.dictionary_words()
    items: list[Item] = []
    for sentence in train:
        for _ in range(1 + (rng.random() < 0.3 * scale) + (rng.random() < 0.3 * (scale - 1))):
            items.append(_random_item(rng, sentence))
    for line in texts.random_word_lines(rng, int(2500 * scale), words):
        items.append(_random_item(rng, line))
    rng.shuffle(items)
    jobs: list[tuple[str, list[Item]]] = []
    for engine in ("festival", "flite", "espeak"):  # slowest first, so both workers end together
        group = [it for it in items if it.engine == engine]
        for start in range(0, len(group), JOB_SIZE):
            jobs.append(
                (f"train_{engine}_{start // JOB_SIZE:03d}", group[start : start + JOB_SIZE])
            )
    dev_rng = random.Random(SEED + 1)
    dev = dev_rng.sample(held, 60)  # small set for the CER checks during training
    jobs.append(("dev_espeak", [Item(s, "espeak", "en-us", 1.0, 1.0) for s in dev[:30]]))
    jobs.append(("dev_flite", [Item(s, "flite", "slt", 1.0, 1.0) for s in dev[30:]]))
    return jobs


def _run_job(job: tuple[str, list[Item]]) -> tuple[str, float]:
    return write_shard(*job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.3, help="more (>1) or less text")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    DATA.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(args.scale)
    log.info("%d shards, %d utterances", len(jobs), sum(len(j[1]) for j in jobs))
    start, total = time.time(), 0.0
    with Pool(args.workers) as pool:
        for name, seconds in pool.imap_unordered(_run_job, jobs):
            total += seconds
            log.info(
                "%s done: %.0f s audio (total %.2f h, %.0f s elapsed)",
                name,
                seconds,
                total / 3600,
                time.time() - start,
            )
    log.info("finished in %.0f s", time.time() - start)


if __name__ == "__main__":
    main()

"""Float16 storage of wav2vec2 weights: size, and frame labels and words after loading the
float16 weights back into float32, on the demo model and on random base-960h weights.

    python -m tools.fp16_storage [--work DIR]     # from the repository's root

Prints one JSON object per model. (The figures in the README, section Bundling.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import soundfile as sf
import torch

from devkit.installer import load_installer_module
from devkit.models import make_model_dir
from devkit.speech import say
from engine import ModelOptions, Recognizer, load_recognizer, transcribe_file

ROOT = Path(__file__).resolve().parents[1]
store_float16 = load_installer_module("build").store_float16  # as the installer stores weights

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "please remember to bring your umbrella tomorrow morning",
    "she sells sea shells by the sea shore every summer",
    "we will meet at the station at half past seven",
    "a good book is the best friend a person can have",
    "turn left at the next corner and keep going straight",
    "the weather today is cold but the sun is shining",
    "my brother plays the piano better than anyone i know",
]


def fp16_copy(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    store_float16(src / "model.safetensors", dst / "model.safetensors")  # as the installer does
    return dst


def load(folder: Path) -> Recognizer:
    return load_recognizer(
        ModelOptions(name=str(folder), device="cpu", dtype="float32", warmup=False)
    )


def compare(name: str, folder: Path, work: Path, wavs: list[Path]) -> dict:
    half = fp16_copy(folder, work / f"{name}-fp16")
    a, b = load(folder), load(half)
    agree = total = words_same = words_total = texts_equal = 0
    for wav in wavs:
        audio, rate = sf.read(str(wav), dtype="float32")
        fa = a.frames(audio[None]).ids[0]
        fb = b.frames(audio[None]).ids[0]
        agree += int((fa == fb).sum())
        total += fa.size
        ta = transcribe_file(a, wav).text(cased=False).split()
        tb = transcribe_file(b, wav).text(cased=False).split()
        texts_equal += ta == tb
        words_total += max(len(ta), len(tb))
        words_same += sum(x == y for x, y in zip(ta, tb))
    size32 = (folder / "model.safetensors").stat().st_size
    size16 = (half / "model.safetensors").stat().st_size
    return {
        "model": name,
        "weights_fp32_MB": round(size32 / 1e6, 1),
        "weights_fp16_MB": round(size16 / 1e6, 1),
        "frame_label_agreement": round(agree / total, 5),
        "frames": total,
        "identical_transcripts": f"{texts_equal}/{len(wavs)}",
        "word_agreement": round(words_same / max(1, words_total), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None, help="folder for the copies and speech")
    work = parser.parse_args().work or Path(tempfile.mkdtemp(prefix="fp16-"))
    torch.set_num_threads(1)
    wavs = [
        say(text, work / f"s{i}.wav", voice="flite:slt" if i % 2 else "espeak:en-us")
        for i, text in enumerate(SENTENCES)
    ]
    base = make_model_dir(work / "base-random", base=True, seed=0)
    for name, folder in (("demo", ROOT / "engine" / "models" / "demo"), ("base-960h-random", base)):
        print(json.dumps(compare(name, folder, work, wavs)), flush=True)


if __name__ == "__main__":
    main()

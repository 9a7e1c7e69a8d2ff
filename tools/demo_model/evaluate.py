"""Evaluate the demo model on freshly synthesised held-out sentences; writes results.json.

Conditions: flite slt, espeak-ng en-us, festival HTS slt, the held-out voice (flite awb, never
trained on) and espeak-ng en-us with white noise at 10 dB SNR. Whole-utterance greedy decoding.
Also: how often bfloat16 and dynamic int8 versions give the same words as float32.

    python -m tools.demo_model.evaluate [--model tools/demo_model/work/final] [--sentences 100]
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import random
import time
from pathlib import Path

import jiwer
import numpy as np
import torch
from transformers import Wav2Vec2ForCTC

from tools.demo_model import texts
from tools.demo_model.common import HERE, WORK, transcribe, transcribe_windowed
from tools.demo_model.gen_data import SEED, Item, synthesise

log = logging.getLogger("demo_model.evaluate")

CONDITIONS: dict[str, tuple[str, str]] = {
    "flite_slt": ("flite", "slt"),
    "espeak_en-us": ("espeak", "en-us"),
    "festival_hts_slt": ("festival", "cmu_us_slt_arctic_hts"),
    "held_out_voice_flite_awb": ("flite", "awb"),
    "espeak_en-us_white_noise_10db": ("espeak", "en-us"),
}
# also decoded in engine-like windows (1.5 s left context + 1 s centre + 1 s right context)
WINDOWED = ("flite_slt", "espeak_en-us")


def eval_sentences(count: int) -> list[str]:
    """Held-out sentences not used by the dev set in gen_data.plan_jobs."""
    _, held = texts.split_sentences()
    dev = set(random.Random(SEED + 1).sample(held, 60))
    rest = [s for s in held if s not in dev]
    return random.Random(SEED + 2).sample(rest, min(count, len(rest)))


def add_white_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    x = audio.astype(np.float32) / 32768.0
    noise = rng.standard_normal(len(x)).astype(np.float32)
    noise *= np.sqrt(np.mean(x**2) / 10 ** (snr_db / 10) / np.mean(noise**2))
    return x + noise


def synthesise_conditions(sentences: list[str]) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(SEED)
    audio: dict[str, list[np.ndarray]] = {}
    for name, (engine, voice) in CONDITIONS.items():
        if name.endswith("noise_10db"):
            audio[name] = [add_white_noise(a, 10.0, rng) for a in audio["espeak_en-us"]]
            continue
        items = [Item(s, engine, voice, 1.0, 1.0) for s in sentences]
        clips = synthesise(items, WORK / "tmp" / f"eval_{name}")
        audio[name] = [c if c is not None else np.zeros(1600, np.int16) for c in clips]
    return audio


def score(
    model: torch.nn.Module,
    audio: dict[str, list[np.ndarray]],
    refs: list[str],
    windowed: bool = False,
) -> tuple[dict, dict[str, list[str]], float]:
    """Per-condition CER/WER, the transcripts, and compute seconds per audio second."""
    results, hyps, compute, seconds = {}, {}, 0.0, 0.0
    for name, clips in audio.items():
        start = time.perf_counter()
        hyps[name] = [transcribe(model, c) for c in clips]
        compute += time.perf_counter() - start
        seconds += sum(len(c) for c in clips) / 16000
        results[name] = _scores(refs, hyps[name])
        if windowed and name in WINDOWED:
            window_hyps = [transcribe_windowed(model, c) for c in clips]
            results[f"{name}_windowed_1.5+1+1s"] = _scores(refs, window_hyps)
    return results, hyps, compute / seconds


def _scores(refs: list[str], hyps: list[str]) -> dict:
    safe = [h or "-" for h in hyps]
    return {
        "cer": round(jiwer.cer(refs, safe), 4),
        "wer": round(jiwer.wer(refs, safe), 4),
        "utterances": len(refs),
    }


def agreement(base: dict[str, list[str]], other: dict[str, list[str]]) -> float:
    """1 - WER of `other` against the float32 transcripts, over all conditions."""
    ref = [h or "-" for name in base for h in base[name]]
    hyp = [h or "-" for name in base for h in other[name]]
    return round(1.0 - jiwer.wer(ref, hyp), 4)


def silence_outputs(model: torch.nn.Module) -> dict[str, str]:
    rng = np.random.default_rng(0)
    return {
        "digital_silence_3s": transcribe(model, np.zeros(48000, np.float32)),
        "white_noise_3s": transcribe(model, 0.01 * rng.standard_normal(48000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=WORK / "final")
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(2)
    sentences = eval_sentences(args.sentences)
    refs = [texts.to_label(s) for s in sentences]
    audio = synthesise_conditions(sentences)
    model = Wav2Vec2ForCTC.from_pretrained(args.model).eval()

    results, hyps, rtf = score(model, audio, refs, windowed=True)
    log.info("float32: %s", json.dumps(results))
    report = {
        "model": str(args.model),
        "parameters": sum(p.numel() for p in model.parameters()),
        "sentences": len(sentences),
        "float32": results,
        "float32_compute_s_per_audio_s": round(rtf, 4),
        "silence": silence_outputs(model),
    }
    variants = {"bfloat16": lambda: copy.deepcopy(model).to(torch.bfloat16)}
    variants["int8_dynamic"] = lambda: torch.ao.quantization.quantize_dynamic(
        copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8
    )
    for name, build in variants.items():
        try:
            variant = build()
            res, vh, vrtf = score(variant, audio, refs)
        except (RuntimeError, AttributeError, NotImplementedError) as error:
            report[name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        report[name] = {
            "word_agreement_with_float32": agreement(hyps, vh),
            "compute_s_per_audio_s": round(vrtf, 4),
            "scores": res,
        }
        log.info("%s: agreement %.4f", name, report[name]["word_agreement_with_float32"])
    report["examples"] = {
        name: [{"ref": r, "hyp": h} for r, h in list(zip(refs, hyps[name]))[:3]] for name in hyps
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    log.info("wrote %s", args.output)


if __name__ == "__main__":
    main()

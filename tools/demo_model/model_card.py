"""The README.md model card for engine/models/demo/, filled from results and the learning curve."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import Wav2Vec2ForCTC

CONDITION_NAMES = {
    "flite_slt": "flite `slt`",
    "espeak_en-us": "espeak-ng `en-us`",
    "festival_hts_slt": "festival HTS `cmu_us_slt_arctic_hts`",
    "held_out_voice_flite_awb": "flite `awb` (voice never trained on)",
    "espeak_en-us_white_noise_10db": "espeak-ng `en-us` + white noise, 10 dB SNR",
    "flite_slt_windowed_1.5+1+1s": "flite `slt`, engine-like windows 1.5 + 1 + 1 s",
    "espeak_en-us_windowed_1.5+1+1s": "espeak-ng `en-us`, engine-like windows 1.5 + 1 + 1 s",
}


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _timings_text(timings: dict[str, float]) -> str:
    parts = [f"{k.removesuffix('_s')} {v / 60:.1f} min" for k, v in timings.items()]
    return ", ".join(parts) or "see tools/demo_model/README.md"


def _curve(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _results_table(results: dict) -> str:
    rows = ["| test speech (held-out sentences) | CER | WER |", "|---|---|---|"]
    for key, name in CONDITION_NAMES.items():
        score = results.get("float32", {}).get(key)
        if score:
            rows.append(f"| {name} | {score['cer']:.3f} | {score['wer']:.3f} |")
    return "\n".join(rows)


def _quant_lines(results: dict) -> str:
    lines = []
    for key in ("bfloat16", "int8_dynamic"):
        entry = results.get(key, {})
        if "word_agreement_with_float32" in entry:
            lines.append(
                f"- {key}: {entry['word_agreement_with_float32']:.1%} of words agree "
                f"with float32 ({entry['compute_s_per_audio_s']:.4f} s compute per "
                "audio second)"
            )
        elif entry:
            lines.append(f"- {key}: not available ({entry.get('error')})")
    return "\n".join(lines)


def _curve_lines(curve: list[dict[str, str]]) -> str:
    points = [row for row in curve if row.get("dev_cer")]
    lines = ["| minutes | step | audio seen (h) | train loss | dev CER |", "|---|---|---|---|---|"]
    for row in points:
        lines.append(
            f"| {float(row['minutes']):.0f} | {row['step']} | {row['audio_hours']} | "
            f"{row['loss']} | {row['dev_cer']} |"
        )
    return "\n".join(lines)


def render_card(recipe_dir: Path, model: Wav2Vec2ForCTC) -> str:
    results = _read_json(recipe_dir / "results.json")
    timings = _read_json(recipe_dir / "timings.json")
    curve = _curve(recipe_dir / "learning_curve.tsv")
    last = curve[-1] if curve else {}
    params = sum(p.numel() for p in model.parameters())
    cfg = model.config
    notes_path = recipe_dir / "run_notes.md"
    notes = notes_path.read_text().strip() if notes_path.exists() else "None."
    train_min = float(last.get("minutes", 0))
    return f"""# Live Captions demo model (synthetic speech only)

A tiny `Wav2Vec2ForCTC` ({params / 1e6:.2f} M parameters, float32 safetensors) trained from
scratch in about {train_min:.0f} minutes on two CPU cores, on synthetic English speech only.
It exists so the project has a model for **tests, demos and a first start without network**.

**It understands synthetic voices, not people.** It was never trained on a human voice and
will give poor or useless captions for real speech. For real use, pick a proper model such as
`facebook/wav2vec2-base-960h`.

## Use

```python
from transformers import Wav2Vec2ForCTC, Wav2Vec2Processor
model = Wav2Vec2ForCTC.from_pretrained("engine/models/demo")
processor = Wav2Vec2Processor.from_pretrained("engine/models/demo")
```

Vocabulary, tokenizer and feature-extractor settings are exactly those of
`facebook/wav2vec2-base-960h` (32 tokens, `<pad>` = 0 is the CTC blank, `|` separates words,
16 kHz input, zero-mean/unit-variance normalisation, no attention mask). The convolutional
encoder has base's strides, so one output frame is 320 samples = 20 ms.

## Architecture

conv channels {tuple(cfg.conv_dim)}, kernels {tuple(cfg.conv_kernel)}, strides
{tuple(cfg.conv_stride)}; {cfg.num_hidden_layers} transformer layers, hidden {cfg.hidden_size},
{cfg.num_attention_heads} heads, feed-forward {cfg.intermediate_size}; layer-norm feature encoder,
stable layer norm, convolutional position embedding of width {cfg.num_conv_pos_embeddings}.

## Results

Greedy CTC decoding of whole utterances, {results.get("sentences", "?")} held-out fortune
sentences (never trained on) per row, freshly synthesised:

{_results_table(results)}

Silence: digital silence gives `{results.get("silence", {}).get("digital_silence_3s", "?")!r}`,
low white noise gives `{results.get("silence", {}).get("white_noise_3s", "?")!r}`.

Lower precision against float32 on the same audio:
{_quant_lines(results)}

## How it was made

One command from the repository root: `bash tools/demo_model/run_all.sh` (the recipe and its
README are in `tools/demo_model/`). Wall times of the run that produced this model (2 CPU cores,
shared): {_timings_text(timings)}.

- **Text**: sentences of 3-20 words from the Debian `fortunes` files (several topic files left
  out), sentences containing digits, acronyms or abbreviations dropped, plus lines of random
  words from `/usr/share/dict/words` (`wamerican`). About 5 % of the sentences, chosen by hash,
  are held out and never trained on.
- **Voices**: espeak-ng (`en-us` and variants `+m1 +m3 +m7 +f2 +f4`, `en-us-nyc`, `en-gb`,
  `en-gb-x-rp`, `en-029`, `en-gb-scotland`, at varied speed and pitch), flite (`slt`, `rms`,
  `kal16`, varied duration and pitch), festival (`cmu_us_slt_arctic_hts`, `kal_diphone`,
  `ked_diphone`). flite `awb` is held out. About 20 hours of 16 kHz audio.
- **Augmentation, on the fly**: speed 0.88-1.12, leading/trailing silence, 2-3 utterances joined
  with pauses, gain, white or pink noise at 5-60 dB SNR, some low-pass/high-pass filtering, and
  per-example normalisation to zero mean / unit variance like the engine's windows.
- **Training**: CTC from random initialisation, bfloat16 autocast on CPU, AdamW, peak learning
  rate 2e-3, 300 warm-up steps, cosine decay over a fixed wall-clock budget, batches of about
  60 s of audio grouped by length (two data-parallel processes of one thread each),
  SpecAugment-style time masking (p = 0.05), no dropout.
  {last.get("step", "?")} steps, {last.get("audio_hours", "?")} hours of audio seen.

## Notes on this run

{notes}

## Licences

The weights were trained only on audio produced by free software speech synthesisers from
freely licensed text: espeak-ng (GPL-3.0-or-later), flite and its CMU voices (BSD-style CMU
licence), festival with the CMU ARCTIC HTS voice and the CSTR/OGI diphone voices (BSD-style
free licences); text from the BSD `fortunes` collection and the `wamerican` word list.
"""

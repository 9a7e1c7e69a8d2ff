"""Check the exported demo model: load it the way the engine does and transcribe a new sentence.

python -m tools.demo_model.verify_export [--dir engine/models/demo]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jiwer
import torch
from transformers import Wav2Vec2ForCTC, Wav2Vec2Processor

from tools.demo_model.common import WORK
from tools.demo_model.export import DEST
from tools.demo_model.gen_data import Item, synthesise

SENTENCE = "The weather was cold and windy when we walked home from the station."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEST)
    parser.add_argument("--text", default=SENTENCE)
    args = parser.parse_args()
    model = Wav2Vec2ForCTC.from_pretrained(args.dir).eval()
    processor = Wav2Vec2Processor.from_pretrained(args.dir)
    audio = synthesise([Item(args.text, "flite", "slt", 1.0, 1.0)], WORK / "tmp" / "verify")[0]
    if audio is None:
        sys.exit("flite could not synthesise the test sentence")
    inputs = processor(audio.astype("float32") / 32768.0, sampling_rate=16000, return_tensors="pt")
    with torch.inference_mode():
        ids = model(inputs.input_values).logits.argmax(-1)
    hyp = processor.batch_decode(ids)[0]
    ref = args.text.upper().replace(",", "").replace(".", "")
    print(f"ref: {ref}\nhyp: {hyp}\nCER {jiwer.cer(ref, hyp):.3f}  WER {jiwer.wer(ref, hyp):.3f}")
    size = sum(p.stat().st_size for p in args.dir.iterdir() if p.is_file())
    print(f"{args.dir}: {size / 1e6:.2f} MB, {sorted(p.name for p in args.dir.iterdir())}")


if __name__ == "__main__":
    main()

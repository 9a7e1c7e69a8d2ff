"""Export the trained demo model to engine/models/demo/ with processor files and model card.

python -m tools.demo_model.export [--model tools/demo_model/work/final] [--dest engine/models/demo]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch
from transformers import (
    Wav2Vec2CTCTokenizer,
    Wav2Vec2ForCTC,
    Wav2Vec2Processor,
)

from devkit.models import feature_extractor
from tools.demo_model.common import HERE, VOCAB, WORK
from tools.demo_model.model_card import render_card

log = logging.getLogger("demo_model.export")

DEST = HERE.parent.parent / "engine" / "models" / "demo"
MAX_BYTES = 25 * 1024 * 1024
SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
}


def build_processor(vocab_file: Path) -> Wav2Vec2Processor:
    """The processor settings of facebook/wav2vec2-base-960h."""
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_file), word_delimiter_token="|", do_lower_case=False, **SPECIAL_TOKENS
    )
    return Wav2Vec2Processor(feature_extractor=feature_extractor(), tokenizer=tokenizer)


def export(model_dir: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    model = Wav2Vec2ForCTC.from_pretrained(model_dir, dtype=torch.float32)
    model.save_pretrained(dest, safe_serialization=True)
    vocab_file = dest / "vocab.json"
    vocab_file.write_text(json.dumps(VOCAB, ensure_ascii=False) + "\n")
    processor = build_processor(vocab_file)
    processor.save_pretrained(dest)
    # transformers 5 writes processor_config.json; older readers want preprocessor_config.json
    processor.feature_extractor.save_pretrained(dest)
    special = dest / "special_tokens_map.json"
    if not special.exists():  # transformers 5 keeps these in tokenizer_config.json only
        special.write_text(json.dumps(SPECIAL_TOKENS, indent=2) + "\n")
    (dest / "README.md").write_text(render_card(HERE, model))
    for path in dest.iterdir():
        path.chmod(0o644)
    size = sum(p.stat().st_size for p in dest.iterdir() if p.is_file())
    log.info("exported to %s: %.2f MB", dest, size / 1e6)
    if size > MAX_BYTES:
        raise SystemExit(f"export is {size / 1e6:.1f} MB, over the 25 MB limit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=WORK / "final")
    parser.add_argument("--dest", type=Path, default=DEST)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    export(args.model, args.dest)


if __name__ == "__main__":
    main()

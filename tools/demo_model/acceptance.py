"""Issue 3's acceptance check: fresh general-English sentences, spoken by flite slt and espeak-ng
en-us, read back through `live-captions transcribe` exactly as a user runs it.

The sentences were written for this check (not from fortunes, not in the tests or benches).
Corpus-level CER and WER per voice (required: CER <= 0.15 and WER <= 0.45; aimed for: WER <=
0.25), plus the held-out voice flite awb. Writes acceptance.json beside this file.

    python -m tools.demo_model.acceptance [--model demo]     # from the repository's root
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jiwer

from devkit.speech import say

ROOT = Path(__file__).resolve().parents[2]

SENTENCES = [
    "the bus was late again so we walked to work",
    "please remember to water the plants on sunday",
    "our new neighbours moved in last week",
    "the doctor said i should drink more water",
    "he painted the kitchen a bright shade of yellow",
    "they are building a new bridge across the river",
    "the library opens at nine in the morning",
    "she found an old photograph in the drawer",
    "we watched a film about the history of flight",
    "the price of bread has gone up this year",
    "my sister is learning to play the piano",
    "the storm knocked down two trees in the garden",
    "could you send me the address of the hotel",
    "the team won the final match by one goal",
    "i left my umbrella on the train this morning",
    "the soup needs a little more salt and pepper",
    "he reads the newspaper every day after breakfast",
    "the children built a castle out of sand",
    "we are planning a trip to the mountains in june",
    "the meeting has been moved to thursday afternoon",
]
VOICES = ["flite:slt", "espeak:en-us", "flite:awb"]
REQUIRED = {"cer": 0.15, "wer": 0.45}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="demo")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("acceptance.json"))
    args = parser.parse_args()
    report: dict[str, object] = {
        "model": args.model,
        "sentences": len(SENTENCES),
        "required": REQUIRED,
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for voice in VOICES:
            tag = voice.replace(":", "-")
            wavs = [
                say(text, folder / f"{tag}-{i:02d}.wav", voice) for i, text in enumerate(SENTENCES)
            ]
            out = folder / f"out-{tag}"
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "live_captions",
                    "transcribe",
                    *map(str, wavs),
                    "--model",
                    args.model,
                    "-o",
                    str(out),
                    "-f",
                    "txt",
                    "--raw-case",
                    "--no-progress",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise SystemExit(f"live-captions transcribe failed:\n{run.stderr}")
            heard = [
                " ".join((out / f"{w.stem}.txt").read_text(encoding="utf-8").split()).lower() or "-"
                for w in wavs
            ]
            cer, wer = jiwer.cer(SENTENCES, heard), jiwer.wer(SENTENCES, heard)
            report[voice] = {
                "cer": round(float(cer), 4),
                "wer": round(float(wer), 4),
                "examples": [{"said": s, "heard": h} for s, h in list(zip(SENTENCES, heard))[:3]],
            }
            print(f"{voice}: CER {cer:.3f}, WER {wer:.3f}")
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

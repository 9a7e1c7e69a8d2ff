"""``live-captions models``: the catalogue of known checkpoints by language."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from engine.catalogue import catalogue, for_language, languages


def add_models_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list known models by language (any other hub id or folder works too)",
        description="Known Wav2Vec2ForCTC checkpoints by language, with the error rates their "
        "model cards publish. Use one with --model ID; any other hub id or local folder works too.",
    )
    p.add_argument("--language", help="only this language (a code such as zh, en, de)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_models)


def cmd_models(args: argparse.Namespace) -> int:
    entries = list(catalogue()) if not args.language else for_language(args.language)
    if not entries:
        known = ", ".join(code for code, _ in languages())
        print(
            f"no known model for language {args.language!r}; known: {known}. "
            "Any CTC speech model (hub id or folder) can still be used with --model.",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
        return 0
    language = None
    for entry in entries:
        if entry.language != language:
            language = entry.language
            print(f"{'' if entry is entries[0] else chr(10)}{entry.language_name} "
                  f"({entry.native_name}, {entry.language})")  # fmt: skip
        print(f"  {entry.model}")
        print(f"      {entry.size} · {entry.licence} · {entry.published}")
        if entry.note:
            print(f"      {entry.note}")
    print("\nUse one with --model ID; any other CTC speech model (hub id or folder) works too.")
    return 0

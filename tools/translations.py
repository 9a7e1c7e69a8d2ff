"""Update the app's Qt translations: extract every tr() string from desktop_app with
pyside6-lupdate into desktop_app/translations/*.ts (existing translations are kept), derive the
Traditional Chinese file from the Simplified one with OpenCC (Taiwan phrases), and compile all
of them with pyside6-lrelease into the .qm files the app loads.

    python tools/translations.py          # after changing user-visible strings
    python tools/translations.py --check  # exit 1 if a string has no zh_CN translation

Translate new strings in desktop_app/translations/live_captions_zh_CN.ts (Qt Linguist:
pyside6-linguist, or any editor), then run this again.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "desktop_app" / "translations"
SOURCE = FOLDER / "live_captions_zh_CN.ts"
DERIVED = {FOLDER / "live_captions_zh_TW.ts": ("zh_TW", "s2twp")}


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        raise SystemExit(
            f"{name} not found: it comes with PySide6 (pip install PySide6-Essentials)"
        )
    return found


def sources() -> list[str]:
    return sorted(str(p) for p in (ROOT / "desktop_app").rglob("*.py"))


def unfinished(ts: Path) -> list[str]:
    tree = ET.parse(ts)
    missing = []
    for message in tree.iter("message"):
        translation = message.find("translation")
        if (
            translation is None
            or not (translation.text or "").strip()
            or translation.get("type") in ("unfinished", "vanished", "obsolete")
        ):
            missing.append(message.findtext("source") or "")
    return missing


def derive(source: Path, target: Path, language: str, config: str) -> None:
    import opencc

    converter = opencc.OpenCC(config)
    tree = ET.parse(source)
    tree.getroot().set("language", language)
    for translation in tree.iter("translation"):
        if translation.text:
            translation.text = converter.convert(translation.text)
    tree.write(target, encoding="utf-8", xml_declaration=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that all is translated")
    args = parser.parse_args()
    if not args.check:
        subprocess.run(
            [tool("pyside6-lupdate"), *sources(), "-no-obsolete", "-ts", str(SOURCE)], check=True
        )
    missing = unfinished(SOURCE)
    if args.check:
        for text in missing:
            print(f"untranslated: {text!r}")
        return 1 if missing else 0
    for target, (language, config) in DERIVED.items():
        derive(SOURCE, target, language, config)
    for ts in [SOURCE, *DERIVED]:
        subprocess.run([tool("pyside6-lrelease"), str(ts)], check=True)
    if missing:
        print(f"{len(missing)} strings still need a zh_CN translation", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Training text for the demo punctuation model: the fortune files the demo speech model's
sentences come from (tools/demo_model/texts.py), as words with the mark after each word and
each word's case. Entries held out by hash (5 %) are the development set."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tools.demo_model.texts import FORTUNE_DIR, SKIPPED_FORTUNES

# the mark classes the demo model predicts; ";" and ":" and dashes count as commas
MARKS = ("O", ",", ".", "?", "!")
CASES = ("O", "U", "A")  # lower, Capital, ALL CAPITALS (the engine's label convention)
LABELS = tuple(m + c for m in MARKS for c in CASES)
DEV_PERCENT = 5

_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|[.!?]+|[,;:]|--")


@dataclass(frozen=True)
class Token:
    word: str  # as written
    mark: str  # one of MARKS
    case: str  # one of CASES


def case_of(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return "A"
    return "U" if word[0].isupper() else "O"


def tokens(text: str) -> list[Token]:
    """Words with the mark that follows each (the strongest of several) and their case."""
    out: list[Token] = []
    for piece in _TOKEN.findall(text.replace("`", "'").replace("\u2019", "'")):
        if piece[0].isalpha():
            out.append(Token(piece, "O", case_of(piece)))
            continue
        if not out:
            continue
        mark = piece[-1] if piece[0] in ".!?" else ","
        if mark == "." and "?" in piece:
            mark = "?"
        previous = out[-1]
        if previous.mark in (".", "?", "!") and mark == ",":
            continue
        out[-1] = Token(previous.word, mark, previous.case)
    return out


def entries() -> list[str]:
    """Fortune entries (attribution lines and entries with digits left out), in file order."""
    found: list[str] = []
    for path in sorted(FORTUNE_DIR.iterdir()):
        if path.suffix or path.name in SKIPPED_FORTUNES or not path.is_file():
            continue
        for entry in path.read_text(encoding="latin-1").split("\n%\n"):
            lines = [ln.strip() for ln in entry.splitlines() if not ln.strip().startswith("--")]
            text = " ".join(ln for ln in lines if ln)
            if text and not re.search(r"[0-9]", text):
                found.append(text)
    return found


def is_dev(entry: str) -> bool:
    digest = hashlib.sha1(entry.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < DEV_PERCENT


def split() -> tuple[list[Token], list[Token]]:
    """(train, dev) token streams; every entry ends a sentence."""
    train: list[Token] = []
    dev: list[Token] = []
    for entry in entries():
        toks = tokens(entry)
        if len(toks) < 2:
            continue
        if toks[-1].mark not in (".", "?", "!"):
            toks[-1] = Token(toks[-1].word, ".", toks[-1].case)
        (dev if is_dev(entry) else train).extend(toks)
    return train, dev


if __name__ == "__main__":
    tr, dv = split()
    print(len(tr), len(dv))
    print(" ".join(f"{t.word}{'' if t.mark == 'O' else t.mark}" for t in tr[:60]))

"""English training text for the demo model: fortune sentences and random dictionary words.

Each item is a pair (spoken, label): `spoken` keeps light punctuation so the synthesisers get
natural intonation; `label` is the transcript in the wav2vec2-base-960h alphabet (A-Z, ', space).
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

FORTUNE_DIR = Path("/usr/share/games/fortunes")
WORDS_FILE = Path("/usr/share/dict/words")
# Fortune files left out: pictures, non-English, or topics not wanted in a demo.
SKIPPED_FORTUNES = {
    "art",
    "ascii-art",
    "drugs",
    "ethnic",
    "men-women",
    "translate-me",
    "perl",
    "off",
    "debian",
    "linux",
    "computers",
    "zippy",
}
ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "etc",
    "vs",
    "jr",
    "sr",
    "ie",
    "eg",
    "co",
    "inc",
    "ltd",
    "no",
    "prof",
    "gen",
    "capt",
    "lt",
    "col",
    "sgt",
    "rev",
    "ft",
    "oz",
}
MIN_WORDS, MAX_WORDS = 3, 20
HOLDOUT_PERCENT = 5  # sentences whose hash falls here are never trained on

_ALLOWED = re.compile(r"^[A-Za-z' ,.;:!?\-]+$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def is_held_out(label: str) -> bool:
    """Stable split by hash of the label: about HOLDOUT_PERCENT % of sentences are held out."""
    digest = hashlib.sha1(label.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLDOUT_PERCENT


def to_label(spoken: str) -> str:
    """Upper-case transcript: letters, apostrophes inside words, single spaces."""
    text = spoken.upper().replace("-", " ")
    text = re.sub(r"[^A-Z' ]", " ", text)
    words = [w.strip("'") for w in text.split()]
    return " ".join(w for w in words if w)


def _clean(sentence: str) -> str | None:
    s = sentence.replace("`", "'").replace("\u2019", "'").replace('"', " ").replace("--", ", ")
    s = re.sub(r"\s+", " ", s).strip(" -")
    if not s or not _ALLOWED.match(s):
        return None
    # all-capitals words are mostly acronyms, which synthesisers spell out letter by letter
    if any(len(w) > 1 and w.isupper() for w in re.findall(r"[A-Za-z]+", s)):
        return None
    words = to_label(s).split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    lowered = {w.lower().strip("'") for w in re.findall(r"[A-Za-z']+", s)}
    if lowered & ABBREVIATIONS or re.search(r"\b[A-Za-z]\.", s):
        return None
    if any(len(w) == 1 and w not in {"A", "I"} for w in words):
        return None
    return s


def fortune_sentences() -> list[str]:
    """Cleaned, de-duplicated sentences from the fortune files, in a fixed order."""
    seen: set[str] = set()
    out: list[str] = []
    for path in sorted(FORTUNE_DIR.iterdir()):
        if path.suffix or path.name in SKIPPED_FORTUNES or not path.is_file():
            continue
        raw = path.read_text(encoding="latin-1")
        for entry in raw.split("\n%\n"):
            # attribution lines ("-- Author") and indented verse make poor sentences
            lines = [ln for ln in entry.splitlines() if not ln.strip().startswith("--")]
            for sentence in _SENTENCE_END.split(" ".join(ln.strip() for ln in lines)):
                s = _clean(sentence)
                if s is None:
                    continue
                label = to_label(s)
                if label not in seen:
                    seen.add(label)
                    out.append(s)
    return out


def dictionary_words() -> list[str]:
    """Plain lower-case dictionary words (no names, no possessives), 2-12 letters."""
    words = WORDS_FILE.read_text(encoding="utf-8").split()
    return [w for w in words if re.fullmatch(r"[a-z]{2,12}", w)]


def random_word_lines(rng: random.Random, count: int, words: list[str]) -> list[str]:
    """Lines of 2-8 random dictionary words."""
    return [" ".join(rng.choice(words) for _ in range(rng.randint(2, 8))) for _ in range(count)]


def split_sentences() -> tuple[list[str], list[str]]:
    """(train, held_out) fortune sentences."""
    sentences = fortune_sentences()
    train = [s for s in sentences if not is_held_out(to_label(s))]
    held = [s for s in sentences if is_held_out(to_label(s))]
    return train, held


if __name__ == "__main__":
    train, held = split_sentences()
    print(len(train), len(held), len(dictionary_words()))
    rng = random.Random(0)
    for s in rng.sample(train, 15):
        print(repr(s), "->", to_label(s))
    print(random_word_lines(rng, 3, dictionary_words()))

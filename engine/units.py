"""Caption units by script, written once for every front end.

Scripts written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar, ...) have
no word a CTC model could delimit: each of their characters is a caption unit of its own, with
its own times and confidence. Runs of every other script stay whole words. Units join with a
space only where neither side is an unspaced unit, so "我用Python写代码" reads as written.

Display width follows East Asian Width: wide and fullwidth characters take two columns,
combining marks none, everything else one.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Sequence

# Code point ranges (inclusive) of scripts and symbols written without spaces between words.
_UNSPACED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1950, 0x19DF),  # Tai Le, New Tai Lue
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x1A20, 0x1AAF),  # Tai Tham
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x2FF0, 0x303F),  # ideographic description, CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3190, 0x31FF),  # Kanbun, Bopomofo extended, CJK strokes, Katakana extension
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xA9E0, 0xA9FF),  # Myanmar extended B
    (0xAA60, 0xAA7F),  # Myanmar extended A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFF60),  # fullwidth punctuation and forms
    (0xFF61, 0xFF9F),  # halfwidth CJK punctuation and Katakana
    (0x16FE0, 0x16FFF),  # ideographic symbols
    (0x1B000, 0x1B16F),  # Kana supplement and extensions
    (0x20000, 0x323AF),  # CJK extensions B to H
)
_STARTS = [r[0] for r in _UNSPACED_RANGES]


def is_unspaced(char: str) -> bool:
    """True for a character of a script written without spaces between words."""
    code = ord(char)
    i = bisect.bisect_right(_STARTS, code) - 1
    return i >= 0 and code <= _UNSPACED_RANGES[i][1]


def is_mark(char: str) -> bool:
    """A combining mark: it belongs to the character before it (Thai vowels and tones)."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


def breaks_between(left: str, right: str) -> bool:
    """Whether spelled text ``right`` starts a new unit after ``left`` within one word."""
    if not left or not right or is_mark(right[0]):
        return False
    return is_unspaced(left[-1]) or is_unspaced(right[0])


def split_units(word: str) -> list[str]:
    """A delimited word cut into caption units: each unspaced character (with its marks) alone,
    runs of other characters whole."""
    units: list[str] = []
    for char in word:
        if units and not breaks_between(units[-1], char):
            units[-1] += char
        else:
            units.append(char)
    return units


def needs_space(left: str, right: str) -> bool:
    """Whether a space goes between two units shown one after the other."""
    return bool(left) and bool(right) and not (is_unspaced(left[-1]) or is_unspaced(right[0]))


def join_units(units: Iterable[str]) -> str:
    """Units as one line of text: spaces only between units of spaced scripts."""
    out: list[str] = []
    previous = ""
    for unit in units:
        if not unit:
            continue
        if needs_space(previous, unit):
            out.append(" ")
        out.append(unit)
        previous = unit
    return "".join(out)


def char_width(char: str) -> int:
    """Display columns of one character: 2 wide or fullwidth, 0 a combining mark, else 1."""
    if is_mark(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Display columns of a text (a CJK character counts two, as on screen)."""
    return sum(char_width(c) for c in text)


def is_cased(unit: str) -> bool:
    """Whether a unit's script has upper and lower case (Latin, Greek, Cyrillic, ...)."""
    return any(c.lower() != c.upper() for c in unit)


def wrap_units(units: Sequence[str], width: int = 42) -> list[list[str]]:
    """Units as at most two balanced lines of at most about ``width`` display columns each
    (one line when it fits). Breaks fall between units only."""
    if display_width(join_units(units)) <= width or len(units) < 2:
        return [list(units)]
    best = 1
    best_cost = None
    for i in range(1, len(units)):
        cost = max(display_width(join_units(units[:i])), display_width(join_units(units[i:])))
        if best_cost is None or cost < best_cost:
            best, best_cost = i, cost
    return [list(units[:best]), list(units[best:])]

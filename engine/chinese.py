"""Chinese output in Simplified or Traditional characters, through OpenCC.

Conversion works on caption units as they leave the decoder, so every front end gets converted
units with their own times. Each unit is converted with the few units before it as context
(OpenCC converts phrases: 头发 becomes 頭髮, 发展 becomes 發展) and never with the units after it,
so a stream, which has not heard them yet, converts exactly as the file does.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable

from .config import CHINESE_SCRIPTS, check_script
from .ctc import Word

CONTEXT_UNITS = 3  # units before a unit that its conversion may look at


class ScriptConverter:
    """Converts a sequence of units one by one, remembering the last few as context."""

    def __init__(self, script: str) -> None:
        check_script(script)
        try:
            import opencc
        except ImportError as exc:  # a dependency; missing only in a broken install
            raise RuntimeError(
                "converting Chinese text needs the 'opencc' package: pip install opencc"
            ) from exc
        self.script = script
        self._opencc = opencc.OpenCC(CHINESE_SCRIPTS[script])
        self._context: deque[str] = deque(maxlen=CONTEXT_UNITS)

    def convert(self, words: Iterable[Word], commit: bool = True) -> list[Word]:
        """The units converted; ``commit=False`` (a partial look) leaves the context as it is."""
        context = self._context if commit else deque(self._context, maxlen=CONTEXT_UNITS)
        out = []
        for word in words:
            text = self._convert_one(list(context), word.text)
            context.append(word.text)
            out.append(word if text == word.text else dataclasses.replace(word, text=text))
        return out

    def convert_text(self, text: str) -> str:
        """Plain text, whole (phrases see both sides)."""
        return str(self._opencc.convert(text))

    def _convert_one(self, context: list[str], text: str) -> str:
        before = "".join(context)
        converted = str(self._opencc.convert(before + text))
        if len(converted) == len(before) + len(text):
            return converted[len(before) :]
        # A phrase changed length (rare): convert the unit on its own.
        return str(self._opencc.convert(text))

    def reset(self) -> None:
        self._context.clear()

"""Text output that works on any console or code page; called by entry points, never on import.

- Redirected output (a file, a pipe) is written in UTF-8, whatever the locale: on Windows Python
  would otherwise use the ANSI code page (cp1252, or GBK on Chinese Windows), and a transcript or
  a file name outside it raises ``UnicodeEncodeError``. A terminal keeps its encoding (Windows'
  console takes UTF-8 already), with characters it cannot show replaced rather than fatal.
- Windows 10's console shows ANSI escape sequences (``\\r\\033[K``, ``\\033[2m``) as garbage
  unless virtual-terminal processing is switched on for it.
"""

from __future__ import annotations

import codecs
import logging
import sys
from typing import Any, TextIO

log = logging.getLogger("live_captions.console")

ENABLE_VIRTUAL_TERMINAL_PROCESSING = 0x0004
STD_OUTPUT_HANDLE = -11


def _is_utf8(stream: TextIO) -> bool:
    try:
        return codecs.lookup(stream.encoding or "ascii").name == "utf-8"
    except LookupError:
        return False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def use_utf8_output(*streams: TextIO | None) -> None:
    """Make ``streams`` (default: sys.stdout and sys.stderr) safe for any text; see the module."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if stream is None or reconfigure is None or _is_utf8(stream):
            continue
        try:
            if _is_terminal(stream):
                reconfigure(errors="replace")
            else:
                stream.flush()
                reconfigure(encoding="utf-8")
        except (OSError, ValueError) as exc:  # a stream already written through, or closed
            log.debug("cannot reconfigure %r: %s", stream, exc)


def enable_terminal_sequences(stream: TextIO | None = None, kernel32: Any = None) -> bool:
    """Whether ``stream`` (default: stdout) understands ANSI escape sequences; on a Windows
    console this switches virtual-terminal processing on first. ``kernel32`` is for tests."""
    stream = stream if stream is not None else sys.stdout
    if stream is None or not _is_terminal(stream):
        return False
    if kernel32 is None:
        if sys.platform != "win32":
            return True
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]  # Windows only
    import ctypes.wintypes

    handle = kernel32.GetStdHandle(STD_OUTPUT_HANDLE)
    mode = ctypes.wintypes.DWORD()
    if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
        return False  # not a console (e.g. an old terminal emulator's pipe)
    if mode.value & ENABLE_VIRTUAL_TERMINAL_PROCESSING:
        return True
    return bool(kernel32.SetConsoleMode(handle, mode.value | ENABLE_VIRTUAL_TERMINAL_PROCESSING))

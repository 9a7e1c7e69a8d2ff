"""The signals that ask a command or the window to stop, per operating system."""

from __future__ import annotations

import signal

# Stops a program can answer besides Ctrl-C (SIGINT): SIGTERM (``kill``, a service manager),
# SIGHUP (the terminal closed; POSIX only) and SIGBREAK (Ctrl+Break, and what a console sends a
# process group on Windows, which has neither SIGHUP nor a SIGTERM that can be caught from outside).
STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGBREAK")


def stop_signals(names: tuple[str, ...] = STOP_SIGNALS) -> list[signal.Signals]:
    """Those of ``names`` this operating system has."""
    return [getattr(signal, name) for name in names if hasattr(signal, name)]

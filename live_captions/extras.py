"""What to tell a user whose installation lacks a front end's packages (an extra)."""

from __future__ import annotations

import sys


def missing_extra(what: str, extra: str, exc: ImportError) -> int:
    """Say which extra to install for ``what``; the exit status of a usage problem."""
    print(
        f"{what} needs packages that are not installed ({exc}).\n"
        f"Install them with: pip install 'live-captions[{extra}]'",
        file=sys.stderr,
    )
    return 2

"""Write docs/cli.md, the command-line reference, from the parser itself.

Run after changing an option: ``python tools/cli_reference.py``. tests/unit/test_cli_reference.py
checks that the file names every option the parser has, and no option it lacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
WIDTH = "100"

INTRO = """# Command-line reference

`live-captions` without a command opens the desktop app. Each command's `--help` prints the
same text as below. Written by `python tools/cli_reference.py` from the parser; a test checks
that this file and the parser name the same options.
"""


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's sub-commands by name."""
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def render(parser: argparse.ArgumentParser) -> str:
    os.environ["COLUMNS"] = WIDTH  # argparse wraps help to the terminal's width
    parts = [INTRO, "## live-captions\n", "```", parser.format_help().rstrip(), "```\n"]
    for name, sub in subcommands(parser).items():
        parts += [f"## live-captions {name}\n", "```", sub.format_help().rstrip(), "```\n"]
    return "\n".join(parts)


def main() -> int:
    from live_captions.cli import build_parser

    DOC.write_text(render(build_parser()), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

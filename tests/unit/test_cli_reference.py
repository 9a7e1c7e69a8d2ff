"""docs/cli.md names exactly the options the parser has (tools/cli_reference.py writes it)."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

from live_captions.cli import build_parser

_TOOL = Path(__file__).resolve().parents[2] / "tools" / "cli_reference.py"
_spec = importlib.util.spec_from_file_location("cli_reference", _TOOL)
assert _spec and _spec.loader
cli_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli_reference)
DOC: Path = cli_reference.DOC
subcommands = cli_reference.subcommands


def parser_options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings if s.startswith("--")}


def documented(section: str) -> set[str]:
    """The long options of a help text's option list (a line's first column, not its help)."""
    found: set[str] = set()
    for line in section.splitlines():
        if line.lstrip().startswith("-"):
            first_column = line.strip().split("  ")[0]
            found.update(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", first_column))
    return found


def test_the_reference_names_every_option_of_every_command() -> None:
    text = DOC.read_text(encoding="utf-8")
    parser = build_parser()
    sections = re.split(r"^## live-captions ?", text, flags=re.M)
    by_name = {s.split("\n", 1)[0].strip(): s for s in sections[1:]}
    commands = {"": parser, **subcommands(parser)}
    assert set(by_name) == set(commands), "run python tools/cli_reference.py"
    for name, sub in commands.items():
        missing = parser_options(sub) - documented(by_name[name])
        stale = documented(by_name[name]) - parser_options(sub)
        assert not missing and not stale, (
            f"docs/cli.md, live-captions {name}: missing {sorted(missing)}, not in the parser "
            f"{sorted(stale)}; run python tools/cli_reference.py"
        )

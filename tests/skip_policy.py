"""What a skipped test means: a pytest plugin, registered by conftest.py.

Under CI (the ``CI`` environment variable set, as GitHub Actions and .ci/run do) a test may skip
only for the ``gpu`` and ``platform`` marks (the latter: what this OS lacks, such as SIGKILL on
Windows, with the Windows counterpart tested beside it); any other skip (a missing tool, library,
server or file) fails, so that a green CI run ran what it claims to. The ``packaging`` tests (a
real PyInstaller build, minutes) run under CI, and elsewhere only when asked
(``run_packaging``): ``LC_RUN_PACKAGING=1`` runs them, ``LC_RUN_PACKAGING=0`` leaves them out
everywhere, CI included (then their skips are accepted).
Outside CI skips stay skips, and when scripts/test.sh could not install Debian packages (it names
them in ``LC_MISSING_DEBIAN_PACKAGES``) the end of the run lists the tests that were skipped.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

ALLOWED_MARKS = ("gpu", "platform")  # the only skips CI accepts (packaging: LC_RUN_PACKAGING=0)
QUIET_MARKS = ("gpu", "packaging", "platform")  # not listed as "set-up that is missing" at the end


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def run_packaging() -> bool:
    """Whether the packaging tests build the frozen app: LC_RUN_PACKAGING=1 or 0 says; unset,
    under CI only."""
    asked = os.environ.get("LC_RUN_PACKAGING", "").strip()
    return asked == "1" if asked else under_ci()


def may_skip(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(mark) for mark in ALLOWED_MARKS):
        return True
    return item.get_closest_marker("packaging") is not None and not run_packaging()


def _reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: why")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _fail(report: pytest.CollectReport | pytest.TestReport) -> None:
    report.longrepr = (
        f"skipped under CI ({_reason(report)}); only the gpu and platform marks may skip there (and "
        "packaging with LC_RUN_PACKAGING=0): install what the test needs (scripts/test.sh does on "
        "Debian/Ubuntu)"
    )
    report.outcome = "failed"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")  # an expected failure is not a skip
        and under_ci()
        and not may_skip(item)
    ):
        _fail(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield  # a module that skips as a whole (pytest.importorskip at its top)
    if report.skipped and under_ci():
        _fail(report)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    missing = os.environ.get("LC_MISSING_DEBIAN_PACKAGES", "").split()
    if not missing:
        return
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if not any(mark in getattr(report, "keywords", {}) for mark in QUIET_MARKS)
    ]
    terminalreporter.section("set-up that is missing")
    terminalreporter.write_line(
        f"These Debian packages are not installed: {' '.join(missing)}. "
        f"{len(skipped)} tests were skipped (some of them for that):"
    )
    for report in skipped:
        terminalreporter.write_line(f"  {report.nodeid}: {_reason(report)}")

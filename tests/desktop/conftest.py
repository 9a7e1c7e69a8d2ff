"""Desktop tests: each test's garbage is collected in the GUI thread before the next test."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_in_the_gui_thread() -> Iterator[None]:
    """A test's Qt objects in reference cycles (closed dialogs, apps) are destroyed here, in
    the GUI thread, and not by a collection that the next test's worker thread happens to set
    off (Qt crashes then). An app a failed test left running does not keep automatic collection
    off for the next test (desktop_app.gc_guard)."""
    yield
    gc.collect()
    gc.enable()

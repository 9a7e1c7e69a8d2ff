"""desktop_app.gc_guard: cyclic garbage dies in the GUI thread, not in a worker's."""

from __future__ import annotations

import gc
import threading

from desktop_app.gc_guard import MainThreadCollector


class Cycle:
    """Half of a reference cycle that records the thread it is destroyed in."""

    def __init__(self, died_in: list[str]) -> None:
        self.died_in = died_in
        self.other: Cycle | None = None

    def __del__(self) -> None:
        self.died_in.append(threading.current_thread().name)


def make_garbage(died_in: list[str]) -> None:
    a, b = Cycle(died_in), Cycle(died_in)
    a.other, b.other = b, a  # unreachable once this returns: only the cycle collector frees it


def allocate_in_a_worker() -> list:
    """Far more lasting allocations than the first generation's threshold, in another thread
    (as a model loader's)."""
    kept: list = []

    def work() -> None:
        kept.extend([i] for i in range(50 * gc.get_threshold()[0]))

    thread = threading.Thread(target=work, name="worker")
    thread.start()
    thread.join()
    return kept


def test_cyclic_garbage_is_collected_in_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = MainThreadCollector(interval_ms=20)
    collector.start()
    try:
        assert not gc.isenabled()
        died_in: list[str] = []
        make_garbage(died_in)
        kept = allocate_in_a_worker()
        assert died_in == []  # the worker's allocations collected nothing
        qtbot.waitUntil(lambda: len(died_in) == 2, timeout=5_000)
        assert set(died_in) == {threading.main_thread().name}
        del kept
    finally:
        collector.stop()
    assert gc.isenabled()


def test_without_it_a_worker_thread_collects(qtbot) -> None:  # type: ignore[no-untyped-def]
    """What the collector prevents: the thread that allocates runs the collection."""
    gc.collect()
    died_in: list[str] = []
    make_garbage(died_in)
    kept = allocate_in_a_worker()
    assert "worker" in died_in and kept

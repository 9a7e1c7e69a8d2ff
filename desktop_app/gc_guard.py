"""Python's cyclic garbage collection in the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation's threshold is
passed: the model loader's, a capture worker's. A Qt object in a reference cycle (a closed dialog
whose slots hold it) is then destroyed outside the GUI thread, which crashes Qt (seen as a
segmentation fault while the model loader built a model). PyQt's documented remedy: turn
automatic collection off and collect from a timer in the GUI thread, generation by generation,
as the thresholds would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    """While started, cyclic garbage is collected only by this object's timer (GUI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = False

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Automatic collection as before, after one last collection here."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return

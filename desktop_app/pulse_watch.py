"""Notice PulseAudio (or PipeWire's pulse server) moving this app's recording elsewhere.

When the source a stream records is removed (a USB microphone unplugged, a sink unloaded),
PulseAudio moves the stream to its fallback source and the stream goes on: no error reaches
PortAudio, and the captions would go on over silence or another sound without a word. This
watch follows ``pactl subscribe`` and, on each source event, reads which source every recording
stream of this process is on (``pactl -f json list source-outputs``, PulseAudio 15 or later);
a stream whose source changed is reported with the name of the source it is on now.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess

from PySide6.QtCore import QObject, QProcess, QTimer, Signal, Slot

log = logging.getLogger("desktop_app.pulse")


class PulseWatch(QObject):
    moved = Signal(str, str)  # the source recorded before, the one recorded now (names)

    def __init__(self, pactl: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pactl = pactl or shutil.which("pactl")
        self._process: QProcess | None = None
        self._sources: dict[int, int] = {}  # this process's source-output -> its source
        self._names: dict[int, str] = {}  # source names seen (a removed one is no longer listed)
        self._check = QTimer(self, singleShot=True, interval=100)  # one look per burst of events
        self._check.timeout.connect(self.check)

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self) -> bool:
        """Start watching; False where there is no pactl (or no PulseAudio server)."""
        if self.pactl is None or self.running:
            return self.running
        process = QProcess(self)
        process.readyReadStandardOutput.connect(self._on_events)
        process.start(self.pactl, ["subscribe"])
        if not process.waitForStarted(2000):
            log.info("pactl subscribe does not start: %s", process.errorString())
            return False
        self._process = process
        self._sources = self._streams()
        self._names = self._source_names()
        return True

    def stop(self) -> None:
        process, self._process = self._process, None
        self._check.stop()
        if process is not None:
            process.readyReadStandardOutput.disconnect(self._on_events)
            process.kill()
            process.waitForFinished(2000)
            process.deleteLater()

    @Slot()
    def _on_events(self) -> None:
        assert self._process is not None
        text = bytes(self._process.readAllStandardOutput().data()).decode(errors="replace")
        if "source" in text:  # 'source' and 'source-output' events
            self._check.start()

    @Slot()
    def check(self) -> None:
        """Compare where this process's streams record now with where they recorded before."""
        now = self._streams()
        names = self._names = {**self._names, **self._source_names()}
        for index, source in now.items():
            before = self._sources.get(index)
            if before is not None and before != source:
                old = names.get(before, f"#{before}")
                new = names.get(source, f"#{source}")
                log.warning("PulseAudio moved the recording from %s to %s", old, new)
                self.moved.emit(old, new)
        self._sources = {**self._sources, **now}

    def _pactl_json(self, *args: str) -> list[dict[str, object]]:
        assert self.pactl is not None
        try:
            out = subprocess.run(
                [self.pactl, "-f", "json", *args], capture_output=True, text=True, timeout=5
            )
            data = json.loads(out.stdout) if out.returncode == 0 else []
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            log.info("pactl %s: %s", " ".join(args), exc)
            return []
        return data if isinstance(data, list) else []

    def _streams(self) -> dict[int, int]:
        pid = str(os.getpid())
        streams = {}
        for output in self._pactl_json("list", "source-outputs"):
            properties = output.get("properties")
            if isinstance(properties, dict) and properties.get("application.process.id") == pid:
                streams[int(str(output["index"]))] = int(str(output["source"]))
        return streams

    def _source_names(self) -> dict[int, str]:
        return {
            int(str(s["index"])): str(s["name"])
            for s in self._pactl_json("list", "short", "sources")
        }

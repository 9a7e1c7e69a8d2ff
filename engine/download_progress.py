"""Download progress: bytes done, total, rate and time left, fed by huggingface_hub's progress
bars (which print nothing here), and a cancel that stops the download at its next piece."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cancelled


@dataclass(frozen=True)
class DownloadStatus:
    """How far a download is."""

    done: int  # bytes written to the cache so far (resumed bytes included)
    total: int  # bytes of the files being fetched; 0 while not known
    rate: float  # bytes per second over the last few seconds; 0 while not known

    @property
    def seconds_left(self) -> float | None:
        if not self.total or self.rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.rate)

    def describe(self) -> str:
        """E.g. '12.5 MB of 360.0 MB, 2.1 MB/s, about 2 min left'."""
        text = f"{format_bytes(self.done)} of {format_bytes(self.total)}" if self.total else ""
        text = text or format_bytes(self.done)
        if self.rate > 0:
            text += f", {format_bytes(self.rate)}/s"
        left = self.seconds_left
        if left is not None and self.done < self.total:
            text += f", about {format_duration(left)} left"
        return text


DownloadProgress = Callable[[DownloadStatus], None]


def format_bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class Meter:
    """Turns the byte counts huggingface_hub reports into DownloadStatus, and raises
    :class:`Cancelled` there once ``cancel`` is set (the download stops at its next piece)."""

    def __init__(
        self,
        callback: DownloadProgress | None,
        cancel: threading.Event | None,
        total: int,
        done: int = 0,
    ) -> None:
        self.callback = callback
        self.cancel = cancel
        self.total = total
        self.done = done  # bytes already in the cache count as done
        self._samples: list[tuple[float, int]] = [(time.monotonic(), done)]
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("the download was cancelled")
        with self._lock:
            self.done += n
            now = time.monotonic()
            self._samples.append((now, self.done))
            while len(self._samples) > 2 and now - self._samples[1][0] > 5.0:
                self._samples.pop(0)  # the rate over the last five seconds or so
            (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
            rate = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
            total = max(self.total, self.done) if self.total else 0  # 0: not known
            status = DownloadStatus(self.done, total, rate)
        if self.callback is not None:
            self.callback(status)

    def tqdm_class(self, counted: str = "huggingface_hub.snapshot_download") -> type:
        """A tqdm class for huggingface_hub that feeds this meter and prints nothing: the bars
        named ``counted`` are the progress."""
        from huggingface_hub.utils import tqdm as hf_tqdm

        meter = self

        class _Bar(hf_tqdm):
            def __init__(self, *args: object, **kwargs: object) -> None:
                # snapshot_download makes three bars: files fetched, bytes received and bytes
                # written ("huggingface_hub.snapshot_download"); the last one is the progress.
                self._counts = kwargs.get("name") == counted
                kwargs["disable"] = True
                super().__init__(*args, **kwargs)

            def update(self, n: float | None = 1) -> bool | None:
                if self._counts and n:
                    meter.add(int(n))
                elif meter.cancel is not None and meter.cancel.is_set():
                    raise Cancelled("the download was cancelled")
                return super().update(n)

        return _Bar

"""The window grid shared by file transcription and streaming.

Audio is cut into overlapping windows of ``left + centre + right`` frames, aligned to the
model's frames (20 ms for wav2vec2). Window ``k`` decides the frames ``[k*centre, (k+1)*centre)``
and sees ``left`` frames before them and ``right`` frames after them. Before the audio starts and
after it ends, windows are padded with silence. Only the grid decides what a window contains, so
any way of delivering the same samples produces the same windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import SAMPLE_RATE, WindowProfile


@dataclass(frozen=True)
class Grid:
    frame_samples: int  # samples per model frame (320 = 20 ms for wav2vec2)
    left: int  # context frames before the centre
    centre: int  # frames each window decides
    right: int  # context frames after the centre

    @classmethod
    def from_profile(cls, profile: WindowProfile, frame_samples: int = 320) -> Grid:
        frames_per_s = SAMPLE_RATE / frame_samples
        return cls(
            frame_samples=frame_samples,
            left=round(profile.left_s * frames_per_s),
            centre=max(1, round(profile.centre_s * frames_per_s)),
            right=max(1, round(profile.right_s * frames_per_s)),
        )

    @property
    def window_samples(self) -> int:
        return (self.left + self.centre + self.right) * self.frame_samples

    def start(self, k: int) -> int:
        """First sample of window k (negative before the audio starts)."""
        return (k * self.centre - self.left) * self.frame_samples

    def end(self, k: int) -> int:
        """One past the last sample of window k."""
        return ((k + 1) * self.centre + self.right) * self.frame_samples

    def frames_in(self, num_samples: int) -> int:
        """Frames of a stream of ``num_samples`` (the last one may be partly padding)."""
        return -(-num_samples // self.frame_samples)


@dataclass(frozen=True)
class Window:
    index: int  # k on the grid
    # grid.window_samples float32 samples (fewer before the centre: a partial window's context)
    samples: np.ndarray
    first_frame: int  # global index of the first frame this window decides
    keep_from: int  # first kept frame in the model's output for this window
    keep: int  # number of frames kept
    final: bool  # False for a partial look at a window whose audio is incomplete
    # Samples [a, b) of the window hold audio; the rest pads before the stream's start or after
    # the audio received so far. Normalisation looks at these samples only.
    valid: tuple[int, int]

    @property
    def keep_slice(self) -> slice:
        return slice(self.keep_from, self.keep_from + self.keep)


class Windower:
    """Accumulates a stream of samples and hands out windows on the grid (no model, no threads).

    Memory is bounded: only the samples that a future window can still need are kept.
    """

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.received = 0  # samples pushed so far
        self.next_index = 0  # next window to hand out as final
        self.finished = False
        self._chunks: list[np.ndarray] = []
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0  # global index of _buffer[0]

    @property
    def finalised_samples(self) -> int:
        """Samples whose text is final: the end of the last final window's centre."""
        return min(self.received, self.next_index * self.grid.centre * self.grid.frame_samples)

    def push(self, samples: np.ndarray) -> None:
        if self.finished:
            raise RuntimeError("push() after finish()")
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if samples.size:
            self._chunks.append(samples)
            self.received += samples.size

    def ready(self) -> list[Window]:
        """Windows whose right context has fully arrived, in order."""
        windows = []
        while self.grid.end(self.next_index) <= self.received:
            windows.append(self._take(self.next_index, self.grid.centre, final=True))
            self.next_index += 1
        self._trim()
        return windows

    def finish(self) -> list[Window]:
        """End of stream: every remaining window, padded with silence."""
        windows = self.ready()
        self.finished = True
        total = self.grid.frames_in(self.received)
        while self.next_index * self.grid.centre < total:
            keep = min(self.grid.centre, total - self.next_index * self.grid.centre)
            windows.append(self._take(self.next_index, keep, final=True))
            self.next_index += 1
        self._trim()
        return windows

    def peek(self, left: int | None = None) -> Window | None:
        """The next window as far as its audio has arrived, for partial results; with ``left``
        frames of context before its centre instead of the grid's (fewer: a cheaper pass)."""
        k = self.next_index
        covered = self.grid.frames_in(self.received) - k * self.grid.centre
        if covered <= 0:
            return None
        keep = min(covered, self.grid.centre + self.grid.right - 1)
        return self._take(k, keep, final=False, left=left)

    def _take(self, k: int, keep: int, final: bool, left: int | None = None) -> Window:
        grid = self.grid
        left = grid.left if left is None else min(left, grid.left)
        start, end = (k * grid.centre - left) * grid.frame_samples, grid.end(k)
        self._consolidate()
        out = np.zeros(end - start, dtype=np.float32)
        lo = max(start, self._buffer_start)
        hi = min(end, self._buffer_start + self._buffer.size)
        if hi > lo:
            out[lo - start : hi - start] = self._buffer[
                lo - self._buffer_start : hi - self._buffer_start
            ]
        valid = (min(max(0, -start), out.size), max(0, min(out.size, self.received - start)))
        return Window(
            k,
            out,
            first_frame=k * grid.centre,
            keep_from=left,
            keep=keep,
            final=final,
            valid=valid,
        )

    def _consolidate(self) -> None:
        if self._chunks:
            self._buffer = np.concatenate([self._buffer, *self._chunks])
            self._chunks = []

    def _trim(self) -> None:
        """Drop samples that no future window needs."""
        keep_from = self.grid.start(self.next_index)
        drop = keep_from - self._buffer_start
        if drop > 0:
            self._consolidate()
            self._buffer = self._buffer[drop:]
            self._buffer_start = keep_from
